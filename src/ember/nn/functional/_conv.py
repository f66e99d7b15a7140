"""Convolutions (``conv1d``/``2d``/``3d``, ``conv_transpose1d``/``2d``/``3d``, the ops in
``ember.ops.convolution``) and the sliding-block pair ``unfold`` (im2col) and ``fold``
(col2im).

``unfold`` copies every ``kernel_size`` block of a 4-D (or unbatched 3-D) input into a
column: ``(N, C * kh * kw, L)``, read off an ``as_strided`` window view in one copy.
``fold`` is its adjoint: it sums each column back onto the blocks' positions, one strided
add per kernel offset. Each one's derivative is the other, so gradients of any order work.
"""

import math

import numpy as np

from ...ops._dispatch import Op, _state, record, wrap
from ...ops.convolution import (
    _windows,
    _zero_pad,
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
)

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "unfold", "fold"]

_TYPE_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
               "uint8": "Byte", "bool": "Bool"}


def _pair_arg(value, name):
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2:
        raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(values)}")
    return tuple(v.__index__() for v in values)


def _block_args(kernel_size, dilation, padding, stride):
    kernel = _pair_arg(kernel_size, "kernel_size")
    dilation = _pair_arg(dilation, "dilation")
    padding = _pair_arg(padding, "padding")
    stride = _pair_arg(stride, "stride")
    checks = ((kernel, "kernel size should be greater than zero", "kernel", lambda v: v > 0),
              (stride, "stride should be greater than zero", "stride", lambda v: v > 0),
              (dilation, "dilation should be greater than zero", "dilation", lambda v: v > 0),
              (padding, "padding should be non-negative", "pad", lambda v: v >= 0))
    for values, message, label, ok in checks:
        if not all(ok(v) for v in values):
            raise RuntimeError(f"{message}, but got {label}_height: {values[0]} "
                               f"{label}_width: {values[1]}")
    return kernel, dilation, padding, stride


def _blocks(size, kernel, dilation, padding, stride):
    return tuple((s + 2 * p - d * (k - 1) - 1) // st + 1
                 for s, k, d, p, st in zip(size, kernel, dilation, padding, stride))


def _check_float(data, kernel_name):
    if data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel_name}" not implemented for '
                                  f"'{_TYPE_NAMES[data.dtype.name]}'")


class Im2ColBackward0(Op):
    formula = "d(unfold(x))/dx = fold(grad): each block's column summed back onto it"

    def backward(self, grad):
        size, kernel, dilation, padding, stride = self.ctx
        return fold(grad, size, kernel, dilation, padding, stride)


class Col2ImBackward0(Op):
    formula = "d(fold(x))/dx = unfold(grad)"

    def backward(self, grad):
        kernel, dilation, padding, stride = self.ctx
        return unfold(grad, kernel, dilation, padding, stride)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding blocks of a ``(N, C, H, W)`` input as columns: ``(N, C * prod(kernel), L)``."""
    kernel, dilation, padding, stride = _block_args(kernel_size, dilation, padding, stride)
    data = input._data
    if data.ndim < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-data.ndim}, "
                         f"{data.ndim - 1}], but got 2)")
    if data.ndim > 4 or 0 in data.shape[-3:]:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size "
                           "and other non-zero dimensions for input, but got: "
                           f"[{', '.join(map(str, data.shape))}]")
    _check_float(data, "im2col_out_cpu")
    blocks = _blocks(data.shape[-2:], kernel, dilation, padding, stride)
    if min(blocks) < 1:
        raise RuntimeError(
            f"Given input with spatial size {tuple(data.shape[-2:])}, kernel_size={kernel}, "
            f"dilation={dilation}, padding={padding}, calculated shape of the array of sliding "
            f"blocks as {blocks}, but its components must be at least one.")
    batched = data if data.ndim == 4 else data[None]
    win = _windows(_zero_pad(batched, padding), blocks, kernel, stride, dilation)
    cols = win.transpose(0, 1, 4, 5, 2, 3).reshape(batched.shape[0], -1, math.prod(blocks))
    out = wrap(cols if data.ndim == 4 else cols[0])
    if _state.enabled and input._requires_grad:
        record(Im2ColBackward0, out, (input,),
               (tuple(data.shape[-2:]), kernel, dilation, padding, stride))
    return out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Columns ``(N, C * prod(kernel), L)`` summed back into a ``(N, C, *output_size)``."""
    size = _pair_arg(output_size, "output_size")
    kernel, dilation, padding, stride = _block_args(kernel_size, dilation, padding, stride)
    data = input._data
    if data.ndim not in (2, 3) or 0 in data.shape[-2:]:
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           "batch size and non-zero dimensions for input, but got: "
                           f"[{', '.join(map(str, data.shape))}]")
    k = kernel[0] * kernel[1]
    if data.shape[-2] % k:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={data.shape[-2]} and "
                           f"kernel_size={kernel}.")
    blocks = _blocks(size, kernel, dilation, padding, stride)
    if blocks[0] * blocks[1] != data.shape[-1] or min(blocks) < 1:
        raise RuntimeError(
            f"Given output_size={size}, kernel_size={kernel}, dilation={dilation}, "
            f"padding={padding}, stride={stride}, expected size of input's dimension 2 to "
            f"match the calculated number of sliding blocks {blocks[0]} * {blocks[1]} = "
            f"{blocks[0] * blocks[1]}, but got input.size(2)={data.shape[-1]}.")
    _check_float(data, "col2im_out_cpu")
    batched = data if data.ndim == 3 else data[None]
    n, c = batched.shape[0], batched.shape[1] // k
    cols = batched.reshape((n, c) + kernel + blocks)
    padded = np.zeros((n, c) + tuple(s + 2 * p for s, p in zip(size, padding)), dtype=data.dtype)
    for i, j in np.ndindex(*kernel):
        region = (Ellipsis,
                  slice(i * dilation[0], i * dilation[0] + stride[0] * (blocks[0] - 1) + 1,
                        stride[0]),
                  slice(j * dilation[1], j * dilation[1] + stride[1] * (blocks[1] - 1) + 1,
                        stride[1]))
        padded[region] += cols[:, :, i, j]
    out = padded[..., padding[0]:padding[0] + size[0], padding[1]:padding[1] + size[1]]
    out = np.ascontiguousarray(out if data.ndim == 3 else out[0])
    result = wrap(out)
    if _state.enabled and input._requires_grad:
        record(Col2ImBackward0, result, (input,), (kernel, dilation, padding, stride))
    return result
