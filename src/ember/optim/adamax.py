"""Adamax (Adam with the infinity norm): PyTorch's single-tensor update."""

import numpy as np

from ._kernels import add_scaled_, addcdiv_, as_real, lerp_
from .adam import check_betas
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

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """PyTorch's Adamax: state ``step``, ``exp_avg``, ``exp_inf``."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_betas(betas)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)
        check_flags(defaults, type(self).__name__)

    # Options missing from older checkpoints, filled in by __setstate__.
    _restored_defaults = dict(foreach=None, maximize=False, differentiable=False, capturable=False)

    def _update(self, p, group):
        state = self.state[p]
        if not state:
            state["step"] = scalar_state()
            state["exp_avg"] = zeros_state(p)
            state["exp_inf"] = zeros_state(p)
        check_capturable(group)
        beta1, beta2 = group["betas"]
        param, grad = p._data, p._grad._data
        if group["maximize"]:
            grad = -grad
        step = increment(state["step"])
        if group["weight_decay"] != 0:
            grad = grad.copy()
            add_scaled_(grad, param, group["weight_decay"])
        param, grad = as_real(param), as_real(grad)
        kind = param.dtype.type
        exp_avg = as_real(state["exp_avg"]._data)
        exp_inf = as_real(state["exp_inf"]._data)
        lerp_(exp_avg, grad, 1 - beta1)
        exp_inf *= kind(beta2)
        norm = np.abs(grad)
        norm += kind(group["eps"])
        np.maximum(exp_inf, norm, out=exp_inf)
        clr = to_scalar(group["lr"]) / (1 - beta1 ** step)
        addcdiv_(param, exp_avg, exp_inf, -clr)
        state["exp_avg"]._vc[0] += 1
        state["exp_inf"]._vc[0] += 1
        p._vc[0] += 1
