"""The pooling kernels behind ``max_pool2d/3d``, ``avg_pool2d/3d`` and the adaptive pools.

Every kernel works on the last ``n`` (spatial) axes of an array with any leading axes
(batch, channels), so one code path serves 2-D and 3-D, batched and unbatched input.

- Windows are read by looping over the kernel *offsets* (at most k*k*k of them): offset
  ``o`` of every window at once is one strided slice of the padded input. Max, argmax, sum
  and the backward scatter are then whole-array NumPy operations per offset.
- Max pooling returns PyTorch's indices: flattened positions within each input plane
  (int64). A tie goes to the first maximum in window order; a window holding nan gives nan
  and the index of its *last* nan, as PyTorch's CPU kernel does.
- The backward of each pool is a node of its own, named as PyTorch's
  (``MaxPool2DWithIndicesBackwardBackward0``...), whose derivative is again a pool or a
  gather, so double backward works.
The adaptive pools are in ``_adaptive_pool_kernels``.
"""

import itertools

import numpy as np

from ._dispatch import Op, _state, record, record_multi, wrap


# -- window geometry ----------------------------------------------------------------------
def pooled_size(size, kernel, stride, padding, dilation, ceil_mode):
    """PyTorch's ``pooling_output_shape`` for one spatial axis."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = span // stride + 1
    # With ceil_mode, a last window that would start inside the right padding is dropped.
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _offset_slices(out_sizes, kernel, stride, dilation):
    """For each kernel offset (row-major), the slices picking that offset of every window."""
    for offset in itertools.product(*(range(k) for k in kernel)):
        yield (Ellipsis,) + tuple(slice(o * d, o * d + (n - 1) * s + 1, s)
                                  for o, n, s, d in zip(offset, out_sizes, stride, dilation))


def _padded_extent(sizes, out_sizes, kernel, stride, padding, dilation):
    """Per axis: (padding before, total extent) of a buffer every window fits in."""
    return [(p, max(p + size, (o - 1) * s + d * (k - 1) + 1))
            for size, o, k, s, p, d in zip(sizes, out_sizes, kernel, stride, padding, dilation)]


def _pad(data, extents, fill):
    n = len(extents)
    sizes = data.shape[data.ndim - n:]
    if all(p == 0 and e == size for (p, e), size in zip(extents, sizes)):
        return data
    buffer = np.full(data.shape[:data.ndim - n] + tuple(e for _, e in extents), fill, data.dtype)
    buffer[(Ellipsis,) + tuple(slice(p, p + size) for (p, _), size in zip(extents, sizes))] = data
    return buffer


def _crop(buffer, extents, sizes):
    if all(p == 0 and e == size for (p, e), size in zip(extents, sizes)):
        return buffer
    return np.ascontiguousarray(
        buffer[(Ellipsis,) + tuple(slice(p, p + size) for (p, _), size in zip(extents, sizes))])


def _overlapping(kernel, stride, dilation):
    return any(s < d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))


def _flat_strides(sizes):
    return [int(np.prod(sizes[i + 1:], dtype=np.int64)) for i in range(len(sizes))]


# -- max pooling --------------------------------------------------------------------------
def _first_max(views, nan_aware):
    """(max, offset of the maximum) over the window offsets, as PyTorch's CPU loop picks it:
    a later element wins only if strictly greater, or if it is nan (so: first maximum, last
    nan). ``local + hit * (k - local)`` is ``where(hit, k, local)`` in uint8 arithmetic."""
    values = views[0].copy()
    local = np.zeros(values.shape, np.uint8 if len(views) < 256 else np.int32)
    for k in range(1, len(views)):
        hit = views[k] > values
        if nan_aware:
            hit |= np.isnan(views[k])
            np.copyto(values, views[k], where=hit)
        else:
            np.maximum(values, views[k], out=values)
        local += hit * (local.dtype.type(k) - local)
    return values, local


def max_pool_arrays(data, geometry):
    """(values, window-offset of each max, flat plane indices) for a max pool."""
    kernel, stride, padding, dilation, out_sizes = geometry
    n = len(kernel)
    sizes = data.shape[data.ndim - n:]
    fill = -np.inf if data.dtype.kind == "f" else np.iinfo(data.dtype).min
    padded = _pad(data, _padded_extent(sizes, out_sizes, kernel, stride, padding, dilation),
                  fill)
    # Contiguous copies of each offset's elements: the comparisons then run at full speed.
    views = [np.ascontiguousarray(padded[s])
             for s in _offset_slices(out_sizes, kernel, stride, dilation)]
    values, local = _first_max(views, False)
    if data.dtype.kind == "f" and np.isnan(values).any():
        values, local = _first_max(views, True)
    flat = _flat_strides(sizes)
    offsets = np.zeros(len(views), np.int64)
    base = np.zeros(out_sizes, np.int64)
    first_valid = np.zeros(out_sizes, np.int64)
    first_local = np.zeros(out_sizes, np.int64)
    for axis, (k, s, p, d, f) in enumerate(zip(kernel, stride, padding, dilation, flat)):
        shape = [1] * n
        shape[axis] = -1
        start = np.arange(out_sizes[axis]) * s - p
        base += (start * f).reshape(shape)
        skipped = np.where(start < 0, -(start // d), 0)
        first_valid += ((start + skipped * d) * f).reshape(shape)
        step = int(np.prod(kernel[axis + 1:], dtype=np.int64))
        first_local += (skipped * step).reshape(shape)
        offsets += (np.arange(len(views)) // step % k) * d * f
    indices = base + np.take(offsets, local)
    if any(padding):
        # A window whose inputs all equal the padding value (-inf) keeps PyTorch's initial
        # index, its first position inside the input.
        empty = values == fill
        if empty.any():
            indices = np.where(empty, first_valid, indices)
            local = np.where(empty, first_local, local).astype(local.dtype)
    return values, local, indices


def _max_pool_scatter(grad, local, geometry, sizes):
    """The gradient of a max pool: each output's gradient goes to its maximum's position."""
    kernel, stride, padding, dilation, out_sizes = geometry
    extents = _padded_extent(sizes, out_sizes, kernel, stride, padding, dilation)
    buffer = np.zeros(grad.shape[:grad.ndim - len(sizes)] + tuple(e for _, e in extents),
                      grad.dtype)
    overlap = _overlapping(kernel, stride, dilation)
    finite = np.isfinite(grad).all()
    for k, s in enumerate(_offset_slices(out_sizes, kernel, stride, dilation)):
        mask = local == k
        # grad * mask is where(mask, grad, 0) for finite gradients, and much faster.
        share = grad * mask if finite else np.where(mask, grad, 0)
        if overlap:
            buffer[s] += share
        else:
            # Windows are disjoint: each input position is written by at most one output.
            buffer[s] = share
    return _crop(buffer, extents, sizes)


def gather_plane(grad, indices, n):
    """``grad`` (planes of the input's shape) read at flat plane ``indices`` (ember ops)."""
    flat = grad.flatten(-n) if grad.dim() >= n else grad
    return flat.gather(-1, indices.flatten(-n)).view(tuple(indices.shape))


def _zeros_like_input(node, i):
    """PyTorch's gradient for the input a pooling backward reads but does not depend on."""
    if node.next_functions[i][0] is None:
        return None
    shape, dtype = node._input_meta[i]
    return wrap(np.zeros(shape, dtype))


class _MaxPoolBackward(Op):
    saves = (0,)
    formula = "d(max_pool x)/dx = grad scattered to each window's maximum"

    def backward(self, grad, _grad_indices=None):
        geometry, local, indices = self.ctx
        (x,) = self.saved_tensors
        out = wrap(_max_pool_scatter(grad._data, local, geometry, self._input_meta[0][0][
            len(self._input_meta[0][0]) - len(geometry[0]):]))
        if _state.enabled and (grad._requires_grad or x._requires_grad):
            record(self.adjoint, out, (grad, x), (indices, len(geometry[0])))
        return out


class _MaxPoolBackwardBackward(Op):
    formula = "d(max_pool_backward g)/dg = gg read at the maxima's indices"

    def backward(self, grad):
        indices, n = self.ctx
        return gather_plane(grad, indices, n), _zeros_like_input(self, 1)


class MaxPool2DWithIndicesBackwardBackward0(_MaxPoolBackwardBackward):
    __slots__ = ()


class MaxPool3DWithIndicesBackwardBackward0(_MaxPoolBackwardBackward):
    __slots__ = ()


class MaxPool2DWithIndicesBackward0(_MaxPoolBackward):
    __slots__ = ()
    adjoint = MaxPool2DWithIndicesBackwardBackward0


class MaxPool3DWithIndicesBackward0(_MaxPoolBackward):
    __slots__ = ()
    adjoint = MaxPool3DWithIndicesBackwardBackward0


def max_pool_with_indices(input, geometry):
    """(values, indices) of a 2-D or 3-D max pool; ``geometry`` is already checked."""
    values, local, flat = max_pool_arrays(input._data, geometry)
    out, indices = wrap(values), wrap(flat)
    if _state.enabled and input._requires_grad:
        cls = MaxPool2DWithIndicesBackward0 if len(geometry[0]) == 2 else \
            MaxPool3DWithIndicesBackward0
        record_multi(cls, (out, indices), (input,), (geometry, local, indices),
                     differentiable=(0,))
    return out, indices


# -- average pooling ----------------------------------------------------------------------
def _avg_divisor(sizes, geometry, count_include_pad, divisor_override, dtype):
    kernel, stride, padding, _, out_sizes = geometry
    if divisor_override is not None:
        return np.asarray(divisor_override, dtype)
    divisor = np.ones(out_sizes, dtype)
    for axis, (size, k, s, p, o) in enumerate(zip(sizes, kernel, stride, padding, out_sizes)):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, size + p)
        count = end - start if count_include_pad else \
            np.minimum(end, size) - np.maximum(start, 0)
        shape = [1] * len(kernel)
        shape[axis] = -1
        divisor = divisor * count.astype(dtype).reshape(shape)
    return divisor


def _avg_pool_array(data, geometry, count_include_pad, divisor_override):
    kernel, stride, padding, dilation, out_sizes = geometry
    n = len(kernel)
    sizes = data.shape[data.ndim - n:]
    padded = _pad(data, _padded_extent(sizes, out_sizes, kernel, stride, padding, dilation), 0)
    slices = list(_offset_slices(out_sizes, kernel, stride, dilation))
    total = padded[slices[0]].copy()
    for s in slices[1:]:
        total += padded[s]
    if data.dtype.kind == "f":
        return total / _avg_divisor(sizes, geometry, count_include_pad, divisor_override,
                                    data.dtype)
    # Integer input: PyTorch divides and truncates toward zero.
    divisor = _avg_divisor(sizes, geometry, count_include_pad, divisor_override, np.int64)
    return (np.sign(total) * (np.abs(total) // divisor)).astype(data.dtype)


def _avg_pool_scatter(grad, geometry, count_include_pad, divisor_override, sizes):
    kernel, stride, padding, dilation, out_sizes = geometry
    extents = _padded_extent(sizes, out_sizes, kernel, stride, padding, dilation)
    share = grad / _avg_divisor(sizes, geometry, count_include_pad, divisor_override, grad.dtype)
    buffer = np.zeros(grad.shape[:grad.ndim - len(sizes)] + tuple(e for _, e in extents),
                      grad.dtype)
    overlap = _overlapping(kernel, stride, dilation)
    for s in _offset_slices(out_sizes, kernel, stride, dilation):
        if overlap:
            buffer[s] += share
        else:
            buffer[s] = share
    return _crop(buffer, extents, sizes)


class _AvgPoolBackward(Op):
    saves = (0,)
    formula = "d(avg_pool x)/dx = grad / divisor spread over each window"

    def backward(self, grad):
        (x,) = self.saved_tensors
        geometry = self.ctx[0]
        shape = self._input_meta[0][0]
        out = wrap(_avg_pool_scatter(grad._data, *self.ctx, shape[len(shape) - len(geometry[0]):]))
        if _state.enabled and (grad._requires_grad or x._requires_grad):
            record(self.adjoint, out, (grad, x), self.ctx)
        return out


class _AvgPoolBackwardBackward(Op):
    formula = "d(avg_pool_backward g)/dg = avg_pool(gg)"

    def backward(self, grad):
        return avg_pool(grad, *self.ctx), _zeros_like_input(self, 1)


class AvgPool2DBackwardBackward0(_AvgPoolBackwardBackward):
    __slots__ = ()


class AvgPool3DBackwardBackward0(_AvgPoolBackwardBackward):
    __slots__ = ()


class AvgPool2DBackward0(_AvgPoolBackward):
    __slots__ = ()
    adjoint = AvgPool2DBackwardBackward0


class AvgPool3DBackward0(_AvgPoolBackward):
    __slots__ = ()
    adjoint = AvgPool3DBackwardBackward0


def avg_pool(input, geometry, count_include_pad, divisor_override):
    """A 2-D or 3-D average pool; arguments are already checked."""
    out = wrap(_avg_pool_array(input._data, geometry, count_include_pad, divisor_override))
    if _state.enabled and input._requires_grad:
        cls = AvgPool2DBackward0 if len(geometry[0]) == 2 else AvgPool3DBackward0
        record(cls, out, (input,), (geometry, count_include_pad, divisor_override))
    return out
