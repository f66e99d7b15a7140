"""Oracle tests for linalg.cond, tensorinv, tensorsolve and householder_product (orgqr)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from oracle import check_error, check_op, torch

rng = np.random.default_rng(0)
INF = float("inf")


def _well_conditioned(*shape):
    n = shape[-1]
    return rng.standard_normal(shape) + 3 * np.eye(n)


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", INF, -INF, 1, -1])
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (1, 1)])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_cond(p, shape, dtype):
    a = _well_conditioned(*shape).astype(dtype)
    atol = 1e-4 if dtype == "float32" else None
    if p in (None, 2, -2, "nuc"):
        check_op(lambda lib, x: lib.linalg.cond(x, p), a, atol=atol)
        return
    # PyTorch 2.13 overwrites (masked_fill_) the inverse that linalg_inv_ex saved for its
    # backward, so these orders have values and a graph but no gradient: ember does the same.
    check_op(lambda lib, x: lib.linalg.cond(x, p), a, atol=atol, requires_grad=False)
    for lib in (ember, torch):
        assert lib.linalg.cond(lib.from_numpy(a).requires_grad_(), p).grad_fn.name() == (
            "NanToNumBackward0")
    check_error(lambda lib, x: lib.linalg.cond(x.requires_grad_(), p).sum().backward(), a)


def test_cond_rectangular_and_special_inputs():
    check_op(lambda lib, x: lib.linalg.cond(x), rng.standard_normal((2, 3, 5)))
    check_op(lambda lib, x: lib.linalg.cond(x, -2), rng.standard_normal((4, 2)))
    check_op(lambda lib, x: lib.linalg.cond(x, 1), np.zeros((2, 3, 3)), requires_grad=False)
    check_op(lambda lib, x: lib.linalg.cond(x, "fro"), np.array([[1., 0], [0, 0]]),
             requires_grad=False)
    check_op(lambda lib, x: lib.linalg.cond(x, 1), np.array([[1., 2], [2, 4]]),
             requires_grad=False)
    check_op(lambda lib, x: lib.linalg.cond(x), np.zeros((0, 0)), requires_grad=False)
    check_op(lambda lib, x: lib.linalg.cond(x, 1), np.zeros((2, 0, 0)), requires_grad=False)


@pytest.mark.parametrize("call", [
    lambda lib: lib.linalg.cond(lib.ones(3)),
    lambda lib: lib.linalg.cond(lib.ones(2, 3), "fro"),
    lambda lib: lib.linalg.cond(lib.ones(2, 3), 1),
    lambda lib: lib.linalg.cond(lib.ones(2, 3), 1.0),
    lambda lib: lib.linalg.cond(lib.ones(2, 3), INF),
    lambda lib: lib.linalg.cond(lib.ones(3, 3), 3),
    lambda lib: lib.linalg.cond(lib.ones(3, 3), "abc"),
])
def test_cond_errors(call):
    check_error(call)


@pytest.mark.parametrize("shape,ind", [((4, 6, 8, 3), 2), ((6, 6), 1), ((6, 2, 3), 1),
                                       ((2, 3, 2, 3), 2), ((2, 3, 6), 2)])
def test_tensorinv(shape, ind):
    n = int(np.prod(shape[:ind]))
    a = (rng.standard_normal((n, n)) + 3 * np.eye(n)).reshape(shape)
    e_out, t_out = check_op(lambda lib, x: lib.linalg.tensorinv(x, ind=ind), a)
    assert e_out[0].stride() == t_out[0].stride()


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.linalg.tensorinv(x, ind=0),
    lambda lib, x: lib.linalg.tensorinv(x, ind=1),
    lambda lib, x: lib.linalg.tensorinv(x.long(), ind=2),
])
def test_tensorinv_errors(call):
    check_error(call, rng.standard_normal((2, 3, 6)))


@pytest.mark.parametrize("a_shape,b_shape,dims", [((2, 3, 6), (2, 3), None),
                                                  ((6, 2, 3), (2, 3), (0,)),
                                                  ((2, 3, 6), (3, 2), None),
                                                  ((2, 3, 2, 3), (2, 3), (0, 1)),
                                                  ((3, 2, 2, 3), (2, 3), (1, 3))])
def test_tensorsolve(a_shape, b_shape, dims):
    a = rng.standard_normal(a_shape)
    check_op(lambda lib, x, y: lib.linalg.tensorsolve(x, y, dims), a,
             rng.standard_normal(b_shape))


@pytest.mark.parametrize("call", [
    lambda lib, a, b: lib.linalg.tensorsolve(a[..., :5], b),
    lambda lib, a, b: lib.linalg.tensorsolve(a, b.float()),
    lambda lib, a, b: lib.linalg.tensorsolve(a, b, dims=(5,)),
])
def test_tensorsolve_errors(call):
    check_error(call, rng.standard_normal((2, 3, 6)), rng.standard_normal((2, 3)))


@given(st.integers(1, 5), st.integers(0, 4), st.sampled_from([(), (2,), (2, 1)]),
       st.sampled_from(["float64", "float32"]))
@settings(max_examples=25, deadline=None)
def test_householder_product(m, n, batch, dtype):
    n = min(n, m)
    k = rng.integers(0, n + 1)
    a = rng.standard_normal(batch + (m, n)).astype(dtype)
    tau = rng.standard_normal(batch + (k,)).astype(dtype)
    check_op(lambda lib, x, t: lib.linalg.householder_product(x, t), a, tau,
             atol=1e-4 if dtype == "float32" else None)


def test_householder_product_reproduces_qr():
    a = rng.standard_normal((5, 3))
    h, tau = torch.geqrf(torch.from_numpy(a))
    q = ember.linalg.householder_product(ember.from_numpy(h.numpy()),
                                         ember.from_numpy(tau.numpy()))
    np.testing.assert_allclose(q.numpy(), torch.linalg.qr(torch.from_numpy(a))[0].numpy(),
                               atol=1e-12)


def test_orgqr_and_gradcheck():
    a, tau = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 3))
    check_op(lambda lib, x, t: lib.orgqr(x, t), a, tau)
    check_op(lambda lib, x, t: x.orgqr(t), a, tau)
    check_op(lambda lib, x, t: lib.linalg.householder_product(x, t.detach()), a, tau)
    z = (rng.standard_normal((4, 3)) + 1j * rng.standard_normal((4, 3)))
    zt = rng.standard_normal(2) + 1j * rng.standard_normal(2)
    e = ember.linalg.householder_product(ember.from_numpy(z), ember.from_numpy(zt))
    t = torch.linalg.householder_product(torch.from_numpy(z), torch.from_numpy(zt))
    np.testing.assert_allclose(e.numpy(), t.numpy(), atol=1e-12)
    inputs = (ember.from_numpy(a).requires_grad_(), ember.from_numpy(tau).requires_grad_())
    assert ember.autograd.gradcheck(ember.linalg.householder_product, inputs)
    assert ember.autograd.gradgradcheck(ember.linalg.householder_product, inputs)
    matrix = ember.from_numpy(_well_conditioned(3, 3)).requires_grad_()
    for p in (None, -2, "nuc"):
        assert ember.autograd.gradcheck(lambda x, p=p: ember.linalg.cond(x, p), (matrix,))
    assert ember.autograd.gradcheck(lambda x: ember.linalg.tensorinv(x.reshape(3, 3), 1),
                                    (matrix,))


@pytest.mark.parametrize("call", [
    lambda lib: lib.linalg.householder_product(lib.ones(3), lib.ones(2)),
    lambda lib: lib.linalg.householder_product(lib.ones(3, 5), lib.ones(2)),
    lambda lib: lib.linalg.householder_product(lib.ones(5, 3), lib.ones(4)),
    lambda lib: lib.linalg.householder_product(lib.ones(5, 3), lib.ones(2, 2)),
    lambda lib: lib.linalg.householder_product(lib.ones(2, 5, 3), lib.ones(3, 2)),
    lambda lib: lib.linalg.householder_product(lib.ones(5, 3), lib.ones(2).double()),
    lambda lib: lib.linalg.householder_product(lib.ones(5, 3).long(), lib.ones(2).long()),
    lambda lib: lib.linalg.householder_product(lib.ones(5, 3), lib.ones(())),
])
def test_householder_product_errors(call):
    check_error(call)
