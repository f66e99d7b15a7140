"""Writes at index positions, out of place (and in place as ``name_``): ``index_add``,
``index_copy``, ``index_fill`` (along one dim, with a 1-D index), ``index_put`` (tensor
indices, as in ``x[i] = v``), ``masked_fill`` and ``masked_scatter`` (a bool mask); and
``checked_scalar``, PyTorch's check that a Python number written into a tensor fits its
dtype.

Each forward copies its input and writes with NumPy (``np.add.at`` where repeated indices
must accumulate). The derivatives read the gradient back at the same positions
(``index_select``, ``x[i]``, ``masked_select``) or blank them (``index_fill``,
``masked_fill``).
"""

import math

import numpy as np

from .._tensor import Tensor, _wrap_dim
from ._dispatch import Op, _state, record, wrap
from ._index_key import check_key, tensor_key
from .indexing import write_at

# The C++ type names PyTorch prints for a mask of the wrong dtype.
_C_TYPE = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char",
           "int16": "short int", "int32": "int", "int64": "long int", "float16": "c10::Half",
           "float32": "float", "float64": "double"}


_C_NAME = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int",
           "int64": "int64_t", "float16": "c10::Half", "float32": "float", "float64": "double"}


def checked_scalar(value, np_dtype):
    """A Python number as a 0-d array of ``np_dtype``, refused if it does not fit there."""
    if isinstance(value, np.generic):
        value = value.item()
    kind = np_dtype.kind
    fits = True
    if kind in "iu" and not isinstance(value, bool):
        info = np.iinfo(np_dtype)
        if isinstance(value, int):
            # Like C++'s unsigned conversion, a negative int may wrap around (-1 -> 255).
            fits = (-info.max if info.min == 0 else info.min) <= value <= info.max
        elif isinstance(value, float):
            fits = math.isfinite(value) and info.min <= value <= info.max
    elif kind == "f" and isinstance(value, (int, float)) and math.isfinite(value):
        fits = abs(value) <= np.finfo(np_dtype).max
    if not fits:
        raise RuntimeError(f"value cannot be converted to type {_C_NAME[np_dtype.name]} without "
                           "overflow")
    return np.asarray(value).astype(np_dtype)


def scalar_type_name(dtype):
    """PyTorch's ScalarType name ("Float", "Long") used in error messages."""
    return dtype._legacy_name[:-len("Tensor")]


def _shape(shape):
    return f"[{', '.join(map(str, shape))}]"


def _check_bounds(flat, size, dim, error, prefix=""):
    if flat.size and (flat.min() < 0 or flat.max() >= size):
        bad = flat[(flat < 0) | (flat >= size)][0]
        raise error(f"{prefix}index {bad} is out of bounds for dimension {dim} with size {size}")


def _check_add(input, d, index, source):
    data, idx = input._data, index._data
    shape, sshape = data.shape or (1,), source._data.shape or (1,)
    if idx.dtype.kind not in "iu" or idx.dtype == np.uint8:
        raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: "
                           f"{scalar_type_name(index.dtype)}")
    if idx.ndim > 1:
        raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: "
                         f"{idx.ndim} with type: {scalar_type_name(index.dtype)} and size: "
                         f"{_shape(idx.shape)}")
    if idx.size != sshape[d]:
        raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to "
                           f"source.size(dim): ({sshape[d]}), for dim: {d}")
    if len(sshape) != len(shape) or any(a != b for i, (a, b) in enumerate(zip(shape, sshape))
                                        if i != d):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {_shape(data.shape)} "
                           f"source.shape = {_shape(source._data.shape)}")
    if source._data.dtype != data.dtype:
        raise RuntimeError(f"index_add_(): self ({scalar_type_name(input.dtype)}) and source "
                           f"({scalar_type_name(source.dtype)}) must have the same scalar type")
    _check_bounds(idx.reshape(-1), shape[d], d, RuntimeError)


def _check_copy(input, d, index, source):
    data, idx = input._data, index._data
    shape, sshape = data.shape or (1,), source._data.shape or (1,)
    if idx.dtype != np.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                           f"{scalar_type_name(index.dtype)}")
    if idx.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {idx.ndim})")
    if idx.size != sshape[d]:
        raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to "
                         f"source.size(dim) ({sshape[d]})")
    slice_shape = [n for i, n in enumerate(shape) if i != d]
    source_slice = [n for i, n in enumerate(sshape) if i != d]
    if slice_shape != source_slice:
        raise RuntimeError(
            "index_copy_(): Source/destination tensor must have same slice shapes. Destination "
            f"slice shape: {' '.join(map(str, slice_shape))} at dimension {d} and source slice "
            f"shape: {' '.join(map(str, source_slice))} at dimension {d}.")
    if source._data.dtype != data.dtype:
        raise RuntimeError("index_copy_(): self and source expected to have the same dtype, "
                           f"but got (self) {scalar_type_name(input.dtype)} and (source) "
                           f"{scalar_type_name(source.dtype)}")
    _check_bounds(idx.reshape(-1), shape[d], d, IndexError, "index_copy_(): ")


def _along(input, d, index):
    """The working copy of ``input`` (1-d if 0-d) and the NumPy key of ``index`` along d."""
    data = input._data.copy() if input._data.ndim else input._data.reshape(1).copy()
    return data, (slice(None),) * d + (index._data.reshape(-1),)


def _result(data, input):
    return wrap(data if input._data.ndim else data.reshape(()))


class IndexAddBackward0(Op):
    formula = "d(index_add(x, dim, i, src, alpha))/dx = grad; d/dsrc = alpha * " \
              "grad.index_select(dim, i)"

    def backward(self, grad):
        dim, index, alpha = self.ctx
        grad_source = None
        if self.next_functions[1][0] is not None:
            grad_source = grad.index_select(dim, index)
            if alpha != 1:
                grad_source = grad_source * alpha
        return grad, grad_source


def index_add(input, dim, index, source, *, alpha=1):
    d = _wrap_dim(dim, input._data.ndim)
    _check_add(input, d, index, source)
    data, key = _along(input, d, index)
    values = source._data if source._data.ndim else source._data.reshape(1)
    np.add.at(data, key, values * alpha if alpha != 1 else values)
    out = _result(data, input)
    if _state.enabled and (input._requires_grad or source._requires_grad):
        record(IndexAddBackward0, out, (input, source), (d, index, alpha))
    return out


class IndexCopyBackward0(Op):
    formula = "d(index_copy(x, dim, i, src))/dx = grad with zeros at i; d/dsrc = " \
              "grad.index_select(dim, i)"

    def backward(self, grad):
        dim, index = self.ctx
        grad_input = grad_source = None
        if self.next_functions[0][0] is not None:
            grad_input = grad.index_fill(dim, index, 0)
        if self.next_functions[1][0] is not None:
            grad_source = grad.index_select(dim, index)
        return grad_input, grad_source


def index_copy(input, dim, index, source):
    d = _wrap_dim(dim, input._data.ndim)
    _check_copy(input, d, index, source)
    data, key = _along(input, d, index)
    data[key] = source._data if source._data.ndim else source._data.reshape(1)
    out = _result(data, input)
    if _state.enabled and (input._requires_grad or source._requires_grad):
        record(IndexCopyBackward0, out, (input, source), (d, index))
    return out


class IndexFillBackward0(Op):
    formula = "d(index_fill(x, dim, i, c))/dx = grad with zeros at i"

    def backward(self, grad):
        dim, index = self.ctx
        return grad.index_fill(dim, index, 0)


class IndexFillBackward1(Op):
    formula = "d(index_fill(x, dim, i, v))/dx = grad with zeros at i; d/dv = " \
              "sum(grad.index_select(dim, i))"

    def backward(self, grad):
        dim, index = self.ctx
        grad_value = None
        if self.next_functions[1][0] is not None:
            grad_value = grad.index_select(dim, index).sum()
        return grad.index_fill(dim, index, 0), grad_value


def index_fill(input, dim, index, value):
    d = _wrap_dim(dim, input._data.ndim)
    idx = index._data
    if idx.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if idx.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    size = (input._data.shape or (1,))[d]
    flat = idx.reshape(-1)
    if flat.size and (flat.min() < -size or flat.max() >= size):
        bad = flat[(flat < -size) | (flat >= size)][0]
        raise IndexError(f"index {bad} is out of bounds for dimension {d} with size {size}")
    is_tensor = isinstance(value, Tensor)
    if is_tensor and value._data.ndim:
        raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._data.ndim} dimension(s).")
    data, key = _along(input, d, index)
    data[key] = value._data if is_tensor else checked_scalar(value, data.dtype)
    out = _result(data, input)
    if _state.enabled:
        if is_tensor and (input._requires_grad or value._requires_grad):
            record(IndexFillBackward1, out, (input, value), (d, index))
        elif input._requires_grad:
            record(IndexFillBackward0, out, (input,), (d, index))
    return out


# -- index_put: x[indices] = values --------------------------------------------------------
def put_at_key(input, key, values, accumulate=False):
    """``input`` with ``values`` written at a checked NumPy key (``index_put``'s core)."""
    if values._data.dtype != input._data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{scalar_type_name(input.dtype)} for the destination and "
                           f"{scalar_type_name(values.dtype)} for the source.")
    try:
        shape = np.broadcast_to(np.empty((), np.bool_), input._data.shape)[key].shape
    except IndexError:
        check_key(input._data.shape, key)
        raise
    vshape = values._data.shape
    if len(vshape) > len(shape) or any(v not in (1, s) for v, s in
                                       zip(vshape[::-1], shape[::-1])):
        raise RuntimeError(f"shape mismatch: value tensor of shape {_shape(vshape)} cannot be "
                           f"broadcast to indexing result of shape {_shape(shape)}")
    return write_at(input, key, values, accumulate)


def index_put(input, indices, values, accumulate=False):
    indexed = []
    dim = 0
    for i, index in enumerate(indices):
        if not isinstance(index, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(index).__name__}")
        data = index._data
        if data.dtype.kind not in "biu":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        data = data if data.dtype.kind == "b" else data.astype(np.int64, copy=False)
        indexed.append((dim, data))
        dim += data.ndim if data.dtype.kind == "b" else 1
    ndim = input._data.ndim
    if dim > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim} (got {dim})")
    key = tensor_key(indexed)
    return put_at_key(input, key, values, accumulate)


# -- masked_fill / masked_scatter ---------------------------------------------------------
class MaskedFillBackward0(Op):
    formula = "d(masked_fill(x, mask, c))/dx = grad with zeros where mask"

    def backward(self, grad):
        return grad.masked_fill(self.ctx, 0)


class MaskedFillBackward1(Op):
    formula = "d(masked_fill(x, mask, v))/dx = grad with zeros where mask; d/dv = " \
              "sum(grad where mask)"

    def backward(self, grad):
        mask = self.ctx
        grad_value = None
        if self.next_functions[1][0] is not None:
            grad_value = grad.masked_fill(~mask, 0).sum()
        return grad.masked_fill(mask, 0), grad_value


def masked_fill(input, mask, value):
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_C_TYPE[mask.dtype.name]}")
    is_tensor = isinstance(value, Tensor)
    if is_tensor and value._data.ndim:
        raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._data.ndim} dimension(s).")
    data = input._data
    fill = value._data.astype(data.dtype) if is_tensor else checked_scalar(value, data.dtype)
    try:
        out = wrap(np.where(mask._data, fill, data))
    except ValueError:
        from ._dispatch import broadcast_error
        raise broadcast_error(data.shape, mask._data.shape) from None
    if _state.enabled:
        if is_tensor and (input._requires_grad or value._requires_grad):
            record(MaskedFillBackward1, out, (input, value), mask)
        elif input._requires_grad:
            record(MaskedFillBackward0, out, (input,), mask)
    return out


class MaskedScatterBackward0(Op):
    formula = "d(masked_scatter(x, mask, src))/dx = grad with zeros where mask; d/dsrc = " \
              "grad[mask] (zeros beyond)"

    def backward(self, grad):
        mask, source_shape = self.ctx
        grad_input = grad_source = None
        if self.next_functions[0][0] is not None:
            grad_input = grad.masked_fill(mask, 0)
        if self.next_functions[1][0] is not None:
            from .joining import cat
            taken = grad.masked_select(mask)
            rest = int(np.prod(source_shape)) - taken._data.size
            padding = wrap(np.zeros(rest, dtype=grad._data.dtype))
            grad_source = cat([taken, padding]).view(source_shape)
        return grad_input, grad_source


def masked_scatter(input, mask, source):
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {scalar_type_name(mask.dtype)}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but "
                           f"got{scalar_type_name(input.dtype)} and "
                           f"{scalar_type_name(source.dtype)}")
    try:
        shape = np.broadcast_shapes(input._data.shape, mask._data.shape)
    except ValueError:
        from ._dispatch import broadcast_error
        raise broadcast_error(input._data.shape, mask._data.shape) from None
    where = np.broadcast_to(mask._data, shape)
    count = int(np.count_nonzero(where))
    if source._data.size < count:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    data = np.array(np.broadcast_to(input._data, shape))
    data[where] = source._data.reshape(-1)[:count]
    out = wrap(data)
    if _state.enabled and (input._requires_grad or source._requires_grad):
        record(MaskedScatterBackward0, out, (input, source), (mask, source._data.shape))
    return out


__all__ = ["index_add", "index_copy", "index_fill", "index_put", "masked_fill",
           "masked_scatter"]
INPLACE = {"index_add_": index_add, "index_copy_": index_copy, "index_fill_": index_fill,
           "index_put_": index_put, "masked_fill_": masked_fill,
           "masked_scatter_": masked_scatter}
