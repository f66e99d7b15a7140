"""One-input pointwise math: exp, log, trig, activations, rounding.

Each op is its grad_fn class with the forward on arrays and the derivative in ember ops.
Integer inputs give default-float results where PyTorch's do (``exp`` of an int64 tensor
is float32); rounding ops keep the dtype.
"""

import numpy as np

from ._dispatch import Op, _state, float_data, record, unary, wrap


def _saved(node):
    return node.saved_tensors[0]


class ExpBackward0(Op):
    saves = ("result",)
    formula = "d(e^a)/da = e^a"
    forward = staticmethod(np.exp)

    def backward(self, grad):
        return grad * _saved(self)


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
        return grad / (_saved(self) * float(np.log(2.0)))


class Log10Backward0(Op):
    saves = (0,)
    formula = "d(log10 a)/da = 1/(a ln 10)"
    forward = staticmethod(np.log10)

    def backward(self, grad):
        return grad / (_saved(self) * float(np.log(10.0)))


class Log1PBackward0(Op):
    saves = (0,)
    formula = "d(ln(1+a))/da = 1/(1+a)"
    forward = staticmethod(np.log1p)

    def backward(self, grad):
        return grad / (_saved(self) + 1)


class Expm1Backward0(Op):
    saves = ("result",)
    formula = "d(e^a - 1)/da = e^a"
    forward = staticmethod(np.expm1)

    def backward(self, grad):
        return grad * (_saved(self) + 1)


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
        with np.errstate(divide="ignore"):
            return 1 / np.sqrt(a)

    def backward(self, grad):
        result = _saved(self)
        return grad * result.pow(3) * -0.5


class AbsBackward0(Op):
    saves = (0,)
    formula = "d|a|/da = sign(a)"
    forward = staticmethod(np.abs)

    def backward(self, grad):
        return grad * _saved(self).sign()


class SinBackward0(Op):
    saves = (0,)
    formula = "d(sin a)/da = cos a"
    forward = staticmethod(np.sin)

    def backward(self, grad):
        return grad * _saved(self).cos()


class CosBackward0(Op):
    saves = (0,)
    formula = "d(cos a)/da = -sin a"
    forward = staticmethod(np.cos)

    def backward(self, grad):
        return grad * -_saved(self).sin()


class TanBackward0(Op):
    saves = ("result",)
    formula = "d(tan a)/da = 1 + tan^2 a"
    forward = staticmethod(np.tan)

    def backward(self, grad):
        result = _saved(self)
        return grad * (result * result + 1)


class TanhBackward0(Op):
    saves = ("result",)
    formula = "d(tanh a)/da = 1 - tanh^2 a"
    forward = staticmethod(np.tanh)

    def backward(self, grad):
        result = _saved(self)
        return grad * (1 - result * result)


class SigmoidBackward0(Op):
    saves = ("result",)
    formula = "d(sigmoid a)/da = sigmoid a * (1 - sigmoid a)"

    @staticmethod
    def forward(a):
        # exp(-|a|) never overflows; the two branches are the same function.
        e = np.exp(-np.abs(a))
        return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)

    def backward(self, grad):
        result = _saved(self)
        return grad * (result * (1 - result))


class ReluBackward0(Op):
    saves = ("result",)
    formula = "d(relu a)/da = 1 if a > 0 else 0"

    @staticmethod
    def forward(a):
        return np.maximum(a, 0)

    def backward(self, grad):
        result = _saved(self)
        return grad * (result > 0)


class SignBackward0(Op):
    formula = "d(sign a)/da = 0"
    forward = staticmethod(np.sign)

    def backward(self, grad):
        return grad * 0


exp = unary(ExpBackward0)
log = unary(LogBackward0)
log2 = unary(Log2Backward0)
log10 = unary(Log10Backward0)
log1p = unary(Log1PBackward0)
expm1 = unary(Expm1Backward0)
sqrt = unary(SqrtBackward0)
rsqrt = unary(RsqrtBackward0)
abs = unary(AbsBackward0, float_result=False)
sin = unary(SinBackward0)
cos = unary(CosBackward0)
tan = unary(TanBackward0)
tanh = unary(TanhBackward0)
sigmoid = unary(SigmoidBackward0)
relu = unary(ReluBackward0, float_result=False)
sign = unary(SignBackward0, float_result=False)


def _rounding(np_func, name, cls):
    """floor/ceil/trunc/round: integer tensors pass through, gradient is zero."""
    def op(input):
        data = input._data
        out = wrap(data.copy() if data.dtype.kind in "biu" else np_func(data))
        if _state.enabled and input._requires_grad:
            record(cls, out, (input,))
        return out
    op.__name__ = op.__qualname__ = name
    return op


class _ZeroGrad(Op):
    formula = "d(step function)/da = 0"

    def backward(self, grad):
        return grad * 0


FloorBackward0 = type("FloorBackward0", (_ZeroGrad,), {"__slots__": ()})
CeilBackward0 = type("CeilBackward0", (_ZeroGrad,), {"__slots__": ()})
TruncBackward0 = type("TruncBackward0", (_ZeroGrad,), {"__slots__": ()})
RoundBackward0 = type("RoundBackward0", (_ZeroGrad,), {"__slots__": ()})
RoundBackward1 = type("RoundBackward1", (_ZeroGrad,), {"__slots__": ()})

floor = _rounding(np.floor, "floor", FloorBackward0)
ceil = _rounding(np.ceil, "ceil", CeilBackward0)
trunc = _rounding(np.trunc, "trunc", TruncBackward0)
_round_half_even = _rounding(np.round, "round", RoundBackward0)


def round(input, *, decimals=0):
    """Round half to even, as PyTorch (and NumPy) do; ``decimals`` shifts the digit."""
    if decimals == 0:
        return _round_half_even(input)
    data = input._data
    out = wrap(data.copy() if data.dtype.kind in "biu" else np.round(data, decimals))
    if _state.enabled and input._requires_grad:
        record(RoundBackward1, out, (input,))
    return out


__all__ = ["exp", "log", "log2", "log10", "log1p", "expm1", "sqrt", "rsqrt", "abs", "sin",
           "cos", "tan", "tanh", "sigmoid", "relu", "sign", "floor", "ceil", "trunc", "round"]
ALIASES = {"absolute": abs, "fix": trunc}
INPLACE = {name + "_": globals()[name] for name in __all__}
INPLACE.update({"absolute_": abs, "fix_": trunc})
