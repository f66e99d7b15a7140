"""Scans along a dimension: cumsum, cumprod, logcumsumexp, cummax, cummin, and diff.

Integer and bool scans give int64; ``dtype=`` sets the result type (the graph has no extra
node for it, as in PyTorch); float16 accumulates in float32. The derivative of a scan is a
scan the other way: ``reversed_cumsum`` runs a cumsum from the end of the dimension.
"""

import numpy as np

from .._tensor import Tensor, _wrap_dim
from . import _return_types
from ._dispatch import Op, _state, record, record_multi, wrap
from .reduction import accumulator_dtype
from .unary import not_implemented_for


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


class LogcumsumexpBackward0(Op):
    saves = (0, "result")
    formula = "d(logcumsumexp a)_j/da_i = exp(a_i - result_j) for j >= i"

    def backward(self, grad):
        # sum_{j >= i} grad_j exp(a_i - out_j), in log space so nothing overflows; the
        # positive and negative parts of grad are summed separately.
        a, result = self.saved_tensors
        dim = self.ctx
        if a._data.ndim == 0:
            return grad
        parts = []
        for part in (grad.clamp(min=0), (-grad).clamp(min=0)):
            log_part = part.log() - result
            parts.append((a + flip(flip(log_part, dim).logcumsumexp(dim), dim)).exp())
        return parts[0] - parts[1]


def logcumsumexp(input, dim):
    """``log(cumsum(exp(input)))`` along ``dim``, without overflow."""
    data = input._data
    d = _wrap_dim(dim, data.ndim)
    if data.dtype.kind not in "fc":
        raise not_implemented_for("logcumsumexp_out_cpu", data.dtype)
    with np.errstate(invalid="ignore"):
        result = np.logaddexp.accumulate(data, axis=d) if data.ndim else data.copy()
    out = wrap(result)
    if _state.enabled and input._requires_grad:
        record(LogcumsumexpBackward0, out, (input,), d)
    return out


class CummaxBackward0(Op):
    formula = "d(cummax a)_j/da_i = 1 where i is the index of the running maximum at j"

    def backward(self, grad, _grad_indices=None):
        dim, indices = self.ctx
        shape = self._input_meta[0][0]
        if not len(shape):
            return grad
        return wrap(np.zeros(shape, grad._data.dtype)).scatter_add(dim, indices, grad)


class CumminBackward0(CummaxBackward0):
    formula = "d(cummin a)_j/da_i = 1 where i is the index of the running minimum at j"


def _running_extreme(input, dim, accumulate, cls, result_type):
    """Running max or min along ``dim`` and the index it came from: a later equal value
    (or a later nan, once a nan is reached) takes over the index, as in PyTorch."""
    data = input._data
    d = _wrap_dim(dim, data.ndim)
    if not data.ndim:
        values, indices = data.copy(), np.zeros((), np.int64)
    else:
        values = accumulate(data, axis=d)
        hit = data == values
        if data.dtype.kind in "fc":
            hit |= np.isnan(data) & np.isnan(values)
        positions = np.arange(data.shape[d]).reshape((-1,) + (1,) * (data.ndim - d - 1))
        indices = np.maximum.accumulate(np.where(hit, positions, 0), axis=d)
    values_t, indices_t = wrap(values), wrap(indices.astype(np.int64, copy=False))
    if _state.enabled and input._requires_grad:
        record_multi(cls, (values_t, indices_t), (input,), (d, indices_t), differentiable=(0,))
    return result_type(values_t, indices_t)


def cummax(input, dim):
    return _running_extreme(input, dim, np.maximum.accumulate,
                            CummaxBackward0, _return_types.cummax)


def cummin(input, dim):
    return _running_extreme(input, dim, np.minimum.accumulate, CumminBackward0,
                            _return_types.cummin)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """``n``-th forward differences along ``dim`` (bool: ``!=``), built from ``narrow`` and
    ``sub`` as in PyTorch, after joining ``prepend`` and ``append``."""
    from .joining import cat
    data = input._data
    if data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _wrap_dim(dim, data.ndim)
    pieces = [t if isinstance(t, Tensor) or t is None else wrap(np.asarray(t))
              for t in (prepend, input, append)]
    if pieces[0] is not None or pieces[2] is not None:
        input = cat([t for t in pieces if t is not None], d)
    for _ in range(n):
        length = input.shape[d]
        if length == 0:
            break
        later, earlier = input.narrow(d, 1, length - 1), input.narrow(d, 0, length - 1)
        input = later.logical_xor(earlier) if input.dtype.name == "bool" else later - earlier
    return input


__all__ = ["cumsum", "cumprod", "logcumsumexp", "cummax", "cummin", "diff"]
INPLACE = {"cumsum_": cumsum, "cumprod_": cumprod}
