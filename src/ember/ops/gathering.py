"""Reads at index positions, as copies: ``index_select``, ``take``, ``take_along_dim``,
``masked_select``, ``argwhere``.

Each derivative writes the gradient back where the values came from, adding where a
position was read more than once (``index_add``, an accumulating ``index_put``,
``masked_scatter``).
"""

import numpy as np

from .._tensor import _wrap_dim
from ._dispatch import Op, _state, broadcast_error, record, wrap
from .indexing import gather, write_at


class IndexSelectBackward0(Op):
    formula = "d(index_select(x, dim, i))/dx = zeros.index_add(dim, i, grad)"

    def backward(self, grad):
        dim, index = self.ctx
        zeros = wrap(np.zeros(self._input_meta[0][0], dtype=grad._data.dtype))
        return zeros.index_add(dim, index, grad)


def index_select(input, dim, index):
    data, idx = input._data, index._data
    d = _wrap_dim(dim, data.ndim)
    if idx.dtype.kind not in "iu" or idx.dtype == np.uint8:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    flat = idx.reshape(-1)
    if not data.ndim:
        if flat.size != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                               f"{flat.size} value(s)")
        data = data.reshape(1)
    size = data.shape[d]
    if flat.size and (flat.min() < 0 or flat.max() >= size):
        raise IndexError("index out of range in self")
    result = np.take(data, flat, axis=d)
    out = wrap(result.reshape(()) if not input._data.ndim else result)
    if _state.enabled and input._requires_grad:
        record(IndexSelectBackward0, out, (input,), (d, index))
    return out


class TakeBackward0(Op):
    formula = "d(take(x, i))/dx = zeros with grad added at the flat positions i"

    def backward(self, grad):
        shape = self._input_meta[0][0]
        zeros = wrap(np.zeros(int(np.prod(shape)), dtype=grad._data.dtype))
        return write_at(zeros, (self.ctx,), grad, accumulate=True).view(shape)


def take(input, index):
    data, idx = input._data, index._data
    if idx.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                           f"{index.dtype._legacy_name[:-len('Tensor')]}")
    size = data.size
    if idx.size and (idx.min() < -size or idx.max() >= size):
        bad = idx[(idx < -size) | (idx >= size)].flat[0]
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {size} "
                         "elements.")
    positions = np.where(idx < 0, idx + size, idx)
    out = wrap(data.reshape(-1)[positions])
    if _state.enabled and input._requires_grad:
        record(TakeBackward0, out, (input,), positions)
    return out


def take_along_dim(input, indices, dim=None):
    if indices._data.dtype.kind not in "iu" or indices._data.dtype == np.uint8:
        raise RuntimeError("gather(): Expected dtype int32/int64 for index")
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    ndim, indices_ndim = input._data.ndim, indices._data.ndim
    if ndim != indices_ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {ndim} dimensions for input, and "
                           f"{indices_ndim} dimensions for indices")
    if indices._data.dtype != np.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{indices.dtype._legacy_name[:-len('Tensor')]}")
    d = _wrap_dim(dim, ndim)
    # Both broadcast against each other in every dim but ``dim``.
    shape = list(input._data.shape)
    shape[d] = indices._data.shape[d]
    try:
        shape = list(np.broadcast_shapes(tuple(shape), indices._data.shape))
    except ValueError:
        raise broadcast_error(tuple(shape), indices._data.shape) from None
    indices = indices.expand(shape)
    shape[d] = input._data.shape[d]
    return gather(input.expand(shape), d, indices)


class MaskedSelectBackward0(Op):
    formula = "d(masked_select(x, mask))/dx = zeros with grad scattered where mask"

    def backward(self, grad):
        mask, shape = self.ctx
        zeros = wrap(np.zeros(shape, dtype=grad._data.dtype))
        return zeros.masked_scatter(mask, grad)


def masked_select(input, mask):
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    data = input._data
    try:
        shape = np.broadcast_shapes(data.shape, mask._data.shape)
    except ValueError:
        raise broadcast_error(mask._data.shape, data.shape) from None
    out = wrap(np.broadcast_to(data, shape)[np.broadcast_to(mask._data, shape)])
    if _state.enabled and input._requires_grad:
        record(MaskedSelectBackward0, out, (input,), (mask, shape))
    return out


def argwhere(input):
    data = input._data
    return wrap(np.argwhere(data).astype(np.int64) if data.ndim
                else np.zeros((int(bool(data)), 0), dtype=np.int64))


__all__ = ["index_select", "take", "take_along_dim", "masked_select", "argwhere"]
