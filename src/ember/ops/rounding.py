"""Rounding and value cleanup: floor, ceil, round (with ``decimals``), trunc, frac, nan_to_num.

Rounding an integer tensor returns a copy of it, as PyTorch does; bool tensors are
refused with PyTorch's error. Rounding is a step function, so its gradient is zero.
"""

import numpy as np

from ._dispatch import Op, _state, record, wrap
from .unary import not_implemented_for


def zeros_like_grad(grad):
    """A zero gradient (PyTorch's ``zeros_like(grad)``: no nan from ``inf * 0``)."""
    return wrap(np.zeros_like(grad._data))


class _StepFunction(Op):
    formula = "d(step function)/da = 0"

    def backward(self, grad):
        return zeros_like_grad(grad)


class FloorBackward0(_StepFunction):
    __slots__ = ()


class CeilBackward0(_StepFunction):
    __slots__ = ()


class TruncBackward0(_StepFunction):
    __slots__ = ()


class RoundBackward0(_StepFunction):
    __slots__ = ()


class RoundBackward1(_StepFunction):
    __slots__ = ()


def _rounding(np_func, kernel, cls):
    def op(input):
        data = input._data
        if data.dtype == np.bool_:
            raise not_implemented_for(kernel, data.dtype)
        out = wrap(data.copy() if data.dtype.kind in "iu" else np_func(data))
        if _state.enabled and input._requires_grad:
            record(cls, out, (input,))
        return out
    op.__name__ = op.__qualname__ = kernel.split("_")[0]
    return op


floor = _rounding(np.floor, "floor_vml_cpu", FloorBackward0)
ceil = _rounding(np.ceil, "ceil_vml_cpu", CeilBackward0)
trunc = _rounding(np.trunc, "trunc_vml_cpu", TruncBackward0)
_round_half_even = _rounding(np.rint, "round_vml_cpu", RoundBackward0)


def round(input, *, decimals=0):
    """Round half to even; ``decimals`` scales by a power of ten first, as PyTorch does."""
    if decimals == 0:
        return _round_half_even(input)
    data = input._data
    if data.dtype.kind in "biu":
        raise not_implemented_for("round_cpu", data.dtype)
    # PyTorch divides by 10^-decimals for negative decimals rather than multiplying by a
    # rounded 10^decimals; the same order here gives the same floats.
    scale = data.dtype.type(10.0 ** abs(decimals))
    if decimals > 0:
        result = np.rint(data * scale)
        result /= scale
    else:
        result = np.rint(data / scale)
        result *= scale
    out = wrap(result)
    if _state.enabled and input._requires_grad:
        record(RoundBackward1, out, (input,))
    return out


class FracBackward0(Op):
    formula = "d(a - trunc a)/da = 1"

    def backward(self, grad):
        return grad


def frac(input):
    data = input._data
    if data.dtype.kind != "f":
        raise not_implemented_for("frac_cpu", data.dtype)
    out = wrap(data - np.trunc(data))
    if _state.enabled and input._requires_grad:
        record(FracBackward0, out, (input,))
    return out


class NanToNumBackward0(Op):
    saves = (0,)
    formula = "d(nan_to_num a)/da = 1 where a is finite, else 0"

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * a.isfinite()


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """nan -> ``nan``, +-inf -> ``posinf``/``neginf`` (default: the dtype's largest values)."""
    data = input._data
    if data.dtype.kind != "f":
        return wrap(data.copy())
    info = np.finfo(data.dtype)
    result = data.copy()
    result[np.isnan(data)] = nan
    result[np.isposinf(data)] = info.max if posinf is None else posinf
    result[np.isneginf(data)] = info.min if neginf is None else neginf
    out = wrap(result)
    if _state.enabled and input._requires_grad:
        record(NanToNumBackward0, out, (input,))
    return out


__all__ = ["floor", "ceil", "trunc", "round", "frac", "nan_to_num"]
ALIASES = {"fix": trunc}
INPLACE = {name + "_": globals()[name] for name in __all__}
INPLACE["fix_"] = trunc
