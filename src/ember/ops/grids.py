"""Grids and index sets: meshgrid, cartesian_prod, combinations, tril_indices,
triu_indices, block_diag, diagflat.

``meshgrid`` is views and expands, ``cartesian_prod`` and ``combinations`` stack indexed
inputs, so their gradients come from those ops, as in PyTorch.
"""

import itertools
import warnings

import numpy as np

from .. import _dtype
from ._dispatch import Op, _state, record, wrap


def _tensors_argument(tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return list(tensors[0])
    return list(tensors)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids: output ``i`` varies along dimension ``i`` (``'ij'``); with ``'xy'``
    the first two inputs are gridded in swapped order (so the first varies along columns)."""
    tensors = _tensors_argument(tensors)
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass "
                      "the indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.dim() > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: {t}")
    first = tensors[0].dtype
    if any(t.dtype is not first for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    swap = indexing == "xy" and len(tensors) >= 2
    ordered = [tensors[1], tensors[0], *tensors[2:]] if swap else tensors
    shape = [t.numel() for t in ordered]
    grids = []
    for i, t in enumerate(ordered):
        view_shape = [1] * len(ordered)
        view_shape[i] = -1
        grids.append(t.view(*view_shape).expand(*shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors):
    """Every combination of one element from each 1-D tensor, as rows."""
    tensors = _tensors_argument(tensors)
    for t in tensors:
        if t.dim() != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    from .joining import stack
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.flatten() for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """Rows of ``r`` elements of a 1-D ``input``, in ``itertools`` order."""
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return wrap(np.empty((0,), input._data.dtype))
    n = input.shape[0]
    pick = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    rows = np.array(list(pick(range(n), r)), np.int64).reshape(-1, r)
    from .joining import stack
    index = wrap(rows)
    return stack([input[index[:, k]] for k in range(r)], 1)


def _triangle_indices(row, col, offset, dtype, lower):
    if row < 0 or col < 0:
        raise RuntimeError(f"row must be non-negative, got{row}" if row < 0
                           else f"col must be non-negative, got{col}")
    dtype = dtype or _dtype.int64
    if dtype not in (_dtype.int32, _dtype.int64):
        raise RuntimeError("\"tril_indices\" not implemented for "
                           f"'{dtype._scalar_name}'" if lower else
                           f"\"triu_indices\" not implemented for '{dtype._scalar_name}'")
    rows, cols = np.indices((row, col))
    keep = (cols - rows <= offset) if lower else (cols - rows >= offset)
    return wrap(np.stack([rows[keep], cols[keep]]).astype(dtype.np).reshape(2, -1))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """Coordinates of the lower triangle (diagonal ``offset``) of a row x col matrix."""
    return _triangle_indices(row, col, offset, dtype, lower=True)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """Coordinates of the upper triangle (diagonal ``offset``) of a row x col matrix."""
    return _triangle_indices(row, col, offset, dtype, lower=False)


class BlockDiagBackward0(Op):
    formula = "d block_diag(A, B, ...)/dA = the block of grad where A sits"

    def backward(self, grad):
        grads, r, c = [], 0, 0
        for i, meta in enumerate(self._input_meta):
            rows, cols = self.ctx[i]
            block = grad[r:r + rows, c:c + cols]
            grads.append(block.reshape(meta[0]) if self.needs_input_grad(i) else None)
            r, c = r + rows, c + cols
        return tuple(grads)


def block_diag(*tensors):
    """A block-diagonal matrix of 0-, 1- or 2-D ``tensors`` (1-D ones are rows)."""
    if not tensors:
        return wrap(np.empty((1, 0), _dtype.get_default_dtype().np))
    shapes = []
    for i, t in enumerate(tensors):
        if t.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t.dim()} dimensions")
        shape = t._data.shape
        shapes.append((1, 1) if len(shape) == 0 else (1, shape[0]) if len(shape) == 1
                      else shape)
    result_dtype = tensors[0].dtype
    for t in tensors[1:]:
        result_dtype = _dtype.promote_types(result_dtype, t.dtype)
    out = np.zeros((sum(s[0] for s in shapes), sum(s[1] for s in shapes)), result_dtype.np)
    r = c = 0
    for t, (rows, cols) in zip(tensors, shapes):
        out[r:r + rows, c:c + cols] = t._data.reshape(rows, cols)
        r, c = r + rows, c + cols
    result = wrap(out)
    if _state.enabled and any(t._requires_grad for t in tensors):
        record(BlockDiagBackward0, result, tensors, tuple(shapes))
    return result


def diagflat(input, offset=0):
    """A 2-D matrix with the flattened ``input`` on diagonal ``offset``."""
    return input.reshape(-1).diag_embed(offset)


__all__ = ["meshgrid", "cartesian_prod", "combinations", "tril_indices", "triu_indices",
           "block_diag", "diagflat"]
FUNCTION_ONLY = ["meshgrid", "cartesian_prod", "combinations", "tril_indices",
                 "triu_indices", "block_diag"]
