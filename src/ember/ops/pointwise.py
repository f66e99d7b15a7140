"""Arithmetic and comparisons: + - * / // % fmod, reciprocal, neg, and == != < <= > >=.

Each differentiable op is a graph node class (PyTorch's grad_fn name) with its forward on
arrays, what it saves, and its derivative in ember ops (so it is differentiable again under
``create_graph=True``). Broadcasting in forward is NumPy's; the engine sums broadcast
gradients back down, so no derivative here deals with shapes.

PyTorch names an op's node after the overload it ran: a Python scalar operand is "wrapped"
into a 0-d tensor for most ops (``x + 2`` is ``AddBackward0`` like ``x + y``), but not for
``remainder`` and ``fmod``, which have separate scalar overloads (``RemainderBackward0``
for ``x % 2``, ``RemainderBackward1`` for ``x % y``). ``**`` is in ``power.py``.
"""

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._dispatch import (
    Op,
    _state,
    as_tensor_operand,
    binary,
    broadcast_error,
    compare,
    float_data,
    plain_arrays,
    promote_operands,
    raw,
    record,
    wrap,
)
from .unary import not_implemented_for

# -- add, sub, mul, div -------------------------------------------------------------------


class AddBackward0(Op):
    """self + alpha * other"""
    formula = "d(a + alpha b)/da = 1, d(a + alpha b)/db = alpha"

    forward = staticmethod(np.add)  # the ufunc itself: no Python frame per call

    def backward(self, grad):
        alpha = self.ctx
        if alpha is None or not self.needs_input_grad(1):
            return grad, grad
        return grad, grad * alpha


class SubBackward0(Op):
    """self - alpha * other"""
    formula = "d(a - alpha b)/da = 1, d(a - alpha b)/db = -alpha"

    forward = staticmethod(np.subtract)  # the ufunc itself: no Python frame per call

    def backward(self, grad):
        if not self.needs_input_grad(1):
            return grad, None
        alpha = self.ctx
        return grad, (-grad if alpha is None else grad * -alpha)


class RsubBackward0(Op):
    """other - alpha * self, both tensors (``torch.rsub(x, y)``)"""
    formula = "d(b - alpha a)/da = -alpha, d(b - alpha a)/db = 1"

    def backward(self, grad):
        return grad * -self.ctx, grad


class RsubBackward1(Op):
    """other - alpha * self, for a scalar ``other`` (``2 - x``)"""
    formula = "d(c - alpha a)/da = -alpha"

    def backward(self, grad):
        return grad * -self.ctx


class MulBackward0(Op):
    """self * other"""
    saves = (0, 1)
    formula = "d(a*b)/da = b, d(a*b)/db = a"

    forward = staticmethod(np.multiply)  # the ufunc itself: no Python frame per call

    def backward(self, grad):
        a, b = self.saved_tensors
        edges = self.next_functions
        if plain_arrays(grad, a, b):
            g = grad._data
            return (wrap(g * raw(b)) if edges[0][0] is not None else None,
                    wrap(g * raw(a)) if edges[1][0] is not None else None)
        return (grad * b if edges[0][0] is not None else None,
                grad * a if edges[1][0] is not None else None)


class DivBackward0(Op):
    """self / other (true division)"""
    saves = (0, 1)
    formula = "d(a/b)/da = 1/b, d(a/b)/db = -a/b^2"

    forward = staticmethod(np.true_divide)  # the ufunc itself: no Python frame per call

    def backward(self, grad):
        a, b = self.saved_tensors
        return (grad / b if self.needs_input_grad(0) else None,
                -grad * a / (b * b) if self.needs_input_grad(1) else None)


class DivBackward2(Op):
    """div with rounding_mode='trunc' or 'floor': a step function of both inputs"""
    formula = "d(rounded a/b)/da = 0, d(rounded a/b)/db = 0"

    def backward(self, grad):
        zero = wrap(np.zeros_like(grad._data))
        return zero, zero


class NotImplementedBackward(Op):
    """An op PyTorch records but cannot differentiate (``floor_divide``, ``2 % x``)."""
    formula = "no derivative"

    def name(self):
        return "torch::autograd::NotImplemented"

    def backward(self, grad):
        raise RuntimeError(f"derivative for aten::{self.ctx} is not implemented")


class NegBackward0(Op):
    """-self"""
    formula = "d(-a)/da = -1"

    def backward(self, grad):
        return -grad


class ReciprocalBackward0(Op):
    """1 / self"""
    saves = ("result",)
    formula = "d(1/a)/da = -1/a^2"

    def backward(self, grad):
        (result,) = self.saved_tensors
        return -grad * (result * result)


add_tensors = binary(AddBackward0)
sub_tensors = binary(SubBackward0)
mul = binary(MulBackward0)
true_divide = binary(DivBackward0, float_result=True)


def _no_out(out, name):
    if out is not None:
        raise NotImplementedError(f"ember does not support the out= argument of {name} yet")


def _is_bool(value):
    if isinstance(value, Tensor):
        return value._data.dtype == np.bool_
    return isinstance(value, (bool, np.bool_))


def _check_bool_subtraction(input, other):
    if _is_bool(input) and _is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


def _check_alpha(dtype, alpha):
    if isinstance(alpha, bool) and dtype.category != 0:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if dtype.category < 2 and isinstance(alpha, float):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


def _with_alpha(cls, input, other, alpha):
    a, b, dtype, other_t = promote_operands(input, other)
    _check_alpha(dtype, alpha)
    try:
        data = cls.forward(a, b * alpha)
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None
    out = wrap(np.asarray(data, dtype.np))
    if _state.enabled and (input._requires_grad or (other_t is not None
                                                    and other_t._requires_grad)):
        record(cls, out, (input, other_t), alpha)
    return out


def add(input, other, *, alpha=1, out=None):
    _no_out(out, "add")
    if alpha == 1 and type(alpha) is int:
        return add_tensors(input, other)
    return _with_alpha(AddBackward0, input, other, alpha)


def sub(input, other, *, alpha=1, out=None):
    _no_out(out, "sub")
    _check_bool_subtraction(input, other)
    if alpha == 1 and type(alpha) is int:
        return sub_tensors(input, other)
    return _with_alpha(SubBackward0, input, other, alpha)


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    _check_bool_subtraction(input, other)
    a, b, dtype, other_t = promote_operands(input, other)
    _check_alpha(dtype, alpha)
    try:
        data = b - a * alpha if alpha != 1 else b - a
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None
    out = wrap(np.asarray(data, dtype.np))
    if other_t is None:
        if _state.enabled and input._requires_grad:
            record(RsubBackward1, out, (input,), alpha)
    elif _state.enabled and (input._requires_grad or other_t._requires_grad):
        record(RsubBackward0, out, (input, other_t), alpha)
    return out


def neg(input):
    data = input._data
    if data.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    out = wrap(np.negative(data))
    if _state.enabled and input._requires_grad:
        record(NegBackward0, out, (input,))
    return out


def reciprocal(input):
    out = wrap(np.reciprocal(float_data(input)))
    if _state.enabled and input._requires_grad:
        record(ReciprocalBackward0, out, (input,))
    return out


def rtruediv(input, other):
    """``other / input`` for a scalar ``other``: PyTorch computes ``input.reciprocal() * other``."""
    if isinstance(other, Tensor):
        return true_divide(other, input)
    return mul(reciprocal(input), other)


# -- rounded division, remainder, fmod ----------------------------------------------------
def _integer_operands(input, other, kernel):
    """Promoted operands; integer division by zero raises as PyTorch does."""
    if not isinstance(input, Tensor):
        input = wrap(np.asarray(input))
    a, b, dtype, other_t = promote_operands(input, other)
    if dtype.category == 0:
        raise not_implemented_for(kernel, np.bool_)
    if dtype.category == 1 and not np.all(b):
        raise RuntimeError("ZeroDivisionError")
    return input, a, b, dtype, other_t


def _trunc_divide(a, b):
    if np.result_type(a, b).kind == "f":
        return np.trunc(a / b)
    # Exact for integers: remove the truncated remainder, then divide evenly.
    return (a - np.fmod(a, b)) // b


def _rounded_divide(input, other, rounding_mode):
    kernel = "div_trunc_cpu" if rounding_mode == "trunc" else "div_floor_cpu"
    input, a, b, dtype, other_t = _integer_operands(input, other, kernel)
    try:
        data = _trunc_divide(a, b) if rounding_mode == "trunc" else np.floor_divide(a, b)
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None
    return input, wrap(np.asarray(data, dtype.np)), other_t


def div(input, other, *, rounding_mode=None, out=None):
    _no_out(out, "div")
    if rounding_mode is None:
        return true_divide(input, other)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    input, out, other_t = _rounded_divide(input, other, rounding_mode)
    if _state.enabled and (input._requires_grad
                           or (other_t is not None and other_t._requires_grad)):
        record(DivBackward2, out, (input, other_t))
    return out


def _not_differentiable(out, inputs, name):
    if _state.enabled and any(t is not None and t._requires_grad for t in inputs):
        record(NotImplementedBackward, out, inputs, name)
    return out


def floor_divide(input, other):
    """Division rounded toward negative infinity; PyTorch gives it no derivative."""
    input, out, other_t = _rounded_divide(input, other, "floor")
    return _not_differentiable(out, (input, other_t), "floor_divide")


class RemainderBackward0(Op):
    """self % scalar"""
    formula = "d(a mod c)/da = 1"

    def backward(self, grad):
        return grad


class RemainderBackward1(Op):
    """self % other, both tensors"""
    saves = (0, 1)
    formula = "d(a mod b)/da = 1, d(a mod b)/db = -floor(a/b)"

    def backward(self, grad):
        a, b = self.saved_tensors
        if not self.needs_input_grad(1):
            return grad, None
        return grad, -grad * div(a, b, rounding_mode="floor")


class FmodBackward0(Op):
    """fmod(self, scalar)"""
    formula = "d fmod(a, c)/da = 1"

    def backward(self, grad):
        return grad


class FmodBackward1(Op):
    """fmod(self, other), both tensors"""
    saves = (0, 1)
    formula = "d fmod(a, b)/da = 1, d fmod(a, b)/db = -trunc(a/b)"

    def backward(self, grad):
        a, b = self.saved_tensors
        if not self.needs_input_grad(1):
            return grad, None
        return grad, -grad * div(a, b, rounding_mode="trunc")


def _modulo_forward(np_func, kernel, input, other):
    input, a, b, dtype, other_t = _integer_operands(input, other, kernel)
    try:
        return input, wrap(np.asarray(np_func(a, b), dtype.np)), other_t
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None


def _modulo(np_func, kernel, scalar_cls, tensor_cls):
    def op(input, other):
        input, out, other_t = _modulo_forward(np_func, kernel, input, other)
        if other_t is None:
            if _state.enabled and input._requires_grad:
                record(scalar_cls, out, (input,))
        elif _state.enabled and (input._requires_grad or other_t._requires_grad):
            record(tensor_cls, out, (input, other_t))
        return out
    op.__name__ = op.__qualname__ = kernel[:-4]
    return op


def _remainder(a, b):
    """Python's modulus (the sign of the divisor), computed as PyTorch does from C's fmod
    (so a zero result keeps the dividend's sign, where NumPy's remainder takes the divisor's)."""
    if np.result_type(a, b).kind != "f":
        return np.remainder(a, b)
    mod = np.fmod(a, b)
    return np.where((mod != 0) & ((b < 0) != (mod < 0)), mod + b, mod)


# Python's modulus (the sign of the divisor) and C's fmod (the sign of the dividend).
remainder = _modulo(_remainder, "remainder_cpu", RemainderBackward0, RemainderBackward1)
fmod = _modulo(np.fmod, "fmod_cpu", FmodBackward0, FmodBackward1)


def _scalar_as_operand(input, other):
    """A Python number as the left operand of ``input``'s dtype promotion (weak, like PyTorch)."""
    if isinstance(other, Tensor):
        return other
    return as_tensor_operand(other, _dtype.result_type(input, other))


def rremainder(input, other):
    """``other % input`` for a scalar ``other`` (``2 % x``): PyTorch has no derivative."""
    other = _scalar_as_operand(input, other)
    other, out, input = _modulo_forward(_remainder, "remainder_cpu", other, input)
    return _not_differentiable(out, (other, input), "remainder")


def rfloor_divide(input, other):
    """``other // input`` for a scalar ``other``."""
    return floor_divide(_scalar_as_operand(input, other), input)


# -- comparisons (never differentiable) ---------------------------------------------------
eq = compare(np.equal, "eq")
ne = compare(np.not_equal, "ne")
lt = compare(np.less, "lt")
le = compare(np.less_equal, "le")
gt = compare(np.greater, "gt")
ge = compare(np.greater_equal, "ge")

__all__ = ["add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod",
           "neg", "rsub", "reciprocal", "eq", "ne", "lt", "le", "gt", "ge"]
FUNCTION_ONLY = ["rsub"]
ALIASES = {"multiply": mul, "subtract": sub, "divide": div, "negative": neg, "greater": gt,
           "less": lt, "greater_equal": ge, "less_equal": le, "not_equal": ne}
INPLACE = {"add_": add, "sub_": sub, "mul_": mul, "div_": div, "neg_": neg,
           "reciprocal_": reciprocal, "remainder_": remainder, "floor_divide_": floor_divide,
           "fmod_": fmod, "true_divide_": true_divide, "multiply_": mul, "subtract_": sub,
           "divide_": div, "negative_": neg, "eq_": eq, "ne_": ne, "lt_": lt, "le_": le,
           "gt_": gt, "ge_": ge, "greater_": gt, "less_": lt, "greater_equal_": ge,
           "less_equal_": le, "not_equal_": ne}
