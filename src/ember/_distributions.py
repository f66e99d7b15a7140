"""Public samplers beyond ``rand``/``randn``/``uniform_``/``normal_``: ``torch.normal`` in
all four overloads, ``torch.multinomial``, ``torch.poisson``, and the in-place fills
``exponential_``, ``cauchy_``, ``log_normal_``, ``geometric_``.

The streams themselves live in ``random.Generator`` (bit-exact with PyTorch's CPU
generator); this module checks arguments as PyTorch does and wraps the arrays in Tensors.
"""

import numbers

import numpy as np

from . import _dtype
from ._creation import _fill_random, _float_dtype, _generator, _shape, zeros_like
from ._tensor import Tensor
from .ops._dispatch import Op, _state, record
from .random import _fmt

__all__ = ["normal", "multinomial", "poisson"]


class _NormalBackward(Op):
    """The samples do not move with their parameters: PyTorch's derivative is zero."""
    __slots__ = ()
    formula = "d normal(mean, std)/d(mean, std) = 0"

    def backward(self, grad):
        zero = zeros_like(grad)
        return tuple(zero if self.needs_input_grad(i) else None for i in range(2))


class NormalBackward1(_NormalBackward):  # normal(Tensor mean, float std)
    __slots__ = ()


class NormalBackward2(_NormalBackward):  # normal(float mean, Tensor std)
    __slots__ = ()


class NormalBackward3(_NormalBackward):  # normal(Tensor mean, Tensor std)
    __slots__ = ()


def _normal_result(data, out, requires_grad):
    if out is not None:
        out._data = data.astype(out._data.dtype, copy=False)
        out._vc[0] += 1
        return out
    result = Tensor._from_array(data)
    if requires_grad:
        result.requires_grad_(True)
    return result


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, pin_memory=False, requires_grad=False):
    """Normal draws with the given ``mean`` and ``std``, each a tensor or a number.

    With two numbers, ``size`` is required and ``dtype`` applies; with a tensor, the result
    has the broadcast shape and the tensor's dtype. The samples carry no gradient (PyTorch's
    derivative of ``normal`` with respect to its parameters is zero).
    """
    gen = _generator(generator)
    mean_is_tensor, std_is_tensor = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mean_is_tensor and not std_is_tensor:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got "
                            f"({type(mean).__name__}, {type(std).__name__}), but expected "
                            "(float mean, float std, tuple of ints size, *, Generator "
                            "generator, ...)")
        np_dtype = _float_dtype(dtype, "normal_kernel_cpu").np
        data = gen._normal(_shape("normal", size), np_dtype, mean, std)
        return _normal_result(data, out, requires_grad)
    for value in (mean, std):
        if isinstance(value, Tensor) and not value.dtype.is_floating_point:
            raise NotImplementedError(f"\"normal_kernel_cpu\" not implemented for "
                                      f"'{value.dtype._scalar_name}'")
    if mean_is_tensor and std_is_tensor:
        np_dtype = _dtype.promote_types(mean.dtype, std.dtype).np
        data = gen._normal_tensor(mean._data, std._data, np_dtype)
    elif mean_is_tensor:
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
        np_dtype = mean._data.dtype
        # normal_(0, std) on a tensor shaped like mean, then add_(mean)
        data = gen._normal(mean._data.shape, np_dtype, 0.0, std) + mean._data
    else:
        np_dtype = std._data.dtype
        data = gen._normal_tensor(np.asarray(mean, np_dtype), std._data, np_dtype)
    result = _normal_result(np.asarray(data, np_dtype), out, requires_grad)
    inputs = (mean if mean_is_tensor else None, std if std_is_tensor else None)
    if _state.enabled and any(t is not None and t._requires_grad for t in inputs):
        node = (NormalBackward3 if mean_is_tensor and std_is_tensor
                else NormalBackward1 if mean_is_tensor else NormalBackward2)
        record(node, result, inputs)
    return result


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the rows of ``input`` (1-D or 2-D, non-negative weights)."""
    if not isinstance(num_samples, numbers.Integral):
        raise TypeError(f"multinomial(): argument 'num_samples' (position 2) must be int, "
                        f"not {type(num_samples).__name__}")
    if input.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{input.dtype._scalar_name}")
    data = _generator(generator)._multinomial(input._data, num_samples, replacement)
    result = Tensor._from_array(np.asarray(data, np.int64))
    if out is not None:
        out._data = result._data
        out._vc[0] += 1
        return out
    return result


def poisson(input, generator=None):
    """Poisson draws with rates ``input`` (NumPy's sampler: PyTorch's stream is not
    reproduced for this one distribution)."""
    if (input._data < 0).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    seed = _generator(generator)._draw(2)
    rng = np.random.default_rng(seed.astype(np.uint64))
    return Tensor._from_array(rng.poisson(input._data).astype(input._data.dtype))


# -- in-place fills (Tensor methods) ---------------------------------------------------------
def exponential_(self, lambd=1.0, *, generator=None):
    data = _generator(generator)._exponential(self._data.shape, self._data.dtype, lambd)
    return _fill_random(self, data)


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    data = _generator(generator)._cauchy(self._data.shape, self._data.dtype, median, sigma)
    return _fill_random(self, data)


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    data = _generator(generator)._log_normal(self._data.shape, self._data.dtype, mean, std)
    return _fill_random(self, data)


def geometric_(self, p, *, generator=None):
    data = _generator(generator)._geometric(self._data.shape, self._data.dtype, p)
    return _fill_random(self, data)


def _multinomial_method(self, num_samples, replacement=False, *, generator=None):
    return multinomial(self, num_samples, replacement, generator=generator)


METHODS = {"exponential_": exponential_, "cauchy_": cauchy_, "log_normal_": log_normal_,
           "geometric_": geometric_, "multinomial": _multinomial_method}
