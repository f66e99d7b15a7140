"""Shape ops: views (share memory with their input) and the copies PyTorch makes instead.

A view shares its base's array and version counter, so an in-place write through one is
seen through the other and invalidates tensors saved from either. Derivatives of views
are the inverse reshaping of the gradient.
"""

import numpy as np

from .._tensor import _wrap_dim
from ._dispatch import Op, _state, record, wrap


def make_view(base, data):
    """A tensor over ``data``, a NumPy view of ``base``'s array."""
    out = wrap(data)
    out._vc = base._vc
    out._base = base._base if base._base is not None else base
    return out


def _size_args(size):
    """Accept ``f(2, 3)`` and ``f((2, 3))`` (and a Size) the way PyTorch does."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return tuple(s.__index__() for s in size)


def _infer_shape(size, numel):
    """Resolve one -1 in ``size`` and check it matches ``numel`` elements."""
    if size.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in size:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in size:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, size))}]' is invalid for input of "
                               f"size {numel}")
        size = tuple(numel // known if s == -1 else s for s in size)
    elif known != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, size))}]' is invalid for input of size "
                           f"{numel}")
    return size


class ViewBackward0(Op):
    formula = "view: reshape the gradient back"

    def backward(self, grad):
        return grad.reshape(self._input_meta[0][0])


class UnsafeViewBackward0(ViewBackward0):
    __slots__ = ()


def view(input, *size):
    if len(size) == 1 and not isinstance(size[0], (tuple, list, int)) and hasattr(size[0], "np"):
        from .conversion import view_as_dtype
        return view_as_dtype(input, size[0])
    data = input._data
    shape = _infer_shape(_size_args(size), data.size)
    try:
        new = np.reshape(data, shape, copy=False)
    except ValueError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) "
            "instead.") from None
    out = make_view(input, new)
    if _state.enabled and input._requires_grad:
        record(ViewBackward0, out, (input,))
    return out


def reshape(input, *shape):
    data = input._data
    shape = _infer_shape(_size_args(shape), data.size)
    try:
        new = np.reshape(data, shape, copy=False)
        out = make_view(input, new)
        cls = ViewBackward0
    except ValueError:
        out = wrap(np.reshape(data, shape).copy())
        cls = UnsafeViewBackward0
    if _state.enabled and input._requires_grad:
        record(cls, out, (input,))
    return out


def view_as(input, other):
    return view(input, other._data.shape)


def reshape_as(input, other):
    return reshape(input, other._data.shape)


def flatten(input, start_dim=0, end_dim=-1):
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    start, end = _wrap_dim(start_dim, len(shape)), _wrap_dim(end_dim, len(shape))
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    return reshape(input, shape[:start] + (-1,) + shape[end + 1:])


class ExpandBackward0(Op):
    formula = "expand: sum the gradient over the expanded dimensions"

    def backward(self, grad):
        return grad.sum_to_size(self._input_meta[0][0])


def expand(input, *size):
    size = _size_args(size)
    shape = input._data.shape
    if len(size) < len(shape):
        raise RuntimeError(
            f"expand(torch.{input.dtype._legacy_name}{{[{', '.join(map(str, shape))}]}}, "
            f"size=[{', '.join(map(str, size))}]): the number of sizes provided ({len(size)}) "
            f"must be greater or equal to the number of dimensions in the tensor "
            f"({len(shape)})")
    lead = len(size) - len(shape)
    target = [0] * len(size)
    # Checked from the last dimension, so the error names the rightmost mismatch (PyTorch).
    for i in range(len(size) - 1, -1, -1):
        s = size[i]
        own = shape[i - lead] if i >= lead else None
        if s == -1:
            if own is None:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            s = own
        elif own is not None and own != s and own != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({own}) "
                f"at non-singleton dimension {i}.  Target sizes: "
                f"[{', '.join(map(str, size))}].  Tensor sizes: [{', '.join(map(str, shape))}]")
        target[i] = s
    out = make_view(input, np.broadcast_to(input._data, tuple(target)))
    if _state.enabled and input._requires_grad:
        record(ExpandBackward0, out, (input,))
    return out


def expand_as(input, other):
    return expand(input, other._data.shape)


def broadcast_to(input, size):
    return expand(input, size)


class TransposeBackward0(Op):
    formula = "transpose: transpose the gradient back"

    def backward(self, grad):
        dim0, dim1 = self.ctx
        return grad.transpose(dim0, dim1)


class TBackward0(Op):
    formula = "t: transpose the gradient back"

    def backward(self, grad):
        return grad.t()


class PermuteBackward0(Op):
    formula = "permute: apply the inverse permutation to the gradient"

    def backward(self, grad):
        return grad.permute(tuple(np.argsort(self.ctx)))


def transpose(input, dim0, dim1):
    ndim = input._data.ndim
    d0, d1 = _wrap_dim(dim0, ndim), _wrap_dim(dim1, ndim)
    out = make_view(input, np.swapaxes(input._data, d0, d1) if ndim else input._data.view())
    if _state.enabled and input._requires_grad:
        record(TransposeBackward0, out, (input,), (d0, d1))
    return out


def t(input):
    ndim = input._data.ndim
    if ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    out = make_view(input, input._data.T)
    if _state.enabled and input._requires_grad:
        record(TBackward0, out, (input,))
    return out


def permute(input, *dims):
    ndim = input._data.ndim
    dims = tuple(_wrap_dim(d, ndim) for d in _size_args(dims))
    if len(dims) != ndim:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {ndim} is not "
            f"equal to len(dims) = {len(dims)}")
    if len(set(dims)) != ndim:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    out = make_view(input, np.transpose(input._data, dims))
    if _state.enabled and input._requires_grad:
        record(PermuteBackward0, out, (input,), dims)
    return out


def T(input):
    ndim = input._data.ndim
    return permute(input, tuple(range(ndim - 1, -1, -1)))


def mT(input):
    if input._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {input._data.ndim}-D tensor.")
    return transpose(input, -2, -1)


class SqueezeBackward0(Op):
    formula = "squeeze: reshape the gradient back"

    def backward(self, grad):
        return grad.reshape(self._input_meta[0][0])


class SqueezeBackward1(SqueezeBackward0):
    __slots__ = ()


class SqueezeBackward2(SqueezeBackward0):
    __slots__ = ()


class UnsqueezeBackward0(Op):
    formula = "unsqueeze: squeeze the gradient back"

    def backward(self, grad):
        return grad.squeeze(self.ctx)


def squeeze(input, dim=None):
    data = input._data
    if dim is None:
        cls, new = SqueezeBackward0, np.squeeze(data)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = tuple(_wrap_dim(d, data.ndim) for d in dims) if data.ndim else ()
        dims = tuple(d for d in dims if data.shape[d] == 1)
        cls = SqueezeBackward2 if isinstance(dim, (tuple, list)) else SqueezeBackward1
        new = np.squeeze(data, axis=dims) if dims else data.view()
    out = make_view(input, new)
    if _state.enabled and input._requires_grad:
        record(cls, out, (input,))
    return out


def unsqueeze(input, dim):
    data = input._data
    d = _wrap_dim(dim, data.ndim + 1)
    out = make_view(input, np.expand_dims(data, d))
    if _state.enabled and input._requires_grad:
        record(UnsqueezeBackward0, out, (input,), d)
    return out


class CloneBackward0(Op):
    formula = "clone: the gradient passes through"

    def backward(self, grad):
        return grad


def clone(input, *, memory_format=None):
    out = wrap(input._data.copy())
    if _state.enabled and input._requires_grad:
        record(CloneBackward0, out, (input,))
    return out


def contiguous(input, memory_format=None):
    if input._data.flags.c_contiguous:
        return input
    return clone(input)


__all__ = ["view", "reshape", "view_as", "reshape_as", "flatten", "expand", "expand_as",
           "broadcast_to", "transpose", "t", "permute", "squeeze", "unsqueeze", "clone",
           "contiguous"]
FUNCTION_ONLY = ["broadcast_to"]
METHODS = {"broadcast_to": broadcast_to}
