"""Shape ops: views (share memory with their input) and the copies PyTorch makes instead.

``view``, ``reshape``, ``flatten``, ``unflatten``, ``ravel``, ``expand``, ``broadcast_*``,
``transpose`` (``swapaxes``, ``swapdims``), ``t``, ``permute``, ``movedim``, ``T``, ``mT``,
``squeeze``, ``unsqueeze``, their in-place forms (``t_``, ``unsqueeze_``..., which change
the tensor's own shape), ``clone`` and ``contiguous``.

A view shares its base's array and version counter (``make_view``), so an in-place write
through one is seen through the other and invalidates tensors saved from either.
Derivatives of views are the inverse reshaping of the gradient.
"""

import warnings

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._size import Size
from .._tensor import _wrap_dim
from ._dispatch import Op, _state, broadcast_error, record, wrap
from ._views import make_view


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
    for i, s in enumerate(size):
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape "
                                   f"[{', '.join(map(str, size))}]")
            known *= s
    if -1 in size:
        if known == 0 and numel == 0:
            raise RuntimeError(
                f"cannot reshape tensor of 0 elements into shape [{', '.join(map(str, size))}] "
                "because the unspecified dimension size -1 can be any value and is ambiguous")
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
        if not _state.enabled:
            return wrap(grad._data.reshape(self._input_meta[0][0]))
        return grad.reshape(self._input_meta[0][0])


class UnsafeViewBackward0(ViewBackward0):
    __slots__ = ()


class ReshapeAliasBackward0(ViewBackward0):
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
        # PyTorch: a view of a contiguous tensor, an "alias" view of a strided one.
        cls = ViewBackward0 if data.flags.c_contiguous else ReshapeAliasBackward0
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


def unflatten(input, dim, sizes):
    shape = input._data.shape
    d = _wrap_dim(dim, len(shape))
    sizes = tuple(s.__index__() for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten got an unexpected error:\nonly one dimension can be "
                           "inferred")
    known = 1
    for s in sizes:
        known *= s if s != -1 else 1
    if -1 in sizes:
        sizes = tuple(shape[d] // known if s == -1 and known else s for s in sizes)
    if np.prod(sizes) != shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes [{', '.join(map(str, sizes))}] don't "
                           f"multiply up to the size of dim {d} ({shape[d]}) in the input tensor")
    return view(input, shape[:d] + sizes + shape[d + 1:])


def ravel(input):
    return view(contiguous(input), -1)


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
    # Broadcast dims get stride 0; the view stays writable, so a write into a part of it
    # with no repeated element (PyTorch allows that) goes through, and others are refused.
    data = input._data
    strides = [0] * len(size)
    for i in range(lead, len(size)):
        if shape[i - lead] == target[i]:
            strides[i] = data.strides[i - lead]
    out = make_view(input, as_strided(data, tuple(target), strides))
    if _state.enabled and input._requires_grad:
        record(ExpandBackward0, out, (input,))
    return out


def expand_as(input, other):
    return expand(input, other._data.shape)


def broadcast_to(input, size):
    return expand(input, size)


def broadcast_shapes(*shapes):
    result = []
    for i, argument in enumerate(shapes):
        shape = (argument,) if isinstance(argument, int) else tuple(argument)
        # The message shows the argument as given (a Size prints as torch.Size([...])).
        shown = shape if isinstance(argument, int) else argument
        for k in range(1, len(shape) + 1):
            n = shape[-k]
            if k > len(result):
                result.insert(0, n)
            elif result[-k] == 1:
                result[-k] = n
            elif n != 1 and n != result[-k]:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {n} at {-k}! Mismatching "
                    f"argument at index {i} had {shown!r}; but expected shape should be "
                    f"broadcastable to [{', '.join(map(str, result))}]")
    return Size(result)


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tensors[0]
    shape = ()
    for t in tensors:
        try:
            shape = np.broadcast_shapes(shape, t._data.shape)
        except ValueError:
            raise broadcast_error(shape, t._data.shape) from None
    # A tensor that already has the shape is returned as it is (PyTorch does the same).
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in tensors)


class TransposeBackward0(Op):
    formula = "transpose: transpose the gradient back"

    def backward(self, grad):
        dim0, dim1 = self.ctx
        return grad.transpose(dim0, dim1)


class TBackward0(Op):
    formula = "t: transpose the gradient back"

    def backward(self, grad):
        if not _state.enabled:
            return wrap(grad._data.T)
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


def movedim(input, source, destination):
    ndim = input._data.ndim
    source = (source,) if isinstance(source, int) else tuple(source)
    destination = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(source) != len(destination):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source "
            f"([{', '.join(map(str, source))}] dims) should contain the same number of dims as "
            f"destination ([{', '.join(map(str, destination))}] dims)")
    src = [_wrap_dim(d, ndim) for d in source]
    dst = [_wrap_dim(d, ndim) for d in destination]
    for name, dims, given in (("source", src, source), ("destination", dst, destination)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` "
                               f"([{', '.join(map(str, given))}])")
    order = [d for d in range(ndim) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


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


_T_WARNING = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
    "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
    "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
    "dimensions of a tensor.")


def T(input):
    ndim = input._data.ndim
    if ndim == 0:
        warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in "
                      "these cases.", UserWarning, stacklevel=2)
    elif ndim != 2:
        warnings.warn(_T_WARNING, UserWarning, stacklevel=2)
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
        dims = tuple(_wrap_dim(d, data.ndim) for d in dims)
        for d in dims:
            if dims.count(d) > 1:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        dims = dims if data.ndim else ()
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


__all__ = ["reshape", "flatten", "unflatten", "ravel", "broadcast_to", "broadcast_shapes",
           "broadcast_tensors", "transpose", "t", "permute", "movedim", "squeeze", "unsqueeze",
           "clone"]
ALIASES = {"swapaxes": transpose, "swapdims": transpose, "moveaxis": movedim}
FUNCTION_ONLY = ["broadcast_shapes", "broadcast_tensors"]
# Tensor methods with no torch.<name> function.
METHODS = {"view": view, "view_as": view_as, "reshape_as": reshape_as, "expand": expand,
           "expand_as": expand_as, "contiguous": contiguous}
