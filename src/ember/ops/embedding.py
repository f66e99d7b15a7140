"""Embedding lookups: ``torch.embedding``, ``torch.embedding_renorm_`` and
``torch.embedding_bag``.

``embedding`` gathers rows of ``weight``; its gradient scatters ``grad`` rows back with
``index_add`` (rows at ``padding_idx`` get none; ``scale_grad_by_freq`` divides by how often
each index occurs). ``embedding_bag`` reduces the rows of each bag (a slice of ``input``
between consecutive ``offsets``) by sum, mean or max, in one vectorised pass
(``reduceat`` over the non-empty bags); empty bags give zeros.

Decision: ``embedding_bag``'s auxiliary outputs are ``offset2bag`` (the bag of each index),
``bag_size`` (indices counted per bag, padding excluded) and ``max_indices`` (the weight
row chosen per bag and column in max mode, zeros otherwise); ATen fills them differently
per mode for its own backward, which no caller should rely on.
"""

import numpy as np

from .. import _creation
from ._dispatch import Op, _state, record, wrap
from .joining import cat

__all__ = ["embedding", "embedding_renorm_", "embedding_bag"]
FUNCTION_ONLY = list(__all__)


def _check_indices(indices, argument, checking):
    if indices._data.dtype not in (np.int64, np.int32):
        raise RuntimeError(
            f"Expected tensor for argument #{argument} 'indices' to have one of the following "
            f"scalar types: Long, Int; but got {indices.type()} instead (while checking "
            f"arguments for {checking})")


class EmbeddingBackward0(Op):
    saves = (1,)
    formula = "d embedding(w, i)/dw = zeros(w.shape).index_add(0, i, grad)"

    def backward(self, grad):
        (indices,) = self.saved_tensors
        num_weights, padding_idx, scale_grad_by_freq = self.ctx
        flat = indices._data.reshape(-1)
        rows = grad.reshape(-1, grad.shape[-1])
        scale = _row_scale(flat, padding_idx, scale_grad_by_freq, num_weights)
        if scale is not None:
            rows = rows * wrap(scale.astype(rows._data.dtype)[:, None])
        zeros = _creation.zeros(num_weights, rows.shape[1], dtype=grad.dtype)
        return zeros.index_add(0, wrap(flat.astype(np.int64, copy=False)), rows), None


def _row_scale(flat, padding_idx, scale_grad_by_freq, num_weights):
    """Per-index gradient factor: 0 at padding, 1 / frequency when scaling; None if all 1."""
    if padding_idx is None and not scale_grad_by_freq:
        return None
    scale = np.ones(flat.shape, np.float64)
    if scale_grad_by_freq:
        scale /= np.bincount(flat, minlength=num_weights)[flat]
    if padding_idx is not None:
        scale[flat == padding_idx] = 0
    return scale


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` at ``indices``: shape ``indices.shape + (weight.shape[1],)``."""
    if sparse:
        raise NotImplementedError("embedding(sparse=True): sparse gradients are not supported")
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(indices, 1, "embedding")
    idx = indices._data
    num_weights = weight._data.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= num_weights):
        raise IndexError("index out of range in self")
    out = wrap(np.take(weight._data, idx, axis=0))
    if _state.enabled and weight._requires_grad:
        pad = padding_idx if padding_idx >= 0 else None
        record(EmbeddingBackward0, out, (weight, indices),
               (num_weights, pad, scale_grad_by_freq))
    return out


def _norms(rows, norm_type):
    magnitude = np.abs(rows)
    if norm_type == np.inf:
        return magnitude.max(axis=1)
    if norm_type == 0:
        return np.count_nonzero(rows, axis=1).astype(rows.dtype)
    if norm_type == 2:
        return np.sqrt(np.square(magnitude).sum(axis=1))
    return (magnitude ** norm_type).sum(axis=1) ** (1.0 / norm_type)


def embedding_renorm_(input, indices, max_norm, norm_type):
    """Rescale, in place, each referenced row of ``input`` whose norm exceeds ``max_norm``."""
    from .inplace import check_inplace
    check_inplace(input)
    data = input._data
    rows = np.unique(indices._data)
    if rows.size and (rows[0] < 0 or rows[-1] >= data.shape[0]):
        raise IndexError("index out of range in self")
    norms = _norms(data[rows], norm_type)
    over = norms > max_norm
    rows = rows[over]
    # row *= max_norm / (norm + 1e-7), as ATen scales it
    scale = (max_norm / (norms[over].astype(np.float64) + 1e-7)).astype(data.dtype)
    data[rows] *= scale[:, None]
    input._vc[0] += 1
    return input


# -- embedding_bag ------------------------------------------------------------------------
_SUM, _MEAN, _MAX = 0, 1, 2


class EmbeddingBagBackward0(Op):
    saves = (0, 1)
    formula = ("d embedding_bag/dw: each bag's grad row added to the rows it used (scaled "
               "by 1/bag size for mean, by the sample weight for sum; the argmax for max)")

    def backward(self, grad):
        weight, per_sample_weights = self.saved_tensors
        mode, idx, bag, scale, max_indices, valid = self.ctx
        num_weights, width = self._input_meta[0][0]
        grad_weight = grad_psw = None
        if mode == _MAX:
            if self.next_functions[0][0] is not None:
                masked = grad * wrap(valid[:, None].astype(grad._data.dtype))
                zeros = _creation.zeros(num_weights, width, dtype=grad.dtype)
                grad_weight = zeros.scatter_add(0, wrap(max_indices), masked)
            return grad_weight, None
        rows = grad.index_select(0, wrap(bag))
        idx_t = wrap(idx)
        if scale is not None:
            rows = rows * wrap(scale.astype(grad._data.dtype)[:, None])
        if self.next_functions[1][0] is not None:
            grad_psw = (rows * weight.index_select(0, idx_t)).sum(1)
            unused = per_sample_weights.shape[0] - idx.size
            if unused:  # indices after the last bag get no gradient
                grad_psw = cat([grad_psw, _creation.zeros(unused, dtype=grad.dtype)])
        if self.next_functions[0][0] is not None:
            if per_sample_weights is not None:
                rows = rows * per_sample_weights[:idx.size].unsqueeze(1)
            zeros = _creation.zeros(num_weights, width, dtype=grad.dtype)
            grad_weight = zeros.index_add(0, idx_t, rows)
        return grad_weight, grad_psw


def _bag_bounds(offsets, count, include_last_offset):
    """(starts, ends) of each bag in ``input``, checked as ATen checks offsets."""
    offs = offsets._data.astype(np.int64, copy=False)
    if offs.size and offs[0] != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
            f"from position 0. However, got {offs[0]}")
    if offs.size and offs[-1] > count:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {count} but "
                           f"got offsets[-1] of {offs[-1]}")
    if include_last_offset:
        return offs[:-1], offs[1:]
    return offs, np.append(offs[1:], count)


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """(output, offset2bag, bag_size, max_indices); ``mode`` 0 = sum, 1 = mean, 2 = max."""
    if sparse:
        raise NotImplementedError("embedding_bag(sparse=True): sparse gradients are not "
                                  "supported")
    _check_indices(indices, 2, "embedding_bag")
    data = weight._data
    num_weights, width = data.shape
    starts, ends = _bag_bounds(offsets, indices._data.size, include_last_offset)
    bags = starts.size
    used = int(ends[-1]) if bags else 0
    idx = indices._data.reshape(-1)[:used].astype(np.int64, copy=False)
    bad = np.flatnonzero((idx < 0) | (idx >= num_weights))
    if bad.size:
        raise RuntimeError(f"Index {bad[0]} of input takes value {idx[bad[0]]} which is not "
                           f"in the valid range [0, {num_weights})")
    bag = np.repeat(np.arange(bags), ends - starts)
    keep = None if padding_idx is None else idx != padding_idx
    bag_size = np.bincount(bag if keep is None else bag[keep], minlength=bags)
    rows = np.take(data, idx, axis=0)
    nonempty = ends > starts
    heads = starts[nonempty]
    out = np.zeros((bags, width), data.dtype)
    max_indices = np.zeros((bags, width), np.int64)
    valid = bag_size > 0
    scale = None
    if mode == _MAX:
        if keep is not None:
            rows[~keep] = -np.inf
        if heads.size:
            out[nonempty] = np.maximum.reduceat(rows, heads, axis=0)
            # the first row reaching the bag's maximum, per column
            position = np.where(rows == out[bag], np.arange(idx.size)[:, None], idx.size)
            first = np.minimum.reduceat(position, heads, axis=0)
            max_indices[nonempty] = idx[np.minimum(first, idx.size - 1)]
        out[~valid] = 0
        max_indices[~valid] = 0
    else:
        if per_sample_weights is not None:
            rows *= per_sample_weights._data.reshape(-1)[:used, None]
        factor = _row_scale(idx, padding_idx, scale_grad_by_freq, num_weights)
        if mode == _MEAN:
            per_bag = 1.0 / np.maximum(bag_size, 1)[bag]
            factor = per_bag if factor is None else factor * per_bag
        if keep is not None:
            rows[~keep] = 0
        if heads.size:
            out[nonempty] = np.add.reduceat(rows, heads, axis=0)
        if mode == _MEAN:
            out /= np.maximum(bag_size, 1).astype(data.dtype)[:, None]
        scale = factor
    result = wrap(out)
    if _state.enabled and (weight._requires_grad or (per_sample_weights is not None
                                                     and per_sample_weights._requires_grad)):
        record(EmbeddingBagBackward0, result, (weight, per_sample_weights),
               (mode, idx, bag, scale, max_indices, valid))
    return result, wrap(bag), wrap(bag_size), wrap(max_indices)
