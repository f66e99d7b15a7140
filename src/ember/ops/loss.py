"""The losses PyTorch exposes as ``torch.<name>``: ``binary_cross_entropy_with_logits``,
``kl_div``, ``cosine_embedding_loss``, ``margin_ranking_loss``, ``hinge_embedding_loss``,
``poisson_nll_loss``, ``triplet_margin_loss``. ``reduction`` is PyTorch's enum here:
0 'none', 1 'mean', 2 'sum' (``nn.functional`` maps the strings).

All but the first are composites in PyTorch's C++ (``aten/native/Loss.cpp``), built here
from the same ops so that the graph reads the same. C++ arithmetic with a number runs the
``Scalar`` overloads, whose nodes carry another digit (``margin + d`` is ``AddBackward1``,
``2 * x`` is ``MulBackward1``); Python never reaches those overloads, so their nodes are
built by ``ops._scalar_ops``. ``pairwise_distance``, with its ``NormBackward1``, is in
``ops.distance``; ``kl_div`` uses ``xlogy`` from ``ops.pointwise_extras``.
"""

import math

import numpy as np

from ._dispatch import Op, _state, promote_operands, record, wrap
from ._scalar_ops import add_scalar, mul_scalar, rsub_scalar, sub_scalar
from .distance import pairwise_distance
from .pointwise import eq, le, ne
from .pointwise_extras import xlogy
from .selection import clamp_min, minimum, where

__all__ = ["binary_cross_entropy_with_logits", "kl_div", "cosine_embedding_loss",
           "margin_ranking_loss", "hinge_embedding_loss", "poisson_nll_loss",
           "triplet_margin_loss"]
FUNCTION_ONLY = list(__all__)

MEAN, SUM = 1, 2


def apply_loss_reduction(loss, reduction):
    """PyTorch's ``apply_loss_reduction``: ``mean()``, ``sum()`` or the loss itself."""
    if reduction == MEAN:
        return loss.mean()
    if reduction == SUM:
        return loss.sum()
    return loss


# -- binary_cross_entropy_with_logits ------------------------------------------------------


class BinaryCrossEntropyWithLogitsBackward0(Op):
    """w [(1 - y) x + (1 + (pw - 1) y) softplus(-x)], reduced"""
    saves = (0, 1, 2, 3)
    formula = ("d/dx = w ((pw y + 1 - y) sigmoid(x) - pw y); "
               "d/dy = w ((pw - 1) softplus(-x) - x)")

    def backward(self, grad):
        input, target, weight, pos_weight = self.saved_tensors
        if self.ctx == MEAN:
            grad = grad / max(input.numel(), 1)
        if weight is not None:
            grad = grad * weight
        grad_input = grad_target = None
        if self.needs_input_grad(0):
            if pos_weight is None:
                grad_input = (input.sigmoid() - target) * grad
            else:
                scaled = pos_weight * target
                grad_input = ((scaled + 1 - target) * input.sigmoid() - scaled) * grad
        if self.needs_input_grad(1):
            if pos_weight is None:
                grad_target = -input * grad
            else:
                grad_target = ((pos_weight - 1) * _softplus(-input) - input) * grad
        return grad_input, grad_target, None, None


def _softplus(x):
    """log(1 + exp(x)) without overflow, in ember ops: max(x, 0) + log1p(exp(-|x|))."""
    return clamp_min(x, 0) + (-x.abs()).exp().log1p()


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=MEAN):
    for name, t in (("weight", weight), ("pos_weight", pos_weight)):
        if t is not None and t._requires_grad and _state.enabled:
            raise RuntimeError(f"The function 'binary_cross_entropy_with_logits' is not "
                               f"differentiable with respect to argument '{name}'. This input "
                               "cannot have requires_grad True.")
    x, y, dtype, _ = promote_operands(input, target)
    softplus_neg = np.logaddexp(x.dtype.type(0), -x)
    if pos_weight is None:
        loss = (1 - y) * x + softplus_neg
    else:
        pw = pos_weight._data
        loss = (1 - y) * x + ((pw - 1) * y + 1) * softplus_neg
    if weight is not None:
        loss = loss * weight._data
    loss = loss.astype(dtype.np, copy=False)
    if reduction == MEAN:
        loss = np.mean(loss, dtype=loss.dtype) if loss.size else np.array(np.nan, loss.dtype)
    elif reduction == SUM:
        loss = loss.sum(dtype=loss.dtype)
    out = wrap(loss)
    if _state.enabled and (input._requires_grad or target._requires_grad):
        record(BinaryCrossEntropyWithLogitsBackward0, out, (input, target, weight, pos_weight),
               reduction)
    return out


# -- kl_div --------------------------------------------------------------------------------


def kl_div(input, target, reduction=MEAN, *, log_target=False):
    if input._data.dtype.kind in "biu" or target._data.dtype.kind in "biu":
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        output = target.exp() * (target - input)
    else:
        output = xlogy(target, target) - target * input
    return apply_loss_reduction(output, reduction)


# -- margin and embedding losses -----------------------------------------------------------


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=MEAN):
    output = clamp_min(add_scalar(-target * (input1 - input2), margin), 0)
    return apply_loss_reduction(output, reduction)


_EPSILON = 1e-12


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=MEAN):
    target_dim = target.dim()
    if target_dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    wanted = 2 if target_dim == 1 else 1
    if input1.dim() != wanted:
        raise RuntimeError(f"{target_dim}D target tensor expects {wanted}D input tensors, but "
                           f"found inputs with sizes {list(input1.shape)} and "
                           f"{list(input2.shape)}.")
    prod_sum = (input1 * input2).sum(target_dim)
    mag_square1 = add_scalar((input1 * input1).sum(target_dim), _EPSILON)
    mag_square2 = add_scalar((input2 * input2).sum(target_dim), _EPSILON)
    cos = prod_sum / (mag_square1 * mag_square2).sqrt()
    zeros = wrap(np.zeros_like(cos._data))
    positive = rsub_scalar(1, cos)
    negative = clamp_min(sub_scalar(cos, margin), 0)
    output = where(eq(target, 1), positive, zeros) + where(eq(target, -1), negative, zeros)
    return apply_loss_reduction(output, reduction)


def hinge_embedding_loss(input, target, margin=1.0, reduction=MEAN):
    zeros = wrap(np.zeros_like(input._data))
    margin_clamp = clamp_min(rsub_scalar(margin, input), 0)
    output = where(ne(target, 1), margin_clamp, zeros) + where(ne(target, -1), input, zeros)
    return apply_loss_reduction(output, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False,
                        reduction=MEAN):
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) != 1:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {dims[0]}D, "
                           f"positive {dims[1]}D, and negative {dims[2]}D inputs")
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    output = clamp_min(add_scalar(dist_pos, margin) - dist_neg, 0)
    return apply_loss_reduction(output, reduction)


# -- poisson_nll_loss ----------------------------------------------------------------------


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * add_scalar(input, eps).log()
    if full:
        stirling = (target * target.log() - target
                    + mul_scalar(mul_scalar(target, 2 * math.pi).log(), 0.5))
        loss = loss + stirling.masked_fill(le(target, 1), 0)
    return apply_loss_reduction(loss, reduction)
