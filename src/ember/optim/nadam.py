"""NAdam (Adam with Nesterov momentum, and its momentum decay): PyTorch's update."""

import numpy as np

from ._kernels import add_scaled_, addcdiv_, addcmul_, as_real, lerp_
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

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """PyTorch's NAdam: state ``step``, ``mu_product`` (0-d float32), ``exp_avg``,
    ``exp_avg_sq``."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_betas(betas)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)
        check_flags(defaults, type(self).__name__)

    # Options missing from older checkpoints, filled in by __setstate__.
    _restored_defaults = dict(maximize=False, foreach=None, capturable=False,
                              differentiable=False, decoupled_weight_decay=False)
    _scalar_state_keys = ("step", "mu_product")

    def _update(self, p, group):
        state = self.state[p]
        if not state:
            state["step"] = scalar_state()
            state["mu_product"] = scalar_state(1.0)
            state["exp_avg"] = zeros_state(p)
            state["exp_avg_sq"] = zeros_state(p)
        check_capturable(group, "params, mu_products and state_steps")
        lr = to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        weight_decay, momentum_decay = group["weight_decay"], group["momentum_decay"]
        param, grad = p._data, p._grad._data
        if group["maximize"]:
            grad = -grad
        param, grad = as_real(param), as_real(grad)
        kind = param.dtype.type
        step = increment(state["step"])
        bias_correction2 = 1 - beta2 ** step
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param *= kind(1 - lr * weight_decay)
            else:
                grad = grad.copy()
                add_scaled_(grad, param, weight_decay)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
        mu_product = state["mu_product"]
        mu_product._data *= mu_product._data.dtype.type(mu)
        mu_product._vc[0] += 1
        exp_avg = as_real(state["exp_avg"]._data)
        exp_avg_sq = as_real(state["exp_avg_sq"]._data)
        lerp_(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= kind(beta2)
        addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
        denom = exp_avg_sq / kind(bias_correction2)
        np.sqrt(denom, out=denom)
        product = float(mu_product._data)
        mu_product_next = product * mu_next
        denom += kind(group["eps"])
        addcdiv_(param, grad, denom, -lr * (1.0 - mu) / (1.0 - product))
        addcdiv_(param, exp_avg, denom, -lr * mu_next / (1.0 - mu_product_next))
        state["exp_avg"]._vc[0] += 1
        state["exp_avg_sq"]._vc[0] += 1
        p._vc[0] += 1
