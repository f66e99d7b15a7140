"""``nn.functional``: stateless layer functions and losses.

Losses with a PyTorch grad_fn of their own (``MseLossBackward0``) are single ops here, so
the graph reads as PyTorch's.
"""

import numpy as np

from .. import ops
from .._tensor import Tensor
from ..ops._dispatch import Op, _state, record, wrap
from ..ops.linalg import addmm

__all__ = ["linear", "relu", "sigmoid", "tanh", "mse_loss", "l1_loss"]


def linear(input, weight, bias=None):
    """``input @ weight.T + bias``; 2-D input is one ``addmm``, as in PyTorch."""
    weight_t = weight.t()
    if input.dim() == 2 and bias is not None:
        return addmm(bias, input, weight_t)
    if input.dim() >= 2 and bias is not None:
        lead = input.shape[:-1]
        flat = input.reshape(-1, input.shape[-1])
        return addmm(bias, flat, weight_t).view(*lead, weight.shape[0])
    if input.dim() == 1 and bias is not None:
        return addmm(bias, input.unsqueeze(0), weight_t).view(weight.shape[0])
    return input.matmul(weight_t)


relu = ops.unary.relu
sigmoid = ops.unary.sigmoid
tanh = ops.unary.tanh


_REDUCTIONS = ("none", "mean", "sum")


def _reduction(size_average, reduce, reduction):
    """Legacy ``size_average``/``reduce`` flags mapped to ``reduction``, as PyTorch does."""
    if size_average is None and reduce is None:
        if reduction not in _REDUCTIONS:
            raise ValueError(f"{reduction} is not a valid value for reduction")
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _reduce(data, reduction):
    if reduction == "mean":
        return np.asarray(np.add.reduce(data, axis=None) / data.dtype.type(max(data.size, 1)),
                          dtype=data.dtype)
    if reduction == "sum":
        return np.asarray(data.sum(dtype=data.dtype))
    return data


class _PointwiseLoss(Op):
    """Derivative shared by pointwise losses: d loss/d input = local * (1/N for mean)."""
    saves = (0, 1)

    def backward(self, grad):
        input, target = self.saved_tensors
        scale = 1.0 / max(input._data.size, 1) if self.ctx == "mean" else 1.0
        g = grad * self.local_grad(input, target, scale)
        return (g if self.needs_input_grad(0) else None,
                -g if self.needs_input_grad(1) else None)


class MseLossBackward0(_PointwiseLoss):
    __slots__ = ()
    formula = "d mean((x-y)^2)/dx = 2(x-y)/N"

    @staticmethod
    def local_grad(input, target, scale):
        return (input - target) * (2.0 * scale)


class L1LossBackward0(_PointwiseLoss):
    __slots__ = ()
    formula = "d mean|x-y|/dx = sign(x-y)/N"

    @staticmethod
    def local_grad(input, target, scale):
        sign = (input - target).sign()
        return sign * scale if scale != 1.0 else sign


def _pointwise_loss(cls, elementwise, input, target, size_average, reduce, reduction):
    reduction = _reduction(size_average, reduce, reduction)
    if not isinstance(target, Tensor):
        raise TypeError(f"{cls.__name__[:-9].lower()}(): argument 'target' must be Tensor, not "
                        f"{type(target).__name__}")
    if input._data.shape != target._data.shape:
        import warnings
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", UserWarning, stacklevel=3)
        input, target = ops.shape.expand(input, _broadcast(input, target)), \
            ops.shape.expand(target, _broadcast(input, target))
    a, b, _, _ = ops._dispatch.promote_operands(input, target)
    out = wrap(_reduce(elementwise(a, b), reduction))
    if _state.enabled and (input._requires_grad or target._requires_grad):
        record(cls, out, (input, target), reduction)
    return out


def _broadcast(a, b):
    try:
        return np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise ops._dispatch.broadcast_error(a._data.shape, b._data.shape) from None


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    if weight is not None:
        raise NotImplementedError("ember does not support mse_loss(weight=) yet")
    return _pointwise_loss(MseLossBackward0, lambda a, b: np.square(a - b), input, target,
                           size_average, reduce, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    if weight is not None:
        raise NotImplementedError("ember does not support l1_loss(weight=) yet")
    return _pointwise_loss(L1LossBackward0, lambda a, b: np.abs(a - b), input, target,
                           size_average, reduce, reduction)
