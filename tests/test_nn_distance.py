"""Distances against PyTorch: ``cosine_similarity``, ``pairwise_distance``, ``pdist``,
``cdist`` (both of its routes), their modules, float64 gradcheck, and errors."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, broadcastable_shapes

import ember
from ember.autograd import gradcheck, gradgradcheck
from nn_oracle import check_module
from oracle import check_error, check_op

DTYPES = st.sampled_from([np.float32, np.float64])
NORMS = [0, 0.5, 1, 1.5, 2, 3, math.inf]


def _values(shape, dtype, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@settings(max_examples=30, deadline=None)
@given(shape=array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4), dtype=DTYPES,
       seed=st.integers(0, 2**16), data=st.data())
def test_cosine_similarity(shape, dtype, seed, data):
    other = data.draw(broadcastable_shapes(shape, min_dims=len(shape), max_dims=len(shape)))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x1, x2 = _values(shape, dtype, seed), _values(other, dtype, seed + 1)
    check_op(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, dim), x1, x2)
    check_op(lambda lib, a, b: lib.cosine_similarity(a, b, dim=dim, eps=0.5), x1, x2)


def test_cosine_similarity_zero_vector_and_mixed_dtypes():
    x1 = np.zeros((2, 3))
    x2 = _values((2, 3), np.float64, 0)
    check_op(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b), x1, x2)
    ints = np.arange(6).reshape(2, 3)
    check_op(lambda lib, a, b: lib.cosine_similarity(a, b), ints, x2.astype(np.float32))
    check_op(lambda lib, a: lib.cosine_similarity(a, a, dim=0), np.full((), 2.0, np.float32))


@pytest.mark.parametrize("p", NORMS)
@settings(max_examples=8, deadline=None)
@given(shape=array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), dtype=DTYPES,
       seed=st.integers(0, 2**16), keepdim=st.booleans())
def test_pairwise_distance(p, shape, dtype, seed, keepdim):
    x1, x2 = _values(shape, dtype, seed), _values(shape[-1:], dtype, seed + 1)
    check_op(lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b, p, keepdim=keepdim),
             x1, x2)
    check_op(lambda lib, a, b: lib.pairwise_distance(b, a, p, 0.1), x1, x2)


def test_pairwise_distance_scalars_and_integers():
    check_op(lambda lib, a, b: lib.pairwise_distance(a, b), np.full((), 1.0),
             np.full((), 3.0))
    ints = np.arange(6).reshape(2, 3)
    check_op(lambda lib, a, b: lib.pairwise_distance(a, b), ints, ints[::-1].copy())


@pytest.mark.parametrize("p", NORMS)
@settings(max_examples=8, deadline=None)
@given(rows=st.integers(1, 6), columns=st.integers(0, 4), dtype=DTYPES,
       seed=st.integers(0, 2**16))
def test_pdist(p, rows, columns, dtype, seed):
    x = _values((rows, columns), dtype, seed)
    check_op(lambda lib, a: lib.nn.functional.pdist(a, p), x)


def test_pdist_no_rows():
    # PyTorch 2.13 crashes (segfault) differentiating pdist of zero rows: forward only.
    check_op(lambda lib, a: lib.pdist(a), np.zeros((0, 3)), requires_grad=False)


def test_pdist_repeated_rows_and_non_contiguous():
    x = np.array([[1.0, 2.0, 0.0], [1.0, 2.0, 0.0], [0.5, -1.0, 3.0]])
    for p in NORMS:
        check_op(lambda lib, a, p=p: lib.pdist(a, p), x)
    check_op(lambda lib, a: lib.pdist(a.t()), _values((3, 5), np.float32, 0))


@pytest.mark.parametrize("p", NORMS)
@settings(max_examples=8, deadline=None)
@given(batch=array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3), r1=st.integers(1, 5),
       r2=st.integers(1, 5), columns=st.integers(1, 4), dtype=DTYPES,
       seed=st.integers(0, 2**16))
def test_cdist(p, batch, r1, r2, columns, dtype, seed):
    x1 = _values(batch + (r1, columns), dtype, seed)
    x2 = _values(batch[1:] + (r2, columns), dtype, seed + 1)
    check_op(lambda lib, a, b: lib.cdist(a, b, p), x1, x2)


@pytest.mark.parametrize("batch1,batch2", [((), ()), ((2,), ()), ((2, 1), (3,)), ((1,), ())])
@pytest.mark.parametrize("mode", ["use_mm_for_euclid_dist_if_necessary",
                                  "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"])
def test_cdist_matrix_product_route(batch1, batch2, mode):
    for dtype, atol in ((np.float32, 1e-4), (np.float64, 1e-9)):
        x1 = _values(batch1 + (30, 4), dtype, 1)
        x2 = _values(batch2 + (7, 4), dtype, 2)
        check_op(lambda lib, a, b: lib.cdist(a, b, compute_mode=mode), x1, x2, atol=atol)


def test_cdist_edge_shapes():
    for s1, s2 in (((0, 3), (2, 3)), ((2, 0), (3, 0)), ((2, 0, 3), (4, 3))):
        check_op(lambda lib, a, b: lib.cdist(a, b), _values(s1, np.float32, 0),
                 _values(s2, np.float32, 1))
    x = np.array([[1.0, 2.0], [0.0, 0.0]])
    for p in NORMS:
        check_op(lambda lib, a, p=p: lib.cdist(a, a, p), x)


GRADCHECKED = {
    "cosine_similarity": (lambda a, b: ember.cosine_similarity(a, b, 1), (3, 4), (1, 4)),
    "pairwise_distance": (lambda a, b: ember.pairwise_distance(a, b), (3, 4), (3, 4)),
    "pairwise_distance_p3": (lambda a, b: ember.pairwise_distance(a, b, 3), (3, 4), (4,)),
    "cdist": (lambda a, b: ember.cdist(a, b), (3, 4), (2, 4)),
    "cdist_p1.5": (lambda a, b: ember.cdist(a, b, 1.5), (2, 3, 4), (2, 4)),
    "cdist_p3": (lambda a, b: ember.cdist(a, b, 3), (3, 4), (2, 4)),
    "cdist_mm": (lambda a, b: ember.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
                 (2, 3, 4), (2, 4)),
    "pdist": (lambda a, b: ember.pdist(a) + b.sum(), (4, 3), ()),
    "pdist_p0.5": (lambda a, b: ember.pdist(a, 0.5) + b.sum(), (4, 3), ()),
    "pdist_p3": (lambda a, b: ember.pdist(a, 3) + b.sum(), (4, 3), ()),
}


@pytest.mark.parametrize("name", GRADCHECKED)
def test_gradcheck(name):
    fn, s1, s2 = GRADCHECKED[name]
    a = ember.tensor(_values(s1, np.float64, 0), requires_grad=True)
    b = ember.tensor(_values(s2, np.float64, 1), requires_grad=True)
    assert gradcheck(fn, (a, b))
    assert gradgradcheck(fn, (a, b))


@pytest.mark.parametrize("make", [lambda lib: lib.nn.CosineSimilarity(),
                                  lambda lib: lib.nn.CosineSimilarity(dim=-1, eps=0.1),
                                  lambda lib: lib.nn.PairwiseDistance(),
                                  lambda lib: lib.nn.PairwiseDistance(1.0, 0.0, True),
                                  lambda lib: lib.nn.PairwiseDistance(p=math.inf)])
def test_modules(make):
    x1, x2 = _values((5, 3), np.float32, 0), _values((5, 3), np.float32, 1)
    check_module(make, x1, x2)
    import torch
    assert repr(make(ember)) == repr(make(torch))
    assert vars(make(ember)).keys() >= {"eps"}


ERRORS = [
    (lambda lib, a, b: lib.cdist(a[0], b), (2, 5), (3, 5)),
    (lambda lib, a, b: lib.cdist(a, b[0]), (2, 5), (3, 5)),
    (lambda lib, a, b: lib.cdist(a, b), (2, 5), (3, 4)),
    (lambda lib, a, b: lib.cdist(a, b, -1.0), (2, 5), (3, 5)),
    (lambda lib, a, b: lib.cdist(a.long(), b.long()), (2, 5), (3, 5)),
    (lambda lib, a, b: lib.cdist(a, b.double()), (2, 5), (3, 5)),
    (lambda lib, a, b: lib.cdist(a, b), (2, 2, 5), (3, 3, 5)),
    (lambda lib, a, b: lib.cdist(a, b, compute_mode="fast"), (2, 5), (3, 5)),
    (lambda lib, a, b: lib.pdist(a.unsqueeze(0)), (2, 5), (3, 5)),
    (lambda lib, a, b: lib.pdist(a, -1), (2, 5), (3, 5)),
    (lambda lib, a, b: lib.pdist(a.long()), (2, 5), (3, 5)),
    (lambda lib, a, b: lib.cosine_similarity(a, b), (2, 5), (3, 5)),
    (lambda lib, a, b: lib.cosine_similarity(a.long(), b.long()), (2, 5), (2, 5)),
    (lambda lib, a, b: lib.cosine_similarity(a, b[:2], dim=2), (2, 5), (3, 5)),
    (lambda lib, a, b: lib.pairwise_distance(a, b), (2, 5), (3, 5)),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors(index):
    fn, s1, s2 = ERRORS[index]
    check_error(fn, _values(s1, np.float32, 0), _values(s2, np.float32, 1))
