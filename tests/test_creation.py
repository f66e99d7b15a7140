"""Oracle tests for tensor creation, dtypes, Size, devices and conversions out of tensors.

Factories must match PyTorch exactly: dtype inference, shapes, error texts, and for the
ranges (``arange``, ``linspace``, ``logspace``) every bit of every value.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from oracle import check_error, torch

SETTINGS = settings(max_examples=40, deadline=None)


def assert_exact(e, t):
    """Same type; tensors equal in shape, dtype, requires_grad and every bit of value."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"expected a Tensor, got {e!r}"
        assert tuple(e.shape) == tuple(t.shape), f"shape {tuple(e.shape)} != {tuple(t.shape)}"
        assert repr(e.dtype) == repr(t.dtype), f"dtype {e.dtype} != {t.dtype}"
        assert e.requires_grad == t.requires_grad
        np.testing.assert_array_equal(e.detach().numpy(), t.detach().numpy())
    elif isinstance(t, (tuple, list)):
        assert type(e).__name__ == type(t).__name__ and len(e) == len(t)
        for a, b in zip(e, t):
            assert_exact(a, b)
    else:
        assert type(e) is type(t) and e == t, f"{e!r} != {t!r}"


def same(fn):
    """``fn(ember)`` and ``fn(torch)`` give exactly the same result."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = fn(torch)
        actual = fn(ember)
    assert_exact(actual, expected)
    return actual


@pytest.fixture
def default_float64():
    """Run a test with float64 as the default dtype in both libraries, then restore."""
    torch.set_default_dtype(torch.float64)
    ember.set_default_dtype(ember.float64)
    yield
    torch.set_default_dtype(torch.float32)
    ember.set_default_dtype(ember.float32)


# -- tensor(): dtype inference and values ------------------------------------------------
DATA = {
    "int_and_float": lambda lib: [1, 2.0],
    "float": lambda lib: 1.5,
    "int": lambda lib: 3,
    "bool": lambda lib: True,
    "bools": lambda lib: [True, False],
    "ints": lambda lib: [[1, 2], [3, 4]],
    "bool_and_int": lambda lib: [1, True],
    "bool_and_float": lambda lib: [True, 2.0],
    "complex": lambda lib: [1, 2j],
    "tuples": lambda lib: ((1, 2), [3, 4]),
    "empty": lambda lib: [],
    "empty_rows": lambda lib: [[], []],
    "empty_then_ragged": lambda lib: [[], [1]],
    "deep": lambda lib: [[[1.5]], [[2.5]]],
    "numpy_float64_array": lambda lib: np.array([1.0, 2.0]),
    "numpy_int32_array": lambda lib: np.array([1, 2], dtype=np.int32),
    "numpy_0d": lambda lib: np.array(2.5),
    "numpy_float64_scalar": lambda lib: np.float64(1.5),
    "numpy_float16_scalar": lambda lib: np.float16(2.5),
    "numpy_bool_scalar": lambda lib: np.bool_(True),
    "numpy_scalars_in_list": lambda lib: [np.float64(1.5), 2],
    "numpy_float32_and_float": lambda lib: [np.float32(1), 1.0],
    "numpy_int32_and_int": lambda lib: [np.int32(1), 1],
    "numpy_int32_and_bool": lambda lib: [np.int32(1), True],
    "numpy_float16_and_int": lambda lib: [np.float16(1), 2],
    "numpy_arrays_in_list": lambda lib: [np.array([1.0, 2.0]), [3, 4]],
    "tensors_in_list": lambda lib: [lib.tensor(1.0), lib.tensor(2.0)],
    "int_tensor_and_float": lambda lib: [lib.tensor(1), 2.5],
    "float64_tensor_and_int": lambda lib: [lib.tensor(1.0, dtype=lib.float64), 2],
    "float64_and_float16_tensors": lambda lib: [lib.tensor(1.0, dtype=lib.float64),
                                                lib.tensor(1.0, dtype=lib.float16)],
    "tensor_row": lambda lib: [[1, 2], lib.tensor([3, 4])],
    "most_negative_int64": lambda lib: -2 ** 63,
    "huge_int_as_float": lambda lib: [2 ** 70, 1.5],
    "float_overflow_to_inf": lambda lib: 1e400,
    "nan": lambda lib: float("nan"),
}


@pytest.mark.parametrize("name", sorted(DATA))
def test_tensor_infers_dtype_like_torch(name):
    same(lambda lib: lib.tensor(DATA[name](lib)))


EXPLICIT = {
    "float_to_int8_truncates": ([1.5, -2.7], "int8"),
    "int_to_float64": ([[1, 2], [3, 4]], "float64"),
    "float_to_bool": ([1.5, 0.0], "bool"),
    "complex_to_bool": (1j, "bool"),
    "minus_one_wraps_to_uint8": ([-1], "uint8"),
    "minus_255_wraps_to_uint8": (-255, "uint8"),
    "bool_to_int8": (True, "int8"),
    "huge_int_to_float32": (2 ** 70, "float32"),
    "float_overflow_to_float16_inf": (70000.0, "float16"),
    "int_to_float16": (3, "float16"),
    "ints_to_complex64": ([1, 2.5], "complex64"),
}


@pytest.mark.parametrize("name", sorted(EXPLICIT))
def test_tensor_with_explicit_dtype(name):
    data, dtype = EXPLICIT[name]
    same(lambda lib: lib.tensor(data, dtype=getattr(lib, dtype)))


BAD_DATA = {
    "ragged": lambda lib: lib.tensor([[1, 2], [3]]),
    "ragged_deeper": lambda lib: lib.tensor([[[1, 2]], [[3]]]),
    "ragged_short_first": lambda lib: lib.tensor([[1], []]),
    "number_where_row_expected": lambda lib: lib.tensor([[1, 2], 3.0]),
    "row_where_int_expected": lambda lib: lib.tensor([1, [2, 3]]),
    "row_where_float_expected": lambda lib: lib.tensor([1.0, [2, 3]]),
    "row_where_bool_expected": lambda lib: lib.tensor([True, [2, 3]]),
    "numpy_0d_where_row_expected": lambda lib: lib.tensor([[1, 2], np.array(3)]),
    "ragged_numpy_rows": lambda lib: lib.tensor([np.array([1, 2]), np.array([3, 4, 5])]),
    "string": lambda lib: lib.tensor("a"),
    "string_in_list": lambda lib: lib.tensor([1, "a"]),
    "string_row": lambda lib: lib.tensor([[1, 2], "ab"]),
    "bytes": lambda lib: lib.tensor(b"ab"),
    "none": lambda lib: lib.tensor(None),
    "none_in_list": lambda lib: lib.tensor([1, None]),
    "object": lambda lib: lib.tensor(object()),
    "dict": lambda lib: lib.tensor({1: 2}),
    "none_as_float": lambda lib: lib.tensor([None], dtype=lib.float32),
    "none_as_int": lambda lib: lib.tensor([None], dtype=lib.int64),
    "string_as_float": lambda lib: lib.tensor(["a"], dtype=lib.float32),
    "row_as_bool": lambda lib: lib.tensor([1, [2]], dtype=lib.bool),
    "row_as_half": lambda lib: lib.tensor([1, [2]], dtype=lib.float16),
    "complex_as_int": lambda lib: lib.tensor([1j], dtype=lib.int64),
    "complex_as_float": lambda lib: lib.tensor([1 + 1j], dtype=lib.float32),
    "int_beyond_int64": lambda lib: lib.tensor(2 ** 63),
    "int_beyond_int64_in_list": lambda lib: lib.tensor([1, 2 ** 63]),
    "int_below_int64": lambda lib: lib.tensor(-2 ** 63 - 1),
    "int_overflows_uint8": lambda lib: lib.tensor([256], dtype=lib.uint8),
    "int_underflows_uint8": lambda lib: lib.tensor(-256, dtype=lib.uint8),
    "int_overflows_int8": lambda lib: lib.tensor(-129, dtype=lib.int8),
    "float_overflows_int8": lambda lib: lib.tensor(127.5, dtype=lib.int8),
    "float_overflows_int32": lambda lib: lib.tensor(1e10, dtype=lib.int32),
    "inf_to_int64": lambda lib: lib.tensor(float("inf"), dtype=lib.int64),
    "nan_to_int64": lambda lib: lib.tensor(float("nan"), dtype=lib.int64),
    "many_element_tensor_as_int": lambda lib: lib.tensor([lib.tensor([1, 2]),
                                                          lib.tensor([3, 4])]),
    "many_element_tensor_as_float": lambda lib: lib.tensor([lib.tensor([3, 4]), [1, 2.5]]),
    "int_requires_grad": lambda lib: lib.tensor([1, 2], requires_grad=True),
    "bool_requires_grad": lambda lib: lib.tensor([True], requires_grad=True),
}


@pytest.mark.parametrize("name", sorted(BAD_DATA))
def test_tensor_errors_match_torch(name):
    check_error(BAD_DATA[name])


def test_tensor_from_tensor_warns_and_copies():
    for lib in (ember, torch):
        source = lib.tensor([1.0, 2.0])
        with pytest.warns(UserWarning, match="To copy construct from a tensor"):
            copy = lib.tensor(source, dtype=lib.float64)
        source[0] = 5.0
        assert copy.tolist() == [1.0, 2.0] and copy.dtype == lib.float64


def test_tensor_with_requires_grad():
    same(lambda lib: lib.tensor([1.0, 2.0], requires_grad=True))
    same(lambda lib: lib.tensor(1, dtype=lib.float64, requires_grad=True))


def test_tensor_copies_numpy_data():
    array = np.array([1.0, 2.0])
    t = ember.tensor(array)
    array[0] = 9.0
    assert t.tolist() == [1.0, 2.0]


# -- from_numpy and as_tensor share memory ------------------------------------------------
def test_from_numpy_shares_memory_both_ways():
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = ember.from_numpy(array)
    array[0, 0] = 100.0
    assert t[0, 0].item() == 100.0
    t[1, 2] = -1.0
    assert array[1, 2] == -1.0
    t.add_(1)
    assert array[0, 0] == 101.0 and array[1, 2] == 0.0
    assert t.numpy() is array


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "int64", "int32", "int16",
                                   "int8", "uint8", "bool", "complex64", "complex128"])
def test_from_numpy_keeps_dtype(dtype):
    array = np.ones((2, 2), dtype=dtype)
    same(lambda lib: lib.from_numpy(array.copy()))


def test_read_only_array_warns():
    # PyTorch's warning (the same text) fires once per process, so only ember's is checked.
    array = np.ones(2)
    array.flags.writeable = False
    for convert in (ember.from_numpy, ember.as_tensor):
        with pytest.warns(UserWarning, match="The given NumPy array is not writable"):
            assert convert(array).tolist() == [1.0, 1.0]


def test_from_numpy_keeps_strides_of_views():
    same(lambda lib: lib.from_numpy(np.zeros((2, 3)).T).stride())
    same(lambda lib: lib.from_numpy(np.arange(6)[::2]))


@pytest.mark.parametrize("make", [
    lambda lib: lib.from_numpy([1, 2]),
    lambda lib: lib.from_numpy(np.array([1, 2], dtype=">i4")),
])
def test_from_numpy_errors(make):
    check_error(make)


def test_as_tensor_shares_only_when_it_can():
    array = np.array([1.0, 2.0])
    shared = ember.as_tensor(array)
    array[0] = 7.0
    assert shared[0].item() == 7.0
    converted = ember.as_tensor(array, dtype=ember.float32)
    array[1] = 8.0
    assert converted[1].item() == 2.0
    t = ember.tensor([1.0])
    assert ember.as_tensor(t) is t
    same(lambda lib: lib.as_tensor([1, 2], dtype=lib.float64))
    same(lambda lib: lib.as_tensor(lib.tensor([1, 2]), dtype=lib.float32))
    same(lambda lib: lib.as_tensor(3.5))
    same(lambda lib: lib.as_tensor(np.array([1, 2], dtype=np.int32)))


# -- filled factories -----------------------------------------------------------------------
FILLED = {
    "zeros": lambda lib: lib.zeros(2, 3),
    "zeros_tuple": lambda lib: lib.zeros((2, 3)),
    "zeros_list": lambda lib: lib.zeros([2, 3]),
    "zeros_size_keyword": lambda lib: lib.zeros(size=(2, 3), dtype=lib.float64),
    "zeros_scalar": lambda lib: lib.zeros(()),
    "zeros_empty_list": lambda lib: lib.zeros([]),
    "zeros_from_size": lambda lib: lib.zeros(lib.Size([2, 1])),
    "zeros_numpy_int": lambda lib: lib.zeros(np.int64(2)),
    "zeros_tensor_int": lambda lib: lib.zeros(lib.tensor(2)),
    "zeros_tensor_in_tuple": lambda lib: lib.zeros((lib.tensor(2), 3)),
    "zeros_bool_in_sizes": lambda lib: lib.zeros(2, True),
    "zeros_int64": lambda lib: lib.zeros(2, 3, dtype=lib.int64),
    "zeros_empty_dim": lambda lib: lib.zeros(0, 3),
    "ones": lambda lib: lib.ones(4),
    "ones_size_keyword": lambda lib: lib.ones(size=(2,)),
    "ones_bool": lambda lib: lib.ones(2, dtype=lib.bool),
    "ones_requires_grad": lambda lib: lib.ones(2, requires_grad=True),
    "empty_shape": lambda lib: lib.empty(2, 3, dtype=lib.float64).shape,
    "full_int": lambda lib: lib.full((2, 2), 3),
    "full_float": lambda lib: lib.full((2, 2), 3.0),
    "full_bool": lambda lib: lib.full((2,), True),
    "full_scalar": lambda lib: lib.full([], 2),
    "full_from_size": lambda lib: lib.full(lib.Size([2]), 2),
    "full_float64": lambda lib: lib.full((2,), 1.5, dtype=lib.float64),
    "full_float_to_int": lambda lib: lib.full((2,), 1.5, dtype=lib.int64),
    "full_float_to_uint8": lambda lib: lib.full((2,), 1.5, dtype=lib.uint8),
    "full_minus_one_uint8": lambda lib: lib.full((2,), -1, dtype=lib.uint8),
    "full_int_to_bool": lambda lib: lib.full((2,), 1, dtype=lib.bool),
    "full_big_int": lambda lib: lib.full((2,), 2 ** 40),
    "full_numpy_float64": lambda lib: lib.full((2,), np.float64(1.5)),
    "full_float64_tensor": lambda lib: lib.full((2,), lib.tensor(1.5, dtype=lib.float64)),
    "eye": lambda lib: lib.eye(3),
    "eye_rect": lambda lib: lib.eye(2, 3),
    "eye_keyword": lambda lib: lib.eye(n=2),
    "eye_int": lambda lib: lib.eye(3, dtype=lib.int64),
    "eye_bool": lambda lib: lib.eye(3, 2, dtype=lib.bool),
    "eye_empty": lambda lib: lib.eye(0),
    "eye_no_columns": lambda lib: lib.eye(2, 0),
    "eye_requires_grad": lambda lib: lib.eye(2, requires_grad=True),
    "zeros_like": lambda lib: lib.zeros_like(lib.ones(2, 3)),
    "zeros_like_dtype": lambda lib: lib.zeros_like(lib.ones(2), dtype=lib.int64),
    "ones_like_int": lambda lib: lib.ones_like(lib.ones(2, dtype=lib.int64)),
    "ones_like_requires_grad": lambda lib: lib.ones_like(lib.ones(2), dtype=lib.float64,
                                                         requires_grad=True),
    "full_like": lambda lib: lib.full_like(lib.ones(2), 7),
    "full_like_truncates": lambda lib: lib.full_like(lib.ones(2, dtype=lib.int64), 2.7),
    "empty_like_shape": lambda lib: lib.empty_like(lib.ones(2, 3)).shape,
}


@pytest.mark.parametrize("name", sorted(FILLED))
def test_filled_factories(name):
    same(FILLED[name])


BAD_FILLED = {
    "zeros_negative": lambda lib: lib.zeros(2, -3),
    "ones_negative": lambda lib: lib.ones(-1),
    "empty_negative": lambda lib: lib.empty(-1),
    "rand_negative": lambda lib: lib.rand(2, -1),
    "full_negative": lambda lib: lib.full((2, -1), 2),
    "zeros_float": lambda lib: lib.zeros(2.5),
    "zeros_bool": lambda lib: lib.zeros(True),
    "zeros_none": lambda lib: lib.zeros(None),
    "zeros_numpy_float": lambda lib: lib.zeros(np.float32(2)),
    "zeros_float_in_sizes": lambda lib: lib.zeros(2, 3.0),
    "zeros_float_in_tuple": lambda lib: lib.zeros((2, 3.0)),
    "ones_string_in_list": lambda lib: lib.ones([2, "a"]),
    "zeros_nested": lambda lib: lib.zeros([[2]]),
    "rand_float": lambda lib: lib.rand(2.5),
    "full_int_size": lambda lib: lib.full(2, 1.5),
    "full_float_size": lambda lib: lib.full((2.5,), 1),
    "full_string_value": lambda lib: lib.full((2,), "a"),
    "full_overflow_int64": lambda lib: lib.full((2,), 2 ** 63),
    "full_overflow_uint8": lambda lib: lib.full((2,), 300, dtype=lib.uint8),
    "full_like_overflow": lambda lib: lib.full_like(lib.ones(2), 300, dtype=lib.uint8),
    "ones_like_list": lambda lib: lib.ones_like([1, 2]),
    "eye_negative_n": lambda lib: lib.eye(-1),
    "eye_negative_m": lambda lib: lib.eye(2, -1),
    "zeros_int_requires_grad": lambda lib: lib.zeros(2, dtype=lib.int64, requires_grad=True),
    "full_int_requires_grad": lambda lib: lib.full((2,), 1, requires_grad=True),
    "zeros_like_int_requires_grad": lambda lib: lib.zeros_like(lib.ones(2, dtype=lib.int64),
                                                               requires_grad=True),
}


@pytest.mark.parametrize("name", sorted(BAD_FILLED))
def test_filled_factory_errors(name):
    check_error(BAD_FILLED[name])


def test_empty_is_writable_and_has_requested_dtype():
    t = ember.empty(2, 3, dtype=ember.int32)
    t.fill_(4)
    assert t.dtype is ember.int32 and t.sum().item() == 24


# -- ranges, bit for bit --------------------------------------------------------------------
RANGES = {
    "arange_end": lambda lib: lib.arange(5),
    "arange_start_end": lambda lib: lib.arange(1, 5),
    "arange_step": lambda lib: lib.arange(0, 10, 3),
    "arange_negative_step": lambda lib: lib.arange(10, 0, -3),
    "arange_tenths": lambda lib: lib.arange(0, 1, 0.1),
    "arange_tenths_float64": lambda lib: lib.arange(0, 1, 0.1, dtype=lib.float64),
    "arange_long_float32": lambda lib: lib.arange(-3, 7, 0.01),
    "arange_long_float64": lambda lib: lib.arange(-3, 7, 0.01, dtype=lib.float64),
    "arange_long_float16": lambda lib: lib.arange(-3, 7, 0.1, dtype=lib.float16),
    "arange_quarters": lambda lib: lib.arange(-1.0, 1.0, 0.25),
    "arange_float_end": lambda lib: lib.arange(5.0),
    "arange_float_dtype": lambda lib: lib.arange(0, 5, dtype=lib.float32),
    "arange_float_start_int_dtype": lambda lib: lib.arange(0.5, 5, dtype=lib.int64),
    "arange_uint8": lambda lib: lib.arange(3, dtype=lib.uint8),
    "arange_empty": lambda lib: lib.arange(3, 3),
    "arange_bool_end": lambda lib: lib.arange(True),
    "arange_numpy_float32": lambda lib: lib.arange(np.float32(2.5)),
    "arange_tensor_bound": lambda lib: lib.arange(lib.tensor(2.5)),
    "arange_keywords": lambda lib: lib.arange(start=1, end=3),
    "arange_end_keyword": lambda lib: lib.arange(end=3),
    "arange_requires_grad": lambda lib: lib.arange(3.0, requires_grad=True),
    "linspace_sevenths": lambda lib: lib.linspace(0, 1, 7),
    "linspace_sevenths_float64": lambda lib: lib.linspace(0, 1, 7, dtype=lib.float64),
    "linspace_sevenths_float16": lambda lib: lib.linspace(0, 1, 7, dtype=lib.float16),
    "linspace_decreasing": lambda lib: lib.linspace(1, 0, 9),
    "linspace_eleven": lambda lib: lib.linspace(-3, 10, 11),
    "linspace_long": lambda lib: lib.linspace(0.1, 0.9, 1001),
    "linspace_long_float64": lambda lib: lib.linspace(-2.5, 7.25, 999, dtype=lib.float64),
    "linspace_int": lambda lib: lib.linspace(0, 10, 4, dtype=lib.int32),
    "linspace_int_decreasing": lambda lib: lib.linspace(10, 0, 4, dtype=lib.int64),
    "linspace_int_fraction_bounds": lambda lib: lib.linspace(-1.5, 1.5, 4, dtype=lib.int64),
    "linspace_to_subnormal": lambda lib: lib.linspace(1.5, 2.431194020425142e-41, 32),
    "linspace_one": lambda lib: lib.linspace(0, 1, 1),
    "linspace_one_int": lambda lib: lib.linspace(0, 1, 1, dtype=lib.int64),
    "linspace_none": lambda lib: lib.linspace(0, 1, 0),
    "linspace_two": lambda lib: lib.linspace(0, 1, 2),
    "linspace_tensor_bounds": lambda lib: lib.linspace(lib.tensor(0.0), lib.tensor(1.0), 3),
    "linspace_numpy_steps": lambda lib: lib.linspace(0, 1, np.int64(3)),
    "linspace_requires_grad": lambda lib: lib.linspace(0, 1, 5, requires_grad=True),
    "logspace": lambda lib: lib.logspace(0, 2, 5),
    "logspace_base2": lambda lib: lib.logspace(0, 3, 4, base=2),
    "logspace_base_half": lambda lib: lib.logspace(0, 1, 3, base=0.5),
    "logspace_float64": lambda lib: lib.logspace(-1.3, 2.2, 200, dtype=lib.float64),
    "logspace_int": lambda lib: lib.logspace(0, 2, 5, dtype=lib.int64),
    "logspace_int_base2": lambda lib: lib.logspace(0, 3, 4, base=2, dtype=lib.int32),
    "logspace_one": lambda lib: lib.logspace(0.5, 1, 1),
    "logspace_none": lambda lib: lib.logspace(0, 1, 0),
}


@pytest.mark.parametrize("name", sorted(RANGES))
def test_ranges_bit_exact(name):
    same(RANGES[name])


@SETTINGS
@given(start=st.floats(-50, 50), end=st.floats(-50, 50), steps=st.integers(0, 300),
       dtype=st.sampled_from(["float32", "float64", "float16", "int64"]))
def test_linspace_bit_exact(start, end, steps, dtype):
    same(lambda lib: lib.linspace(start, end, steps, dtype=getattr(lib, dtype)))


@SETTINGS
@given(start=st.floats(-20, 20), step=st.floats(0.01, 3), count=st.integers(0, 300),
       negative=st.booleans(), dtype=st.sampled_from(["float32", "float64"]))
def test_arange_bit_exact(start, step, count, negative, dtype):
    step = -step if negative else step
    end = start + step * (count + 0.5)
    same(lambda lib: lib.arange(start, end, step, dtype=getattr(lib, dtype)))


@SETTINGS
@given(start=st.floats(-3, 3), end=st.floats(-3, 3), steps=st.integers(0, 100),
       base=st.sampled_from([10.0, 2.0, 0.5, 2.718281828459045]),
       dtype=st.sampled_from(["float32", "float64"]))
def test_logspace_bit_exact(start, end, steps, base, dtype):
    same(lambda lib: lib.logspace(start, end, steps, base=base, dtype=getattr(lib, dtype)))


BAD_RANGES = {
    "arange_zero_step": lambda lib: lib.arange(0, 5, 0),
    "arange_wrong_direction": lambda lib: lib.arange(0, -1, 0.3),
    "arange_end_below_start": lambda lib: lib.arange(1, 0),
    "arange_nan": lambda lib: lib.arange(float("nan")),
    "arange_inf": lambda lib: lib.arange(0, float("inf")),
    "arange_int_dtype_fractional_step": lambda lib: lib.arange(0, 1, 0.1, dtype=lib.int64),
    "arange_bool": lambda lib: lib.arange(0, 3, 1, dtype=lib.bool),
    "arange_int_requires_grad": lambda lib: lib.arange(3, requires_grad=True),
    "linspace_negative_steps": lambda lib: lib.linspace(0, 1, -1),
    "linspace_bool": lambda lib: lib.linspace(0, 1, 3, dtype=lib.bool),
}


@pytest.mark.parametrize("name", sorted(BAD_RANGES))
def test_range_errors(name):
    check_error(BAD_RANGES[name])


# -- default dtype ------------------------------------------------------------------------------
def test_default_dtype_is_float32():
    same(lambda lib: repr(lib.get_default_dtype()))


@pytest.mark.parametrize("name", ["float", "floats", "complex", "zeros", "arange_float",
                                  "linspace", "full_float", "int_list"])
def test_float64_default_dtype(default_float64, name):
    make = {
        "float": lambda lib: lib.tensor(1.5),
        "floats": lambda lib: lib.tensor([1, 2.5]),
        "complex": lambda lib: lib.tensor(1j),
        "zeros": lambda lib: lib.zeros(2),
        "arange_float": lambda lib: lib.arange(0, 1, 0.1),
        "linspace": lambda lib: lib.linspace(0, 1, 7),
        "full_float": lambda lib: lib.full((2,), 0.1),
        "int_list": lambda lib: lib.tensor([1, 2]),
    }[name]
    same(make)


def test_set_default_dtype_float16_then_restore():
    try:
        torch.set_default_dtype(torch.float16)
        ember.set_default_dtype(ember.float16)
        same(lambda lib: lib.tensor([0.1, 2]))
        same(lambda lib: lib.ones(2) / 3)
    finally:
        torch.set_default_dtype(torch.float32)
        ember.set_default_dtype(ember.float32)
    assert ember.get_default_dtype() is ember.float32


def test_set_default_dtype_rejects_integers():
    check_error(lambda lib: lib.set_default_dtype(lib.int64), match_message=False)
    assert ember.get_default_dtype() is ember.float32


# -- metadata and conversions out --------------------------------------------------------------
METADATA = {
    "shape": lambda lib: lib.ones(2, 3).shape,
    "size": lambda lib: lib.ones(2, 3).size(),
    "size_dim": lambda lib: lib.ones(2, 3).size(1),
    "size_negative_dim": lambda lib: lib.ones(2, 3).size(-1),
    "dim": lambda lib: (lib.ones(2, 3).dim(), lib.ones(()).dim(), lib.ones(0).dim()),
    "ndim": lambda lib: lib.ones(2, 3, 4).ndim,
    "numel": lambda lib: (lib.ones(2, 3).numel(), lib.ones(0, 3).numel(), lib.ones(()).numel()),
    "aliases": lambda lib: (lib.ones(2, 3).ndimension(), lib.ones(2, 3).nelement()),
    "len": lambda lib: len(lib.ones(4, 2)),
    "element_size": lambda lib: (lib.ones(1).element_size(),
                                 lib.ones(1, dtype=lib.float64).element_size()),
    "stride": lambda lib: lib.zeros(2, 3).stride(),
    "item_float": lambda lib: lib.tensor(2.5).item(),
    "item_one_element": lambda lib: lib.tensor([[2.5]]).item(),
    "item_int": lambda lib: lib.tensor(2).item(),
    "item_bool": lambda lib: lib.tensor(True).item(),
    "item_half": lambda lib: lib.tensor(0.1, dtype=lib.float16).item(),
    "item_float32_rounding": lambda lib: lib.tensor(0.1).item(),
    "tolist": lambda lib: lib.tensor([[1, 2], [3, 4]]).tolist(),
    "tolist_float32": lambda lib: lib.tensor([0.1, 0.2]).tolist(),
    "tolist_bool": lambda lib: lib.tensor([[True]]).tolist(),
    "tolist_scalar": lambda lib: lib.tensor(1.5).tolist(),
    "tolist_complex": lambda lib: lib.tensor(1 + 2j).tolist(),
    "type_float": lambda lib: lib.ones(2).type(),
    "type_long": lambda lib: lib.ones(2, dtype=lib.int64).type(),
    "type_double": lambda lib: lib.ones(2, dtype=lib.float64).type(),
    "type_bool": lambda lib: lib.ones(2, dtype=lib.bool).type(),
    "is_floating_point": lambda lib: (lib.ones(2).is_floating_point(),
                                      lib.ones(2, dtype=lib.int64).is_floating_point()),
    "is_tensor": lambda lib: (lib.is_tensor(lib.ones(1)), lib.is_tensor(1)),
    "device": lambda lib: str(lib.ones(2).device),
}


@pytest.mark.parametrize("name", sorted(METADATA))
def test_metadata(name):
    same(METADATA[name])


def test_numpy_conversion():
    for dtype in ("float32", "float64", "int64", "bool"):
        e = ember.ones(2, 3, dtype=getattr(ember, dtype)).numpy()
        t = torch.ones(2, 3, dtype=getattr(torch, dtype)).numpy()
        assert e.dtype == t.dtype and e.shape == t.shape
    t = ember.tensor([1.0, 2.0])
    assert t.numpy() is t.numpy(), "numpy() shares memory with the tensor"


BAD_METADATA = {
    "item_many": lambda lib: lib.tensor([2.5, 1]).item(),
    "size_out_of_range": lambda lib: lib.ones(2, 3).size(2),
    "len_scalar": lambda lib: len(lib.tensor(1.5)),
    "numpy_requires_grad": lambda lib: lib.tensor([1.5], requires_grad=True).numpy(),
    "requires_grad_int": lambda lib: lib.tensor([1, 2]).requires_grad_(),
}


@pytest.mark.parametrize("name", sorted(BAD_METADATA))
def test_metadata_errors(name):
    check_error(BAD_METADATA[name])


CONVERSIONS = {
    "long": lambda lib: lib.tensor([1.5, -2.7]).long(),
    "int": lambda lib: lib.tensor([1.5, -2.7]).int(),
    "bool": lambda lib: lib.tensor([1.5, 0.0]).bool(),
    "float": lambda lib: lib.tensor([1, 2]).float(),
    "double": lambda lib: lib.tensor([1, 2]).double(),
    "half": lambda lib: lib.tensor([1, 2]).half(),
    "short": lambda lib: lib.tensor([1, 2]).short(),
    "byte": lambda lib: lib.tensor([1, 2]).byte(),
    "char": lambda lib: lib.tensor([1, 2]).char(),
    "uint8_wraps": lambda lib: lib.tensor([300, -1]).to(lib.uint8),
    "float_to_uint8": lambda lib: lib.tensor([1.7, 200.2]).to(lib.uint8),
    "double_to_float_rounds": lambda lib: lib.tensor([0.1], dtype=lib.float64).float(),
    "to_dtype": lambda lib: lib.tensor([1, 2]).to(lib.float64),
    "to_other_tensor": lambda lib: lib.tensor([1.0, 2]).to(lib.tensor([1])),
    "to_cpu": lambda lib: lib.tensor([1.0, 2]).to("cpu"),
    "to_cpu_dtype": lambda lib: lib.tensor([1.0, 2]).to("cpu", lib.float64),
    "to_dtype_keyword": lambda lib: lib.tensor([1.0, 2]).to(dtype=lib.float16),
    "to_device_and_dtype_keywords": lambda lib: lib.tensor([1.0, 2]).to(device="cpu",
                                                                        dtype=lib.int64),
    "to_device_object": lambda lib: lib.tensor([1.0, 2]).to(lib.device("cpu")),
    "to_copy": lambda lib: lib.tensor([1.0, 2]).to(lib.float32, copy=True),
    "to_requires_grad_double": lambda lib: lib.tensor([1.0, 2], requires_grad=True).double(),
    "to_requires_grad_long": lambda lib: lib.tensor([1.0, 2], requires_grad=True).long(),
    "to_requires_grad_bool": lambda lib: lib.tensor([1.0, 2], requires_grad=True).bool(),
}


@pytest.mark.parametrize("name", sorted(CONVERSIONS))
def test_conversions(name):
    same(CONVERSIONS[name])


def test_to_same_dtype_returns_self_and_copy_does_not():
    for lib in (ember, torch):
        t = lib.tensor([1.0, 2.0])
        assert t.to(lib.float32) is t and t.float() is t and t.to("cpu") is t
        assert t.to(lib.float32, copy=True) is not t


def test_conversion_grad_fn_names():
    for name in ("double", "half"):
        def make(lib, name=name):
            return getattr(lib.tensor([1.0, 2.0], requires_grad=True), name)()
        assert make(ember).grad_fn.name() == make(torch).grad_fn.name() == "ToCopyBackward0"


# -- __format__ ---------------------------------------------------------------------------------
FORMATS = {
    "float_precision": lambda lib: f"{lib.tensor(3.14159):.3f}",
    "int_padded": lambda lib: f"{lib.tensor(3):05d}",
    "plain": lambda lib: f"{lib.tensor(3.14159)}",
    "plain_vector": lambda lib: f"{lib.tensor([1.0, 2.0])}",
    "bool_as_int": lambda lib: f"{lib.tensor(True):d}",
    "aligned": lambda lib: f"{lib.tensor(3.5):>8}",
    "exponent_float64": lambda lib: f"{lib.tensor(3.5, dtype=lib.float64):e}",
    "thousands": lambda lib: f"{lib.tensor(2 ** 40):,}",
    "float32_value": lambda lib: f"{lib.tensor(0.1):.10f}",
    "half": lambda lib: f"{lib.tensor(1.5, dtype=lib.float16):.4f}",
    "requires_grad": lambda lib: f"{lib.tensor(1.5, requires_grad=True):.2f}",
    "format_method": lambda lib: "{:.2f}".format(lib.tensor(1.0)),
    "percent": lambda lib: "%.2f" % lib.tensor(1.2345),
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_format_zero_dim(name):
    same(FORMATS[name])


@pytest.mark.parametrize("make", [
    lambda lib: f"{lib.tensor([3.14159]):.3f}",
    lambda lib: f"{lib.tensor([3.14159, 2.0]):.3f}",
    lambda lib: f"{lib.ones(2, 2):.2f}",
])
def test_format_spec_on_non_scalar_is_type_error(make):
    check_error(make)


# -- dtypes, Size, devices ----------------------------------------------------------------------
DTYPE_NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
               "float64", "complex64", "complex128", "float", "double", "half", "long", "int",
               "short", "cfloat", "cdouble"]


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_dtype_repr_and_properties(name):
    def describe(lib):
        d = getattr(lib, name)
        return (repr(d), str(d), d.is_floating_point, d.is_complex, d.is_signed, d.itemsize)
    same(describe)


def test_dtype_aliases_are_the_same_objects():
    assert ember.float is ember.float32 and ember.double is ember.float64
    assert ember.long is ember.int64 and ember.int is ember.int32 and ember.half is ember.float16
    assert {ember.float32: 1}[ember.float] == 1


SIZES = {
    "repr": lambda lib: repr(lib.Size([2, 3])),
    "str": lambda lib: str(lib.Size([2, 3])),
    "format": lambda lib: f"{lib.Size([2, 3])}",
    "empty": lambda lib: repr(lib.Size([])),
    "numel": lambda lib: (lib.Size([2, 3]).numel(), lib.Size([]).numel()),
    "index": lambda lib: (lib.Size([2, 3])[-1], lib.Size([2, 3]).index(3),
                          lib.Size([2, 3]).count(2)),
    "slice": lambda lib: repr(lib.Size([2, 3, 4])[1:]),
    "reverse": lambda lib: repr(lib.Size([2, 3])[::-1]),
    "add_tuple": lambda lib: repr(lib.Size([2, 3]) + (4,)),
    "add_size": lambda lib: repr(lib.Size([2, 3]) + lib.Size([1])),
    "radd_tuple": lambda lib: repr((1,) + lib.Size([2, 3])),
    "mul": lambda lib: repr(lib.Size([2, 3]) * 2),
    "rmul": lambda lib: repr(2 * lib.Size([2, 3])),
    "equals_tuple": lambda lib: (lib.Size([2, 3]) == (2, 3), lib.Size([2, 3]) == [2, 3]),
    "hash": lambda lib: hash(lib.Size([2, 3])) == hash((2, 3)),
    "from_tensor_and_numpy_ints": lambda lib: repr(lib.Size([lib.tensor(2), np.int64(3)])),
    "from_bool": lambda lib: repr(lib.Size([True, 2])),
    "from_generator": lambda lib: repr(lib.Size(x for x in [1, 2])),
    "shape_slice": lambda lib: repr(lib.ones(2, 3).shape[1:]),
    "shape_is_tuple": lambda lib: isinstance(lib.ones(2).shape, tuple),
}


@pytest.mark.parametrize("name", sorted(SIZES))
def test_size(name):
    same(SIZES[name])


@pytest.mark.parametrize("make", [
    lambda lib: lib.Size([2, 3]) + [4],
    lambda lib: lib.Size((2.5,)),
    lambda lib: lib.Size(["a", 2]),
    lambda lib: lib.Size([2, None]),
    lambda lib: lib.Size([lib.tensor([2, 3])]),
    lambda lib: lib.Size([lib.tensor(2.0)]),
    lambda lib: lib.Size([2]) * 2.0,
])
def test_size_errors(make):
    check_error(make)


def test_size_pickles():
    import pickle
    size = pickle.loads(pickle.dumps(ember.Size([2, 3])))
    assert type(size) is ember.Size and size == (2, 3)


DEVICES = {
    "repr": lambda lib: repr(lib.device("cpu")),
    "str_with_index": lambda lib: str(lib.device("cuda:1")),
    "type_and_index": lambda lib: repr(lib.device("cuda", 1)),
    "cpu_index": lambda lib: repr(lib.device("cpu", 0)),
    "copy": lambda lib: repr(lib.device(lib.device("cpu"))),
    "equality": lambda lib: (lib.device("cpu") == lib.device("cpu"),
                             lib.device("cpu") == lib.device("cpu", 0),
                             lib.device("cpu") == "cpu"),
    "tensor_device": lambda lib: lib.ones(2, device=lib.device("cpu")).device == lib.device(
        "cpu"),
    "factory_cpu": lambda lib: lib.tensor(1.0, device="cpu"),
}


@pytest.mark.parametrize("name", sorted(DEVICES))
def test_device(name):
    same(DEVICES[name])


@pytest.mark.parametrize("make", [
    lambda lib: lib.device("cuda:x"),
    lambda lib: lib.device("gpu"),
    lambda lib: lib.device("cuda", -1),
    lambda lib: lib.device(1),
    lambda lib: lib.zeros(2, device="cuda"),
    lambda lib: lib.zeros(2, device=0),
    lambda lib: lib.ones(2).to("cuda:0"),
])
def test_device_errors(make):
    check_error(make)
