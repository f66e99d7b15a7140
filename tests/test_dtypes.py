"""dtype utilities against PyTorch: finfo / iinfo, promote_types, can_cast, result_type,
dtype attributes, and float16 arithmetic and printing."""

import itertools
import math

import numpy as np
import pytest

import ember
from oracle import check_error, check_op, torch

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
         "complex64", "complex128"]
FLOATS = ["float16", "float32", "float64", "complex64", "complex128"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]


def both(name):
    return getattr(ember, name), getattr(torch, name)


@pytest.mark.parametrize("name", FLOATS)
def test_finfo(name):
    e, t = (lib.finfo(d) for lib, d in zip((ember, torch), both(name)))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(e, attr) == getattr(t, attr), attr
        assert type(getattr(e, attr)) is type(getattr(t, attr)), attr
    assert repr(e) == repr(t) and str(e) == str(t)


def test_finfo_default_and_equality():
    assert repr(ember.finfo()) == repr(torch.finfo())
    assert ember.finfo() == ember.finfo(ember.float32)
    assert ember.finfo(ember.float32) != ember.finfo(ember.float64)
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.finfo().dtype == "float64"
    finally:
        ember.set_default_dtype(ember.float32)


@pytest.mark.parametrize("name", INTS)
def test_iinfo(name):
    e, t = (lib.iinfo(d) for lib, d in zip((ember, torch), both(name)))
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(e, attr) == getattr(t, attr), attr
        assert type(getattr(e, attr)) is type(getattr(t, attr)), attr
    assert repr(e) == repr(t)


@pytest.mark.parametrize("call", [
    lambda lib: lib.finfo(lib.int32), lambda lib: lib.finfo(lib.bool), lambda lib: lib.finfo("x"),
    lambda lib: lib.finfo(None), lambda lib: lib.iinfo(lib.float32),
    lambda lib: lib.iinfo(lib.bool),
    lambda lib: lib.iinfo(), lambda lib: lib.iinfo(3)])
def test_info_errors(call):
    messages = []
    for lib in (ember, torch):
        with pytest.raises(TypeError) as info:
            call(lib)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("a,b", itertools.product(NAMES, NAMES))
def test_promote_types_and_can_cast(a, b):
    (ea, ta), (eb, tb) = both(a), both(b)
    assert repr(ember.promote_types(ea, eb)) == repr(torch.promote_types(ta, tb))
    assert ember.can_cast(ea, eb) == torch.can_cast(ta, tb)


# PyTorch has complex32, which NumPy (and so ember) lacks: float16 with a complex operand
# gives complex32 there and complex64 here.
def _complex32_case(*dtypes):
    names = {str(d).replace("torch.", "") for d in dtypes}
    return "float16" in names and bool(names & {"complex64", "complex128", "complex"})


@pytest.mark.parametrize("a,b", itertools.product(NAMES, NAMES))
def test_result_type_tensors(a, b):
    (ea, ta), (eb, tb) = both(a), both(b)
    for sa, sb in [((2,), (2,)), ((), (2,)), ((2,), ()), ((), ())]:
        t = torch.result_type(torch.ones(sa, dtype=ta), torch.ones(sb, dtype=tb))
        if _complex32_case(a, b) and str(t) == "torch.complex32":
            continue
        e = ember.result_type(ember.ones(sa, dtype=ea), ember.ones(sb, dtype=eb))
        assert repr(e) == repr(t), (sa, sb)


@pytest.mark.parametrize("name,scalar", [
    (name, scalar) for name in NAMES
    for scalar in [True, 2, 2.5, 1j, np.float64(2.0), np.int32(3)]
    if not (name == "float16" and isinstance(scalar, complex))])  # complex32 again
def test_result_type_scalars(name, scalar):
    e_d, t_d = both(name)
    for sa in [(2,), ()]:
        t = torch.result_type(torch.ones(sa, dtype=t_d), scalar)
        assert repr(ember.result_type(ember.ones(sa, dtype=e_d), scalar)) == repr(t)
        t = torch.result_type(scalar, torch.ones(sa, dtype=t_d))
        assert repr(ember.result_type(scalar, ember.ones(sa, dtype=e_d))) == repr(t)


@pytest.mark.parametrize("s1,s2", itertools.product([True, 2, 2.5, 1j], repeat=2))
def test_result_type_two_scalars(s1, s2):
    assert repr(ember.result_type(s1, s2)) == repr(torch.result_type(s1, s2))


def test_zero_dim_complex_keeps_float_size():
    for lib in (ember, torch):
        x = lib.ones(2) + lib.tensor(1j, dtype=lib.complex128)
        assert repr(x.dtype) == "torch.complex64"


@pytest.mark.parametrize("name", NAMES)
def test_dtype_attributes(name):
    e, t = both(name)
    for attr in ("is_floating_point", "is_complex", "is_signed", "itemsize"):
        assert getattr(e, attr) == getattr(t, attr), attr
    assert repr(e) == repr(t) and str(e) == str(t)
    assert repr(e.to_real()) == repr(t.to_real())
    if name in INTS + ["bool"]:
        for d in (e, t):
            with pytest.raises(RuntimeError, match="Unknown Complex ScalarType"):
                d.to_complex()
    elif name != "float16":  # complex32 again
        assert repr(e.to_complex()) == repr(t.to_complex())


# -- float16 ----------------------------------------------------------------------------------

HALF_VALUES = np.array([0.1, -2.5, 1e-3, 65504.0, 3.0, 1 / 3, 6e-5], dtype=np.float16)


@pytest.mark.parametrize("fn", [
    lambda lib, x: x * 3, lambda lib, x: x / 3, lambda lib, x: x + 1e-4, lambda lib, x: x - x[2],
    lambda lib, x: (x[:3] * 0.5).exp(), lambda lib, x: x.abs().sqrt(), lambda lib, x: x[:3].sum(),
    lambda lib, x: x[:3].mean(), lambda lib, x: x * 2.0 ** 10, lambda lib, x: x.double(),
    lambda lib, x: x + lib.tensor(1.0, dtype=lib.float64),
    lambda lib, x: x + lib.ones(7, dtype=lib.float64), lambda lib, x: x.reshape(7, 1) @ x[None, :]])
def test_float16_arithmetic(fn):
    check_op(fn, HALF_VALUES, requires_grad=False)


@pytest.mark.parametrize("values", [[1.5, 2.25, 1e-3], [65504.0], [1 / 3], [1e-5, 1.0],
                                    [0.0, -0.0, math.inf, math.nan], [100.0, 200.0]])
def test_float16_printing(values):
    e = ember.tensor(values, dtype=ember.float16)
    t = torch.tensor(values, dtype=torch.float16)
    assert repr(e) == repr(t)
    assert repr(e * 3) == repr(t * 3)


def test_float16_overflow_and_finfo_limits():
    for lib in (ember, torch):
        big = lib.tensor([60000.0], dtype=lib.float16)
        assert math.isinf((big * 2).item())
        assert lib.finfo(lib.float16).max == 65504.0


@pytest.mark.parametrize("call", [lambda lib: lib.set_default_dtype(lib.int32),
                                  lambda lib: lib.set_default_dtype("float")])
def test_set_default_dtype_errors(call):
    check_error(call)
