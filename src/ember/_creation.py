"""Tensor creation: from data (``tensor``, ``as_tensor``, ``from_numpy``), filled
(``zeros``, ``ones``, ``full``, ``empty``, ``eye``), ranges (``arange``, ``linspace``,
``logspace``), random (``rand``, ``randn``, ``randint``, ``randperm``), and the ``*_like``
variants.

Dtype inference follows PyTorch: Python floats give the default dtype (float32), ints
give int64, bools give bool; NumPy arrays keep their dtype (see ``_python_data``). Range
values are PyTorch's, bit for bit (see ``_ranges``). Random draws come from
``ember.random``, whose streams are PyTorch's CPU streams.
"""

import builtins
import warnings

import numpy as np

from . import _dtype, _ranges
from ._device import as_device
from ._python_data import to_array
from ._tensor import Tensor

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "full", "empty",
           "eye", "arange", "linspace", "logspace", "zeros_like", "ones_like", "full_like",
           "empty_like", "rand", "randn", "randint", "randperm", "rand_like", "randn_like",
           "randint_like", "scalar_tensor"]


def _finish(data, requires_grad, device=None):
    as_device(device)
    out = Tensor._from_array(data)
    if requires_grad:
        if data.dtype.kind not in "fc":
            # The factory functions' wording differs from requires_grad_()'s in PyTorch.
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        out.requires_grad = True
    return out


def _resolve_dtype(dtype, default):
    return (dtype or default).np


# -- from data -----------------------------------------------------------------------------
def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays)."""
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
            "requires_grad_(True), rather than torch.tensor(sourceTensor).",
            UserWarning, stacklevel=2)
        array = np.array(data._data, dtype=(dtype or data.dtype).np)
    elif isinstance(data, np.ndarray):
        array = np.array(data, dtype=(dtype or _dtype.from_numpy_dtype(data.dtype)).np)
    else:
        array = to_array(data, dtype)
    return _finish(array, requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor``, but shares memory with a Tensor or ndarray of the right dtype."""
    if isinstance(data, Tensor):
        return data if dtype is None or dtype is data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray):
        inferred = _dtype.from_numpy_dtype(data.dtype)
        if dtype is None or dtype is inferred:
            as_device(device)
            return _sharing(data)
        return _finish(data.astype(dtype.np), False, device)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    out = tensor(obj, dtype=dtype) if copy else as_tensor(obj, dtype=dtype)
    if requires_grad:
        out.requires_grad_(True)
    return out


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray``: writes through either are seen by both."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return _sharing(ndarray)


def _sharing(ndarray):
    if not ndarray.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte "
                         "order. Conversion between byte orders is currently not supported.")
    _dtype.from_numpy_dtype(ndarray.dtype)
    if not ndarray.flags.writeable:
        warnings.warn(
            "The given NumPy array is not writable, and PyTorch does not support non-writable "
            "tensors. This means writing to this tensor will result in undefined behavior. You "
            "may want to copy the array to protect its data or make it writable before "
            "converting it to a tensor. This type of warning will be suppressed for the rest "
            "of this program.", UserWarning, stacklevel=3)
    return Tensor._from_array(ndarray)


# -- filled --------------------------------------------------------------------------------
def _type_name(value):
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def _is_int(value):
    return not isinstance(value, (builtins.bool, np.bool_, float, np.floating)) and \
        hasattr(value, "__index__")


def _shape(name, size):
    """A ``*size`` argument (ints, or one sequence of ints) as a tuple, with PyTorch's errors."""
    if len(size) == 1 and not _is_int(size[0]):
        if not isinstance(size[0], (tuple, list)):
            raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, "
                            f"not {_type_name(size[0])}")
        size = size[0]
    for pos, s in enumerate(size, 1):
        if isinstance(s, (tuple, list)):
            raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, "
                            f"but found element of type {_type_name(s)} at pos {pos - 1}")
        if not _is_int(s) and not isinstance(s, (builtins.bool, np.bool_)):
            raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos "
                            f"{pos} with error \"type must be tuple of ints,but got "
                            f"{_type_name(s)}\"")
    return _checked_shape(name, tuple(s.__index__() for s in size))


def _checked_shape(name, shape):
    if any(s < 0 for s in shape):
        if name == "zeros":
            raise RuntimeError("zeros: Dimension size must be non-negative.")
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(shape)}: [{', '.join(map(str, shape))}]")
    return shape


def _size_option(name, size, kwargs):
    """The shape from ``*size`` or PyTorch's ``size=`` keyword."""
    keyword = kwargs.pop("size", None)
    for key in kwargs:
        raise TypeError(f"{name}() got an unexpected keyword argument '{key}'")
    return _shape(name, size if keyword is None else (keyword,))


def _filled(fill, shape, dtype, requires_grad, device):
    return _finish(np.full(shape, fill, dtype=_resolve_dtype(dtype, _dtype.get_default_dtype())),
                   requires_grad, device)


def zeros(*size, out=None, dtype=None, layout=None, device=None, pin_memory=False,
          requires_grad=False, **kwargs):
    shape = _size_option("zeros", size, kwargs)
    return _filled(0, shape, dtype, requires_grad, device)


def ones(*size, out=None, dtype=None, layout=None, device=None, pin_memory=False,
         requires_grad=False, **kwargs):
    shape = _size_option("ones", size, kwargs)
    return _filled(1, shape, dtype, requires_grad, device)


def empty(*size, out=None, dtype=None, layout=None, device=None, pin_memory=False,
          requires_grad=False, memory_format=None, **kwargs):
    shape = _size_option("empty", size, kwargs)
    # Zero-filled rather than uninitialised: the same cost in NumPy, and deterministic.
    return _filled(0, shape, dtype, requires_grad, device)


def _fill_array(shape, fill_value, dtype):
    """``fill_value`` broadcast to ``shape``; PyTorch's overflow error for integer types."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if not isinstance(fill_value, (builtins.bool, int, float, complex, np.generic)):
        raise TypeError(f"full(): argument 'fill_value' (position 2) must be Number, not "
                        f"{_type_name(fill_value)}")
    if dtype is None:
        dtype = _dtype.scalar_dtype(fill_value)
    if dtype.category == 1 and not isinstance(fill_value, (builtins.bool, np.bool_)):
        info = np.iinfo(dtype.np)
        low = -info.max if info.min == 0 else info.min
        if not low <= fill_value <= info.max:
            raise RuntimeError(f"value cannot be converted to type {dtype.name}_t without "
                               "overflow")
    # Through a 0-d array so that integers wrap into unsigned types as PyTorch's cast does.
    return np.full(shape, np.asarray(fill_value).astype(dtype.np), dtype=dtype.np)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         pin_memory=False, requires_grad=False):
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{_type_name(size)}")
    for pos, s in enumerate(size):
        if not _is_int(s):
            raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, but "
                            f"found element of type {_type_name(s)} at pos {pos}")
    shape = _checked_shape("full", tuple(s.__index__() for s in size))
    return _finish(_fill_array(shape, fill_value, dtype), requires_grad, device)


def scalar_tensor(value, *, dtype=None, device=None, requires_grad=False):
    return _finish(np.asarray(value, dtype=(dtype or _dtype.get_default_dtype()).np),
                   requires_grad, device)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, pin_memory=False,
        requires_grad=False):
    for name, value in (("n", n), ("m", m)):
        if value is not None and value < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {value}")
    return _finish(np.eye(n, n if m is None else m,
                          dtype=_resolve_dtype(dtype, _dtype.get_default_dtype())),
                   requires_grad, device)


def _like(name, fill):
    def like(input, *, dtype=None, layout=None, device=None, pin_memory=False,
             requires_grad=False, memory_format=None):
        _check_tensor(name, input)
        return _filled(fill, input._data.shape, dtype or input.dtype, requires_grad, device)
    like.__name__ = like.__qualname__ = name
    return like


def _check_tensor(name, input):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{_type_name(input)}")


zeros_like = _like("zeros_like", 0)
ones_like = _like("ones_like", 1)
empty_like = _like("empty_like", 0)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, pin_memory=False,
              requires_grad=False, memory_format=None):
    _check_tensor("full_like", input)
    data = _fill_array(input._data.shape, fill_value, dtype or input.dtype)
    return _finish(data, requires_grad, device)


# -- ranges --------------------------------------------------------------------------------
def _number(value):
    return value.item() if isinstance(value, Tensor) else value


def _is_float(value):
    return isinstance(value, (float, np.floating))


def arange(start=None, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           pin_memory=False, requires_grad=False):
    """``[start, end)`` by ``step``; int64 unless an argument is a float."""
    if end is None:
        if start is None:
            raise TypeError("arange() missing 1 required positional argument: \"end\"")
        start, end = 0, start
    elif start is None:
        start = 0
    start, end, step = _number(start), _number(end), _number(step)
    if dtype is None:
        is_float = any(_is_float(v) for v in (start, end, step))
        dtype = _dtype.get_default_dtype() if is_float else _dtype.int64
    if dtype is _dtype.bool:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    return _finish(_ranges.arange_values(start, end, step, dtype), requires_grad, device)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             pin_memory=False, requires_grad=False):
    """``steps`` evenly spaced values; PyTorch fills from both ends toward the middle."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = dtype or _dtype.get_default_dtype()
    if dtype is _dtype.bool:
        raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
    values = _ranges.linspace_values(_number(start), _number(end), steps, dtype)
    return _finish(values, requires_grad, device)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             pin_memory=False, requires_grad=False):
    """``base ** linspace(start, end, steps)``."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = dtype or _dtype.get_default_dtype()
    values = _ranges.logspace_values(_number(start), _number(end), steps, base, dtype)
    return _finish(values, requires_grad, device)


# -- random -------------------------------------------------------------------------------
def _generator(generator):
    from . import random
    return generator if generator is not None else random.default_generator


def _float_dtype(dtype, name):
    dtype = dtype or _dtype.get_default_dtype()
    if not dtype.is_floating_point:
        raise RuntimeError(f"\"{name}\" not implemented for '{dtype._scalar_name}'")
    return dtype


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None,
         layout=None, pin_memory=False, **kwargs):
    shape = _size_option("rand", size, kwargs)
    dtype = _float_dtype(dtype, "check_uniform_bounds")
    data = _generator(generator)._uniform(shape, dtype.np)
    return _finish(data, requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None,
          layout=None, pin_memory=False, **kwargs):
    shape = _size_option("randn", size, kwargs)
    dtype = _float_dtype(dtype, "normal_kernel_cpu")
    data = _generator(generator)._normal(shape, dtype.np)
    return _finish(data, requires_grad, device)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False, out=None, layout=None):
    if size is None:
        # randint(high, size) spelling.
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    dtype = dtype or _dtype.int64
    data = _generator(generator)._randint(_shape("randint", (size,)), dtype.np, low, high)
    return _finish(data, requires_grad, device)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False, out=None,
             layout=None, pin_memory=False):
    dtype = dtype or _dtype.int64
    return _finish(_generator(generator)._randperm(n, dtype.np), requires_grad, device)


def rand_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return rand(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return randn(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False,
                 memory_format=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, dtype=dtype or input.dtype,
                   requires_grad=requires_grad)


# -- in-place random fills (Tensor methods) -------------------------------------------------
def _fill_random(tensor, data):
    from .ops.inplace import check_inplace
    check_inplace(tensor)
    tensor._data[...] = data
    tensor._vc[0] += 1
    return tensor


def uniform_(self, from_=0.0, to=1.0, *, generator=None):
    data = _generator(generator)._uniform(self._data.shape, self._data.dtype, from_, to)
    return _fill_random(self, data)


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    if self._data.flags.c_contiguous:
        data = _generator(generator)._normal(self._data.shape, self._data.dtype, mean, std)
        return _fill_random(self, data)
    # PyTorch draws a non-contiguous tensor's values one at a time, in memory order.
    from .ops.inplace import check_inplace
    check_inplace(self)
    strides = self._data.strides
    order = sorted(range(self._data.ndim), key=lambda d: -abs(strides[d]))
    in_memory_order = self._data.transpose(order)
    in_memory_order[...] = _generator(generator)._normal(
        in_memory_order.shape, self._data.dtype, mean, std, contiguous=False)
    self._vc[0] += 1
    return self


def random_(self, from_=None, to=None, *, generator=None):
    if to is None and from_ is not None:
        # `random_(n)` means [0, n), as in PyTorch's one-argument overload.
        from_, to = None, from_
    data = _generator(generator)._random(self._data.shape, self._data.dtype, from_, to)
    return _fill_random(self, data)


def bernoulli_(self, p=0.5, *, generator=None):
    prob = p._data if isinstance(p, Tensor) else p
    data = _generator(generator)._bernoulli(prob, self._data.shape, self._data.dtype)
    return _fill_random(self, data)


def bernoulli(input, p=None, *, generator=None):
    prob = input._data if p is None else p
    data = _generator(generator)._bernoulli(prob, input._data.shape, input._data.dtype)
    return Tensor._from_array(data)


RANDOM_METHODS = {"uniform_": uniform_, "normal_": normal_, "random_": random_,
                  "bernoulli_": bernoulli_, "bernoulli": bernoulli}
