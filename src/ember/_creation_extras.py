"""Less common ways to make tensors: ``empty_strided``, ``fill``, ``frombuffer``, the
deprecated ``range`` and ``chain_matmul``, ``unravel_index``, and the complex constructors
and views ``complex``, ``polar``, ``view_as_real``, ``view_as_complex``.

These are ``torch.*`` functions only (PyTorch has no Tensor methods of these names).
"""

import builtins
import numbers
import warnings

import numpy as np

from . import _creation, _dtype
from ._tensor import Tensor
from .ops._dispatch import Op, _state, record, wrap
from .ops._views import make_view

__all__ = ["empty_strided", "fill", "frombuffer", "range", "chain_matmul", "unravel_index",
           "view_as_real", "view_as_complex", "polar", "complex"]


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """A tensor of ``size`` whose elements are ``stride`` elements apart (zero-filled: NumPy
    costs the same, and results stay deterministic)."""
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(size)}) must match dimensionality "
                           f"of strides ({len(stride)})")
    _creation._checked_shape("empty_strided", size)
    if any(s < 0 for s in stride):
        raise RuntimeError(f"Storage size calculation overflowed with sizes="
                           f"[{', '.join(map(str, size))}] and strides="
                           f"[{', '.join(map(str, stride))}]")
    dtype = dtype or _dtype.get_default_dtype()
    storage = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    itemsize = np.dtype(dtype.np).itemsize
    data = np.lib.stride_tricks.as_strided(
        np.zeros(storage, dtype=dtype.np), size, tuple(s * itemsize for s in stride))
    return _creation._finish(data, requires_grad, device)


# -- fill ------------------------------------------------------------------------------------
class FillBackward0(Op):
    formula = "d fill(input, value)/d input = 0"

    def backward(self, grad):
        return grad * 0


class FillBackward1(Op):
    formula = "d fill(input, value)/d(input, value) = (0, sum(grad))"

    def backward(self, grad):
        return (grad * 0 if self.needs_input_grad(0) else None,
                grad.sum() if self.needs_input_grad(1) else None)


def fill(input, value):
    """A new tensor shaped and typed like ``input``, every element ``value``."""
    if isinstance(value, Tensor):
        if value.dim():
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value.dim()} dimensions.")
        out = wrap(np.full_like(input._data, value._data))
        if _state.enabled and (input._requires_grad or value._requires_grad):
            record(FillBackward1, out, (input, value))
        return out
    if not isinstance(value, (numbers.Number, np.generic)):
        raise TypeError(f"fill() received an invalid combination of arguments - got "
                        f"(Tensor, {type(value).__name__}), but expected one of:")
    out = wrap(np.full_like(input._data, value))
    if _state.enabled and input._requires_grad:
        record(FillBackward0, out, (input,))
    return out


# -- from a buffer ---------------------------------------------------------------------------
def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor over the memory of a Python buffer (bytes, bytearray, array...), shared
    with it. A read-only buffer gives a read-only tensor: writing to it raises."""
    length = memoryview(buffer).nbytes
    itemsize = np.dtype(dtype.np).itemsize
    if length <= 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({length} bytes) minus 1")
    if count < 0 and (length - offset) % itemsize:
        raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} "
                         f"bytes) must be a multiple of element size ({itemsize})")
    actual = (length - offset) // itemsize if count < 0 else count
    if offset + actual * itemsize > length:
        raise ValueError(f"requested buffer length ({actual} * {itemsize} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({length} bytes)")
    data = np.frombuffer(buffer, dtype=dtype.np, count=actual, offset=offset)
    if not data.flags.writeable:
        warnings.warn(
            "The given buffer is not writable, and PyTorch does not support non-writable "
            "tensors. This means you can write to the underlying (supposedly non-writable) "
            "buffer using the tensor. You may want to copy the buffer to protect its data or "
            "make it writable before converting it to a tensor. This type of warning will be "
            "suppressed for the rest of this program.", UserWarning, stacklevel=2)
    return _creation._finish(data, requires_grad)


# -- deprecated ------------------------------------------------------------------------------
def range(start, end, step=1, *, out=None, dtype=None, layout=None, device=None,
          requires_grad=False):
    """``[start, end]`` by ``step``, end included, in the default float dtype unless
    ``dtype`` says otherwise. Deprecated in PyTorch in favour of ``arange``."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    start, end, step = (_creation._number(v) for v in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    dtype = dtype or _dtype.get_default_dtype()
    # PyTorch computes start + i * step in double, then casts.
    count = int(np.floor((end - start) / step)) + 1
    values = start + np.arange(count, dtype=np.float64) * step
    return _creation._finish(values.astype(dtype.np), requires_grad, device)


def chain_matmul(*matrices, out=None):
    """The product of 2-D ``matrices``; deprecated in PyTorch for ``linalg.multi_dot``."""
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                  "release. Use torch.linalg.multi_dot instead, which accepts a list of two or "
                  "more tensors rather than multiple parameters.", UserWarning, stacklevel=2)
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m.dim() != 2:
            raise RuntimeError(f"Tensor dimension is {m.dim()}, expected 2 instead.")
    if len(matrices) == 1:
        return matrices[0].clone()
    from .linalg import multi_dot
    return multi_dot(matrices)


# -- indices ---------------------------------------------------------------------------------
def unravel_index(indices, shape):
    """Flat indices into a tensor of ``shape`` as one coordinate tensor per dimension."""
    if indices.dtype.is_floating_point or indices.dtype.is_complex or \
            indices.dtype is _dtype.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, int) and not isinstance(shape, builtins.bool):
        shape = (shape,)
    elif not isinstance(shape, (tuple, list)):
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got "
                        f"{type(shape)}")
    for dim in shape:
        if not isinstance(dim, int):
            raise TypeError(f"expected 'shape' sequence to only contain ints, but got "
                            f"{type(dim)}")
    shape = tuple(shape)
    if any(dim < 0 for dim in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    coefs = np.cumprod((shape[1:] + (1,))[::-1])[::-1] if shape else np.zeros(0)
    flat = indices._data.astype(np.int64)[..., None]
    coords = np.floor_divide(flat, coefs.astype(np.int64)) % np.array(shape, dtype=np.int64)
    return tuple(wrap(coords[..., i]) for i in builtins.range(len(shape)))


# -- complex ---------------------------------------------------------------------------------
def _real_view(data):
    # A trailing axis of length 1 is contiguous whatever the strides, so NumPy can split each
    # complex element into its two parts in place.
    return data[..., None].view(data.real.dtype)


class ViewAsRealBackward0(Op):
    formula = "d view_as_real(z)/dz: grad[..., 0] + i grad[..., 1]"

    def backward(self, grad):
        return view_as_complex(grad.contiguous())


class ViewAsComplexBackward0(Op):
    formula = "d view_as_complex(x)/dx: stack(real(grad), imag(grad), -1)"

    def backward(self, grad):
        return view_as_real(grad)


def view_as_real(input):
    """The complex ``input`` seen as real numbers with a last dimension (real, imag)."""
    if not input.dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    out = make_view(input, _real_view(input._data))
    if _state.enabled and input._requires_grad:
        record(ViewAsRealBackward0, out, (input,))
    return out


def view_as_complex(input):
    """A real ``input`` with last dimension 2 seen as complex numbers (a view)."""
    if input.dtype not in (_dtype.float32, _dtype.float64):
        if input.dtype is _dtype.float16:
            raise NotImplementedError("ember has no complex32 dtype: view_as_complex of a "
                                      "float16 tensor is not supported")
        raise RuntimeError("view_as_complex is only supported for half, float and double "
                           f"tensors, but got a tensor of scalar type: {input.dtype._scalar_name}")
    data = input._data
    if not data.ndim:
        raise RuntimeError("Input tensor must have one or more dimensions")
    if data.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    complex_np = np.complex64 if data.dtype == np.float32 else np.complex128
    if not data.size:
        # NumPy gives empty arrays zero strides, and there is no memory to share.
        out = make_view(input, np.empty(data.shape[:-1], complex_np))
    else:
        if data.strides[-1] != data.itemsize:
            raise RuntimeError("Tensor must have a last dimension with stride 1")
        if any(s % (2 * data.itemsize) for s in data.strides[:-1]):
            raise RuntimeError("Tensor must have a stride divisible by 2 for all but last "
                               "dimension")
        out = make_view(input, data.view(complex_np)[..., 0])
    if _state.enabled and input._requires_grad:
        record(ViewAsComplexBackward0, out, (input,))
    return out


def _check_parts(real, imag, real_name):
    for value, name in ((real, real_name), (imag, "imag")):
        if not isinstance(value, Tensor):
            position = 1 if name == real_name else 2
            raise TypeError(f"complex(): argument '{name}' (position {position}) must be "
                            f"Tensor, not {type(value).__name__}")
    allowed = (_dtype.float16, _dtype.float32, _dtype.float64)
    if real.dtype not in allowed or imag.dtype not in allowed:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{real.dtype._scalar_name} and {imag.dtype._scalar_name}")
    if real.dtype is not imag.dtype:
        raise RuntimeError(f"Expected object of scalar type {real.dtype._scalar_name} but got "
                           f"scalar type {imag.dtype._scalar_name} for second argument")
    if real.dtype is _dtype.float16:
        raise NotImplementedError("ember has no complex32 dtype: complex parts must be "
                                  "float32 or float64")
    try:
        np.broadcast_shapes(real._data.shape, imag._data.shape)
    except ValueError:
        from .ops._dispatch import broadcast_error
        raise broadcast_error(real._data.shape, imag._data.shape) from None
    return np.complex64 if real.dtype is _dtype.float32 else np.complex128


class ComplexBackward0(Op):
    formula = "d complex(real, imag)/d(real, imag) = (real(grad), imag(grad))"

    def backward(self, grad):
        return grad.real, grad.imag


class PolarBackward0(Op):
    saves = ("result",)
    formula = "d polar(abs, angle) = (real(grad * conj(sgn(result))), real(grad * conj(i result)))"

    def backward(self, grad):
        (result,) = self.saved_tensors
        from .ops.unary import sgn
        return ((grad * sgn(result).conj()).real, (grad * (result * 1j).conj()).real)


def complex(real, imag, *, out=None):
    """``real + i imag`` from two float tensors of one dtype (broadcast)."""
    complex_np = _check_parts(real, imag, "real")
    out = wrap((real._data + 1j * imag._data).astype(complex_np, copy=False))
    if _state.enabled and (real._requires_grad or imag._requires_grad):
        record(ComplexBackward0, out, (real, imag))
    return out


def polar(abs, angle, *, out=None):
    """``abs * (cos(angle) + i sin(angle))`` from two float tensors of one dtype."""
    complex_np = _check_parts(abs, angle, "abs")
    data = (abs._data * np.cos(angle._data) + 1j * (abs._data * np.sin(angle._data)))
    out = wrap(data.astype(complex_np, copy=False))
    if _state.enabled and (abs._requires_grad or angle._requires_grad):
        record(PolarBackward0, out, (abs, angle))
    return out

