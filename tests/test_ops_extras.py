"""Less common pointwise ops (xlogy, float_power, deg2rad, rad2deg, sinc, signbit, heaviside,
positive, ldexp, nextafter, gcd, lcm, frexp) and the torch-level in-place functions, against
PyTorch: values, dtypes, grad_fn names, gradients, errors; float64 gradcheck."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp

import ember
from ember.autograd import gradcheck, gradgradcheck
from oracle import check_error, check_op

SETTINGS = settings(max_examples=15, deadline=None)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)


def values(shape, low, high, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(dtype)


UNARY = {
    "deg2rad": (lambda lib, x: lib.deg2rad(x), -200, 200),
    "rad2deg": (lambda lib, x: x.rad2deg(), -4, 4),
    "sinc": (lambda lib, x: lib.sinc(x), -3, 3),
    "signbit": (lambda lib, x: lib.signbit(x), -3, 3),
    "positive": (lambda lib, x: lib.positive(x), -3, 3),
    "frexp": (lambda lib, x: tuple(lib.frexp(x)), -50, 50),
    "float_power_scalar": (lambda lib, x: lib.float_power(x, 2), -3, 3),
    "float_power_base": (lambda lib, x: lib.float_power(2, x), -3, 3),
    "xlogy_number_other": (lambda lib, x: lib.xlogy(x, 3.0), -3, 3),
    "xlogy_number_self": (lambda lib, x: lib.xlogy(2.0, x), 0.1, 3),
}


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@SETTINGS
@given(shape=shapes)
def test_unary(name, dtype, shape):
    fn, low, high = UNARY[name]
    check_op(fn, values(shape, low, high, dtype))


@pytest.mark.parametrize("name", ["deg2rad", "sinc", "signbit", "xlogy_number_other",
                                  "float_power_scalar"])
def test_unary_on_integers(name):
    fn = UNARY[name][0]
    check_op(fn, np.array([-3, 0, 2, 5]))


def test_sinc_at_zero_and_its_gradient():
    check_op(lambda lib, x: lib.sinc(x), np.array([0.0, 1e-20, 1.0, -0.5]))


BINARY = {
    "xlogy": (lambda lib, x, y: lib.xlogy(x, y), (-2, 2), (0.1, 3)),
    "float_power": (lambda lib, x, y: lib.float_power(x, y), (0.5, 2), (-2, 2)),
    "nextafter": (lambda lib, x, y: lib.nextafter(x, y), (-2, 2), (-2, 2)),
    "heaviside": (lambda lib, x, y: lib.heaviside(x.round(), y), (-2, 2), (0, 1)),
}


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_binary(name, dtype, shapes):
    fn, (lo1, hi1), (lo2, hi2) = BINARY[name]
    a = values(shapes.input_shapes[0], lo1, hi1, dtype, 1)
    b = values(shapes.input_shapes[1], lo2, hi2, dtype, 2)
    if name == "heaviside":
        check_op(fn, a, b, requires_grad=False)
    else:
        check_op(fn, a, b)


def test_xlogy_zero_and_nan_rules():
    check_op(lambda lib, x, y: lib.xlogy(x, y), np.array([0.0, 0.0, 1.0, 2.0]),
             np.array([0.0, np.nan, 0.0, 3.0]), requires_grad=False)


def test_ldexp():
    exponents = np.arange(12).reshape(3, 4) - 6
    check_op(lambda lib, x, e: lib.ldexp(x, e), values((3, 4), -2, 2), exponents)
    check_op(lambda lib, x, e: lib.ldexp(x, e), values((3, 4), -2, 2), exponents * 0.5)
    check_op(lambda lib, x, e: lib.ldexp(x, e), np.array([1, 2]), np.array([1, 2]))


def test_gcd_lcm():
    a = np.array([4, 6, 0, -12, 7])
    b = np.array([6, -9, 5, 18, 0])
    check_op(lambda lib, x, y: lib.gcd(x, y), a, b)
    check_op(lambda lib, x, y: lib.lcm(x, y), a, b)
    check_op(lambda lib, x, y: x.gcd(y), a.astype(np.int32), b.astype(np.int32))


def test_heaviside_has_no_derivative():
    check_error(lambda lib, x, v: lib.heaviside(x.requires_grad_(), v).sum().backward(),
                np.array([0.0, -1.0]), np.array([0.5, 0.5]))


@pytest.mark.parametrize("call", [
    lambda lib, x, i: lib.heaviside(x, i),
    lambda lib, x, i: lib.gcd(x, x),
    lambda lib, x, i: lib.frexp(i),
    lambda lib, x, i: lib.positive(i > 0),
    lambda lib, x, i: lib.nextafter(i, i),
    lambda lib, x, i: lib.xlogy(x, lib.ones(3)),
    lambda lib, x, i: x.float_power_(2),
])
def test_errors(call):
    check_error(call, np.array([1.0, 2.0], np.float32), np.array([1, 2]))


IN_PLACE = ["xlogy_", "deg2rad_", "rad2deg_", "sinc_", "ldexp_", "nextafter_"]


@pytest.mark.parametrize("name", IN_PLACE)
def test_in_place_methods(name):
    args = {"xlogy_": (2.0,), "ldexp_": None, "nextafter_": None}.get(name, ())

    def fn(lib, x, y):
        x = x * 1  # a non-leaf, so the in-place op is differentiable
        extra = (y,) if args is None else args
        return getattr(x, name)(*extra)
    check_op(fn, values((4,), 0.5, 2), values((4,), 0.5, 2, seed=3))


def test_float_power_in_place_on_double():
    check_op(lambda lib, x: (x * 1).float_power_(2), values((3,), 0.5, 2))


@pytest.mark.parametrize("name", ["exp_", "sigmoid_", "zero_", "clamp_", "sinc_", "xlogy_"])
def test_torch_level_in_place_functions(name):
    args = {"clamp_": (0.2, 0.8), "xlogy_": (2.0,)}.get(name, ())
    check_op(lambda lib, x: getattr(lib, name)(x, *args), values((5,), 0, 1),
             requires_grad=False)


@pytest.mark.parametrize("fn", [
    lambda x: ember.xlogy(x, x + 3), lambda x: ember.sinc(x), lambda x: ember.deg2rad(x),
    lambda x: ember.rad2deg(x), lambda x: ember.float_power(x.abs() + 0.5, x),
    lambda x: ember.ldexp(x, ember.tensor([1, 0, 2])), lambda x: ember.frexp(x)[0],
    lambda x: ember.xlogy(2.0, x.abs() + 0.5),
    lambda x: ember.ldexp(x, x * 2),
])
def test_gradcheck(fn):
    x = ember.tensor([0.3, -0.7, 1.4], dtype=ember.float64, requires_grad=True)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_xlogy_gradient_where_x_is_zero():
    # PyTorch's derivative in x is log(y) even at x == 0, except where y <= 0 too.
    check_op(lambda lib, x, y: lib.xlogy(x, y), np.array([0.0, 0.0, 0.0, 1.5]),
             np.array([2.0, 0.0, -1.0, 3.0]))
