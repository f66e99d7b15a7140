"""One-input pointwise math: exponentials, logarithms, roots, abs/sign, sigmoid/logit, relu.

Each op is its grad_fn class with the forward on arrays and the derivative in ember ops.
Integer and bool inputs give default-float results where PyTorch's do (``exp`` of an int64
tensor is float32); ``abs``, ``sign`` and ``relu`` keep the dtype. Trigonometry is in
``trig.py``, rounding in ``rounding.py``, erf/gamma functions in ``special.py``.

NumPy warns on log(0), sqrt(-1) and overflow where PyTorch silently gives inf or nan. A
warnings filter (below) silences NumPy's floating-point warnings raised from ember's op
modules only: it costs nothing until a warning fires, unlike ``np.errstate`` on every call.
"""

import math

import numpy as np

from .. import _dtype
from ._dispatch import Op, _state, float_data, plain_arrays, record, unary, wrap

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _saved(node):
    return node.saved_tensors[0]


def not_implemented_for(name, dtype):
    """PyTorch's error for a kernel with no implementation for ``dtype``."""
    return NotImplementedError(f'"{name}" not implemented for '
                               f"'{_dtype._BY_NUMPY[np.dtype(dtype)]._legacy_name[:-6]}'")


# -- exponentials and logarithms ----------------------------------------------------------
class ExpBackward0(Op):
    saves = ("result",)
    formula = "d(e^a)/da = e^a"
    forward = staticmethod(np.exp)

    def backward(self, grad):
        return grad * _saved(self)


class Exp2Backward0(Op):
    saves = ("result",)
    formula = "d(2^a)/da = 2^a ln 2"
    forward = staticmethod(np.exp2)

    def backward(self, grad):
        return grad * (_saved(self) * _LN2)


class Expm1Backward0(Op):
    saves = ("result",)
    formula = "d(e^a - 1)/da = e^a"
    forward = staticmethod(np.expm1)

    def backward(self, grad):
        return grad * (_saved(self) + 1)


class LogBackward0(Op):
    saves = (0,)
    formula = "d(ln a)/da = 1/a"
    forward = staticmethod(np.log)

    def backward(self, grad):
        return grad / _saved(self)


class Log2Backward0(Op):
    saves = (0,)
    formula = "d(log2 a)/da = 1/(a ln 2)"
    forward = staticmethod(np.log2)

    def backward(self, grad):
        return grad / (_saved(self) * _LN2)


class Log10Backward0(Op):
    saves = (0,)
    formula = "d(log10 a)/da = 1/(a ln 10)"
    forward = staticmethod(np.log10)

    def backward(self, grad):
        return grad / (_saved(self) * _LN10)


class Log1PBackward0(Op):
    saves = (0,)
    formula = "d(ln(1+a))/da = 1/(1+a)"
    forward = staticmethod(np.log1p)

    def backward(self, grad):
        return grad / (_saved(self) + 1)


# -- roots and powers ---------------------------------------------------------------------
class SqrtBackward0(Op):
    saves = ("result",)
    formula = "d(sqrt a)/da = 1/(2 sqrt a)"
    forward = staticmethod(np.sqrt)

    def backward(self, grad):
        return grad / (_saved(self) * 2)


class RsqrtBackward0(Op):
    saves = ("result",)
    formula = "d(a^-1/2)/da = -1/2 a^-3/2"

    @staticmethod
    def forward(a):
        out = np.sqrt(a, out=np.empty_like(a))
        return np.reciprocal(out, out=out)

    def backward(self, grad):
        result = _saved(self)
        return grad * (result.pow(3) * -0.5)


def square(input):
    """``input ** 2`` (PyTorch's ``square`` is ``pow``: its grad_fn is ``PowBackward0``)."""
    from .power import pow
    return pow(input, 2)


# -- sign and magnitude -------------------------------------------------------------------
class AbsBackward0(Op):
    saves = (0,)
    formula = "d|a|/da = sign(a)"
    forward = staticmethod(np.abs)

    def backward(self, grad):
        return grad * _saved(self).sign()


class SignBackward0(Op):
    formula = "d(sign a)/da = 0"

    def backward(self, grad):
        return grad * 0


class SgnBackward0(Op):
    saves = (0, "result")
    formula = "d(sgn z)/dz = (g - Re(g conj(sgn z)) sgn z) / |z| for complex z != 0, else 0"

    def backward(self, grad):
        z, sgn = self.saved_tensors
        if not z.is_complex():
            return grad * 0
        magnitude = z.abs()
        # the part of g along the unit circle's tangent, over |z|; PyTorch gives 0 at z = 0
        tangent = (grad - (grad * sgn.conj()).real * sgn) / magnitude
        return tangent.masked_fill(magnitude == 0, 0)


def abs(input):
    data = input._data
    if data.dtype == np.bool_:
        raise not_implemented_for("abs_cpu", data.dtype)
    out = wrap(np.abs(data))
    if _state.enabled and input._requires_grad:
        record(AbsBackward0, out, (input,))
    return out


def _sign_op(cls):
    def op(input):
        data = input._data
        # sign(nan) is 0 in PyTorch (NumPy gives nan); bool is its own sign.
        if data.dtype == np.bool_:
            out = wrap(data.copy())
        elif data.dtype.kind == "f":
            out = wrap(np.subtract(data > 0, data < 0, dtype=data.dtype))
        else:
            out = wrap(np.sign(data))
        if _state.enabled and input._requires_grad:
            record(cls, out, (input,))
        return out
    op.__name__ = op.__qualname__ = cls.__name__[:4].lower()
    return op


sign = _sign_op(SignBackward0)
sgn = _sign_op(SgnBackward0)


# -- activations --------------------------------------------------------------------------
class SigmoidBackward0(Op):
    saves = ("result",)
    formula = "d(sigmoid a)/da = sigmoid a * (1 - sigmoid a)"

    @staticmethod
    def forward(a):
        # 1/(1+e^-a): e^-a overflowing to inf gives exactly 0, so no branch is needed.
        out = np.negative(a, out=np.empty_like(a))
        np.exp(out, out=out)
        out += 1
        return np.reciprocal(out, out=out)

    def backward(self, grad):
        result = _saved(self)
        return grad * (result * (1 - result))


class TanhBackward0(Op):
    saves = ("result",)
    formula = "d(tanh a)/da = 1 - tanh^2 a"
    forward = staticmethod(np.tanh)

    def backward(self, grad):
        result = _saved(self)
        return grad * (1 - result * result)


class LogitBackward0(Op):
    saves = (0,)
    formula = "d(ln(a/(1-a)))/da = 1/(a(1-a)), 0 outside [eps, 1-eps] when eps is given"

    def backward(self, grad):
        a = _saved(self)
        eps = self.ctx
        local = grad / (a * (1 - a))
        if eps is None:
            # Outside [0, 1] the logit is undefined: PyTorch's gradient is nan there.
            return local.masked_fill((a < 0) | (a > 1), math.nan)
        return local.masked_fill((a < eps) | (a > 1 - eps), 0)


def logit(input, eps=None):
    data = float_data(input)
    if eps is not None:
        data = np.clip(data, eps, 1 - eps).astype(data.dtype, copy=False)
    out = wrap(np.log(data / (1 - data)))
    if _state.enabled and input._requires_grad:
        record(LogitBackward0, out, (input,), eps)
    return out


class ReluBackward0(Op):
    saves = ("result",)
    formula = "d(relu a)/da = 1 if a > 0 else 0"

    def backward(self, grad):
        result = _saved(self)
        if plain_arrays(grad, result):
            return wrap(grad._data * (result._data > 0))
        return grad * (result > 0)


def relu(input):
    data = input._data
    if data.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    out = wrap(np.maximum(data, 0, dtype=data.dtype))
    if _state.enabled and input._requires_grad:
        record(ReluBackward0, out, (input,))
    return out


exp = unary(ExpBackward0)
exp2 = unary(Exp2Backward0)
expm1 = unary(Expm1Backward0)
log = unary(LogBackward0)
log2 = unary(Log2Backward0)
log10 = unary(Log10Backward0)
log1p = unary(Log1PBackward0)
sqrt = unary(SqrtBackward0)
rsqrt = unary(RsqrtBackward0)
sigmoid = unary(SigmoidBackward0)
tanh = unary(TanhBackward0)

__all__ = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square",
           "abs", "sign", "sgn", "sigmoid", "logit", "tanh", "relu"]
ALIASES = {"absolute": abs}
INPLACE = {name + "_": globals()[name] for name in __all__}
INPLACE["absolute_"] = abs
