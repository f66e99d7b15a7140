"""``ctc_loss``: the Connectionist Temporal Classification loss, as PyTorch computes it.

The forward-backward algorithm runs in log space over the extended label lattice (a
blank before, between and after the target labels: ``2 * S + 1`` states), vectorised over
the batch and the lattice, with a loop over time only. The gradient is PyTorch's
``ctc_loss_backward``: ``exp(log_probs) - exp(log(sum of alpha * beta per class) + nll -
log_probs)`` for time steps inside each input, the gradient with respect to the logits
when ``log_probs`` comes from ``log_softmax`` (whose backward then passes it through).
``reduction='mean'`` divides each loss by its target length (at least 1) and averages, and
``zero_infinity`` replaces infinite losses by zero, with the same ops as PyTorch, so the
graph reads ``CtcLossBackward0`` -> ``DivBackward0`` -> ``MeanBackward0``.
"""

import numpy as np

from ..._tensor import Tensor
from ...ops import selection
from ...ops._dispatch import Op, _state, record, wrap

__all__ = ["ctc_loss"]

_REDUCTIONS = ("none", "mean", "sum")
_CHECKING = " (while checking arguments for ctc_loss_allocate_outputs)"


class CtcLossBackward0(Op):
    __slots__ = ()
    formula = "d(ctc)/dlog_probs = exp(log_probs) - exp(log(sum alpha*beta) + nll - log_probs)"

    def backward(self, grad):
        return wrap(self.ctx) * grad.reshape(1, -1, 1)


def _lengths(value, name, batch):
    if isinstance(value, Tensor):
        if value._data.dtype.kind not in "iu":
            raise RuntimeError(f"{name} must be integral")
        lengths = value._data.reshape(-1).astype(np.int64)
    else:
        lengths = np.asarray(list(value), dtype=np.int64).reshape(-1)
    if lengths.shape[0] != batch:
        raise RuntimeError(f"{name} must be of size batch_size")
    return lengths


def _logsumexp(*terms):
    """Elementwise log(sum(exp)) of same-shape arrays, -inf where all are -inf."""
    top = np.maximum.reduce(terms)
    safe = np.where(np.isneginf(top), 0, top)
    total = sum(np.exp(t - safe) for t in terms)
    with np.errstate(divide="ignore"):
        return np.log(total) + safe


def _shift(states, by):
    """States moved ``by`` places along the lattice (right if positive), -inf filled."""
    out = np.full_like(states, -np.inf)
    if by > 0:
        out[:, by:] = states[:, :-by]
    else:
        out[:, :by] = states[:, -by:]
    return out


def _padded_targets(targets, target_lengths, batch):
    """Targets as an ``(N, max target length)`` int64 array, with PyTorch's checks."""
    data = targets._data.astype(np.int64)
    longest = int(target_lengths.max(initial=0))
    if data.ndim == 1:
        total = int(target_lengths.sum())
        if data.shape[0] != total:
            raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got "
                               f"size {data.shape[0]} for argument #2 'targets'{_CHECKING}")
        padded = np.zeros((batch, longest), dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(target_lengths)[:-1]])
        columns = np.arange(longest)
        inside = columns < target_lengths[:, None]
        padded[inside] = data[(starts[:, None] + columns)[inside]]
        return padded
    if data.shape[0] != batch:
        raise RuntimeError(f"Expected tensor to have size {batch} at dimension 0, but got "
                           f"size {data.shape[0]} for argument #2 'targets'{_CHECKING}")
    if data.shape[1] < longest:
        raise RuntimeError(f"Expected tensor to have size at least {longest} at dimension 1, "
                           f"but got size {data.shape[1]} for argument #2 'targets'{_CHECKING}")
    return data[:, :longest]


def _forward_backward(lp, labels, input_lengths, target_lengths, blank, zero_infinity):
    """(nll per sample, d nll / d log_probs) for ``lp`` of shape (T, N, C)."""
    steps, batch, classes = lp.shape
    width = labels.shape[1]
    states = np.full((batch, 2 * width + 1), blank, dtype=np.int64)
    states[:, 1::2] = labels
    n_states = states.shape[1]
    rows = np.arange(batch)
    lattice = np.arange(n_states)
    valid = lattice < 2 * target_lengths[:, None] + 1
    # A label may be reached from two states back unless it repeats or is blank.
    skip = np.zeros((batch, n_states), dtype=bool)
    skip[:, 2:] = (states[:, 2:] != blank) & (states[:, 2:] != states[:, :-2])
    skip_ahead = np.zeros_like(skip)
    skip_ahead[:, :-2] = skip[:, 2:]
    emit = lp[:, rows[:, None], states]  # (T, N, S): log p of each state's label
    neg_inf = lp.dtype.type(-np.inf)

    alpha = np.full((steps, batch, n_states), neg_inf, dtype=lp.dtype)
    alpha[0, :, 0] = emit[0, :, 0]
    if n_states > 1:
        alpha[0, :, 1] = np.where(target_lengths > 0, emit[0, :, 1], neg_inf)
    for t in range(1, steps):
        prev = alpha[t - 1]
        summed = _logsumexp(prev, _shift(prev, 1), np.where(skip, _shift(prev, 2), neg_inf))
        alpha[t] = np.where(valid, summed + emit[t], neg_inf)

    last = np.maximum(input_lengths - 1, 0)
    end = 2 * target_lengths
    final = alpha[last, rows]
    before_end = np.where(target_lengths > 0, final[rows, np.maximum(end - 1, 0)], neg_inf)
    nll = -_logsumexp(final[rows, end], before_end)

    beta = np.full_like(alpha, neg_inf)
    ends = (lattice == end[:, None]) | ((lattice == end[:, None] - 1) & (end[:, None] > 0))
    for t in range(steps - 1, -1, -1):
        start = np.where(ends, emit[t], neg_inf)
        if t < steps - 1:
            nxt = beta[t + 1]
            summed = _logsumexp(nxt, _shift(nxt, -1), np.where(skip_ahead, _shift(nxt, -2),
                                                                 neg_inf))
            inner = np.where(valid, summed + emit[t], neg_inf)
        else:
            inner = start
        beta[t] = np.where((t == last)[:, None], start,
                           np.where((t < last)[:, None], inner, neg_inf))

    # log of the sum of alpha * beta over the states of each class, per (t, n).
    both = alpha + beta
    top = both.max(2, keepdims=True)
    top = np.where(np.isneginf(top), 0, top)
    flat = ((np.arange(steps)[:, None, None] * batch + rows[:, None]) * classes + states)
    sums = np.bincount(flat.reshape(-1), np.exp(both - top).reshape(-1),
                       minlength=steps * batch * classes).reshape(steps, batch, classes)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_ab = (np.log(sums) + top).astype(lp.dtype)
        coefficient = np.exp(lp) - np.exp(log_ab + nll[:, None] - lp)
    coefficient[np.arange(steps)[:, None] >= input_lengths] = 0
    if zero_infinity:
        coefficient[:, np.isinf(nll)] = 0
    return nll.astype(lp.dtype), coefficient


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """The CTC loss of ``log_probs`` (``(T, N, C)`` or unbatched ``(T, C)``) for
    ``targets`` (padded ``(N, S)`` or concatenated)."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_probs._data.dtype.kind != "f":
        raise NotImplementedError(f'"ctc_loss_cpu" not implemented for '
                                  f"'{_scalar_name(log_probs)}'")
    # Unbatched input is a batch of one, as in PyTorch (the graph shows the unsqueeze).
    unbatched = log_probs.dim() == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        targets = targets.unsqueeze(0)
    lp = log_probs._data
    steps, batch, classes = lp.shape
    input_lengths = _lengths(input_lengths, "input_lengths", batch)
    target_lengths = _lengths(target_lengths, "target_lengths", batch)
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    for name, lengths, most in (("input_lengths", input_lengths, steps),
                                ("target_lengths", target_lengths, None)):
        if lengths.size and lengths.min() < 0:
            raise RuntimeError(f"Expected {name} to have value at least 0, but got value "
                               f"{lengths.min()}{_CHECKING}")
        if most is not None and lengths.size and lengths.max() > most:
            raise RuntimeError(f"Expected {name} to have value at most {most}, but got value "
                               f"{lengths.max()}{_CHECKING}")
    labels = _padded_targets(targets, target_lengths, batch)
    nll, coefficient = _forward_backward(lp, labels, input_lengths, target_lengths, blank,
                                         zero_infinity)
    result = wrap(nll)
    if _state.enabled and log_probs._requires_grad:
        record(CtcLossBackward0, result, (log_probs,), coefficient)
    if zero_infinity:
        result = selection.where(result == np.inf, wrap(np.zeros((), nll.dtype)), result)
    if reduction == "mean":
        divisor = wrap(np.maximum(target_lengths, 1).astype(nll.dtype))
        return (result / divisor).mean()
    if reduction == "sum":
        return result.sum()
    return result.squeeze(0) if unbatched else result


def _scalar_name(t):
    name = repr(t.dtype)[6:]
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(name, name)
