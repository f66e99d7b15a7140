"""Resampling: ``interpolate`` (nearest, nearest-exact, linear, bilinear, bicubic,
trilinear, area), the deprecated ``upsample*`` spellings, and ``pixel_shuffle``,
``pixel_unshuffle``, ``channel_shuffle`` (from ``ember.ops.pooling``).

Every interpolation mode except ``area`` is separable: along each spatial axis an output
position reads a few input positions ("taps", 1 for nearest, 2 for linear, 4 for bicubic)
with fixed weights. The forward gathers and weights taps axis by axis (last axis first, as
PyTorch's kernels nest their sums); the backward applies each axis' transposed
interpolation matrix, a GEMM. Source positions are computed in float32 for float32 input
(PyTorch's ``opmath``), so the chosen taps and weights are PyTorch's. ``area`` is
``adaptive_avg_pool``, as in PyTorch. ``antialias=True`` is not supported.
"""

import math
import warnings

import numpy as np

from ...ops._dispatch import Op, _state, record, wrap
from ...ops.pooling import channel_shuffle, pixel_shuffle, pixel_unshuffle
from ._pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
           "pixel_unshuffle", "channel_shuffle"]

_CUBIC_A = -0.75


# -- taps: which input positions each output position reads, and with what weights -------
def _scale(in_size, out_size, scale_factor, align_corners, dtype):
    if align_corners:
        return dtype(in_size - 1) / dtype(out_size - 1) if out_size > 1 else dtype(0)
    if scale_factor is not None and scale_factor > 0:
        return dtype(1.0 / scale_factor)
    return dtype(in_size) / dtype(out_size)


def _nearest_taps(in_size, out_size, scale_factor, exact):
    position = np.arange(out_size, dtype=np.float32)
    scale = _scale(in_size, out_size, scale_factor, False, np.float32)
    source = np.floor((position + np.float32(0.5)) * scale if exact else position * scale)
    return np.minimum(source.astype(np.int64), in_size - 1)[:, None], None


def _linear_taps(in_size, out_size, scale_factor, align_corners, dtype):
    position = np.arange(out_size, dtype=dtype)
    scale = _scale(in_size, out_size, scale_factor, align_corners, dtype)
    if align_corners:
        source = scale * position
    else:
        source = np.maximum(scale * (position + dtype(0.5)) - dtype(0.5), dtype(0))
    low = np.minimum(np.floor(source).astype(np.int64), in_size - 1)
    weight_high = np.clip(source - low.astype(dtype), 0, 1).astype(dtype)
    high = low + (low < in_size - 1)
    return np.stack([low, high], 1), np.stack([1 - weight_high, weight_high], 1)


def _cubic_taps(in_size, out_size, scale_factor, align_corners, dtype):
    position = np.arange(out_size, dtype=dtype)
    scale = _scale(in_size, out_size, scale_factor, align_corners, dtype)
    source = scale * position if align_corners else scale * (position + dtype(0.5)) - dtype(0.5)
    floor = np.floor(source)
    t = (source - floor).astype(dtype)
    a = dtype(_CUBIC_A)

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    weights = np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)], 1).astype(dtype)
    index = floor.astype(np.int64)[:, None] + np.arange(-1, 3)
    return np.clip(index, 0, in_size - 1), weights


def _resample_axis(data, axis, index, weights):
    """Taps along ``axis`` (negative): sum_t data[index[:, t]] * weights[:, t]."""
    if weights is None:
        return np.take(data, index[:, 0], axis=axis)
    after = (1,) * (-axis - 1)
    total = None
    for t in range(index.shape[1]):
        term = np.take(data, index[:, t], axis=axis) * weights[:, t].reshape((-1,) + after)
        total = term if total is None else total + term
    return total


def _resample_axis_transposed(grad, axis, index, weights, in_size):
    """The adjoint of ``_resample_axis``: the interpolation matrix, transposed, as a GEMM."""
    out_size = index.shape[0]
    matrix = np.zeros((out_size, in_size), grad.dtype)
    rows = np.broadcast_to(np.arange(out_size)[:, None], index.shape)
    np.add.at(matrix, (rows, index), 1 if weights is None else weights)
    return np.moveaxis(np.moveaxis(grad, axis, -1) @ matrix, -1, axis)


class _Resample(Op):
    formula = "d(upsample x)/dx = the transposed interpolation applied to grad"

    def backward(self, grad):
        taps, in_sizes = self.ctx
        n = len(taps)
        data = grad._data
        for axis in range(n):
            data = _resample_axis_transposed(data, axis - n, *taps[axis], in_sizes[axis])
        out = wrap(np.ascontiguousarray(data))
        if _state.enabled and grad._requires_grad:
            record(self.adjoint, out, (grad,), self.ctx)
        return out


class _ResampleBackward(Op):
    formula = "d(upsample_backward g)/dg = upsample(gg)"

    def backward(self, grad):
        return _resample(grad, self.ctx[0], self.ctx[1], self.forward_cls)


def _op_pair(name):
    """The grad_fn class of an upsampling kernel and that of its backward."""
    forward_cls = type(f"{name}Backward0", (_Resample,), {"__slots__": ()})
    backward_cls = type(f"{name}BackwardBackward0", (_ResampleBackward,), {"__slots__": ()})
    forward_cls.adjoint = backward_cls
    backward_cls.forward_cls = forward_cls
    return forward_cls


_KERNELS = {(mode, n): _op_pair(f"Upsample{kind}{n}D")
            for mode, kind, dims in (("nearest", "Nearest", (1, 2, 3)),
                                     ("nearest-exact", "NearestExact", (1, 2, 3)),
                                     ("linear", "Linear", (1,)), ("bilinear", "Bilinear", (2,)),
                                     ("bicubic", "Bicubic", (2,)),
                                     ("trilinear", "Trilinear", (3,)))
            for n in dims}


def _resample(input, taps, in_sizes, cls):
    data = input._data
    n = len(taps)
    for axis in range(n - 1, -1, -1):
        data = _resample_axis(data, axis - n, *taps[axis])
    out = wrap(np.ascontiguousarray(data))
    if _state.enabled and input._requires_grad:
        record(cls, out, (input,), (taps, in_sizes))
    return out


def _upsample(input, mode, output_size, scale_factors, align_corners):
    n = input.dim() - 2
    in_sizes = tuple(input.shape[2:])
    if min(in_sizes) <= 0 or min(output_size) <= 0:
        axes = ("D", "H", "W")[3 - n:]
        given = ", ".join(f"{a}: {s}" for a, s in zip(axes, in_sizes))
        wanted = ", ".join(f"{a}: {s}" for a, s in zip(axes, output_size))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({given}) output ({wanted})")
    dtype = np.float64 if input._data.dtype == np.float64 else np.float32
    taps = []
    for axis in range(n):
        args = (in_sizes[axis], output_size[axis],
                None if scale_factors is None else scale_factors[axis])
        if mode in ("nearest", "nearest-exact"):
            taps.append(_nearest_taps(*args, mode == "nearest-exact"))
        elif mode == "bicubic":
            taps.append(_cubic_taps(*args, align_corners, dtype))
        else:
            taps.append(_linear_taps(*args, align_corners, dtype))
    return _resample(input, taps, in_sizes, _KERNELS[(mode, n)])


_SEPARABLE = {"nearest": (1, 2, 3), "nearest-exact": (1, 2, 3), "linear": (1,),
              "bilinear": (2,), "bicubic": (2,), "trilinear": (3,)}
_AREA = {3: adaptive_avg_pool1d, 4: adaptive_avg_pool2d, 5: adaptive_avg_pool3d}


def _output_geometry(input, size, scale_factor, recompute_scale_factor):
    """(output sizes or None, scale factors or None), as ``torch.nn.functional`` decides."""
    dim = input.dim() - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(input.shape[2:])} and output size "
                    f"of {size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                    "and output size in (o1, o2, ...,oK) format.")
            if not all(isinstance(s, (int, np.integer)) for s in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    f"Tuple[int, int, int], but got size with types {[type(s) for s in size]}")
            output_size, scale_factors = [int(s) for s in size], None
        else:
            output_size, scale_factors = [int(size)] * dim, None
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, "
                    f"but got input with spatial dimensions of {list(input.shape[2:])} and "
                    f"scale_factor of shape {scale_factor}. Please provide input tensor in "
                    "(N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
            scale_factors = [float(s) for s in scale_factor]
        else:
            scale_factors = [float(scale_factor)] * dim
        output_size = None
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if output_size is None:
        output_size = [math.floor(input.shape[i + 2] * scale_factors[i]) for i in range(dim)]
        if recompute_scale_factor:
            scale_factors = None
    return output_size, scale_factors


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resample the spatial axes of an (N, C, ...) tensor to ``size`` or by ``scale_factor``."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    # (``area`` reads only the output size, so its scale factors never matter.)
    output_size, scale_factors = _output_geometry(input, size, scale_factor,
                                                  recompute_scale_factor)
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported by ember")
    if mode == "area" and input.dim() in _AREA:
        return _AREA[input.dim()](input, output_size)
    if input.dim() - 2 in _SEPARABLE.get(mode, ()):
        return _upsample(input, mode, output_size, scale_factors, align_corners)
    wanted = {"linear": 3, "bilinear": 4, "trilinear": 5}
    if mode in wanted and input.dim() in (3, 4, 5):
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                  f"{wanted[mode]}D input")
    raise NotImplementedError(
        "Input Error: Only 3D, 4D and 5D input Tensors supported"
        f" (got {input.dim()}D) for the modes: nearest | linear | bilinear | bicubic | "
        f"trilinear | lanczos | area | nearest-exact (got {mode})")


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
