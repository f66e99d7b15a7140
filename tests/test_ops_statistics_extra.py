"""dist, renorm, cov, corrcoef, trapezoid rules, vander, unique_consecutive, isreal, angle,
i0, mvlgamma, igamma/igammac against PyTorch: values, dtypes, grad_fn names, gradients,
errors; float64 gradcheck."""

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck
from oracle import check_error, check_op


def values(shape, dtype=np.float64, seed=0, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(dtype)


# name -> (fn(lib, x, y), x shape, y shape, value range)
CASES = {
    "dist2": (lambda lib, x, y: lib.dist(x, y), (3, 4), (4,), (-2, 2)),
    "dist1": (lambda lib, x, y: x.dist(y, 1), (3, 4), (3, 4), (-2, 2)),
    "dist3": (lambda lib, x, y: lib.dist(x, y, 3), (2, 3), (2, 3), (-2, 2)),
    "dist_inf": (lambda lib, x, y: lib.dist(x, y, float("inf")), (5,), (5,), (-2, 2)),
    "renorm2": (lambda lib, x, y: x.renorm(2, 0, 1.0), (3, 4), (1,), (-2, 2)),
    "renorm1": (lambda lib, x, y: lib.renorm(x, 1, 1, 0.5), (3, 4), (1,), (-2, 2)),
    "renorm3_": (lambda lib, x, y: (x * 1).renorm_(3, -1, 2.0), (2, 3, 4), (1,), (-2, 2)),
    "cov": (lambda lib, x, y: lib.cov(x), (3, 5), (5,), (-2, 2)),
    "cov_1d": (lambda lib, x, y: x.cov(correction=0), (6,), (5,), (-2, 2)),
    "cov_weights": (lambda lib, x, y: lib.cov(x, fweights=lib.tensor([1, 2, 1, 1, 3]),
                                              aweights=y), (3, 5), (5,), (0.1, 2)),
    "cov_aweights": (lambda lib, x, y: lib.cov(x, correction=2, aweights=y), (2, 5), (5,),
                     (0.1, 2)),
    "corrcoef": (lambda lib, x, y: lib.corrcoef(x), (3, 5), (5,), (-2, 2)),
    "corrcoef_1d": (lambda lib, x, y: x.corrcoef(), (5,), (5,), (-2, 2)),
    "trapezoid": (lambda lib, x, y: lib.trapezoid(x), (3, 5), (5,), (-2, 2)),
    "trapezoid_dx": (lambda lib, x, y: lib.trapezoid(x, dx=0.5, dim=0), (3, 5), (5,), (-2, 2)),
    "trapezoid_x": (lambda lib, x, y: lib.trapezoid(x, y), (3, 5), (5,), (-2, 2)),
    "trapz_xfull": (lambda lib, x, y: lib.trapz(x, y * x), (3, 5), (5,), (-2, 2)),
    "trapezoid_empty": (lambda lib, x, y: lib.trapezoid(x, dim=0), (0, 3), (5,), (-2, 2)),
    "cumulative_trapezoid": (lambda lib, x, y: lib.cumulative_trapezoid(x), (3, 5), (5,),
                             (-2, 2)),
    "cumulative_trapezoid_x": (lambda lib, x, y: lib.cumulative_trapezoid(x, y), (3, 5), (5,),
                               (-2, 2)),
    "cumulative_trapezoid_dx": (lambda lib, x, y: lib.cumulative_trapezoid(x, dx=2.0, dim=0),
                                (3, 5), (5,), (-2, 2)),
    "angle": (lambda lib, x, y: lib.angle(x), (3, 4), (1,), (-2, 2)),
    "i0": (lambda lib, x, y: lib.i0(x * 8), (3, 4), (1,), (-2, 2)),
    "i0_large": (lambda lib, x, y: x.i0(), (5,), (1,), (20, 60)),
    "mvlgamma": (lambda lib, x, y: lib.mvlgamma(x, 3), (3, 4), (1,), (1.5, 5)),
    "mvlgamma_": (lambda lib, x, y: (x * 1).mvlgamma_(1), (3, 4), (1,), (0.5, 5)),
    "igamma": (lambda lib, x, y: lib.igamma(x.detach(), y), (3, 4), (4,), (0.1, 6)),
    "igammac": (lambda lib, x, y: lib.igammac(x.detach(), y), (3, 4), (4,), (0.1, 6)),
    "igamma_large": (lambda lib, x, y: lib.igamma(x.detach(), y), (6,), (6,), (20, 80)),
}


def _inputs(name, dtype):
    _, xs, ys, (low, high) = CASES[name]
    return values(xs, dtype, 0, low, high), values(ys, dtype, 1, low, high)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_oracle(name, dtype):
    x, y = _inputs(name, dtype)
    tol = {"atol": 1e-4, "rtol": 1e-3} if dtype == np.float32 else {"atol": 1e-9, "rtol": 1e-7}
    check_op(CASES[name][0], x, y, **tol)


@pytest.mark.parametrize("name", sorted(n for n in CASES if n != "trapezoid_empty"))
def test_gradcheck(name):
    x, y = _inputs(name, np.float64)
    ex = ember.from_numpy(x).requires_grad_(not name.startswith("igamma"))
    ey = ember.from_numpy(y).requires_grad_()
    assert gradcheck(lambda a, b: CASES[name][0](ember, a, b), (ex, ey))


def test_integer_and_bool_inputs():
    a = np.arange(-3, 9, dtype=np.int64).reshape(3, 4)
    for fn in (lambda lib, x: lib.cov(x), lambda lib, x: lib.trapezoid(x),
               lambda lib, x: lib.cumulative_trapezoid(x, dim=0), lambda lib, x: lib.angle(x),
               lambda lib, x: lib.i0(x), lambda lib, x: lib.isreal(x),
               lambda lib, x: lib.vander(x[0]), lambda lib, x: lib.vander(x[1], 6, True),
               lambda lib, x: lib.mvlgamma(x.abs() + 3, 2)):
        check_op(fn, a)
    check_op(lambda lib, x: lib.vander(x), np.array([True, False]))


def test_vander_float():
    # PyTorch's vander writes into its result in place: the forward is compared here.
    check_op(lambda lib, x: lib.vander(x, 4), values((5,), np.float32), requires_grad=False)
    check_op(lambda lib, x: lib.vander(x, 0, True), values((3,)), requires_grad=False)


def test_unique_consecutive():
    a = np.array([1, 1, 2, 2, 3, 1, 1])
    check_op(lambda lib, x: lib.unique_consecutive(x, return_inverse=True,
                                                   return_counts=True), a)
    check_op(lambda lib, x: x.unique_consecutive(return_counts=True), a.astype(np.float32),
             requires_grad=False)
    m = np.array([[1, 1, 2, 1], [0, 0, 3, 0]])
    check_op(lambda lib, x: lib.unique_consecutive(x, True, True, dim=1), m)
    check_op(lambda lib, x: lib.unique_consecutive(x, return_inverse=True, dim=0), m)
    x = ember.tensor([1.0, 1.0, 2.0], requires_grad=True)
    out = ember.unique_consecutive(x)
    assert out.grad_fn.name() == "UniqueConsecutiveBackward0"
    with pytest.raises(NotImplementedError, match="unique_consecutive"):
        out.sum().backward()


def test_isreal_complex():
    z = np.array([1 + 0j, 2 + 1j, -1j], dtype=np.complex64)
    check_op(lambda lib, x: lib.isreal(x), z)
    check_op(lambda lib, x: lib.angle(x), z, requires_grad=False)


def test_igamma_input_has_no_derivative():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="igamma: input"):
        ember.igamma(a, ember.tensor([0.5, 1.0])).sum().backward()


ERRORS = [
    lambda lib, x: lib.dist(x.long(), x.long()),
    lambda lib, x: x.renorm(2, 5, 1.0),
    lambda lib, x: x.renorm(-1, 0, 1.0),
    lambda lib, x: x.long().renorm(2, 0, 1.0),
    lambda lib, x: lib.cov(x.unsqueeze(0)),
    lambda lib, x: lib.cov(x, fweights=lib.ones(4)),
    lambda lib, x: lib.cov(x, fweights=lib.tensor([1, -2, 1, 1])),
    lambda lib, x: lib.cov(x, aweights=lib.tensor([1, 2, 1, 1])),
    lambda lib, x: lib.cov(x, aweights=lib.tensor([1.0, -2, 1, 1])),
    lambda lib, x: lib.cov(x, aweights=lib.ones(3)),
    lambda lib, x: lib.trapezoid(x, lib.ones(5)),
    lambda lib, x: lib.vander(x),
    lambda lib, x: lib.vander(x[0], N=-1),
    lambda lib, x: lib.mvlgamma(x, 0),
    lambda lib, x: lib.igamma(x.long(), x.long()),
    lambda lib, x: lib.igamma(x, 2.0),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors(case):
    check_error(ERRORS[case], values((3, 4), np.float32))
