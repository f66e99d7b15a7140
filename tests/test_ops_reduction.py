"""Reductions, scans, sorting and softmax against PyTorch: values, dtypes, grad_fn names,
gradients, return types and errors, on hypothesis shapes (0-d, empty, non-contiguous) with
every form of ``dim`` (int, negative, tuple, None) and ``keepdim``; then float64
gradcheck/gradgradcheck of every differentiable one."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from ember.autograd import gradcheck, gradgradcheck
from oracle import check_error, check_op, torch

SETTINGS = settings(max_examples=25, deadline=None)


def uniform(shape, low=-3, high=3, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(dtype)


def like_torch(fn, *inputs, **kwargs):
    """check_op where PyTorch accepts the call, check_error where it raises."""
    try:
        fn(torch, *[torch.from_numpy(x.copy()) for x in inputs])
    except Exception:
        check_error(fn, *inputs)
        return
    check_op(fn, *inputs, **kwargs)


@st.composite
def reduction_case(draw, max_dims=3, dtypes=(np.float32, np.float64)):
    """An input array, a ``dim`` valid for it (int, tuple or None), keepdim, contiguity."""
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=0, max_side=4))
    ndim = len(shape)
    rank = max(ndim, 1)
    dim = draw(st.one_of(
        st.none(), st.integers(-rank, rank - 1),
        st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim).map(tuple)
        if ndim else st.just((0,))))
    dtype = draw(st.sampled_from(dtypes))
    x = uniform(shape, dtype=dtype, seed=draw(st.integers(0, 2**16)))
    return x, dim, draw(st.booleans()), draw(st.booleans())


def strided(x, flag):
    return x.transpose(0, -1) if flag and x.dim() >= 2 else x


def int_dim(dim):
    """The first dimension of ``dim`` for ops that take a single int."""
    if isinstance(dim, tuple):
        return dim[0] if dim else 0
    return 0 if dim is None else dim


# name: fn(lib, x, dim, keepdim)
REDUCTIONS = {
    "sum": lambda lib, x, d, k: x.sum() if d is None else x.sum(d, keepdim=k),
    "sum_dtype": lambda lib, x, d, k: lib.sum(x, d, keepdim=k, dtype=lib.float64),
    "mean": lambda lib, x, d, k: x.mean() if d is None else lib.mean(x, d, k),
    "mean_dtype": lambda lib, x, d, k: x.mean(d, keepdim=k, dtype=lib.float64),
    "nansum": lambda lib, x, d, k: lib.nansum(x.masked_fill(x > 2, math.nan), d, k),
    "nanmean": lambda lib, x, d, k: x.masked_fill(x > 2, math.nan).nanmean(d, keepdim=k),
    "prod": lambda lib, x, d, k: x.prod() if d is None else x.prod(int_dim(d), k),
    "prod_dtype": lambda lib, x, d, k: x.prod(dtype=lib.float64),
    "amax": lambda lib, x, d, k: x.amax(() if d is None else d, k),
    "amin": lambda lib, x, d, k: lib.amin(x, () if d is None else d, keepdim=k),
    "max": lambda lib, x, d, k: x.max() if d is None else x.max(int_dim(d), k),
    "min": lambda lib, x, d, k: x.min() if d is None else lib.min(x, int_dim(d), keepdim=k),
    "argmax": lambda lib, x, d, k: x.argmax() if d is None else x.argmax(int_dim(d), k),
    "argmin": lambda lib, x, d, k: lib.argmin(x, None if d is None else int_dim(d),
                                              keepdim=k),
    "var": lambda lib, x, d, k: x.var(d, keepdim=k),
    "var_correction": lambda lib, x, d, k: lib.var(x, d, correction=0, keepdim=k),
    "var_unbiased": lambda lib, x, d, k: x.var(d, False, k) if d is not None else x.var(False),
    "std": lambda lib, x, d, k: x.std(d, keepdim=k),
    "std_correction": lambda lib, x, d, k: lib.std(x, d, correction=2, keepdim=k),
    "std_mean": lambda lib, x, d, k: lib.std_mean(x, d, keepdim=k),
    "var_mean": lambda lib, x, d, k: lib.var_mean(x, d, correction=0, keepdim=k),
    "norm": lambda lib, x, d, k: x.norm(dim=d, keepdim=k),
    "norm_1": lambda lib, x, d, k: x.norm(1, d, k),
    "norm_3": lambda lib, x, d, k: lib.norm(x, 3, d, k),
    "norm_half": lambda lib, x, d, k: x.norm(0.5, d, k),
    "norm_inf": lambda lib, x, d, k: x.norm(math.inf, d, k),
    "norm_minus_inf": lambda lib, x, d, k: x.norm(-math.inf, d, k),
    "norm_0": lambda lib, x, d, k: x.norm(0, d, k),
    "norm_fro": lambda lib, x, d, k: x.norm("fro", d, k),
    "logsumexp": lambda lib, x, d, k: x.logsumexp(tuple(range(x.dim())) if d is None else d, k),
    "cumsum": lambda lib, x, d, k: x.cumsum(int_dim(d)),
    "cumsum_dtype": lambda lib, x, d, k: lib.cumsum(x, int_dim(d), dtype=lib.float64),
    "cumprod": lambda lib, x, d, k: x.cumprod(int_dim(d)),
    "softmax": lambda lib, x, d, k: x.softmax(int_dim(d)),
    "softmax_dtype": lambda lib, x, d, k: lib.softmax(x, int_dim(d), dtype=lib.float64),
    "log_softmax": lambda lib, x, d, k: lib.log_softmax(x, int_dim(d)),
    "log_softmax_dtype": lambda lib, x, d, k: x.log_softmax(int_dim(d), dtype=lib.float64),
    "median": lambda lib, x, d, k: x.median() if d is None else x.median(int_dim(d), k),
    "sort": lambda lib, x, d, k: x.sort(int_dim(d), descending=k),
    "sort_stable": lambda lib, x, d, k: lib.sort(x, stable=True, dim=int_dim(d)),
    "argsort": lambda lib, x, d, k: x.argsort(int_dim(d), descending=k),
    "topk": lambda lib, x, d, k: x.topk(min(2, x.shape[int_dim(d)] if x.dim() else 1),
                                        int_dim(d), largest=k),
    "kthvalue": lambda lib, x, d, k: x.kthvalue(1, int_dim(d), k),
    "all": lambda lib, x, d, k: (x > 0).all() if d is None else lib.all(x > 0, d, keepdim=k),
    "any": lambda lib, x, d, k: (x > 0).any(d, keepdim=k) if d is not None else lib.any(x),
    "count_nonzero": lambda lib, x, d, k: lib.count_nonzero(x > 0, dim=d),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@SETTINGS
@given(case=reduction_case())
def test_reductions(name, case):
    x, dim, keepdim, noncontiguous = case
    fn = REDUCTIONS[name]
    tolerance = {"atol": 1e-4, "rtol": 1e-4} if x.dtype == np.float32 else {}
    like_torch(lambda lib, t: fn(lib, strided(t, noncontiguous), dim, keepdim), x,
               **tolerance)


INTEGER_REDUCTIONS = ["sum", "sum_dtype", "mean", "mean_dtype", "nansum", "prod", "amax",
                      "max", "argmax", "var", "norm", "logsumexp", "cumsum", "cumprod",
                      "softmax", "softmax_dtype", "median", "sort", "argsort", "topk", "all",
                      "any", "count_nonzero", "nanmean"]


@pytest.mark.parametrize("name", INTEGER_REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_, np.float16])
@pytest.mark.parametrize("dim", [None, 1, (0, 1)])
def test_reduction_dtypes(name, dtype, dim):
    x = np.array([[3, 0, 2], [1, 5, 4]]).astype(dtype)
    fn = REDUCTIONS[name]
    if name == "nansum":
        def fn(lib, t, d, k):
            return lib.nansum(t, d, k)
    like_torch(lambda lib, t: fn(lib, t, dim, False), x, requires_grad=False,
               atol=1e-2 if dtype == np.float16 else None, rtol=1e-2)


def test_half_precision_accumulates_in_float():
    x = np.full((10000,), 0.1, dtype=np.float16)
    for fn in (lambda lib, t: t.sum(), lambda lib, t: t.mean(), lambda lib, t: t.cumsum(0)[-1],
               lambda lib, t: (t + 0.91).prod(), lambda lib, t: t.softmax(0).sum()):
        check_op(fn, x, requires_grad=False, atol=1e-2, rtol=1e-3)


def test_return_types_print_like_pytorch():
    x = np.array([[3.0, 1.0, 2.0], [0.5, 4.0, 6.0]], dtype=np.float32)
    for fn in (lambda lib, t: t.max(1), lambda lib, t: lib.min(t, 0, keepdim=True),
               lambda lib, t: t.sort(descending=True), lambda lib, t: t.topk(2),
               lambda lib, t: t.median(1), lambda lib, t: t.kthvalue(2, 0),
               lambda lib, t: t.requires_grad_().max(0)):
        e, t = fn(ember, ember.from_numpy(x.copy())), fn(torch, torch.from_numpy(x.copy()))
        assert repr(e) == repr(t)
        assert type(e).__name__ == type(t).__name__
        values, indices = e
        assert e.values is values and e.indices is indices and e[1] is indices
    e = ember.std_mean(ember.from_numpy(x))
    assert type(e) is tuple and len(e) == 2


def test_ties_share_or_pick_like_pytorch():
    ties = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0]])
    for fn in (lambda lib, t: t.max(), lambda lib, t: t.min(), lambda lib, t: t.amax(1),
               lambda lib, t: t.amin((0, 1)), lambda lib, t: t.max(1),
               lambda lib, t: t.argmax(1), lambda lib, t: t.median(),
               lambda lib, t: t.norm(math.inf, 1), lambda lib, t: t.sort(dim=1, stable=True),
               lambda lib, t: t.argsort(dim=1, descending=True, stable=True)):
        check_op(fn, ties)
    for fn in (lambda lib, t: lib.unique(t, return_inverse=True, return_counts=True),
               lambda lib, t: t.unique(dim=1, return_counts=True)):
        check_op(fn, ties, requires_grad=False)


def test_nan_propagation():
    x = np.array([[1.0, math.nan, 0.0], [3.0, 1.0, 2.0]])
    for fn in (lambda lib, t: t.max(), lambda lib, t: t.max(1), lambda lib, t: t.amax(1),
               lambda lib, t: t.argmax(1), lambda lib, t: t.argmin(), lambda lib, t: t.median(),
               lambda lib, t: t.median(1), lambda lib, t: t.sort(1),
               lambda lib, t: t.sort(1, descending=True), lambda lib, t: t.kthvalue(3, 1),
               lambda lib, t: t.topk(2, 1), lambda lib, t: t.nansum(1),
               lambda lib, t: t.nanmean(), lambda lib, t: t.logsumexp(1),
               lambda lib, t: t.cumsum(1)):
        check_op(fn, x)
    check_op(lambda lib, t: lib.unique(t), x, requires_grad=False)
    infinite = np.array([[-math.inf, -math.inf], [math.inf, 1.0], [1.0, 2.0]])
    check_op(lambda lib, t: t.logsumexp(1), infinite, requires_grad=False)
    check_op(lambda lib, t: t.softmax(1), infinite, requires_grad=False)


def test_gradients_through_zeros():
    zeros = np.array([[2.0, 0.0, 3.0, 4.0], [0.0, 5.0, 0.0, 2.0], [1.0, 2.0, 3.0, 0.5]])
    for fn in (lambda lib, t: t.prod(), lambda lib, t: t.prod(1), lambda lib, t: t.prod(0, True),
               lambda lib, t: t[0].prod(), lambda lib, t: t.cumprod(1),
               lambda lib, t: t.cumprod(0), lambda lib, t: t.norm(), lambda lib, t: t.norm(0.5),
               lambda lib, t: t.norm(2, 1), lambda lib, t: (t * 0).std(1),
               lambda lib, t: (t * 0).norm()):
        check_op(fn, zeros)


def test_nuclear_norm():
    x = uniform((3, 4), seed=4)
    check_op(lambda lib, t: t.norm(p="nuc"), x)
    check_op(lambda lib, t: lib.norm(t, "nuc", keepdim=True), x, check_grad_fn=False)
    check_op(lambda lib, t: t.norm("nuc", dim=(2, 0)), uniform((3, 2, 4), seed=5),
             check_grad_fn=False)


def test_unique_forms():
    x = np.array([3, 1, 3, 2, 7, 1])
    for kwargs in ({}, {"sorted": False}, {"return_inverse": True}, {"return_counts": True},
                   {"return_inverse": True, "return_counts": True}):
        check_op(lambda lib, t, kw=kwargs: lib.unique(t, **kw), x, requires_grad=False)
        check_op(lambda lib, t, kw=kwargs: t.unique(**kw), x.reshape(2, 3).astype(np.float32),
                 requires_grad=False)
    rows = np.array([[3, 1], [3, 1], [0, 2]])
    check_op(lambda lib, t: lib.unique(t, dim=0, return_inverse=True, return_counts=True), rows,
             requires_grad=False)
    check_op(lambda lib, t: t.unique(return_inverse=True), np.array(3.0), requires_grad=False)
    e = ember.unique(ember.tensor([3.0, 1.0], requires_grad=True))
    assert e.grad_fn.name() == "Unique2Backward0"
    check_error(lambda lib, t: lib.unique(t.requires_grad_()).sum().backward(), uniform((3,)))


def test_var_warns_when_degrees_of_freedom_run_out():
    with pytest.warns(UserWarning, match=r"var\(\): degrees of freedom is <= 0"):
        e = ember.tensor([1.0]).var()
    with pytest.warns(UserWarning):
        t = torch.tensor([1.0]).var()
    assert math.isnan(e.item()) and math.isnan(t.item())


REDUCTION_ERRORS = [
    ("dim_out_of_range", lambda lib, x: x.sum(2)),
    ("negative_dim_out_of_range", lambda lib, x: x.mean(-3)),
    ("repeated_dim", lambda lib, x: x.sum((0, -2))),
    ("repeated_dim_count_nonzero", lambda lib, x: lib.count_nonzero(x, (1, 1))),
    ("mean_int", lambda lib, x: x.long().mean()),
    ("nanmean_int", lambda lib, x: x.long().nanmean()),
    ("var_int", lambda lib, x: x.long().var()),
    ("norm_int", lambda lib, x: x.long().norm()),
    ("norm_bad_order", lambda lib, x: x.norm("abc")),
    ("nuc_1d", lambda lib, x: x[0].norm("nuc")),
    ("nuc_three_dims", lambda lib, x: x.reshape(2, 1, 3).norm("nuc")),
    ("inf_norm_empty", lambda lib, x: x[:0].norm(math.inf)),
    ("max_empty", lambda lib, x: x[:0].max()),
    ("max_empty_dim", lambda lib, x: x[:0].max(0)),
    ("amax_empty", lambda lib, x: x[:0].amax()),
    ("amax_empty_dim", lambda lib, x: x[:0].amax(0)),
    ("argmax_empty", lambda lib, x: x[:0].argmax()),
    ("argmax_empty_dim", lambda lib, x: x[:0].argmax(0)),
    ("argmax_bool", lambda lib, x: (x > 0).argmax()),
    ("median_empty_dim", lambda lib, x: x[:0].median(0)),
    ("median_bool", lambda lib, x: (x > 0).median()),
    ("topk_too_many", lambda lib, x: x.topk(4)),
    ("topk_negative", lambda lib, x: x.topk(-1)),
    ("topk_bool", lambda lib, x: (x > 0).topk(1)),
    ("kthvalue_zero", lambda lib, x: x.kthvalue(0)),
    ("kthvalue_too_big", lambda lib, x: x.kthvalue(4, 1)),
    ("softmax_int", lambda lib, x: x.long().softmax(1)),
    ("softmax_int_first_dim", lambda lib, x: x.long().softmax(0)),
    ("log_softmax_int", lambda lib, x: x.long().log_softmax(-1)),
    ("softmax_tuple_dim", lambda lib, x: lib.softmax(x, (0,))),
    ("softmax_bad_dim", lambda lib, x: lib.softmax(x, 2)),
    ("prod_tuple_dim", lambda lib, x: x.prod((0,))),
    ("cumsum_bad_dim", lambda lib, x: x.cumsum(3)),
    ("var_both_corrections", lambda lib, x: x.var(0, unbiased=True, correction=1)),
    ("all_bad_dim", lambda lib, x: x.all(2)),
]


@pytest.mark.parametrize("name", [name for name, _ in REDUCTION_ERRORS])
def test_errors_match_pytorch(name):
    check_error(dict(REDUCTION_ERRORS)[name], uniform((2, 3), dtype=np.float32),
                match_message=name not in ("prod_tuple_dim", "var_both_corrections"))


def test_no_grad_path_records_nothing():
    x = ember.from_numpy(uniform((3, 4))).requires_grad_()
    with ember.no_grad():
        for fn in REDUCTIONS.values():
            result = fn(ember, x, 1, False)
            for out in result if isinstance(result, tuple) else (result,):
                assert out.grad_fn is None and not out.requires_grad


# -- gradcheck in float64 ------------------------------------------------------------------
DIFFERENTIABLE = [name for name in REDUCTIONS
                  if name not in ("argmax", "argmin", "argsort", "all", "any", "count_nonzero",
                                  "sum_dtype", "mean_dtype", "prod_dtype", "cumsum_dtype",
                                  "softmax_dtype", "log_softmax_dtype")]
# Whose second derivative is identically zero, or undefined (max picks an element).
FIRST_ORDER_ONLY = {"sum", "mean", "nansum", "nanmean", "amax", "amin", "max", "min", "median",
                    "sort", "sort_stable", "topk", "kthvalue", "cumsum", "norm_1", "norm_inf",
                    "norm_minus_inf", "norm_0"}


@pytest.mark.parametrize("name", DIFFERENTIABLE)
@pytest.mark.parametrize("dim", [None, 1, (0, 2)])
def test_gradcheck(name, dim):
    x = ember.from_numpy(uniform((2, 3, 2), 0.5, 2.5, seed=7)).requires_grad_()

    def fn(t):
        return REDUCTIONS[name](ember, t, dim, dim == 1)
    assert gradcheck(fn, (x,))
    if name not in FIRST_ORDER_ONLY:
        assert gradgradcheck(fn, (x,))


def test_gradcheck_through_zeros():
    x = ember.tensor([[2.0, 0.0, 3.0, 1.5], [0.0, 1.5, 0.0, 2.0]], dtype=ember.float64,
                     requires_grad=True)
    assert gradcheck(lambda t: t.prod(1), (x,))
    assert gradcheck(lambda t: t.prod(), (x[:1],))
    assert gradcheck(lambda t: t.cumprod(1), (x,))
    assert gradgradcheck(lambda t: t.cumprod(1), (x + 1,))
    assert gradgradcheck(lambda t: t.prod(0), (x + 1,))


def test_nuclear_norm_gradcheck():
    x = ember.from_numpy(uniform((3, 4), seed=8)).requires_grad_()
    assert gradcheck(lambda t: t.norm("nuc"), (x,))
