"""Signal windows against PyTorch: lengths 0..9, periodic and symmetric, float dtypes,
window parameters, and PyTorch's errors."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from oracle import assert_same_tensor, check_error

WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window"]


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(WINDOWS), n=st.integers(0, 9), periodic=st.booleans(),
       dtype=st.sampled_from(["float32", "float64"]))
def test_windows_match_torch(name, n, periodic, dtype):
    e = getattr(ember, name)(n, periodic, dtype=getattr(ember, dtype))
    t = getattr(torch, name)(n, periodic, dtype=getattr(torch, dtype))
    assert_same_tensor(e, t)


def test_window_parameters_and_defaults():
    assert_same_tensor(ember.hamming_window(7, False, alpha=0.5, beta=0.3),
                       torch.hamming_window(7, False, alpha=0.5, beta=0.3))
    assert_same_tensor(ember.kaiser_window(8, True, 5.0), torch.kaiser_window(8, True, 5.0))
    assert_same_tensor(ember.hann_window(6), torch.hann_window(6))
    w = ember.hann_window(4, requires_grad=True)
    assert w.requires_grad and w.is_leaf


def test_windows_are_function_only():
    for name in WINDOWS:
        assert hasattr(torch.Tensor, name) is hasattr(ember.Tensor, name) is False


@pytest.mark.parametrize("name", WINDOWS)
def test_window_errors(name):
    check_error(lambda lib: getattr(lib, name)(-1))
    check_error(lambda lib: getattr(lib, name)(5, dtype=lib.int64))
    check_error(lambda lib: getattr(lib, name)(5, dtype=lib.int32))
