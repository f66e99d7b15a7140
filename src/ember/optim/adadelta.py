"""Adadelta: PyTorch's single-tensor update."""

import numpy as np

from ._kernels import add_scaled_, addcmul_, as_real
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

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """PyTorch's Adadelta: state ``step``, ``square_avg``, ``acc_delta``."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)
        check_flags(defaults, type(self).__name__)

    # Options missing from older checkpoints, filled in by __setstate__.
    _restored_defaults = dict(foreach=None, maximize=False, differentiable=False, capturable=False)

    def _update(self, p, group):
        state = self.state[p]
        if not state:
            state["step"] = scalar_state()
            state["square_avg"] = zeros_state(p)
            state["acc_delta"] = zeros_state(p)
        check_capturable(group, devices="['cuda', 'xpu', 'hpu', 'privateuseone']")
        rho = group["rho"]
        param, grad = p._data, p._grad._data
        increment(state["step"])
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad.copy()
            add_scaled_(grad, param, group["weight_decay"])
        param, grad = as_real(param), as_real(grad)
        kind = param.dtype.type
        square_avg = as_real(state["square_avg"]._data)
        acc_delta = as_real(state["acc_delta"]._data)
        square_avg *= kind(rho)
        addcmul_(square_avg, grad, grad, 1 - rho)
        std = square_avg + kind(group["eps"])
        np.sqrt(std, out=std)
        delta = acc_delta + kind(group["eps"])
        np.sqrt(delta, out=delta)
        delta /= std
        delta *= grad
        acc_delta *= kind(rho)
        addcmul_(acc_delta, delta, delta, 1 - rho)
        add_scaled_(param, delta, -to_scalar(group["lr"]))
        state["square_avg"]._vc[0] += 1
        state["acc_delta"]._vc[0] += 1
        p._vc[0] += 1
