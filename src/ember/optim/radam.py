"""RAdam (rectified Adam): PyTorch's single-tensor update."""

import numpy as np

from ._kernels import add_scaled_, addcmul_, as_real, lerp_
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

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """PyTorch's RAdam: state ``step``, ``exp_avg``, ``exp_avg_sq``."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_betas(betas)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)
        check_flags(defaults, type(self).__name__)

    # Options missing from older checkpoints, filled in by __setstate__.
    _restored_defaults = dict(foreach=None, maximize=False, differentiable=False,
                              decoupled_weight_decay=False, capturable=False)

    def _update(self, p, group):
        state = self.state[p]
        if not state:
            state["step"] = scalar_state()
            state["exp_avg"] = zeros_state(p)
            state["exp_avg_sq"] = zeros_state(p)
        check_capturable(group)
        lr = to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        weight_decay = group["weight_decay"]
        param, grad = p._data, p._grad._data
        if group["maximize"]:
            grad = -grad
        param, grad = as_real(param), as_real(grad)
        kind = param.dtype.type
        step = increment(state["step"])
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param *= kind(1 - lr * weight_decay)
            else:
                grad = grad.copy()
                add_scaled_(grad, param, weight_decay)
        exp_avg = as_real(state["exp_avg"]._data)
        exp_avg_sq = as_real(state["exp_avg_sq"]._data)
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= kind(beta2)
        addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        update = exp_avg / kind(bias_correction1)
        update *= kind(lr)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
        if rho_t > 5.0:
            # bias_correction2 ** 0.5 / (sqrt(v) + eps), which PyTorch computes as
            # reciprocal(sqrt(v) + eps) * bias_correction2 ** 0.5.
            adaptive = np.sqrt(exp_avg_sq)
            adaptive += kind(group["eps"])
            np.reciprocal(adaptive, out=adaptive)
            adaptive *= kind(bias_correction2 ** 0.5)
            update *= adaptive
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            update *= kind(rect)
        param -= update
        state["exp_avg"]._vc[0] += 1
        state["exp_avg_sq"]._vc[0] += 1
        p._vc[0] += 1
