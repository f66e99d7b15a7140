"""Linear algebra against PyTorch: values, dtypes, grad_fn names and gradients (batched and
non-square where it applies), error types and messages, and float64 gradcheck /
gradgradcheck of every differentiable op."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.autograd import gradcheck, gradgradcheck
from oracle import check_error, check_op, torch

RNG = np.random.default_rng(1234)


def randn(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


def spd(*shape):
    """Well-conditioned symmetric positive-definite matrices."""
    x = randn(*shape)
    return x @ np.swapaxes(x, -1, -2) + shape[-1] * np.eye(shape[-1])


def well_conditioned(*shape):
    return randn(*shape) + 3 * np.eye(shape[-1])


# -- products ---------------------------------------------------------------------------------

MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)),
                 ((5, 2, 3), (3,)), ((3,), (5, 3, 2)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)),
                 ((5, 2, 3), (5, 3, 4)), ((5, 2, 3), (1, 3, 4)), ((2, 1, 2, 3), (5, 3, 4)),
                 ((2, 3), (2, 5, 3, 4)), ((3,), (2, 5, 3, 4)), ((0, 2, 3), (3, 4)),
                 ((2, 0), (0, 3))]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
@pytest.mark.parametrize("which", ["both", "left", "right"])
def test_matmul_ranks_grad_fn_and_gradients(sa, sb, which):
    def fn(lib, a, b):
        a = a if which != "right" else a.detach()
        b = b if which != "left" else b.detach()
        return a @ b
    check_op(fn, randn(*sa, dtype=np.float32), randn(*sb, dtype=np.float32))


@given(st.sampled_from([(2, 3), (1, 2, 3), (4, 2, 3), (4, 1, 2, 3)]),
       st.sampled_from([(3, 2), (1, 3, 2), (4, 3, 2), (1, 4, 3, 2)]),
       st.booleans())
@settings(max_examples=25, deadline=None)
def test_matmul_broadcast_batches(sa, sb, transposed):
    # Non-contiguous operands: the transpose of a stored matrix.
    b = randn(*sb[:-2], sb[-1], sb[-2]) if transposed else randn(*sb)
    check_op(lambda lib, x, y: x @ (y.mT if transposed else y), randn(*sa), b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.int32])
def test_matmul_dtypes(dtype):
    a = (randn(2, 3) * 4).astype(dtype)
    b = (randn(3, 4) * 4).astype(dtype)
    check_op(lambda lib, x, y: (x @ y, x.mm(y), lib.matmul(x[0], y)), a, b)
    check_op(lambda lib, x, y: lib.bmm(x.unsqueeze(0), y.unsqueeze(0)), a, b)


PRODUCTS = {
    "mm": (lambda lib, a, b: lib.mm(a, b), [(2, 3), (3, 4)]),
    "mm_noncontig": (lambda lib, a, b: a.t().mm(b[::2]), [(3, 2), (6, 4)]),
    "bmm": (lambda lib, a, b: a.bmm(b), [(2, 2, 3), (2, 3, 4)]),
    "mv": (lambda lib, a, v: a.mv(v), [(2, 3), (3,)]),
    "dot": (lambda lib, u, v: u.dot(v), [(3,), (3,)]),
    "vdot": (lambda lib, u, v: lib.vdot(u, v), [(3,), (3,)]),
    "outer": (lambda lib, u, v: lib.outer(u, v), [(3,), (4,)]),
    "ger": (lambda lib, u, v: u.ger(v), [(3,), (4,)]),
    "inner": (lambda lib, a, b: lib.inner(a, b), [(2, 3), (4, 3)]),
    "inner_1d": (lambda lib, a, b: a.inner(b), [(3,), (3,)]),
    "inner_0d": (lambda lib, a, b: lib.inner(a, b), [(), (3,)]),
    "kron": (lambda lib, a, b: lib.kron(a, b), [(2, 3), (3, 2)]),
    "kron_ranks": (lambda lib, a, b: a.kron(b), [(2,), (3, 2)]),
    "tensordot": (lambda lib, a, b: lib.tensordot(a, b, dims=([2], [1])), [(2, 3, 4), (2, 4, 5)]),
    "tensordot_int": (lambda lib, a, b: lib.tensordot(a, b), [(2, 3, 4), (3, 4, 5)]),
    "tensordot_0": (lambda lib, a, b: lib.tensordot(a, b, 0), [(2,), (3,)]),
    "addmm": (lambda lib, c, a, b: lib.addmm(c, a, b, beta=0.5, alpha=2), [(3,), (2, 4), (4, 3)]),
    "addmm_beta0": (lambda lib, c, a, b: c.addmm(a, b, beta=0), [(2, 3), (2, 4), (4, 3)]),
    "addmv": (lambda lib, c, a, v: lib.addmv(c, a, v, alpha=3), [(2,), (2, 3), (3,)]),
    "addr": (lambda lib, c, u, v: lib.addr(c, u, v, beta=2), [(1, 4), (3,), (4,)]),
    "baddbmm": (lambda lib, c, a, b: lib.baddbmm(c, a, b, alpha=0.5), [(2, 1, 4), (2, 3, 5),
                                                                       (2, 5, 4)]),
    "addbmm": (lambda lib, c, a, b: c.addbmm(a, b, beta=-1), [(3, 4), (2, 3, 5), (2, 5, 4)]),
    "addmm_": (lambda lib, c, a, b: (c * 1).addmm_(a, b), [(2, 3), (2, 4), (4, 3)]),
    "baddbmm_": (lambda lib, c, a, b: (c * 1).baddbmm_(a, b, beta=2), [(2, 3, 4), (2, 3, 5),
                                                                        (2, 5, 4)]),
}


@pytest.mark.parametrize("name", list(PRODUCTS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_products(name, dtype):
    fn, shapes = PRODUCTS[name]
    check_op(fn, *[randn(*s, dtype=dtype) for s in shapes])


@pytest.mark.parametrize("name", list(PRODUCTS))
def test_products_gradcheck(name):
    fn, shapes = PRODUCTS[name]
    inputs = [ember.tensor(randn(*s), requires_grad=True) for s in shapes]
    assert gradcheck(lambda *xs: fn(ember, *xs), inputs)
    assert gradgradcheck(lambda *xs: fn(ember, *xs), inputs)


EINSUM = [("ij->ij", [(3, 3)]), ("ji", [(3, 4)]), ("i->", [(3,)]), ("ii->i", [(3, 3)]),
          ("ii", [(3, 3)]), ("ij->j", [(3, 4)]), ("i,i->", [(3,), (3,)]), ("i,i->i", [(3,), (3,)]),
          ("ij,ij->i", [(3, 4), (3, 4)]), ("ij,jk->ki", [(2, 3), (3, 4)]),
          ("ij,jk", [(2, 3), (3, 4)]),
          ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]),
          ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]), ("i,j,k->ijk", [(2,), (3,), (2,)]),
          ("ij,kj->ik", [(2, 3), (4, 3)]), ("ii,i->i", [(3, 3), (3,)]), ("i,ij->j", [(3,), (3, 4)]),
          ("ij,k->i", [(2, 3), (4,)]), ("bii->b", [(2, 3, 3)]), ("b i j, b j -> b i",
                                                                 [(2, 3, 4), (2, 4)])]


@pytest.mark.parametrize("equation,shapes", EINSUM)
def test_einsum(equation, shapes):
    arrays = [randn(*s) for s in shapes]
    check_op(lambda lib, *xs: lib.einsum(equation, *xs), *arrays)
    inputs = [ember.tensor(a, requires_grad=True) for a in arrays]
    assert gradcheck(lambda *xs: ember.einsum(equation, *xs), inputs)
    assert gradgradcheck(lambda *xs: ember.einsum(equation, *xs), inputs)


def test_einsum_call_forms_and_dtypes():
    a, b = randn(2, 3), randn(3, 4)
    check_op(lambda lib, x, y: lib.einsum("ij,jk->ik", [x, y]), a, b)
    check_op(lambda lib, x, y: lib.einsum(x, [0, 1], y, [1, 2], [0, 2]), a, b)
    check_op(lambda lib, x: lib.einsum("ij->i", x), (a * 3).astype(np.int64))


# -- factorizations and their relatives --------------------------------------------------------

def _svd_invariant(lib, a):
    # U and V are defined up to signs: combine them so the result is well defined.
    U, S, Vh = lib.linalg.svd(a, full_matrices=False)
    return U @ Vh, S, U * U, Vh.abs()


def _eigh_invariant(lib, a):
    values, vectors = lib.linalg.eigh(a + a.mT)
    return values, vectors * vectors


DECOMPOSITIONS = {
    "inv": (lambda lib, a: lib.linalg.inv(a), [well_conditioned(3, 3)]),
    "inv_batched": (lambda lib, a: a.inverse(), [well_conditioned(2, 3, 3)]),
    "inv_ex": (lambda lib, a: lib.linalg.inv_ex(a), [well_conditioned(3, 3)]),
    "det": (lambda lib, a: lib.linalg.det(a), [randn(3, 3)]),
    "det_batched": (lambda lib, a: a.det(), [randn(2, 4, 4)]),
    "slogdet": (lambda lib, a: lib.linalg.slogdet(a), [randn(2, 3, 3)]),
    "torch_slogdet": (lambda lib, a: lib.slogdet(a), [randn(3, 3)]),
    "logdet": (lambda lib, a: lib.logdet(a), [spd(3, 3)]),
    "logdet_negative": (lambda lib, a: (a @ a.mT + lib.eye(3, dtype=a.dtype)).neg().logdet(),
                        [randn(3, 3)]),
    "solve": (lambda lib, a, b: lib.linalg.solve(a, b), [well_conditioned(3, 3), randn(3, 2)]),
    "solve_vector": (lambda lib, a, b: lib.linalg.solve(a, b), [well_conditioned(3, 3),
                                                                randn(3)]),
    "solve_batched_vector": (lambda lib, a, b: lib.linalg.solve(a, b),
                             [well_conditioned(2, 3, 3), randn(2, 3)]),
    "solve_broadcast": (lambda lib, a, b: lib.linalg.solve(a, b),
                        [well_conditioned(3, 3), randn(4, 3, 2)]),
    "solve_right": (lambda lib, a, b: lib.linalg.solve(a, b, left=False),
                    [well_conditioned(3, 3), randn(2, 3)]),
    "cholesky": (lambda lib, a: lib.linalg.cholesky(a @ a.mT + 3 * lib.eye(3, dtype=a.dtype)),
                 [randn(2, 3, 3)]),
    "cholesky_upper": (lambda lib, a: lib.linalg.cholesky(a @ a.mT + lib.eye(3, dtype=a.dtype),
                                                          upper=True), [randn(3, 3)]),
    "cholesky_ex": (lambda lib, a: lib.linalg.cholesky_ex(a @ a.mT + lib.eye(3, dtype=a.dtype)),
                    [randn(3, 3)]),
    "qr_tall": (lambda lib, a: lib.linalg.qr(a), [randn(4, 3)]),
    "qr_wide": (lambda lib, a: lib.linalg.qr(a), [randn(3, 5)]),
    "qr_batched_complete": (lambda lib, a: lib.linalg.qr(a, mode="complete"), [randn(2, 3, 3)]),
    "qr_r": (lambda lib, a: lib.linalg.qr(a.detach(), mode="r"), [randn(4, 3)]),
    "svd_full": (lambda lib, a: (lambda r: (r.S, r.U.shape, r.Vh.shape))(lib.linalg.svd(a)),
                 [randn(4, 3)]),
    "svd_tall": (_svd_invariant, [randn(4, 3)]),
    "svd_wide": (_svd_invariant, [randn(2, 3, 5)]),
    "torch_svd": (lambda lib, a: (lambda r: (r.U @ r.V.mT, r.S))(lib.svd(a)), [randn(4, 3)]),
    "svdvals": (lambda lib, a: lib.linalg.svdvals(a), [randn(2, 3, 4)]),
    "eigh": (_eigh_invariant, [randn(2, 3, 3)]),
    "eigh_values": (lambda lib, a: lib.linalg.eigh(a + a.mT, UPLO="U"), [randn(3, 3)]),
    "eigvalsh": (lambda lib, a: lib.linalg.eigvalsh(a + a.mT), [randn(3, 3)]),
    "pinv_tall": (lambda lib, a: lib.linalg.pinv(a), [randn(4, 3)]),
    "pinv_wide": (lambda lib, a: a.pinverse(), [randn(2, 3, 5)]),
    "pinv_hermitian": (lambda lib, a: lib.linalg.pinv(a + a.mT, hermitian=True), [randn(3, 3)]),
    "pinv_rank_deficient": (lambda lib, a: lib.linalg.pinv(a.detach() @ a.detach().mT),
                            [randn(4, 2)]),
    "matrix_rank": (lambda lib, a: (lib.linalg.matrix_rank(a), lib.linalg.matrix_rank(
        a @ a.mT), lib.linalg.matrix_rank(a @ a.mT, hermitian=True)), [randn(4, 2)]),
    "trace": (lambda lib, a: a.trace(), [randn(3, 4)]),
    "cross": (lambda lib, a, b: lib.linalg.cross(a, b), [randn(2, 3), randn(1, 3)]),
    "cross_dim": (lambda lib, a, b: lib.cross(a, b, dim=0), [randn(3, 2), randn(3, 2)]),
    "matrix_power": (lambda lib, a: lib.linalg.matrix_power(a, 3), [randn(2, 3, 3)]),
    "matrix_power_negative": (lambda lib, a: a.matrix_power(-2), [well_conditioned(3, 3)]),
    "matrix_power_zero": (lambda lib, a: lib.linalg.matrix_power(a, 0), [randn(3, 3)]),
    "multi_dot": (lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]), [randn(3), randn(3, 4),
                                                                         randn(4, 2)]),
    "vecdot": (lambda lib, a, b: lib.linalg.vecdot(a, b), [randn(2, 3), randn(3)]),
    "diagonal": (lambda lib, a: lib.linalg.diagonal(a, offset=1), [randn(2, 3, 4)]),
}


@pytest.mark.parametrize("name", list(DECOMPOSITIONS))
def test_decompositions(name):
    fn, arrays = DECOMPOSITIONS[name]
    check_op(fn, *arrays)


@pytest.mark.parametrize("name", [n for n in DECOMPOSITIONS if n not in (
    "qr_r", "matrix_rank", "pinv_rank_deficient", "svd_full", "logdet_negative")])
def test_decompositions_gradcheck(name):
    fn, arrays = DECOMPOSITIONS[name]
    inputs = [ember.tensor(a, requires_grad=True) for a in arrays]

    def f(*xs):
        out = fn(ember, *xs)
        return tuple(o for o in out if o.requires_grad) if isinstance(out, tuple) else out
    assert gradcheck(f, inputs)
    assert gradgradcheck(f, inputs)


def test_float32_decompositions():
    a = well_conditioned(2, 3, 3).astype(np.float32)
    check_op(lambda lib, x: (lib.linalg.inv(x), lib.linalg.det(x), lib.linalg.svdvals(x)), a,
             atol=1e-4, rtol=1e-4)


def test_det_gradient_of_singular_matrix():
    singular = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    check_op(lambda lib, a: lib.linalg.det(a), singular, grad_atol=1e-10)


# -- norms ------------------------------------------------------------------------------------

@pytest.mark.parametrize("ord", [2, 1, 0, 3, 0.5, math.inf, -math.inf, -1.5])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, True), ((0, 2), False)])
def test_vector_norm(ord, dim, keepdim):
    x = randn(2, 3, 4)
    x[0, 0, 0] = 0.0
    check_op(lambda lib, a: lib.linalg.vector_norm(a, ord, dim, keepdim), x)
    t = ember.tensor(x, requires_grad=True)
    assert gradcheck(lambda a: ember.linalg.vector_norm(a, ord, dim, keepdim), (t,))


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf])
@pytest.mark.parametrize("dim,keepdim", [((-2, -1), False), ((2, 0), True)])
def test_matrix_norm(ord, dim, keepdim):
    x = randn(2, 3, 4)
    check_op(lambda lib, a: lib.linalg.matrix_norm(a, ord, dim, keepdim), x)
    t = ember.tensor(x, requires_grad=True)
    assert gradcheck(lambda a: ember.linalg.matrix_norm(a, ord, dim, keepdim), (t,))


@pytest.mark.parametrize("call", [
    lambda lib, a: lib.linalg.norm(a), lambda lib, a: lib.linalg.norm(a[0], 2),
    lambda lib, a: lib.linalg.norm(a, dim=1), lambda lib, a: lib.linalg.norm(a, 1, (0, 1)),
    lambda lib, a: lib.linalg.norm(a[0, 0], -math.inf),
    lambda lib, a: lib.linalg.norm(a, dtype=lib.float64),
    lambda lib, a: a.norm(), lambda lib, a: a.norm(p=1, dim=0), lambda lib, a: a.norm(3, 1, True),
    lambda lib, a: lib.norm(a, "fro", (0, 1)), lambda lib, a: lib.norm(a[0], "nuc"),
    lambda lib, a: lib.norm(a, p=None, dim=())])
def test_norm_entry_points(call):
    check_op(call, randn(2, 3, 4, dtype=np.float32))


# -- errors -----------------------------------------------------------------------------------

ERRORS = [
    (lambda lib, a, b: a.mm(b.double()), (2, 3), (3, 2)),
    (lambda lib, a, b: a.mm(b), (2, 3), (2, 3)),
    (lambda lib, a, b: a.mm(b[0]), (2, 3), (3, 2)),
    (lambda lib, a, b: a.mv(b[0]), (2, 3), (2, 2)),
    (lambda lib, a, b: a.mv(b), (2, 3), (3, 2)),
    (lambda lib, a, b: a[0].dot(b[0]), (2, 3), (2, 2)),
    (lambda lib, a, b: a.dot(b), (2, 3), (2, 3)),
    (lambda lib, a, b: a.dot(b.double()), (3,), (3,)),
    (lambda lib, a, b: a.bmm(b), (2, 3), (3, 2)),
    (lambda lib, a, b: a.bmm(b), (2, 2, 3), (2, 2, 3)),
    (lambda lib, a, b: a.bmm(b.double()), (2, 2, 3), (2, 3, 3)),
    (lambda lib, a, b: a[0, 0, 0] @ b, (2, 2, 3), (2, 3, 3)),
    (lambda lib, a, b: a @ b, (2, 2, 3), (2, 2, 3)),
    (lambda lib, a, b: a @ b, (2, 2, 3), (3, 3, 3)),
    (lambda lib, a, b: a @ b[0, 0, :2], (2, 2, 3), (2, 3, 3)),
    (lambda lib, a, b: a @ b, (2, 2, 3), (2, 3)),
    (lambda lib, a, b: a[0, 0, :2] @ b, (2, 2, 3), (2, 3, 3)),
    (lambda lib, a, b: a[0] @ b.double(), (2, 2, 3), (3, 3)),
    (lambda lib, a, b: lib.addmm(a[0], a, b.double()), (2, 3), (3, 2)),
    (lambda lib, a, b: lib.addmm(a, a, b), (2, 3), (3, 2)),
    (lambda lib, a, b: lib.addmv(a[:, 0], b, a[0]), (3, 3), (2, 3)),
    (lambda lib, a, b: lib.addr(a, a, b[0]), (2, 3), (2, 3)),
    (lambda lib, a, b: lib.outer(a, b[0]), (2, 3), (2, 3)),
    (lambda lib, a, b: lib.addbmm(a[0], a, b), (2, 2, 3), (3, 3, 3)),
    (lambda lib, a, b: lib.tensordot(a, b, dims=1), (2, 3), (2, 3)),
    (lambda lib, a, b: lib.tensordot(a, b, dims=-1), (2, 3), (2, 3)),
    (lambda lib, a, b: lib.tensordot(a, b.double(), dims=1), (2, 3), (3, 2)),
    (lambda lib, a, b: lib.inner(a, b), (2, 3), (2, 2)),
    (lambda lib, a, b: lib.einsum("i,i", a, b.double()), (3,), (3,)),
    (lambda lib, a, b: lib.einsum("ij,jk", a, b), (2, 3), (2, 3)),
    (lambda lib, a, b: lib.einsum("ij", a[0]), (2, 3), (2, 3)),
    (lambda lib, a, b: lib.einsum("i,i->j", a, b), (3,), (3,)),
    (lambda lib, a, b: lib.einsum("i", a, b), (3,), (3,)),
    (lambda lib, a, b: lib.einsum("i,i", a), (3,), (3,)),
    (lambda lib, a, b: a.trace(), (2, 2, 2), (1,)),
    (lambda lib, a, b: a.bool().trace(), (2, 2), (1,)),
    (lambda lib, a, b: lib.linalg.inv(a), (2, 3), (1,)),
    (lambda lib, a, b: lib.linalg.inv(a.long()), (2, 2), (1,)),
    (lambda lib, a, b: lib.linalg.inv(a), (3,), (1,)),
    (lambda lib, a, b: lib.linalg.det(a), (2, 3), (1,)),
    (lambda lib, a, b: lib.linalg.solve(a, b), (2, 2), (3,)),
    (lambda lib, a, b: lib.linalg.solve(a, b), (2, 2), (3, 2)),
    (lambda lib, a, b: lib.linalg.solve(a, b.double()), (2, 2), (2,)),
    (lambda lib, a, b: lib.linalg.cholesky(a), (2, 3), (1,)),
    (lambda lib, a, b: lib.linalg.qr(a, mode="bad"), (2, 3), (1,)),
    (lambda lib, a, b: lib.linalg.qr(a.long()), (2, 3), (1,)),
    (lambda lib, a, b: lib.linalg.svd(a), (3,), (1,)),
    (lambda lib, a, b: lib.linalg.svd(a, driver="gesvd"), (2, 2), (1,)),
    (lambda lib, a, b: lib.linalg.eigh(a), (2, 3), (1,)),
    (lambda lib, a, b: lib.linalg.eigh(a.long()), (2, 2), (1,)),
    (lambda lib, a, b: lib.linalg.eigh(a, UPLO="X"), (2, 2), (1,)),
    (lambda lib, a, b: lib.linalg.pinv(a.long()), (2, 2), (1,)),
    (lambda lib, a, b: lib.linalg.matrix_rank(a.long()), (2, 2), (1,)),
    (lambda lib, a, b: lib.linalg.cross(a, b), (2,), (2,)),
    (lambda lib, a, b: lib.linalg.cross(a, b), (2, 3), (3, 3)),
    (lambda lib, a, b: lib.linalg.cross(a, b.double()), (3,), (3,)),
    (lambda lib, a, b: lib.linalg.cross(a, b), (2, 3), (3,)),
    (lambda lib, a, b: lib.linalg.vector_norm(a.long()), (2,), (1,)),
    (lambda lib, a, b: lib.linalg.vector_norm(a, "fro"), (2,), (1,)),
    (lambda lib, a, b: lib.linalg.vector_norm(a[:0], math.inf), (2,), (1,)),
    (lambda lib, a, b: lib.linalg.vector_norm(a[:, :0], -math.inf, 1), (2, 2), (1,)),
    (lambda lib, a, b: lib.linalg.matrix_norm(a), (2,), (1,)),
    (lambda lib, a, b: lib.linalg.matrix_norm(a, 3), (2, 2), (1,)),
    (lambda lib, a, b: lib.linalg.norm(a, 2), (2, 2, 2), (1,)),
    (lambda lib, a, b: lib.norm(a, "nuc"), (2, 2, 2), (1,)),
    (lambda lib, a, b: lib.linalg.matrix_power(a, 2), (3,), (1,)),
    (lambda lib, a, b: lib.linalg.matrix_power(a.long(), -1), (2, 2), (1,)),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors(index):
    fn, sa, sb = ERRORS[index]
    check_error(fn, randn(*sa, dtype=np.float32), randn(*sb, dtype=np.float32))


@pytest.mark.parametrize("call", [
    lambda lib: lib.linalg.inv(lib.tensor([[1.0, 2.0], [2.0, 4.0]])),
    lambda lib: lib.inverse(lib.tensor([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 2.0], [2.0, 4.0]]])),
    lambda lib: lib.linalg.solve(lib.tensor([[1.0, 2.0], [2.0, 4.0]]), lib.ones(2)),
    lambda lib: lib.linalg.cholesky(lib.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda lib: lib.linalg.cholesky(lib.tensor([[[1.0, 0.0], [0.0, 1.0]],
                                                [[1.0, 2.0], [2.0, 1.0]]])),
])
def test_linalg_errors(call):
    for lib in (ember, torch):
        with pytest.raises(lib.linalg.LinAlgError) as info:
            call(lib)
        assert isinstance(info.value, RuntimeError)
        assert type(info.value).__name__ == "_LinAlgError"
        if lib is ember:
            message = str(info.value)
        else:
            assert message == str(info.value)


def test_ex_variants_report_info():
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    not_pd = np.array([[1.0, 2.0], [2.0, 1.0]])
    for lib in (ember, torch):
        assert int(lib.linalg.inv_ex(lib.tensor(singular)).info) == 2
        assert int(lib.linalg.cholesky_ex(lib.tensor(not_pd)).info) == 2
        assert int(lib.linalg.cholesky_ex(lib.tensor(np.eye(2))).info) == 0
    result = ember.linalg.solve_ex(ember.tensor(np.eye(2)), ember.ones(2, dtype=ember.float64))
    assert int(result.info) == 0 and result.result.tolist() == [1.0, 1.0]


def test_return_types_print_like_torch():
    a = randn(2, 2)
    for fn in (lambda lib, x: lib.linalg.slogdet(x), lambda lib, x: lib.slogdet(x),
               lambda lib, x: lib.linalg.qr(x)):
        e, t = fn(ember, ember.tensor(a)), fn(torch, torch.tensor(a))
        assert type(e).__name__ == type(t).__name__
        assert repr(e).split("(")[0] == repr(t).split("(")[0]
        assert repr(e).count("=") == repr(t).count("=")


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.linalg.vector_norm(x, dim=5),
    lambda lib, x: x.norm(dim=-3),
    lambda lib, x: lib.linalg.matrix_norm(x, dim=(0, 4)),
])
def test_norm_dims_out_of_range(call):
    check_error(call, np.ones((2, 3), np.float32))


@pytest.mark.parametrize("call", [
    lambda lib, a, b: lib.nn.functional.linear(a.double(), b, b[:, 0]),
    lambda lib, a, b: lib.addmm(b[:, 0], a.double(), b.t()),
    lambda lib, a, b: lib.addmm(b[:, 0].double(), a, b.t()),
    lambda lib, a, b: lib.nn.functional.linear(a.double(), b),
])
def test_linear_dtype_mismatch_messages(call):
    check_error(call, np.ones((2, 3), np.float32), np.ones((4, 3), np.float32))
