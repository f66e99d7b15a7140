"""Strided views and the scatters into them: ``unfold``, ``as_strided``, ``select_scatter``,
``slice_scatter``, ``diagonal_scatter``, ``fill_diagonal_``, ``put``, ``index_reduce``.

``unfold`` and ``as_strided`` are views: NumPy's ``as_strided`` over the same memory. Their
derivative places each element's gradient back at its position in the input (positions read
off the two memory layouts, as ``_views`` does), summing where windows overlap. The
``*_scatter`` ops are the out-of-place twins of writing into a view: the result is the input
with the view's region replaced by ``src``.
"""

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided as np_as_strided

from .. import _dtype
from .._tensor import _wrap_dim
from ._dispatch import Op, _state, record, wrap
from ._views import geometry, make_view, view_positions
from .diagonals import _diagonal_dims, diagonal_view
from .scatter import ScatterReduceBackward0, scatter_reduce


def _positions_grad(grad, geometry_, shape):
    """Zeros of ``shape`` with ``grad`` added at the view's positions (overlaps summed)."""
    positions = wrap(view_positions(geometry_))
    zeros = wrap(np.zeros(math.prod(shape), dtype=grad._data.dtype))
    return zeros.index_put((positions,), grad, True).view(shape)


# -- unfold -----------------------------------------------------------------------------
class UnfoldBackward0(Op):
    formula = "d(x.unfold(d, size, step))/dx = each window's grad added back at its place"

    def backward(self, grad):
        return _positions_grad(grad, self.ctx, self._input_meta[0][0])


def unfold(input, dimension, size, step):
    data = input._data
    d = _wrap_dim(dimension, max(data.ndim, 1))
    n, stride = (data.shape[d], data.strides[d]) if data.ndim else (1, data.itemsize)
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    shape, strides = list(data.shape), list(data.strides)
    if data.ndim:
        shape[d] = (n - size) // step + 1
        strides[d] = stride * step
    # A 0-d input unfolds to one window of size 1, with no window dimension.
    view = np_as_strided(data, tuple(shape) + (size,), tuple(strides) + (stride,),
                         writeable=data.flags.writeable)
    out = make_view(input, view)
    if _state.enabled and input._requires_grad:
        record(UnfoldBackward0, out, (input,), geometry(input, out))
    return out


# -- as_strided --------------------------------------------------------------------------
class AsStridedBackward0(Op):
    formula = "d(x.as_strided(...))/dx = grad added back at each element's place in x"

    def backward(self, grad):
        return _positions_grad(grad, self.ctx, self._input_meta[0][0])


def _strided_data(input, size, stride, storage_offset):
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError("as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    root = input._base if input._base is not None else input
    if storage_offset is None:
        storage_offset = input.storage_offset()
    itemsize = input._data.itemsize
    numel = root._data.size
    needed = 0 if 0 in size else storage_offset + 1 + sum(
        (n - 1) * s for n, s in zip(size, stride))
    if needed > numel:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
            f"{storage_offset}, and itemsize {itemsize} requiring a storage size of "
            f"{needed * itemsize} are out of bounds for storage of size {numel * itemsize}")
    # The storage: the root's memory read as one contiguous run of elements.
    storage = np_as_strided(root._data, (numel,), (itemsize,),
                            writeable=root._data.flags.writeable)
    return np_as_strided(storage[storage_offset:], size, tuple(s * itemsize for s in stride),
                         writeable=root._data.flags.writeable)


def as_strided(input, size, stride, storage_offset=None):
    out = make_view(input, _strided_data(input, size, stride, storage_offset))
    if _state.enabled and input._requires_grad:
        record(AsStridedBackward0, out, (input,), geometry(input, out))
    return out


class AsStridedBackward1(AsStridedBackward0):
    __slots__ = ()


def as_strided_(input, size, stride, storage_offset=None):
    from .inplace import check_inplace
    check_inplace(input)
    old = wrap(input._data)
    old._requires_grad, old._grad_fn = input._requires_grad, input._grad_fn
    old._output_nr = input._output_nr
    input._data = _strided_data(input, size, stride, storage_offset)
    if _state.enabled and old._requires_grad:
        record(AsStridedBackward1, input, (old,), geometry(old, input))
    return input


# -- *_scatter: the input with a view's region replaced ---------------------------------
def _check_region(region_shape, src):
    if tuple(region_shape) != src._data.shape:
        raise RuntimeError("expected src to have a size equal to the slice of self. src size = "
                           f"{list(src._data.shape)}, slice size = {list(region_shape)}")


def _scatter_into(input, src, region_of, cls, ctx):
    data = input._data.copy()
    region = region_of(data)
    _check_region(region.shape, src)
    region[...] = src._data
    out = wrap(data)
    if _state.enabled and (input._requires_grad or src._requires_grad):
        record(cls, out, (input, src), ctx)
    return out


class SelectScatterBackward0(Op):
    formula = "d(select_scatter(x, src))/dx = grad with the selected slice zeroed, " \
              "d/dsrc = grad.select(dim, index)"

    def backward(self, grad):
        dim, index = self.ctx
        part = grad.select(dim, index)
        return grad.select_scatter(part * 0, dim, index), part


def select_scatter(input, src, dim, index):
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._data.shape)} at dimension {d}")
    key = (slice(None),) * d + (index,)
    return _scatter_into(input, src, lambda a: a[key], SelectScatterBackward0, (d, index))


class SliceScatterBackward0(Op):
    formula = "d(slice_scatter(x, src))/dx = grad with the slice zeroed, d/dsrc = grad's slice"

    def backward(self, grad):
        dim, start, end, step = self.ctx
        part = grad[(slice(None),) * dim + (slice(start, end, step),)]
        return grad.slice_scatter(part * 0, dim, start, end, step), part


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    d = _wrap_dim(dim, input._data.ndim)
    key = (slice(None),) * d + (slice(start, end, step),)
    return _scatter_into(input, src, lambda a: a[key], SliceScatterBackward0,
                         (d, start, end, step))


class DiagonalScatterBackward0(Op):
    formula = "d(diagonal_scatter(x, src))/dx = grad with the diagonal zeroed, " \
              "d/dsrc = grad.diagonal(offset, dim1, dim2)"

    def backward(self, grad):
        offset, d1, d2 = self.ctx
        part = grad.diagonal(offset, d1, d2)
        return grad.diagonal_scatter(part * 0, offset, d1, d2), part


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    d1, d2 = _diagonal_dims(input._data.ndim, dim1, dim2)
    return _scatter_into(input, src, lambda a: diagonal_view(a, offset, d1, d2),
                         DiagonalScatterBackward0, (offset, d1, d2))


def _recorded_view(input, data):
    """A view over ``data`` whose history leads to ``input`` (so a write is CopySlices)."""
    out = make_view(input, data)
    if _state.enabled and input._requires_grad:
        record(AsStridedBackward0, out, (input,), geometry(input, out))
    return out


def fill_diagonal_(input, fill_value, wrap=False):
    """Fill the main diagonal in place (through diagonal views, so autograd sees CopySlices)."""
    from .inplace import check_inplace
    check_inplace(input)
    data = input._data
    if data.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if data.ndim > 2 and len(set(data.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    rows, cols = data.shape[0], data.shape[1]
    step = sum(data.strides)
    length = min(data.shape)
    if data.ndim == 2 and wrap and rows > cols:
        # Below the first square the diagonal restarts every cols + 1 rows.
        blocks = rows // (cols + 1)
        if blocks:
            _recorded_view(input, np_as_strided(data, (blocks, cols),
                                                (data.strides[0] * (cols + 1), step))
                           ).fill_(fill_value)
        data = data[blocks * (cols + 1):]
        length = min(data.shape)
    _recorded_view(input, np_as_strided(data, (length,), (step,))).fill_(fill_value)
    return input


# -- put: writes at flat indices --------------------------------------------------------
class PutBackward0(Op):
    formula = "d(x.put(i, src))/dx = grad (zeroed at i unless accumulate), d/dsrc = grad.take(i)"

    def backward(self, grad):
        index, accumulate = self.ctx
        shape = self._input_meta[1][0]
        part = grad.take(index).reshape(shape)
        return (grad if accumulate else grad.put(index, part * 0)), part


def put(input, index, source, accumulate=False):
    if index._data.dtype != np.int64:
        raise RuntimeError("put_(): Expected a long tensor for index, but got "
                           f"{_dtype._BY_NUMPY[index._data.dtype]._scalar_name}")
    if input._data.dtype != source._data.dtype:
        raise RuntimeError("put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {input.dtype._scalar_name} and source.dtype = "
                           f"{source.dtype._scalar_name}")
    if index._data.size != source._data.size:
        raise IndexError("put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source._data.size}, "
                         f"index.numel() = {index._data.size}")
    numel = input._data.size
    flat_index = index._data.reshape(-1)
    bad = (flat_index >= numel) | (flat_index < -numel)
    if bad.any():
        raise IndexError(f"out of range: tried to access index {flat_index[bad][0]} on a "
                         f"tensor of {numel} elements.")
    data = input._data.copy()
    flat = data.reshape(-1)
    values = source._data.reshape(-1)
    if accumulate:
        np.add.at(flat, flat_index, values)
    else:
        flat[flat_index] = values
    out = wrap(data)
    if _state.enabled and (input._requires_grad or source._requires_grad):
        record(PutBackward0, out, (input, source), (index, accumulate))
    return out


# -- index_reduce: scatter_reduce with one index per slice along dim ---------------------
class IndexReduceBackward0(ScatterReduceBackward0):
    __slots__ = ()


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError("index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    if index._data.dtype not in (np.int32, np.int64):
        raise RuntimeError("index_reduce_(): Expected dtype int32/int64 for index but got: "
                           f"{index.dtype._scalar_name}")
    data, src = input._data, source._data
    d = _wrap_dim(dim, max(data.ndim, 1))
    if index._data.size != (src.shape[d] if src.ndim else 1):
        raise RuntimeError(f"index_reduce_(): Number of indices ({index._data.size}) should be "
                           f"equal to source.size(dim): ({src.shape[d] if src.ndim else 1}), "
                           f"for dim: {d}")
    if data.dtype != src.dtype:
        raise RuntimeError(f"index_reduce_(): self ({input.dtype._scalar_name}) and source "
                           f"({source.dtype._scalar_name}) must have the same scalar type")
    if data.ndim and (src.ndim != data.ndim or any(
            a != b for i, (a, b) in enumerate(zip(data.shape, src.shape)) if i != d)):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(data.shape)} "
                           f"source.shape = {list(src.shape)}")
    flat = index._data.reshape(-1).astype(np.int64)
    n = data.shape[d] if data.ndim else 1
    if ((flat >= n) | (flat < -n)).any():
        raise IndexError("index out of range in self")
    flat = np.where(flat < 0, flat + n, flat)
    # The index of every source element: its slice's index, broadcast along the other dims.
    along = [1] * src.ndim
    if src.ndim:
        along[d] = flat.size
    expanded = wrap(np.ascontiguousarray(np.broadcast_to(flat.reshape(along), src.shape)))
    from ..autograd import grad_mode
    with grad_mode.no_grad():
        out = scatter_reduce(input, d, expanded, source, reduce, include_self=include_self)
    if _state.enabled and (input._requires_grad or source._requires_grad):
        record(IndexReduceBackward0, out, (input, source),
               (d, expanded, reduce, include_self))
    return out


__all__ = ["as_strided", "as_strided_", "select_scatter", "slice_scatter",
           "diagonal_scatter", "put", "index_reduce"]
METHODS = {"unfold": unfold, "fill_diagonal_": fill_diagonal_}
INPLACE = {"put_": put, "index_reduce_": index_reduce}
