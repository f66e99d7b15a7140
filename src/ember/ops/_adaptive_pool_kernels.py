"""The kernels behind ``adaptive_avg_pool2d/3d`` and ``adaptive_max_pool2d/3d``.

Output position ``i`` of an axis of size ``L`` pooled to ``o`` covers the window
``[floor(i*L/o), ceil((i+1)*L/o))``. Average pooling is separable, so it runs axis by axis
(a gather of each window's taps forward, a GEMM with the transposed averaging matrix
backward); an all-ones output size is ``mean``, as in PyTorch. Max pooling gathers the
windows, clamped to a common width, and picks the first maximum (the last nan), as PyTorch.
"""

import numpy as np

from ._dispatch import Op, _state, record, record_multi, wrap
from ._pool_kernels import _MaxPoolBackwardBackward, _zeros_like_input


# -- adaptive pooling ---------------------------------------------------------------------
def adaptive_windows(size, out):
    """(clamped indices (out, kmax), valid mask, lengths) of the adaptive windows of an axis."""
    i = np.arange(out)
    start = i * size // out
    end = -(-(i + 1) * size // out)
    width = int((end - start).max()) if out else 0
    position = start[:, None] + np.arange(width)
    return np.minimum(position, end[:, None] - 1), position < end[:, None], end - start


def _adaptive_sum_axis(data, axis, size, out):
    index, valid, _ = adaptive_windows(size, out)
    after = (1,) * (-axis - 1)
    total = None
    for t in range(index.shape[1]):
        term = np.take(data, index[:, t], axis=axis)
        if not valid[:, t].all():
            term = np.where(valid[:, t].reshape((-1,) + after), term, 0)
        total = term if total is None else total + term
    return total


def _adaptive_avg_array(data, out_sizes):
    n = len(out_sizes)
    sizes = data.shape[data.ndim - n:]
    if 0 in out_sizes:
        return np.zeros(data.shape[:data.ndim - n] + tuple(out_sizes), data.dtype)
    divisor = np.ones(out_sizes, data.dtype)
    for axis in range(n - 1, -1, -1):
        data = _adaptive_sum_axis(data, axis - n, sizes[axis], out_sizes[axis])
        shape = [1] * n
        shape[axis] = -1
        divisor = divisor * adaptive_windows(sizes[axis], out_sizes[axis])[2].astype(
            data.dtype).reshape(shape)
    return data / divisor


def _adaptive_avg_scatter(grad, sizes):
    n = len(sizes)
    out_sizes = grad.shape[grad.ndim - n:]
    result = grad
    for axis in range(n):
        index, valid, length = adaptive_windows(sizes[axis], out_sizes[axis])
        # The axis' averaging matrix (window x input position, 1/length inside): the
        # gradient is the transposed map.
        matrix = np.zeros((out_sizes[axis], sizes[axis]), grad.dtype)
        rows = np.broadcast_to(np.arange(out_sizes[axis])[:, None], index.shape)
        matrix[rows[valid], index[valid]] = 1 / length[rows[valid]]
        result = np.moveaxis(np.moveaxis(result, axis - n, -1) @ matrix, -1, axis - n)
    return np.ascontiguousarray(result)


class _AdaptiveAvgPoolBackward(Op):
    saves = (0,)
    formula = "d(adaptive_avg_pool x)/dx = grad / window size spread over each window"

    def backward(self, grad):
        (x,) = self.saved_tensors
        sizes = self.ctx
        out = wrap(_adaptive_avg_scatter(grad._data, sizes))
        if _state.enabled and (grad._requires_grad or x._requires_grad):
            record(self.adjoint, out, (grad, x), tuple(grad.shape[grad.dim() - len(sizes):]))
        return out


class _AdaptiveAvgPoolBackwardBackward(Op):
    formula = "d(adaptive_avg_pool_backward g)/dg = adaptive_avg_pool(gg)"

    def backward(self, grad):
        return adaptive_avg_pool(grad, self.ctx), _zeros_like_input(self, 1)


class AdaptiveAvgPool2DBackwardBackward0(_AdaptiveAvgPoolBackwardBackward):
    __slots__ = ()


class AdaptiveAvgPool3DBackwardBackward0(_AdaptiveAvgPoolBackwardBackward):
    __slots__ = ()


class AdaptiveAvgPool2DBackward0(_AdaptiveAvgPoolBackward):
    __slots__ = ()
    adjoint = AdaptiveAvgPool2DBackwardBackward0


class AdaptiveAvgPool3DBackward0(_AdaptiveAvgPoolBackward):
    __slots__ = ()
    adjoint = AdaptiveAvgPool3DBackwardBackward0


def adaptive_avg_pool(input, out_sizes):
    """A 2-D or 3-D adaptive average pool (sizes already checked); all-ones output is a mean,
    as in PyTorch."""
    n = len(out_sizes)
    if all(o == 1 for o in out_sizes):
        return input.mean(tuple(range(-n, 0)), keepdim=True)
    data = input._data
    out = wrap(_adaptive_avg_array(data, out_sizes))
    if _state.enabled and input._requires_grad:
        cls = AdaptiveAvgPool2DBackward0 if n == 2 else AdaptiveAvgPool3DBackward0
        record(cls, out, (input,), tuple(data.shape[data.ndim - n:]))
    return out


def _adaptive_max_arrays(data, out_sizes):
    n = len(out_sizes)
    sizes = data.shape[data.ndim - n:]
    lead = data.shape[:data.ndim - n]
    if 0 in out_sizes:
        empty = np.zeros(lead + tuple(out_sizes), data.dtype)
        return empty, empty.astype(np.int64)
    # One (out, width) index array per axis, broadcast against each other; the clamped
    # repeats of a window's last element change neither its max nor its first argmax.
    keys, widths = [], []
    for axis, (size, out) in enumerate(zip(sizes, out_sizes)):
        index = adaptive_windows(size, out)[0]
        shape = [1] * (2 * n)
        shape[axis], shape[n + axis] = index.shape
        keys.append(index.reshape(shape))
        widths.append(index.shape[1])
    flat_index = np.ravel_multi_index(np.broadcast_arrays(*keys), sizes)
    flat_index = flat_index.reshape(tuple(out_sizes) + (-1,))
    windows = data.reshape(lead + (int(np.prod(sizes)),))[..., flat_index]
    local = np.argmax(windows, axis=-1)
    if data.dtype.kind == "f":
        nan = np.isnan(windows)
        last_nan = windows.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)
        local = np.where(nan.any(-1), last_nan, local)
    values = np.take_along_axis(windows, local[..., None], -1)[..., 0]
    return values, np.take_along_axis(np.broadcast_to(flat_index, windows.shape),
                                      local[..., None], -1)[..., 0]


def scatter_plane(grad, indices, sizes):
    """Zeros of the input's plane shape with ``grad`` added at flat plane ``indices``."""
    n = len(sizes)
    plane = int(np.prod(sizes, dtype=np.int64))
    lead = grad.shape[:grad.ndim - n]
    rows = int(np.prod(lead, dtype=np.int64))
    per_row = int(np.prod(indices.shape[indices.ndim - n:], dtype=np.int64))
    target = indices.reshape(rows, per_row) + (np.arange(rows) * plane)[:, None]
    total = np.bincount(target.ravel(), weights=grad.reshape(rows, per_row).ravel(),
                        minlength=rows * plane)
    return total.astype(grad.dtype, copy=False).reshape(lead + tuple(sizes))


class _AdaptiveMaxPoolBackward(Op):
    saves = (0,)
    formula = "d(adaptive_max_pool x)/dx = grad scattered to each window's maximum"

    def backward(self, grad, _grad_indices=None):
        (x,) = self.saved_tensors
        indices = self.ctx
        n = self._n
        shape = self._input_meta[0][0]
        out = wrap(scatter_plane(grad._data, indices._data, shape[len(shape) - n:]))
        if _state.enabled and (grad._requires_grad or x._requires_grad):
            record(self.adjoint, out, (grad, x), (indices, n))
        return out


class AdaptiveMaxPool2DBackwardBackward0(_MaxPoolBackwardBackward):
    __slots__ = ()


class AdaptiveMaxPool3DBackwardBackward0(_MaxPoolBackwardBackward):
    __slots__ = ()


class AdaptiveMaxPool2DBackward0(_AdaptiveMaxPoolBackward):
    __slots__ = ()
    _n = 2
    adjoint = AdaptiveMaxPool2DBackwardBackward0


class AdaptiveMaxPool3DBackward0(_AdaptiveMaxPoolBackward):
    __slots__ = ()
    _n = 3
    adjoint = AdaptiveMaxPool3DBackwardBackward0


def adaptive_max_pool(input, out_sizes):
    """(values, indices) of a 2-D or 3-D adaptive max pool (sizes already checked)."""
    values, flat = _adaptive_max_arrays(input._data, out_sizes)
    out, indices = wrap(values), wrap(flat.astype(np.int64, copy=False))
    if _state.enabled and input._requires_grad:
        cls = AdaptiveMaxPool2DBackward0 if len(out_sizes) == 2 else AdaptiveMaxPool3DBackward0
        record_multi(cls, (out, indices), (input,), indices, differentiable=(0,))
    return out, indices
