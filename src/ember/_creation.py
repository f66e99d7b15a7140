"""Tensor creation: from data (``tensor``, ``as_tensor``, ``from_numpy``), filled
(``zeros``, ``ones``, ``full``, ``empty``, ``eye``), ranges (``arange``, ``linspace``),
random (``rand``, ``randn``, ``randint``, ``randperm``), and the ``*_like`` variants.

Dtype inference follows PyTorch: Python floats give the default dtype (float32), ints
give int64, bools give bool; NumPy arrays keep their dtype. Random draws come from
``ember.random``, whose streams are PyTorch's CPU streams.
"""

import builtins
import math
import warnings

import numpy as np

from . import _dtype
from ._device import as_device
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


def _infer_python_dtype(array):
    """The dtype PyTorch gives to data that came from Python numbers."""
    kind = array.dtype.kind
    if kind == "b":
        return _dtype.bool
    if kind in "iu":
        return _dtype.int64
    if kind == "f":
        return _dtype.get_default_dtype()
    if kind == "c":
        return _dtype.complex128 if _dtype.get_default_dtype() is _dtype.float64 \
            else _dtype.complex64
    raise TypeError(f"Could not infer dtype of {array.dtype}")


def _check_ragged(data, depth=0):
    """PyTorch's error for lists whose rows differ in length."""
    if isinstance(data, (list, tuple)) and data and isinstance(data[0], (list, tuple)):
        first = len(data[0])
        for row in data:
            if not isinstance(row, (list, tuple)) or len(row) != first:
                got = len(row) if isinstance(row, (list, tuple)) else 0
                raise ValueError(f"expected sequence of length {first} at dim {depth + 1} "
                                 f"(got {got})")
            _check_ragged(row, depth + 1)


def _from_python(data):
    """An ndarray from nested lists/tuples of numbers and 0-d tensors, and its dtype."""
    if isinstance(data, (list, tuple)):
        _check_ragged(data)
        flat = _unwrap_tensors(data)
        array = np.array(flat)
        if array.dtype == object:
            raise TypeError(f"Could not infer dtype of {type(data[0]).__name__}")
        # Tensors inside lists keep their dtype's kind; Python numbers follow torch's rules.
        return array, _infer_python_dtype(array)
    if isinstance(data, np.generic):
        return np.asarray(data), _dtype.from_numpy_dtype(np.asarray(data).dtype)
    if isinstance(data, (builtins.bool, int, float, complex)):
        array = np.asarray(data)
        return array, _infer_python_dtype(array)
    if hasattr(data, "__array__") and not isinstance(data, Tensor):
        array = np.asarray(data)
        return array, _dtype.from_numpy_dtype(array.dtype)
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _unwrap_tensors(data):
    if isinstance(data, Tensor):
        if data._data.ndim:
            return data._data.tolist()
        return data._data.item()
    if isinstance(data, (list, tuple)):
        return [_unwrap_tensors(x) for x in data]
    return data


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays)."""
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
            "requires_grad_(True), rather than torch.tensor(sourceTensor).",
            UserWarning, stacklevel=2)
        array, inferred = data._data.copy(), data.dtype
    elif isinstance(data, np.ndarray):
        array, inferred = data.copy(), _dtype.from_numpy_dtype(data.dtype)
    else:
        array, inferred = _from_python(data)
    target = dtype or inferred
    array = np.array(array, dtype=target.np, copy=True)
    return _finish(array, requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor``, but shares memory with a Tensor or ndarray of the right dtype."""
    if isinstance(data, Tensor):
        return data if dtype is None or dtype is data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray):
        inferred = _dtype.from_numpy_dtype(data.dtype)
        target = dtype or inferred
        return _finish(data if target is inferred else data.astype(target.np), False, device)
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
    _dtype.from_numpy_dtype(ndarray.dtype)
    return Tensor._from_array(ndarray)


def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    shape = tuple(s.__index__() for s in size)
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"[{', '.join(map(str, shape))}]")
    return shape


def _filled(fill, size, dtype, requires_grad, device):
    return _finish(np.full(_shape(size), fill, dtype=_resolve_dtype(
        dtype, _dtype.get_default_dtype())), requires_grad, device)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None,
          pin_memory=False):
    return _filled(0, size, dtype, requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None,
         pin_memory=False):
    return _filled(1, size, dtype, requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None,
          pin_memory=False, memory_format=None):
    # Zero-filled rather than uninitialised: the same cost in NumPy, and deterministic.
    return _filled(0, size, dtype, requires_grad, device)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None,
         layout=None):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        dtype = _dtype.scalar_dtype(fill_value)
    return _finish(np.full(_shape((size,)), fill_value, dtype=dtype.np), requires_grad, device)


def scalar_tensor(value, *, dtype=None, device=None, requires_grad=False):
    return _finish(np.asarray(value, dtype=(dtype or _dtype.get_default_dtype()).np),
                   requires_grad, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    return _finish(np.eye(n, n if m is None else m,
                          dtype=_resolve_dtype(dtype, _dtype.get_default_dtype())),
                   requires_grad, device)


def _number(value):
    return value.item() if isinstance(value, Tensor) else value


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False,
           out=None):
    """``[start, end)`` by ``step``; int64 unless an argument is a float."""
    if end is None:
        start, end = 0, start
    start, end, step = _number(start), _number(end), _number(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    is_float = any(isinstance(v, float) for v in (start, end, step))
    if dtype is None:
        dtype = _dtype.get_default_dtype() if is_float else _dtype.int64
    count = math.ceil((end - start) / step)
    # PyTorch computes start + i*step in double, then casts to the result dtype.
    values = start + np.arange(count, dtype=np.float64) * step
    if not is_float and dtype.category < 2:
        values = np.arange(start, end, step, dtype=np.int64)
    return _finish(values.astype(dtype.np), requires_grad, device)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, out=None):
    """``steps`` evenly spaced values; PyTorch fills from both ends toward the middle."""
    start, end = _number(start), _number(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = dtype or _dtype.get_default_dtype()
    work = np.float64 if dtype is _dtype.float64 or dtype.category < 2 else dtype.np
    if steps == 1:
        values = np.asarray([start], dtype=work)
    else:
        step = (work(end) - work(start)) / work(steps - 1) if steps > 1 else work(0)
        i = np.arange(steps)
        half = steps // 2
        values = np.where(i < half, work(start) + step * i.astype(work),
                          work(end) - step * (steps - i - 1).astype(work)).astype(work)
    return _finish(values.astype(dtype.np), requires_grad, device)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    exps = linspace(start, end, steps, dtype=_dtype.float64)._data
    dtype = dtype or _dtype.get_default_dtype()
    return _finish(np.power(base, exps).astype(dtype.np), requires_grad, device)


def _like(fill):
    def like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
             layout=None):
        d = dtype or input.dtype
        return _finish(np.full(input._data.shape, fill, dtype=d.np), requires_grad, device)
    return like


zeros_like = _like(0)
ones_like = _like(1)
empty_like = _like(0)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None):
    d = dtype or input.dtype
    return _finish(np.full(input._data.shape, fill_value, dtype=d.np), requires_grad, device)


# -- random -------------------------------------------------------------------------------
def _generator(generator):
    from . import random
    return generator if generator is not None else random.default_generator


def _float_dtype(dtype, name):
    dtype = dtype or _dtype.get_default_dtype()
    if not dtype.is_floating_point:
        raise RuntimeError(f"\"{name}\" not implemented for '{dtype.name.capitalize()}'")
    return dtype


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None,
         layout=None, pin_memory=False):
    dtype = _float_dtype(dtype, "check_uniform_bounds")
    data = _generator(generator)._uniform(_shape(size), dtype.np)
    return _finish(data, requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None,
          layout=None, pin_memory=False):
    dtype = _float_dtype(dtype, "normal_kernel_cpu")
    data = _generator(generator)._normal(_shape(size), dtype.np)
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
    data = _generator(generator)._randint(_shape((size,)), dtype.np, low, high)
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
