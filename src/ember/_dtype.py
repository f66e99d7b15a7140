"""dtypes with PyTorch's names, the default dtype, and PyTorch's type promotion.

An ember ``dtype`` wraps a NumPy dtype. It prints as PyTorch's does (``torch.float32``)
because ember promises that a script prints the same text on ember as on PyTorch.

Promotion follows PyTorch, not NumPy (see ``result_type``): categories are
bool < integer < floating < complex; dimensioned tensors decide first, zero-dim tensors
and Python scalars only lift the result to a higher category and never widen it
inside a category; values are never inspected.
"""

import builtins

import numpy as np

__all__ = [
    "dtype", "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
    "float64", "complex64", "complex128", "get_default_dtype", "set_default_dtype",
    "promote_types", "result_type", "can_cast", "finfo", "iinfo",
]

_CATEGORY_BOOL, _CATEGORY_INT, _CATEGORY_FLOAT, _CATEGORY_COMPLEX = range(4)


class dtype:
    """A tensor element type: PyTorch's name and behaviour over a NumPy dtype."""

    __slots__ = ("name", "np", "category", "is_floating_point", "is_complex", "is_signed",
                 "itemsize", "_legacy_name")

    def __init__(self, name, np_dtype, category, legacy_name):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.category = category
        self.is_floating_point = category == _CATEGORY_FLOAT
        self.is_complex = category == _CATEGORY_COMPLEX
        self.is_signed = name not in ("bool", "uint8")
        self.itemsize = self.np.itemsize
        # PyTorch's legacy tensor type name, used in some error messages ("FloatTensor").
        self._legacy_name = legacy_name

    def __repr__(self):
        return "torch." + self.name

    @property
    def _scalar_name(self):
        """PyTorch's C++ scalar type name, as error messages show it ("Float", "Long")."""
        return self._legacy_name[:-len("Tensor")]

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))

    def to_real(self):
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    def to_complex(self):
        if self.category < _CATEGORY_FLOAT:
            raise RuntimeError(f"Unknown Complex ScalarType for {self._legacy_name[:-6]}")
        # float16's complex type (complex32) has no NumPy dtype: complex64 stands in.
        return {"float32": complex64, "float64": complex128, "float16": complex64}.get(
            self.name, self)


bool = dtype("bool", np.bool_, _CATEGORY_BOOL, "BoolTensor")
uint8 = dtype("uint8", np.uint8, _CATEGORY_INT, "ByteTensor")
int8 = dtype("int8", np.int8, _CATEGORY_INT, "CharTensor")
int16 = dtype("int16", np.int16, _CATEGORY_INT, "ShortTensor")
int32 = dtype("int32", np.int32, _CATEGORY_INT, "IntTensor")
int64 = dtype("int64", np.int64, _CATEGORY_INT, "LongTensor")
float16 = dtype("float16", np.float16, _CATEGORY_FLOAT, "HalfTensor")
float32 = dtype("float32", np.float32, _CATEGORY_FLOAT, "FloatTensor")
float64 = dtype("float64", np.float64, _CATEGORY_FLOAT, "DoubleTensor")
complex64 = dtype("complex64", np.complex64, _CATEGORY_COMPLEX, "ComplexFloatTensor")
complex128 = dtype("complex128", np.complex128, _CATEGORY_COMPLEX, "ComplexDoubleTensor")

_ALL = (bool, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128)
_BY_NAME = {d.name: d for d in _ALL}
_BY_NUMPY = {d.np: d for d in _ALL}


def _dtype_by_name(name):
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype):
    """The ember dtype for a NumPy dtype; TypeError for those PyTorch has no tensor type for."""
    try:
        return _BY_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).name}. The only "
            "supported types are: float64, float32, float16, complex64, complex128, int64, "
            "int32, int16, int8, uint8, and bool.") from None


_default_dtype = float32


def get_default_dtype():
    return _default_dtype


def set_default_dtype(d):
    global _default_dtype
    if not isinstance(d, dtype):
        raise TypeError("invalid dtype object: only floating-point types are supported as the "
                        "default type")
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default_dtype = d


def promote_types(type1, type2):
    """PyTorch's pairwise promotion: the higher category wins; inside one, the wider type."""
    if type1 is type2:
        return type1
    if type1.category != type2.category:
        low, high = sorted((type1, type2), key=lambda d: d.category)
        if high.is_complex and low.is_floating_point and low.itemsize > high.itemsize // 2:
            return complex128
        return high
    # Inside a category NumPy's rule is PyTorch's (uint8 + int8 -> int16, float16 -> float32 ...).
    return _BY_NUMPY[np.promote_types(type1.np, type2.np)]


_SCALAR_CATEGORY = {"bool": _CATEGORY_BOOL, "int": _CATEGORY_INT, "float": _CATEGORY_FLOAT,
                    "complex": _CATEGORY_COMPLEX}


def scalar_dtype(value):
    """The dtype a Python (or NumPy) scalar stands for in promotion."""
    if isinstance(value, (builtins.bool, np.bool_)):
        return bool
    if isinstance(value, (int, np.integer)):
        return int64
    if isinstance(value, (float, np.floating)):
        return _default_dtype
    if isinstance(value, (complex, np.complexfloating)):
        return complex128 if _default_dtype is float64 else complex64
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def combine(dim_dtype, zero_dim_dtype, scalar_dtype_):
    """Promote the three tiers of operands: dimensioned tensors, zero-dim tensors, scalars.

    Each argument is the already-promoted dtype of that tier, or None if the tier is empty.
    A lower tier changes the result only when its category is higher, and then gives its
    own dtype (zero-dim tensors keep their size; scalars are the default for their kind).
    """
    result = dim_dtype
    for tier in (zero_dim_dtype, scalar_dtype_):
        if tier is None:
            continue
        if result is None or tier.category > result.category:
            if result is not None and tier.is_complex and result.is_floating_point:
                # A lower-tier complex keeps the floating type's size: float32 dimensioned
                # with a complex128 zero-dim tensor is complex64 (PyTorch checked).
                result = result.to_complex()
            else:
                result = tier
    return result


def result_type(*operands):
    """PyTorch's ``torch.result_type`` over tensors and Python scalars."""
    from ._tensor import Tensor
    tiers = [None, None, None]
    for value in operands:
        if isinstance(value, Tensor):
            tier, d = (0 if value._data.ndim else 1), value.dtype
        else:
            tier, d = 2, scalar_dtype(value)
        tiers[tier] = d if tiers[tier] is None else promote_types(tiers[tier], d)
    return combine(*tiers)


def can_cast(from_, to):
    """Whether PyTorch allows an in-place result of ``from_`` to be stored as ``to``."""
    return from_.category <= to.category


_MISSING = object()


def _check_dtype_argument(name, value):
    if not isinstance(value, dtype):
        raise TypeError(f"{name}(): argument 'type' (position 1) must be torch.dtype, not "
                        f"{type(value).__name__}")


class finfo:
    """Machine limits of a floating dtype (``torch.finfo``); a complex dtype gives those of
    its real part, and no argument the default dtype."""

    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")

    def __init__(self, type=_MISSING):
        if type is _MISSING:
            type = _default_dtype
        _check_dtype_argument("finfo", type)
        if type.category < _CATEGORY_FLOAT:
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        real = type.to_real()
        info = np.finfo(real.np)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = float(info.tiny)
        self.smallest_normal = float(info.smallest_normal)
        # 10^-(decimal digits of precision), exactly, as PyTorch computes it in double.
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = real.name

    def __eq__(self, other):
        return isinstance(other, finfo) and self.dtype == other.dtype

    __hash__ = None

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer dtype (``torch.iinfo``)."""

    __slots__ = ("bits", "max", "min", "dtype")

    def __init__(self, type=_MISSING):
        if type is _MISSING:
            raise TypeError('iinfo() missing 1 required positional arguments: "type"')
        _check_dtype_argument("iinfo", type)
        if type is bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type.category != _CATEGORY_INT:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        info = np.iinfo(type.np)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = type.name

    def __eq__(self, other):
        return isinstance(other, iinfo) and self.dtype == other.dtype

    __hash__ = None

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


# PyTorch exposes these spellings too.
ALIASES = {
    "float": float32, "double": float64, "half": float16, "long": int64, "int": int32,
    "short": int16, "cfloat": complex64, "cdouble": complex128,
}
