"""Tensor printing against the PyTorch oracle: the same values, the same options, the same text."""

import math

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember import _printing

nan, inf = math.nan, math.inf

ALL_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
              "float64", "complex64", "complex128"]
FLOAT_DTYPES = ["float16", "float32", "float64"]


@pytest.fixture(autouse=True)
def restore_print_state():
    """Every test starts from, and leaves behind, default options and default dtype."""
    yield
    torch.set_printoptions(profile="default")
    _printing.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    ember.set_default_dtype(ember.float32)


def set_both(**options):
    torch.set_printoptions(**options)
    _printing.set_printoptions(**options)


def pair(values, dtype="float32", requires_grad=False):
    """The same values as an ember tensor and a torch tensor of dtype ``dtype``."""
    with np.errstate(over="ignore"):  # large values overflow float16 to inf, as in torch
        arr = np.array(values, dtype=dtype)
    e, t = ember.from_numpy(arr.copy()), torch.from_numpy(arr.copy())
    if requires_grad:
        e.requires_grad_(True)
        t.requires_grad_(True)
    return e, t


def assert_same(e, t):
    assert repr(e) == repr(t)
    assert str(e) == str(t)


def check(values, dtype="float32", **kwargs):
    assert_same(*pair(values, dtype, **kwargs))


# --- fixed cases ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("values", [
    0, 1, -3, 12, [1, 0, 3], [[1, 2, 3], [4, 5, 6]], [[[1, 0], [2, 3]], [[4, 5], [6, 100]]],
    [0, 0], [120, -7, 3],
], ids=str)
def test_every_dtype_and_rank(values, dtype):
    check(np.abs(values) if dtype == "uint8" else values, dtype)


@pytest.mark.parametrize("values", [
    12.0, [12.0, 3.0], 3.5, -0.0, [-0.0, 0.0], [-0.0, 1.5], [0.0, 0.0], [1.0, 1000.0],
    [1.0, 1001.0], [1e-4, 1.0], [1e-5, 1e-5], [1e8, 1.0], [1.5e8, 1.0], 1e8, 1e9, 1e-6,
    [0.1, 0.2, 0.3], [123456.789, 0.5], [-1.0, 2.5, -3.25], [1e-3, 5.0, 1e4],
    [nan, 1.0, inf], [nan, nan], [inf, -inf], [nan, 0.0], [nan, 1.5, -inf], [1e10, nan],
    [[1.5, nan], [-inf, 2.0]], [0.0, 1e-7],
], ids=str)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_float_formats(values, dtype):
    check(values, dtype)


@pytest.mark.parametrize("values", [
    1 + 2j, [1 + 2j, -0.5 - 1j], [1e10 + 0j, 1], [complex(nan, nan), 1j],
    [complex(1, -0.0), complex(inf, -inf)], [0j, 0j], [[1.5 + 0.25j, 3j], [-2, 1e-5j]],
])
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex(values, dtype):
    check(values, dtype)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0, 3), (3, 0)])
def test_empty(shape, dtype):
    check(np.zeros(shape), dtype)


def test_empty_from_list():
    assert_same(ember.tensor([]), torch.tensor([]))
    assert_same(ember.tensor([], dtype=ember.int64), torch.tensor([], dtype=torch.int64))


@pytest.mark.parametrize("shape", [(2000,), (1001,), (50, 50), (11, 11, 11), (3, 400), (400, 3),
                                   (2, 2, 300), (1, 1200)])
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "float64"])
def test_summarization(shape, dtype):
    values = np.arange(math.prod(shape)).reshape(shape)
    if dtype == "bool":
        values = values % 7 == 0
    elif dtype.startswith("float"):
        values = values * 1.25
    check(values, dtype)


@pytest.mark.parametrize("shape", [(40,), (2, 35), (3, 4, 30), (2, 2, 2, 2), (2, 3, 4),
                                   (2, 1, 3), (1, 1, 1)])
def test_line_wrapping_and_blocks(shape):
    values = np.arange(math.prod(shape)).reshape(shape) * 1.5 - 7
    check(values, "float32")
    check(values, "float64")
    check(values.astype(np.int32), "int32")


def test_values_from_python_lists():
    assert_same(ember.tensor([[1., 2.], [3., 4.]]), torch.tensor([[1., 2.], [3., 4.]]))
    assert_same(ember.tensor(3.5), torch.tensor(3.5))
    assert_same(ember.tensor([True, False]), torch.tensor([True, False]))
    assert_same(ember.tensor([1, 2], dtype=ember.float64),
                torch.tensor([1, 2], dtype=torch.float64))


# --- suffixes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "complex64"])
def test_requires_grad_leaf(dtype):
    check([1.0, 2.5], dtype, requires_grad=True)
    check(2.0, dtype, requires_grad=True)


def test_grad_fn_takes_precedence():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    assert_same(x * 2, tx * 2)
    assert_same((x * 2).sum(), (tx * 2).sum())
    x64 = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    tx64 = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    assert_same(x64 * 2, tx64 * 2)


def test_suffixes_wrap_onto_new_line():
    values = np.arange(70.0).reshape(2, 35) * 2
    check(values, "float64", requires_grad=True)
    check(np.arange(11.0) * 1.5, "float64", requires_grad=True)  # fits on one line
    check(np.arange(12.0) * 1.5, "float64", requires_grad=True)
    check(np.arange(13.0) * 1.5, "float64", requires_grad=True)
    set_both(linewidth=30)
    check([1.0, 2.0], "float16", requires_grad=True)
    check(np.zeros((0, 3)), "int32")
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    tx = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert_same(x * 2, tx * 2)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_default_dtype_float64(dtype):
    torch.set_default_dtype(torch.float64)
    ember.set_default_dtype(ember.float64)
    check([1.5, 2.0], dtype)
    check(np.zeros((0,)), dtype)


# --- print options ----------------------------------------------------------------------------

OPTION_VARIANTS = [
    dict(precision=2), dict(precision=0), dict(precision=8), dict(sci_mode=True),
    dict(sci_mode=False), dict(linewidth=30), dict(linewidth=5), dict(linewidth=200),
    dict(threshold=5), dict(threshold=5, edgeitems=1), dict(threshold=0), dict(edgeitems=0),
    dict(threshold=3, edgeitems=0), dict(profile="short"), dict(profile="full"),
    dict(profile="short", precision=6), dict(profile="default"),
]

OPTION_VALUES = [
    ([1.12345, 2.5], "float32"), ([0.0, 0.0], "float32"), ([1e-5, 1.0, 1e9], "float64"),
    ([12.0, 3.0], "float32"), ([nan, 1.5, -inf], "float64"), (3.25, "float32"),
    (np.arange(20), "int64"), (np.arange(24.0).reshape(2, 3, 4) / 3, "float32"),
    (np.arange(2000.0), "float32"), (np.arange(3000).reshape(30, 100), "int16"),
    ([1 + 2j, 3.5 - 1j], "complex64"), ([True, False, True], "bool"), (np.zeros((0, 2)), "float32"),
]


@pytest.mark.parametrize("options", OPTION_VARIANTS, ids=str)
def test_set_printoptions(options):
    set_both(**options)
    assert _printing.get_printoptions() == torch._tensor_str.get_printoptions()
    for values, dtype in OPTION_VALUES:
        check(values, dtype)
        check(values, dtype, requires_grad=dtype.startswith("float"))


def test_set_printoptions_resets_sci_mode_when_omitted():
    set_both(sci_mode=True)
    set_both(precision=3)
    assert _printing.get_printoptions()["sci_mode"] is None
    check([1.5, 2.0])


def test_printoptions_context_manager_restores():
    before = _printing.get_printoptions()
    with _printing.printoptions(precision=1, sci_mode=True), \
            torch._tensor_str.printoptions(precision=1, sci_mode=True):
        assert _printing.get_printoptions()["precision"] == 1
        check([1.25, 300.0])
    assert _printing.get_printoptions() == before
    check([1.25, 300.0])


def test_profiles_match_torch():
    for profile in ("short", "full", "default"):
        set_both(profile=profile)
        assert _printing.get_printoptions() == torch._tensor_str.get_printoptions()


# --- generated arrays -------------------------------------------------------------------------

SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6)
MAGNITUDES = st.one_of(
    st.integers(-1000, 1000).map(float),
    st.floats(1e-6, 1e9), st.floats(-1e9, -1e-6),
    st.sampled_from([0.0, -0.0, nan, inf, -inf, 1e-4, 1000.0, 1e8]),
)


@st.composite
def arrays(draw):
    dtype = draw(st.sampled_from(ALL_DTYPES))
    shape = draw(SHAPES)
    if dtype == "bool":
        return draw(hnp.arrays(np.bool_, shape))
    if dtype.startswith(("int", "uint")):
        return draw(hnp.arrays(dtype, shape))
    arr = draw(hnp.arrays(np.float64, shape, elements=MAGNITUDES))
    if dtype.startswith("complex"):
        arr = arr.astype(np.complex128)
        arr.imag = draw(hnp.arrays(np.float64, shape, elements=MAGNITUDES))
    if draw(st.booleans()):  # integer-valued floats take their own format
        with np.errstate(invalid="ignore"):
            arr = np.round(arr)
    with np.errstate(over="ignore"):
        return arr.astype(dtype)


@settings(max_examples=300, deadline=None)
@given(arr=arrays())
def test_generated_arrays(arr):
    check(arr, arr.dtype.name)


@settings(max_examples=200, deadline=None)
@given(
    arr=arrays(),
    precision=st.integers(0, 8),
    sci_mode=st.sampled_from([None, True, False]),
    linewidth=st.integers(10, 150),
    threshold=st.integers(0, 40),
    edgeitems=st.integers(0, 4),
)
def test_generated_arrays_with_options(arr, precision, sci_mode, linewidth, threshold, edgeitems):
    set_both(precision=precision, sci_mode=sci_mode, linewidth=linewidth, threshold=threshold,
             edgeitems=edgeitems)
    try:
        check(arr, arr.dtype.name, requires_grad=arr.dtype.kind == "f")
    finally:
        set_both(profile="default")
