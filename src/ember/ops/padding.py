"""``constant_pad_nd``: pad the last dims with a value, or crop them (negative padding).

``pad`` lists (left, right) pairs starting from the last dim, as ``F.pad`` does. The
derivative is the same op with every padding negated: what was added is cropped off the
gradient and what was cropped comes back as zeros, so higher derivatives are free.
"""

import numpy as np

from ._dispatch import Op, _state, record, wrap
from .index_writes import checked_scalar

__all__ = ["constant_pad_nd"]
FUNCTION_ONLY = ["constant_pad_nd"]


class ConstantPadNdBackward0(Op):
    formula = "d(constant_pad_nd(x, pad))/dx = constant_pad_nd(grad, -pad)"

    def backward(self, grad):
        return constant_pad_nd(grad, [-p for p in self.ctx])


def _checked_narrow(size, start, length):
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    return slice(start, start + length)


def constant_pad_nd(input, pad, value=0):
    pad = [p.__index__() for p in pad]
    data = input._data
    ndim, n_pad = data.ndim, len(pad) // 2
    if n_pad > ndim:
        raise RuntimeError(f"Length of pad should be no more than twice the number of dimensions "
                           f"of the input. Pad length is {len(pad)}while the input has {ndim}"
                           "dimensions.")
    # Negative paddings crop first (as narrow), then positive ones pad around the crop.
    crop = [slice(None)] * ndim
    sizes = list(data.shape)
    for i in range(ndim - n_pad, ndim):
        left, right = pad[2 * (ndim - i - 1)], pad[2 * (ndim - i - 1) + 1]
        start = 0
        if left < 0:
            start = -left
            sizes[i] += left
            _checked_narrow(sizes[i], start, sizes[i])
        if right < 0:
            sizes[i] += right
            _checked_narrow(sizes[i], start, sizes[i])
        crop[i] = slice(start, start + sizes[i])
    cropped = data[tuple(crop)]
    out_shape = list(data.shape)
    inner = [slice(None)] * ndim
    for i in range(ndim - n_pad, ndim):
        left, right = pad[2 * (ndim - i - 1)], pad[2 * (ndim - i - 1) + 1]
        new = data.shape[i] + left + right
        if new < 0:
            raise RuntimeError(f"The input size {data.shape[i]}, plus negative padding {left} and "
                               f"{right} resulted in a negative output size, which is invalid. "
                               f"Check dimension {i} of your input.")
        out_shape[i] = new
        inner[i] = slice(max(left, 0), max(left, 0) + sizes[i])
    if value == 0:
        out = np.zeros(out_shape, dtype=data.dtype)
    else:
        out = np.full(out_shape, checked_scalar(value, data.dtype), dtype=data.dtype)
    out[tuple(inner)] = cropped
    result = wrap(out)
    if _state.enabled and input._requires_grad:
        record(ConstantPadNdBackward0, result, (input,), tuple(pad))
    return result
