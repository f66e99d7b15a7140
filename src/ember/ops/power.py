"""Powers: ``input ** exponent`` with a tensor or a Python number on either side.

PyTorch has three overloads, so three grad_fns: ``x ** 2`` is ``PowBackward0``, ``x ** y``
(tensors, including 0-d ones) ``PowBackward1``, and ``2 ** x`` ``PowBackward2``. Integer
powers follow PyTorch: a negative Python exponent is an error, a negative tensor exponent
gives 0 (or +-1 for a base of +-1), as integer division would.
"""

import cmath
import math

import numpy as np

from .._tensor import Tensor
from ._dispatch import Op, _state, broadcast_error, promote_operands, record, wrap
from .unary import not_implemented_for


class PowBackward0(Op):
    """self ** exponent, for a scalar exponent"""
    saves = (0,)
    formula = "d(a^n)/da = n a^(n-1)"

    def backward(self, grad):
        (a,) = self.saved_tensors
        n = self.ctx
        if n == 0:
            return wrap(np.zeros_like(grad._data))
        return grad * (a.pow(n - 1) * n)


class PowBackward1(Op):
    """self ** exponent, both tensors"""
    saves = (0, 1, "result")
    formula = "d(a^b)/da = b a^(b-1), d(a^b)/db = a^b ln(a)"

    def backward(self, grad):
        a, b, result = self.saved_tensors
        grad_a = grad_b = None
        if self.needs_input_grad(0):
            # b = 0 gives 0, not 0 * a^-1 (which is nan at a = 0).
            grad_a = (grad * (b * a.pow(b - 1))).masked_fill(b == 0, 0)
        if self.needs_input_grad(1):
            # ln(a) in the result's dtype: a negative real base has a complex logarithm.
            base = a if a.dtype is result.dtype else a.to(result.dtype)
            grad_b = _pow_exponent_grad(grad, a == 0, b, result, base.log())
        return grad_a, grad_b


class PowBackward2(Op):
    """base ** self, for a scalar base (``2 ** x``)"""
    saves = (0, "result")
    formula = "d(c^a)/da = c^a ln(c)"

    def backward(self, grad):
        exponent, result = self.saved_tensors
        base = self.ctx
        if result.dtype.is_complex:
            log_base = cmath.log(base) if base != 0 else -math.inf
        else:
            log_base = math.log(base) if base > 0 else (-math.inf if base == 0 else math.nan)
        return _pow_exponent_grad(grad, base == 0, exponent, result, log_base)


def _pow_exponent_grad(grad, base_is_zero, exponent, result, log_base):
    # 0 ** b for b >= 0 is constant in b: PyTorch masks the ln(0) away there.
    local = result * log_base
    mask = (exponent >= 0) & base_is_zero
    return grad * local.masked_fill(mask, 0)


def _integer_power(a, b):
    """Integer a ** b with PyTorch's answer for negative exponents (only +-1 survive)."""
    negative = b < 0
    if not np.any(negative):
        return np.power(a, b)
    result = np.power(a, np.where(negative, 0, b))
    odd = (b % 2) != 0
    fraction = np.where(a == 1, 1, np.where(a == -1, np.where(odd, -1, 1), 0))
    return np.where(negative, fraction, result).astype(result.dtype, copy=False)


def pow(input, exponent):
    """``input ** exponent``: a tensor or a scalar on either side."""
    if not isinstance(input, Tensor):
        if not isinstance(exponent, Tensor):
            raise TypeError(f"pow() received an invalid combination of arguments - got "
                            f"({type(input).__name__}, {type(exponent).__name__}), but "
                            "expected one of:")
        return _scalar_base_pow(input, exponent)
    if isinstance(exponent, Tensor):
        return _tensor_pow(input, exponent)
    if isinstance(exponent, np.generic):
        exponent = exponent.item()
    a, b, dtype, _ = promote_operands(input, exponent)
    if dtype.category == 1 and isinstance(exponent, int) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    out = wrap(np.asarray(np.power(a, b), dtype.np))
    if _state.enabled and input._requires_grad:
        record(PowBackward0, out, (input,), exponent)
    return out


def _tensor_pow(input, exponent):
    a, b, dtype, _ = promote_operands(input, exponent)
    if dtype.category == 0:
        raise not_implemented_for("pow", np.bool_)
    try:
        data = _integer_power(a, b) if dtype.category == 1 else np.power(a, b)
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None
    out = wrap(np.asarray(data, dtype.np))
    if _state.enabled and (input._requires_grad or exponent._requires_grad):
        record(PowBackward1, out, (input, exponent))
    return out


def _scalar_base_pow(base, exponent):
    if isinstance(base, np.generic):
        base = base.item()
    a, b, dtype, _ = promote_operands(exponent, base)
    if dtype.category == 0:
        raise not_implemented_for("pow", np.bool_)
    data = _integer_power(b, a) if dtype.category == 1 else np.power(b, a)
    out = wrap(np.asarray(data, dtype.np))
    if _state.enabled and exponent._requires_grad:
        record(PowBackward2, out, (exponent,), base)
    return out


__all__ = ["pow"]
INPLACE = {"pow_": pow}
