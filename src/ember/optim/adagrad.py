"""Adagrad (with learning-rate decay and an initial accumulator): PyTorch's update."""

import numpy as np

from ._kernels import add_scaled_, addcdiv_, addcmul_, as_real
from .optimizer import (
    Optimizer,
    check_flags,
    check_lr,
    increment,
    scalar_state,
    to_scalar,
    zeros_state,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """PyTorch's Adagrad. As there, the state (``step``, ``sum``) of the parameters given to
    the constructor exists from the start; ``foreach`` and ``fused`` are recorded."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False,
                 differentiable=False, fused=None):
        check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError("Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        check_flags(defaults, type(self).__name__)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    # Options missing from older checkpoints, filled in by __setstate__.
    _restored_defaults = dict(foreach=None, maximize=False, differentiable=False, fused=None)

    def _init_state(self, p):
        value = self.defaults["initial_accumulator_value"]
        if p.is_complex():
            value = complex(value, value)
        self.state[p]["step"] = scalar_state()
        self.state[p]["sum"] = zeros_state(p, value)

    def _update(self, p, group):
        state = self.state[p]
        if not state:
            self._init_state(p)
        step = increment(state["step"])
        param, grad = p._data, p._grad._data
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad.copy()
            add_scaled_(grad, param, group["weight_decay"])
        clr = to_scalar(group["lr"]) / (1 + (step - 1) * group["lr_decay"])
        param, grad = as_real(param), as_real(grad)
        total = as_real(state["sum"]._data)
        addcmul_(total, grad, grad, 1)
        std = np.sqrt(total)
        std += param.dtype.type(group["eps"])
        addcdiv_(param, grad, std, -clr)
        state["sum"]._vc[0] += 1
        p._vc[0] += 1
