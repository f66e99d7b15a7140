"""The op table, and the binding of ops to ``Tensor`` methods and Python operators.

Every module in this package that does not start with ``_`` is an op module. It declares:
- ``__all__``: public functions, exported as ``ember.<name>`` and bound as ``Tensor``
  methods (unless the name is in ``FUNCTION_ONLY``);
- optionally ``METHODS``: ``{name: function}`` bound on ``Tensor`` only;
- optionally ``INPLACE``: ``{"name_": out_of_place_function}``, turned into in-place
  methods by ``inplace.make_inplace`` (write back, bump the version, rebase history);
- optionally ``ALIASES``: ``{alias: function}`` exported and bound like ``__all__``;
- optionally ``FUNCTION_ONLY``: names in ``__all__`` that are not Tensor methods.

So ``Tensor.exp`` *is* ``ops.unary.exp`` and ``x + y`` *is* ``ops.pointwise.add``: there
is exactly one implementation of each op. Modules are found by listing this package, so a
new op module needs no registration anywhere else.
"""

import importlib
import pkgutil

import numpy as np

from .._tensor import Tensor
from . import _complex_grad, inplace
from ._dispatch import Op, wrap

FUNCTIONS = {}
_METHODS = {}
_INPLACE = {}


def _load_modules():
    modules = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            modules.append(importlib.import_module(f"{__name__}.{info.name}"))
    return modules


def _collect(modules):
    for module in modules:
        function_only = set(getattr(module, "FUNCTION_ONLY", ()))
        exported = {name: getattr(module, name) for name in getattr(module, "__all__", ())}
        exported.update(getattr(module, "ALIASES", {}))
        for name, function in exported.items():
            FUNCTIONS[name] = function
            if name not in function_only:
                _METHODS.setdefault(name, function)
        _METHODS.update(getattr(module, "METHODS", {}))
        _INPLACE.update(getattr(module, "INPLACE", {}))


def _reflected(function):
    def reflected(self, other):
        return function(other if isinstance(other, Tensor) else wrap(np.asarray(other)), self)
    return reflected


def _bind(modules):
    from . import indexing, linalg, logical, pointwise, power, shape, tensor_info, unary
    for name, function in _METHODS.items():
        setattr(Tensor, name, function)
    for name, function in _INPLACE.items():
        setattr(Tensor, name, inplace.make_inplace(function, name))
    Tensor.T = property(shape.T)
    Tensor.mT = property(shape.mT)
    Tensor.H = property(tensor_info.H)
    Tensor.mH = property(tensor_info.mH)
    p = pointwise
    operators = {
        "__add__": p.add, "__radd__": p.add, "__sub__": p.sub, "__rsub__": p.rsub,
        "__mul__": p.mul, "__rmul__": p.mul, "__truediv__": p.div,
        "__rtruediv__": p.rtruediv, "__floordiv__": p.floor_divide,
        "__rfloordiv__": p.rfloor_divide, "__mod__": p.remainder,
        "__rmod__": p.rremainder, "__pow__": power.pow,
        "__rpow__": lambda self, other: power.pow(other, self),
        "__matmul__": linalg.matmul, "__rmatmul__": _reflected(linalg.matmul),
        "__neg__": p.neg, "__pos__": lambda self: self, "__abs__": unary.abs,
        "__eq__": p.eq, "__ne__": p.ne, "__lt__": p.lt, "__le__": p.le, "__gt__": p.gt,
        "__ge__": p.ge, "__and__": logical.bitwise_and, "__rand__": logical.bitwise_and,
        "__or__": logical.bitwise_or, "__ror__": logical.bitwise_or,
        "__xor__": logical.bitwise_xor, "__rxor__": logical.bitwise_xor,
        "__invert__": logical.invert, "__getitem__": indexing.getitem,
        "__setitem__": inplace.setitem,
    }
    for name, function in operators.items():
        setattr(Tensor, name, function)
    in_place_operators = {"__iadd__": "add_", "__isub__": "sub_", "__imul__": "mul_",
                          "__itruediv__": "div_", "__ipow__": "pow_", "__imod__": "remainder_",
                          "__ifloordiv__": "floor_divide_"}
    for dunder, name in in_place_operators.items():
        setattr(Tensor, dunder, getattr(Tensor, name))
    Tensor.__iand__ = inplace.make_inplace(logical.bitwise_and, "__iand__")
    Tensor.__ior__ = inplace.make_inplace(logical.bitwise_or, "__ior__")
    Tensor.__ixor__ = inplace.make_inplace(logical.bitwise_xor, "__ixor__")
    Tensor.__imatmul__ = inplace.make_inplace(linalg.matmul, "__imatmul__")


_modules = _load_modules()
_complex_grad.install(Op)
_collect(_modules)
_bind(_modules)

# PyTorch also exposes these in-place methods as functions (``torch.exp_(x)``).
_TORCH_LEVEL_INPLACE = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
    "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_",
    "clamp_min_", "clip_", "cos_", "cosh_", "deg2rad_", "detach_", "erf_", "erfc_", "exp2_",
    "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_", "gcd_", "index_put_", "lcm_",
    "ldexp_", "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_",
    "rad2deg_", "reciprocal_", "relu_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_",
    "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_", "zero_",
)
for _name in _TORCH_LEVEL_INPLACE:
    if hasattr(Tensor, _name):
        FUNCTIONS.setdefault(_name, getattr(Tensor, _name))
