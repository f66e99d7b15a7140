"""Sums and products: sum, mean, nansum, nanmean, prod, all, any, count_nonzero, and
``sum_to_size`` (the engine's undo of broadcasting).

``dim`` may be an int, a tuple/list of ints, or None (every dimension; so is an empty tuple,
except for ``all``/``any``, where it reduces nothing, as in PyTorch); ``keepdim`` keeps
reduced dimensions as size 1. Integer and bool sums and products give int64. float16 is
accumulated in float32, as PyTorch does, so long half-precision sums do not stall.
"""

import builtins

import numpy as np

from .._tensor import _wrap_dim
from ._dispatch import Op, _state, record, wrap


def normalize_dims(dim, ndim, empty_is_all=True):
    """``dim`` as a sorted tuple of non-negative ints (None means every dimension).

    Dimensions of a 0-d tensor (0 and -1) are checked, then reduce nothing.
    """
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        if not dim and empty_is_all:
            return tuple(range(ndim))
        dims = tuple(_wrap_dim(d, ndim) for d in dim)
        seen = set()
        for d in dims:
            if d in seen:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
            seen.add(d)
        return tuple(sorted(dims)) if ndim else ()
    d = _wrap_dim(dim, ndim)
    return (d,) if ndim else ()


def restore_dims(grad, dims, keepdim):
    """A reduced gradient with its reduced dimensions back as size 1, ready to broadcast."""
    if keepdim or not dims:
        return grad
    shape = list(grad.shape)
    for d in dims:
        shape.insert(d, 1)
    return grad.reshape(shape)


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def accumulator_dtype(np_dtype):
    """The dtype PyTorch accumulates in: float32 for float16, else the dtype itself."""
    return np.dtype(np.float32) if np_dtype == np.float16 else np_dtype


class ExpandBackward0(Op):
    formula = "expand: sum the gradient over the expanded dimensions"

    def backward(self, grad):
        return grad.sum_to_size(self._input_meta[0][0])


def expand_grad(grad, shape, scale=None):
    """``(grad * scale).expand(shape)`` for derivatives, as a fresh array rather than a
    broadcast view, which NumPy makes several times faster for the small tensors autograd is
    full of. With nothing to record it is one fused NumPy call."""
    if _state.enabled and grad._requires_grad:
        if scale is not None:
            grad = grad * scale
        data = np.empty(shape, dtype=grad._data.dtype)
        data[...] = grad._data
        out = wrap(data)
        record(ExpandBackward0, out, (grad,))
        return out
    data = np.empty(shape, dtype=grad._data.dtype)
    if scale is None:
        data[...] = grad._data
    else:
        np.multiply(grad._data, scale, out=data, casting="same_kind")
    return wrap(data)


def _reduced_grad(node, grad, scale=None):
    """The gradient of a sum-like reduction, broadcast back to the input's shape."""
    dims, keepdim = node.ctx
    return expand_grad(restore_dims(grad, dims, keepdim), node._input_meta[0][0], scale)


# -- sum, mean ------------------------------------------------------------------------------
class SumBackward0(Op):
    """self.sum()"""
    formula = "d(sum a)/da_i = 1"

    def backward(self, grad):
        return expand_grad(grad, self._input_meta[0][0])


class SumBackward1(Op):
    """self.sum(dim, keepdim)"""
    formula = "d(sum a)/da_i = 1"

    def backward(self, grad):
        return _reduced_grad(self, grad)


class MeanBackward0(Op):
    """self.mean()"""
    formula = "d(mean a)/da_i = 1/N"

    def backward(self, grad):
        shape = self._input_meta[0][0]
        return expand_grad(grad, shape, 1 / builtins.max(_numel(shape), 1))


class MeanBackward1(Op):
    """self.mean(dim, keepdim)"""
    formula = "d(mean a)/da_i = 1/N"

    def backward(self, grad):
        dims, keepdim = self.ctx
        shape = self._input_meta[0][0]
        count = _numel([shape[d] for d in dims])
        return _reduced_grad(self, grad, 1 / count if count else float("inf"))


# Passing ``dim`` at all, even None, selects PyTorch's dim overload (SumBackward1).
_NO_DIM = object()


def _check_keepdim_alone(name, keepdim):
    if keepdim:
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        "(keepdim=bool, ), but expected one of:")


def _sum_array(data, dims, keepdim, np_dtype):
    """``data`` summed over ``dims`` into ``np_dtype`` (float16 via a float32 accumulator)."""
    if np_dtype is None:
        np_dtype = np.dtype(np.int64) if data.dtype.kind in "biu" else data.dtype
    accumulate = accumulator_dtype(np_dtype)
    axis = None if dims is None else dims
    result = np.add.reduce(data, axis=axis, dtype=accumulate, keepdims=keepdim)
    return np.asarray(result, dtype=np_dtype)


def sum(input, dim=_NO_DIM, keepdim=False, *, dtype=None):
    data = input._data
    np_dtype = None if dtype is None else dtype.np
    if dim is _NO_DIM:
        _check_keepdim_alone("sum", keepdim)
        if np_dtype is None and data.dtype.kind == "f" and data.dtype != np.float16:
            # The whole-tensor sum of float32/float64: one reduction, no dtype bookkeeping.
            out = wrap(np.add.reduce(data, axis=None))
        else:
            out = wrap(_sum_array(data, None, False, np_dtype))
        if _state.enabled and input._requires_grad:
            record(SumBackward0, out, (input,))
        return out
    dims = normalize_dims(dim, data.ndim)
    out = wrap(_sum_array(data, dims, keepdim, np_dtype))
    if _state.enabled and input._requires_grad:
        record(SumBackward1, out, (input,), (dims, keepdim))
    return out


def _mean_array(data, dims, keepdim):
    if dims is None and data.size and data.dtype.kind == "f" and data.dtype != np.float16:
        # The whole-tensor mean of float32/float64: one reduction, no casts.
        return np.asarray(np.add.reduce(data, axis=None) / data.dtype.type(data.size))
    count = data.size if dims is None else _numel([data.shape[d] for d in dims])
    total = _sum_array(data, dims, keepdim, accumulator_dtype(data.dtype))
    return np.asarray(total / total.dtype.type(count), dtype=data.dtype)


def mean(input, dim=_NO_DIM, keepdim=False, *, dtype=None):
    if dtype is not None and dtype.np != input._data.dtype:
        input = input.to(dtype)
    data = input._data
    if data.dtype.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {input.dtype._legacy_name[:-6]}")
    if dim is _NO_DIM:
        _check_keepdim_alone("mean", keepdim)
        out = wrap(_mean_array(data, None, False))
        if _state.enabled and input._requires_grad:
            record(MeanBackward0, out, (input,))
        return out
    dims = normalize_dims(dim, data.ndim)
    out = wrap(_mean_array(data, dims, keepdim))
    if _state.enabled and input._requires_grad:
        record(MeanBackward1, out, (input,), (dims, keepdim))
    return out


class NansumBackward0(Op):
    saves = (0,)
    formula = "d(nansum a)/da_i = 0 where a_i is nan, else 1"

    def backward(self, grad):
        (a,) = self.saved_tensors
        return _reduced_grad(self, grad) * ~a.isnan()


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    data = input._data
    dims = normalize_dims(dim, data.ndim)
    values = np.where(np.isnan(data), 0, data) if data.dtype.kind == "f" else data
    out = wrap(_sum_array(values, dims, keepdim, None if dtype is None else dtype.np))
    if _state.enabled and input._requires_grad:
        record(NansumBackward0, out, (input,), (dims, keepdim))
    return out


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean of the non-nan values: ``nansum / count`` (composite, as in PyTorch)."""
    if input._data.dtype.kind not in "fc":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {input.dtype._legacy_name[:-6]}")
    count = sum(~input.isnan(), dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / count


# -- prod -----------------------------------------------------------------------------------
class _ProdBackward(Op):
    saves = (0, "result")
    formula = "d(prod a)/da_i = prod of the other elements"

    def backward(self, grad):
        a, result = self.saved_tensors
        if not a._data.ndim:
            return grad
        dim, keepdim = self.ctx
        dims = tuple(range(a._data.ndim)) if dim is None else (dim,)
        grad = restore_dims(grad, dims, keepdim)
        result = restore_dims(result, dims, keepdim)
        zero = a._data == 0
        if not zero.any():
            return grad * (result / a)
        # Where a_i = 0, result / a_i is undefined: the product of the others is the product
        # with the first zero of the slice replaced by 1 (zero again if a second zero exists).
        axis = None if dim is None else dim
        first = zero & (np.cumsum(zero, axis=axis).reshape(zero.shape) == 1)
        from .selection import where
        others = a.masked_fill(wrap(first), 1).prod() if dim is None else \
            a.masked_fill(wrap(first), 1).prod(dim, keepdim=True)
        zero_t = wrap(zero)
        return grad * where(zero_t, others, result / a.masked_fill(zero_t, 1))


class ProdBackward0(_ProdBackward):
    """self.prod()"""
    __slots__ = ()


class ProdBackward1(_ProdBackward):
    """self.prod(dim, keepdim)"""
    __slots__ = ()


def prod(input, dim=None, keepdim=False, *, dtype=None):
    data = input._data
    np_dtype = dtype.np if dtype is not None else (
        np.dtype(np.int64) if data.dtype.kind in "biu" else data.dtype)
    if dim is not None and not isinstance(dim, int):
        raise TypeError(f"prod() received an invalid combination of arguments - got "
                        f"({type(dim).__name__}), but expected one of:")
    axis = None if dim is None else _wrap_dim(dim, data.ndim)
    if not data.ndim:
        axis = None
    result = np.multiply.reduce(data, axis=axis, dtype=accumulator_dtype(np_dtype),
                                keepdims=keepdim and axis is not None)
    out = wrap(np.asarray(result, dtype=np_dtype))
    if _state.enabled and input._requires_grad:
        cls = ProdBackward0 if dim is None else ProdBackward1
        record(cls, out, (input,), (axis, keepdim and dim is not None))
    return out


# -- all, any, count_nonzero ----------------------------------------------------------------
def _truth_reduction(np_func):
    def op(input, dim=None, keepdim=False):
        data = input._data
        dims = normalize_dims(dim, data.ndim, empty_is_all=False)
        if dim is not None and not dims:
            result = data.astype(bool)
        else:
            result = np_func(data, axis=dims, keepdims=keepdim)
        # PyTorch keeps uint8 for uint8 input (a legacy of masks stored as bytes).
        return wrap(np.asarray(result, np.uint8 if data.dtype == np.uint8 else np.bool_))
    op.__name__ = op.__qualname__ = np_func.__name__
    return op


all = _truth_reduction(np.all)
any = _truth_reduction(np.any)


def count_nonzero(input, dim=None):
    data = input._data
    dims = normalize_dims(dim, data.ndim)
    return wrap(np.asarray(np.count_nonzero(data, axis=dims), dtype=np.int64))


def sum_to_size(input, *size):
    """Sum ``input`` down to ``size`` (the inverse of broadcasting ``size`` up to it)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = input._data.shape
    lead = len(shape) - len(size)
    if lead < 0:
        raise RuntimeError(f"size {{{', '.join(map(str, size))}}} is not expandable to size "
                           f"{{{', '.join(map(str, shape))}}}.")
    dims = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1)
    if not dims:
        return input
    if not (_state.enabled and input._requires_grad):
        # Nothing to record (the usual case inside backward): one NumPy reduction.
        return wrap(np.add.reduce(input._data, axis=dims, keepdims=True).reshape(size))
    out = sum(input, dims, keepdim=True)
    if lead:
        out = out.view(size)
    return out


__all__ = ["sum", "mean", "nansum", "nanmean", "prod", "all", "any", "count_nonzero"]
METHODS = {"sum_to_size": sum_to_size}
