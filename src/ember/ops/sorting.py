"""Order statistics: sort, argsort, topk, kthvalue, median, unique.

Sorting is always stable here (PyTorch's ``stable=False`` allows any order of ties, and
stable is one such order); nan sorts as the largest value, as in PyTorch. ``descending``
keeps ties in their original order too. ``topk(sorted=False)`` returns its values sorted,
which PyTorch also permits. The derivatives route each gradient back to the index its
value came from (the value-selecting backward shared with ``max(dim)``).
"""

import numpy as np

from .._tensor import _wrap_dim
from . import _return_types
from ._dispatch import Op, _state, record, record_multi, wrap
from .extrema import EvenlyDistributed, ValueSelecting, check_nonempty, record_selection
from .unary import not_implemented_for


class SortBackward0(ValueSelecting):
    __slots__ = ()


class SortBackward1(ValueSelecting):
    """sort(stable=True)"""
    __slots__ = ()


class TopkBackward0(ValueSelecting):
    __slots__ = ()


class KthvalueBackward0(ValueSelecting):
    __slots__ = ()


class MedianBackward0(EvenlyDistributed):
    """median() over everything"""
    __slots__ = ()


class MedianBackward1(ValueSelecting):
    """median(dim)"""
    __slots__ = ()


def stable_argsort(data, axis, descending=False):
    """Indices sorting ``data`` along ``axis``; ties keep their order in both directions."""
    if not descending:
        return np.argsort(data, axis=axis, kind="stable")
    # Sort the reversed array ascending and reverse the result: descending values, and ties
    # (reversed twice) back in their original order.
    n = data.shape[axis]
    reversed_order = np.argsort(np.flip(data, axis), axis=axis, kind="stable")
    return (n - 1) - np.flip(reversed_order, axis)


def _sorted_along(input, dim, descending):
    data = input._data
    d = _wrap_dim(dim, data.ndim)
    if not data.ndim:
        return d, data.copy(), np.zeros((), np.int64)
    indices = stable_argsort(data, d, descending)
    return d, np.take_along_axis(data, indices, axis=d), indices


def sort(input, dim=-1, descending=False, *, stable=False):
    d, values, indices = _sorted_along(input, dim, descending)
    cls = SortBackward1 if stable else SortBackward0
    return record_selection(cls, input, values, indices, d, True, _return_types.sort)


def argsort(input, dim=-1, descending=False, *, stable=False):
    return wrap(np.asarray(_sorted_along(input, dim, descending)[2], dtype=np.int64))


def msort(input):
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True):
    data = input._data
    if data.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    d = _wrap_dim(dim, data.ndim)
    size = data.shape[d] if data.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    d, values, indices = _sorted_along(input, d, largest)
    if data.ndim:
        values = np.take(values, np.arange(k), axis=d)
        indices = np.take(indices, np.arange(k), axis=d)
    return record_selection(TopkBackward0, input, values, indices, d, True, _return_types.topk)


def _select_kth(input, position, dim, keepdim, cls, result_type, nan_wins=False):
    """The element at sorted ``position`` along ``dim`` (nan sorting last), and its index.

    With ``nan_wins`` (median) a slice holding nan gives nan, at its first nan's index.
    """
    data = input._data
    d = _wrap_dim(dim, data.ndim)
    if not data.ndim:
        return record_selection(cls, input, data.copy(), np.zeros((), np.int64), d, keepdim,
                                result_type)
    indices = np.take(stable_argsort(data, d), [position], axis=d)
    if nan_wins and data.dtype.kind == "f":
        nan = np.isnan(data)
        indices = np.where(nan.any(axis=d, keepdims=True),
                           np.argmax(nan, axis=d, keepdims=True), indices)
    values = np.take_along_axis(data, indices, axis=d)
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return record_selection(cls, input, values, indices, d, keepdim, result_type)


def kthvalue(input, k, dim=-1, keepdim=False):
    """The k-th smallest element (1-based) of each slice, and its index."""
    data = input._data
    d = _wrap_dim(dim, data.ndim)
    check_nonempty("kthvalue", data, d)
    size = data.shape[d] if data.ndim else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return _select_kth(input, k - 1, d, keepdim, KthvalueBackward0, _return_types.kthvalue)


def median(input, dim=None, keepdim=False):
    """The lower median (of the whole tensor, or along ``dim`` with its index); nan wins."""
    data = input._data
    if data.dtype == np.bool_:
        raise not_implemented_for("median_cpu" if dim is None else "median_out", data.dtype)
    if dim is None:
        flat = data.reshape(-1)
        if flat.size == 0:
            value = np.asarray(np.nan, data.dtype)
        elif data.dtype.kind == "f" and np.isnan(flat).any():
            value = np.asarray(np.nan, data.dtype)
        else:
            value = np.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2]
        out = wrap(np.asarray(value, data.dtype))
        if _state.enabled and input._requires_grad:
            record(MedianBackward0, out, (input,))
        return out
    d = _wrap_dim(dim, data.ndim)
    check_nonempty("median", data, d)
    size = data.shape[d] if data.ndim else 1
    return _select_kth(input, (size - 1) // 2, d, keepdim, MedianBackward1,
                       _return_types.median, nan_wins=True)


# -- unique ---------------------------------------------------------------------------------
class _UniqueBackward(Op):
    formula = "no derivative"

    def backward(self, grad, *_):
        raise NotImplementedError(f"the derivative for '{self.ctx}' is not implemented.")


class Unique2Backward0(_UniqueBackward):
    __slots__ = ()


class UniqueDimBackward0(_UniqueBackward):
    __slots__ = ()


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (or slices along ``dim``), always sorted; nan values stay apart."""
    data = input._data
    if dim is None:
        values, inverse, counts = np.unique(data.reshape(-1), return_inverse=True,
                                            return_counts=True, equal_nan=False)
        inverse = inverse.reshape(data.shape)
        cls, name = Unique2Backward0, "_unique2"
    else:
        d = _wrap_dim(dim, data.ndim)
        values, inverse, counts = np.unique(data, return_inverse=True, return_counts=True,
                                            axis=d)
        inverse = inverse.reshape(-1)
        cls, name = UniqueDimBackward0, "unique_dim"
    outputs = [wrap(values)]
    if return_inverse:
        outputs.append(wrap(inverse.astype(np.int64, copy=False)))
    if return_counts:
        outputs.append(wrap(counts.astype(np.int64, copy=False)))
    if _state.enabled and input._requires_grad:
        record_multi(cls, tuple(outputs), (input,), name, differentiable=(0,))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "median", "unique"]
