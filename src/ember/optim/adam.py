"""Adam (with AMSGrad, L2 or decoupled weight decay): PyTorch's single-tensor update."""

import numpy as np

from .._tensor import Tensor
from ._kernels import add_scaled_, addcdiv_, addcmul_, as_real, lerp_
from .optimizer import (
    Optimizer,
    check_capturable,
    check_flags,
    check_lr,
    increment,
    scalar_state,
    to_scalar,
    zeros_state,
)

__all__ = ["Adam"]

_FUSED_DEVICES = "['mps', 'cuda', 'xpu', 'hpu', 'cpu', 'mtia', 'privateuseone']"


def _squeeze(value):
    """A one-element tensor hyperparameter as a 0-d tensor (PyTorch's ``_to_scalar``)."""
    return value.reshape(()) if isinstance(value, Tensor) and value.dim() != 0 else value


def check_betas(betas):
    for i, beta in enumerate(betas[:2]):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")


class Adam(Optimizer):
    """PyTorch's Adam: the same state, options and float operations, on whole arrays.

    ``foreach`` and ``fused`` are accepted and recorded (PyTorch's kernels for them compute
    the same update); ``capturable=True`` is refused when stepping, as PyTorch refuses it on
    CPU; ``differentiable=True`` is not supported.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and "
                                 "foreach=True")
        check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_betas(betas)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not (all(isinstance(b, float) for b in betas[:2])
                or all(isinstance(b, Tensor) for b in betas[:2])):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, beta in enumerate(betas[:2]):
            if isinstance(beta, Tensor):
                if foreach and not capturable:
                    raise ValueError(f"betas[{i}] as a Tensor is not supported for "
                                     "capturable=False and foreach=True")
                if beta.numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        defaults = dict(lr=lr, betas=tuple(_squeeze(b) for b in betas), eps=eps,
                        weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        check_flags(defaults, type(self).__name__)

    # Options missing from older checkpoints, filled in by __setstate__.
    _restored_defaults = dict(amsgrad=False, maximize=False, foreach=None, capturable=False,
                              differentiable=False, decoupled_weight_decay=False, fused=None)

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p._grad is not None]
            if params:
                self._update_group(group, params)
        return loss

    def _init_state(self, p, group):
        if group["fused"] and p._data.dtype.kind not in "fc":
            raise RuntimeError("`fused=True` requires all the params to be floating point "
                               f"Tensors of supported devices: {_FUSED_DEVICES} but "
                               f"{p.dtype} and cpu")
        state = self.state[p]
        state["step"] = scalar_state()
        state["exp_avg"] = zeros_state(p)
        state["exp_avg_sq"] = zeros_state(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_state(p)
        return state

    def _update_group(self, group, params):
        states = [self.state[p] or self._init_state(p, group) for p in params]
        if group["foreach"] and isinstance(group["lr"], Tensor) and not group["capturable"]:
            raise RuntimeError("lr as a Tensor is not supported for capturable=False and "
                               "foreach=True")
        check_capturable(group)
        lr = to_scalar(group["lr"])
        beta1, beta2 = (to_scalar(b) for b in group["betas"])
        weight_decay, eps, amsgrad = group["weight_decay"], group["eps"], group["amsgrad"]
        decoupled = weight_decay != 0 and group["decoupled_weight_decay"]
        for p, state in zip(params, states):
            param = as_real(p._data)
            grad = as_real(-p._grad._data if group["maximize"] else p._grad._data)
            kind = param.dtype.type
            step = increment(state["step"])
            if decoupled:
                param *= kind(1 - lr * weight_decay)
            elif weight_decay != 0:
                grad = grad.copy()
                add_scaled_(grad, param, weight_decay)
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            m, v = as_real(exp_avg._data), as_real(exp_avg_sq._data)
            lerp_(m, grad, 1 - beta1)
            v *= kind(beta2)
            addcmul_(v, grad, grad, 1 - beta2)
            step_size = lr / (1 - beta1 ** step)
            bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
            if amsgrad:
                maximum = state["max_exp_avg_sq"]
                v = as_real(maximum._data)
                np.maximum(v, as_real(exp_avg_sq._data), out=v)
                maximum._vc[0] += 1
            denom = np.sqrt(v)
            denom /= kind(bias_correction2_sqrt)
            denom += kind(eps)
            addcdiv_(param, m, denom, -step_size)
            exp_avg._vc[0] += 1
            exp_avg_sq._vc[0] += 1
            p._vc[0] += 1
