"""Matrix odds and ends: ``trace``, ``cross`` / ``linalg.cross`` and ``matrix_power``.

``trace`` of an integer matrix is int64 (as sums are); ``cross`` broadcasts and, without
``dim``, uses the first dimension of size 3 with PyTorch's deprecation warning;
``matrix_power`` squares repeatedly (MmBackward0), A^0 is the identity with no gradient to
A, and a negative power inverts first.
"""

import numpy as np

from ._dispatch import Op, _state, broadcast_error, record, wrap
from ._matrix_utils import check_square, eye_like
from .decompositions import inv

__all__ = ["trace", "cross", "matrix_power"]


class TraceBackward0(Op):
    formula = "d(trace A)/dA = g I"

    def backward(self, grad):
        shape, dtype = self._input_meta[0]
        return grad * eye_like(shape, dtype)


def trace(input):
    a = input._data
    if a.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {a.ndim}")
    if a.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    # Integer traces are int64, as sums are.
    data = np.trace(a, dtype=np.int64 if a.dtype.kind in "iu" else a.dtype)
    out = wrap(np.asarray(data))
    if _state.enabled and input._requires_grad:
        record(TraceBackward0, out, (input,))
    return out


class LinalgCrossBackward0(Op):
    saves = (0, 1)
    formula = "d(a x b)/da = b x g, d(a x b)/db = g x a"

    def backward(self, grad):
        a, b = self.saved_tensors
        dim = self.ctx
        return (linalg_cross(b, grad, dim=dim) if self.needs_input_grad(0) else None,
                linalg_cross(grad, a, dim=dim) if self.needs_input_grad(1) else None)


def linalg_cross(input, other, *, dim=-1):
    from .linalg import scalar_name
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {scalar_name(a)} but found {scalar_name(b)}")
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if a.shape[dim] != 3 or b.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[dim]} and {b.shape[dim]}")
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    out = wrap(np.cross(a, b, axis=dim))
    if _state.enabled and (input._requires_grad or other._requires_grad):
        record(LinalgCrossBackward0, out, (input, other), dim)
    return out


def cross(input, other, dim=None):
    """``torch.cross``: without ``dim``, the first dimension of size 3 (deprecated in PyTorch)."""
    if dim is None:
        import warnings
        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass "
            "the dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will "
            "change to agree with that of linalg.cross in a future release.", UserWarning,
            stacklevel=2)
        shape = np.broadcast_shapes(input._data.shape, other._data.shape)
        dim = next((i for i, n in enumerate(shape) if n == 3), -1)
    return linalg_cross(input, other, dim=dim)


class ZeroPowerBackward(Op):
    """A^0 = I: PyTorch copies the identity over a clone of A, which cuts the gradient."""

    formula = "d(A^0)/dA = 0"

    def name(self):
        return "torch::autograd::CopyBackwards"

    def backward(self, grad):
        return grad * 0


def matrix_power(input, n):
    """A^n by repeated squaring (MmBackward0); A^0 is the identity, A^-n uses inv."""
    from .linalg import matmul
    check_square(input, "linalg.matrix_power")
    if n == 0:
        shape, dtype = input._data.shape, input._data.dtype
        out = wrap(np.broadcast_to(np.eye(shape[-1], dtype=dtype), shape).copy())
        if _state.enabled and input._requires_grad:
            record(ZeroPowerBackward, out, (input,))
        return out
    base = inv(input) if n < 0 else input
    result = None
    power = abs(n)
    while power:
        if power & 1:
            result = base if result is None else matmul(result, base)
        power >>= 1
        if power:
            base = matmul(base, base)
    return result

