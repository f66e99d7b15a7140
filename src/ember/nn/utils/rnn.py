"""``nn.utils.rnn``: variable-length sequences for recurrent layers.

A ``PackedSequence`` holds the steps of a batch of sequences sorted by length, longest first,
time-major: ``data`` has the ``batch_sizes[0]`` first elements of every sequence, then the
``batch_sizes[1]`` second elements, and so on. ``pack_padded_sequence`` / ``pack_sequence``
build one (``PackPaddedSequenceBackward0``, as PyTorch's), ``pad_packed_sequence`` /
``unpack_sequence`` undo it, ``pad_sequence`` / ``unpad_sequence`` convert between a list of
tensors and one padded tensor. Padding writes into slices of a filled tensor, as PyTorch
does (so its grad_fn is ``CopySlices``).
"""

from collections import namedtuple
from collections.abc import Iterable

import numpy as np

from ... import _creation
from ..._tensor import Tensor
from ...autograd import grad_mode
from ...ops._dispatch import Op, record, wrap

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence",
           "pad_packed_sequence", "pad_sequence", "unpad_sequence", "pack_sequence",
           "unpack_sequence"]


class PackedSequence(namedtuple("PackedSequence_",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """``(data, batch_sizes, sorted_indices, unsorted_indices)``; build it with
    ``pack_padded_sequence`` or ``pack_sequence``."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self

        def moved(t):
            return None if t is None else t.to(data.device)

        return type(self)(data, self.batch_sizes, moved(self.sorted_indices),
                          moved(self.unsorted_indices))

    def cpu(self, *args, **kwargs):
        kwargs["device"] = "cpu"
        return self.to(*args, **kwargs)

    def double(self):
        return self.to(dtype=_dtype("float64"))

    def float(self):
        return self.to(dtype=_dtype("float32"))

    def half(self):
        return self.to(dtype=_dtype("float16"))

    def long(self):
        return self.to(dtype=_dtype("int64"))

    def int(self):
        return self.to(dtype=_dtype("int32"))

    def short(self):
        return self.to(dtype=_dtype("int16"))

    def char(self):
        return self.to(dtype=_dtype("int8"))

    def byte(self):
        return self.to(dtype=_dtype("uint8"))

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def _dtype(name):
    from ... import _dtype as dtypes
    return getattr(dtypes, name)


def invert_permutation(permutation):
    """The permutation that undoes ``permutation`` (None stays None)."""
    if permutation is None:
        return None
    output = _creation.empty_like(permutation)
    output.scatter_(0, permutation, _creation.arange(0, permutation.numel()))
    return output


def _packed_positions(batch_sizes, batch):
    """For each element of ``data``: its flat index ``t * batch + b`` in a (T, B) grid."""
    steps = np.arange(len(batch_sizes)).repeat(batch_sizes)
    starts = np.cumsum(batch_sizes) - batch_sizes
    within = np.arange(int(batch_sizes.sum())) - starts.repeat(batch_sizes)
    return steps * batch + within


def _pad(data, batch_sizes, steps, padding_value):
    """(steps, B, *) from packed ``data``: one slice copy per run of equal batch size."""
    batch = int(batch_sizes[0])
    padded = _creation.full((steps, batch) + tuple(data.shape[1:]), padding_value,
                            dtype=data.dtype)
    offset, start = 0, 0
    for t in range(1, len(batch_sizes) + 1):
        if t == len(batch_sizes) or batch_sizes[t] != batch_sizes[start]:
            size, length = int(batch_sizes[start]), t - start
            block = data[offset:offset + length * size]
            padded[start:t, :size] = block.view((length, size) + tuple(data.shape[1:]))
            offset += length * size
            start = t
    return padded


class PackPaddedSequenceBackward0(Op):
    """Gather the valid steps of a (T, B, *) tensor, time-major."""

    formula = "d(pack(input))/dinput = pad(grad) with zeros"
    saves = ()

    def backward(self, grad):
        batch_sizes, batch_first = self.ctx
        padded = _pad(grad, batch_sizes, len(batch_sizes), 0)
        return padded.transpose(0, 1) if batch_first else padded


def _pack(input, lengths, batch_first):
    data = input._data
    if batch_first:
        data = data.swapaxes(0, 1)
    batch = data.shape[1]
    if len(lengths) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(lengths)} (batch_size={batch})")
    if lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if np.any(lengths[1:] > lengths[:-1]):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
            "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
            "pack_sequence to sidestep this requirement if you do not need ONNX "
            "exportability.")
    batch_sizes = (lengths[None, :] > np.arange(lengths[0])[:, None]).sum(1)
    flat = data.reshape((-1,) + data.shape[2:])
    out = wrap(flat[_packed_positions(batch_sizes, batch)])
    if grad_mode._state.enabled and input._requires_grad:
        record(PackPaddedSequenceBackward0, out, (input,), (batch_sizes, batch_first))
    return out, wrap(batch_sizes.astype(np.int64))


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded (T, B, *) batch (``batch_first``: (B, T, *)) of sequences."""
    if not isinstance(lengths, Tensor):
        lengths = _creation.as_tensor(lengths, dtype=_dtype("int64"))
    else:
        lengths = lengths.to(dtype=_dtype("int64"))
    sorted_indices = None
    if not enforce_sorted:
        lengths, sorted_indices = lengths.sort(descending=True)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    data, batch_sizes = _pack(input, lengths._data, batch_first)
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """``(padded, lengths)`` from a ``PackedSequence``; ``total_length`` pads further."""
    batch_sizes = sequence.batch_sizes._data
    max_seq_length = len(batch_sizes)
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and "
                             f"max sequence length being {max_seq_length}")
        max_seq_length = total_length
    padded = _pad(sequence.data, batch_sizes, max_seq_length, padding_value)
    if batch_first:
        padded = padded.transpose(0, 1)
    lengths = wrap((batch_sizes[None, :] > np.arange(batch_sizes[0])[:, None]).sum(1)
                   .astype(np.int64))
    unsorted_indices = sequence.unsorted_indices
    if unsorted_indices is not None:
        return (padded.index_select(0 if batch_first else 1, unsorted_indices),
                lengths[unsorted_indices])
    return padded, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shape (L_i, *) into (max L, B, *) (``batch_first``: (B, max L, *))."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg "
                           f"of type: {type(sequences)}")
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError("Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    max_len = max(s.shape[0] for s in sequences)
    first = sequences[0]
    shape = (len(sequences), max_len) if batch_first else (max_len, len(sequences))
    out = _creation.full(shape + tuple(first.shape[1:]), padding_value, dtype=first.dtype)
    for i, seq in enumerate(sequences):
        length = seq.shape[0]
        start = 0 if padding_side == "right" else max_len - length
        row = out.select(0 if batch_first else 1, i)
        row.narrow(0, start, length).copy_(seq)
    return out


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of unpadded sequences, each (L_i, *)."""
    if not batch_first:
        padded_sequences.transpose_(0, 1)
    idx = _creation.arange(padded_sequences.shape[1])
    return [seq[idx < length] for seq, length in zip(padded_sequences, lengths, strict=True)]


def pack_sequence(sequences, enforce_sorted=True):
    """``pack_padded_sequence(pad_sequence(sequences), lengths)``."""
    lengths = _creation.as_tensor([v.size(0) for v in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences a ``PackedSequence`` holds, in their original order."""
    padded_sequences, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded_sequences, lengths, batch_first=True)

