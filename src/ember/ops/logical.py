"""Logical and bitwise ops, float classification (isnan...), closeness tests, nonzero.

None of these is differentiable. Bitwise ops take integer or bool tensors (and Python ints);
logical ops take any dtype and give bool. Shifts follow PyTorch, not C: shifting by the
bit width or more (or by a negative amount) gives 0, or -1 for a negative value shifted right.
"""

import numpy as np

from .. import _dtype
from ._dispatch import broadcast_error, promote_operands, wrap
from .binary_math import require_tensor
from .unary import not_implemented_for


def _integer_binary(np_func, name, kernel):
    def op(input, other):
        if not hasattr(input, "_data"):
            input = wrap(np.asarray(input))
        a, b, dtype, _ = promote_operands(input, other)
        if dtype.category > 1:
            raise not_implemented_for(kernel, dtype.np)
        try:
            return wrap(np.asarray(np_func(a, b), dtype.np))
        except ValueError:
            raise broadcast_error(np.shape(a), np.shape(b)) from None
    op.__name__ = op.__qualname__ = name
    return op


bitwise_and = _integer_binary(np.bitwise_and, "bitwise_and", "bitwise_and_cpu")
bitwise_or = _integer_binary(np.bitwise_or, "bitwise_or", "bitwise_or_cpu")
bitwise_xor = _integer_binary(np.bitwise_xor, "bitwise_xor", "bitwise_xor_cpu")


def _out_of_range(a, b):
    bits = np.asarray(a).dtype.itemsize * 8
    return (b < 0) | (b >= bits), np.clip(b, 0, bits - 1)


def _left_shift(a, b):
    if np.asarray(a).dtype == np.bool_:
        raise not_implemented_for("lshift_cpu", np.bool_)
    too_far, b = _out_of_range(a, b)
    return np.where(too_far, 0, np.left_shift(a, b))


def _right_shift(a, b):
    if np.asarray(a).dtype == np.bool_:
        raise not_implemented_for("rshift_cpu", np.bool_)
    too_far, b = _out_of_range(a, b)
    return np.where(too_far, np.where(a < 0, -1, 0), np.right_shift(a, b))


bitwise_left_shift = _integer_binary(_left_shift, "bitwise_left_shift", "lshift_cpu")
bitwise_right_shift = _integer_binary(_right_shift, "bitwise_right_shift", "rshift_cpu")


def bitwise_not(input):
    data = input._data
    if data.dtype.kind == "f":
        raise not_implemented_for("bitwise_not_cpu", data.dtype)
    return wrap(np.invert(data))


def invert(input):
    """``~input``: like ``bitwise_not``, but the operator's own error for float tensors."""
    if input._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(input)


def _logical(np_func, name):
    def op(input, other):
        require_tensor(name, other)
        a, b = input._data, other._data
        try:
            return wrap(np_func(a, b))
        except ValueError:
            raise broadcast_error(a.shape, b.shape) from None
    op.__name__ = op.__qualname__ = name
    return op


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input):
    return wrap(np.logical_not(input._data))


def isnan(input):
    return wrap(np.isnan(input._data))


def isinf(input):
    return wrap(np.isinf(input._data))


def isfinite(input):
    return wrap(np.isfinite(input._data))


def isposinf(input):
    return wrap(np.isposinf(input._data))


def isneginf(input):
    return wrap(np.isneginf(input._data))


# -- closeness ------------------------------------------------------------------------------
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|input - other| <= atol + rtol * |other|``, elementwise (or exactly equal)."""
    require_tensor("isclose", other)
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"{input.dtype._legacy_name[:-6]} did not match "
                           f"{other.dtype._legacy_name[:-6]}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    try:
        close = a == b
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    if a.dtype == np.bool_:
        return wrap(close)
    if equal_nan:
        close |= np.isnan(a) & np.isnan(b)
    if rtol or atol:
        # Integers are compared in the default float type, as PyTorch does.
        if a.dtype.kind in "iu":
            float_type = _dtype.get_default_dtype().np
            a, b = a.astype(float_type), b.astype(float_type)
        error = np.abs(a - b)
        close |= np.isfinite(error) & (error <= atol + np.abs(rtol * b))
    return wrap(close)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    """True if both tensors have the same shape and values (nan is never equal)."""
    require_tensor("equal", other)
    if input._data.shape != other._data.shape:
        return False
    return bool(np.array_equal(input._data, other._data))


def nonzero(input, *, as_tuple=False):
    idx = np.nonzero(input._data if input._data.ndim else input._data.reshape(1))
    if as_tuple:
        if not input._data.ndim:
            return (wrap(idx[0].astype(np.int64)),)
        return tuple(wrap(i.astype(np.int64)) for i in idx)
    return wrap(np.stack(idx, axis=1).astype(np.int64) if input._data.ndim
                else np.zeros((idx[0].size, 0), np.int64))


__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
           "bitwise_right_shift", "logical_and", "logical_or", "logical_xor", "logical_not",
           "isnan", "isinf", "isfinite", "isposinf", "isneginf", "equal", "allclose", "isclose",
           "nonzero"]
METHODS = {"__lshift__": bitwise_left_shift, "__rshift__": bitwise_right_shift,
           "__rlshift__": lambda self, other: bitwise_left_shift(other, self),
           "__rrshift__": lambda self, other: bitwise_right_shift(other, self)}
INPLACE = {"bitwise_and_": bitwise_and, "bitwise_or_": bitwise_or, "bitwise_xor_": bitwise_xor,
           "bitwise_not_": bitwise_not, "bitwise_left_shift_": bitwise_left_shift,
           "bitwise_right_shift_": bitwise_right_shift, "logical_and_": logical_and,
           "logical_or_": logical_or, "logical_xor_": logical_xor, "logical_not_": logical_not,
           "__ilshift__": bitwise_left_shift, "__irshift__": bitwise_right_shift}
