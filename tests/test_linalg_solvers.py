"""Triangular solves, Cholesky solves, the matrix exponential and linalg.vander against
PyTorch: values, grad_fn names, gradients, errors; float64 gradcheck/gradgradcheck."""

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from oracle import check_error, check_op

RNG = np.random.default_rng(0)


def triangular(shape, dtype=np.float64):
    a = RNG.standard_normal(shape)
    return (a + 3 * np.eye(shape[-1])).astype(dtype)


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unit", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_solve_triangular(upper, left, unit, dtype):
    a = triangular((2, 3, 3), dtype)
    b = RNG.standard_normal((2, 3, 4) if left else (2, 4, 3)).astype(dtype)
    check_op(lambda lib, A, B: lib.linalg.solve_triangular(A, B, upper=upper, left=left,
                                                           unitriangular=unit), a, b,
             atol=1e-4 if dtype == np.float32 else None)


def test_solve_triangular_broadcasts():
    check_op(lambda lib, A, B: lib.linalg.solve_triangular(A, B, upper=False),
             triangular((3, 3)), RNG.standard_normal((2, 3, 2)))


@pytest.mark.parametrize("upper", [True, False])
def test_cholesky_solve_and_inverse(upper):
    m = RNG.standard_normal((3, 3))
    spd = m @ m.T + 3 * np.eye(3)
    factor = np.linalg.cholesky(spd)
    factor = factor.T.copy() if upper else factor
    b = RNG.standard_normal((3, 2))
    check_op(lambda lib, B, L: lib.cholesky_solve(B, L, upper), b, factor,
             check_grad_fn=False)
    check_op(lambda lib, L: lib.cholesky_inverse(L, upper), factor, check_grad_fn=False)


@pytest.mark.parametrize("scale", [0.1, 1.0, 8.0])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matrix_exp(scale, dtype):
    a = (RNG.standard_normal((2, 4, 4)) * scale).astype(dtype)
    tol = dict(atol=1e-3, rtol=1e-4) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)
    check_op(lambda lib, A: lib.linalg.matrix_exp(A), a, **tol)
    check_op(lambda lib, A: A.matrix_exp(), a[0], **tol)


def test_vander():
    check_op(lambda lib, x: lib.linalg.vander(x), RNG.standard_normal(4))
    check_op(lambda lib, x: lib.linalg.vander(x, N=3), RNG.standard_normal((2, 3)))


@pytest.mark.parametrize("call", [
    lambda lib, a, b: lib.linalg.solve_triangular(a, b[0], upper=True),
    lambda lib, a, b: lib.linalg.solve_triangular(a, b[:2], upper=True),
    lambda lib, a, b: lib.linalg.solve_triangular(a, b.mT, upper=True),
    lambda lib, a, b: lib.linalg.matrix_exp(a[:, :2]),
    lambda lib, a, b: lib.linalg.vander(a[0, :1]),
])
def test_errors(call):
    check_error(call, triangular((3, 3)), RNG.standard_normal((3, 2)))


@pytest.mark.parametrize("fn", [
    lambda A, B: ember.linalg.solve_triangular(A.triu() + 3 * ember.eye(3, dtype=A.dtype), B,
                                               upper=True),
    lambda A, B: ember.linalg.solve_triangular(A.tril() + 3 * ember.eye(3, dtype=A.dtype), B,
                                               upper=False, left=False),
    lambda A, B: ember.linalg.matrix_exp(A * 0.5),
])
def test_gradcheck(fn):
    A = ember.tensor(RNG.standard_normal((3, 3)), requires_grad=True)
    B = ember.tensor(RNG.standard_normal((3, 3)), requires_grad=True)
    assert gradcheck(fn, (A, B))
    assert gradgradcheck(fn, (A, B))


def test_solve_triangular_promotes_mixed_dtypes():
    check_op(lambda lib, A, B: lib.linalg.solve_triangular(A, B, upper=True),
             triangular((3, 3)), RNG.standard_normal((3, 2)).astype(np.float32))


@pytest.mark.parametrize("driver", [None, "gelsy", "gelsd", "gelss", "gels"])
@pytest.mark.parametrize("shapes", [((5, 3), (5, 2)), ((2, 6, 4), (2, 6, 3)), ((4, 4), (4,)),
                                    ((3, 5), (3, 2))])
def test_lstsq(driver, shapes):
    a = RNG.standard_normal(shapes[0])
    b = RNG.standard_normal(shapes[1])

    def solve(lib, A, B):
        result = lib.linalg.lstsq(A, B, driver=driver)
        return result.solution, result.residuals, result.rank, result.singular_values
    check_op(solve, a, b)


def test_lstsq_errors():
    check_error(lambda lib, a, b: lib.linalg.lstsq(a, b, driver="qr"),
                RNG.standard_normal((4, 3)), RNG.standard_normal((4, 2)))
    check_error(lambda lib, a, b: lib.linalg.lstsq(a, b), RNG.standard_normal((4, 3)),
                RNG.standard_normal((5, 2)))


def test_lstsq_gradcheck():
    A = ember.tensor(RNG.standard_normal((5, 3)), requires_grad=True)
    B = ember.tensor(RNG.standard_normal((5, 2)), requires_grad=True)
    assert gradcheck(lambda a, b: ember.linalg.lstsq(a, b).solution, (A, B))
    assert gradgradcheck(lambda a, b: ember.linalg.lstsq(a, b).solution, (A, B))


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (5, 3), (3, 5)])
def test_lu_factor_and_lu(shape):
    a = RNG.standard_normal(shape)
    square = shape[-1] == shape[-2]
    check_op(lambda lib, A: tuple(lib.linalg.lu_factor(A)), a, requires_grad=square)
    check_op(lambda lib, A: tuple(lib.linalg.lu_factor_ex(A)), a, requires_grad=square)
    check_op(lambda lib, A: tuple(lib.linalg.lu(A)), a, requires_grad=square)
    check_op(lambda lib, A: tuple(lib.lu_unpack(*lib.linalg.lu_factor(A))), a,
             requires_grad=False)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [True, False])
def test_lu_solve(left, adjoint):
    a = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    b = RNG.standard_normal((2, 3, 2) if left else (2, 2, 3))

    def solve(lib, A, B):
        LU, pivots = lib.linalg.lu_factor(A)
        return lib.linalg.lu_solve(LU, pivots, B, left=left, adjoint=adjoint)
    check_op(solve, a, b)


def test_lu_gradcheck():
    A = ember.tensor(RNG.standard_normal((3, 3)) + 2 * np.eye(3), requires_grad=True)
    B = ember.tensor(RNG.standard_normal((3, 2)), requires_grad=True)
    assert gradcheck(lambda a: ember.linalg.lu_factor(a).LU, (A,))
    assert gradcheck(lambda a: ember.linalg.lu(a)[1:], (A,))
    assert gradcheck(lambda a, b: ember.linalg.lu_solve(*ember.linalg.lu_factor(a), b), (A, B))
    assert gradgradcheck(lambda a: ember.linalg.lu(a).U, (A,))
