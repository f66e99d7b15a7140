"""Classification losses over class indices: ``nll_loss``, ``cross_entropy`` (class
indices or class probabilities, ``label_smoothing``), ``multi_margin_loss`` and
``multilabel_margin_loss``; ``_loss`` re-exports them.

``nll_loss`` is one op: ``NllLossBackward0`` for 1-D/2-D input, ``NllLoss2DBackward0`` for
4-D; other ranks are viewed as 4-D ``(N, C, 1, -1)``, as PyTorch's ``nll_loss_nd`` does, so
the graph gains the same ``ViewBackward0`` nodes. ``cross_entropy`` is ``log_softmax`` then
``nll_loss``. Each derivative here is the upstream gradient times a constant array (for
nll_loss, -weight / total weight at each target's position): one multiplication, linear in
the gradient, so nll_loss is differentiable twice. The margin losses' derivatives are not
differentiable in PyTorch, and raise its error when differentiated under create_graph.
"""

import numpy as np

from ...ops._dispatch import Op, _state, record, wrap
from ...ops._scalar_ops import add_scalar, div_scalar, mul_scalar
from ...ops.pointwise import NotImplementedBackward, eq
from ...ops.softmax import log_softmax
from . import _loss

__all__ = ["nll_loss", "cross_entropy", "multi_margin_loss", "multilabel_margin_loss"]

_ENUM = {"none": 0, "mean": 1, "sum": 2}
NONE, MEAN, SUM = 0, 1, 2


def enum_reduction(reduction):
    """PyTorch's ``_Reduction.get_enum``: 0 'none', 1 'mean', 2 'sum'."""
    code = _ENUM.get(reduction) if isinstance(reduction, str) else None
    if code is None:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return code


def not_differentiable(function, argument, tensor):
    """PyTorch's error for a tensor argument its derivative ignores, when it needs grad."""
    if tensor is not None and tensor._requires_grad and _state.enabled:
        raise RuntimeError(f"The function '{function}' is not differentiable with respect to "
                           f"argument '{argument}'. This input cannot have requires_grad True.")


def _reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        reduction = _loss._legacy_reduction(size_average, reduce, stacklevel=4)
    code = _ENUM.get(reduction) if type(reduction) is str else None
    return enum_reduction(reduction) if code is None else code


def _type_name(t):
    return t.dtype._legacy_name[:-len("Tensor")]


def _check_floating(input, kernel):
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_type_name(input)}'")


def _check_same_type(input, other):
    if other is not None and other._data.dtype != input._data.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(input)} but found "
                           f"{_type_name(other)}")


# -- nll_loss --------------------------------------------------------------------------------


class NllLossBackward0(Op):
    """-weight[target] * input[target], summed or averaged over the weights"""
    __slots__ = ()
    saves = (0,)
    formula = "d/dx[n, target_n] = -weight[target_n] (/ total weight for 'mean'), 0 elsewhere"

    def backward(self, grad):
        (input,) = self.saved_tensors
        target, values, reduction = self.ctx
        shape = input._data.shape
        batched = len(shape) > 1
        coefficients = np.zeros(shape if batched else (1,) + shape, dtype=input._data.dtype)
        if not _state.enabled:
            # No graph wanted (the usual backward): fold the gradient into the values.
            values = values * grad._data
        if coefficients.ndim == 2:
            # ``target`` holds flat positions here (see ``_nll``); with no classes every
            # target was ignored and there is nothing to place.
            if coefficients.size:
                coefficients.reshape(-1)[target] = values
        elif coefficients.size:
            np.put_along_axis(coefficients, target[:, None],
                              np.expand_dims(values, 1) if np.ndim(values) else values, axis=1)
        result = wrap(coefficients if batched else coefficients[0])
        if not _state.enabled:
            return result
        # create_graph: the gradient stays a function of ``grad`` (linear in it).
        return (grad.unsqueeze(1) if reduction == NONE and batched else grad) * result


class NllLoss2DBackward0(NllLossBackward0):
    __slots__ = ()


def _nll(cls, input, target, weight, reduction, ignore_index):
    """The loss over input ``(N, C, *)`` (or ``(C,)``) and target ``(N, *)`` (or ``()``)."""
    data, t = input._data, target._data
    if data.dtype.kind != "f":
        _check_floating(input, "nll_loss2d_forward_out_frame" if cls is NllLoss2DBackward0
                        else "nll_loss_out_frame")
    if t.dtype != np.int64:
        if t.dtype != np.uint8:
            raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                               f"{_type_name(target)}")
        t = t.astype(np.int64)
    if weight is not None:
        _check_same_type(input, weight)
        not_differentiable("nll_loss2d_forward" if cls is NllLoss2DBackward0
                           else "nll_loss_forward", "weight", weight)
    batched = data.ndim > 1
    x = data if batched else data[None]
    dtype = x.dtype
    classes = x.shape[1]
    if t.ndim != x.ndim - 1:
        t = t.reshape((x.shape[0],) + x.shape[2:])
    # One reduction decides the common case: every target a class (negatives wrap to huge
    # unsigned values) and ignore_index not a class, so none is ignored.
    if (not 0 <= ignore_index < classes
            and (not t.size or np.maximum.reduce(t.view(np.uint64), axis=None) < classes)):
        valid, all_valid, safe = None, True, t
    else:
        valid = t != ignore_index
        all_valid = bool(valid.all())
        safe = t if all_valid else np.where(valid, t, 0)
        out_of_bounds = valid & ((t < 0) | (t >= classes))
        if out_of_bounds.any():
            raise IndexError(f"Target {t[out_of_bounds].flat[0]} is out of bounds.")
    if not classes:
        # No classes: the check above let through only ignored targets; nothing to gather.
        position, picked = np.zeros_like(safe), np.zeros(safe.shape, dtype)
    elif x.ndim == 2:
        # Flat positions of the targets: one gather now, one scatter in backward.
        position = np.arange(0, x.size, classes) if classes else np.zeros_like(safe)
        position += safe
        picked = x.take(position)
    else:
        position = safe
        picked = np.take_along_axis(x, safe[:, None], 1)[:, 0]
    if weight is None:
        w = None if all_valid else valid.astype(dtype)
    elif not classes:
        w = np.zeros(safe.shape, dtype)
    else:
        w = weight._data[safe] if all_valid else weight._data[safe] * valid
    losses = -picked if w is None else -(picked * w)
    if not all_valid:
        losses = np.where(valid, losses, dtype.type(0))
    scale = None
    if reduction == NONE:
        result = losses if batched else losses.reshape(())
    elif reduction == SUM:
        result = np.add.reduce(losses, axis=None)
    else:
        scale = dtype.type(losses.size) if w is None else np.add.reduce(w, axis=None)
        # No targets (all ignored, or none at all) give 0 / 0: nan, as in PyTorch.
        result = np.add.reduce(losses, axis=None) / scale if scale else dtype.type(np.nan)
    out = wrap(np.asarray(result, dtype))
    if _state.enabled and input._requires_grad:
        # d loss / d input at each target's position: -w (/ total weight for 'mean').
        values = dtype.type(-1) if w is None else -w
        if scale:
            values = values / scale
        if not all_valid:
            values = np.where(valid, values, dtype.type(0))
        record(cls, out, (input,), (position, values, reduction))
    return out


def _check_weight(weight, classes, message=None):
    if weight is not None and not (weight.dim() == 1 and weight.numel() == classes):
        raise RuntimeError(message or f"weight tensor should be defined either for all "
                           f"{classes} classes or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")


def _nll_nd(input, target, weight, reduction, ignore_index):
    """PyTorch's ``nll_loss_nd``: shape checks, then the 1-D/2-D or the 2-D spatial kernel."""
    shape, target_shape = input._data.shape, target._data.shape
    ndim = len(shape)
    if ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {ndim})")
    target_batch = target_shape[0] if target_shape else 0
    if ndim != 1 and shape[0] != target_batch:
        raise ValueError(f"Expected input batch_size ({shape[0]}) to match target "
                         f"batch_size ({target_batch}).")
    if ndim <= 2:
        if len(target_shape) > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if ndim == 1 and len(target_shape) == 1 and target_shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                             f"{target_shape[0]}")
        if weight is not None:
            _check_weight(weight, shape[-1])
        return _nll(NllLossBackward0, input, target, weight, reduction, ignore_index)
    if ndim == 4:
        if target.dim() != 3:
            raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got "
                               f"targets of dimension: {target.dim()}")
        if tuple(target.shape) != (input.shape[0],) + tuple(input.shape[2:]):
            raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: "
                               f"{list(target.shape)}")
        _check_weight(weight, input.shape[1],
                      "weight tensor should be defined either for all or no classes")
        return _nll(NllLoss2DBackward0, input, target, weight, reduction, ignore_index)
    n, c = input.shape[0], input.shape[1]
    out_size = [n] + list(target.shape[1:])
    if tuple(target.shape[1:]) != tuple(input.shape[2:]):
        raise RuntimeError(f"Expected target size {[n] + list(input.shape[2:])}, got "
                           f"{list(target.shape)}")
    flat = input.contiguous()
    flat = flat.view(n, c, 1, -1) if flat.numel() else flat.view(n, c, 0, 0)
    flat_target = target.contiguous()
    flat_target = flat_target.view(n, 1, -1) if flat_target.numel() else flat_target.view(n, 0, 0)
    _check_weight(weight, c, "weight tensor should be defined either for all or no classes")
    if tuple(flat_target.shape) != (n,) + tuple(flat.shape[2:]):
        # Only when the input is empty and the target is not (PyTorch's 2-D kernel check).
        raise RuntimeError(f"size mismatch (got input: {list(flat.shape)} , target: "
                           f"{list(flat_target.shape)}")
    out = _nll(NllLoss2DBackward0, flat, flat_target, weight, reduction, ignore_index)
    return out.view(out_size) if reduction == NONE else out


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """The negative log likelihood of class indices ``target`` given log-probabilities
    ``input`` (class dimension 1, or 0 for unbatched input)."""
    return _nll_nd(input, target, weight, _reduction(size_average, reduce, reduction),
                   ignore_index)


# -- cross_entropy ---------------------------------------------------------------------------


def _class_shape(input, class_dim, classes):
    shape = [1] * input.dim()
    shape[class_dim] = classes
    return shape


def _probability_targets(input, target, weight, reduction, label_smoothing, class_dim):
    classes = input.shape[class_dim]
    _check_weight(weight, classes, None if weight is None else
                  f"cross_entropy: weight tensor should be defined either for all {classes} "
                  f"classes or no classes but got weight tensor of shape: {list(weight.shape)}")
    log_probabilities = log_softmax(input, class_dim)
    if label_smoothing > 0.0:
        _check_label_smoothing(label_smoothing)
        target = add_scalar(mul_scalar(target, 1 - label_smoothing), label_smoothing / classes)
    product = log_probabilities * target
    if weight is not None:
        product = product * weight.view(_class_shape(input, class_dim, classes))
    if reduction == MEAN:
        with np.errstate(invalid="ignore", divide="ignore"):
            return div_scalar(-product.sum(), log_probabilities.numel() // max(classes, 1))
    if reduction == SUM:
        return -product.sum()
    return -product.sum(class_dim)


def _check_label_smoothing(label_smoothing):
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing:g}")


def _smoothed_class_targets(input, target, weight, reduction, ignore_index, label_smoothing,
                            class_dim):
    classes = input.shape[class_dim]
    log_probabilities = log_softmax(input, class_dim)
    nll = _nll_nd(log_probabilities, target, weight, reduction, ignore_index)
    ignore_mask = eq(target, ignore_index)
    if weight is not None:
        weighted = log_probabilities * weight.view(_class_shape(input, class_dim, classes))
        smooth_loss = -weighted.sum(class_dim)
    else:
        smooth_loss = -log_probabilities.sum(class_dim)
    smooth_loss = smooth_loss.masked_fill(ignore_mask, 0.0)
    if reduction == MEAN:
        if weight is not None:
            kept = target.masked_select(~ignore_mask).flatten()
            smooth_loss = smooth_loss.sum() / weight.gather(0, kept).sum()
        else:
            smooth_loss = smooth_loss.sum() / (~ignore_mask).sum()
    elif reduction == SUM:
        smooth_loss = smooth_loss.sum()
    return (mul_scalar(nll, 1 - label_smoothing)
            + mul_scalar(smooth_loss, label_smoothing / classes))


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """``nll_loss(log_softmax(input, class_dim), target)``; a ``target`` of the input's shape
    holds class probabilities."""
    reduction = _reduction(size_average, reduce, reduction)
    class_dim = 0 if input._data.ndim == 1 else 1
    if input._data.shape == target._data.shape:
        if not target.is_floating_point():
            raise RuntimeError(f"Expected floating point type for target with class "
                               f"probabilities, got {_type_name(target)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _probability_targets(input, target, weight, reduction, label_smoothing,
                                    class_dim)
    if label_smoothing > 0.0:
        _check_label_smoothing(label_smoothing)
        return _smoothed_class_targets(input, target, weight, reduction, ignore_index,
                                       label_smoothing, class_dim)
    return _nll_nd(log_softmax(input, class_dim), target, weight, reduction, ignore_index)


# -- margin losses over class indices --------------------------------------------------------


class _MarginLossBackward(Op):
    """The gradient is precomputed in forward (a constant array times the upstream one);
    PyTorch does not differentiate it again."""
    __slots__ = ()
    saves = (0,)

    def backward(self, grad):
        (input,) = self.saved_tensors
        coefficients, unreduced = self.ctx
        g = grad._data[..., None] if unreduced else grad._data
        out = wrap((g * coefficients).reshape(input._data.shape))
        if _state.enabled and (grad._requires_grad or input._requires_grad):
            record(NotImplementedBackward, out, (grad, input), self._kernel)
        return out


class MultiMarginLossBackward0(_MarginLossBackward):
    __slots__ = ()
    _kernel = "multi_margin_loss_backward"
    formula = "d/dx_j = w_y p max(0, margin - x_y + x_j)^(p-1) / C (j != y), d/dx_y = -sum"


class MultilabelMarginLossBackward0(_MarginLossBackward):
    __slots__ = ()
    _kernel = "multilabel_margin_loss_backward"
    formula = "d/dx_k = #{j: 1 - x_j + x_k > 0} / C (k not a target), d/dx_j = -#{k: ...} / C"


def _check_vector_or_matrix(input):
    ndim = input.dim()
    if not ((ndim == 2 and input.shape[1] != 0) or (ndim == 1 and input.shape[0] != 0)
            or ndim == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: {list(input.shape)}")


def _check_long(target):
    if target._data.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {_type_name(target)}")


def _reduce_rows(losses, reduction, out_shape):
    if reduction == NONE:
        return losses.reshape(out_shape)
    if reduction == SUM:
        return losses.sum(dtype=losses.dtype)
    return losses.mean(dtype=losses.dtype) if losses.size else losses.dtype.type(0)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """The multi-class hinge loss: sum over j != y of max(0, margin - x_y + x_j)^p / C."""
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    _check_vector_or_matrix(input)
    frames = input.shape[0] if input.dim() == 2 else 1
    classes = input.shape[-1] if input.dim() else 1
    if target.dim() > 1 or target.numel() != frames:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to "
                           f"the number of input samples (batch size). Expected target size "
                           f"[{frames}], but got {list(target.shape)}. Input has shape "
                           f"{list(input.shape)}.")
    if weight is not None and weight.numel() != classes:
        raise RuntimeError(f"inconsistent weight size, expected {classes} but got "
                           f"{list(weight.shape)}")
    _check_floating(input, "multi_margin_loss_cpu_kernel")
    _check_long(target)
    _check_same_type(input, weight)
    not_differentiable("multi_margin_loss", "weight", weight)
    x = input._data.reshape(frames, classes)
    t = target._data.reshape(frames)
    if t.size and (t.min() < 0 or t.max() >= classes):
        raise RuntimeError("target out of range")
    rows = np.arange(frames)
    margins = x.dtype.type(margin) - x[rows, t][:, None] + x
    active = margins > 0
    active[rows, t] = False
    scale = np.full((frames, 1), 1 / classes, x.dtype)
    if weight is not None:
        scale = scale * weight._data[t][:, None]
    hinge = np.where(active, margins if p == 1 else margins * margins, x.dtype.type(0)) * scale
    out = wrap(np.asarray(_reduce_rows(hinge.sum(1), reduction, target.shape), x.dtype))
    if _state.enabled and input._requires_grad:
        slopes = np.where(active, x.dtype.type(1) if p == 1 else 2 * margins, 0) * scale
        slopes[rows, t] = -slopes.sum(1)
        if reduction == MEAN:
            slopes /= max(frames, 1)
        record(MultiMarginLossBackward0, out, (input,),
               (slopes if input.dim() == 2 else slopes[0], reduction == NONE and input.dim() == 2))
    return out


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """The multi-label hinge loss: each target class j (listed before the first -1) against
    each other class k, max(0, 1 - x_j + x_k), summed and divided by C."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_vector_or_matrix(input)
    ndim = input.dim()
    frames = input.shape[0] if ndim == 2 else 1
    classes = input.shape[-1] if ndim else 1
    good = (target.dim() <= 1 and target.numel() == classes) if ndim <= 1 else \
        (target.dim() == 2 and tuple(target.shape) == (frames, classes))
    if not good:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    _check_floating(input, "multilabel_margin_loss_forward_out_frame")
    _check_long(target)
    x = input._data.reshape(frames, classes)
    t = target._data.reshape(frames, classes)
    if t.size and (t.min() < -1 or t.max() >= classes):
        raise RuntimeError("argument #2 'target' is out of range")
    listed = np.cumsum(t == -1, axis=1) == 0
    counts = np.zeros((frames, classes), x.dtype)
    np.add.at(counts, (np.nonzero(listed)[0], t[listed]), 1)
    others = counts == 0
    # margins[n, j, k] = 1 - x_j + x_k for target j and non-target k.
    margins = 1 - x[:, :, None] + x[:, None, :]
    active = (margins > 0) & (counts[:, :, None] > 0) & others[:, None, :]
    weights = np.where(active, counts[:, :, None] / x.dtype.type(classes), x.dtype.type(0))
    losses = (margins * weights).sum((1, 2), dtype=x.dtype)
    out = wrap(np.asarray(_reduce_rows(losses, reduction, () if ndim <= 1 else (frames,)),
                          x.dtype))
    if _state.enabled and input._requires_grad:
        slopes = weights.sum(1) - weights.sum(2)
        if reduction == MEAN:
            slopes /= max(frames, 1)
        record(MultilabelMarginLossBackward0, out, (input,),
               (slopes if ndim == 2 else slopes[0], reduction == NONE and ndim == 2))
    return out
