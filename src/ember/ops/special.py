"""Special functions: erf, erfc, erfinv, lgamma, digamma, polygamma (kernels in _special_math).

Integer and bool inputs give the default float dtype. The derivatives chain into each
other (lgamma' = digamma, digamma' = polygamma(1), polygamma(n)' = polygamma(n+1)), so
every one of them can be differentiated again.
"""

import math

from . import _special_math
from ._dispatch import Op, _state, float_data, record, unary, wrap

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def _saved(node):
    return node.saved_tensors[0]


class ErfBackward0(Op):
    saves = (0,)
    formula = "d(erf a)/da = 2/sqrt(pi) e^(-a^2)"
    forward = staticmethod(_special_math.erf)

    def backward(self, grad):
        a = _saved(self)
        return grad * ((-(a * a)).exp() * _TWO_OVER_SQRT_PI)


class ErfcBackward0(Op):
    saves = (0,)
    formula = "d(erfc a)/da = -2/sqrt(pi) e^(-a^2)"
    forward = staticmethod(_special_math.erfc)

    def backward(self, grad):
        a = _saved(self)
        return grad * ((-(a * a)).exp() * -_TWO_OVER_SQRT_PI)


class ErfinvBackward0(Op):
    saves = (0,)
    formula = "d(erfinv a)/da = sqrt(pi)/2 e^(erfinv(a)^2)"
    forward = staticmethod(_special_math.erfinv)

    def backward(self, grad):
        a = _saved(self)
        return grad * (erfinv(a).pow(2).exp() * (1 / _TWO_OVER_SQRT_PI))


class LgammaBackward0(Op):
    saves = (0,)
    formula = "d(ln|gamma(a)|)/da = digamma(a)"
    forward = staticmethod(_special_math.lgamma)

    def backward(self, grad):
        return grad * digamma(_saved(self))


class DigammaBackward0(Op):
    saves = (0,)
    formula = "d(digamma a)/da = polygamma(1, a)"
    forward = staticmethod(_special_math.digamma)

    def backward(self, grad):
        return grad * polygamma(1, _saved(self))


class PolygammaBackward0(Op):
    saves = (0,)
    formula = "d(polygamma(n, a))/da = polygamma(n + 1, a)"

    def backward(self, grad):
        return grad * polygamma(self.ctx + 1, _saved(self))


erf = unary(ErfBackward0)
erfc = unary(ErfcBackward0)
erfinv = unary(ErfinvBackward0)
lgamma = unary(LgammaBackward0)
digamma = unary(DigammaBackward0)


class PolygammaBackward1(PolygammaBackward0):
    """polygamma_ (PyTorch gives the in-place form its own node)"""
    __slots__ = ()


def polygamma(n, input, *, _cls=PolygammaBackward0):
    """The n-th derivative of digamma (``polygamma(0, x)`` is ``digamma(x)``)."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    data = float_data(input)
    out = wrap(_special_math.digamma(data) if n == 0 else _special_math.polygamma(n, data))
    if _state.enabled and input._requires_grad:
        record(_cls, out, (input,), n)
    return out


def _polygamma_method(input, n):
    return polygamma(n, input)


def _polygamma_inplace(input, n):
    return polygamma(n, input, _cls=PolygammaBackward1)


__all__ = ["erf", "erfc", "erfinv", "lgamma", "digamma", "polygamma"]
METHODS = {"polygamma": _polygamma_method}
INPLACE = {"erf_": erf, "erfc_": erfc, "erfinv_": erfinv, "lgamma_": lgamma,
           "digamma_": digamma, "polygamma_": _polygamma_inplace}
