"""Loss functions of ``nn.functional``: the regression and pointwise ones here, the
classification ones (``nll_loss``, ``cross_entropy``, the margin losses over class indices)
in ``_classification_loss``, the ``torch.<name>`` ones in ``ops.loss``.

Losses with a PyTorch grad_fn of their own (``MseLossBackward0``, ``SmoothL1LossBackward0``)
are single ops here, reduction included, and those PyTorch builds from other ops
(``l1_loss`` is ``(input - target).abs().mean()``) are built from the same ops, so the graph
reads as PyTorch's.
"""

import math
import warnings

import numpy as np

from ... import ops
from ..._creation import ones_like
from ..._tensor import Tensor
from ...autograd import grad_mode
from ...ops import loss as _torch_loss
from ...ops._dispatch import Op, _state, plain_arrays, record, wrap
from ...ops.distance import pairwise_distance
from ._activation import logsigmoid
from ._classification_loss import *  # noqa: F401,F403
from ._classification_loss import __all__ as _classification_all
from ._classification_loss import enum_reduction, not_differentiable

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "soft_margin_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
           "poisson_nll_loss", "gaussian_nll_loss", "margin_ranking_loss",
           "hinge_embedding_loss", "cosine_embedding_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss", "multilabel_soft_margin_loss",
           *_classification_all]


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
        if data.size:
            return np.asarray(np.add.reduce(data, axis=None) / data.dtype.type(data.size),
                              dtype=data.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):  # the mean of nothing is nan
            return np.asarray(np.add.reduce(data, axis=None) / data.dtype.type(0),
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
        if plain_arrays(grad, input, target):
            g = (input._data - target._data) * input._data.dtype.type(scale)
            g *= grad._data
            g = wrap(g)
            return (g if self.needs_input_grad(0) else None,
                    wrap(-g._data) if self.needs_input_grad(1) else None)
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


# -- smooth L1, Huber, soft margin: one op each ----------------------------------------------


def _scaled_grad(grad, input, reduction):
    return grad / max(input.numel(), 1) if reduction == "mean" else grad


class SmoothL1LossBackward0(Op):
    """|d| < beta: d^2 / (2 beta), else |d| - beta / 2, with d = input - target"""
    __slots__ = ()
    saves = (0, 1)
    formula = "d/dx = clamp(d / beta, -1, 1); the gradient for the target is its negation"

    def backward(self, grad):
        input, target = self.saved_tensors
        reduction, beta = self.ctx
        g = _scaled_grad(grad, input, reduction) * ((input - target) / beta).clamp(-1, 1)
        return (g if self.needs_input_grad(0) else None,
                -g if self.needs_input_grad(1) else None)


class HuberLossBackward0(Op):
    """|d| < delta: d^2 / 2, else delta (|d| - delta / 2), with d = input - target"""
    __slots__ = ()
    saves = (0, 1)
    formula = "d/dx = clamp(d, -delta, delta); the gradient for the target is its negation"

    def backward(self, grad):
        input, target = self.saved_tensors
        reduction, delta = self.ctx
        g = _scaled_grad(grad, input, reduction) * (input - target).clamp(-delta, delta)
        return (g if self.needs_input_grad(0) else None,
                -g if self.needs_input_grad(1) else None)


def _floating_pair(input, target, kernel):
    a, b, dtype, _ = ops._dispatch.promote_operands(input, target)
    if not dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{dtype._legacy_name[:-len('Tensor')]}'")
    return a, b, dtype


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Squared error below ``beta``, absolute error above (``beta=0`` is ``l1_loss``)."""
    input, target, reduction = _loss_inputs(input, target, size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    a, b, _ = _floating_pair(input, target, "smooth_l1_cpu")
    distance = np.abs(a - b)
    beta_ = distance.dtype.type(beta)
    loss = np.where(distance < beta_, 0.5 * distance * distance / beta_, distance - 0.5 * beta_)
    out = wrap(_reduce(loss.astype(distance.dtype, copy=False), reduction))
    if _state.enabled and (input._requires_grad or target._requires_grad):
        record(SmoothL1LossBackward0, out, (input, target), (reduction, beta))
    return out


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Squared error below ``delta``, ``delta`` times the absolute error above."""
    original = input
    input, target, _ = _loss_inputs(input, target, None, None, reduction)
    if weight is not None:
        if weight._data.shape != original._data.shape:
            raise ValueError("Weights and input must have the same size.")
        weighted = huber_loss(input, target, "none", delta) * weight
        if reduction == "none":
            return weighted
        if reduction == "sum":
            return weighted.sum()
        if reduction == "mean":
            return weighted.mean()
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', "
                         "'mean', 'sum'.")
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if input._data.dtype.kind not in "fc":
        _floating_pair(input, input, "huber_cpu")
    a, b, _ = _floating_pair(input, target, "huber_cpu")
    distance = np.abs(a - b)
    delta_ = distance.dtype.type(delta)
    loss = np.where(distance < delta_, 0.5 * distance * distance,
                    delta_ * (distance - 0.5 * delta_)).astype(input._data.dtype, copy=False)
    out = wrap(_reduce(loss, reduction))
    if _state.enabled and (input._requires_grad or target._requires_grad):
        record(HuberLossBackward0, out, (input, target), (reduction, delta))
    return out


class SoftMarginLossBackward0(Op):
    """log(1 + exp(-target * input))"""
    __slots__ = ()
    saves = (0, 1)
    formula = "d/dx = -y sigmoid(-y x)"

    def backward(self, grad):
        input, target = self.saved_tensors
        grad = _scaled_grad(grad, input, self.ctx)
        return -target * (-target * input).sigmoid() * grad, None


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """The two-class logistic loss, ``log(1 + exp(-y x))``, for targets of 1 and -1."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    enum_reduction(reduction)
    not_differentiable("soft_margin_loss", "target", target)
    a, b, dtype, _ = ops._dispatch.promote_operands(input, target, float_result=True)
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f"result type {dtype._legacy_name[:-len('Tensor')]} can't be cast to "
                           f"the desired output type "
                           f"{input.dtype._legacy_name[:-len('Tensor')]}")
    shape = _broadcast(input, target)
    if shape != input._data.shape:
        raise RuntimeError(f"output with shape {list(input.shape)} doesn't match the broadcast "
                           f"shape {list(shape)}")
    with np.errstate(over="ignore"):
        loss = np.log1p(np.exp(-b * a)).astype(input._data.dtype, copy=False)
    out = wrap(_reduce(loss, reduction))
    if _state.enabled and input._requires_grad:
        record(SoftMarginLossBackward0, out, (input, target), reduction)
    return out


# -- binary cross entropy --------------------------------------------------------------------

_EPSILON = 1e-12


class BinaryCrossEntropyBackward0(Op):
    """-w [y log(x) + (1 - y) log(1 - x)], each log clamped at -100"""
    __slots__ = ()
    saves = (0, 1, 2)
    formula = "d/dx = w (x - y) / max(x (1 - x), 1e-12); d/dy = w (log(1 - x) - log(x))"

    def backward(self, grad):
        input, target, weight = self.saved_tensors
        grad = _scaled_grad(grad, input, self.ctx)
        if weight is not None:
            grad = grad * weight
        grad_input = grad_target = None
        if self.needs_input_grad(0):
            grad_input = grad * (input - target) / ((1 - input) * input).clamp_min(_EPSILON)
        if self.needs_input_grad(1):
            grad_target = grad * ((-input).log1p() - input.log())
        return grad_input, grad_target, None


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """Cross entropy between probabilities ``input`` and binary (or soft) ``target``."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    enum_reduction(reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")
    if weight is not None:
        weight = weight.expand(ops.shape.broadcast_shapes(target.shape, weight.shape))
        not_differentiable("binary_cross_entropy", "weight", weight)
    x, y = input._data, target._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"binary_cross_entropy\" not implemented for "
                                  f"'{input.dtype._legacy_name[:-len('Tensor')]}'")
    if y.dtype != x.dtype:
        raise RuntimeError(f"Found dtype {target.dtype._legacy_name[:-len('Tensor')]} but "
                           f"expected {input.dtype._legacy_name[:-len('Tensor')]}")
    if not ((x >= 0) & (x <= 1)).all():
        raise RuntimeError("all elements of input should be between 0 and 1")
    floor = x.dtype.type(-100)
    with np.errstate(divide="ignore"):
        loss = ((y - 1) * np.maximum(np.log(1 - x), floor) - y * np.maximum(np.log(x), floor))
    if weight is not None:
        loss = (loss * weight._data).astype(x.dtype, copy=False)
    out = wrap(_reduce(loss, reduction))
    if _state.enabled and (input._requires_grad or target._requires_grad):
        record(BinaryCrossEntropyBackward0, out, (input, target, weight), reduction)
    return out


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """``binary_cross_entropy(sigmoid(input), target)`` computed stably, as one op."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    code = enum_reduction(reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    return _torch_loss.binary_cross_entropy_with_logits(input, target, weight, pos_weight, code)


# -- distributions: KL divergence, Poisson and Gaussian likelihoods --------------------------


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL(target || exp(input)) pointwise; ``batchmean`` divides the sum by the batch size."""
    if size_average is not None or reduce is not None:
        code = enum_reduction(_legacy_reduction(size_average, reduce))
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                          "the support size.'batchmean' divides only by the batch size, and "
                          "aligns with the KL div math definition.'mean' will be changed to "
                          "behave the same as 'batchmean' in the next major release.",
                          UserWarning, stacklevel=2)
        code = 2 if reduction == "batchmean" else enum_reduction(reduction)
    reduced = _torch_loss.kl_div(input, target, code, log_target=log_target)
    if reduction == "batchmean" and input.dim() != 0:
        reduced = reduced / input.shape[0]
    return reduced


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """The negative log likelihood of ``target`` under a Poisson of rate ``input``."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    return _torch_loss.poisson_nll_loss(input, target, log_input, full, eps,
                                        enum_reduction(reduction))


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """The negative log likelihood of ``target`` under a Gaussian of mean ``input`` and
    variance ``var`` (clamped below at ``eps``, outside the graph)."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * ones_like(input)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            # One dimension short: one variance for all of the last dimension.
            var = var.unsqueeze(-1)
        elif not (input.dim() == var.dim()
                  and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with grad_mode.no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


# -- margin and embedding losses -------------------------------------------------------------


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """``max(0, -target * (input1 - input2) + margin)``: rank input1 above input2 where
    target is 1."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    code = enum_reduction(reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.shape}, input2: {input2.shape}, "
                           f"target: {target.shape} ")
    return _torch_loss.margin_ranking_loss(input1, input2, target, margin, code)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """``input`` where target is 1, ``max(0, margin - input)`` where it is -1."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    return _torch_loss.hinge_embedding_loss(input, target, margin, enum_reduction(reduction))


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """``1 - cos`` where target is 1, ``max(0, cos - margin)`` where it is -1."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    return _torch_loss.cosine_embedding_loss(input1, input2, target, margin,
                                             enum_reduction(reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))`` with the p-norm distance."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    code = enum_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return _torch_loss.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, code)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """The triplet loss with any distance (``pairwise_distance`` by default)."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) != 1:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {dims[0]}D, "
                           f"positive {dims[1]}D, and negative {dims[2]}D inputs")
    if distance_function is None:
        distance_function = pairwise_distance
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        dist_neg = ops.selection.minimum(dist_neg, distance_function(positive, negative))
    loss = ops.selection.clamp_min(margin + dist_pos - dist_neg, 0)
    if reduction == "sum":
        return loss.sum()
    return loss.mean() if reduction == "mean" else loss


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """The mean over classes of the binary logistic loss of each class."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.shape[class_dim]
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")
