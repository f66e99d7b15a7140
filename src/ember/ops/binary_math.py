"""Two- and three-input math: atan2, hypot, logaddexp(2), copysign, lerp, addcmul, addcdiv.

As in PyTorch, ``atan2``, ``hypot`` and ``logaddexp`` take two tensors (a Python number is a
TypeError); ``hypot`` and ``logaddexp`` are defined for floating dtypes only. ``lerp``
blends in PyTorch's two-sided form, so ``lerp(a, b, 1) == b`` exactly.
"""

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._dispatch import Op, _state, broadcast_error, promote_operands, record, wrap
from .unary import not_implemented_for

# C++ spellings of dtypes, used in PyTorch's dtype-mismatch messages.
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
              "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
              "uint8": "unsigned char", "bool": "bool"}


def require_tensor(name, value, argument="other", position=2):
    """PyTorch's TypeError for a Python number where a tensor is required."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}(): argument '{argument}' (position {position}) must be Tensor, "
                        f"not {type(value).__name__}")


def _tensor_binary(cls, name, floating_only=False):
    """A two-tensor op with a float result (integers promote to the default float)."""
    def op(input, other):
        require_tensor(name, input, "input", 1)
        require_tensor(name, other)
        a, b, dtype, _ = promote_operands(input, other, float_result=not floating_only)
        if dtype.category < 2:
            raise not_implemented_for(f"{name}_cpu", dtype.np)
        try:
            out = wrap(cls.forward(a, b))
        except ValueError:
            raise broadcast_error(a.shape, b.shape) from None
        if _state.enabled and (input._requires_grad or other._requires_grad):
            record(cls, out, (input, other))
        return out
    op.__name__ = op.__qualname__ = name
    return op


class Atan2Backward0(Op):
    saves = (0, 1)
    formula = "d atan2(a, b)/da = b/(a^2+b^2), d/db = -a/(a^2+b^2)"
    forward = staticmethod(np.arctan2)

    def backward(self, grad):
        a, b = self.saved_tensors
        scale = grad / (a * a + b * b)
        return scale * b, scale * -a


class HypotBackward0(Op):
    saves = (0, 1, "result")
    formula = "d sqrt(a^2+b^2)/da = a/result, d/db = b/result"
    forward = staticmethod(np.hypot)

    def backward(self, grad):
        a, b, result = self.saved_tensors
        scale = grad / result
        return scale * a, scale * b


class LogaddexpBackward0(Op):
    saves = (0, 1)
    formula = "d ln(e^a+e^b)/da = 1/(1+e^(b-a)), d/db = 1/(1+e^(a-b))"
    forward = staticmethod(np.logaddexp)

    def backward(self, grad):
        a, b = self.saved_tensors
        return grad / ((b - a).exp() + 1), grad / ((a - b).exp() + 1)


class Logaddexp2Backward0(Op):
    saves = (0, 1)
    formula = "d log2(2^a+2^b)/da = 1/(1+2^(b-a)), d/db = 1/(1+2^(a-b))"
    forward = staticmethod(np.logaddexp2)

    def backward(self, grad):
        a, b = self.saved_tensors
        return grad / ((b - a).exp2() + 1), grad / ((a - b).exp2() + 1)


atan2 = _tensor_binary(Atan2Backward0, "atan2")
hypot = _tensor_binary(HypotBackward0, "hypot", floating_only=True)
logaddexp = _tensor_binary(LogaddexpBackward0, "logaddexp", floating_only=True)
logaddexp2 = _tensor_binary(Logaddexp2Backward0, "logaddexp2", floating_only=True)


# -- copysign -------------------------------------------------------------------------------
def _magnitude_grad(grad, a, result):
    # result = |a| sign(b), so d result/da = result / a (0 at a = 0, as PyTorch has it).
    return grad * (result / a).masked_fill(a == 0, 0)


class CopysignBackward0(Op):
    """copysign(self, other), both tensors"""
    saves = (0, "result")
    formula = "d copysign(a, b)/da = result/a, d/db = 0"

    def backward(self, grad):
        a, result = self.saved_tensors
        return _magnitude_grad(grad, a, result), wrap(np.zeros_like(grad._data))


class CopysignBackward1(Op):
    """copysign(self, scalar)"""
    saves = (0, "result")
    formula = "d copysign(a, c)/da = result/a"

    def backward(self, grad):
        a, result = self.saved_tensors
        return _magnitude_grad(grad, a, result)


def copysign(input, other):
    a, b, dtype, other_t = promote_operands(input, other, float_result=True)
    try:
        out = wrap(np.asarray(np.copysign(a, b), dtype.np))
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None
    if other_t is None:
        if _state.enabled and input._requires_grad:
            record(CopysignBackward1, out, (input,))
    elif _state.enabled and (input._requires_grad or other_t._requires_grad):
        record(CopysignBackward0, out, (input, other_t))
    return out


# -- lerp -------------------------------------------------------------------------------------
class LerpBackward0(Op):
    """lerp(self, end, scalar weight)"""
    formula = "d lerp(a, b, w)/da = 1 - w, d/db = w"

    def backward(self, grad):
        weight = self.ctx
        return grad * (1 - weight), grad * weight


class LerpBackward1(Op):
    """lerp(self, end, tensor weight)"""
    saves = (0, 1, 2)
    formula = "d lerp(a, b, w)/da = 1 - w, d/db = w, d/dw = b - a"

    def backward(self, grad):
        a, b, weight = self.saved_tensors
        return (grad * (1 - weight) if self.needs_input_grad(0) else None,
                grad * weight if self.needs_input_grad(1) else None,
                grad * (b - a) if self.needs_input_grad(2) else None)


def _check_same_dtype(input, other, argument):
    if other._data.dtype != input._data.dtype:
        raise RuntimeError(f"expected dtype {_CPP_NAMES[input.dtype.name]} for `{argument}` but "
                           f"got dtype {_CPP_NAMES[other.dtype.name]}")


def lerp(input, end, weight):
    """``input + weight * (end - input)``, computed from whichever end is nearer."""
    require_tensor("lerp", end, "end")
    _check_same_dtype(input, end, "end")
    a, b = input._data, end._data
    weight_t = weight if isinstance(weight, Tensor) else None
    if weight_t is not None:
        if weight_t._data.ndim:
            _check_same_dtype(input, weight_t, "weight")
        w = weight_t._data.astype(a.dtype, copy=False)
    else:
        w = weight
    if a.dtype.kind != "f":
        kernel = "lerp_kernel_tensor" if weight_t is not None else "lerp_kernel_scalar"
        raise not_implemented_for(kernel, a.dtype)
    try:
        difference = b - a
        data = np.where(np.abs(w) < 0.5, a + w * difference, b - difference * (1 - w))
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    out = wrap(np.asarray(data, a.dtype))
    if weight_t is None:
        if _state.enabled and (input._requires_grad or end._requires_grad):
            record(LerpBackward0, out, (input, end), weight)
    elif _state.enabled and (input._requires_grad or end._requires_grad
                             or weight_t._requires_grad):
        record(LerpBackward1, out, (input, end, weight_t))
    return out


# -- addcmul, addcdiv -------------------------------------------------------------------------
class AddcmulBackward0(Op):
    saves = (1, 2)
    formula = "d(a + v t1 t2)/da = 1, /dt1 = v t2, /dt2 = v t1"

    def backward(self, grad):
        t1, t2 = self.saved_tensors
        value = self.ctx
        return (grad,
                grad * (t2 * value) if self.needs_input_grad(1) else None,
                grad * (t1 * value) if self.needs_input_grad(2) else None)


class AddcdivBackward0(Op):
    saves = (1, 2)
    formula = "d(a + v t1/t2)/da = 1, /dt1 = v/t2, /dt2 = -v t1/t2^2"

    def backward(self, grad):
        t1, t2 = self.saved_tensors
        value = self.ctx
        return (grad,
                grad * (value / t2) if self.needs_input_grad(1) else None,
                -grad * (value * t1 / (t2 * t2)) if self.needs_input_grad(2) else None)


def _three_operands(input, tensor1, tensor2, value):
    dtype = _dtype.result_type(input, tensor1, tensor2)
    arrays = [t._data.astype(dtype.np, copy=False) for t in (input, tensor1, tensor2)]
    # The scalar is cast to the result dtype first (0.5 becomes 0 for integer tensors).
    value = dtype.np.type(value).item()
    return arrays, value, dtype


def _addc(cls, combine, input, tensor1, tensor2, value):
    (a, t1, t2), scalar, dtype = _three_operands(input, tensor1, tensor2, value)
    try:
        product_shape = np.broadcast_shapes(t1.shape, t2.shape)
    except ValueError:
        raise broadcast_error(t1.shape, t2.shape) from None
    try:
        np.broadcast_shapes(a.shape, product_shape)
    except ValueError:
        raise broadcast_error(a.shape, product_shape) from None
    data = a + combine(scalar * t1, t2)
    out = wrap(np.asarray(data, dtype.np))
    if _state.enabled and (input._requires_grad or tensor1._requires_grad
                           or tensor2._requires_grad):
        record(cls, out, (input, tensor1, tensor2), value)
    return out


def addcmul(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 * tensor2``."""
    return _addc(AddcmulBackward0, np.multiply, input, tensor1, tensor2, value)


def addcdiv(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 / tensor2``; integer ``tensor1 / tensor2`` is refused."""
    if tensor1._data.dtype.kind in "biu" and tensor2._data.dtype.kind in "biu":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    return _addc(AddcdivBackward0, np.true_divide, input, tensor1, tensor2, value)


__all__ = ["atan2", "hypot", "logaddexp", "logaddexp2", "copysign", "lerp", "addcmul",
           "addcdiv"]
ALIASES = {"arctan2": atan2}
INPLACE = {name + "_": globals()[name] for name in __all__ if name not in
           ("logaddexp", "logaddexp2")}
INPLACE["arctan2_"] = atan2
