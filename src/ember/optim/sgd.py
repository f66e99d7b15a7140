"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""

from .._tensor import Tensor
from .optimizer import Optimizer, add_scaled_

__all__ = ["SGD"]


class SGD(Optimizer):
    """PyTorch's SGD: the same update, in the same order of floating-point operations.

    ``foreach`` and ``fused`` are accepted and recorded (they select PyTorch kernels that
    compute the same values); ``differentiable=True`` is not supported.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        if differentiable:
            raise NotImplementedError("ember does not support SGD(differentiable=True) yet")

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is not None:
                    self._update(p, group)
        return loss

    def _update(self, p, group):
        lr = group["lr"]
        lr = lr.item() if isinstance(lr, Tensor) else lr
        momentum = group["momentum"]
        weight_decay = group["weight_decay"]
        d_p = p._grad._data
        if group["maximize"]:
            d_p = -d_p
        if weight_decay != 0:
            # grad.add(param, alpha=weight_decay): a new array, the gradient is untouched.
            d_p = d_p.copy()
            add_scaled_(d_p, p._data, weight_decay)
        if momentum != 0:
            state = self.state[p]
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = Tensor._from_array(d_p.copy())
            else:
                buf._data *= momentum
                add_scaled_(buf._data, d_p, 1 - group["dampening"])
                buf._vc[0] += 1
            if group["nesterov"]:
                d_p = d_p.copy()
                add_scaled_(d_p, buf._data, momentum)
            else:
                d_p = buf._data
        add_scaled_(p._data, d_p, -lr)
        p._vc[0] += 1
