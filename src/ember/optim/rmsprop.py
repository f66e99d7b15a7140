"""RMSprop (plain or centered, with momentum): PyTorch's single-tensor update."""

import numpy as np

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

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """PyTorch's RMSprop: the same state (``step``, ``square_avg``, ``momentum_buffer``,
    ``grad_avg``), options and float operations."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)
        check_flags(defaults, type(self).__name__)

    # Options missing from older checkpoints, filled in by __setstate__.
    _restored_defaults = dict(momentum=0, centered=False, foreach=None, maximize=False,
                              differentiable=False, capturable=False)

    def _update(self, p, group):
        state = self.state[p]
        if not state:
            state["step"] = scalar_state()
            state["square_avg"] = zeros_state(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = zeros_state(p)
            if group["centered"]:
                state["grad_avg"] = zeros_state(p)
        check_capturable(group)
        lr, alpha, momentum = to_scalar(group["lr"]), group["alpha"], group["momentum"]
        param, grad = p._data, p._grad._data
        if group["maximize"]:
            grad = -grad
        increment(state["step"])
        if group["weight_decay"] != 0:
            grad = grad.copy()
            add_scaled_(grad, param, group["weight_decay"])
        param, grad = as_real(param), as_real(grad)
        kind = param.dtype.type
        square_avg = as_real(state["square_avg"]._data)
        square_avg *= kind(alpha)
        addcmul_(square_avg, grad, grad, 1 - alpha)
        touched = [state["square_avg"]]
        if group["centered"]:
            grad_avg = as_real(state["grad_avg"]._data)
            lerp_(grad_avg, grad, 1 - alpha)
            avg = square_avg.copy()
            addcmul_(avg, grad_avg, grad_avg, -1)
            np.sqrt(avg, out=avg)
            touched.append(state["grad_avg"])
        else:
            avg = np.sqrt(square_avg)
        avg += kind(group["eps"])
        if momentum > 0:
            buf = as_real(state["momentum_buffer"]._data)
            buf *= kind(momentum)
            addcdiv_(buf, grad, avg)
            add_scaled_(param, buf, -lr)
            touched.append(state["momentum_buffer"])
        else:
            addcdiv_(param, grad, avg, -lr)
        for tensor in touched:
            tensor._vc[0] += 1
        p._vc[0] += 1
