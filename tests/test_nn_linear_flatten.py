"""``bilinear``/``nn.Bilinear`` and ``nn.Flatten``/``nn.Unflatten`` against PyTorch: init,
values, graphs, gradients, ``repr``, float64 gradcheck, and errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import ember
from ember.autograd import gradcheck, gradgradcheck
from nn_oracle import check_module
from oracle import check_error, check_op

DTYPES = st.sampled_from([np.float32, np.float64])


def _values(shape, dtype, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@settings(max_examples=25, deadline=None)
@given(batch=array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
       sizes=st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)),
       bias=st.booleans(), dtype=DTYPES, seed=st.integers(0, 2**16))
def test_bilinear(batch, sizes, bias, dtype, seed):
    in1, in2, out = sizes
    inputs = [_values(batch + (in1,), dtype, seed), _values(batch + (in2,), dtype, seed + 1),
              _values((out, in1, in2), dtype, seed + 2)]
    if bias:
        inputs.append(_values((out,), dtype, seed + 3))
    check_op(lambda lib, *xs: lib.nn.functional.bilinear(*xs), *inputs)
    check_op(lambda lib, *xs: lib.bilinear(*xs), *inputs)


def test_bilinear_non_contiguous():
    x1, x2 = _values((4, 3), np.float32, 0), _values((2, 3), np.float32, 1)
    w, b = _values((5, 4, 2), np.float32, 2), _values((5,), np.float32, 3)
    check_op(lambda lib, a, c, v, d: lib.bilinear(a.t(), c.t(), v, d), x1, x2, w, b)
    check_op(lambda lib, a, c, v, d: lib.bilinear(a.t(), c[::2], v.transpose(1, 2), d), x1,
             _values((6, 2), np.float32, 4), w.transpose(0, 2, 1).copy(), b)


def test_bilinear_gradcheck():
    args = [ember.tensor(_values(s, np.float64, i), requires_grad=True)
            for i, s in enumerate([(3, 2), (3, 4), (5, 2, 4), (5,)])]
    assert gradcheck(ember.bilinear, args)
    assert gradgradcheck(ember.bilinear, args)


@pytest.mark.parametrize("make", [lambda lib: lib.nn.Bilinear(3, 4, 5),
                                  lambda lib: lib.nn.Bilinear(2, 2, 1, bias=False),
                                  lambda lib: lib.nn.Bilinear(3, 4, 2, dtype=lib.float64)])
def test_bilinear_module(make):
    dtype = np.float64 if make(ember).weight.dtype == ember.float64 else np.float32
    in1, in2 = make(ember).in1_features, make(ember).in2_features
    check_module(make, _values((6, in1), dtype, 0), _values((6, in2), dtype, 1))
    import torch
    assert repr(make(ember)) == repr(make(torch))


def test_bilinear_module_zero_features():
    check_error(lambda lib: lib.nn.Bilinear(0, 2, 3))


BILINEAR_ERRORS = [
    ((2, 5), (2, 4), (3, 5), None),
    ((2, 5), (3, 4), (3, 5, 4), None),
    ((2, 6), (2, 4), (3, 5, 4), None),
    ((2, 5), (2, 3), (3, 5, 4), None),
    ((2, 5), (2, 4), (3, 5, 4), (2,)),
    ((2, 5), (2, 4, 1), (3, 5, 4), None),
]


@pytest.mark.parametrize("shapes", BILINEAR_ERRORS)
def test_bilinear_errors(shapes):
    inputs = [_values(s, np.float32, 0) for s in shapes if s is not None]
    check_error(lambda lib, *xs: lib.bilinear(*xs), *inputs)


def test_bilinear_dtype_error():
    x = _values((2, 5), np.float64, 0)
    y, w = _values((2, 4), np.float32, 1), _values((3, 5, 4), np.float32, 2)
    check_error(lambda lib, a, b, c: lib.bilinear(a, b, c), x, y, w)
    check_error(lambda lib, a, b, c: lib.bilinear(b, b, c, a[0, :3]), x, y[:, :4].copy(),
                _values((3, 4, 4), np.float32, 3))


@pytest.mark.parametrize("make,shape", [
    (lambda lib: lib.nn.Flatten(), (2, 3, 4)),
    (lambda lib: lib.nn.Flatten(0, -1), (2, 3, 4)),
    (lambda lib: lib.nn.Flatten(1, 2), (2, 3, 4, 5)),
    (lambda lib: lib.nn.Flatten(-2), (2, 3, 4)),
    (lambda lib: lib.nn.Unflatten(1, (2, 3)), (4, 6)),
    (lambda lib: lib.nn.Unflatten(-1, [3, -1]), (4, 6)),
    (lambda lib: lib.nn.Unflatten(0, ember.Size([2, 2])
                                  if lib is ember else lib.Size([2, 2])), (4, 6)),
])
def test_flatten_modules(make, shape):
    check_module(make, _values(shape, np.float32, 0))
    import torch
    assert repr(make(ember)) == repr(make(torch))


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.Unflatten("features", (("C", 2), ("H", 3))),
    lambda lib: lib.nn.Unflatten(1, (2.0, 3)),
    lambda lib: lib.nn.Unflatten(1, 6),
    lambda lib: lib.nn.Unflatten(1, None),
])
def test_unflatten_bad_sizes(make):
    check_error(make)


def test_flatten_errors():
    x = _values((4, 6), np.float32, 0)
    check_error(lambda lib, a: lib.nn.Flatten(2)(a), x)
    check_error(lambda lib, a: lib.nn.Unflatten(1, (4, 2))(a), x)
    check_error(lambda lib, a: lib.nn.Unflatten(3, (2, 3))(a), x)
