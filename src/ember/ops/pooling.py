"""Pooling and pixel rearrangement under the names ``torch`` gives them: ``max_pool1d/2d/3d``,
``max_pool1d_with_indices``, ``avg_pool1d``, ``adaptive_avg_pool1d``,
``adaptive_max_pool1d``, ``pixel_shuffle``, ``pixel_unshuffle``, ``channel_shuffle``.

None of them is a Tensor method in PyTorch. This module checks arguments (with PyTorch's
messages) and builds each function as PyTorch does: the 1-D pools are the 2-D kernel on an
unsqueezed input (``Unsqueeze`` -> ``MaxPool2DWithIndices`` -> ``Squeeze`` in the graph).
The kernels are in ``_pool_kernels`` and ``_adaptive_pool_kernels``. The 2-D/3-D functions
that only ``nn.functional`` exposes (``avg_pool2d``, ``adaptive_max_pool3d``...) are here
too, for it.
"""

import numpy as np

from ._adaptive_pool_kernels import adaptive_avg_pool, adaptive_max_pool
from ._dispatch import Op, _state, record, wrap
from ._pool_kernels import avg_pool, max_pool_with_indices, pooled_size

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "avg_pool1d",
           "adaptive_avg_pool1d", "adaptive_max_pool1d", "pixel_shuffle", "pixel_unshuffle",
           "channel_shuffle"]
FUNCTION_ONLY = list(__all__)

_WORDS = {1: "one", 2: "two", 3: "three"}
_AXES = {2: ("H", "W"), 3: ("T", "H", "W")}


def _expand(value, n, message):
    """An int or a sequence of 1 or ``n`` ints as an n-tuple (PyTorch's IntArrayRef rule)."""
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            return tuple(int(value[0]) for _ in range(n))
        if len(value) != n:
            raise RuntimeError(message)
        return tuple(int(v) for v in value)
    return (int(value),) * n


def _pool_arguments(name, n, kernel_size, stride, padding, dilation):
    words = _WORDS[n]
    avg3d = name == "avg_pool3d"
    must = "must be" if avg3d else "must either be"
    kernel = _expand(kernel_size, n, f"{name}: kernel_size {must} a single int, or a tuple of "
                                     f"{words} ints")
    if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0):
        stride = kernel
    else:
        stride = _expand(stride, n, f"{name}: stride {must} omitted, a single int, or a tuple "
                                    f"of {words} ints")
    padding = _expand(padding, n, f"{name}: padding {must} a single int, or a tuple of "
                                  f"{words} ints")
    dilation = _expand(dilation, n, f"{name}: dilation must be either a single int, or a "
                                    f"tuple of {words} ints")
    return kernel, stride, padding, dilation


def _geometry(name, input, n, kernel, stride, padding, dilation, ceil_mode):
    """Checks as PyTorch's ``pool{2,3}d_shape_check``; returns the kernels' geometry tuple."""
    shape = tuple(input.shape)
    for k, s, p, d in zip(kernel, stride, padding, dilation):
        if s == 0:
            raise RuntimeError("stride should not be zero")
        if p < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
        if p > int(((k - 1) * d + 1) / 2):
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
    axes = _AXES[n]
    if min(kernel) <= 0:
        raise RuntimeError("kernel size should be greater than zero, but got " + " ".join(
            f"k{a}: {k}" for a, k in zip(axes, kernel)))
    if min(stride) <= 0:
        raise RuntimeError("stride should be greater than zero, but got " + " ".join(
            f"d{a}: {s}" for a, s in zip(axes, stride)))
    if min(dilation) <= 0:
        raise RuntimeError("dilation should be greater than zero, but got " + " ".join(
            f"dilation{a}: {d}" for a, d in zip(axes, dilation)))
    if len(shape) not in (n + 1, n + 2):
        raise RuntimeError(f"non-empty {n + 1}D or {n + 2}D (batch mode) tensor expected for "
                           "input")
    if 0 in shape[len(shape) - n - 1:]:
        raise RuntimeError(f"Expected {n + 1}D or {n + 2}D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{list(shape)}")
    if any(p > k // 2 for k, p in zip(kernel, padding)):
        if n == 2:
            raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but "
                               f"got padW = {padding[1]}, padH = {padding[0]}, kW = {kernel[1]}, "
                               f"kH = {kernel[0]}")
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got "
                           f"kT: {kernel[0]} kW: {kernel[2]} kH: {kernel[1]} padT: {padding[0]} "
                           f"padW: {padding[2]} padH: {padding[1]}")
    sizes = shape[len(shape) - n:]
    out = tuple(pooled_size(*a, ceil_mode) for a in zip(sizes, kernel, stride, padding, dilation))
    if min(out) < 1:
        channels = shape[len(shape) - n - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (channels,) + sizes))}). "
                           f"Calculated output size: ({'x'.join(map(str, (channels,) + out))}). "
                           "Output size is too small")
    return kernel, stride, padding, dilation, out


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False):
    args = _pool_arguments("max_pool2d", 2, kernel_size, stride, padding, dilation)
    return max_pool_with_indices(input, _geometry("max_pool2d", input, 2, *args, ceil_mode))


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False):
    args = _pool_arguments("max_pool3d", 3, kernel_size, stride, padding, dilation)
    return max_pool_with_indices(input, _geometry("max_pool3d", input, 3, *args, ceil_mode))


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)[0]


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)[0]


def _one(name, what, value, article="an int, list of ints or tuple"):
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise RuntimeError(f"{name}() {what} must be {article} of ints of size 1 but got "
                               f"size {len(value)}")
        return int(value[0])
    return int(value)


def _check_1d_dims(name, input):
    if input.dim() not in (2, 3) or 0 in tuple(input.shape)[-2:]:
        raise RuntimeError(f"{name}: Expected 2D or 3D (batch mode) tensor with optional 0 dim "
                           f"batch size for input, but got:{list(input.shape)}")


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """PyTorch's own 1-D path: its checks, then the 2-D kernel along a unit height."""
    k = _one("max_pool1d", "kernel_size", kernel_size)
    none = stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0)
    s = k if none else _one("max_pool1d", "stride", stride,
                            "None, an int, list of ints, or tuple")
    p = _one("max_pool1d", "padding", padding, "an int, list of ints, or tuple")
    d = _one("max_pool1d", "dilation", dilation)
    _check_1d_dims("max_pool1d", input)
    for what, value in (("kernel_size", k), ("stride", s)):
        if value <= 0:
            raise RuntimeError(f"max_pool1d() {what} must be greater than zero, but got {value}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")
    if p > k // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but "
                           f"got padding={p} and kernel_size={k}")
    out = pooled_size(input.shape[-1], k, s, p, d, ceil_mode)
    if out < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")
    return max_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), (1, d), ceil_mode).squeeze(-2)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode=False):
    _check_1d_dims("max_pool1d", input)
    k = _one("max_pool1d", "kernel_size", kernel_size)
    none = stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0)
    s = k if none else _one("max_pool1d", "stride", stride, "None, an int, list of ints, or "
                                                            "tuple")
    p = _one("max_pool1d", "padding", padding, "an int, list of ints, or tuple")
    d = _one("max_pool1d", "dilation", dilation)
    values, indices = max_pool2d_with_indices(input.unsqueeze(-2), (1, k), (1, s), (0, p),
                                              (1, d), ceil_mode)
    return values.squeeze(-2), indices.squeeze(-2)


def _avg_pool(name, n, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    kernel, stride, padding, dilation = _pool_arguments(name, n, kernel_size, stride, padding, 1)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if n == 3 and input.dim() in (4, 5) and 0 not in tuple(input.shape)[-4:]:
        sizes = tuple(input.shape)[-3:]
        if any(size + 2 * p < k for size, p, k in zip(sizes, padding, kernel)):
            raise RuntimeError(f"input image (T: {sizes[0]} H: {sizes[1]} W: {sizes[2]}) smaller "
                               f"than kernel size (kT: {kernel[0]} kH: {kernel[1]} "
                               f"kW: {kernel[2]})")
    geometry = _geometry(name, input, n, kernel, stride, padding, dilation, ceil_mode)
    return avg_pool(input, geometry, count_include_pad, divisor_override)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    if input.dim() < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-max(input.dim(), 1)}, {max(input.dim(), 1) - 1}], but got -3)")
    return _avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    return _avg_pool("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def _check_dims_1d(name, input):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional "
                           f"tensor for argument #1 'self' (while checking arguments for {name})")


def _single_int(name, what, value):
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise RuntimeError(f"{name}() argument '{what}' should contain one int "
                               f"(got {len(value)})")
        return int(value[0])
    return int(value)


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False,
               count_include_pad=True):
    k = _single_int("avg_pool1d", "kernel_size", kernel_size)
    none = stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0)
    s = k if none else _single_int("avg_pool1d", "stride", stride)
    p = _single_int("avg_pool1d", "padding", padding)
    _check_dims_1d("avg_pool1d", input)
    return avg_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), ceil_mode,
                      count_include_pad).squeeze(-2)


# -- adaptive pools -----------------------------------------------------------------------
def _output_sizes(name, input, n, output_size):
    if isinstance(output_size, (list, tuple)):
        if len(output_size) != n:
            raise RuntimeError(f"{name}: output_size must be {n}")
        sizes = tuple(tuple(input.shape)[input.dim() - n + i] if o is None else int(o)
                      for i, o in enumerate(output_size))
    else:
        sizes = (int(output_size),) * n
    if input.dim() not in (n + 1, n + 2):
        got = f", but got: {list(input.shape)}" if "max" in name else \
            f", but got {list(input.shape)}"
        raise RuntimeError(f"{name}(): Expected {n + 1}D or {n + 2}D tensor{got}")
    if min(sizes) < 0:
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to "
                           f"0 but received {{{', '.join(map(str, sizes))}}}")
    shape = tuple(input.shape)
    for dim in range(input.dim() - n - 1, input.dim()):
        if shape[dim] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(shape)} with dimension "
                               f"{dim} being empty")
    if input._data.dtype.kind not in "f":
        raise NotImplementedError(f"\"{name}\" not implemented for '{input.dtype._scalar_name}'")
    return sizes


def adaptive_avg_pool2d(input, output_size):
    return adaptive_avg_pool(input, _output_sizes("adaptive_avg_pool2d", input, 2, output_size))


def adaptive_avg_pool3d(input, output_size):
    return adaptive_avg_pool(input, _output_sizes("adaptive_avg_pool3d", input, 3, output_size))


def adaptive_max_pool2d(input, output_size):
    return adaptive_max_pool(input, _output_sizes("adaptive_max_pool2d", input, 2, output_size))


def adaptive_max_pool3d(input, output_size):
    return adaptive_max_pool(input, _output_sizes("adaptive_max_pool3d", input, 3, output_size))


def adaptive_avg_pool1d(input, output_size):
    _check_dims_1d("adaptive_avg_pool1d", input)
    size = _single_int("adaptive_avg_pool1d", "output_size", output_size)
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, size)).squeeze(-2)


def adaptive_max_pool1d(input, output_size):
    _check_dims_1d("adaptive_max_pool1d", input)
    size = _single_int("adaptive_max_pool1d", "output_size", output_size)
    values, indices = adaptive_max_pool2d(input.unsqueeze(-2), (1, size))
    return values.squeeze(-2), indices.squeeze(-2)


# -- pixel and channel shuffles -----------------------------------------------------------
class PixelShuffleBackward0(Op):
    formula = "d(pixel_shuffle(x, r))/dx = pixel_unshuffle(grad, r)"

    def backward(self, grad):
        return pixel_unshuffle(grad, self.ctx)


class PixelUnshuffleBackward0(Op):
    formula = "d(pixel_unshuffle(x, r))/dx = pixel_shuffle(grad, r)"

    def backward(self, grad):
        return pixel_shuffle(grad, self.ctx)


class ChannelShuffleBackward0(Op):
    formula = "d(channel_shuffle(x, g))/dx = channel_shuffle(grad, C / g)"

    def backward(self, grad):
        return channel_shuffle(grad, grad.shape[1] // self.ctx)


def _shuffle_dims(name, input):
    if input.dim() < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input "
                           f"with {input.dim()} dimension(s)")


def pixel_shuffle(input, upscale_factor):
    _shuffle_dims("pixel_shuffle", input)
    r = int(upscale_factor)
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    data = input._data
    *lead, c, h, w = data.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    n = len(lead)
    blocks = data.reshape(*lead, c // (r * r), r, r, h, w)
    order = tuple(range(n)) + tuple(n + a for a in (0, 3, 1, 4, 2))
    out = wrap(blocks.transpose(order).reshape(*lead, c // (r * r), h * r, w * r))
    if _state.enabled and input._requires_grad:
        record(PixelShuffleBackward0, out, (input,), r)
    return out


def pixel_unshuffle(input, downscale_factor):
    _shuffle_dims("pixel_unshuffle", input)
    r = int(downscale_factor)
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    data = input._data
    *lead, c, h, w = data.shape
    for what, size, dim in (("height", h, -2), ("width", w, -1)):
        if size % r:
            raise RuntimeError(f"pixel_unshuffle expects {what} to be divisible by "
                               f"downscale_factor, but input.size({dim})={size} is not "
                               f"divisible by {r}")
    n = len(lead)
    blocks = data.reshape(*lead, c, h // r, r, w // r, r)
    order = tuple(range(n)) + tuple(n + a for a in (0, 2, 4, 1, 3))
    out = wrap(blocks.transpose(order).reshape(*lead, c * r * r, h // r, w // r))
    if _state.enabled and input._requires_grad:
        record(PixelUnshuffleBackward0, out, (input,), r)
    return out


def channel_shuffle(input, groups):
    if input.dim() < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.dim()} dimension(s)")
    g = int(groups)
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{g}")
    data = input._data
    n, c = data.shape[:2]
    if c % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {g} groups.")
    rest = data.shape[2:]
    out = wrap(np.ascontiguousarray(
        data.reshape(n, g, c // g, *rest).swapaxes(1, 2)).reshape(data.shape))
    if _state.enabled and input._requires_grad:
        record(ChannelShuffleBackward0, out, (input,), g)
    return out
