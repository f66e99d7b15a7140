"""Ops that pick between values: maximum, minimum, where, clamp."""

import numpy as np

from .._tensor import Tensor
from ._dispatch import Op, _state, as_tensor_operand, binary, promote_operands, record, wrap


class MaximumBackward0(Op):
    saves = (0, 1)
    formula = "d max(a,b)/da = 1 where a > b (1/2 on ties), else 0"

    @staticmethod
    def forward(a, b):
        return np.maximum(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return _split_ties(grad, a > b, a == b)


class MinimumBackward0(Op):
    saves = (0, 1)
    formula = "d min(a,b)/da = 1 where a < b (1/2 on ties), else 0"

    @staticmethod
    def forward(a, b):
        return np.minimum(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return _split_ties(grad, a < b, a == b)


def _split_ties(grad, first_wins, tie):
    # PyTorch splits the gradient evenly between equal inputs.
    half = grad * 0.5
    ga = grad.masked_fill(~first_wins, 0) + half.masked_fill(~tie, 0)
    gb = grad.masked_fill(first_wins | tie, 0) + half.masked_fill(~tie, 0)
    return ga, gb


maximum = binary(MaximumBackward0)
minimum = binary(MinimumBackward0)


class WhereBackward0(Op):
    formula = "d where(c, a, b)/da = c, /db = not c"

    def backward(self, grad):
        condition = self.ctx
        return grad.masked_fill(~condition, 0), grad.masked_fill(condition, 0)


def where(condition, input=None, other=None):
    if input is None and other is None:
        from .. import nonzero
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor) or condition._data.dtype != np.bool_:
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {getattr(condition, 'dtype', None)}")
    if not isinstance(input, Tensor):
        if not isinstance(other, Tensor):
            input = as_tensor_operand(input, _scalar_dtype(input))
        else:
            input, other = other, input
            swapped = True
    swapped = locals().get("swapped", False)
    a, b, dtype, other_t = promote_operands(input, other)
    if other_t is None:
        other_t = as_tensor_operand(other, dtype)
    if swapped:
        a, b, input, other_t = b, a, other_t, input
    try:
        data = np.where(condition._data, a, b)
    except ValueError:
        from ._dispatch import broadcast_error
        raise broadcast_error(np.shape(a), np.shape(b)) from None
    out = wrap(np.asarray(data, dtype.np))
    if _state.enabled and (input._requires_grad or other_t._requires_grad):
        record(WhereBackward0, out, (input, other_t), condition)
    return out


def _scalar_dtype(value):
    from .._dtype import scalar_dtype
    return scalar_dtype(value)


class ClampBackward1(Op):
    saves = (0,)
    formula = "d clamp(a)/da = 1 inside [min, max], else 0"

    def backward(self, grad):
        (a,) = self.saved_tensors
        low, high = self.ctx
        inside = a == a
        if low is not None:
            inside = inside & (a >= low)
        if high is not None:
            inside = inside & (a <= high)
        return grad.masked_fill(~inside, 0)


def clamp(input, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = input
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return out
    data = input._data
    if data.dtype.kind in "biu" and (isinstance(min, float) or isinstance(max, float)):
        data = data.astype(np.float32)
    out = wrap(np.clip(data, min, max).astype(data.dtype, copy=False))
    if _state.enabled and input._requires_grad:
        record(ClampBackward1, out, (input,), (min, max))
    return out


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


__all__ = ["maximum", "minimum", "where", "clamp", "clamp_min", "clamp_max"]
ALIASES = {"clip": clamp}
INPLACE = {"clamp_": clamp, "clamp_min_": clamp_min, "clamp_max_": clamp_max, "clip_": clamp}
