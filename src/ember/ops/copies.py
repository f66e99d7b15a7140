"""The ``*_copy`` ops (``permute_copy``, ``split_copy``...): a view op's result as a fresh
contiguous tensor; and ``unsafe_split``/``unsafe_chunk``/``unsafe_split_with_sizes``, whose
pieces share memory with the input but are not tracked as its views.

Each runs its view op and keeps the graph node that op built (the derivative is the
view's), renamed to PyTorch's grad_fn for the copy (``PermuteBackward0_copy``,
``UnsafeSplitBackward0``...).
"""

import numpy as np

from .._creation_extras import ViewAsRealBackward0, view_as_complex, view_as_real
from ._dispatch import Op, _state, record, wrap
from .diagonals import DiagonalBackward0, DiagonalBackward0_copy, diagonal
from .indexing import (
    AliasBackward0,
    SelectBackward0,
    SliceBackward0,
    _alias,
    _slice,
    _wrap_dim,
    narrow,
    select,
)
from .joining import (
    SplitBackward0,
    SplitWithSizesBackward0,
    UnbindBackward0,
    chunk,
    split,
    split_with_sizes,
    unbind,
)
from .shape import (
    ExpandBackward0,
    PermuteBackward0,
    SqueezeBackward0,
    SqueezeBackward1,
    SqueezeBackward2,
    TBackward0,
    TransposeBackward0,
    UnsqueezeBackward0,
    ViewBackward0,
    expand,
    permute,
    squeeze,
    t,
    transpose,
    unsqueeze,
    view,
)
from .strided import AsStridedBackward0, UnfoldBackward0, as_strided, unfold


def _renamed(base, name):
    # The same derivative as the view op's node, under PyTorch's name for the copy op;
    # no new slots, so a node built as ``base`` can take this class.
    return type(name, (base,), {"__slots__": (), "__module__": __name__})


_COPY_CLASS = {DiagonalBackward0: DiagonalBackward0_copy}
for _base in (ViewBackward0, PermuteBackward0, TransposeBackward0, TBackward0, SqueezeBackward0,
              SqueezeBackward1, SqueezeBackward2, UnsqueezeBackward0, ExpandBackward0,
              SelectBackward0, SliceBackward0, SplitBackward0, SplitWithSizesBackward0,
              UnbindBackward0, AliasBackward0, AsStridedBackward0, UnfoldBackward0,
              ViewAsRealBackward0):
    _COPY_CLASS[_base] = _renamed(_base, _base.__name__ + "_copy")
UnsafeSplitBackward0 = _renamed(SplitBackward0, "UnsafeSplitBackward0")
UnsafeSplitWithSizesBackward0 = _renamed(SplitWithSizesBackward0,
                                         "UnsafeSplitWithSizesBackward0")
NarrowCopyBackward0 = _renamed(SliceBackward0, "NarrowCopyBackward0")


def _take_node(source, out, cls):
    """Move ``source``'s grad_fn (just built by a view op) to ``out`` as a ``cls`` node."""
    node = source._grad_fn
    if node is not None:
        node.__class__ = cls
        out._grad_fn = node
        out._requires_grad = True
        out._output_nr = source._output_nr
    return out


def _copied(view_result, cls=None):
    out = wrap(view_result._data.copy())
    node = view_result._grad_fn
    # A multi-output node (split) is renamed by its first piece; the others find it renamed.
    return _take_node(view_result, out, cls or _COPY_CLASS.get(type(node), type(node)))


# -- the copies of view ops -----------------------------------------------------------------
def view_copy(input, size):
    from .. import _dtype
    if isinstance(size, _dtype.dtype):
        # PyTorch's dtype reinterpretation copy records no history.
        return wrap(input.detach().view(size)._data.copy())
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"view_copy() received an invalid combination of arguments - got "
                        f"(Tensor, {type(size).__name__}), but expected one of:")
    return _copied(view(input, tuple(size)))


def permute_copy(input, dims):
    return _copied(permute(input, dims))


def transpose_copy(input, dim0, dim1):
    return _copied(transpose(input, dim0, dim1))


def t_copy(input):
    return _copied(t(input))


def squeeze_copy(input, dim=None):
    return _copied(squeeze(input, dim))


def unsqueeze_copy(input, dim):
    return _copied(unsqueeze(input, dim))


def expand_copy(input, size, *, implicit=False):
    return _copied(expand(input, size))


def diagonal_copy(input, offset=0, dim1=0, dim2=1):
    return _copied(diagonal(input, offset, dim1, dim2))


def select_copy(input, dim, index):
    return _copied(select(input, dim, index))


def slice_copy(input, dim=0, start=None, end=None, step=1):
    ndim = input._data.ndim
    if not ndim:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    d = _wrap_dim(dim, ndim)
    bounds = slice(start, end, step).indices(input._data.shape[d])
    return _copied(_slice(input, d, slice(*bounds)))


def alias_copy(input):
    return _copied(_alias(input))


def as_strided_copy(input, size, stride, storage_offset=None):
    return _copied(as_strided(input, size, stride, storage_offset))


def unfold_copy(input, dimension, size, step):
    return _copied(unfold(input, dimension, size, step))


def narrow_copy(input, dim, start, length):
    return _copied(narrow(input, dim, start, length), NarrowCopyBackward0)


def split_copy(input, split_size, dim=0):
    return tuple(_copied(piece) for piece in split(input, split_size, dim))


def split_with_sizes_copy(input, split_sizes, dim=0):
    return tuple(_copied(piece) for piece in split_with_sizes(input, split_sizes, dim))


def unbind_copy(input, dim=0):
    return tuple(_copied(piece) for piece in unbind(input, dim))


class _NotImplementedBackward(Op):
    """PyTorch's placeholder node for an op with no derivative (``detach_copy``)."""

    formula = "no derivative"

    def name(self):
        return "torch::autograd::NotImplemented"

    def backward(self, grad):
        raise RuntimeError(f"derivative for aten::{self.ctx} is not implemented")


def detach_copy(input):
    """A detached copy; PyTorch still marks it requiring grad, with a node that refuses."""
    out = wrap(input._data.copy())
    if _state.enabled and input._requires_grad:
        record(_NotImplementedBackward, out, (input,), "detach_copy")
    return out


def view_as_real_copy(input):
    return _copied(view_as_real(input))


def view_as_complex_copy(input):
    if _state.enabled and input._requires_grad:
        raise RuntimeError("view_as_complex_copy does not support automatic differentiation "
                           "for outputs with complex dtype.")
    return wrap(view_as_complex(input)._data.copy())


# -- unsafe splits: pieces share the input's memory but are not its views ---------------------
def _unsafe(pieces, cls):
    # chunk of an empty dimension splits with sizes: PyTorch names that node accordingly.
    if pieces and type(pieces[0]._grad_fn) is SplitWithSizesBackward0:
        cls = UnsafeSplitWithSizesBackward0
    return tuple(_take_node(piece, wrap(piece._data), cls) for piece in pieces)


def unsafe_split(input, split_size, dim=0):
    if not isinstance(split_size, (int, np.integer)):
        raise TypeError(f"unsafe_split(): argument 'split_size' (position 2) must be int, not "
                        f"{type(split_size).__name__}")
    return _unsafe(split(input, split_size, dim), UnsafeSplitBackward0)


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    return _unsafe(split_with_sizes(input, split_sizes, dim), UnsafeSplitWithSizesBackward0)


def unsafe_chunk(input, chunks, dim=0):
    return _unsafe(chunk(input, chunks, dim), UnsafeSplitBackward0)


__all__ = ["view_copy", "permute_copy", "transpose_copy", "t_copy", "squeeze_copy",
           "unsqueeze_copy", "expand_copy", "diagonal_copy", "select_copy", "slice_copy",
           "split_copy", "split_with_sizes_copy", "unbind_copy", "detach_copy", "alias_copy",
           "narrow_copy", "as_strided_copy", "unfold_copy", "view_as_real_copy",
           "view_as_complex_copy", "unsafe_split", "unsafe_split_with_sizes", "unsafe_chunk"]
FUNCTION_ONLY = [name for name in __all__ if name not in (
    "narrow_copy", "unsafe_split", "unsafe_split_with_sizes", "unsafe_chunk")]
