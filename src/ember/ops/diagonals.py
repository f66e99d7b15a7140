"""Diagonals and triangles: ``diagonal`` (a view), ``diag``, ``diag_embed``, ``tril``,
``triu``.

The diagonal of dims (d1, d2) at ``offset`` is a strided view: consecutive elements are one
step along d1 plus one along d2 apart. Putting values on a diagonal of zeros
(``diag_embed``, and ``diagonal``'s derivative) writes through that view; taking the
diagonal is the derivative back.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._tensor import _wrap_dim
from ._dispatch import Op, _state, record, wrap
from ._views import make_view


def diagonal_view(data, offset, d1, d2):
    """The (writable) NumPy view of ``data``'s diagonal in dims d1, d2 at ``offset``."""
    n1, n2 = data.shape[d1], data.shape[d2]
    i1, i2 = (0, offset) if offset >= 0 else (-offset, 0)
    length = max(0, min(n1 - i1, n2 - i2))
    keep = [i for i in range(data.ndim) if i not in (d1, d2)]
    shape = tuple(data.shape[i] for i in keep) + (length,)
    strides = tuple(data.strides[i] for i in keep) + (data.strides[d1] + data.strides[d2],)
    if length == 0:
        return as_strided(data, shape, strides)
    # Start at the diagonal's first element, then step along it.
    start = [slice(None)] * data.ndim
    start[d1], start[d2] = slice(i1, None), slice(i2, None)
    return as_strided(data[tuple(start)], shape, strides)


def _diagonal_dims(ndim, dim1, dim2):
    d1, d2 = _wrap_dim(dim1, ndim), _wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


class DiagonalBackward0(Op):
    formula = "d(diagonal(x))/dx = zeros with grad on that diagonal"

    def backward(self, grad):
        return _on_diagonal(grad, self._input_meta[0][0], *self.ctx)


class DiagonalBackwardBackward0(Op):
    formula = "d(zeros with g on a diagonal)/dg = that diagonal"

    def backward(self, grad):
        offset, d1, d2 = self.ctx
        return grad.diagonal(offset, d1, d2)


def _on_diagonal(values, shape, offset, d1, d2):
    """Zeros of ``shape`` with ``values`` on the diagonal (offset, d1, d2)."""
    data = np.zeros(shape, dtype=values._data.dtype)
    diagonal_view(data, offset, d1, d2)[...] = values._data
    out = wrap(data)
    if _state.enabled and values._requires_grad:
        record(DiagonalBackwardBackward0, out, (values,), (offset, d1, d2))
    return out


def diagonal(input, offset=0, dim1=0, dim2=1):
    d1, d2 = _diagonal_dims(input._data.ndim, dim1, dim2)
    out = make_view(input, diagonal_view(input._data, offset, d1, d2))
    if _state.enabled and input._requires_grad:
        record(DiagonalBackward0, out, (input,), (offset, d1, d2))
    return out


class DiagEmbedBackward0(Op):
    formula = "d(diag_embed(x))/dx = the gradient's diagonal"

    def backward(self, grad):
        offset, d1, d2 = self.ctx
        return grad.diagonal(offset, d1, d2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    data = input._data
    ndim = data.ndim + 1
    d1, d2 = _diagonal_dims(ndim, dim1, dim2)
    size = data.shape[-1] + abs(offset)
    shape = list(data.shape[:-1])
    for d in sorted((d1, d2)):
        shape.insert(d, size)
    out = np.zeros(shape, dtype=data.dtype)
    diagonal_view(out, offset, d1, d2)[...] = data
    out = wrap(out)
    if _state.enabled and input._requires_grad:
        record(DiagEmbedBackward0, out, (input,), (offset, d1, d2))
    return out


class DiagonalBackward0_copy(DiagonalBackward0):  # noqa: N801 (PyTorch's name)
    __slots__ = ()


def diag(input, diagonal=0):
    ndim = input._data.ndim
    if ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if ndim != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {ndim}D")
    out = wrap(diagonal_view(input._data, diagonal, 0, 1).copy())
    if _state.enabled and input._requires_grad:
        record(DiagonalBackward0_copy, out, (input,), (diagonal, 0, 1))
    return out


class TrilBackward0(Op):
    formula = "d(tril(x, k))/dx = tril(grad, k)"

    def backward(self, grad):
        return grad.tril(self.ctx)


class TriuBackward0(Op):
    formula = "d(triu(x, k))/dx = triu(grad, k)"

    def backward(self, grad):
        return grad.triu(self.ctx)


def _triangle(np_func, cls, name):
    def op(input, diagonal=0):
        data = input._data
        if data.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        out = wrap(np_func(data, diagonal))
        if _state.enabled and input._requires_grad:
            record(cls, out, (input,), diagonal)
        return out

    op.__name__ = op.__qualname__ = name
    return op


tril = _triangle(np.tril, TrilBackward0, "tril")
triu = _triangle(np.triu, TriuBackward0, "triu")

__all__ = ["diagonal", "diag", "diag_embed", "tril", "triu"]
INPLACE = {"tril_": tril, "triu_": triu}
