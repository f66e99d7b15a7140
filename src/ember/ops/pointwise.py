"""Pointwise ops: each is a graph node class (PyTorch's grad_fn name), its forward on
arrays, what it saves, and its derivative written in ember ops (so it is differentiable
again under ``create_graph=True``).

Broadcasting in forward is NumPy's; the engine sums broadcast gradients back down, so no
derivative here deals with shapes.
"""

import numpy as np

from .._tensor import Tensor
from ._dispatch import (
    Op, _state, as_tensor_operand, binary, broadcast_error, compare, float_data,
    promote_operands, record, unary, wrap,
)

# -- arithmetic ---------------------------------------------------------------------------


class AddBackward0(Op):
    """self + alpha * other"""
    formula = "d(a+b)/da = 1, d(a+b)/db = 1"

    @staticmethod
    def forward(a, b):
        return a + b

    def backward(self, grad):
        alpha = self.ctx
        if alpha is None or not self.needs_input_grad(1):
            return grad, grad
        return grad, grad * alpha


class SubBackward0(Op):
    """self - alpha * other"""
    formula = "d(a-b)/da = 1, d(a-b)/db = -1"

    @staticmethod
    def forward(a, b):
        return a - b

    def backward(self, grad):
        if not self.needs_input_grad(1):
            return grad, None
        alpha = self.ctx
        return grad, (-grad if alpha is None else grad * -alpha)


class RsubBackward1(Op):
    """other - self, for a scalar ``other`` (``2 - x``)"""
    formula = "d(c-a)/da = -1"

    def backward(self, grad):
        return -grad


class MulBackward0(Op):
    """self * other"""
    saves = (0, 1)
    formula = "d(a*b)/da = b, d(a*b)/db = a"

    @staticmethod
    def forward(a, b):
        return a * b

    def backward(self, grad):
        a, b = self.saved_tensors
        edges = self.next_functions
        return (grad * b if edges[0][0] is not None else None,
                grad * a if edges[1][0] is not None else None)


class DivBackward0(Op):
    """self / other (true division)"""
    saves = (0, 1)
    formula = "d(a/b)/da = 1/b, d(a/b)/db = -a/b^2"

    @staticmethod
    def forward(a, b):
        return a / b

    def backward(self, grad):
        a, b = self.saved_tensors
        return (grad / b if self.needs_input_grad(0) else None,
                -grad * a / (b * b) if self.needs_input_grad(1) else None)


class NegBackward0(Op):
    """-self"""
    formula = "d(-a)/da = -1"

    @staticmethod
    def forward(a):
        return np.negative(a)

    def backward(self, grad):
        return -grad


class PowBackward0(Op):
    """self ** exponent, for a scalar exponent"""
    saves = (0,)
    formula = "d(a^n)/da = n * a^(n-1)"

    def backward(self, grad):
        (a,) = self.saved_tensors
        n = self.ctx
        if n == 0:
            return grad * 0
        return grad * n * a ** (n - 1)


class PowBackward1(Op):
    """self ** exponent, both tensors"""
    saves = (0, 1, "result")
    formula = "d(a^b)/da = b * a^(b-1), d(a^b)/db = a^b * ln(a)"

    @staticmethod
    def forward(a, b):
        return np.power(a, b)

    def backward(self, grad):
        a, b, result = self.saved_tensors
        grad_a = grad * b * a ** (b - 1)
        # 0 ** b for b >= 0 has derivative 0 in b (PyTorch masks ln(0) away there).
        mask = (a == 0) & (b >= 0)
        grad_b = grad * (result * a.log()).masked_fill(mask, 0)
        return grad_a, grad_b


class PowBackward2(Op):
    """base ** self, for a scalar base (``2 ** x``)"""
    saves = ("result",)
    formula = "d(c^a)/da = c^a * ln(c)"

    def backward(self, grad):
        (result,) = self.saved_tensors
        base = self.ctx
        if base == 0:
            return grad * (result * 0)
        return grad * result * float(np.log(base))


add_tensors = binary(AddBackward0)
sub_tensors = binary(SubBackward0)
mul = binary(MulBackward0)
true_divide = binary(DivBackward0, float_result=True)
neg = unary(NegBackward0, float_result=False)
pow_tensors = binary(PowBackward1)


def add(input, other, *, alpha=1, out=None):
    _no_out(out, "add")
    if alpha == 1:
        return add_tensors(input, other)
    return _with_alpha(AddBackward0, input, other, alpha)


def sub(input, other, *, alpha=1, out=None):
    _no_out(out, "sub")
    _check_bool_subtraction(input, other)
    if alpha == 1:
        return sub_tensors(input, other)
    return _with_alpha(SubBackward0, input, other, alpha)


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


def _with_alpha(cls, input, other, alpha):
    a, b, dtype, other_t = promote_operands(input, other)
    try:
        data = cls.forward(a, b * alpha)
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None
    out = wrap(np.asarray(data, dtype.np))
    if _state.enabled and (input._requires_grad or (other_t is not None
                                                    and other_t._requires_grad)):
        record(cls, out, (input, other_t), alpha)
    return out


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``; with a Tensor ``other`` this is just ``sub``."""
    _check_bool_subtraction(input, other)
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    a, b, dtype, _ = promote_operands(input, other)
    out = wrap(np.asarray(b - a * alpha, dtype.np))
    if _state.enabled and input._requires_grad:
        record(RsubBackward1, out, (input,), alpha)
    return out


def div(input, other, *, rounding_mode=None, out=None):
    _no_out(out, "div")
    if rounding_mode is None:
        return true_divide(input, other)
    if rounding_mode == "trunc":
        from .unary import trunc
        result = true_divide(input, other) if _is_float(input, other) else None
        if result is not None:
            return trunc(result)
        a, b, dtype, _ = promote_operands(input, other)
        return wrap(np.asarray(np.trunc(np.true_divide(a, b)), dtype.np))
    if rounding_mode == "floor":
        return floor_divide(input, other)
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                       f"found '{rounding_mode}'")


def _is_float(input, other):
    kinds = input._data.dtype.kind + (other._data.dtype.kind if isinstance(other, Tensor)
                                      else ("f" if isinstance(other, float) else "i"))
    return "f" in kinds


def floor_divide(input, other):
    """Division rounded toward negative infinity; not differentiable (as in PyTorch)."""
    a, b, dtype, _ = promote_operands(input, other)
    if dtype.category < 2 and np.any(np.asarray(b) == 0):
        raise RuntimeError("ZeroDivisionError")
    with np.errstate(divide="ignore", invalid="ignore"):
        return wrap(np.asarray(np.floor_divide(a, b), dtype.np))


def remainder(input, other):
    """Python-style modulus (sign of the divisor); gradient 1 for ``input``."""
    a, b, dtype, other_t = promote_operands(input, other)
    if dtype.category < 2 and np.any(np.asarray(b) == 0):
        raise RuntimeError("ZeroDivisionError")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = wrap(np.asarray(np.mod(a, b), dtype.np))
    if _state.enabled and input._requires_grad:
        if other_t is None:
            other_t = as_tensor_operand(other, dtype)
        record(RemainderBackward0, out, (input, other_t))
    return out


class RemainderBackward0(Op):
    """self % other"""
    saves = (0, 1)
    formula = "d(a mod b)/da = 1, d(a mod b)/db = -floor(a/b)"

    def backward(self, grad):
        a, b = self.saved_tensors
        return grad, -grad * floor_divide(a, b)


def pow(input, exponent):
    """``input ** exponent``: tensor or scalar on either side."""
    if isinstance(exponent, Tensor):
        if not isinstance(input, Tensor):
            return _scalar_pow(input, exponent)
        return pow_tensors(input, exponent)
    if isinstance(exponent, np.generic):
        exponent = exponent.item()
    a, b, dtype, _ = promote_operands(input, exponent)
    if dtype.category == 1 and isinstance(exponent, int) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = wrap(np.asarray(np.power(a, b), dtype.np))
    if _state.enabled and input._requires_grad:
        record(PowBackward0, out, (input,), exponent)
    return out


def _scalar_pow(base, exponent):
    a, b, dtype, _ = promote_operands(exponent, base)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = wrap(np.asarray(np.power(b, a), dtype.np))
    if _state.enabled and exponent._requires_grad:
        record(PowBackward2, out, (exponent,), base)
    return out


def reciprocal(input):
    with np.errstate(divide="ignore"):
        out = wrap(np.reciprocal(float_data(input)))
    if _state.enabled and input._requires_grad:
        record(ReciprocalBackward0, out, (input,))
    return out


class ReciprocalBackward0(Op):
    """1 / self"""
    saves = ("result",)
    formula = "d(1/a)/da = -1/a^2"

    def backward(self, grad):
        (result,) = self.saved_tensors
        return -grad * result * result


def rtruediv(input, other):
    """``other / input`` for a scalar ``other``: PyTorch computes ``input.reciprocal() * other``."""
    if isinstance(other, Tensor):
        return true_divide(other, input)
    return mul(reciprocal(input), other)


def _no_out(out, name):
    if out is not None:
        raise NotImplementedError(f"ember does not support the out= argument of {name} yet")


# -- comparisons (never differentiable) ---------------------------------------------------
eq = compare(np.equal, "eq")
ne = compare(np.not_equal, "ne")
lt = compare(np.less, "lt")
le = compare(np.less_equal, "le")
gt = compare(np.greater, "gt")
ge = compare(np.greater_equal, "ge")

__all__ = ["add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "neg",
           "pow", "rsub", "reciprocal", "eq", "ne", "lt", "le", "gt", "ge"]
FUNCTION_ONLY = ["rtruediv"]
ALIASES = {"multiply": mul, "subtract": sub, "divide": div, "negative": neg, "greater": gt,
           "less": lt, "greater_equal": ge, "less_equal": le, "not_equal": ne}
INPLACE = {"add_": add, "sub_": sub, "mul_": mul, "div_": div, "pow_": pow, "neg_": neg,
           "reciprocal_": reciprocal, "remainder_": remainder, "floor_divide_": floor_divide,
           "true_divide_": true_divide, "multiply_": mul, "subtract_": sub, "divide_": div}
