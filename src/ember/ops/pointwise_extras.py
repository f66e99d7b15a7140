"""Less common pointwise ops: xlogy, float_power, deg2rad, rad2deg, sinc, signbit,
heaviside, positive, ldexp, nextafter, gcd, lcm, frexp.

Integer inputs promote to the default float where PyTorch's op is a float op (xlogy, sinc,
deg2rad, ldexp); ``float_power`` computes in double (``to(float64)`` then ``pow``, so its
graph reads ``PowBackward*`` over ``ToCopyBackward0``, as in PyTorch).
"""

import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._dispatch import (
    Op,
    _state,
    broadcast_error,
    float_data,
    promote_operands,
    record,
    record_multi,
    wrap,
)
from ._return_types import frexp as _frexp_result
from .binary_math import require_tensor
from .pointwise import NotImplementedBackward
from .unary import not_implemented_for


def _errstate():
    return np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore")


# -- xlogy ----------------------------------------------------------------------------------
def _xlogy_array(a, b):
    with _errstate():
        out = a * np.log(b)
    # x * log(y) is 0 where x == 0, unless y is nan.
    return np.where((a == 0) & ~np.isnan(b), np.zeros((), out.dtype), out)


class XlogyBackward0(Op):
    saves = (0, 1)
    formula = "d x*log(y)/dx = log(y) (0 where x == 0 and y <= 0), d/dy = x/y"

    def backward(self, grad):
        x, y = self.saved_tensors
        grad_x = grad_y = None
        if self.needs_input_grad(0):
            grad_x = xlogy(grad, y).masked_fill((x == 0) & (y <= 0), 0.0)
        if self.needs_input_grad(1):
            grad_y = grad * x / y
        return grad_x, grad_y


class XlogyBackward1(XlogyBackward0):
    """``xlogy(number, tensor)``."""


class XlogyBackward2(XlogyBackward0):
    """``xlogy(tensor, number)``."""


def xlogy(input, other):
    """``input * log(other)``, and 0 where ``input`` is 0 (unless ``other`` is nan)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("xlogy(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    if isinstance(input, Tensor):
        a, b, dtype, _ = promote_operands(input, other, float_result=True)
    else:
        b, a, dtype, _ = promote_operands(other, input, float_result=True)
    try:
        out = wrap(_xlogy_array(np.asarray(a, dtype.np), np.asarray(b, dtype.np)))
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None
    if _state.enabled:
        needs = [isinstance(t, Tensor) and t._requires_grad for t in (input, other)]
        if any(needs):
            cls = (XlogyBackward0 if isinstance(input, Tensor) and isinstance(other, Tensor)
                   else XlogyBackward2 if isinstance(input, Tensor) else XlogyBackward1)
            # A number operand is saved as a constant tensor (it has no graph edge).
            x = input if isinstance(input, Tensor) else wrap(np.asarray(a))
            y = other if isinstance(other, Tensor) else wrap(np.asarray(b))
            record(cls, out, (x, y))
    return out


# -- float_power ----------------------------------------------------------------------------
def float_power(input, exponent):
    """``input ** exponent`` computed in double (complex128 for complex operands)."""
    complex_ = any(isinstance(v, Tensor) and v.dtype.is_complex or isinstance(v, complex)
                   for v in (input, exponent))
    wide = _dtype.complex128 if complex_ else _dtype.float64
    base = input.to(wide) if isinstance(input, Tensor) else input
    power = exponent.to(wide) if isinstance(exponent, Tensor) else exponent
    if not isinstance(base, Tensor):
        from .power import pow
        return pow(float(base) if not complex_ else complex(base), power)
    return base.pow(power)


def _float_power_inplace(input, exponent):
    if input.dtype is not _dtype.float64 and not input.dtype.is_complex:
        raise RuntimeError(f"the base given to float_power_ has dtype {input.dtype._scalar_name}"
                           " but the operation's result requires dtype Double")
    return float_power(input, exponent)


# -- angles and sinc ------------------------------------------------------------------------
class Deg2RadBackward0(Op):
    formula = "d deg2rad(x)/dx = pi/180"

    def backward(self, grad):
        return grad * (math.pi / 180)


class Rad2DegBackward0(Op):
    formula = "d rad2deg(x)/dx = 180/pi"

    def backward(self, grad):
        return grad * (180 / math.pi)


def _scaled(cls, factor, name):
    def op(input):
        if input.dtype.is_complex:
            raise RuntimeError(f"{name} is not supported for complex tensors.")
        data = float_data(input)
        out = wrap(data * data.dtype.type(factor))
        if _state.enabled and input._requires_grad:
            record(cls, out, (input,))
        return out
    op.__name__ = op.__qualname__ = name
    return op


deg2rad = _scaled(Deg2RadBackward0, math.pi / 180, "deg2rad")
rad2deg = _scaled(Rad2DegBackward0, 180 / math.pi, "rad2deg")


class SincBackward0(Op):
    saves = (0,)
    formula = "d sin(pi x)/(pi x)/dx = (cos(pi x) - sinc(x))/x (0 at x = 0)"

    def backward(self, grad):
        (x,) = self.saved_tensors
        at_zero = x == 0
        pix = (x * math.pi).masked_fill(at_zero, 1.0)  # no 0/0: the slope at 0 is 0
        slope = (pix.cos() * math.pi - sinc(x) * math.pi) / pix
        return grad * slope.masked_fill(at_zero, 0.0)


def sinc(input):
    """``sin(pi x) / (pi x)``, 1 at 0."""
    data = float_data(input)
    with _errstate():
        out = wrap(np.sinc(data).astype(data.dtype, copy=False))
    if _state.enabled and input._requires_grad:
        record(SincBackward0, out, (input,))
    return out


# -- sign bits, steps, identity --------------------------------------------------------------
def signbit(input):
    """True where the sign bit is set (``-0.0`` included)."""
    if input.dtype.is_complex:
        raise RuntimeError("signbit is not implemented for complex tensors.")
    return wrap(np.signbit(input._data))


def heaviside(input, values):
    """0 where ``input < 0``, 1 where ``input > 0``, ``values`` where ``input == 0``."""
    require_tensor("heaviside", values, "values")
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different "
                           "dtypes.")
    if input.dtype.is_complex:
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    a, v = input._data, values._data
    try:
        data = np.where(a == 0, v, (a > 0).astype(a.dtype))
    except ValueError:
        raise broadcast_error(a.shape, v.shape) from None
    out = wrap(data.astype(a.dtype, copy=False))
    if _state.enabled and (input._requires_grad or values._requires_grad):
        record(NotImplementedBackward, out, (input, values), "heaviside")
    return out


def positive(input):
    """``input`` itself (a bool tensor is an error, as in PyTorch)."""
    if input.dtype is _dtype.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


# -- exponents -------------------------------------------------------------------------------
def _powers_of_two(exponent, np_dtype):
    """``2 ** exponent`` for an integer exponent, as PyTorch's ldexp derivative computes it:
    in integers, so an exponent below 0 gives 0, not a fraction."""
    exponent = exponent.astype(np.int64)
    return np.where(exponent >= 0, np.left_shift(1, np.clip(exponent, 0, 63)),
                    0).astype(np_dtype)


class LdexpBackward0(Op):
    saves = (1, "result")
    formula = "d x*2^e/dx = 2^e, d/de = result*ln(2)"

    def backward(self, grad):
        exponent, result = self.saved_tensors
        grad_input = grad_exponent = None
        if self.needs_input_grad(0):
            if exponent.dtype.is_floating_point:  # differentiable in e, for double backward
                grad_input = grad * exponent.exp2()
            else:
                grad_input = grad * wrap(_powers_of_two(exponent._data, grad._data.dtype))
        if self.needs_input_grad(1):
            grad_exponent = grad * result * math.log(2)
        return grad_input, grad_exponent


def ldexp(input, other):
    """``input * 2 ** other``."""
    require_tensor("ldexp", other)
    _, _, dtype, _ = promote_operands(input, other, float_result=True)
    data = float_data(input).astype(dtype.np, copy=False)
    try:
        with _errstate():
            out = wrap(data * np.exp2(other._data.astype(dtype.np)))
    except ValueError:
        raise broadcast_error(input._data.shape, other._data.shape) from None
    if _state.enabled and (input._requires_grad or other._requires_grad):
        record(LdexpBackward0, out, (input, other))
    return out


class NextafterBackward0(Op):
    formula = "d nextafter(x, y)/dx = 1, d/dy = 0"

    def backward(self, grad):
        return (grad if self.needs_input_grad(0) else None,
                grad * 0 if self.needs_input_grad(1) else None)


def nextafter(input, other):
    """The next representable value after ``input`` towards ``other``."""
    require_tensor("nextafter", other)
    a, b, dtype, _ = promote_operands(input, other)
    if not dtype.is_floating_point:
        raise not_implemented_for("nextafter_cpu", dtype.np)
    try:
        out = wrap(np.nextafter(a, b))
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    if _state.enabled and (input._requires_grad or other._requires_grad):
        record(NextafterBackward0, out, (input, other))
    return out


class FrexpBackward0(Op):
    saves = (0,)
    formula = "d mantissa/dx = 2^-exponent"

    def backward(self, grad, _grad_exponent=None):
        (x,) = self.saved_tensors
        # The exponent is piecewise constant in x: a constant factor, whatever the order.
        return grad * wrap(np.ldexp(np.ones((), x._data.dtype), -np.frexp(x._data)[1]))


def frexp(input):
    """``(mantissa, exponent)`` with ``input = mantissa * 2 ** exponent``."""
    if not input.dtype.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    mantissa, exponent = np.frexp(input._data)
    results = (wrap(mantissa), wrap(exponent.astype(np.int32)))
    if _state.enabled and input._requires_grad:
        record_multi(FrexpBackward0, results, (input,), differentiable=(0,))
    return _frexp_result(*results)


# -- integer number theory -------------------------------------------------------------------
def _integer_pair(name, np_func):
    def op(input, other):
        require_tensor(name, other)
        a, b, dtype, _ = promote_operands(input, other)
        if dtype.category != 1:
            raise not_implemented_for(f"{name}_cpu", dtype.np)
        try:
            return wrap(np_func(a, b).astype(dtype.np, copy=False))
        except ValueError:
            raise broadcast_error(np.shape(a), np.shape(b)) from None
    op.__name__ = op.__qualname__ = name
    return op


gcd = _integer_pair("gcd", np.gcd)
lcm = _integer_pair("lcm", np.lcm)


__all__ = ["xlogy", "float_power", "deg2rad", "rad2deg", "sinc", "signbit", "heaviside",
           "positive", "ldexp", "nextafter", "gcd", "lcm", "frexp"]
INPLACE = {"xlogy_": xlogy, "float_power_": _float_power_inplace, "deg2rad_": deg2rad,
           "rad2deg_": rad2deg, "sinc_": sinc, "heaviside_": heaviside, "ldexp_": ldexp,
           "nextafter_": nextafter, "gcd_": gcd, "lcm_": lcm}
