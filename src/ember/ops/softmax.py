"""softmax, log_softmax and logsumexp, computed stably (shifted by the slice's maximum).

``dtype=`` casts the input first, so the graph gains a ``ToCopyBackward0`` as in PyTorch.
float16 is computed in float32 and rounded once at the end, as PyTorch does.
"""

import numpy as np

from .. import _dtype
from .._tensor import _wrap_dim
from ._dispatch import Op, _state, record, wrap
from .reduction import accumulator_dtype, normalize_dims, restore_dims
from .unary import not_implemented_for


def _shifted(data, axis, finite=False):
    """``data`` minus its maximum along ``axis``; with ``finite`` an infinite maximum shifts
    by 0 (logsumexp's rule; softmax lets inf - inf make its slice nan, as PyTorch does)."""
    if data.ndim == 2 and axis == 1 and data.shape[1]:
        # Rows (a classifier's logits): argmax and one gather beat ``np.maximum.reduce``
        # over short rows ~3x; the result is the same (a nan row picks a nan; a +0 or -0
        # maximum only changes the sign of zero shifts, whose exp is 1 either way).
        index = data.argmax(1)
        index += np.arange(0, data.size, data.shape[1])
        maximum = data.take(index).reshape(-1, 1)
    elif data.size:
        maximum = np.maximum.reduce(data, axis=axis, keepdims=True)
    else:
        maximum = np.max(data, axis=axis, keepdims=True, initial=-np.inf)
    if finite:
        maximum = np.where(np.isinf(maximum), 0, maximum)
    return data - maximum, maximum


class SoftmaxBackward0(Op):
    saves = ("result",)
    formula = "d softmax(a)_i/da_j = s_i (delta_ij - s_j)"

    def backward(self, grad):
        (result,) = self.saved_tensors
        if not _state.enabled:
            # First-order backward (no create_graph): the same formula on arrays, without
            # the per-op cost of ember tensors; a hot path in every classifier.
            s, g = result._data, grad._data
            out = g * s
            out -= s * np.add.reduce(out, axis=self.ctx, keepdims=True)
            return wrap(out)
        return result * (grad - (grad * result).sum(self.ctx, keepdim=True))


class LogSoftmaxBackward0(Op):
    saves = ("result",)
    formula = "d log_softmax(a)_i/da_j = delta_ij - softmax(a)_j"

    def backward(self, grad):
        (result,) = self.saved_tensors
        if not _state.enabled:
            # First-order backward: the formula below, on arrays (see SoftmaxBackward0).
            g = grad._data
            total = np.add.reduce(g, axis=self.ctx, keepdims=True) if g.ndim else g
            return wrap(g - np.exp(result._data) * total)
        return grad - result.exp() * grad.sum(self.ctx, keepdim=True)


def _prepare(input, dim, dtype, kernel):
    if not isinstance(dim, int):
        raise TypeError(f"{kernel}(): argument 'dim' (position 2) must be int, not "
                        f"{type(dim).__name__}")
    if dtype is not None and dtype.np != input._data.dtype:
        input = input.to(dtype)
    data = input._data
    d = _wrap_dim(dim, data.ndim)
    if data.dtype.kind != "f":
        last = d == data.ndim - 1 or data.ndim <= 1
        raise not_implemented_for(f"{kernel}{'_lastdim' if last else ''}_kernel_impl",
                                  data.dtype)
    axis = d if data.ndim else None
    return input, data.astype(accumulator_dtype(data.dtype), copy=False), d, axis


def softmax(input, dim, dtype=None):
    input, data, d, axis = _prepare(input, dim, dtype, "softmax")
    exp = np.exp(_shifted(data, axis)[0])
    exp /= np.add.reduce(exp, axis=axis, keepdims=True)
    out = wrap(exp.astype(input._data.dtype, copy=False))
    if _state.enabled and input._requires_grad:
        record(SoftmaxBackward0, out, (input,), d)
    return out


def log_softmax(input, dim, dtype=None):
    input, data, d, axis = _prepare(input, dim, dtype, "log_softmax")
    shifted = _shifted(data, axis)[0]
    shifted -= np.log(np.add.reduce(np.exp(shifted), axis=axis, keepdims=True))
    out = wrap(shifted.astype(input._data.dtype, copy=False))
    if _state.enabled and input._requires_grad:
        record(LogSoftmaxBackward0, out, (input,), d)
    return out


class LogsumexpBackward0(Op):
    saves = (0, "result")
    formula = "d logsumexp(a)/da_i = exp(a_i - logsumexp(a))"

    def backward(self, grad):
        a, result = self.saved_tensors
        dims, keepdim = self.ctx
        return restore_dims(grad, dims, keepdim) * (a - restore_dims(result, dims,
                                                                      keepdim)).exp()


def logsumexp(input, dim, keepdim=False):
    """``log(sum(exp(input), dim))`` without overflow; integers give the default float."""
    if input._data.dtype.kind in "biu":
        input = input.to(_dtype.get_default_dtype())
    data = input._data
    if isinstance(dim, (tuple, list)) and not dim and not keepdim and data.ndim and data.size:
        # PyTorch reduces everything for dim=() but then fails to fit the kept dims.
        raise RuntimeError("output with shape [] doesn't match the broadcast shape "
                           f"[{', '.join(['1'] * data.ndim)}]")
    dims = normalize_dims(dim, data.ndim)
    work = data.astype(accumulator_dtype(data.dtype), copy=False)
    shifted, maximum = _shifted(work, dims, finite=True)
    total = np.log(np.add.reduce(np.exp(shifted), axis=dims, keepdims=True)) + maximum
    if not keepdim:
        total = total.reshape([s for i, s in enumerate(total.shape) if i not in dims])
    out = wrap(total.astype(data.dtype, copy=False))
    if _state.enabled and input._requires_grad:
        record(LogsumexpBackward0, out, (input,), (dims, keepdim))
    return out


__all__ = ["softmax", "log_softmax", "logsumexp"]
