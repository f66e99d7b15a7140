"""Small Tensor utilities PyTorch users reach for: function forms of predicates
(``torch.is_complex``, ``is_signed``, ``is_inference``, ``get_device``, ``detach``),
``typename``, ``adjoint``, ``cfloat``/``cdouble``, ``conj_physical``, the legacy
constructor ``Tensor.new``, ``resize_``/``resize_as_``, and the CPU-only element-wise
Python callables ``apply_``/``map_``/``map2_``.
"""

import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._dispatch import Op, _state, record, wrap
from .inplace import make_inplace
from .shape import expand, transpose
from .tensor_info import ConjBackward0


def _tensor_argument(name, input, argument="input", position=1):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument '{argument}' (position {position}) must be Tensor, "
                        f"not {type(input).__name__}")


# -- function forms of Tensor predicates -------------------------------------------------------
def detach(input):
    _tensor_argument("detach", input)
    return input.detach()


def is_complex(input):
    _tensor_argument("is_complex", input)
    return input._data.dtype.kind == "c"


def is_signed(input):
    _tensor_argument("is_signed", input)
    return input.dtype.is_signed


def is_inference(input):
    _tensor_argument("is_inference", input)
    return input.is_inference()


def get_device(input):
    _tensor_argument("get_device", input)
    return -1


def typename(obj):
    """``torch.FloatTensor`` for a tensor; the qualified class name for anything else."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


# -- conjugation -------------------------------------------------------------------------------
class ConjPhysicalBackward0(Op):
    formula = "d(conj_physical(x))/dx: the gradient conjugated"

    def backward(self, grad):
        return conj_physical(grad)


class ConjPhysicalBackward1(ConjPhysicalBackward0):
    __slots__ = ()


def conj_physical(input):
    """The complex conjugate, computed (a real tensor is returned as it is, as in PyTorch)."""
    _tensor_argument("conj_physical", input)
    if input._data.dtype.kind != "c":
        return input
    out = wrap(np.conjugate(input._data))
    if _state.enabled and input._requires_grad:
        record(ConjPhysicalBackward0, out, (input,))
    return out


def _conj_physical_written(input):
    # What conj_physical_ writes back: always a new node, ConjPhysicalBackward1 as in PyTorch.
    data = input._data
    out = wrap(np.conjugate(data) if data.dtype.kind == "c" else data.copy())
    if _state.enabled and input._requires_grad:
        record(ConjPhysicalBackward1, out, (input,))
    return out


conj_physical_ = make_inplace(_conj_physical_written, "conj_physical_")


def adjoint(input):
    """The conjugate transpose of the last two dimensions (a view for real tensors)."""
    ndim = input._data.ndim
    if ndim == 1:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of "
                           "matrices. Got 1-D tensor.")
    if ndim == 0:
        import warnings
        warnings.warn("adjoint() is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=2)
        return input.conj()
    result = transpose(input, -2, -1)
    if input._data.dtype.kind != "c":
        return result
    out = wrap(np.conjugate(result._data))
    if _state.enabled and input._requires_grad:
        record(ConjBackward0, out, (result,))
    return out


def cfloat(self, memory_format=None):
    return self.to(_dtype.complex64)


def cdouble(self, memory_format=None):
    return self.to(_dtype.complex128)


# -- the legacy constructor ----------------------------------------------------------------------
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
              "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
              "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
              "bool": "bool", "complex64": "c10::complex<float>",
              "complex128": "c10::complex<double>"}


def _options(dtype):
    name = _CPP_NAMES.get(str(dtype).replace("torch.", ""), str(dtype))
    return (f"TensorOptions(dtype={name}, device=cpu, layout=Strided, requires_grad=false "
            "(default), pinned_memory=false (default), memory_format=(nullopt))")


def _type_name(value):
    if isinstance(value, Tensor):
        return "Tensor"
    if isinstance(value, _dtype.dtype):
        return "torch.dtype"
    return type(value).__name__


def new(self, *args, **kwargs):
    """``Tensor.new``: an empty tensor of a size, a tensor of data, or an alias of a tensor,
    always of this tensor's dtype."""
    from .. import _creation
    kwargs.pop("device", None)
    if kwargs:
        got = ", ".join([_type_name(a) for a in args]
                        + [f"{k}={_type_name(v)}" for k, v in kwargs.items()])
        raise TypeError(f"new() received an invalid combination of arguments - got ({got}), "
                        "but expected one of:")
    if not args:
        return _creation.empty(0, dtype=self.dtype)
    first = args[0]
    if len(args) == 1 and isinstance(first, Tensor):
        if first.dtype != self.dtype:
            raise TypeError(f"expected {_options(self.dtype)} (got {_options(first.dtype)})")
        # An alias: the same memory, a new leaf.
        return Tensor._from_array(first._data)
    if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args) or (
            len(args) == 1 and isinstance(first, _size_type())):
        size = tuple(int(s) for s in (first if len(args) == 1 and
                                      isinstance(first, _size_type()) else args))
        for s in size:
            if s < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                                   f"[{', '.join(map(str, size))}]")
        return _creation.empty(size, dtype=self.dtype)
    if len(args) == 1 and isinstance(first, (list, tuple, np.ndarray)):
        return _creation.tensor(first, dtype=self.dtype)
    raise TypeError(f"new(): data must be a sequence (got {type(first).__name__})")


def _size_type():
    from .._size import Size
    return Size


# -- resizing --------------------------------------------------------------------------------------
def _storage(tensor):
    """A flat view of the memory ``tensor`` lives in (the array that owns it, standing for
    PyTorch's storage, which a shrinking resize_ keeps whole), and its offset there."""
    owner = tensor._data
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    flat = owner.reshape(-1) if owner.flags.c_contiguous else None
    if flat is None or not flat.flags.writeable:
        return None, 0
    offset, rest = divmod(tensor._data.__array_interface__["data"][0]
                          - flat.__array_interface__["data"][0], max(flat.itemsize, 1))
    if rest or owner.dtype != tensor._data.dtype:
        return None, 0
    return flat, offset


def resize_(self, *size, memory_format=None):
    """Give this tensor a new contiguous shape over its memory (PyTorch's ``resize_``).

    Shrinking or keeping the number of elements keeps sharing memory with views. Growing
    past the memory copies it into a bigger array (PyTorch reallocates the storage that the
    views share too; NumPy cannot grow an array under its views, so here they stop sharing).
    New elements are zero (PyTorch leaves them uninitialised).
    """
    shape = _size("resize_", size)
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if memory_format is not None and str(memory_format) not in (
            "torch.contiguous_format", "contiguous_format"):
        _check_memory_format(memory_format, shape)
    if any(s < 0 for s in shape):
        raise RuntimeError("numel: integer multiplication overflow")
    if shape == self._data.shape:
        return self
    numel = math.prod(shape)
    flat, offset = _storage(self)
    if flat is not None and offset + numel <= flat.size:
        self._data = flat[offset:offset + numel].reshape(shape)
    else:
        data = np.zeros(numel, dtype=self._data.dtype)
        kept = flat[offset:] if flat is not None else self._data.ravel()
        data[:min(kept.size, numel)] = kept[:numel]
        self._data = data.reshape(shape)
    self._vc[0] += 1
    return self


def _size(name, size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    elif not size:
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    for s in size:
        if not isinstance(s, (int, np.integer)):
            raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, "
                            f"not {type(s).__name__}")
    return tuple(int(s) for s in size)


def _check_memory_format(memory_format, shape):
    name = str(memory_format).replace("torch.", "")
    if name == "channels_last" and len(shape) != 4:
        raise RuntimeError("required rank 4 tensor to use channels_last format")
    if name == "channels_last_3d" and len(shape) != 5:
        raise RuntimeError("required rank 5 tensor to use channels_last_3d format")
    if name == "preserve_format":
        raise RuntimeError("Unsupported memory formatPreserve")


def resize_as_(input, the_template, *, memory_format=None):
    _tensor_argument("resize_as_", the_template, "the_template")
    return resize_(input, the_template._data.shape, memory_format=memory_format)


# -- Python callables over elements ----------------------------------------------------------------
def _unpack(dtype):
    """How a callable's return value becomes an element of ``dtype`` (PyTorch's unpacking)."""
    kind = np.dtype(dtype).kind
    if kind == "c":
        return complex
    if kind == "f":
        def to_float(value):
            if isinstance(value, complex) or not hasattr(value, "__float__") or isinstance(
                    value, (str, bytes)):
                raise TypeError(f"must be real number, not {type(value).__name__}")
            return float(value)
        return to_float

    def to_int(value):
        number = int(value) if isinstance(value, float) else value.__index__() if hasattr(
            value, "__index__") else None
        if number is None:
            raise TypeError(f"'{type(value).__name__}' object cannot be interpreted as an "
                            "integer")
        if not -2**63 <= number < 2**63:
            raise ValueError("Overflow when unpacking long long")
        return number
    return to_int


def _check_callable_target(name, tensors):
    if any(t._requires_grad for t in tensors):
        raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use "
                           f"var.detach().{name}() instead.")


def _write_values(self, values):
    unpack = _unpack(self._data.dtype)
    self._data[...] = np.array([unpack(v) for v in values],
                               dtype=self._data.dtype).reshape(self._data.shape)
    # PyTorch's apply_/map_/map2_ leave the version counter as it is.
    return self


def apply_(self, callable):
    """Replace each element by ``callable(element)`` (CPU only; slow, a Python call each)."""
    _check_callable_target("apply_", (self,))
    return _write_values(self, [callable(v) for v in self._data.ravel().tolist()])


def _operand(name, self, other, argument):
    if other.dtype != self.dtype:
        where = f"'{argument}'" if name == "map_" else f"argument '{argument}'"
        raise TypeError(f"{name}: expected {self.type()} for {where} (got {other.type()})")
    return expand(other.detach(), self._data.shape)._data.ravel().tolist()


def map_(self, tensor, callable):
    """``self[i] = callable(self[i], tensor[i])``, ``tensor`` broadcast to this shape."""
    _tensor_argument("map_", tensor, "other")
    _check_callable_target("map_", (self, tensor))
    others = _operand("map_", self, tensor, "other")
    return _write_values(self, [callable(a, b) for a, b in
                                zip(self._data.ravel().tolist(), others)])


def map2_(self, x, y, callable):
    """``self[i] = callable(self[i], x[i], y[i])``, ``x`` and ``y`` broadcast to this shape."""
    _tensor_argument("map2_", x, "x")
    _tensor_argument("map2_", y, "y", 2)
    _check_callable_target("map2_", (self, x, y))
    xs = _operand("map2_", self, x, "x")
    ys = _operand("map2_", self, y, "y")
    return _write_values(self, [callable(a, b, c) for a, b, c in
                                zip(self._data.ravel().tolist(), xs, ys)])


__all__ = ["detach", "is_complex", "is_signed", "is_inference", "get_device", "typename",
           "adjoint", "conj_physical", "conj_physical_", "resize_as_"]
# Tensor already has these as methods (or, for typename, PyTorch has no such method).
FUNCTION_ONLY = ["detach", "is_complex", "is_signed", "is_inference", "get_device", "typename"]
METHODS = {"cfloat": cfloat, "cdouble": cdouble, "new": new, "resize_": resize_,
           "apply_": apply_, "map_": map_, "map2_": map2_}
