"""Copies that rearrange or repeat elements: ``flip`` (``fliplr``, ``flipud``), ``roll``,
``rot90``, ``repeat``, ``tile``, ``repeat_interleave``.

Each derivative undoes the rearrangement on the gradient (flip it back, roll it back,
rotate it back); a repeat's derivative sums the gradient over the copies.
``repeat_interleave`` is composed as PyTorch composes it: ``unsqueeze``, ``expand``,
``clone``, ``view`` for an int count, ``index_select`` for a tensor of counts.
"""

import numpy as np

from .._tensor import Tensor, _wrap_dim
from ._dispatch import Op, _state, record, wrap
from .shape import _size_args


def _dims(dims, ndim):
    wrapped = [_wrap_dim(d, ndim) for d in dims]
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return tuple(wrapped)


class FlipBackward0(Op):
    formula = "d(flip(x, dims))/dx = flip(grad, dims)"

    def backward(self, grad):
        return grad.flip(self.ctx)


def flip(input, *dims):
    dims = _dims(_size_args(dims), input._data.ndim)
    out = wrap(np.flip(input._data, dims).copy() if dims else input._data.copy())
    if _state.enabled and input._requires_grad:
        record(FlipBackward0, out, (input,), dims)
    return out


def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, 1)


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, 0)


class RollBackward0(Op):
    formula = "d(roll(x, shifts, dims))/dx = roll(grad, -shifts, dims)"

    def backward(self, grad):
        shifts, dims = self.ctx
        return grad.roll(tuple(-s for s in shifts), dims)


def roll(input, shifts, dims=None):
    shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    data = input._data
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                               "dims:0")
        out = wrap(np.roll(data, shifts[0]))
        dims = ()
    else:
        dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
        if not shifts:
            raise RuntimeError("`shifts` required")
        if len(shifts) != len(dims):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                               f"dims:{len(dims)}")
        if not data.ndim:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        dims = tuple(_wrap_dim(d, data.ndim) for d in dims)
        out = wrap(np.roll(data, shifts, dims))
    if _state.enabled and input._requires_grad:
        record(RollBackward0, out, (input,), (shifts, dims or None))
    return out


class Rot90Backward0(Op):
    formula = "d(rot90(x, k, dims))/dx = rot90(grad, -k, dims)"

    def backward(self, grad):
        k, dims = self.ctx
        return grad.rot90(-k, dims)


def rot90(input, k=1, dims=(0, 1)):
    dims = list(dims)
    ndim = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {ndim}")
    d0, d1 = _wrap_dim(dims[0], ndim), _wrap_dim(dims[1], ndim)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = "
                           f"{dims[0]} and dim1 = {dims[1]}")
    out = wrap(np.rot90(input._data, k, axes=(d0, d1)).copy())
    if _state.enabled and input._requires_grad:
        record(Rot90Backward0, out, (input,), (k, (d0, d1)))
    return out


class RepeatBackward0(Op):
    formula = "d(repeat(x, r))/dx = the gradient summed over the r copies"

    def backward(self, grad):
        repeats = self.ctx
        shape = self._input_meta[0][0]
        padded = (1,) * (len(repeats) - len(shape)) + tuple(shape)
        # Split each dim into (copy, element) and sum over the copies.
        interleaved = [n for pair in zip(repeats, padded) for n in pair]
        summed = grad.reshape(interleaved).sum(tuple(range(0, len(interleaved), 2)))
        return summed.reshape(shape)


def repeat(input, *repeats):
    repeats = _size_args(repeats)
    data = input._data
    if len(repeats) < data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    padded = (1,) * (len(repeats) - data.ndim) + data.shape
    shape = [r * n for r, n in zip(repeats, padded)]
    for n in shape:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: "
                               f"[{', '.join(map(str, shape))}]")
    out = wrap(np.tile(data, repeats) if repeats else data.copy())
    if _state.enabled and input._requires_grad:
        record(RepeatBackward0, out, (input,), repeats)
    return out


def tile(input, dims):
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    return repeat(input, (1,) * (input._data.ndim - len(dims)) + dims)


def _repeats_positions(repeats):
    """``repeat_interleave(repeats)``: each position i repeated ``repeats[i]`` times."""
    data = repeats._data
    if data.ndim != 1:
        raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
    if data.dtype.kind not in "iu" or data.dtype == np.uint8:
        raise NotImplementedError(f'"repeat_interleave_cpu" not implemented for '
                                  f"'{repeats.dtype._legacy_name[:-len('Tensor')]}'")
    if data.size and data.min() < 0:
        raise RuntimeError("repeats can not be negative")
    return np.repeat(np.arange(data.size), data)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    if repeats is None:
        return wrap(_repeats_positions(input).astype(input._data.dtype))
    if dim is None:
        input, d = input.flatten(), 0
    else:
        d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d] if input._data.ndim else 1
    if isinstance(repeats, Tensor):
        counts = repeats._data
        if counts.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if counts.ndim == 0 or counts.size == 1:
            counts = np.full(size, counts.reshape(()), dtype=counts.dtype)
        elif counts.size != size:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {counts.size} and input.size({d}) = {size}")
        positions = _repeats_positions(wrap(counts))
        if output_size is not None and output_size != positions.size:
            raise RuntimeError("allocated size does not match required size")
        return input.index_select(d, wrap(positions))
    repeats = int(repeats)
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    if output_size is not None and output_size != size * repeats:
        raise RuntimeError(f"repeat_interleave: Invalid output_size, expected "
                           f"{size * repeats} but got {output_size}")
    shape = list(input._data.shape)
    expanded = shape[:d + 1] + [repeats] + shape[d + 1:]
    shape[d] = size * repeats
    return input.unsqueeze(d + 1).expand(expanded).clone().view(shape)


__all__ = ["flip", "fliplr", "flipud", "roll", "rot90", "tile", "repeat_interleave"]
# `repeat` is a Tensor method only (there is no torch.repeat).
METHODS = {"repeat": repeat}
