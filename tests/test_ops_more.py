"""Scans (logcumsumexp, cummax, cummin, diff), order statistics (aminmax, quantile,
nanquantile, nanmedian, mode), counting (bincount, histc, histogram, bucketize,
searchsorted, isin) and grids (meshgrid, cartesian_prod, combinations, tril/triu_indices,
block_diag, diagflat) against PyTorch, with gradients and float64 gradcheck."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp

import ember
from ember.autograd import gradcheck
from oracle import check_error, check_op

SETTINGS = settings(max_examples=15, deadline=None)
shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


def values(shape, dtype=np.float64, seed=0, low=-3, high=3):
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(dtype)


def with_ties(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 3, size=shape).astype(np.float64)


SCANS = {
    "logcumsumexp": lambda lib, x, d: x.logcumsumexp(d),
    "cummax": lambda lib, x, d: tuple(lib.cummax(x, d)),
    "cummin": lambda lib, x, d: tuple(x.cummin(d)),
    "diff": lambda lib, x, d: lib.diff(x, dim=d),
    "diff2": lambda lib, x, d: x.diff(2, d, prepend=x.narrow(d, 0, 1)),
}


@pytest.mark.parametrize("name", SCANS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@SETTINGS
@given(shape=shapes)
def test_scans(name, dtype, shape):
    dim = len(shape) - 1
    check_op(lambda lib, x: SCANS[name](lib, x, dim), values(shape, dtype))
    check_op(lambda lib, x: SCANS[name](lib, x, 0), with_ties(shape).astype(dtype))


def test_cummax_nan_and_integers():
    x = np.array([[1.0, 3, 3, np.nan, 2, np.nan, 5], [0, -1, 4, 4, 1, 2, 9]])
    check_op(lambda lib, t: tuple(lib.cummax(t, 1)), x)
    check_op(lambda lib, t: tuple(lib.cummin(t, 1)), x)
    check_op(lambda lib, t: tuple(lib.cummax(t, 0)), np.array([3, 1, 4, 1, 5]))


def test_logcumsumexp_large_values_and_0d():
    check_op(lambda lib, x: x.logcumsumexp(0), np.array([1000.0, -1000.0, 1000.0, 3.0]))
    check_op(lambda lib, x: x.logcumsumexp(0), np.array(2.5))


def test_diff_bool_and_append():
    check_op(lambda lib, x: lib.diff(x), np.array([True, False, False, True]))
    check_op(lambda lib, x: lib.diff(x, append=x[:2]), np.array([1, 5, 2, 8]))


@pytest.mark.parametrize("dim", [None, 0, 1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_aminmax(dim, keepdim):
    kwargs = {} if dim is None else {"dim": dim}
    check_op(lambda lib, x: tuple(lib.aminmax(x, keepdim=keepdim, **kwargs)),
             with_ties((3, 4)))


QUANTILE_Q = [0.0, 0.3, 0.5, 1.0]


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint",
                                           "nearest"])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (None, True), (1, False), (0, True)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_quantile(interpolation, dim, keepdim, dtype):
    x = values((3, 5), dtype)
    for q in (0.37, QUANTILE_Q):
        def fn(lib, t, q=q):
            qq = lib.tensor(q, dtype=t.dtype) if isinstance(q, list) else q
            return lib.quantile(t, qq, dim, keepdim, interpolation=interpolation)
        check_op(fn, x, check_grad_fn=False)


def test_nanquantile_and_nan_slices():
    x = np.array([[1.0, np.nan, 3, 2], [np.nan] * 4, [4, 0.5, 2, 7]])
    check_op(lambda lib, t: lib.nanquantile(t, 0.4, dim=1), x, check_grad_fn=False)
    check_op(lambda lib, t: lib.quantile(t, 0.4, dim=1), x, check_grad_fn=False)
    check_op(lambda lib, t: t.nanquantile(0.4), x, check_grad_fn=False)


def test_nanmedian():
    x = np.array([[1.0, np.nan, 3, 2], [4, 0.5, 2, 7], [5, 5, np.nan, np.nan]])
    check_op(lambda lib, t: lib.nanmedian(t), x)
    check_op(lambda lib, t: tuple(t.nanmedian(1)), x)
    check_op(lambda lib, t: tuple(t.nanmedian(0, keepdim=True)), x)


def test_mode():
    check_op(lambda lib, t: tuple(lib.mode(t)), np.array([[3, 1, 1, 3, 2], [5, 5, 2, 2, 7]]))
    check_op(lambda lib, t: tuple(t.mode(0)), with_ties((5, 3)))
    check_op(lambda lib, t: tuple(t.mode(1, True)), with_ties((2, 6)))
    check_op(lambda lib, t: tuple(lib.mode(t)), np.array([2.0, np.nan, np.nan, 1]))


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.quantile(x, 1.5),
    lambda lib, x: lib.quantile(x.long(), 0.5),
    lambda lib, x: lib.quantile(x, 0.5, interpolation="cubic"),
    lambda lib, x: lib.quantile(x, lib.tensor([0.5], dtype=lib.float64)),
    lambda lib, x: lib.diff(x.sum()),
    lambda lib, x: lib.aminmax(x[:0]),
])
def test_errors(call):
    check_error(call, values((2, 3), np.float32))


def test_counting():
    ints = np.array([0, 3, 3, 1, 7, 0])
    check_op(lambda lib, x: lib.bincount(x), ints)
    check_op(lambda lib, x: x.bincount(minlength=10), ints)
    check_op(lambda lib, x, w: x.bincount(w), ints, values((6,), np.float32),
             requires_grad=False)
    check_op(lambda lib, x: lib.histc(x, bins=4), values((50,), np.float32, 1),
             requires_grad=False)
    check_op(lambda lib, x: x.histc(5, -1, 1), values((50,), np.float64, 2),
             requires_grad=False)
    check_op(lambda lib, x: tuple(lib.histogram(x, 6)), values((40,), np.float32, 3),
             requires_grad=False)
    boundaries = np.array([-1.0, 0.0, 0.5, 2.0])
    x = np.array([[-2.0, 0.0, 0.4], [0.5, 3.0, 2.0]])
    for right in (False, True):
        check_op(lambda lib, v, b, r=right: lib.bucketize(v, b, right=r), x, boundaries,
                 requires_grad=False)
        check_op(lambda lib, b, v, r=right: lib.searchsorted(b, v, right=r), boundaries, x,
                 requires_grad=False)
    check_op(lambda lib, b, v: lib.searchsorted(b, v, out_int32=True, side="right"),
             np.sort(values((2, 5)), axis=1), values((2, 3), seed=4), requires_grad=False)
    check_op(lambda lib, a, b: lib.isin(a, b), ints, np.array([3, 7]))
    check_op(lambda lib, a, b: lib.isin(a, b, invert=True), ints, np.array([3, 7]))


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.bincount(x.float()),
    lambda lib, x: lib.bincount(x - 5),
    lambda lib, x: lib.bincount(x.view(2, 3)),
    lambda lib, x: lib.histc(x, 3),
    lambda lib, x: lib.searchsorted(x.view(2, 3).float(), x.float()),
])
def test_counting_errors(call):
    check_error(call, np.array([0, 3, 3, 1, 7, 0]))


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(indexing):
    check_op(lambda lib, a, b, c: lib.meshgrid(a, b, c, indexing=indexing),
             values((2,)), values((3,), seed=1), values((4,), seed=2))
    check_op(lambda lib, a, b: lib.meshgrid([a, b], indexing=indexing),
             values((2,)), values(()))


def test_grids():
    a, b = values((2,)), values((3,), seed=1)
    check_op(lambda lib, x, y: lib.cartesian_prod(x, y), a, b)
    check_op(lambda lib, x: lib.combinations(x), b)
    check_op(lambda lib, x: lib.combinations(x, 3, with_replacement=True), b)
    check_op(lambda lib, x: lib.combinations(x, 4), b)
    check_op(lambda lib, x, y, z: lib.block_diag(x, y, z), a, values((2, 3), seed=3),
             np.array(5.0))
    check_op(lambda lib, x: lib.diagflat(x, 1), values((2, 2)))
    for row, col, offset in [(3, 4, 1), (4, 3, -1), (0, 3, 0), (5, 5, 7)]:
        check_op(lambda lib, r=row, c=col, o=offset: lib.tril_indices(r, c, o))
        check_op(lambda lib, r=row, c=col, o=offset: lib.triu_indices(r, c, o, dtype=lib.int32))


@pytest.mark.parametrize("fn", [
    lambda x: x.logcumsumexp(0), lambda x: x.cummax(0).values, lambda x: x.cummin(0).values,
    lambda x: ember.quantile(x, 0.3), lambda x: ember.nanmedian(x),
    lambda x: ember.aminmax(x).max, lambda x: ember.block_diag(x, x[:2]),
    lambda x: ember.cartesian_prod(x, x), lambda x: x.diff(),
])
def test_gradcheck(fn):
    x = ember.tensor([0.3, -0.7, 1.4, 2.2], dtype=ember.float64, requires_grad=True)
    assert gradcheck(fn, (x,))


@pytest.mark.parametrize("fn", [lambda t: t.softmax(1), lambda t: t.log_softmax(0),
                                lambda t: t.log_softmax(-1), lambda t: t[0, 0].softmax(0)])
def test_array_backward_equals_the_recorded_formula(fn):
    """Softmax's first-order backward runs on arrays; under create_graph it is recorded
    in ember ops. Both must give the same gradient."""
    x = ember.tensor(values((3, 4), np.float64), requires_grad=True)

    def grad(create_graph):
        out = fn(x)
        upstream = ember.tensor(values(tuple(out.shape), np.float64, seed=5))
        (g,) = ember.autograd.grad(out, x, upstream, create_graph=create_graph)
        return g.detach().numpy()
    np.testing.assert_allclose(grad(False), grad(True), rtol=1e-12, atol=1e-15)
