"""Embedding lookups against PyTorch: ``embedding`` (padding_idx, max_norm renormalising the
weight in place, scale_grad_by_freq), ``embedding_bag`` (sum/mean/max, offsets, 2-D input,
per_sample_weights, include_last_offset, padding_idx), ``one_hot``, the modules and errors."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from nn_oracle import build_pair, check_module
from oracle import assert_same_tensor, check_error, check_op

RNG = np.random.default_rng(0)
W = RNG.standard_normal((6, 3)).astype(np.float32)
IDX = np.array([[1, 2, 5, 1], [0, 3, 3, 1]])
FLAT = np.array([1, 2, 5, 1, 0, 3, 3, 1])
OFFSETS = np.array([0, 0, 3, 5, 8])
F = "nn.functional"


def fn(lib):
    return lib.nn.functional


@settings(max_examples=15, deadline=None)
@given(idx=hnp.arrays(st.sampled_from([np.int64, np.int32]),
                      hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
                      elements=st.integers(0, 5)),
       padding_idx=st.sampled_from([None, 0, 2, -1]), scale=st.booleans())
def test_embedding(idx, padding_idx, scale):
    check_op(lambda lib, i, w: fn(lib).embedding(i, w, padding_idx=padding_idx,
                                                 scale_grad_by_freq=scale), idx, W)


def test_embedding_float64_and_torch_level():
    check_op(lambda lib, i, w: lib.embedding(w, i, 2, True), IDX, W.astype(np.float64))


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
def test_max_norm_renormalises_weight_in_place(norm_type):
    e_w, t_w = ember.from_numpy(W * 3), torch.from_numpy(W * 3)
    e_out = fn(ember).embedding(ember.from_numpy(IDX), e_w, max_norm=1.5, norm_type=norm_type)
    t_out = fn(torch).embedding(torch.from_numpy(IDX), t_w, max_norm=1.5, norm_type=norm_type)
    assert_same_tensor(e_out, t_out)
    assert_same_tensor(e_w, t_w)
    assert e_w._version == t_w._version


def test_embedding_renorm_():
    e_w, t_w = ember.from_numpy(W * 2), torch.from_numpy(W * 2)
    assert ember.embedding_renorm_(e_w, ember.from_numpy(FLAT), 1.0, 2.0) is e_w
    torch.embedding_renorm_(t_w, torch.from_numpy(FLAT), 1.0, 2.0)
    assert_same_tensor(e_w, t_w)


def test_gradcheck_embedding():
    w = ember.from_numpy(W.astype(np.float64)).requires_grad_()
    i = ember.from_numpy(IDX)
    assert ember.autograd.gradcheck(lambda w: fn(ember).embedding(i, w), (w,))
    assert ember.autograd.gradgradcheck(lambda w: fn(ember).embedding(i, w) ** 2, (w,))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 1, -3])
def test_embedding_bag(mode, padding_idx):
    def bag(lib, i, o, w, **kw):
        return fn(lib).embedding_bag(i, w, o, mode=mode, padding_idx=padding_idx, **kw)
    check_op(bag, FLAT, OFFSETS, W)
    check_op(lambda lib, i, o, w: bag(lib, i, o, w, include_last_offset=True), FLAT, OFFSETS, W)
    check_op(lambda lib, i, w: bag(lib, i, None, w), IDX, W)
    check_op(bag, FLAT, OFFSETS, W.astype(np.float64))


def test_embedding_bag_per_sample_weights():
    psw = RNG.standard_normal(8).astype(np.float32)
    check_op(lambda lib, i, o, w, p: fn(lib).embedding_bag(i, w, o, mode="sum",
                                                           per_sample_weights=p,
                                                           padding_idx=3), FLAT, OFFSETS, W, psw)
    check_op(lambda lib, i, o, w, p: fn(lib).embedding_bag(i, w, o, mode="sum",
                                                           per_sample_weights=p,
                                                           include_last_offset=True),
             FLAT, OFFSETS[:-1], W, psw)
    check_op(lambda lib, i, w, p: fn(lib).embedding_bag(i, w, mode="sum", per_sample_weights=p),
             IDX, W, psw.reshape(2, 4))


def test_embedding_bag_max_norm():
    e_w, t_w = ember.from_numpy(W * 3), torch.from_numpy(W * 3)
    e = fn(ember).embedding_bag(ember.from_numpy(IDX), e_w, max_norm=1.0)
    t = fn(torch).embedding_bag(torch.from_numpy(IDX), t_w, max_norm=1.0)
    assert_same_tensor(e, t)
    assert_same_tensor(e_w, t_w)


def test_embedding_bag_scale_grad_by_freq_is_true_frequency():
    """Deviation: ATen's CPU kernel divides by the count of the wrong index (it looks up
    counts by the unique-group number); ember divides by each index's frequency, as the
    documentation says and as ``embedding`` does."""
    w = ember.ones(6, 1, requires_grad=True)
    fn(ember).embedding_bag(ember.from_numpy(FLAT), w, ember.from_numpy(OFFSETS), mode="sum",
                            scale_grad_by_freq=True).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy().ravel(), [1, 1, 1, 1, 0, 1])


def test_gradcheck_embedding_bag():
    w = ember.from_numpy(W.astype(np.float64)).requires_grad_()
    psw = ember.from_numpy(RNG.standard_normal(8)).requires_grad_()
    i, o = ember.from_numpy(FLAT), ember.from_numpy(OFFSETS)
    for mode in ("sum", "mean", "max"):
        assert ember.autograd.gradcheck(
            lambda w, mode=mode: fn(ember).embedding_bag(i, w, o, mode=mode), (w,))
    assert ember.autograd.gradcheck(
        lambda w, p: fn(ember).embedding_bag(i, w, o, mode="sum", per_sample_weights=p),
        (w, psw))


def test_torch_level_embedding_bag():
    check_op(lambda lib, w, i, o: lib.embedding_bag(w, i, o, False, 0, False, None, False,
                                                    None)[0], W, FLAT, OFFSETS)


def test_one_hot():
    check_op(lambda lib, i: fn(lib).one_hot(i), IDX)
    check_op(lambda lib, i: fn(lib).one_hot(i, 8), IDX)
    check_op(lambda lib, i: fn(lib).one_hot(i, 3), np.zeros(0, np.int64))
    check_op(lambda lib, i: fn(lib).one_hot(i), np.array(2))


def test_errors():
    check_error(lambda lib, i, w: fn(lib).embedding(i, w), np.array([6]), W)
    check_error(lambda lib, i, w: fn(lib).embedding(i, w), np.array([-1]), W)
    check_error(lambda lib, i, w: fn(lib).embedding(i, w), np.array([1.0]), W)
    check_error(lambda lib, i, w: fn(lib).embedding(i, w), np.array([1]), W[0])
    check_error(lambda lib, i, w: fn(lib).embedding(i, w, padding_idx=6), IDX, W)
    check_error(lambda lib, i, w: fn(lib).embedding(i, w, padding_idx=-7), IDX, W)
    check_error(lambda lib, i, o, w: fn(lib).embedding_bag(i, w, o), FLAT, OFFSETS + 1, W)
    check_error(lambda lib, i, o, w: fn(lib).embedding_bag(i, w, o), FLAT, np.array([0, 9]), W)
    check_error(lambda lib, i, o, w: fn(lib).embedding_bag(i, w, o), np.array([1, 7]),
                np.array([0]), W)
    check_error(lambda lib, i, w: fn(lib).embedding_bag(i, w), FLAT, W)
    # the message names the offsets' class, which differs (ember._tensor.Tensor)
    check_error(lambda lib, i, o, w: fn(lib).embedding_bag(i, w, o), IDX, OFFSETS, W,
                match_message=False)
    check_error(lambda lib, i, o, w: fn(lib).embedding_bag(i, w, o, mode="median"),
                FLAT, OFFSETS, W)
    check_error(lambda lib, i, o, w: fn(lib).embedding_bag(i, w, o, mode="max",
                                                           scale_grad_by_freq=True),
                FLAT, OFFSETS, W)
    check_error(lambda lib, i, o, w, p: fn(lib).embedding_bag(i, w, o, mode="mean",
                                                              per_sample_weights=p),
                FLAT, OFFSETS, W, np.ones(8, np.float32))
    check_error(lambda lib, i, o, w, p: fn(lib).embedding_bag(i, w, o, per_sample_weights=p),
                FLAT, OFFSETS, W, np.ones(7, np.float32))
    check_error(lambda lib, i: fn(lib).one_hot(i, 3), IDX)
    check_error(lambda lib, i: fn(lib).one_hot(i), -IDX)
    check_error(lambda lib, i: fn(lib).one_hot(i), IDX.astype(np.int32))
    check_error(lambda lib, i: fn(lib).one_hot(i), np.zeros(0, np.int64))
    check_error(lambda lib: lib.nn.Embedding(4, 2, padding_idx=4))
    check_error(lambda lib: lib.nn.EmbeddingBag(4, 2, padding_idx=-5))
    check_error(lambda lib: lib.nn.Embedding.from_pretrained(lib.ones(3)))
    check_error(lambda lib: lib.nn.Embedding(4, 2, _weight=lib.ones(3, 2)))


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 2}, {"padding_idx": -1},
                                    {"max_norm": 1.0}, {"scale_grad_by_freq": True},
                                    {"dtype": "float64"}])
def test_embedding_module(kwargs):
    def make(lib):
        kw = dict(kwargs)
        if "dtype" in kw:
            kw["dtype"] = getattr(lib, kw["dtype"])
        return lib.nn.Embedding(6, 3, **kw)
    check_module(make, IDX)
    e, t = build_pair(make)
    assert repr(e) == repr(t)


@pytest.mark.parametrize("kwargs", [{}, {"mode": "sum"}, {"mode": "max", "padding_idx": 1},
                                    {"include_last_offset": True, "max_norm": 2.0}])
def test_embedding_bag_module(kwargs):
    make = lambda lib: lib.nn.EmbeddingBag(6, 3, **kwargs)  # noqa: E731
    check_module(make, FLAT, OFFSETS)
    if not kwargs:
        check_module(make, IDX)
    e, t = build_pair(make)
    assert repr(e) == repr(t)


def test_from_pretrained():
    for lib in (ember, torch):
        weights = lib.tensor([[1.0, 2.3, 3.0], [4.0, 5.1, 6.3]])
        frozen = lib.nn.Embedding.from_pretrained(weights)
        assert not frozen.weight.requires_grad
        trained = lib.nn.Embedding.from_pretrained(weights, freeze=False, padding_idx=0)
        assert trained.weight.requires_grad and trained.padding_idx == 0
        bag = lib.nn.EmbeddingBag.from_pretrained(weights, mode="max")
        assert not bag.weight.requires_grad and bag.mode == "max"
    check_module(lambda lib: lib.nn.Embedding.from_pretrained(
        lib.tensor([[1.0, 2.3, 3.0], [4.0, 5.1, 6.3]]), freeze=False), np.array([1, 0, 1]))
    check_module(lambda lib: lib.nn.Embedding(3, 2, _freeze=True), np.array([1, 0]))


def test_sparse_is_not_supported():
    with pytest.raises(NotImplementedError, match="sparse"):
        ember.nn.Embedding(4, 2, sparse=True)(ember.tensor([1]))
