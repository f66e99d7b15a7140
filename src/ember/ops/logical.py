"""Logical and bitwise ops (never differentiable): on bool tensors they are logical."""

import numpy as np

from ._dispatch import promote_operands, wrap


def _bitwise(np_func, name):
    def op(input, other):
        a, b, dtype, _ = promote_operands(input, other)
        if dtype.category > 1:
            raise RuntimeError(f"\"{name}_cpu\" not implemented for "
                               f"'{dtype.name.capitalize()}'")
        return wrap(np.asarray(np_func(a, b), dtype.np))
    op.__name__ = op.__qualname__ = name
    return op


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")


def bitwise_not(input):
    data = input._data
    if data.dtype.kind == "f":
        raise TypeError("ufunc 'invert' not supported for the input types, and the inputs could "
                        "not be safely coerced to any supported types according to the casting "
                        "rule ''safe''")
    return wrap(np.invert(data))


def _logical(np_func, name):
    def op(input, other):
        b = other._data if hasattr(other, "_data") else other
        return wrap(np.asarray(np_func(input._data, b)))
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


def all(input, dim=None, keepdim=False):
    axis = None if dim is None else dim
    return wrap(np.asarray(np.all(input._data, axis=axis, keepdims=keepdim)))


def any(input, dim=None, keepdim=False):
    axis = None if dim is None else dim
    return wrap(np.asarray(np.any(input._data, axis=axis, keepdims=keepdim)))


def equal(input, other):
    return input._data.shape == other._data.shape and bool(np.all(input._data == other._data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol,
                            equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    b = other._data if hasattr(other, "_data") else other
    return wrap(np.isclose(input._data, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def count_nonzero(input, dim=None):
    return wrap(np.asarray(np.count_nonzero(input._data, axis=dim), dtype=np.int64))


def nonzero(input, *, as_tuple=False):
    idx = np.nonzero(input._data if input._data.ndim else input._data.reshape(1))
    if as_tuple:
        return tuple(wrap(i.astype(np.int64)) for i in idx)
    return wrap(np.stack(idx, axis=1).astype(np.int64) if idx else np.zeros((0, 0), np.int64))


__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "logical_and",
           "logical_or", "logical_xor", "logical_not", "isnan", "isinf", "isfinite", "all",
           "any", "equal", "allclose", "isclose", "count_nonzero", "nonzero"]

