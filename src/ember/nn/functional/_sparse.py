"""Lookup functions: ``embedding``, ``embedding_bag`` and ``one_hot``.

The kernels are ``torch.embedding`` and ``torch.embedding_bag`` (``ops/embedding.py``);
these wrappers add PyTorch's Python-level checks, ``padding_idx`` normalisation and the
``max_norm`` renormalisation, which rescales rows of ``weight`` in place (without
recording a graph), as PyTorch does. Sparse gradients are not supported.
"""

import numpy as np

from ... import _creation, _dtype
from ...autograd import grad_mode
from ...ops import embedding as _kernels
from ...ops._dispatch import wrap

__all__ = ["embedding", "embedding_bag", "one_hot"]


def _no_grad_embedding_renorm_(weight, input, max_norm, norm_type):
    with grad_mode.no_grad():
        _kernels.embedding_renorm_(weight, input, max_norm, norm_type)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` at the indices in ``input``."""
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    if max_norm is not None:
        input = input.contiguous()
        _no_grad_embedding_renorm_(weight, input, max_norm, norm_type)
    return _kernels.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)


_MODES = {"sum": 0, "mean": 1, "max": 2}


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of embeddings: bags are the rows of a 2-D ``input``,
    or the slices of a 1-D ``input`` starting at each of ``offsets``."""
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
            f"then it must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a "
                "mini-batch of fixed length sequences. However, found offsets of type "
                f"{type(offsets)}")
        offsets = wrap(np.arange(0, input.numel(), input.size(1), dtype=input._data.dtype))
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    if max_norm is not None:
        _no_grad_embedding_renorm_(weight, input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
            "on GitHub.")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.size(0)
    return _kernels.embedding_bag(weight, input, offsets, scale_grad_by_freq, _MODES[mode],
                                  sparse, per_sample_weights, include_last_offset,
                                  padding_idx)[0]


def one_hot(tensor, num_classes=-1):
    """int64 tensor with a trailing dimension of ``num_classes``: 1 at each class value."""
    data = tensor._data
    if data.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if data.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(data.max()) + 1
    if data.size and data.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if data.size and data.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = _creation.zeros(*data.shape, num_classes, dtype=_dtype.int64)
    np.put_along_axis(out._data, data[..., None], 1, axis=-1)
    return out
