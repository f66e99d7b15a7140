"""PyTorch's C++ arithmetic with a number (the ``Scalar`` overloads): ``AddBackward1``,
``SubBackward1``, ``MulBackward1``, ``DivBackward1``.

From Python, ``x * 2`` records ``MulBackward0`` (the number is wrapped as a tensor); PyTorch's
own composites (losses, ``trapezoid``, ``pairwise_distance``) call the Scalar overloads and
record these nodes. Building those composites from the functions here makes their graphs
read as PyTorch's.
"""

import numpy as np

from .. import _dtype
from ._dispatch import Op, _state, as_tensor_operand, promote_operands, record, wrap
from .pointwise import sub


class AddBackward1(Op):
    """self + scalar"""
    formula = "d(a + c)/da = 1"

    def backward(self, grad):
        return grad


class SubBackward1(Op):
    """self - scalar"""
    formula = "d(a - c)/da = 1"

    def backward(self, grad):
        return grad


class MulBackward1(Op):
    """self * scalar"""
    formula = "d(a * c)/da = c"

    def backward(self, grad):
        return grad * self.ctx


class DivBackward1(Op):
    """self / scalar"""
    formula = "d(a / c)/da = 1 / c"

    def backward(self, grad):
        return grad / self.ctx


def _scalar_op(cls, np_func, input, scalar):
    # PyTorch's promotion with a number (an integer tensor plus a float is a float).
    a, b, dtype, _ = promote_operands(input, scalar)
    out = wrap(np.asarray(np_func(a, dtype.np.type(b)), dtype.np))
    if _state.enabled and input._requires_grad:
        record(cls, out, (input,), scalar)
    return out


def add_scalar(input, scalar):
    return _scalar_op(AddBackward1, np.add, input, scalar)


def sub_scalar(input, scalar):
    return _scalar_op(SubBackward1, np.subtract, input, scalar)


def mul_scalar(input, scalar):
    return _scalar_op(MulBackward1, np.multiply, input, scalar)


def div_scalar(input, scalar):
    return _scalar_op(DivBackward1, np.divide, input, scalar)


def rsub_scalar(scalar, input):
    """``scalar - input`` as C++ spells it (``SubBackward0`` over a wrapped number)."""
    return sub(as_tensor_operand(scalar, _dtype._BY_NUMPY[input._data.dtype]), input)
