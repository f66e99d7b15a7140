"""Reductions: sum, mean, max/min, and ``sum_to_size`` (the engine's broadcast undo).

``dim`` may be an int, a tuple of ints, or None (all dimensions); ``keepdim`` keeps the
reduced dimensions as size 1. Integer and bool sums give int64, as in PyTorch.
"""

import builtins
import collections

import numpy as np

from .. import _dtype
from .._tensor import _wrap_dim
from ._dispatch import Op, _state, record, record_multi, wrap


def normalize_dims(dim, ndim):
    """``dim`` as a sorted tuple of non-negative ints (None means every dimension)."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        dims = tuple(_wrap_dim(d, ndim) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
        return tuple(sorted(dims))
    return (_wrap_dim(dim, ndim),)


def _restore_dims(grad, dims, keepdim):
    """A reduced gradient with its reduced dimensions back as size 1, ready to broadcast."""
    if keepdim or not dims:
        return grad
    shape = list(grad.shape)
    for d in dims:
        shape.insert(d, 1)
    return grad.reshape(shape)


class SumBackward0(Op):
    """self.sum()"""
    formula = "d(sum a)/da_i = 1"

    def backward(self, grad):
        return expand_grad(grad, self._input_meta[0][0])


class SumBackward1(Op):
    """self.sum(dim, keepdim)"""
    formula = "d(sum a)/da_i = 1"

    def backward(self, grad):
        dims, keepdim = self.ctx
        return expand_grad(_restore_dims(grad, dims, keepdim), self._input_meta[0][0])


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
        count = _numel([shape[d] for d in dims]) if dims else 1
        return expand_grad(_restore_dims(grad, dims, keepdim), shape, 1 / count)


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


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


def _sum_dtype(input, dtype):
    if dtype is not None:
        return dtype.np
    if input._data.dtype.kind in "biu":
        return np.int64
    return None


def sum(input, dim=None, keepdim=False, *, dtype=None):
    data = input._data
    np_dtype = _sum_dtype(input, dtype)
    if dim is None:
        if np_dtype is None:
            out = wrap(np.add.reduce(data, axis=None))
        else:
            out = wrap(np.asarray(data.sum(dtype=np_dtype), dtype=np_dtype))
        if _state.enabled and input._requires_grad:
            record(SumBackward0, out, (input,))
        return out
    dims = normalize_dims(dim, data.ndim) if data.ndim else ()
    out = wrap(data.sum(axis=dims, keepdims=keepdim, dtype=np_dtype))
    if _state.enabled and input._requires_grad:
        record(SumBackward1, out, (input,), (dims, keepdim))
    return out


def mean(input, dim=None, keepdim=False, *, dtype=None):
    data = input._data
    if dtype is None and data.dtype.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_dtype._BY_NUMPY[data.dtype].name.capitalize()}")
    np_dtype = dtype.np if dtype is not None else data.dtype
    if dim is None:
        if data.size and np_dtype == data.dtype:
            # np.add.reduce / n is the mean without np.mean's Python-level overhead.
            out = wrap(np.asarray(np.add.reduce(data, axis=None) / np_dtype.type(data.size),
                                  dtype=np_dtype))
        else:
            out = wrap(np.asarray(data.mean(dtype=np_dtype), dtype=np_dtype))
        if _state.enabled and input._requires_grad:
            record(MeanBackward0, out, (input,))
        return out
    dims = normalize_dims(dim, data.ndim) if data.ndim else ()
    out = wrap(data.mean(axis=dims, keepdims=keepdim, dtype=np_dtype))
    if _state.enabled and input._requires_grad:
        record(MeanBackward1, out, (input,), (dims, keepdim))
    return out


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


# -- max / min ----------------------------------------------------------------------------
class _EvenlyDistributed(Op):
    """max()/min() over everything: ties share the gradient equally (PyTorch's rule)."""
    saves = (0, "result")
    formula = "d(max a)/da_i = 1/k for the k elements equal to the max, else 0"

    def backward(self, grad):
        a, result = self.saved_tensors
        mask = a == result
        return grad * mask / mask.sum()


class MaxBackward1(_EvenlyDistributed):
    __slots__ = ()


class MinBackward1(_EvenlyDistributed):
    __slots__ = ()


class _ValueSelecting(Op):
    """max(dim)/min(dim): the gradient goes to the selected index of each slice."""
    formula = "d(max_dim a)/da_i = 1 at the argmax, else 0"

    def backward(self, grad, _grad_indices=None):
        dim, keepdim, indices = self.ctx
        shape = self._input_meta[0][0]
        if not keepdim and len(shape):
            grad = grad.unsqueeze(dim)
            indices = indices.unsqueeze(dim)
        from .indexing import scatter_into_zeros
        return scatter_into_zeros(grad, dim, indices, shape)


class MaxBackward0(_ValueSelecting):
    __slots__ = ()


class MinBackward0(_ValueSelecting):
    __slots__ = ()


class _ReturnTypes:
    """Named tuples of PyTorch's ``torch.return_types`` (``torch.return_types.max(...)``)."""

    @staticmethod
    def make(name):
        cls = collections.namedtuple(name, ["values", "indices"])
        cls.__module__ = "torch.return_types"
        cls.__repr__ = lambda self: (f"torch.return_types.{name}(\nvalues={self.values!r},\n"
                                     f"indices={self.indices!r})")
        return cls


max_result = _ReturnTypes.make("max")
min_result = _ReturnTypes.make("min")


def _extreme(input, dim, keepdim, np_reduce, np_arg, whole_cls, dim_cls, result_type, name):
    data = input._data
    if dim is None:
        if data.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        out = wrap(np.asarray(np_reduce(data)))
        if _state.enabled and input._requires_grad:
            record(whole_cls, out, (input,))
        return out
    d = _wrap_dim(dim, data.ndim)
    if data.ndim and data.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    axis = d if data.ndim else None
    indices = np.asarray(np_arg(data, axis=axis, keepdims=keepdim and data.ndim > 0))
    values = np.take_along_axis(data, indices if keepdim else np.expand_dims(indices, axis),
                                axis=axis).reshape(indices.shape) if data.ndim else data.copy()
    values_t, indices_t = wrap(values), wrap(indices.astype(np.int64))
    if _state.enabled and input._requires_grad:
        record_multi(dim_cls, (values_t, indices_t), (input,), (d, keepdim, indices_t),
                     differentiable=(0,))
    return result_type(values_t, indices_t)


def max(input, dim=None, keepdim=False):
    from .._tensor import Tensor
    if isinstance(dim, Tensor):
        from .selection import maximum
        return maximum(input, dim)
    return _extreme(input, dim, keepdim, np.max, np.argmax, MaxBackward1, MaxBackward0,
                    max_result, "max")


def min(input, dim=None, keepdim=False):
    from .._tensor import Tensor
    if isinstance(dim, Tensor):
        from .selection import minimum
        return minimum(input, dim)
    return _extreme(input, dim, keepdim, np.min, np.argmin, MinBackward1, MinBackward0,
                    min_result, "min")


def argmax(input, dim=None, keepdim=False):
    data = input._data
    if dim is None:
        return wrap(np.asarray(np.argmax(data), dtype=np.int64))
    d = _wrap_dim(dim, data.ndim)
    return wrap(np.argmax(data, axis=d, keepdims=keepdim).astype(np.int64))


def argmin(input, dim=None, keepdim=False):
    data = input._data
    if dim is None:
        return wrap(np.asarray(np.argmin(data), dtype=np.int64))
    d = _wrap_dim(dim, data.ndim)
    return wrap(np.argmin(data, axis=d, keepdims=keepdim).astype(np.int64))


__all__ = ["sum", "mean", "max", "min", "argmax", "argmin"]
METHODS = {"sum_to_size": sum_to_size}
