"""Dropout: masks equal PyTorch's bit for bit after manual_seed (``bernoulli_(1 - p)``, one
draw per element or per channel), identity at p=0 and in eval mode, zeros at p=1, the
in-place forms, the modules and their errors."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from nn_oracle import check_module
from oracle import check_error, check_op

RNG = np.random.default_rng(0)
X3 = RNG.standard_normal((4, 3, 5)).astype(np.float32)
X4 = RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)
X5 = RNG.standard_normal((2, 3, 2, 2, 3)).astype(np.float32)


def seeded(fn, seed=7):
    """``fn`` run after manual_seed(seed) in whichever library it gets."""
    def run(lib, *xs):
        lib.manual_seed(seed)
        return fn(lib, *xs)
    return run


@settings(max_examples=20, deadline=None)
@given(x=hnp.arrays(st.sampled_from([np.float32, np.float64]),
                    hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6),
                    elements=st.floats(-10, 10, width=32)),
       p=st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]))
def test_dropout_bit_exact(x, p):
    e, t = check_op(seeded(lambda lib, a: lib.nn.functional.dropout(a, p)), x, atol=0, rtol=0)
    np.testing.assert_array_equal(e[0].detach().numpy(), t[0].detach().numpy())


@pytest.mark.parametrize("name, x", [("dropout1d", X3), ("dropout1d", X3[0]),
                                     ("dropout2d", X4), ("dropout2d", X3),
                                     ("dropout3d", X5), ("dropout3d", X5[0])])
@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_channel_dropout(name, x, p):
    with pytest.warns(UserWarning) if name == "dropout2d" and x.ndim == 3 else _nothing():
        check_op(seeded(lambda lib, a: getattr(lib.nn.functional, name)(a, p)), x, atol=0,
                 rtol=0)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("name", ["alpha_dropout", "feature_alpha_dropout"])
@pytest.mark.parametrize("p", [0.0, 0.2, 0.7, 1.0])
def test_alpha_dropout(name, p):
    check_op(seeded(lambda lib, a: getattr(lib.nn.functional, name)(a, p, True)), X4)
    check_op(lambda lib, a: getattr(lib.nn.functional, name)(a, p), X4)  # training=False


@pytest.mark.parametrize("name", ["dropout", "dropout_", "feature_dropout", "feature_dropout_",
                                  "alpha_dropout", "alpha_dropout_", "feature_alpha_dropout",
                                  "feature_alpha_dropout_"])
def test_torch_level_kernels(name):
    check_op(seeded(lambda lib, a: getattr(lib, name)(a * 1, 0.4, True)), X3)
    check_op(lambda lib, a: getattr(lib, name)(a * 1, 0.4, False), X3)
    assert not hasattr(ember.Tensor, name)


def test_identity_returns_input():
    x = ember.randn(3, 4, requires_grad=True)
    assert ember.nn.functional.dropout(x, 0.0) is x
    assert ember.nn.functional.dropout(x, 0.5, training=False) is x
    empty = ember.empty(0, 3)
    assert ember.dropout(empty, 0.5, True) is empty


def test_inplace_same_tensor_and_version():
    for lib in (ember, torch):
        lib.manual_seed(1)
        x = lib.ones(10)
        y = lib.nn.functional.dropout(x, 0.5, inplace=True)
        assert y is x and x._version == 1
    lib_pair = [lib.nn.functional.dropout(lib.ones(10), 0.5, inplace=True) for lib in
                (ember, torch) if lib.manual_seed(1) is not None]
    np.testing.assert_array_equal(lib_pair[0].numpy(), lib_pair[1].numpy())


def test_inplace_on_leaf_raises():
    check_error(lambda lib, a: lib.nn.functional.dropout(a.requires_grad_(), 0.5,
                                                         inplace=True), X3)


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_bad_probability(p):
    for name in ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
                 "feature_alpha_dropout"]:
        check_error(lambda lib, a, name=name: getattr(lib.nn.functional, name)(a, p), X3)
    check_error(lambda lib, a: lib.dropout(a, p, True), X3)
    check_error(lambda lib: lib.nn.Dropout(p))


def test_errors():
    check_error(lambda lib, a: lib.nn.functional.dropout1d(a, 0.5), X4)
    check_error(lambda lib, a: lib.feature_dropout(a, 0.5, True), X3[0, 0])
    check_error(lambda lib, a: lib.nn.functional.dropout(a, 0.5), np.arange(6))


def test_rank_warning():
    with pytest.warns(UserWarning, match="Received a 5-D input to dropout2d"):
        ember.nn.functional.dropout2d(ember.from_numpy(X5), 0.5)


@pytest.mark.parametrize("name, x", [("Dropout", X3), ("Dropout1d", X3), ("Dropout2d", X4),
                                     ("Dropout3d", X5), ("AlphaDropout", X4),
                                     ("FeatureAlphaDropout", X4)])
@pytest.mark.parametrize("train", [True, False])
def test_modules(name, x, train):
    check_module(lambda lib: getattr(lib.nn, name)(0.35), x, train=train)
    check_module(lambda lib: getattr(lib.nn, name)(0.35), x.astype(np.float64), train=train)
    assert repr(getattr(ember.nn, name)(0.2, True)) == repr(getattr(torch.nn, name)(0.2, True))


def test_module_inplace():
    check_module(lambda lib: lib.nn.Sequential(lib.nn.Linear(5, 5), lib.nn.Dropout(0.5, True)),
                 X3)


def test_mask_is_reused_in_backward():
    """The gradient is grad * mask / (1 - p): zero exactly where the output was dropped."""
    ember.manual_seed(3)
    x = ember.randn(1000, requires_grad=True)
    y = ember.nn.functional.dropout(x, 0.25)
    y.sum().backward()
    dropped = y.detach().numpy() == 0
    assert np.all(x.grad.numpy()[dropped] == 0)
    np.testing.assert_allclose(x.grad.numpy()[~dropped], 1 / 0.75, rtol=1e-6)
