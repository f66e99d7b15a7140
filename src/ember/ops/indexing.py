"""Indexing: reading ``x[key]``, ``select``, ``narrow``, ``gather``; the two copies that
read and write at a NumPy key (``read_at``, ``IndexBackward0``; ``write_at``,
``IndexPutBackward0``) that the other indexing ops and derivatives are built on.

A key is read as PyTorch reads it (``_index_key.parse_key``): its basic part (ints,
slices, None, Ellipsis) is applied left to right as view ops, so ``x[0]`` is a
``SelectBackward0`` view and ``x[1:]`` a ``SliceBackward0`` view; then its tensor part
(integer tensors, lists, bool masks) copies and gives ``IndexBackward0``.
"""

import numpy as np

from .._tensor import _wrap_dim
from ._dispatch import Op, _state, record, wrap
from ._index_key import check_key, parse_key
from ._views import make_view

_ZERO_DIM_INDEX = ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                   "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")


# -- the two primitive copies: read at a key, write at a key ------------------------------
class IndexBackward0(Op):
    formula = "d(x[i])/dx: the gradient accumulates back at the indexed positions"

    def backward(self, grad):
        zeros = wrap(np.zeros(self._input_meta[0][0], dtype=grad._data.dtype))
        return write_at(zeros, self.ctx, grad, accumulate=True)


class IndexPutBackward0(Op):
    formula = "d(x with x[i] := v)/dx = grad with zeros at i (all of grad if accumulating); " \
              "d/dv = grad[i]"

    def backward(self, grad):
        key, accumulate = self.ctx
        grad_input = grad_values = None
        if self.next_functions[0][0] is not None:
            grad_input = grad if accumulate else write_at(
                grad, key, wrap(np.zeros((), dtype=grad._data.dtype)))
        if self.next_functions[1][0] is not None:
            grad_values = read_at(grad, key)
        return grad_input, grad_values


def read_at(input, key):
    """``input`` read at a NumPy key, as a copy (``IndexBackward0``)."""
    try:
        data = input._data[key]
    except IndexError:
        check_key(input._data.shape, key)
        raise
    out = wrap(data.copy() if isinstance(data, np.ndarray) and data.base is not None else data)
    if _state.enabled and input._requires_grad:
        record(IndexBackward0, out, (input,), key)
    return out


def write_at(input, key, values, accumulate=False, fresh=False):
    """A copy of ``input`` with ``values`` written (or added) at a NumPy key; ``fresh`` says
    ``input`` is a new array no one else holds (a backward's zeros), so it is written in place."""
    data = input._data if fresh else input._data.copy()
    if accumulate:
        np.add.at(data, key, values._data)
    else:
        data[key] = values._data
    out = wrap(data)
    if _state.enabled and (input._requires_grad or values._requires_grad):
        record(IndexPutBackward0, out, (input, values), (key, accumulate))
    return out


def apply_basic(input, steps, setitem=False):
    """The view that ``steps`` make of ``input`` (one node per step when recording)."""
    if not steps:
        return input if setitem else _alias(input)
    if not (_state.enabled and input._requires_grad):
        data = input._data
        for kind, dim, arg in steps:
            lead = (slice(None),) * dim
            # The trailing Ellipsis keeps a 0-d result a view (NumPy gives a scalar copy).
            data = data[lead + (None if kind == "unsqueeze" else arg, Ellipsis)]
        return make_view(input, data)
    result = input
    for kind, dim, arg in steps:
        if kind == "select":
            result = _select(result, dim, arg)
        elif kind == "slice":
            result = _slice(result, dim, arg)
        else:
            result = result.unsqueeze(dim)
    return result


def getitem(input, key):
    kind = type(key)
    if kind is int or kind is slice:
        # PyTorch's fast paths: a lone int selects; a lone slice is always a slice view,
        # even `x[:]`.
        if not input._data.ndim:
            raise IndexError(_ZERO_DIM_INDEX if kind is int else
                             "slice() cannot be applied to a 0-dim tensor.")
        size = input._data.shape[0]
        if kind is int:
            if not -size <= key < size:
                raise IndexError(f"index {key} is out of bounds for dimension 0 with size "
                                 f"{size}")
            return _select(input, 0, key % size)
        start, stop, step = key.indices(size)
        if step <= 0:
            raise ValueError("step must be greater than zero")
        return _slice(input, 0, slice(start, stop, step))
    steps, key = parse_key(input, key)
    view = apply_basic(input, steps)
    if key is None:
        return view
    return read_at(view, key)


# -- basic views --------------------------------------------------------------------------
class SelectBackward0(Op):
    formula = "select: the gradient goes to the selected slice, zeros elsewhere"

    def backward(self, grad):
        dim, index = self.ctx
        zeros = wrap(np.zeros(self._input_meta[0][0], dtype=grad._data.dtype))
        return write_at(zeros, (slice(None),) * dim + (index,), grad, fresh=True)


class SliceBackward0(Op):
    formula = "slice: the gradient goes to the sliced part, zeros elsewhere"

    def backward(self, grad):
        dim, sl = self.ctx
        zeros = wrap(np.zeros(self._input_meta[0][0], dtype=grad._data.dtype))
        return write_at(zeros, (slice(None),) * dim + (sl,), grad, fresh=True)


class AliasBackward0(Op):
    formula = "alias: the gradient passes through"

    def backward(self, grad):
        return grad


def _select(input, dim, index):
    out = make_view(input, input._data[(slice(None),) * dim + (index, Ellipsis)])
    if _state.enabled and input._requires_grad:
        record(SelectBackward0, out, (input,), (dim, index))
    return out


def _slice(input, dim, sl):
    out = make_view(input, input._data[(slice(None),) * dim + (sl,)])
    if _state.enabled and input._requires_grad:
        record(SliceBackward0, out, (input,), (dim, sl))
    return out


def _alias(input):
    out = make_view(input, input._data.view())
    if _state.enabled and input._requires_grad:
        record(AliasBackward0, out, (input,))
    return out


def select(input, dim, index):
    ndim = input._data.ndim
    if not ndim:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, ndim)
    size = input._data.shape[d]
    index = index.__index__()
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"[{', '.join(map(str, input._data.shape))}] at dimension {d}")
    return _select(input, d, index % size)


def narrow(input, dim, start, length):
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    start, length = start.__index__(), length.__index__()
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    return _slice(input, d, slice(start, start + length, 1))


# -- gather: read along a dimension at index positions -------------------------------------
def check_dim_index(name, input, dim, index, others=()):
    """Validate an index for ``gather``/``scatter`` along ``dim``; return (dim, NumPy key).

    The key reads, for each position of ``index``, the element of ``input`` at that
    position with the ``dim`` coordinate replaced by the index value. A 0-d input or index
    counts as 1-d, as in PyTorch.
    """
    data, idx = input._data, index._data
    if idx.dtype.kind not in "iu" or idx.dtype == np.uint8:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    ndim = max(data.ndim, 1)
    d = _wrap_dim(dim, data.ndim)
    if max(idx.ndim, 1) != ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as "
                           f"{'input' if name == 'gather' else 'self'} tensor")
    shape = data.shape or (1,)
    ishape = idx.shape or (1,)
    larger_than_self = any(n > m for i, (n, m) in enumerate(zip(ishape, shape)) if i != d)
    for other_name, other in others:
        oshape = other.shape or (1,)
        if larger_than_self or any(i > o for i, o in zip(ishape, oshape)):
            raise RuntimeError(
                f"Expected index [{', '.join(map(str, ishape))}] to be no larger than self "
                f"[{', '.join(map(str, shape))}] apart from dimension {d} and to be no larger "
                f"size than {other_name} [{', '.join(map(str, oshape))}]")
    if larger_than_self:
        i = next(i for i, (n, m) in enumerate(zip(ishape, shape)) if i != d and n > m)
        raise RuntimeError(
            f"Size does not match at dimension {i} expected index "
            f"[{', '.join(map(str, ishape))}] to be no larger than self "
            f"[{', '.join(map(str, shape))}] apart from dimension {d}")
    size = shape[d]
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        bad = idx[(idx < 0) | (idx >= size)].flat[0]
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {size}")
    key = list(np.indices(ishape, sparse=True))
    key[d] = idx.reshape(ishape)
    return d, tuple(key)


class GatherBackward0(Op):
    formula = "d(gather(x, dim, i))/dx: the gradient adds back at the gathered positions"

    def backward(self, grad):
        dim, index = self.ctx
        return scatter_into_zeros(grad, dim, index, self._input_meta[0][0])


def gather(input, dim, index, *, sparse_grad=False):
    if sparse_grad:
        raise NotImplementedError("gather(sparse_grad=True): ember has no sparse tensors")
    d, key = check_dim_index("gather", input, dim, index)
    data = input._data
    out = wrap((data.reshape(1) if not data.ndim else data)[key].reshape(index._data.shape))
    if _state.enabled and input._requires_grad:
        record(GatherBackward0, out, (input,), (d, index))
    return out


def scatter_into_zeros(src, dim, index, shape):
    """Zeros of ``shape`` with ``src`` added at ``index`` along ``dim`` (gather's gradient)."""
    return wrap(np.zeros(shape, dtype=src._data.dtype)).scatter_add(dim, index, src)


__all__ = ["select", "narrow", "gather"]
