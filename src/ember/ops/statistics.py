"""Spread and size: var, std, var_mean, std_mean, and norm (vector p-norms and the nuclear
norm).

``var``/``std`` accept PyTorch's spellings: ``correction=`` (default 1, Bessel's), the
legacy ``unbiased=`` (True is correction 1, False is 0), and ``var(unbiased)`` as the only
positional argument. ``norm`` is ``torch.norm``/``Tensor.norm``: 'fro' and numbers are
``linalg.vector_norm`` (one ``LinalgVectorNormBackward0`` node), 'nuc' sums the singular
values of a matrix (its top node is ``SumBackward1``, as in PyTorch).
"""

import math
import warnings

import numpy as np

from .._tensor import _wrap_dim
from ._dispatch import Op, _state, record, record_multi, wrap
from .reduction import _numel, accumulator_dtype, normalize_dims, restore_dims


def _parse_correction(name, dim, unbiased, correction):
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        "(correction=, unbiased=), but expected one of:")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return dim, correction


def _moments(input, dim, correction, keepdim, name):
    """(variance array, mean array, dims, count for the derivative) of ``input`` over ``dim``.

    The derivative's count follows PyTorch's: an explicitly empty ``dim`` reduces every
    dimension but counts 1 element (the size of no dimensions), and a whole-tensor
    reduction is marked by ``None``.
    """
    data = input._data
    if data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    dims = normalize_dims(dim, data.ndim)
    count = _numel([data.shape[d] for d in dims])
    if count - correction <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly "
                      "less than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
    work = data.astype(accumulator_dtype(data.dtype), copy=False)
    mean = np.add.reduce(work, axis=dims, keepdims=True) / work.dtype.type(count)
    deviation = work - mean
    squares = np.add.reduce(deviation * deviation, axis=dims, keepdims=keepdim)
    variance = squares / work.dtype.type(max(count - correction, 0))
    if not keepdim:
        mean = mean.reshape(variance.shape)
    if dim is None or not data.ndim:
        grad_count = None
    else:
        grad_count = 1 if isinstance(dim, (tuple, list)) and not dim else count
    return (np.asarray(variance, data.dtype), np.asarray(mean, data.dtype), dims, grad_count)


def _var_grad(grad, a, dims, keepdim, count, correction):
    # d var/da_i = 2 (a_i - mean) / (N - correction)
    if count is None:
        degrees = a._data.size - correction
        centered = a - a.mean()
        if degrees <= 0:
            # PyTorch: inf, or nan where a_i is the mean (inf * 0).
            undefined = wrap(np.where(centered._data == 0, np.nan, np.inf)
                             .astype(a._data.dtype))
            return grad * undefined
        return grad * (2.0 / degrees) * centered
    degrees = count - correction
    scale = 2.0 / degrees if degrees else math.inf
    centered = a - a.mean(dims, keepdim=True)
    return restore_dims(grad, dims, keepdim) * scale * centered


def _std_grad(grad, a, result, dims, keepdim, count, correction):
    # d std = d var / (2 std); PyTorch gives 0 where std is 0.
    grad_var = (grad / (result * 2)).masked_fill(result == 0, 0)
    return _var_grad(grad_var, a, dims, keepdim, count, correction)


def _mean_grad(grad, shape, dims, keepdim):
    from .reduction import expand_grad
    count = _numel([shape[d] for d in dims])
    return expand_grad(restore_dims(grad, dims, keepdim), shape, 1 / count if count else math.inf)


class VarBackward0(Op):
    saves = (0,)
    formula = "d var(a)/da_i = 2 (a_i - mean a) / (N - correction)"

    def backward(self, grad):
        (a,) = self.saved_tensors
        return _var_grad(grad, a, *self.ctx)


class StdBackward0(Op):
    saves = (0, "result")
    formula = "d std(a)/da_i = (a_i - mean a) / ((N - correction) std a)"

    def backward(self, grad):
        a, result = self.saved_tensors
        return _std_grad(grad, a, result, *self.ctx)


class VarMeanBackward0(Op):
    saves = (0,)
    formula = "var as VarBackward0, plus d mean(a)/da_i = 1/N"

    def backward(self, grad_var, grad_mean):
        (a,) = self.saved_tensors
        dims, keepdim, count, correction = self.ctx
        return (_var_grad(grad_var, a, dims, keepdim, count, correction)
                + _mean_grad(grad_mean, a.shape, dims, keepdim))


class StdMeanBackward0(Op):
    saves = ("result", 0)
    formula = "std as StdBackward0, plus d mean(a)/da_i = 1/N"

    def backward(self, grad_std, grad_mean):
        result, a = self.saved_tensors
        dims, keepdim, count, correction = self.ctx
        return (_std_grad(grad_std, a, result, dims, keepdim, count, correction)
                + _mean_grad(grad_mean, a.shape, dims, keepdim))


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, correction = _parse_correction("var", dim, unbiased, correction)
    variance, _, dims, count = _moments(input, dim, correction, keepdim, "var")
    out = wrap(variance)
    if _state.enabled and input._requires_grad:
        record(VarBackward0, out, (input,), (dims, keepdim, count, correction))
    return out


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, correction = _parse_correction("std", dim, unbiased, correction)
    variance, _, dims, count = _moments(input, dim, correction, keepdim, "std")
    out = wrap(np.sqrt(variance))
    if _state.enabled and input._requires_grad:
        record(StdBackward0, out, (input,), (dims, keepdim, count, correction))
    return out


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, correction = _parse_correction("var_mean", dim, unbiased, correction)
    variance, mean, dims, count = _moments(input, dim, correction, keepdim, "var_mean")
    outputs = (wrap(variance), wrap(mean))
    if _state.enabled and input._requires_grad:
        record_multi(VarMeanBackward0, outputs, (input,), (dims, keepdim, count, correction))
    return outputs


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, correction = _parse_correction("std_mean", dim, unbiased, correction)
    variance, mean, dims, count = _moments(input, dim, correction, keepdim, "std_mean")
    outputs = (wrap(np.sqrt(variance)), wrap(mean))
    if _state.enabled and input._requires_grad:
        record_multi(StdMeanBackward0, outputs, (input,), (dims, keepdim, count, correction))
    return outputs


# -- norms ----------------------------------------------------------------------------------
class LinalgVectorNormBackward0(Op):
    saves = (0, "result")
    formula = "d ||a||_p/da_i = sgn(a_i) |a_i|^(p-1) / ||a||_p^(p-1)"

    def backward(self, grad):
        a, result = self.saved_tensors
        order, dims, keepdim = self.ctx
        grad = restore_dims(grad, dims, keepdim)
        result = restore_dims(result, dims, keepdim)
        if order == 0:
            return wrap(np.zeros(a.shape, grad._data.dtype))
        if order == 1:
            return a.sgn() * grad
        if order == 2:
            return a * (grad / result).masked_fill(result == 0, 0)
        if math.isinf(order):
            # The gradient is shared among the elements whose |a_i| attains the norm.
            mask = wrap(np.abs(a._data) == result._data)
            count = mask.sum(dims, keepdim=True) if dims else mask.to(grad.dtype)
            return a.sgn() * mask * (grad / count)
        if order < 1:
            scaled = a.sgn() * a.abs().pow(order - 1).masked_fill(a == 0, 0)
            return scaled * grad * result.pow(1 - order)
        scale = (grad / result.pow(order - 1)).masked_fill(result == 0, 0)
        return a.sgn() * a.abs().pow(order - 1) * scale


def vector_norm(input, ord=2, dim=None, keepdim=False, *, dtype=None):
    data = input._data
    if data.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {input.dtype._legacy_name[:-6]}")
    if dtype is not None:
        data = data.astype(dtype.np)
    dims = normalize_dims(dim, data.ndim)
    if math.isinf(ord) and data.size == 0:
        given = [dim] if isinstance(dim, int) else list(dim or ())
        for d in given:
            if data.shape[_wrap_dim(d, data.ndim)] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on the "
                                   f"dimension {d}because this dimension is empty and the "
                                   "operation does not have an identity")
        if not given:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty "
                               "tensor because the operation does not have an identity")
    magnitude = np.abs(data)
    axis = dims if data.ndim else None
    if ord == 2:
        result = np.sqrt(np.add.reduce(magnitude * magnitude, axis=axis, keepdims=keepdim))
    elif ord == math.inf:
        result = np.max(magnitude, axis=axis, keepdims=keepdim)
    elif ord == -math.inf:
        result = np.min(magnitude, axis=axis, keepdims=keepdim)
    elif ord == 0:
        result = np.add.reduce(magnitude != 0, axis=axis, keepdims=keepdim, dtype=data.dtype)
    elif ord == 1:
        result = np.add.reduce(magnitude, axis=axis, keepdims=keepdim)
    else:
        result = np.add.reduce(magnitude ** ord, axis=axis, keepdims=keepdim) ** (1.0 / ord)
    out = wrap(np.asarray(result, data.dtype))
    if _state.enabled and input._requires_grad:
        record(LinalgVectorNormBackward0, out, (input,), (ord, dims, keepdim))
    return out


class LinalgSvdBackward0(Op):
    """The singular values of a (batch of) matrices."""
    formula = "d sigma_k/dA = u_k v_k^T"

    def backward(self, grad):
        if _state.enabled:
            raise NotImplementedError("ember cannot differentiate singular values twice "
                                      "(create_graph=True through the nuclear norm) yet")
        u, vh = self.ctx
        return wrap((u * grad._data[..., None, :]) @ vh)


def _singular_values(input):
    u, s, vh = np.linalg.svd(input._data, full_matrices=False)
    out = wrap(s.astype(input._data.dtype, copy=False))
    if _state.enabled and input._requires_grad:
        record(LinalgSvdBackward0, out, (input,), (u, vh))
    return out


def _nuclear_norm(input, dim, keepdim):
    rows, cols = (_wrap_dim(d, input._data.ndim) for d in dim)
    rest = [d for d in range(input.ndim) if d not in (rows, cols)]
    matrices = input.permute(*rest, rows, cols)
    total = _singular_values(matrices).sum(-1)
    if keepdim:
        for d in sorted((rows, cols)):
            total = total.unsqueeze(d)
    return total


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """``torch.norm``: the Frobenius/p-norm over ``dim`` (all of it by default), or 'nuc'."""
    if out is not None:
        raise NotImplementedError("ember does not support the out= argument of norm yet")
    dims = [dim] if isinstance(dim, int) else dim
    if isinstance(p, str):
        if p == "fro" and (dims is None or len(dims) <= 2):
            return vector_norm(input, 2, dims, keepdim, dtype=dtype)
        dims = list(range(input.ndim)) if dims is None else list(dims)
        if input._data.ndim < 2:
            raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                               "dimensions.")
        if len(dims) != 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                               f"{' '.join(map(str, dims))}")
        if p != "nuc":
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if dtype is not None:
            input = input.to(dtype)
        return _nuclear_norm(input, dims, keepdim)
    return vector_norm(input, 2.0 if p is None else p, dims, keepdim, dtype=dtype)


__all__ = ["var", "std", "var_mean", "std_mean", "norm"]
FUNCTION_ONLY = ["var_mean", "std_mean"]
