"""The op table, and the binding of ops to ``Tensor`` methods and Python operators.

Every op is one function in one module here; ``Tensor.exp`` *is* ``ops.unary.exp``, and
``x + y`` *is* ``ops.pointwise.add``. In-place variants (``add_``) are generated from
their out-of-place twins by ``inplace.make_inplace``.
"""

import numpy as np

from .._tensor import Tensor
from . import conversion, indexing, inplace, linalg, logical, pointwise, reduction, selection
from . import shape, unary
from ._dispatch import wrap

# Public functions, exported as ember.<name> (and bound as Tensor methods below).
FUNCTIONS = {}
for _module in (pointwise, unary, reduction, shape, indexing, selection, linalg, logical):
    for _name in _module.__all__:
        FUNCTIONS[_name] = getattr(_module, _name)
for _name in ("unary", "float_data", "normalize_dims", "make_view", "promote_operands"):
    FUNCTIONS.pop(_name, None)
FUNCTIONS["clip"] = selection.clamp
FUNCTIONS["absolute"] = unary.abs
FUNCTIONS["negative"] = pointwise.neg
FUNCTIONS["multiply"] = pointwise.mul
FUNCTIONS["subtract"] = pointwise.sub
FUNCTIONS["divide"] = pointwise.div
FUNCTIONS["greater"] = pointwise.gt
FUNCTIONS["less"] = pointwise.lt
FUNCTIONS["greater_equal"] = pointwise.ge
FUNCTIONS["less_equal"] = pointwise.le
FUNCTIONS["not_equal"] = pointwise.ne

_METHOD_ONLY = {
    "to": conversion.to, "type": conversion.type, "type_as": conversion.type_as,
    "cpu": conversion.cpu, "float": conversion.float, "double": conversion.double,
    "half": conversion.half, "long": conversion.long, "int": conversion.int,
    "short": conversion.short, "char": conversion.char, "byte": conversion.byte,
    "bool": conversion.bool, "sum_to_size": reduction.sum_to_size,
    "zero_": inplace.zero_, "fill_": inplace.fill_, "copy_": inplace.copy_,
    "__getitem__": indexing.getitem, "__setitem__": inplace.setitem,
}


def _bind_methods():
    for name, function in FUNCTIONS.items():
        if not hasattr(Tensor, name):
            setattr(Tensor, name, function)
    for name, function in _METHOD_ONLY.items():
        setattr(Tensor, name, function)
    Tensor.T = property(shape.T)
    Tensor.mT = property(shape.mT)
    Tensor.H = property(shape.T)
    Tensor.mH = property(shape.mT)
    _bind_operators()
    _bind_inplace()


def _reflected(function):
    def reflected(self, other):
        return function(other if isinstance(other, Tensor) else wrap(np.asarray(other)), self)
    return reflected


def _bind_operators():
    p = pointwise
    operators = {
        "__add__": p.add, "__radd__": p.add, "__sub__": p.sub, "__rsub__": p.rsub,
        "__mul__": p.mul, "__rmul__": p.mul, "__truediv__": p.div,
        "__rtruediv__": p.rtruediv, "__floordiv__": p.floor_divide,
        "__rfloordiv__": _reflected(p.floor_divide), "__mod__": p.remainder,
        "__rmod__": _reflected(p.remainder), "__pow__": p.pow,
        "__rpow__": lambda self, other: p.pow(other, self),
        "__matmul__": linalg.matmul, "__rmatmul__": _reflected(linalg.matmul),
        "__neg__": p.neg, "__pos__": lambda self: self, "__abs__": unary.abs,
        "__eq__": p.eq, "__ne__": p.ne, "__lt__": p.lt, "__le__": p.le, "__gt__": p.gt,
        "__ge__": p.ge, "__and__": logical.bitwise_and, "__rand__": logical.bitwise_and,
        "__or__": logical.bitwise_or, "__ror__": logical.bitwise_or,
        "__xor__": logical.bitwise_xor, "__rxor__": logical.bitwise_xor,
        "__invert__": logical.bitwise_not,
    }
    for name, function in operators.items():
        setattr(Tensor, name, function)


_INPLACE = {
    "add_": pointwise.add, "sub_": pointwise.sub, "mul_": pointwise.mul, "div_": pointwise.div,
    "pow_": pointwise.pow, "neg_": pointwise.neg, "exp_": unary.exp, "log_": unary.log,
    "sqrt_": unary.sqrt, "abs_": unary.abs, "sigmoid_": unary.sigmoid, "tanh_": unary.tanh,
    "relu_": unary.relu, "sin_": unary.sin, "cos_": unary.cos, "floor_": unary.floor,
    "ceil_": unary.ceil, "round_": unary.round, "trunc_": unary.trunc,
    "reciprocal_": pointwise.reciprocal, "clamp_": selection.clamp,
    "clamp_min_": selection.clamp_min, "clamp_max_": selection.clamp_max,
    "masked_fill_": indexing.masked_fill, "remainder_": pointwise.remainder,
    "floor_divide_": pointwise.floor_divide, "sign_": unary.sign,
}


def _bind_inplace():
    for name, function in _INPLACE.items():
        setattr(Tensor, name, inplace.make_inplace(function, name))
    Tensor.clip_ = Tensor.clamp_
    operators = {"__iadd__": "add_", "__isub__": "sub_", "__imul__": "mul_",
                 "__itruediv__": "div_", "__ipow__": "pow_", "__imod__": "remainder_",
                 "__ifloordiv__": "floor_divide_"}
    for dunder, name in operators.items():
        setattr(Tensor, dunder, getattr(Tensor, name))
    Tensor.__iand__ = inplace.make_inplace(logical.bitwise_and, "__iand__")
    Tensor.__ior__ = inplace.make_inplace(logical.bitwise_or, "__ior__")
    Tensor.__ixor__ = inplace.make_inplace(logical.bitwise_xor, "__ixor__")
    Tensor.__imatmul__ = inplace.make_inplace(linalg.matmul, "__imatmul__")


_bind_methods()
