"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""

from .._tensor import Tensor
from .optimizer import Optimizer, add_scaled_, required

__all__ = ["SGD"]


class SGD(Optimizer):
    """PyTorch's SGD: the same update, in the same order of floating-point operations."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        if lr is not required and lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        if differentiable:
            raise NotImplementedError("ember does not support SGD(differentiable=True) yet")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr = group["lr"]
            momentum = group["momentum"]
            dampening = group["dampening"]
            weight_decay = group["weight_decay"]
            for p in group["params"]:
                if p._grad is None:
                    continue
                d_p = p._grad._data
                if group["maximize"]:
                    d_p = -d_p
                if weight_decay != 0:
                    d_p = d_p.copy()
                    add_scaled_(d_p, p._data, weight_decay)
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = Tensor._from_array(d_p.copy())
                    else:
                        buf._data *= momentum
                        add_scaled_(buf._data, d_p, 1 - dampening)
                    if group["nesterov"]:
                        d_p = d_p.copy()
                        add_scaled_(d_p, buf._data, momentum)
                    else:
                        d_p = buf._data
                add_scaled_(p._data, d_p, -lr)
                p._vc[0] += 1
        return loss
