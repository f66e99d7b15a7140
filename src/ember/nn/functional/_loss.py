"""Loss functions of ``nn.functional``.

Losses with a PyTorch grad_fn of their own (``MseLossBackward0``) are single ops here, and
those PyTorch builds from other ops (``l1_loss`` is ``(input - target).abs().mean()``) are
built from the same ops, so the graph reads as PyTorch's.
"""

import warnings

import numpy as np

from ... import ops
from ..._tensor import Tensor
from ...ops._dispatch import Op, _state, record, wrap

__all__ = ["mse_loss", "l1_loss"]


_REDUCTIONS = ("none", "mean", "sum")


def _legacy_reduction(size_average, reduce, stacklevel=3):
    """The ``reduction`` that the deprecated ``size_average``/``reduce`` flags stand for;
    the warning points ``stacklevel`` frames up, at the user's call."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        reduction = "mean"
    elif reduce:
        reduction = "sum"
    else:
        reduction = "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{reduction}' instead.", UserWarning, stacklevel=stacklevel)
    return reduction


def _reduce(data, reduction):
    if reduction == "mean":
        # The mean of nothing is nan, as in PyTorch.
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.add.reduce(data, axis=None) / data.dtype.type(data.size),
                              dtype=data.dtype)
    if reduction == "sum":
        return np.asarray(data.sum(dtype=data.dtype))
    return data


class MseLossBackward0(Op):
    """d mean((x - y)^2)/dx = 2 (x - y) / N; the gradient for y is its negation."""
    __slots__ = ()
    saves = (0, 1)

    def backward(self, grad):
        input, target = self.saved_tensors
        scale = 2.0 / max(input._data.size, 1) if self.ctx == "mean" else 2.0
        g = grad * ((input - target) * scale)
        return (g if self.needs_input_grad(0) else None,
                -g if self.needs_input_grad(1) else None)


def _loss_inputs(input, target, size_average, reduce, reduction):
    """PyTorch's preamble to a pointwise loss: warn on a size mismatch, map the legacy
    flags to ``reduction``, and broadcast input and target to one shape."""
    if not isinstance(target, Tensor):
        raise AttributeError(f"'{type(target).__name__}' object has no attribute 'size'")
    if input._data.shape != target._data.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", UserWarning, stacklevel=3)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, stacklevel=4)
    if input._data.shape != target._data.shape:
        shape = _broadcast(input, target)
        input, target = ops.shape.expand(input, shape), ops.shape.expand(target, shape)
    return input, target, reduction


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _weighted(errors, weight, input, reduction):
    """The loss PyTorch computes in Python when ``weight`` is given."""
    if weight._data.shape != input._data.shape:
        raise ValueError("Weights and input must have the same size.")
    weighted = errors * weight
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean":
        return weighted.sum() / weight.sum()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")


def _broadcast(a, b):
    try:
        return np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise ops._dispatch.broadcast_error(a._data.shape, b._data.shape) from None


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error: one op (``MseLossBackward0``), as in PyTorch."""
    original = input
    input, target, reduction = _loss_inputs(input, target, size_average, reduce, reduction)
    if weight is not None:
        return _weighted((input - target).pow(2), weight, original, reduction)
    _check_reduction(reduction)
    a, b, dtype, _ = ops._dispatch.promote_operands(input, target)
    if not (dtype.is_floating_point or dtype.is_complex):
        raise NotImplementedError(f"\"mse_cpu\" not implemented for "
                                  f"'{dtype._legacy_name[:-len('Tensor')]}'")
    diff = a - b
    out = wrap(_reduce(diff * diff, reduction))
    if _state.enabled and (input._requires_grad or target._requires_grad):
        record(MseLossBackward0, out, (input, target), reduction)
    return out


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error, composite as in PyTorch: ``(input - target).abs()``, reduced."""
    original = input
    input, target, reduction = _loss_inputs(input, target, size_average, reduce, reduction)
    if weight is not None:
        return _weighted((input - target).abs(), weight, original, reduction)
    _check_reduction(reduction)
    errors = (input - target).abs()
    if reduction == "mean":
        return errors.mean()
    return errors.sum() if reduction == "sum" else errors
