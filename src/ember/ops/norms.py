"""Norms: ``linalg.vector_norm``, ``linalg.matrix_norm``, ``linalg.norm`` and ``torch.norm``
(``Tensor.norm``).

A vector norm is one op, ``LinalgVectorNormBackward0`` (PyTorch's), whose derivative
depends on the order p (PyTorch's ``norm_backward``): 0 has none, 1 is sign(x), 2 is x/‖x‖,
±inf splits the gradient evenly among the entries of extreme magnitude, other p give
sign(x) |x|^(p-1) / ‖x‖^(p-1), with 0 where the norm is 0.

Matrix norms are composites, as in PyTorch: 'fro' is the vector 2-norm over the two
dimensions; 'nuc' sums the singular values (SumBackward1); ±1 and ±inf take amax/amin of
absolute column/row sums, ±2 of the singular values (AmaxBackward0 / AminBackward0).
"""

import math

import numpy as np

from .._tensor import _wrap_dim
from ._dispatch import Op, _state, record, wrap
from ._matrix_utils import _SCALAR_NAMES

__all__ = ["norm"]


def _dims(dim, ndim):
    dims = (dim,) if isinstance(dim, int) else tuple(dim or ())
    if not dims:
        # None and () both mean every dimension.
        return tuple(range(ndim))
    # Out-of-range dims raise PyTorch's IndexError (a 0-d tensor accepts 0 and -1).
    return tuple(_wrap_dim(d, ndim) if ndim else 0 for d in dims)


def _unsqueeze_dims(t, dims):
    for d in sorted(dims):
        t = t.unsqueeze(d)
    return t


class LinalgVectorNormBackward0(Op):
    saves = (0, "result")
    formula = "d||x||_p/dx = sign(x) |x|^(p-1) / ||x||^(p-1) (p=2: x/||x||, p=inf: ties split)"

    def backward(self, grad):
        from .pointwise import eq
        from .selection import where
        x, norm = self.saved_tensors
        p, dims, keepdim = self.ctx
        ndim = x.dim()
        if not keepdim and ndim:
            grad = _unsqueeze_dims(grad, dims)
            norm = _unsqueeze_dims(norm, dims)
        if x._data.dtype != norm._data.dtype:
            x = x.to(norm.dtype)
        if p == 0:
            return grad * x * 0
        if p == 1:
            return x.sign() * grad
        zero = eq(norm, 0)
        if p == 2:
            return grad * where(zero, 0.0, x / norm)
        if math.isinf(p):
            is_extreme = eq(x.abs(), norm).to(norm.dtype)
            count = is_extreme.sum(dims, keepdim=True) if ndim else is_extreme
            return x.sign() * is_extreme * (grad / count)
        if p < 1:
            scaled = where(eq(x, 0), 0.0, x.sign() * x.abs() ** (p - 1))
            return scaled * (grad * norm ** (1 - p))
        scaled = x.sign() * x.abs() ** (p - 1) if p < 2 else x * x.abs() ** (p - 2)
        return scaled * where(zero, 0.0, grad / norm ** (p - 1))


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    if isinstance(ord, str):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
                        f"{type(ord).__name__}")
    data = x._data
    if data.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_SCALAR_NAMES[data.dtype.name]}")
    if dtype is not None:
        data = data.astype(dtype.np)
    dims = _dims(dim, data.ndim)
    magnitude = np.abs(data)
    p = float(ord)
    if math.isinf(p) and magnitude.size == 0:
        if not dim and dim != 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_name(p)} norm on "
                               "an empty tensor because the operation does not have an identity")
        for d in ((dim,) if isinstance(dim, int) else dim):
            if data.shape[d] == 0:
                # (sic: PyTorch's message lacks the space after the dimension.)
                raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_name(p)} norm on "
                                   f"the dimension {d}because this dimension is empty and the "
                                   "operation does not have an identity")
    axis = dims if data.ndim else None
    if p == math.inf:
        result = magnitude.max(axis=axis, keepdims=keepdim)
    elif p == -math.inf:
        result = magnitude.min(axis=axis, keepdims=keepdim)
    elif p == 0:
        result = (magnitude != 0).sum(axis=axis, keepdims=keepdim).astype(magnitude.dtype)
    elif p == 1:
        result = magnitude.sum(axis=axis, keepdims=keepdim)
    elif p == 2:
        result = np.sqrt((magnitude * magnitude).sum(axis=axis, keepdims=keepdim))
    else:
        with np.errstate(divide="ignore"):
            result = (magnitude ** p).sum(axis=axis, keepdims=keepdim) ** (1 / p)
    out = wrap(np.asarray(result, magnitude.dtype))
    if _state.enabled and x._requires_grad:
        record(LinalgVectorNormBackward0, out, (x,), (p, dims, keepdim))
    return out


def _ord_name(p):
    return "inf" if p > 0 else "-inf"


_MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    from .extrema import amax, amin
    from .spectral import svdvals
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    dim = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                           f"{' '.join(map(str, dim))}")
    if ord not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    ndim = A._data.ndim
    row, col = (_wrap_dim(d, ndim) for d in dim)
    if dtype is not None:
        A = A.to(dtype)
    if ord == "fro":
        return vector_norm(A, 2, (row, col), keepdim)
    if ord in ("nuc", 2, -2):
        # The singular values of the matrices formed by the two dimensions (moved last).
        order = [d for d in range(ndim) if d not in (row, col)] + [row, col]
        values = svdvals(A.permute(*order))
        if ord == "nuc":
            result = values.sum(-1, keepdim=keepdim)
        else:
            result = (amax if ord == 2 else amin)(values, -1, keepdim=keepdim)
        if keepdim:
            # Back to the input's dimension order, the two reduced ones kept as size 1.
            result = result.unsqueeze(-1).permute(*np.argsort(order).tolist())
        return result
    reduce = amax if ord > 0 else amin
    # 1: largest absolute column sum; inf: largest absolute row sum.
    summed, other = (row, col) if abs(ord) == 1 else (col, row)
    sums = A.abs().sum(summed, keepdim=keepdim)
    if not keepdim and other > summed:
        other -= 1
    return reduce(sums, other, keepdim=keepdim)


def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    if dim is not None and not isinstance(dim, int):
        dim = tuple(dim)
    if ord is None:
        if dim is None or isinstance(dim, int) or len(dim) == 1:
            return vector_norm(A, 2, dim, keepdim, dtype=dtype)
        return matrix_norm(A, "fro", dim, keepdim, dtype=dtype)
    if dim is None:
        if A._data.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must "
                               f"be 1D or 2D. Got {A._data.ndim}D.")
        dim = tuple(range(A._data.ndim))
    if isinstance(dim, int) or len(dim) == 1:
        return vector_norm(A, ord, dim, keepdim, dtype=dtype)
    return matrix_norm(A, ord, dim, keepdim, dtype=dtype)


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """``torch.norm``: the vector p-norm over ``dim`` (all elements by default); 'fro' is
    the 2-norm, 'nuc' the nuclear norm of a matrix."""
    if out is not None:
        raise NotImplementedError("torch.norm(out=...) is not supported")
    if isinstance(p, str):
        if p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        dims = tuple(range(input._data.ndim)) if dim is None else dim
        return matrix_norm(input, p, dims, keepdim, dtype=dtype)
    return vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype=dtype)
