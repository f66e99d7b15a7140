"""Quantiles and modes: quantile, nanquantile, nanmedian, mode.

``quantile`` is built from ``sort``, ``gather`` and ``lerp`` as in PyTorch, so its gradient
flows to the two order statistics each quantile lies between. ``nanmedian`` and ``mode``
return ``(values, indices)`` named tuples like ``median(dim)``.
"""

import numpy as np

from .._tensor import Tensor, _wrap_dim
from . import _return_types
from ._dispatch import _state, record, wrap
from .extrema import EvenlyDistributed, ValueSelecting, check_nonempty, record_selection
from .sorting import stable_argsort

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, name):
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    scalar_q = not isinstance(q, Tensor)
    q_data = np.asarray(q, input._data.dtype) if scalar_q else q._data
    if not scalar_q:
        if q.dim() > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.dtype is not input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
    if ((q_data < 0) | (q_data > 1)).any():
        value = q_data if scalar_q else q_data[(q_data < 0) | (q_data > 1)][0]
        raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {float(value):g}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if dim is None:
        x, d = input.reshape(-1), 0
    else:
        d = _wrap_dim(dim, input.dim())
        x = input if input.dim() else input.reshape(1)
    last = x.movedim(d, -1) if x.dim() else x
    ordered = last.sort(-1).values                       # nan sorts last
    data = ordered._data
    nan = np.isnan(data)
    count = (~nan).sum(-1, keepdims=True) if ignore_nan else np.full(
        data.shape[:-1] + (1,), data.shape[-1])
    # Ranks in the input's precision, as PyTorch computes them: (..., Q). A slice holding
    # nan takes its last sorted value (a nan) for quantile; an all-nan slice takes its first
    # for nanquantile, so the result is nan and the gradient goes where PyTorch sends it.
    ranks = q_data.reshape(-1).astype(data.dtype) * np.maximum(count - 1, 0).astype(data.dtype)
    if not ignore_nan:
        ranks = np.where(nan.any(-1, keepdims=True), data.dtype.type(data.shape[-1] - 1),
                         ranks)
    low = np.floor(ranks).astype(np.int64)
    high = np.ceil(ranks).astype(np.int64)
    if interpolation == "lower":
        result = ordered.gather(-1, wrap(low))
    elif interpolation == "higher":
        result = ordered.gather(-1, wrap(high))
    elif interpolation == "nearest":
        result = ordered.gather(-1, wrap(np.round(ranks).astype(np.int64)))
    else:
        below, above = ordered.gather(-1, wrap(low)), ordered.gather(-1, wrap(high))
        weights = 0.5 if interpolation == "midpoint" else wrap(
            (ranks - low).astype(data.dtype))
        result = below.lerp(above, weights)
    result = result.movedim(-1, 0)                       # (Q, ...)
    if keepdim:
        if dim is None:
            result = result.reshape(result.shape[0], *([1] * input.dim()))
        else:
            result = result.unsqueeze(d + 1)
    return result.squeeze(0) if scalar_q else result


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-th quantiles of ``input`` (over everything, or along ``dim``)."""
    return _quantile(input, q, dim, keepdim, interpolation, False, "quantile")


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``quantile`` ignoring nan values."""
    return _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")


class NanmedianBackward0(EvenlyDistributed):
    """nanmedian() over everything"""
    __slots__ = ()


class NanmedianBackward1(ValueSelecting):
    """nanmedian(dim)"""
    __slots__ = ()


def nanmedian(input, dim=None, keepdim=False):
    """The lower median of the non-nan values (nan where a slice is all nan)."""
    data = input._data
    if dim is None:
        flat = data.reshape(-1)
        valid = flat[~np.isnan(flat)] if flat.dtype.kind == "f" else flat
        value = (np.partition(valid, (valid.size - 1) // 2)[(valid.size - 1) // 2]
                 if valid.size else np.nan)
        out = wrap(np.asarray(value, data.dtype))
        if _state.enabled and input._requires_grad:
            record(NanmedianBackward0, out, (input,))
        return out
    d = _wrap_dim(dim, data.ndim)
    check_nonempty("nanmedian", data, d)
    if not data.ndim:
        return record_selection(NanmedianBackward1, input, data.copy(), np.zeros((), np.int64),
                                d, keepdim, _return_types.nanmedian)
    order = stable_argsort(data, d)
    count = (~np.isnan(data)).sum(d, keepdims=True) if data.dtype.kind == "f" else \
        np.full(data.shape[:d] + (1,) + data.shape[d + 1:], data.shape[d])
    indices = np.take_along_axis(order, np.maximum(count - 1, 0) // 2, axis=d)
    values = np.take_along_axis(data, indices, axis=d)
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return record_selection(NanmedianBackward1, input, values, indices, d, keepdim,
                            _return_types.nanmedian)


class ModeBackward0(ValueSelecting):
    __slots__ = ()


def mode(input, dim=-1, keepdim=False):
    """The most frequent value of each slice (the smallest among ties) and the index of its
    last occurrence; nan values never equal each other, so each counts once."""
    data = input._data
    d = _wrap_dim(dim, data.ndim)
    if not data.ndim:
        return record_selection(ModeBackward0, input, data.copy(), np.zeros((), np.int64), d,
                                keepdim, _return_types.mode)
    check_nonempty("mode", data, d)
    moved = np.moveaxis(data, d, -1)
    order = np.argsort(moved, axis=-1, kind="stable")
    ordered = np.take_along_axis(moved, order, axis=-1)
    n = moved.shape[-1]
    # Run starts of equal values in each sorted row; nan never equals nan.
    new_run = np.ones(ordered.shape, bool)
    new_run[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    run_id = np.cumsum(new_run, axis=-1) - 1
    flat_ids = run_id.reshape(-1, n)
    lengths = np.stack([np.bincount(row, minlength=n) for row in flat_ids]).reshape(
        ordered.shape)
    best_run = np.argmax(lengths, axis=-1)[..., None]    # first (smallest) longest run
    in_best = run_id == best_run
    last_in_run = n - 1 - np.argmax(in_best[..., ::-1], axis=-1)[..., None]
    values = np.take_along_axis(ordered, last_in_run, axis=-1)[..., 0]
    # The index of the value's last occurrence in the original order.
    positions = np.where(in_best, order, -1)
    indices = positions.max(axis=-1)
    if keepdim:
        values, indices = np.expand_dims(values, d), np.expand_dims(indices, d)
    return record_selection(ModeBackward0, input, values, indices, d, keepdim,
                            _return_types.mode)


__all__ = ["quantile", "nanquantile", "nanmedian", "mode"]
