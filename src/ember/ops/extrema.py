"""Extremes: max, min (whole, along a dim, or elementwise with a tensor), amax, amin,
argmax, argmin.

Their derivatives, shared with median, sort and topk:
- a whole-tensor extreme (``max()``) shares the gradient evenly among the elements equal to
  it (all nan elements when the result is nan);
- ``amax``/``amin`` do the same within each reduced slice;
- an extreme along a dim (``max(0)``) returns indices, and the gradient goes to exactly
  those positions (PyTorch's "value-selecting reduction").
nan propagates: the max of a slice holding nan is nan, and its index is the first nan's.
"""

import numpy as np

from .._tensor import Tensor, _wrap_dim
from . import _return_types
from ._dispatch import Op, _state, record, record_multi, wrap
from .reduction import normalize_dims, restore_dims


def equal_to_extreme(a, value):
    """Where ``a`` equals ``value`` (nan counting as equal to nan), as a NumPy mask."""
    if value.dtype.kind == "f":
        return (a == value) | (np.isnan(a) & np.isnan(value))
    return a == value


class EvenlyDistributed(Op):
    """max()/min()/median() over everything: ties share the gradient equally."""
    saves = (0, "result")
    formula = "d(max a)/da_i = 1/k for the k elements equal to the max, else 0"

    def backward(self, grad):
        a, result = self.saved_tensors
        mask = equal_to_extreme(a._data, result._data)
        return wrap(mask) * (grad / int(mask.sum()))


class MaxBackward1(EvenlyDistributed):
    __slots__ = ()


class MinBackward1(EvenlyDistributed):
    __slots__ = ()


class ValueSelecting(Op):
    """max(dim), median(dim), sort, topk: the gradient goes to the selected indices."""
    formula = "d(max_dim a)/da_i = 1 at the selected index, else 0"

    def backward(self, grad, _grad_indices=None):
        from .indexing import scatter_into_zeros
        dim, keepdim, indices = self.ctx
        shape = self._input_meta[0][0]
        if not keepdim and len(shape):
            grad = grad.unsqueeze(dim)
            indices = indices.unsqueeze(dim)
        return scatter_into_zeros(grad, dim, indices, shape)


class MaxBackward0(ValueSelecting):
    __slots__ = ()


class MinBackward0(ValueSelecting):
    __slots__ = ()


def check_nonempty(name, data, dim=None):
    if dim is None:
        if data.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
    elif data.ndim and data.shape[dim] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")


def record_selection(cls, input, values, indices, dim, keepdim, result_type):
    """Wrap ``values``/``indices`` arrays as a named tuple, recording ``cls`` if needed."""
    values_t, indices_t = wrap(values), wrap(np.asarray(indices, dtype=np.int64))
    if _state.enabled and input._requires_grad:
        record_multi(cls, (values_t, indices_t), (input,), (dim, keepdim, indices_t),
                     differentiable=(0,))
    return result_type(values_t, indices_t)


def _extreme(input, dim, keepdim, np_arg, whole_cls, dim_cls, result_type, name):
    data = input._data
    if dim is None:
        check_nonempty(name, data)
        reduce = np.maximum.reduce if name == "max" else np.minimum.reduce
        out = wrap(np.asarray(reduce(data, axis=None)))
        if _state.enabled and input._requires_grad:
            record(whole_cls, out, (input,))
        return out
    d = _wrap_dim(dim, data.ndim)
    check_nonempty(name, data, d)
    if not data.ndim:
        return record_selection(dim_cls, input, data.copy(), np.zeros((), np.int64), d,
                                keepdim, result_type)
    indices = np_arg(data, axis=d, keepdims=True)
    values = np.take_along_axis(data, indices, axis=d)
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return record_selection(dim_cls, input, values, indices, d, keepdim, result_type)


def max(input, dim=None, keepdim=False):
    if isinstance(dim, Tensor):
        from .selection import maximum
        return maximum(input, dim)
    return _extreme(input, dim, keepdim, np.argmax, MaxBackward1, MaxBackward0,
                    _return_types.max, "max")


def min(input, dim=None, keepdim=False):
    if isinstance(dim, Tensor):
        from .selection import minimum
        return minimum(input, dim)
    return _extreme(input, dim, keepdim, np.argmin, MinBackward1, MinBackward0,
                    _return_types.min, "min")


# -- amax, amin ---------------------------------------------------------------------------
class _SliceEvenlyDistributed(Op):
    saves = (0, "result")
    formula = "d(amax a)/da_i = 1/k for the k elements of a slice equal to its max"

    def backward(self, grad):
        a, result = self.saved_tensors
        dims, keepdim = self.ctx
        mask = wrap(a._data == restore_dims(result, dims, keepdim)._data)
        count = mask.sum(dims, keepdim=True) if dims else mask.to(grad.dtype)
        return restore_dims(grad, dims, keepdim) / count * mask


class AmaxBackward0(_SliceEvenlyDistributed):
    __slots__ = ()


class AminBackward0(_SliceEvenlyDistributed):
    __slots__ = ()


def _amax_amin(np_reduce, cls, name):
    def op(input, dim=(), keepdim=False):
        data = input._data
        dims = normalize_dims(dim, data.ndim)
        if data.size == 0:
            given = [dim] if isinstance(dim, int) else list(dim or ())
            if not given:
                check_nonempty(name, data)
            for d in given:
                if data.shape[_wrap_dim(d, data.ndim)] == 0:
                    # amax names the dim as it was given (max(dim) names it wrapped).
                    raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero "
                                     "size.")
        out = wrap(np.asarray(np_reduce(data, axis=dims, keepdims=keepdim)))
        if _state.enabled and input._requires_grad:
            record(cls, out, (input,), (dims, keepdim))
        return out
    op.__name__ = op.__qualname__ = name
    return op


amax = _amax_amin(np.maximum.reduce, AmaxBackward0, "amax")
amin = _amax_amin(np.minimum.reduce, AminBackward0, "amin")


class AminmaxBackward0(Op):
    saves = (0,)
    formula = "d(min, max)/da_i = 1/k for the k elements of a slice equal to each"

    def backward(self, grad_min, grad_max):
        (a,) = self.saved_tensors
        dims, keepdim, minimum, maximum = self.ctx
        total = None
        for grad, value in ((grad_min, minimum), (grad_max, maximum)):
            mask = wrap(a._data == restore_dims(value, dims, keepdim)._data)
            count = mask.sum(dims, keepdim=True) if dims else mask.to(grad.dtype)
            part = restore_dims(grad, dims, keepdim) / count * mask
            total = part if total is None else total + part
        return total


def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over everything or along ``dim``; ties share each gradient."""
    data = input._data
    dims = normalize_dims(dim, data.ndim) if dim is not None else tuple(range(data.ndim))
    if data.size == 0:
        if dim is None:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as "
                               "the operation has no identity.")
        if data.shape[dims[0]] == 0:
            raise IndexError(f"aminmax(): Expected reduction dim {dim} to have non-zero size.")
    minimum = wrap(np.asarray(np.minimum.reduce(data, axis=dims, keepdims=keepdim)))
    maximum = wrap(np.asarray(np.maximum.reduce(data, axis=dims, keepdims=keepdim)))
    if _state.enabled and input._requires_grad:
        record_multi(AminmaxBackward0, (minimum, maximum), (input,),
                     (dims, keepdim, minimum.detach(), maximum.detach()))
    return _return_types.aminmax(minimum, maximum)


# -- argmax, argmin -----------------------------------------------------------------------
def _arg_extreme(np_arg, name):
    def op(input, dim=None, keepdim=False):
        data = input._data
        if data.dtype == np.bool_:
            raise RuntimeError(f"{name}(): does not support bool input")
        if dim is None:
            if data.size == 0:
                raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                                 "input.numel() == 0.")
            index = np.asarray(np_arg(data), dtype=np.int64)
            return wrap(index.reshape((1,) * data.ndim) if keepdim else index)
        d = _wrap_dim(dim, data.ndim)
        check_nonempty(name, data, d)
        if not data.ndim:
            return wrap(np.zeros((), np.int64))
        return wrap(np_arg(data, axis=d, keepdims=keepdim).astype(np.int64, copy=False))
    op.__name__ = op.__qualname__ = name
    return op


argmax = _arg_extreme(np.argmax, "argmax")
argmin = _arg_extreme(np.argmin, "argmin")

__all__ = ["max", "min", "amax", "amin", "aminmax", "argmax", "argmin"]
