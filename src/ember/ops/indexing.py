"""Indexing: ``x[...]`` reads, ``masked_fill``, and the scatter/gather pair behind them.

Basic indexing (ints, slices, None, Ellipsis) is taken apart into the view ops PyTorch
applies one by one, so ``x[0]`` is a ``SelectBackward0`` view and ``x[1:]`` a
``SliceBackward0`` view. Advanced indexing (integer tensors, lists, bool masks) copies and
gives ``IndexBackward0``, whose derivative accumulates the gradient back at the indices.
"""

import numpy as np

from .._tensor import Tensor, _wrap_dim
from ._dispatch import Op, _state, record, wrap
from .shape import make_view


class SelectBackward0(Op):
    formula = "select: the gradient goes to the selected slice, zeros elsewhere"

    def backward(self, grad):
        dim, index = self.ctx
        return _embed(grad, self._input_meta[0], (slice(None),) * dim + (index,))


class SliceBackward0(Op):
    formula = "slice: the gradient goes to the sliced part, zeros elsewhere"

    def backward(self, grad):
        dim, sl = self.ctx
        return _embed(grad, self._input_meta[0], (slice(None),) * dim + (sl,))


class AliasBackward0(Op):
    formula = "alias: the gradient passes through"

    def backward(self, grad):
        return grad


class IndexBackward0(Op):
    formula = "index: gradients accumulate at the indexed positions"

    def backward(self, grad):
        return _embed(grad, self._input_meta[0], self.ctx, accumulate=True)


class EmbedBackward(Op):
    """Derivative of the zero-padding used by index backwards: index the gradient again."""
    formula = "d(embed g)/dg = g[index]"

    def backward(self, grad):
        return _index_copy(grad, self.ctx)


class EmbedBackward0(EmbedBackward):
    __slots__ = ()


def _embed(grad, meta, key, accumulate=False):
    """A zero tensor of the input's shape with ``grad`` placed (or added) at ``key``."""
    shape, dtype = meta
    data = np.zeros(shape, dtype=grad._data.dtype)
    if accumulate:
        np.add.at(data, key, grad._data)
    else:
        data[key] = grad._data
    out = wrap(data)
    if _state.enabled and grad._requires_grad:
        record(EmbedBackward0, out, (grad,), key)
    return out


def _index_copy(input, key):
    out = wrap(np.array(input._data[key]))
    if _state.enabled and input._requires_grad:
        record(IndexBackward0, out, (input,), key)
    return out


def _normalize_key(key):
    if not isinstance(key, tuple):
        key = (key,)
    return key


def _is_advanced(item):
    return isinstance(item, (Tensor, list, np.ndarray)) or (
        isinstance(item, bool))


def _to_numpy_index(item):
    if isinstance(item, Tensor):
        data = item._data
        if data.dtype.kind not in "biu":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return data
    if isinstance(item, list):
        return np.asarray([x._data if isinstance(x, Tensor) else x for x in item])
    return item


def getitem(input, key):
    if isinstance(key, slice):
        # A lone slice is always a SliceBackward0 view, even `x[:]` (PyTorch's fast path).
        size = input._data.shape[0] if input._data.ndim else 0
        if not input._data.ndim:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python "
                             "or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a "
                             "number")
        start, stop, step = key.indices(size)
        if step <= 0:
            raise ValueError("step must be greater than zero")
        return _slice(input, 0, slice(start, stop, step))
    key = _normalize_key(key)
    if any(_is_advanced(k) for k in key):
        np_key = tuple(_to_numpy_index(k) for k in key)
        try:
            return _index_copy(input, np_key)
        except IndexError as e:
            raise IndexError(str(e)) from None
    return _basic_index(input, key)


def _basic_index(input, key):
    """Apply ints, slices, None and Ellipsis one at a time, as PyTorch's view ops."""
    ndim = input._data.ndim
    specified = sum(1 for k in key if k is not None and k is not Ellipsis)
    if specified > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    result = input
    dim = 0
    touched = False
    for item in key:
        if item is Ellipsis:
            dim += ndim - specified
        elif item is None:
            result = _unsqueeze_view(result, dim)
            dim += 1
            touched = True
        elif isinstance(item, slice):
            size = result._data.shape[dim]
            start, stop, step = item.indices(size)
            if step <= 0:
                raise ValueError("step must be greater than zero")
            if not (start == 0 and stop >= size and step == 1):
                result = _slice(result, dim, slice(start, stop, step))
                touched = True
            dim += 1
        else:
            index = item.__index__()
            size = result._data.shape[dim]
            if not -size <= index < size:
                raise IndexError(f"index {index} is out of bounds for dimension {dim} with "
                                 f"size {size}")
            result = _select(result, dim, index % size)
            touched = True
    if not touched:
        result = _alias(result)
    return result


def _select(input, dim, index):
    out = make_view(input, input._data[(slice(None),) * dim + (index,)])
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


def _unsqueeze_view(input, dim):
    from .shape import unsqueeze
    return unsqueeze(input, dim)


def select(input, dim, index):
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._data.shape)} at dimension {d}")
    return _select(input, d, index % size)


def narrow(input, dim, start, length):
    d = _wrap_dim(dim, input._data.ndim)
    start = start % input._data.shape[d] if start < 0 else start
    return _slice(input, d, slice(start, start + length, 1))


# -- masked_fill and value-selecting scatter ------------------------------------------------
class MaskedFillBackward0(Op):
    formula = "masked_fill: zero gradient where the mask is set"

    def backward(self, grad):
        mask = self.ctx
        return grad.masked_fill(mask, 0)


def masked_fill(input, mask, value):
    if not isinstance(mask, Tensor) or mask._data.dtype != np.bool_:
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{getattr(mask, 'dtype', type(mask).__name__)}")
    fill = value._data if isinstance(value, Tensor) else value
    data = np.where(mask._data, np.asarray(fill, dtype=input._data.dtype), input._data)
    out = wrap(data)
    if _state.enabled and input._requires_grad:
        record(MaskedFillBackward0, out, (input,), mask)
    return out


class GatherBackward0(Op):
    formula = "gather: gradients scatter-add back to the gathered positions"

    def backward(self, grad):
        dim, index = self.ctx
        return scatter_into_zeros(grad, dim, index, self._input_meta[0][0])


class ScatterIntoZerosBackward(Op):
    formula = "scatter into zeros: gather the gradient at the same positions"

    def backward(self, grad):
        dim, index = self.ctx
        return gather(grad, dim, index)


def gather(input, dim, index):
    d = _wrap_dim(dim, input._data.ndim)
    out = wrap(np.take_along_axis(input._data, index._data, axis=d))
    if _state.enabled and input._requires_grad:
        record(GatherBackward0, out, (input,), (d, index))
    return out


def scatter_into_zeros(src, dim, index, shape):
    """Zeros of ``shape`` with ``src`` added at ``index`` along ``dim``."""
    data = np.zeros(shape, dtype=src._data.dtype)
    if data.ndim == 0:
        data[...] = src._data.reshape(())
    else:
        idx = list(np.indices(index._data.shape, sparse=True))
        idx[dim] = index._data
        np.add.at(data, tuple(idx), src._data)
    out = wrap(data)
    if _state.enabled and src._requires_grad:
        record(ScatterIntoZerosBackward, out, (src,), (dim, index))
    return out


__all__ = ["select", "narrow", "masked_fill", "gather"]
INPLACE = {"masked_fill_": masked_fill}
