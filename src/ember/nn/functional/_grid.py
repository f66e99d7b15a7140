"""Spatial transformers: ``grid_sample`` (bilinear, nearest, bicubic; zeros, border and
reflection padding; 4-D and 5-D input) and ``affine_grid``.

``grid_sample`` reads, for every output position, a few input positions ("taps": 1 for
nearest, 2 per axis for bilinear, 4 per axis for bicubic) whose weights are functions of
the grid coordinates. The taps of all axes are combined into one ``(N, K, P)`` table of
flat input indices and weights (P output positions, K taps each), so the forward is one
gather and one weighted sum, and the backward one ``scatter_add`` (input gradient) and one
gather (grid gradient). Weights and their grid derivatives are built with ember ops from
the saved grid, so the backward is itself differentiable (double backward), as in PyTorch.
Coordinates are unnormalised, clipped and reflected as PyTorch's ``grid_sampler`` kernels
do, and in the grid's dtype (float32 stays float32).
"""

import itertools
import math
import warnings

import numpy as np

from ... import _creation
from ...ops import indexing, joining, scatter, selection
from ...ops._dispatch import Op, _state, record, wrap

__all__ = ["grid_sample", "affine_grid"]

_MODES = ("bilinear", "nearest", "bicubic")
_PADDING_MODES = ("zeros", "border", "reflection")
_CUBIC_A = -0.75


def _const(array, like):
    """An ndarray as a tensor of ``like``'s dtype (a constant of the derivative)."""
    return wrap(np.asarray(array, dtype=like._data.dtype))


# -- coordinates ----------------------------------------------------------------------------
def _padded(source, size, padding_mode, align_corners):
    """Source coordinates after the padding mode, and d(result)/d(source) (an ndarray):
    border clips; reflection reflects about the edges, then clips."""
    if padding_mode == "zeros":
        return source, 1.0
    data = source._data
    factor = np.ones_like(data)
    if padding_mode == "reflection":
        twice_low, twice_high = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
        if twice_low == twice_high:
            return source * 0, np.zeros_like(data)
        low = twice_low / 2
        span = (twice_high - twice_low) / 2
        shifted = source - low
        distance = shifted.abs()
        extra = distance.fmod(span)
        odd = _const(np.floor(distance._data / span) % 2 == 1, source).bool()
        source = selection.where(odd, span + low - extra, extra + low)
        factor = np.where(shifted._data < 0, -factor, factor)
        factor = np.where(odd._data, -factor, factor)
        data = source._data
    inside = (data >= 0) & (data <= size - 1)
    return source.clamp(0, size - 1), np.where(inside, factor, 0)


def _cubic_weights(t):
    """The four cubic-convolution weights at fraction ``t`` and their derivatives in t."""
    a = _CUBIC_A

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    def d_near(x):
        return (3 * (a + 2) * x - 2 * (a + 3)) * x

    def d_far(x):
        return (3 * a * x - 10 * a) * x + 8 * a

    weights = [far(t + 1), near(t), near(1 - t), far(2 - t)]
    slopes = [d_far(t + 1), d_near(t), -d_near(1 - t), -d_far(2 - t)]
    return weights, slopes


def _axis_taps(coord, size, mode, padding_mode, align_corners):
    """For one grid axis: (input positions, weights, d weight / d coord) per tap; weights and
    slopes are tensors (None for nearest's constant weight 1), positions float ndarrays."""
    scale = (size * 0.5 - 0.5) if align_corners else size * 0.5
    source = coord * scale + (size * 0.5 - 0.5)
    if mode == "bicubic":
        base = np.floor(source._data)
        weights, slopes = _cubic_weights(source - _const(base, source))
        positions = [_padded(_const(base + k, source), size, padding_mode, align_corners)[0]
                     ._data for k in (-1, 0, 1, 2)]
        return positions, weights, [s * scale for s in slopes]
    source, factor = _padded(source, size, padding_mode, align_corners)
    if mode == "nearest":
        # rint rounds half to even, as PyTorch's nearbyint.
        return [np.rint(source._data)], [None], [None]
    base = np.floor(source._data)
    t = source - _const(base, source)
    slope = _const(factor * scale, source)
    return [base, base + 1], [1 - t, t], [-slope, slope]


def _taps(grid, spatial, mode, padding_mode, align_corners):
    """The combined tap table: flat input indices ``(N, K, P)`` (int64), weights
    ``(N, K, P)`` and, per grid axis, d weights / d grid coordinate ``(N, K, P)``."""
    n, rank = grid.shape[0], len(spatial)
    flat = grid.reshape(n, -1, rank)
    axes = []
    stride = 1
    for a in range(rank):  # grid axis 0 is x, the last input dimension
        size = spatial[rank - 1 - a]
        positions, weights, slopes = _axis_taps(flat[..., a], size, mode, padding_mode,
                                                align_corners)
        valid = [(p >= 0) & (p < size) for p in positions]
        index = [np.where(v, p, 0).astype(np.int64) * stride for p, v in zip(positions, valid)]
        axes.append(list(zip(index, valid, weights, slopes)))
        stride *= size
    indices, masks, weights, slopes = [], [], [], [[] for _ in range(rank)]
    for combo in itertools.product(*axes):
        indices.append(sum(c[0] for c in combo))
        mask = _const(np.logical_and.reduce([c[1] for c in combo]), flat)
        masks.append(mask)
        weights.append(_product([c[2] for c in combo], mask))
        for a in range(rank):
            others = [c[2] for b, c in enumerate(combo) if b != a]
            slope = combo[a][3]
            slopes[a].append(None if slope is None else _product([slope, *others], mask))
    slopes = [None if mode == "nearest" else joining.stack(s, 1) for s in slopes]
    return np.stack(indices, 1), joining.stack(weights, 1), slopes


def _product(factors, mask):
    result = mask
    for f in factors:
        if f is not None:
            result = result * f
    return result


# -- the op ---------------------------------------------------------------------------------
class _GridSampler(Op):
    __slots__ = ()
    saves = (0, 1)
    formula = ("d(grid_sample)/dinput = scatter of grad * tap weights; "
               "d/dgrid = sum over taps and channels of grad * input tap * d weight/d grid")

    def backward(self, grad):
        input, grid = self.saved_tensors
        mode, padding_mode, align_corners = self.ctx
        n, c = input.shape[:2]
        spatial = tuple(input.shape[2:])
        index, weights, slopes = _taps(grid, spatial, mode, padding_mode, align_corners)
        k, p = index.shape[1:]
        index_t = wrap(np.broadcast_to(index.reshape(n, 1, k * p), (n, c, k * p)))
        g = grad.reshape(n, c, 1, p)
        grad_input = grad_grid = None
        if self.next_functions[0][0] is not None:
            source = (g * weights.unsqueeze(1)).reshape(n, c, k * p)
            grad_input = scatter.scatter_add(
                _creation.zeros(n, c, math.prod(spatial), dtype=input.dtype), 2, index_t,
                source).reshape(input.shape)
        if self.next_functions[1][0] is not None:
            if mode == "nearest":
                grad_grid = _creation.zeros(grid.shape, dtype=grid.dtype)
            else:
                taps = indexing.gather(input.reshape(n, c, -1), 2, index_t).reshape(n, c, k, p)
                weighted = (g * taps).sum(1)
                grad_grid = joining.stack([(weighted * s).sum(1) for s in slopes], -1)
                grad_grid = grad_grid.reshape(grid.shape)
        return grad_input, grad_grid


class GridSampler2DBackward0(_GridSampler):
    __slots__ = ()


class GridSampler3DBackward0(_GridSampler):
    __slots__ = ()


def _check(input, grid, mode):
    if grid.dim() < 1 or grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.dim() - 2} in "
                           f"last dimension, but got grid with sizes {list(grid.shape)}")
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected {4 if input.dim() == 4 else 5}D input "
                           f"and grid with same number of dimensions, but got input with sizes "
                           f"{list(input.shape)} and grid with sizes {list(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {list(input.shape)} and grid with sizes "
                           f"{list(grid.shape)}")
    for d in range(2, input.dim()):
        if input.shape[d] == 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {d} being empty")
    if mode == "bicubic" and input.dim() != 4:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input._data.dtype.kind != "f":
        kernel = f"grid_sampler_{input.dim() - 2}d_cpu_kernel_impl"
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{input.dtype.__repr__()[6:].capitalize()}'")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_name(input)} but found "
                           f"{_scalar_name(grid)}")


def _scalar_name(t):
    return {"float32": "Float", "float64": "Double", "float16": "Half",
            "bfloat16": "BFloat16"}.get(repr(t.dtype)[6:], repr(t.dtype)[6:])


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample ``input`` at the normalised ``grid`` positions (``[-1, 1]`` spans the input)."""
    if mode not in _MODES:
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in _PADDING_MODES:
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if "
                      "the old behavior is desired. See the documentation of grid_sample for "
                      "details.", stacklevel=2)
        align_corners = False
    _check(input, grid, mode)
    n, c = input.shape[:2]
    spatial = tuple(input.shape[2:])
    index, weights, _ = _taps(grid.detach(), spatial, mode, padding_mode, align_corners)
    k, p = index.shape[1:]
    flat = input._data.reshape(n, c, -1)
    taps = np.take_along_axis(flat, index.reshape(n, 1, k * p), 2).reshape(n, c, k, p)
    data = np.einsum("nckp,nkp->ncp", taps, weights._data).reshape(n, c, *grid.shape[1:-1])
    out = wrap(data)
    if _state.enabled and (input._requires_grad or grid._requires_grad):
        cls = GridSampler2DBackward0 if input.dim() == 4 else GridSampler3DBackward0
        record(cls, out, (input, grid), (mode, padding_mode, bool(align_corners)))
    return out


# -- affine_grid ----------------------------------------------------------------------------
def _base_grid(spatial, align_corners, dtype):
    """``(prod(spatial), rank + 1)``: the normalised (x, y[, z], 1) of every output position."""
    axes = []
    for steps in reversed(spatial):  # x first
        if steps <= 1:
            axes.append(np.zeros(steps, dtype=dtype))
            continue
        line = np.linspace(-1, 1, steps, dtype=dtype)
        axes.append(line if align_corners else line * dtype.type((steps - 1) / steps))
    mesh = np.meshgrid(*axes[::-1], indexing="ij")[::-1]
    ones = np.ones(mesh[0].shape, dtype=dtype)
    return np.stack([*mesh, ones], -1).reshape(-1, len(spatial) + 1)


class AffineGridGeneratorBackward0(Op):
    __slots__ = ()
    formula = "d(affine_grid)/dtheta = grad^T @ base_grid"

    def backward(self, grad):
        base, n = self.ctx
        rank = base.shape[1] - 1
        flat = grad.reshape(n, -1, rank).transpose(1, 2)
        return flat @ _const(base, grad)


def affine_grid(theta, size, align_corners=None):
    """The sampling grid of the affine maps ``theta`` (``N x 2 x 3`` or ``N x 3 x 4``)."""
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if "
                      "the old behavior is desired. See the documentation of grid_sample for "
                      "details.", stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    shown, size = size, list(size)
    if len(size) in (4, 5):
        rank = len(size) - 2
        if theta.dim() != 3 or theta.shape[-2] != rank or theta.shape[-1] != rank + 1:
            raise ValueError(f"Expected a batch of {rank}D affine matrices of shape "
                             f"Nx{rank}x{rank + 1} for size {shown}. Got "
                             f"{theta.shape}.")
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size "
                                  f"{shown}.")
    spatial = size[2:]
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                      "grids when align_corners=True. This is not an intended use case of "
                      "affine_grid. See the documentation of affine_grid for details.",
                      stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {shown}")
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{size[0]}, {rank + 1}] but got: [{theta.shape[0]}, {rank + 1}].")
    base = _base_grid(spatial, align_corners, theta._data.dtype)
    data = np.matmul(base, theta._data.transpose(0, 2, 1)).reshape(size[0], *spatial, rank)
    out = wrap(data)
    if _state.enabled and theta._requires_grad:
        record(AffineGridGeneratorBackward0, out, (theta,), (base, size[0]))
    return out

