"""Ops that pick between values: maximum/minimum, fmax/fmin, where, and the clamp family.

Their derivatives route the gradient to whichever input was picked. PyTorch's tie rules:
``maximum``/``minimum`` split a tie evenly, ``fmax``/``fmin`` give it to ``input``; where a
``maximum`` input is nan (so the result is nan) both inputs receive the gradient.
"""

import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._dispatch import Op, _state, as_tensor_operand, broadcast_error, record, wrap
from .binary_math import require_tensor
from .unary import not_implemented_for


def _grad_halved_on_ties(grad, a, b):
    return grad.masked_fill(a == b, 0) + (grad * 0.5).masked_fill(a != b, 0)


class MaximumBackward0(Op):
    saves = (0, 1)
    formula = "d max(a,b)/da = 1 where a > b, 1/2 where a == b, else 0"
    forward = staticmethod(np.maximum)

    def backward(self, grad):
        a, b = self.saved_tensors
        shared = _grad_halved_on_ties(grad, a, b)
        return shared.masked_fill(a < b, 0), shared.masked_fill(a > b, 0)


class MinimumBackward0(Op):
    saves = (0, 1)
    formula = "d min(a,b)/da = 1 where a < b, 1/2 where a == b, else 0"
    forward = staticmethod(np.minimum)

    def backward(self, grad):
        a, b = self.saved_tensors
        shared = _grad_halved_on_ties(grad, a, b)
        return shared.masked_fill(a > b, 0), shared.masked_fill(a < b, 0)


class FmaxBackward0(Op):
    saves = (0, 1)
    formula = "d fmax(a,b)/da = 1 where a >= b or b is nan, else 0"
    forward = staticmethod(np.fmax)

    def backward(self, grad):
        a, b = self.saved_tensors
        picked = (a >= b) | b.isnan()
        return grad.masked_fill(~picked, 0), grad.masked_fill(picked, 0)


class FminBackward0(Op):
    saves = (0, 1)
    formula = "d fmin(a,b)/da = 1 where a <= b or b is nan, else 0"
    forward = staticmethod(np.fmin)

    def backward(self, grad):
        a, b = self.saved_tensors
        picked = (a <= b) | b.isnan()
        return grad.masked_fill(~picked, 0), grad.masked_fill(picked, 0)


def _tensor_pair(cls, name):
    def op(input, other):
        require_tensor(name, input, "input", 1)
        require_tensor(name, other)
        a, b = input._data, other._data
        if a.dtype != b.dtype:
            dtype = _dtype.result_type(input, other).np
            a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
        try:
            out = wrap(cls.forward(a, b))
        except ValueError:
            raise broadcast_error(a.shape, b.shape) from None
        if _state.enabled and (input._requires_grad or other._requires_grad):
            record(cls, out, (input, other))
        return out
    op.__name__ = op.__qualname__ = name
    return op


maximum = _tensor_pair(MaximumBackward0, "maximum")
minimum = _tensor_pair(MinimumBackward0, "minimum")
fmax = _tensor_pair(FmaxBackward0, "fmax")
fmin = _tensor_pair(FminBackward0, "fmin")


# -- where --------------------------------------------------------------------------------
class WhereBackward0(Op):
    formula = "d where(c, a, b)/da = c, d/db = not c"

    def backward(self, grad):
        condition = self.ctx
        return (grad.masked_fill(~condition, 0) if self.needs_input_grad(0) else None,
                grad.masked_fill(condition, 0) if self.needs_input_grad(1) else None)


def where(condition, input=None, other=None):
    """``input`` where ``condition`` holds, else ``other`` (either may be a Python number)."""
    if input is None and other is None:
        from .logical import nonzero
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor) or condition._data.dtype.kind not in "bu" or (
            condition._data.dtype.kind == "u" and condition._data.dtype != np.uint8):
        dtype = condition.dtype._legacy_name[:-6] if isinstance(condition, Tensor) else None
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {dtype}")
    if condition._data.dtype == np.uint8:
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and "
                      "will be removed in a future version of PyTorch. Use a boolean condition "
                      "instead.", UserWarning, stacklevel=2)
        condition = wrap(condition._data.astype(bool))
    dtype = _dtype.result_type(input, other)
    input_t = input if isinstance(input, Tensor) else as_tensor_operand(input, dtype)
    other_t = other if isinstance(other, Tensor) else as_tensor_operand(other, dtype)
    a = input_t._data.astype(dtype.np, copy=False)
    b = other_t._data.astype(dtype.np, copy=False)
    try:
        out = wrap(np.where(condition._data, a, b))
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    if _state.enabled and (input_t._requires_grad or other_t._requires_grad):
        record(WhereBackward0, out, (input_t, other_t), condition)
    return out


# -- clamp --------------------------------------------------------------------------------
class ClampBackward1(Op):
    """clamp(self, min, max) with scalar bounds"""
    saves = (0,)
    formula = "d clamp(a)/da = 1 inside [min, max], else 0"

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad.masked_fill(~_inside(a, *self.ctx), 0)


def _inside(a, low, high):
    if low is None:
        return a <= high
    if high is None:
        return a >= low
    return (a >= low) & (a <= high)


class ClampBackward0(Op):
    """clamp(self, min, max) with tensor bounds (either may be None)"""
    saves = (0, 1, 2)
    formula = "d clamp(a, lo, hi)/da = 1 inside [lo, hi], /dlo = 1 below lo, /dhi = 1 above hi"

    def backward(self, grad):
        a, low, high = self.saved_tensors
        grad_a = grad_low = grad_high = None
        if self.needs_input_grad(0):
            grad_a = grad.masked_fill(~_inside(a, low, high), 0)
        if low is not None and self.needs_input_grad(1):
            # Where min > max the result is max, so min gets nothing there.
            below = a < low if high is None else (a < low) & (low < high)
            grad_low = grad.masked_fill(~below, 0)
        if high is not None and self.needs_input_grad(2):
            above = a > high if low is None else (a > high) | (high < low)
            grad_high = grad.masked_fill(~above, 0)
        return grad_a, grad_low, grad_high


class ClampMinBackward0(Op):
    saves = (0,)
    formula = "d max(a, c)/da = 1 where a >= c"

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad.masked_fill(~(a >= self.ctx), 0)


class ClampMinBackward1(Op):
    saves = (0, 1)
    formula = "d max(a, lo)/da = 1 where a >= lo, d/dlo = 1 where a < lo"

    def backward(self, grad):
        a, low = self.saved_tensors
        kept = a >= low
        return grad.masked_fill(~kept, 0), grad.masked_fill(~(a < low), 0)


class ClampMaxBackward0(Op):
    saves = (0,)
    formula = "d min(a, c)/da = 1 where a <= c"

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad.masked_fill(~(a <= self.ctx), 0)


class ClampMaxBackward1(Op):
    saves = (0, 1)
    formula = "d min(a, hi)/da = 1 where a <= hi, d/dhi = 1 where a > hi"

    def backward(self, grad):
        a, high = self.saved_tensors
        kept = a <= high
        return grad.masked_fill(~kept, 0), grad.masked_fill(~(a > high), 0)


def _clamp_data(input, low, high, kernel=None):
    """The clamped array, in the promoted dtype of the input and the bounds."""
    data = input._data
    if data.dtype.kind == "f" and type(low) in _NUMBERS and type(high) in _NUMBERS:
        # The common case, float tensor and Python-number bounds: no promotion to work out.
        result = np.empty_like(data)
        if low is None:
            np.minimum(data, high, out=result)
        else:
            np.maximum(data, low, out=result)
            if high is not None:
                np.minimum(result, high, out=result)
        return wrap(result)
    bounds = [b for b in (low, high) if b is not None]
    dtype = _dtype.result_type(input, *bounds).np
    if dtype == np.bool_ and kernel is not None:
        raise not_implemented_for(kernel, dtype)
    data = data.astype(dtype, copy=False)
    low = low._data.astype(dtype, copy=False) if isinstance(low, Tensor) else low
    high = high._data.astype(dtype, copy=False) if isinstance(high, Tensor) else high
    try:
        # max then min, as PyTorch: min > max gives max, and a nan anywhere stays nan.
        result = data if low is None else np.maximum(data, low, dtype=dtype)
        if high is not None:
            result = np.minimum(result, high, dtype=dtype)
    except ValueError:
        other = low if low is not None else high
        raise broadcast_error(data.shape, np.shape(other)) from None
    return wrap(result if result is not data else data.copy())


_NUMBERS = (int, float, type(None))


def clamp(input, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    tensors = isinstance(min, Tensor), isinstance(max, Tensor)
    if any(tensors) and not all(t or b is None for t, b in zip(tensors, (min, max))):
        raise TypeError("clamp() received an invalid combination of arguments - got (Tensor, "
                        f"{type(min).__name__ if not tensors[0] else 'Tensor'}, "
                        f"{type(max).__name__ if not tensors[1] else 'Tensor'}), but expected "
                        "one of:")
    if any(tensors):
        kernel = "clamp_cpu" if all(tensors) else None
    else:
        kernel = "clamp_min_scalar_cpu" if max is None else (
            "clamp_max_scalar_cpu" if min is None else "clamp_scalar_cpu")
    out = _clamp_data(input, min, max, kernel)
    if not _state.enabled:
        return out
    if any(tensors):
        if input._requires_grad or any(t is not None and t._requires_grad for t in (min, max)):
            record(ClampBackward0, out, (input, min, max))
    elif input._requires_grad:
        record(ClampBackward1, out, (input,), (min, max))
    return out


def _one_sided(scalar_cls, tensor_cls, name):
    def op(input, bound):
        kernel = None if isinstance(bound, Tensor) else f"{name}_scalar_cpu"
        out = _clamp_data(input, bound, None, kernel) if name == "clamp_min" else \
            _clamp_data(input, None, bound, kernel)
        if not _state.enabled:
            return out
        if isinstance(bound, Tensor):
            if input._requires_grad or bound._requires_grad:
                record(tensor_cls, out, (input, bound))
        elif input._requires_grad:
            record(scalar_cls, out, (input,), bound)
        return out
    op.__name__ = op.__qualname__ = name
    return op


clamp_min = _one_sided(ClampMinBackward0, ClampMinBackward1, "clamp_min")
clamp_max = _one_sided(ClampMaxBackward0, ClampMaxBackward1, "clamp_max")

__all__ = ["maximum", "minimum", "fmax", "fmin", "where", "clamp", "clamp_min", "clamp_max"]
ALIASES = {"clip": clamp}
INPLACE = {"clamp_": clamp, "clamp_min_": clamp_min, "clamp_max_": clamp_max, "clip_": clamp}
