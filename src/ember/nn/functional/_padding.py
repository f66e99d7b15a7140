"""``pad``: PyTorch's ``F.pad`` in its four modes.

- ``constant``: ``ember.constant_pad_nd`` (any number of trailing dims, negative padding
  crops);
- ``reflect`` and ``replicate``: one gather with per-dim index arrays (the mirror image
  without repeating the edge, or the edge repeated), as ``ReflectionPad{1,2,3}D`` and
  ``ReplicationPad{1,2,3}D`` nodes; the derivative sums the gradient back with
  ``index_add`` along each padded dim, so it is differentiable again;
- ``circular``: built as PyTorch builds it, by copying slices into an empty tensor (the
  grad_fn is ``CopySlices``).

The non-constant modes pad the last 1, 2 or 3 dims of a batched or unbatched input.
"""

import numpy as np

from ... import _creation
from ...ops._dispatch import Op, _state, record, wrap
from ...ops.padding import constant_pad_nd

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


class _IndexPad(Op):
    """A pad that reads every output element from one input element (``self.ctx``: the
    index array of each padded dim, last dims of the input)."""

    __slots__ = ()
    formula = "d(pad(x))/dx = grad summed back onto the element each output was read from"

    def backward(self, grad):
        shape = self._input_meta[0][0]
        ndim, indices = len(shape), self.ctx
        first = ndim - len(indices)
        for i, index in enumerate(indices):
            dim = first + i
            size = list(grad.shape)
            size[dim] = shape[dim]
            zeros = _creation.zeros(size, dtype=grad.dtype)
            grad = zeros.index_add(dim, wrap(index), grad)
        return grad


class ReflectionPad1DBackward0(_IndexPad):
    __slots__ = ()


class ReflectionPad2DBackward0(_IndexPad):
    __slots__ = ()


class ReflectionPad3DBackward0(_IndexPad):
    __slots__ = ()


class ReplicationPad1DBackward0(_IndexPad):
    __slots__ = ()


class ReplicationPad2DBackward0(_IndexPad):
    __slots__ = ()


class ReplicationPad3DBackward0(_IndexPad):
    __slots__ = ()


_NODES = {("reflect", 1): ReflectionPad1DBackward0, ("reflect", 2): ReflectionPad2DBackward0,
          ("reflect", 3): ReflectionPad3DBackward0, ("replicate", 1): ReplicationPad1DBackward0,
          ("replicate", 2): ReplicationPad2DBackward0,
          ("replicate", 3): ReplicationPad3DBackward0}


def _shape(shape):
    return f"[{', '.join(map(str, shape))}]"


def _pairs(pad, ndim, nd):
    """(dim, left, right) for each padded dim, last dim first (PyTorch's order)."""
    return [(ndim - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(nd)]


def _index_pad(input, pad, mode, nd):
    data = input._data
    ndim = data.ndim
    kernel = "reflection" if mode == "reflect" else "replication"
    if 0 in data.shape[ndim - nd - 1:]:
        raise RuntimeError(f"Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with possibly 0 "
                           "batch size and other non-zero dimensions for input, but got: "
                           f"{_shape(data.shape)}")
    if mode == "reflect":
        for i, (dim, left, right) in enumerate(_pairs(pad, ndim, nd)):
            if left >= data.shape[dim] or right >= data.shape[dim]:
                raise RuntimeError(
                    f"Argument #{4 + 2 * i}: Padding size should be less than the "
                    "corresponding input dimension, but got: padding "
                    f"({left}, {right}) at dimension {dim} of input {_shape(data.shape)}")
    if nd == 1 and data.shape[-1] + pad[0] + pad[1] < 1:
        raise RuntimeError(f"input (W: {data.shape[-1]}) is too small. Calculated output W: "
                           f"{data.shape[-1] + pad[0] + pad[1]}")
    for dim, left, right in _pairs(pad, ndim, nd):
        if data.shape[dim] + left + right < 0:
            # PyTorch fails here too, with messages that vary by kernel and rank.
            raise RuntimeError(f"Padding ({left}, {right}) at dimension {dim} of input "
                               f"{_shape(data.shape)} gives a negative output size")
    if data.dtype.kind == "b":
        raise NotImplementedError(f'"{kernel}_pad{nd}d" not implemented for \'Bool\'')
    indices = []
    for dim, left, right in reversed(_pairs(pad, ndim, nd)):
        size = data.shape[dim]
        index = np.arange(-left, size + right)
        if mode == "reflect":
            index = np.abs(index)
            index = np.where(index >= size, 2 * (size - 1) - index, index)
        else:
            index = np.clip(index, 0, size - 1)
        indices.append(index)
    out = wrap(data[(Ellipsis,) + np.ix_(*indices)])
    if _state.enabled and input._requires_grad:
        record(_NODES[mode, nd], out, (input,), tuple(indices))
    return out


def _copy_within(out, target, source):
    """``out[target] = out[source]``; the very same region (PyTorch allows that) is cloned
    first, a partial overlap is refused by ``copy_`` as in PyTorch."""
    value = out[source]
    if target == source:
        value = value.clone()
    out[target].copy_(value)


def _circular_pad(input, pad, nd):
    """PyTorch's ``_pad_circular``: the input copied in, then each side from the other."""
    shape = input.shape
    ndim = len(shape)
    out_shape = list(shape)
    for dim, left, right in _pairs(pad, ndim, nd):
        size = shape[dim]
        out_shape[dim] = size + left + right
        if left > size or right > size:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if out_shape[dim] < 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
    out = _creation.empty(out_shape, dtype=input.dtype)
    out_key, in_key = [slice(None)] * ndim, [slice(None)] * ndim
    for dim, left, right in _pairs(pad, ndim, nd):
        out_key[dim] = slice(max(left, 0), out_shape[dim] - max(right, 0))
        in_key[dim] = slice(max(-left, 0), shape[dim] - max(-right, 0))
    # Writes go through views, so even a full-range slice gives PyTorch's CopySlices.
    out[tuple(out_key)].copy_(input[tuple(in_key)])
    # Corners are written more than once when several dims are padded, as in PyTorch.
    for dim, left, right in _pairs(pad, ndim, nd):
        size = out_shape[dim]
        lead = (slice(None),) * dim
        if left > 0:
            _copy_within(out, lead + (slice(0, left),),
                         lead + (slice(size - left - max(right, 0), size - max(right, 0)),))
        if right > 0:
            _copy_within(out, lead + (slice(size - right, size),),
                         lead + (slice(max(left, 0), max(left, 0) + right),))
    return out


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims of ``input``; ``pad`` is (left, right) pairs from
    the last dim backwards."""
    for i, p in enumerate(pad):
        if not isinstance(p, int) and not hasattr(p, "__index__"):
            raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, but "
                            f"found element of type {type(p).__name__} at pos {i}")
    pad = [p.__index__() for p in pad]
    ndim = input.dim()
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > 2 * ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{ndim}")
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode == "constant":
        return constant_pad_nd(input, pad, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    nd = len(pad) // 2
    if nd not in (1, 2, 3) or ndim not in (nd + 1, nd + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {ndim}D input "
                                  "tensor.")
    if mode == "circular":
        return _circular_pad(input, pad, nd)
    return _index_pad(input, pad, mode, nd)
