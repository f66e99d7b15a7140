"""Scatters: ``scatter``, ``scatter_add``, ``scatter_reduce`` (and their ``name_`` forms),
the writes that ``gather`` reads: ``index[i][j]`` names the position along ``dim``.

Each forward copies its input and writes with NumPy (``np.<ufunc>.at`` where repeated
indices must combine). The derivatives read the gradient back at the same positions
(``gather``) or blank them (``scatter`` with 0).
"""

import numpy as np

from .._tensor import Tensor, _wrap_dim
from ._dispatch import Op, _state, record, wrap
from .index_writes import checked_scalar
from .indexing import check_dim_index


def _src_region(src, index):
    """The part of ``src`` that ``index`` covers (its leading corner of index's shape)."""
    ishape = index._data.shape or (1,)
    data = src._data.reshape(1) if not src._data.ndim else src._data
    return data[tuple(slice(0, n) for n in ishape)]


def _scatter_check(name, input, dim, index, src):
    if src._data.dtype != input._data.dtype:
        raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
    if max(src._data.ndim, 1) != max(index._data.ndim, 1):
        # PyTorch reads src's size at each of index's dims: a src of fewer dims fails there.
        _wrap_dim(index._data.ndim - 1, src._data.ndim)
    return check_dim_index(name, input, dim, index, (("src", src._data),))


def _result(data, input):
    """The result with the input's shape (the work is done 1-d for a 0-d input)."""
    return wrap(data if input._data.ndim else data.reshape(()))


# -- scatter ------------------------------------------------------------------------------
class ScatterBackward0(Op):
    formula = "d(scatter(x, dim, i, src))/dx = grad with zeros at i; d/dsrc = grad.gather(dim, i)"

    def backward(self, grad):
        dim, index = self.ctx
        grad_input = grad_src = None
        if self.next_functions[0][0] is not None:
            grad_input = grad.scatter(dim, index, 0)
        if self.next_functions[1][0] is not None:
            grad_src = grad.gather(dim, index)
        return grad_input, grad_src


class ScatterBackward1(Op):
    formula = "d(scatter(x, dim, i, value))/dx = grad with zeros at i"

    def backward(self, grad):
        dim, index = self.ctx
        return grad.scatter(dim, index, 0)


class ScatterReduceNotImplemented(Op):
    formula = "not differentiable: PyTorch has no derivative for scatter with reduce="

    def backward(self, grad):
        raise RuntimeError(f"derivative for aten::{self.ctx} is not implemented")

    def name(self):
        return "torch::autograd::NotImplemented"


# PyTorch shows this node as `NotImplemented`.
ScatterReduceNotImplemented.__name__ = ScatterReduceNotImplemented.__qualname__ = \
    "NotImplemented"

_SCATTER_UFUNC = {"add": np.add, "multiply": np.multiply}


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    return _scatter(input, dim, index, src, value, reduce, "scatter")


def _scatter_for_inplace(input, dim, index, src=None, value=None, *, reduce=None):
    return _scatter(input, dim, index, src, value, reduce, "scatter_")


def _scatter(input, dim, index, src, value, reduce, name):
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src
    if reduce is not None and reduce not in _SCATTER_UFUNC:
        raise RuntimeError("reduce argument must be either add or multiply.")
    data = input._data.copy() if input._data.ndim else input._data.reshape(1).copy()
    if src is not None:
        d, key = _scatter_check("scatter", input, dim, index, src)
        values = _src_region(src, index)
    else:
        d, key = check_dim_index("scatter", input, dim, index)
        values = checked_scalar(value, data.dtype)
    if reduce is None:
        data[key] = values
    else:
        _SCATTER_UFUNC[reduce].at(data, key, values)
    out = _result(data, input)
    if _state.enabled and (input._requires_grad or src is not None and src._requires_grad):
        if reduce is not None:
            record(ScatterReduceNotImplemented, out, (input, src), name)
        elif src is not None:
            record(ScatterBackward0, out, (input, src), (d, index))
        else:
            record(ScatterBackward1, out, (input,), (d, index))
    return out


class ScatterAddBackward0(Op):
    formula = "d(scatter_add(x, dim, i, src))/dx = grad; d/dsrc = grad.gather(dim, i)"

    def backward(self, grad):
        dim, index = self.ctx
        grad_src = grad.gather(dim, index) if self.next_functions[1][0] is not None else None
        return grad, grad_src


def scatter_add(input, dim, index, src):
    d, key = _scatter_check("scatter", input, dim, index, src)
    data = input._data.copy() if input._data.ndim else input._data.reshape(1).copy()
    np.add.at(data, key, _src_region(src, index))
    out = _result(data, input)
    if _state.enabled and (input._requires_grad or src._requires_grad):
        record(ScatterAddBackward0, out, (input, src), (d, index))
    return out


# -- scatter_reduce -----------------------------------------------------------------------
_REDUCE_UFUNC = {"sum": np.add, "prod": np.multiply, "mean": np.add, "amax": np.maximum,
                 "amin": np.minimum}


def _identity(reduce, dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    info = np.iinfo(dtype) if dtype.kind in "iu" else None
    if info is None:
        return reduce == "amin"
    return info.min if reduce == "amax" else info.max


class ScatterReduceBackward0(Op):
    saves = (0, 1, "result")
    formula = "d(scatter_reduce)/d(x, src): by reduce: sum passes grad, mean divides by " \
              "the count, prod by the factor, amax/amin share it among the extremes"

    def backward(self, grad):
        dim, index, reduce, include_self = self.ctx
        input, src, result = self.saved_tensors
        if reduce == "sum":
            grad_input, grad_src = grad, grad.gather(dim, index)
        elif reduce == "mean":
            count = (input * 0 + (1 if include_self else 0)).scatter_add(
                dim, index, src * 0 + 1)
            count = count.masked_fill(count == 0, 1)
            grad_input = grad / count
            grad_src = grad.gather(dim, index) / count.gather(dim, index)
        elif reduce == "prod":
            grad_input, grad_src = _prod_grads(grad, input, src, result, dim, index,
                                               include_self)
        else:
            value = result.gather(dim, index)
            input_is_result = input == result
            src_is_result = src == value
            count = input_is_result.to(grad.dtype).scatter_add(dim, index,
                                                              src_is_result.to(grad.dtype))
            shared = grad / count
            grad_input = input_is_result * shared
            grad_src = src_is_result * shared.gather(dim, index)
        if not include_self:
            grad_input = grad_input.scatter(dim, index, 0)
        return grad_input, grad_src


def _prod_grads(grad, input, src, result, dim, index, include_self):
    # The product of the others, without dividing by zero: a zero factor is replaced by
    # one and the product recomputed, for the input and for a src group's single zero.
    ones_for_zeros = input.masked_fill(input == 0, 1)
    without_input = ones_for_zeros.scatter_reduce(dim, index, src, "prod",
                                                  include_self=include_self)
    grad_input = grad * without_input / ones_for_zeros
    src_zero = src == 0
    zeros_in_group = (input * 0).scatter_add(dim, index, src_zero.to(grad.dtype)).gather(
        dim, index)
    single_zero = src_zero & (zeros_in_group == 1)
    without_src = input.scatter_reduce(dim, index, src.masked_fill(single_zero, 1), "prod",
                                       include_self=include_self)
    grad_src = (grad * without_src).gather(dim, index).masked_fill(~single_zero, 0) + (
        (grad * result).gather(dim, index) / src.masked_fill(src_zero, 1)).masked_fill(
        single_zero, 0)
    return grad_input, grad_src


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    if reduce not in _REDUCE_UFUNC:
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    d, key = _scatter_check("scatter_reduce", input, dim, index, src)
    data = input._data.copy() if input._data.ndim else input._data.reshape(1).copy()
    values = _src_region(src, index)
    if not include_self:
        data[key] = _identity(reduce, data.dtype)
    _REDUCE_UFUNC[reduce].at(data, key, values)
    if reduce == "mean":
        count = np.full(data.shape, 1 if include_self else 0, dtype=np.int64)
        np.add.at(count, key, 1)
        count[count == 0] = 1
        if data.dtype.kind == "f":
            data /= count
        else:
            data //= count.astype(data.dtype)
    out = _result(data, input)
    if _state.enabled and (input._requires_grad or src._requires_grad):
        record(ScatterReduceBackward0, out, (input, src), (d, index, reduce, include_self))
    return out


__all__ = ["scatter", "scatter_add", "scatter_reduce"]
INPLACE = {"scatter_": _scatter_for_inplace, "scatter_add_": scatter_add,
           "scatter_reduce_": scatter_reduce}
