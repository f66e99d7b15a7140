"""Scans: cumsum and cumprod along a dimension.

Integer and bool scans give int64; ``dtype=`` sets the result type (the graph has no extra
node for it, as in PyTorch); float16 accumulates in float32. The derivative of a scan is a
scan the other way: ``reversed_cumsum`` runs a cumsum from the end of the dimension.
"""

import numpy as np

from .._tensor import _wrap_dim
from ._dispatch import Op, _state, record, wrap
from .reduction import accumulator_dtype


def flip(input, dim):
    """``input`` reversed along ``dim`` (by indexing, so it is differentiable)."""
    size = input._data.shape[dim]
    return input[(slice(None),) * dim + (wrap(np.arange(size - 1, -1, -1)),)]


def reversed_cumsum(input, dim):
    """sum_{j >= i} input_j along ``dim``."""
    return flip(flip(input, dim).cumsum(dim), dim)


def _scan(np_scan, input, dim, dtype):
    data = input._data
    d = _wrap_dim(dim, data.ndim)
    if dtype is not None:
        np_dtype = dtype.np
    else:
        np_dtype = np.dtype(np.int64) if data.dtype.kind in "biu" else data.dtype
    if not data.ndim:
        return d, data.astype(np_dtype)
    result = np_scan(data, axis=d, dtype=accumulator_dtype(np_dtype))
    return d, result.astype(np_dtype, copy=False)


class CumsumBackward0(Op):
    formula = "d(cumsum a)_j/da_i = 1 for j >= i"

    def backward(self, grad):
        if grad._data.ndim == 0:
            return grad
        return reversed_cumsum(grad, self.ctx)


def cumsum(input, dim, *, dtype=None):
    d, result = _scan(np.cumsum, input, dim, dtype)
    out = wrap(result)
    if _state.enabled and input._requires_grad:
        record(CumsumBackward0, out, (input,), d)
    return out


class CumprodBackward0(Op):
    saves = (0, "result")
    formula = "d(cumprod a)_j/da_i = prod_{m <= j, m != i} a_m for j >= i"

    def backward(self, grad):
        a, result = self.saved_tensors
        dim = self.ctx
        if a._data.ndim == 0 or a._data.shape[dim] <= 1:
            return grad
        zero = a._data == 0
        if not zero.any():
            return reversed_cumsum(grad * result, dim) / a
        # result_j / a_i is the wanted product wherever a_i != 0 (and is 0 after a zero). At
        # the first zero z of a slice: prod_{m<z} a_m * sum_{j>=z} grad_j prod_{z<m<=j} a_m.
        # Every later zero gets nothing (each of its products holds the first zero).
        from .selection import where
        zeros_so_far = np.cumsum(zero, axis=dim)
        before = wrap(zeros_so_far == 0)
        first = zero & (zeros_so_far == 1)
        prefix = a.masked_fill(~before, 1).prod(dim, keepdim=True)
        after = a.masked_fill(before | wrap(first), 1).cumprod(dim)
        at_first_zero = prefix * reversed_cumsum(grad * after, dim)
        regular = reversed_cumsum(grad * result, dim) / a.masked_fill(wrap(zero), 1)
        zero_t = wrap(zero)
        return where(zero_t, at_first_zero.masked_fill(wrap(~first), 0), regular)


def cumprod(input, dim, *, dtype=None):
    d, result = _scan(np.cumprod, input, dim, dtype)
    out = wrap(result)
    if _state.enabled and input._requires_grad:
        record(CumprodBackward0, out, (input,), d)
    return out


__all__ = ["cumsum", "cumprod"]
INPLACE = {"cumsum_": cumsum, "cumprod_": cumprod}
