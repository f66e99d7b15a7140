"""Trigonometric and hyperbolic functions and their inverses (``atan2`` is in binary_math).

Integer and bool inputs give the default float dtype, as in PyTorch. Each derivative is
written in ember ops from the saved input (or result, where that is cheaper).
"""

import numpy as np

from ._dispatch import Op, unary


def _saved(node):
    return node.saved_tensors[0]


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


class AsinBackward0(Op):
    saves = (0,)
    formula = "d(asin a)/da = 1/sqrt(1 - a^2)"
    forward = staticmethod(np.arcsin)

    def backward(self, grad):
        a = _saved(self)
        return grad * (1 - a * a).rsqrt()


class AcosBackward0(Op):
    saves = (0,)
    formula = "d(acos a)/da = -1/sqrt(1 - a^2)"
    forward = staticmethod(np.arccos)

    def backward(self, grad):
        a = _saved(self)
        return grad * -(1 - a * a).rsqrt()


class AtanBackward0(Op):
    saves = (0,)
    formula = "d(atan a)/da = 1/(1 + a^2)"
    forward = staticmethod(np.arctan)

    def backward(self, grad):
        a = _saved(self)
        return grad / (a * a + 1)


class SinhBackward0(Op):
    saves = (0,)
    formula = "d(sinh a)/da = cosh a"
    forward = staticmethod(np.sinh)

    def backward(self, grad):
        return grad * _saved(self).cosh()


class CoshBackward0(Op):
    saves = (0,)
    formula = "d(cosh a)/da = sinh a"
    forward = staticmethod(np.cosh)

    def backward(self, grad):
        return grad * _saved(self).sinh()


class AsinhBackward0(Op):
    saves = (0,)
    formula = "d(asinh a)/da = 1/sqrt(a^2 + 1)"
    forward = staticmethod(np.arcsinh)

    def backward(self, grad):
        a = _saved(self)
        return grad * (a * a + 1).rsqrt()


class AcoshBackward0(Op):
    saves = (0,)
    formula = "d(acosh a)/da = 1/(sqrt(a - 1) sqrt(a + 1))"
    forward = staticmethod(np.arccosh)

    def backward(self, grad):
        a = _saved(self)
        return grad * ((a - 1).rsqrt() * (a + 1).rsqrt())


class AtanhBackward0(Op):
    saves = (0,)
    formula = "d(atanh a)/da = 1/(1 - a^2)"
    forward = staticmethod(np.arctanh)

    def backward(self, grad):
        a = _saved(self)
        return grad / (1 - a * a)


class _InplaceNotDifferentiable(Op):
    """asinh_, acosh_, atanh_: PyTorch records them with a node that has no derivative."""
    formula = "no derivative"

    def backward(self, grad):
        name = type(self).__name__[:5].lower()
        raise NotImplementedError(f"the derivative for 'inplace version of {name}' is not "
                                  "implemented.")


class AsinhBackward1(_InplaceNotDifferentiable):
    __slots__ = ()
    forward = staticmethod(np.arcsinh)


class AcoshBackward1(_InplaceNotDifferentiable):
    __slots__ = ()
    forward = staticmethod(np.arccosh)


class AtanhBackward1(_InplaceNotDifferentiable):
    __slots__ = ()
    forward = staticmethod(np.arctanh)


sin = unary(SinBackward0)
cos = unary(CosBackward0)
tan = unary(TanBackward0)
asin = unary(AsinBackward0)
acos = unary(AcosBackward0)
atan = unary(AtanBackward0)
sinh = unary(SinhBackward0)
cosh = unary(CoshBackward0)
asinh = unary(AsinhBackward0)
acosh = unary(AcoshBackward0)
atanh = unary(AtanhBackward0)

__all__ = ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh",
           "atanh"]
ALIASES = {"arcsin": asin, "arccos": acos, "arctan": atan, "arcsinh": asinh,
           "arccosh": acosh, "arctanh": atanh}
INPLACE = {name + "_": fn for name, fn in {**{n: globals()[n] for n in __all__},
                                            **ALIASES}.items()}
for _name, _cls in (("asinh", AsinhBackward1), ("acosh", AcoshBackward1),
                    ("atanh", AtanhBackward1)):
    INPLACE[_name + "_"] = INPLACE["arc" + _name[1:] + "_"] = unary(_cls)
