"""Rprop (resilient backpropagation): PyTorch's single-tensor update."""

import numpy as np

from ._kernels import addcmul_, as_real
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

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """PyTorch's Rprop: state ``step``, ``prev`` (the last gradient used) and
    ``step_size`` (one per element)."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)
        check_flags(defaults, type(self).__name__)

    # Options missing from older checkpoints, filled in by __setstate__.
    _restored_defaults = dict(foreach=None, maximize=False, differentiable=False, capturable=False)

    def _update(self, p, group):
        state = self.state[p]
        if not state:
            lr = to_scalar(group["lr"])
            state["step"] = scalar_state()
            state["prev"] = zeros_state(p)
            state["step_size"] = zeros_state(p, complex(lr, lr) if p.is_complex() else lr)
        check_capturable(group)
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        param, grad = p._data, p._grad._data
        if group["maximize"]:
            grad = -grad
        increment(state["step"])
        param, grad = as_real(param), as_real(grad)
        prev = as_real(state["prev"]._data)
        step_size = as_real(state["step_size"]._data)
        kind = param.dtype.type
        sign = np.sign(grad * prev)
        sign[sign > 0] = etaplus
        sign[sign < 0] = etaminus
        sign[sign == 0] = 1
        step_size *= sign
        np.clip(step_size, kind(step_size_min), kind(step_size_max), out=step_size)
        grad = grad.copy()
        grad[sign == kind(etaminus)] = 0
        addcmul_(param, np.sign(grad), step_size, -1)
        prev[...] = grad
        state["prev"]._vc[0] += 1
        state["step_size"]._vc[0] += 1
        p._vc[0] += 1
