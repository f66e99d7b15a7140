"""Joining and splitting: ``cat`` (``concat``, ``concatenate``), ``stack``, ``hstack``,
``vstack``, ``dstack``, ``column_stack``, ``atleast_Nd``; ``split``, ``chunk``, ``unbind``,
``tensor_split``, ``hsplit``, ``vsplit``, ``dsplit``.

Joins copy, promoting dtypes across their inputs as PyTorch does; their derivative cuts the
gradient back into pieces. Splits are views of their input. ``split``, ``chunk`` and
``unbind`` record one node with several outputs, whose derivative joins the pieces'
gradients (a piece that got none counts as zeros); PyTorch forbids writing into those
pieces under autograd. ``tensor_split`` and friends are plain slices.
"""

import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ._dispatch import Op, _state, record, record_multi, wrap
from ._views import make_view, mark_multi_output
from .indexing import _slice


def _tensor_list(tensors, name):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        "not Tensor")
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    return tensors


def _common_dtype(tensors):
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = _dtype.promote_types(dtype, t.dtype)
    return dtype


class CatBackward0(Op):
    formula = "d(cat(xs, dim))/dx_k = grad's slice of x_k along dim"

    def backward(self, grad):
        dim, sizes = self.ctx
        grads = []
        offset = 0
        for i, size in enumerate(sizes):
            if size is None:
                # A skipped legacy empty input gets an empty gradient of its own shape.
                grads.append(wrap(np.zeros(self._input_meta[i][0], dtype=grad._data.dtype)))
            else:
                grads.append(grad.narrow(dim, offset, size)
                             if self.next_functions[i][0] is not None else None)
                offset += size
        return tuple(grads)


def cat(tensors, dim=0, *, axis=None, out=None):
    if out is not None:
        raise NotImplementedError("cat(out=...)")
    tensors = _tensor_list(tensors, "cat")
    if axis is not None:
        dim = axis
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not t._data.ndim:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated")
    dtype = _common_dtype(tensors)
    # PyTorch skips 1-D empty tensors (the legacy "no shape yet" tensor) in shape checks.
    kept = [t for t in tensors if t._data.shape != (0,)]
    first = kept[0]._data.shape if kept else (0,)
    d = _wrap_dim(dim, len(first))
    for i, t in enumerate(tensors):
        shape = t._data.shape
        if shape == (0,):
            continue
        if len(shape) != len(first):
            raise RuntimeError(f"Tensors must have same number of dimensions: got "
                               f"{len(first)} and {len(shape)}")
        for j, (a, b) in enumerate(zip(first, shape)):
            if j != d and a != b:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                   f"Expected size {a} but got size {b} for tensor number "
                                   f"{i} in the list.")
    out = wrap(np.concatenate([t._data for t in kept], axis=d, dtype=dtype.np) if kept
               else np.zeros(0, dtype=dtype.np))
    if _state.enabled and any(t._requires_grad for t in tensors):
        sizes = [None if t._data.shape == (0,) else t._data.shape[d] for t in tensors]
        record(CatBackward0, out, tensors, (d, sizes))
    return out


class StackBackward0(Op):
    formula = "d(stack(xs, dim))/dx_k = grad.select(dim, k)"

    def backward(self, grad):
        return grad.unbind(self.ctx)


def stack(tensors, dim=0, *, out=None):
    if out is not None:
        raise NotImplementedError("stack(out=...)")
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != first:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"[{', '.join(map(str, first))}] at entry 0 and "
                               f"[{', '.join(map(str, t._data.shape))}] at entry {i}")
    d = _wrap_dim(dim, len(first) + 1)
    dtype = _common_dtype(tensors)
    out = wrap(np.stack([t._data for t in tensors], axis=d, dtype=dtype.np))
    if _state.enabled and any(t._requires_grad for t in tensors):
        record(StackBackward0, out, tensors, d)
    return out


def _at_least(ndim, tensors):
    if len(tensors) == 1:
        tensors = tensors[0]
        if isinstance(tensors, Tensor):
            return _raise_rank(tensors, ndim)
    return tuple(_raise_rank(t, ndim) for t in tensors)


def _raise_rank(t, ndim):
    rank = t._data.ndim
    if rank >= ndim:
        return t
    if rank == 0:
        return t.reshape((1,) * ndim)
    if ndim == 2:
        return t.unsqueeze(0)
    return t.unsqueeze(-1) if rank == 2 else t.unsqueeze(0).unsqueeze(-1)


def atleast_1d(*tensors):
    return _at_least(1, tensors)


def atleast_2d(*tensors):
    return _at_least(2, tensors)


def atleast_3d(*tensors):
    return _at_least(3, tensors)


def _stacking(name, tensors):
    tensors = _tensor_list(tensors, name)
    if not tensors:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return tensors


def hstack(tensors, *, out=None):
    tensors = [atleast_1d(t) for t in _stacking("hstack", tensors)]
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    return cat([atleast_2d(t) for t in _stacking("vstack", tensors)], 0, out=out)


def dstack(tensors, *, out=None):
    return cat([atleast_3d(t) for t in _stacking("dstack", tensors)], 2, out=out)


def column_stack(tensors, *, out=None):
    tensors = _stacking("column_stack", tensors)
    return cat([t.reshape(-1, 1) if t._data.ndim <= 1 else t for t in tensors], 1, out=out)


# -- splitting ----------------------------------------------------------------------------
class SplitBackward0(Op):
    formula = "d(split(x))/dx = cat of the pieces' gradients"

    def backward(self, *grads):
        return cat(grads, self.ctx)


class SplitWithSizesBackward0(SplitBackward0):
    __slots__ = ()


class UnbindBackward0(Op):
    formula = "d(unbind(x, dim))/dx = stack of the pieces' gradients along dim"

    def backward(self, *grads):
        return stack(grads, self.ctx)


def _pieces(input, d, sizes, cls):
    data = input._data
    lead = (slice(None),) * d
    outs = []
    offset = 0
    for size in sizes:
        outs.append(make_view(input, data[lead + (slice(offset, offset + size),)]))
        offset += size
    if _state.enabled and input._requires_grad:
        record_multi(cls, outs, (input,), d)
    mark_multi_output(outs)
    return tuple(outs)


def _split_dim(input, dim):
    if not input._data.ndim:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    return _wrap_dim(dim, input._data.ndim)


def split(tensor, split_size_or_sections, dim=0):
    if not isinstance(split_size_or_sections, (int, np.integer)):
        return split_with_sizes(tensor, split_size_or_sections, dim)
    d = _split_dim(tensor, dim)
    size = tensor._data.shape[d]
    step = int(split_size_or_sections)
    if step < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got "
                           f"split_size={step}")
    if step == 0 and size:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                           f"dimension size of {size}")
    sizes = [min(step, size - start) for start in range(0, size, step)] if step else [0]
    return _pieces(tensor, d, sizes or [0], SplitBackward0)


def split_with_sizes(input, split_sizes, dim=0):
    d = _split_dim(input, dim)
    sizes = [int(s) for s in split_sizes]
    size = input._data.shape[d]
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                           f"entries, but got split_sizes=[{', '.join(map(str, sizes))}]")
    if sum(sizes) != size:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                           f"(input tensor's size at dimension {d}), but got "
                           f"split_sizes=[{', '.join(map(str, sizes))}]")
    return _pieces(input, d, sizes, SplitWithSizesBackward0)


def chunk(input, chunks, dim=0):
    if not input._data.ndim:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if size == 0:
        return split_with_sizes(input, [0] * chunks, d)
    return split(input, math.ceil(size / chunks), d)


def unbind(input, dim=0):
    data = input._data
    if not data.ndim:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _wrap_dim(dim, data.ndim)
    lead = (slice(None),) * d
    outs = [make_view(input, data[lead + (i, Ellipsis)]) for i in range(data.shape[d])]
    if _state.enabled and input._requires_grad:
        record_multi(UnbindBackward0, outs, (input,), d)
    mark_multi_output(outs)
    return tuple(outs)


def tensor_split(input, indices_or_sections, dim=0):
    data = input._data
    if not data.ndim:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    d = _wrap_dim(dim, data.ndim)
    size = data.shape[d]
    if isinstance(indices_or_sections, Tensor) and indices_or_sections._data.ndim == 0:
        indices_or_sections = indices_or_sections.item()
    if isinstance(indices_or_sections, (int, np.integer)):
        sections = int(indices_or_sections)
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        small, extra = divmod(size, sections)
        bounds = [i * small + min(i, extra) for i in range(1, sections)]
    else:
        bounds = [int(i) for i in (indices_or_sections.tolist()
                                   if isinstance(indices_or_sections, Tensor)
                                   else indices_or_sections)]
    starts = [0] + bounds
    stops = bounds + [size]
    return tuple(_slice(input, d, slice(*slice(start, stop).indices(size)))
                 for start, stop in zip(starts, stops))


def _directional_split(name, input, indices_or_sections, dim, min_dims):
    ndim = input._data.ndim
    if ndim < min_dims:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, "
                           f"but got a tensor with {ndim} dimensions!")
    if isinstance(indices_or_sections, (int, np.integer)):
        size = input._data.shape[dim]
        if indices_or_sections == 0 or size % indices_or_sections:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but "
                               f"the size of the dimension {size} is not divisible by the "
                               f"split_size {indices_or_sections}!")
    return tensor_split(input, indices_or_sections, dim)


def hsplit(input, indices_or_sections):
    return _directional_split("hsplit", input, indices_or_sections,
                              0 if input._data.ndim == 1 else 1, 1)


def vsplit(input, indices_or_sections):
    return _directional_split("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    return _directional_split("dsplit", input, indices_or_sections, 2, 3)


__all__ = ["cat", "stack", "hstack", "vstack", "dstack", "column_stack", "atleast_1d",
           "atleast_2d", "atleast_3d", "split", "split_with_sizes", "chunk", "unbind",
           "tensor_split", "hsplit", "vsplit", "dsplit"]
ALIASES = {"concat": cat, "concatenate": cat, "row_stack": vstack}
FUNCTION_ONLY = ["cat", "stack", "hstack", "vstack", "dstack", "column_stack", "atleast_1d",
                 "atleast_2d", "atleast_3d", "concat", "concatenate", "row_stack"]
