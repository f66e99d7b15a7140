"""Counting and binning: bincount, histc, histogram, bucketize, searchsorted, isin.

None of these is differentiable (their results are counts, indices or booleans), as in
PyTorch.
"""

import numbers

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from . import _return_types
from ._dispatch import wrap
from .unary import not_implemented_for


def bincount(input, weights=None, minlength=0):
    """How often each non-negative integer occurs in a 1-D ``input`` (weighted: summed)."""
    data = input._data
    if data.ndim != 1:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if data.dtype.kind not in "iu":
        raise not_implemented_for("bincount_cpu", data.dtype)
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if data.size and data.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return wrap(np.bincount(data, minlength=minlength).astype(np.int64))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != data.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    # float32 weights give float32 counts; every other weight dtype gives float64.
    result_dtype = np.float32 if w.dtype == np.float32 else np.float64
    return wrap(np.bincount(data, weights=w.astype(np.float64), minlength=minlength)
                .astype(result_dtype))


def _histogram_range(data, bins, low, high, name):
    if not data.dtype.kind == "f":
        raise not_implemented_for("histogram_cpu", data.dtype)
    if bins <= 0:
        raise RuntimeError(f"{name}(): bins must be > 0, but got {bins} for dimension 0")
    if low == high and data.size:
        low, high = float(data.min()), float(data.max())
    if low == high:
        low, high = low - 1, high + 1
    if low > high:
        raise RuntimeError(f"{name}(): max must be larger than min")
    if not (np.isfinite(low) and np.isfinite(high)):
        raise RuntimeError(f"{name}(): range of [{low}, {high}] is not finite")
    return low, high


def histc(input, bins=100, min=0, max=0):
    """Counts of ``input`` in ``bins`` equal bins over [min, max] (the data's own range when
    both are 0); values outside are ignored. The result has ``input``'s dtype."""
    data = input._data
    low, high = _histogram_range(data, bins, float(min), float(max), "torch.histc")
    flat = data.reshape(-1)
    inside = flat[(flat >= low) & (flat <= high)]
    # bin = (x - min) * bins / (max - min), the top edge going into the last bin
    position = ((inside.astype(np.float64) - low) * bins / (high - low)).astype(np.int64)
    counts = np.bincount(np.minimum(position, bins - 1), minlength=bins)
    return wrap(counts.astype(data.dtype))


def histogram(input, bins=100, *, range=None, weight=None, density=False):
    """``(hist, bin_edges)`` of a float tensor; ``bins`` an int or a tensor of edges."""
    data = input._data.reshape(-1)
    if isinstance(bins, Tensor):
        edges = bins._data
    else:
        low, high = (0.0, 0.0) if range is None else (float(range[0]), float(range[1]))
        low, high = _histogram_range(input._data, bins, low, high, "torch.histogram")
        edges = np.linspace(low, high, bins + 1).astype(data.dtype)
    weights = None if weight is None else weight._data.reshape(-1)
    hist, _ = np.histogram(data, bins=edges.astype(np.float64), weights=weights,
                           density=density)
    return _return_types.histogram(wrap(hist.astype(data.dtype)), wrap(edges.copy()))


def _side(right, side):
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites,"
                               " got side of left while right was True")
        return side
    return "right" if right else "left"


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None, out=None):
    """Indices where ``input`` would be inserted into the innermost rows of
    ``sorted_sequence`` to keep them sorted."""
    seq = sorted_sequence._data
    values = input._data if isinstance(input, Tensor) else np.asarray(input)
    side = _side(right, side)
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._data, axis=-1)
    if seq.ndim > 1 and (values.ndim == 0 or seq.shape[:-1] != values.shape[:-1]):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor "
            f"{list(values.shape)}")
    if seq.ndim <= 1:
        result = np.searchsorted(seq, values, side=side)
    else:
        rows = seq.reshape(-1, seq.shape[-1])
        queries = values.reshape(rows.shape[0], -1)
        result = np.stack([np.searchsorted(r, q, side=side) for r, q in zip(rows, queries)])
        result = result.reshape(values.shape)
    return wrap(np.asarray(result, np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each value of ``input`` among 1-D ``boundaries``."""
    if boundaries.dim() != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries.dim()})")
    if isinstance(input, numbers.Number):
        input = wrap(np.asarray(input))
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each of ``elements`` occurs in ``test_elements`` (either may be a number)."""
    a = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    b = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    if isinstance(elements, Tensor) and isinstance(test_elements, Tensor):
        _dtype.result_type(elements, test_elements)  # PyTorch promotes; errors alike
    return wrap(np.isin(a, b, invert=invert))


__all__ = ["bincount", "histc", "histogram", "bucketize", "searchsorted", "isin"]
FUNCTION_ONLY = ["bucketize", "searchsorted", "isin"]
