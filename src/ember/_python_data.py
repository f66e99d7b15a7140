"""Nested Python data (lists, tuples, numbers, 0-d tensors, NumPy values) → ndarray.

``torch.tensor`` reads Python data as follows, and so does ``to_array``:
- the dtype is the promotion of every leaf's dtype (Python float → the default dtype,
  int → int64, bool → bool, complex → the default complex type, a tensor or NumPy value →
  its own; an empty list counts as the default dtype); a leaf of another type is an error;
- the shape is read from the first element at each depth; every row is then checked
  against it, with PyTorch's errors for ragged rows, numbers where rows belong and rows
  where numbers belong. Type errors win over shape errors, wherever they occur, because
  PyTorch infers the dtype before it stores anything.
Values that do not fit an integer dtype raise PyTorch's overflow errors rather than wrapping
as NumPy would. One pass over the data does both jobs; a flat row of Python numbers (the
common case) is judged by its set of element types, without a Python-level loop.
"""

import builtins

import numpy as np

from . import _dtype
from ._tensor import Tensor

__all__ = ["to_array"]

_SEQUENCES = (list, tuple)
_NUMBERS = frozenset({builtins.bool, int, float, complex})
_INT64_MAX = np.iinfo(np.int64).max


def _number_dtype(kind):
    """The dtype PyTorch infers for a Python number type."""
    if kind is builtins.bool:
        return _dtype.bool
    if kind is int:
        return _dtype.int64
    if kind is float:
        return _dtype.get_default_dtype()
    return _dtype.complex128 if _dtype.get_default_dtype() is _dtype.float64 \
        else _dtype.complex64


class _Scan:
    """What one pass over the data found: leaf types and dtypes, and the first shape error.

    A shape error is kept as a function of the target dtype, because its message depends
    on the dtype, which is only known once every leaf has been seen.
    """

    __slots__ = ("sizes", "target", "kinds", "dtypes", "has_arrays", "shape_error")

    def __init__(self, sizes, target):
        self.sizes = sizes
        self.target = target
        self.kinds = set()
        self.dtypes = []
        self.has_arrays = False
        self.shape_error = None

    def fail(self, make_error):
        if self.shape_error is None:
            self.shape_error = make_error

    def dtype(self):
        dtypes = [_number_dtype(kind) for kind in self.kinds] + self.dtypes
        if not dtypes:
            return _dtype.get_default_dtype()
        result = dtypes[0]
        for d in dtypes[1:]:
            result = _dtype.promote_types(result, d)
        return result


def _sizes(data):
    """The shape, read from the first element at each depth (PyTorch's compute_sizes).

    PyTorch reads the shape of NumPy arrays in the data, but not of tensors.
    """
    sizes = []
    while isinstance(data, _SEQUENCES):
        sizes.append(len(data))
        if not data:
            return sizes
        data = data[0]
    if isinstance(data, np.ndarray):
        sizes.extend(data.shape)
    return sizes


def _scan(data, dim, scan):
    sizes = scan.sizes
    if isinstance(data, _SEQUENCES):
        if dim == len(sizes):
            scan.fail(lambda target: _number_expected(data, target))
        elif len(data) != sizes[dim]:
            scan.fail(_length_error(sizes[dim], dim, len(data)))
        if not data:
            scan.dtypes.append(_dtype.get_default_dtype())
            return
        kinds = set(map(type, data))
        if kinds <= _NUMBERS:
            scan.kinds |= kinds
            if dim + 1 < len(sizes):
                scan.fail(lambda target: TypeError("not a sequence"))
            return
        for item in data:
            _scan(item, dim + 1, scan)
    elif isinstance(data, (Tensor, np.ndarray)):
        _scan_array(data, dim, scan)
    else:
        scan.dtypes.append(_leaf_dtype(data, scan.target))
        if dim < len(sizes):
            scan.fail(lambda target: TypeError("not a sequence"))


def _scan_array(data, dim, scan):
    """A tensor or ndarray inside the data: a number if 0-d, else rows of numbers."""
    scan.has_arrays = True
    scan.dtypes.append(_dtype.from_numpy_dtype(data.dtype) if isinstance(data, np.ndarray)
                       else data.dtype)
    shape = data.shape
    rest = scan.sizes[dim:]
    if not rest:
        if np.prod(shape) != 1:
            scan.fail(_not_a_number)
        return
    if not shape:
        scan.fail(lambda target: TypeError("not a sequence"))
        return
    for offset, (want, got) in enumerate(zip(rest, shape)):
        if want != got:
            scan.fail(_length_error(want, dim + offset, got))
            return
    if len(shape) > len(rest):
        scan.fail(_not_a_number)


def _length_error(want, dim, got):
    return lambda target: ValueError(f"expected sequence of length {want} at dim {dim} "
                                     f"(got {got})")


def _leaf_dtype(value, target):
    if isinstance(value, np.generic):
        return _dtype.from_numpy_dtype(value.dtype)
    for kind in (builtins.bool, int, float, complex):
        if isinstance(value, kind):
            return _number_dtype(kind)
    name = type(value).__name__
    if target is not None:
        # With a dtype given PyTorch skips inference and fails when storing the value.
        if isinstance(value, (str, bytes)):
            raise ValueError(f"too many dimensions '{name}'")
        raise _number_expected(value, target)
    if isinstance(value, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{name}'")
    raise RuntimeError(f"Could not infer dtype of {name}")


def _number_expected(value, target):
    name = type(value).__name__
    if target.category <= 1:
        return TypeError(f"'{name}' object cannot be interpreted as an integer")
    return TypeError(f"must be real number, not {name}")


def _not_a_number(target):
    """The error for a many-element tensor where a number belongs (its int() or float())."""
    if target.category <= 1:
        return TypeError("only integer tensors of a single element can be converted to an "
                         "index")
    return ValueError("only one element tensors can be converted to Python scalars")


def _plain(data):
    """Nested lists with tensors replaced by their arrays, for ``np.array``."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, _SEQUENCES):
        return [_plain(x) for x in data]
    return data


def to_array(data, dtype=None):
    """An ndarray holding Python ``data`` as ``dtype`` (inferred as PyTorch does if None)."""
    sizes = _sizes(data)
    scan = _Scan(sizes, dtype)
    _scan(data, 0, scan)
    inferred = scan.dtype()
    target = dtype or inferred
    if 0 in sizes:
        # PyTorch stores nothing, so checks nothing, when the first rows say "empty".
        return np.zeros(sizes, dtype=target.np)
    if scan.shape_error is not None:
        raise scan.shape_error(target)
    if inferred.is_complex and target.category in (1, 2):
        raise _number_expected(1j, target)
    values = np.array(_plain(data) if scan.has_arrays else data)
    if _beyond_int64(values, inferred):
        if target.category <= 1:
            raise ValueError("Overflow when unpacking long long")
        values = values.astype(np.float64)
    if target.category == 1 and values.dtype.kind in "iuf":
        _check_fits(values, target)
    with np.errstate(over="ignore", invalid="ignore"):
        # Like PyTorch, values beyond a float type's range become infinities, silently.
        return values.astype(target.np, copy=False).reshape(sizes)


def _beyond_int64(values, inferred):
    """Whether NumPy had to leave int64 for Python ints (object, uint64 or float arrays)."""
    if values.dtype.kind == "O":
        return True
    if values.dtype == np.uint64:
        return bool(values.size) and values.max() > _INT64_MAX
    return inferred.category <= 1 and values.dtype.kind == "f"


def _check_fits(values, target):
    """PyTorch's overflow error for numbers outside an integer dtype's range.

    Unsigned types accept values down to ``-max`` (they wrap, as C's two's complement
    casts do); everything else must lie in the type's range.
    """
    info = np.iinfo(target.np)
    low = -info.max if info.min == 0 else info.min
    if values.size and (values.dtype.kind == "f" and np.isnan(values).any()
                        or values.min() < low or values.max() > info.max):
        raise RuntimeError(f"value cannot be converted to type {target.name} without overflow")
