"""Distances: ``cosine_similarity``, ``pairwise_distance``, ``pdist`` and ``cdist``.

Built as PyTorch builds them, so the graphs read the same:
- ``cosine_similarity`` is a composite: each input divided by its (cloned, eps-clamped)
  2-norm, multiplied, summed over ``dim`` (``SumBackward1``);
- ``pairwise_distance`` is ``norm(x1 - x2 + eps, p, last dim)`` (``NormBackward1`` over
  ``AddBackward1``, ATen's tensor-plus-scalar overload);
- ``pdist`` and ``cdist`` are kernels (``PdistBackward0``, ``CdistBackward0``); for p = 2 and
  more than 25 rows (or ``compute_mode='use_mm_for_euclid_dist'``) ``cdist`` takes PyTorch's
  matrix-product route, ``EuclideanDistBackward0``: ``|a|^2 - 2 a.b + |b|^2``, one GEMM.

The kernels' derivatives share one per-pair formula (PyTorch's): 0 where the distance is 0,
``sign(d) |d|^(p-1) / dist^(p-1)`` in general, ``d / dist`` for p = 2, and for p = inf the
sign at the entries that reach the maximum.
"""

import math

import numpy as np

from .. import _dtype
from .._tensor import _wrap_dim
from ..autograd.grad_mode import no_grad
from ._dispatch import Op, _state, broadcast_error, record, wrap
from ._scalar_ops import add_scalar
from .norms import LinalgVectorNormBackward0, vector_norm
from .selection import where

_COMPUTE_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
                  "donot_use_mm_for_euclid_dist": 2}


def _legacy(tensor):
    return tensor.dtype._legacy_name[:-6]


# -- cosine_similarity --------------------------------------------------------------------
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    common = _dtype.result_type(x1, x2)
    if not common.is_floating_point:
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{common._legacy_name[:-6]}")
    if not x1.is_floating_point():
        x1 = x1.to(common)
    if not x2.is_floating_point():
        x2 = x2.to(common)
    if x1.shape != x2.shape:
        try:
            shape = np.broadcast_shapes(x1.shape, x2.shape)
        except ValueError:
            raise broadcast_error(x1.shape, x2.shape) from None
        x1, x2 = x1.expand(shape), x2.expand(shape)
    d = _wrap_dim(dim, x1.dim())
    # Dividing each input by its own norm first keeps the result inside [-1, 1]; the norms
    # are clamped to eps in place, outside the graph, as PyTorch does.
    norm1 = vector_norm(x1, 2, d, True).clone()
    norm2 = vector_norm(x2, 2, d, True).clone()
    with no_grad():
        norm1.clamp_min_(eps)
        norm2.clamp_min_(eps)
    return ((x1 / norm1) * (x2 / norm2)).sum(d)


# -- pairwise_distance --------------------------------------------------------------------
class NormBackward1(LinalgVectorNormBackward0):
    formula = "d||x||_p/dx = sign(x) |x|^(p-1) / ||x||^(p-1) (p=2: x/||x||)"


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    innermost = max(x1.dim(), x2.dim()) - 1
    shifted = add_scalar(x1 - x2, eps)
    dims = (innermost % shifted.dim() if shifted.dim() else 0,)
    out = vector_norm(shifted.detach(), p, innermost, keepdim)
    if _state.enabled and shifted._requires_grad:
        record(NormBackward1, out, (shifted,), (float(p), dims, keepdim))
    return out


# -- pdist, cdist kernels -----------------------------------------------------------------
def _p_norm(magnitude, p):
    """The p-norm of ``|difference|`` over the last axis (p >= 0)."""
    if p == 0:
        return (magnitude != 0).sum(-1).astype(magnitude.dtype)
    if p == 1:
        return magnitude.sum(-1)
    if p == 2:
        return np.sqrt(np.einsum("...i,...i->...", magnitude, magnitude))
    if math.isinf(p):
        return magnitude.max(-1, initial=0)
    return (magnitude ** p).sum(-1) ** (1 / p)


def _pair_grad(diff, dist, grad, p):
    """d dist/d diff times grad, for each pair, as PyTorch's distance kernels compute it."""
    if p == 0:
        return diff * 0
    if p == 1:
        return grad * diff.sign()
    if math.isinf(p):
        return grad * diff.sign() * (diff.abs() == dist)
    zero = dist == 0
    if p == 2:
        return where(zero, 0.0, grad * diff / dist)
    if p < 2:
        if p < 1:
            zero = zero | (diff == 0)  # |0|^(p-1) is infinite: the kernels give 0
        return where(zero, 0.0, diff.sign() * diff.abs().pow(p - 1) * grad / dist.pow(p - 1))
    return where(zero, 0.0, diff * diff.abs().pow(p - 2) * grad / dist.pow(p - 1))


class PdistBackward0(Op):
    saves = (0, "result")
    formula = "d pdist/dx_i = sum over pairs (i, j) of d||x_i - x_j||_p/dx_i"

    def backward(self, grad):
        from .._creation import zeros_like
        x, result = self.saved_tensors
        p, rows, cols = self.ctx
        pair = _pair_grad(x[rows] - x[cols], result.unsqueeze(-1), grad.unsqueeze(-1), p)
        return zeros_like(x).index_add(0, rows, pair).index_add(0, cols, -pair)


def pdist(input, p=2):
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if not input.is_floating_point():
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    input = input.contiguous()
    a = input._data
    rows, cols = np.triu_indices(a.shape[0], 1)
    out = wrap(_p_norm(np.abs(a[rows] - a[cols]), p).astype(a.dtype, copy=False))
    if _state.enabled and input._requires_grad:
        record(PdistBackward0, out, (input,), (p, wrap(rows), wrap(cols)))
    return out


class CdistBackward0(Op):
    saves = (0, 1, "result")
    formula = "d cdist_ij/dx1_i = d||x1_i - x2_j||_p/dx1_i; d/dx2_j is its negative"

    def backward(self, grad):
        x1, x2, result = self.saved_tensors
        pair = _pair_grad(x1.unsqueeze(-2) - x2.unsqueeze(-3), result.unsqueeze(-1),
                          grad.unsqueeze(-1), self.ctx)
        return (pair.sum(-2) if self.needs_input_grad(0) else None,
                -pair.sum(-3) if self.needs_input_grad(1) else None)


class EuclideanDistBackward0(Op):
    saves = (0, 1, "result")
    formula = "d||a_i - b_j||/da_i = (a_i - b_j) / ||a_i - b_j|| (0 where the distance is 0)"

    def backward(self, grad):
        x1, x2, result = self.saved_tensors
        ratio = where(result == 0, 0.0, grad / result)
        return (x1 * ratio.sum(-1, keepdim=True) - ratio.matmul(x2),
                x2 * ratio.sum(-2).unsqueeze(-1) - ratio.mT.matmul(x1))


def _euclidean_dist(x1, x2):
    a, b = x1._data, x2._data
    # [-2a, |a|^2, 1] . [b, 1, |b|^2] = |a - b|^2, all pairs in one matrix product.
    a_sq = np.einsum("...i,...i->...", a, a)[..., None]
    b_sq = np.einsum("...i,...i->...", b, b)[..., None]
    left = np.concatenate((a * -2, a_sq, np.ones_like(a_sq)), -1)
    right = np.concatenate((b, np.ones_like(b_sq), b_sq), -1)
    squared = left @ np.swapaxes(right, -1, -2)
    out = wrap(np.sqrt(np.maximum(squared, 0, out=squared), out=squared))
    if _state.enabled and (x1._requires_grad or x2._requires_grad):
        record(EuclideanDistBackward0, out, (x1, x2))
    return out


def _cdist_checks(x1, x2, p):
    for name, x in (("X1", x1), ("X2", x2)):
        if x.dim() < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: "
                               f"{x.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    for name, x in (("X1", x1), ("X2", x2)):
        if not x.is_floating_point():
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{_legacy(x)}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    try:
        batch = np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    except ValueError:
        raise broadcast_error(x1.shape[:-2], x2.shape[:-2]) from None
    if x1.dtype != x2.dtype:
        raise RuntimeError(f"expected scalar type {_legacy(x1)} but found {_legacy(x2)}")
    return batch


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    if compute_mode not in _COMPUTE_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    mode = _COMPUTE_MODES[compute_mode]
    batch = _cdist_checks(x1, x2, p)
    r1, r2, columns = x1.shape[-2], x2.shape[-2], x1.shape[-1]
    batch_size = math.prod(batch)
    if (p == 2 and x1.numel() and x2.numel() and r1 and r2 and batch_size and columns
            and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25)))):
        if batch_size != 1:
            x1 = x1.expand(*batch, r1, columns).contiguous().view(batch_size, r1, columns)
            x2 = x2.expand(*batch, r2, columns).contiguous().view(batch_size, r2, columns)
        return _euclidean_dist(x1, x2).view(*batch, r1, r2)
    a, b = x1._data, x2._data
    difference = np.abs(a[..., :, None, :] - b[..., None, :, :])
    out = wrap(_p_norm(difference, p).astype(a.dtype, copy=False))
    if _state.enabled and (x1._requires_grad or x2._requires_grad):
        record(CdistBackward0, out, (x1, x2), p)
    return out


__all__ = ["cosine_similarity", "pairwise_distance", "pdist", "cdist"]
FUNCTION_ONLY = __all__
