"""Pooling functions: ``max_pool1d/2d/3d`` (``return_indices``), ``avg_pool1d/2d/3d``,
``adaptive_avg_pool1d/2d/3d``, ``adaptive_max_pool1d/2d/3d``, ``lp_pool1d/2d/3d`` and
``max_unpool1d/2d/3d``.

The kernels are ``ember.ops.pooling``'s; this module adds ``nn.functional``'s signatures and
builds the composite functions as PyTorch does (``lp_pool`` is an average pool of ``x**p``,
so its graph reads ``PowBackward0 <- MulBackward0 <- ... <- AvgPool2DBackward0``).
"""

import numpy as np

from ...ops import pooling as _ops
from ...ops._dispatch import Op, _state, record, wrap
from ...ops._pool_kernels import gather_plane
from ...ops.pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
)
from ._activation import relu

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
           "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "adaptive_max_pool3d_with_indices", "lp_pool1d", "lp_pool2d", "lp_pool3d",
           "max_unpool1d", "max_unpool2d", "max_unpool3d"]


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    return _ops.max_pool1d_with_indices(input, kernel_size, stride, padding, dilation,
                                        ceil_mode)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    return _ops.max_pool2d_with_indices(input, kernel_size, stride, padding, dilation,
                                        ceil_mode)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    return _ops.max_pool3d_with_indices(input, kernel_size, stride, padding, dilation,
                                        ceil_mode)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    if return_indices:
        return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _ops.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    if return_indices:
        return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _ops.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    if return_indices:
        return max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _ops.max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    return _ops.adaptive_max_pool1d(input, output_size)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _ops.adaptive_max_pool2d(input, output_size)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return _ops.adaptive_max_pool3d(input, output_size)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    result = _ops.adaptive_max_pool1d(input, output_size)
    return result if return_indices else result[0]


def adaptive_max_pool2d(input, output_size, return_indices=False):
    result = _ops.adaptive_max_pool2d(input, output_size)
    return result if return_indices else result[0]


def adaptive_max_pool3d(input, output_size, return_indices=False):
    result = _ops.adaptive_max_pool3d(input, output_size)
    return result if return_indices else result[0]


def _ntuple(value, n):
    """An int or a sequence as an n-tuple (``nn.modules.utils._ntuple``; that package imports
    this one, so it cannot be imported here)."""
    return tuple(value) if isinstance(value, (list, tuple)) else (value,) * n


def _single(value):
    return _ntuple(value, 1)


def _pair(value):
    return _ntuple(value, 2)


def _triple(value):
    return _ntuple(value, 3)


# -- power-average pooling ----------------------------------------------------------------
def _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, max_pool, avg_pool, window):
    if norm_type == float("inf"):
        return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -float("inf"):
        return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    # sign * relu(abs): a zero sum gets a zero gradient, not a nan one.
    return (out.sign() * relu(out.abs())).mul(window).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, max_pool1d, avg_pool1d,
                    kernel_size)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    kw, kh = _pair(kernel_size)
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, max_pool2d, avg_pool2d,
                    kw * kh)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    kd, kw, kh = _triple(kernel_size)
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, max_pool3d, avg_pool3d,
                    kd * kw * kh)


# -- max unpooling ------------------------------------------------------------------------
class _MaxUnpoolBackward(Op):
    formula = "d(max_unpool(x, i))/dx = grad read at the indices i"

    def backward(self, grad):
        indices, n = self.ctx
        return gather_plane(grad, indices, n)


class MaxUnpool2DBackward0(_MaxUnpoolBackward):
    __slots__ = ()


class MaxUnpool3DBackward0(_MaxUnpoolBackward):
    __slots__ = ()


def _unpool_output_size(input, kernel_size, stride, padding, output_size):
    n = len(kernel_size)
    default = [(input.shape[input.dim() - n + d] - 1) * stride[d] + kernel_size[d]
               - 2 * padding[d] for d in range(n)]
    if output_size is None:
        result = default
    else:
        if len(output_size) == n + 2:
            output_size = output_size[2:]
        if len(output_size) != n:
            raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} "
                             f"elements, but it has a length of '{len(output_size)}'")
        for d in range(n):
            low, high = default[d] - stride[d], default[d] + stride[d]
            if not low < output_size[d] < high:
                raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be '
                                 f"between {low} and {high})")
        result = output_size
    for d in range(n):
        if result[d] < 0:
            raise ValueError(f"max_unpooling: output_size must contain non-negative spatial "
                             f"dimensions, but got output_size[{d}]={result[d]}")
    return [int(s) for s in result]


def _max_unpool(input, indices, output_size, n):
    if indices._data.dtype != np.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{indices.dtype._scalar_name}")
    if input.dim() not in (n + 1, n + 2):
        raise RuntimeError(f"Input to max_unpooling{n}d should be a {n + 1}d or {n + 2}d Tensor, "
                           f"but got a tensor with {input.dim()} dimensions.")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(indices.shape)}")
    data, index = input._data, indices._data
    lead = data.shape[:data.ndim - n]
    plane = int(np.prod(output_size, dtype=np.int64))
    rows = int(np.prod(lead, dtype=np.int64))
    flat_index = index.reshape(rows, -1)
    if flat_index.size and (flat_index.min() < 0 or flat_index.max() >= plane):
        bad = flat_index[(flat_index < 0) | (flat_index >= plane)][0]
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, output_size))})")
    result = np.zeros((rows, plane), data.dtype)
    np.put_along_axis(result, flat_index, data.reshape(rows, -1), axis=1)
    out = wrap(result.reshape(lead + tuple(output_size)))
    if _state.enabled and input._requires_grad:
        cls = MaxUnpool2DBackward0 if n == 2 else MaxUnpool3DBackward0
        record(cls, out, (input,), (indices, n))
    return out


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    kernel_size = _single(kernel_size)
    stride = kernel_size if stride is None else _single(stride)
    size = _unpool_output_size(input, kernel_size, stride, _single(padding), output_size)
    return _max_unpool(input.unsqueeze(-1), indices.unsqueeze(-1), size + [1], 2).squeeze(-1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    kernel_size = _pair(kernel_size)
    stride = kernel_size if stride is None else _pair(stride)
    size = _unpool_output_size(input, kernel_size, stride, _pair(padding), output_size)
    return _max_unpool(input, indices, size, 2)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    kernel_size = _triple(kernel_size)
    stride = kernel_size if stride is None else _triple(stride)
    size = _unpool_output_size(input, kernel_size, stride, _triple(padding), output_size)
    return _max_unpool(input, indices, size, 3)

