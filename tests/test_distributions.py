"""The public samplers (``normal`` overloads, ``multinomial``, ``exponential_``, ``cauchy_``,
``log_normal_``, ``geometric_``) draw PyTorch's numbers after the same seed."""

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_tensor, check_error

SEEDS = [0, 1, 1234]


def _draw_both(make, seed):
    torch.manual_seed(seed)
    theirs = make(torch)
    ember.manual_seed(seed)
    ours = make(ember)
    return ours, theirs


def _same_draw(make, seed):
    ours, theirs = _draw_both(make, seed)
    assert repr(ours.dtype) == repr(theirs.dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


NORMAL_CALLS = {
    "floats": lambda L: L.normal(2.0, 3.0, (5,)),
    "floats_long": lambda L: L.normal(-1.0, 0.5, size=(40,)),
    "floats_float64": lambda L: L.normal(2.0, 3.0, size=(17,), dtype=L.float64),
    "tensor_mean": lambda L: L.normal(L.arange(20.0), 2.0),
    "tensor_std": lambda L: L.normal(1.5, L.arange(20.0)),
    "both_tensors": lambda L: L.normal(L.arange(5.0), L.ones(5)),
    "both_broadcast": lambda L: L.normal(L.arange(6.0).reshape(2, 3), L.ones(3)),
    "float64_tensors": lambda L: L.normal(L.zeros(33, dtype=L.float64),
                                          L.ones(33, dtype=L.float64)),
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("call", NORMAL_CALLS, ids=str)
def test_normal_overloads(seed, call):
    _same_draw(NORMAL_CALLS[call], seed)


def test_normal_parameters_get_zero_gradients():
    for make in (lambda L, m, s: L.normal(m, 1.0), lambda L, m, s: L.normal(0.0, s),
                 lambda L, m, s: L.normal(m, s)):
        grads = []
        names = []
        for lib in (ember, torch):
            m = lib.zeros(3, requires_grad=True)
            s = lib.ones(3, requires_grad=True)
            out = make(lib, m, s)
            names.append(out.grad_fn.name())
            out.sum().backward()
            grads.append([None if x.grad is None else x.grad.numpy().tolist() for x in (m, s)])
        assert names[0] == names[1]
        assert grads[0] == grads[1]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("num_samples", [1, 3])
def test_multinomial(seed, replacement, num_samples):
    _same_draw(lambda L: L.multinomial(L.tensor([0.1, 0.5, 0.4, 2.0]), num_samples,
                                       replacement), seed)
    _same_draw(lambda L: L.tensor([[0.1, 0.5, 0.4], [1, 1, 1.0]]).multinomial(
        num_samples, replacement), seed)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("fill", [
    lambda t: t.exponential_(2.0), lambda t: t.cauchy_(), lambda t: t.cauchy_(1.0, 0.5),
    lambda t: t.log_normal_(), lambda t: t.log_normal_(0.2, 0.3), lambda t: t.geometric_(0.3),
])
def test_in_place_fills(seed, dtype, fill):
    _same_draw(lambda L: fill(L.empty(37, dtype=getattr(L, dtype))), seed)


def test_generator_argument():
    ours = ember.Generator().manual_seed(7)
    theirs = torch.Generator().manual_seed(7)
    assert_same_tensor(ember.normal(0.0, 1.0, (20,), generator=ours),
                       torch.normal(0.0, 1.0, (20,), generator=theirs))
    assert_same_tensor(ember.empty(5).exponential_(generator=ours),
                       torch.empty(5).exponential_(generator=theirs))


@pytest.mark.parametrize("call", [
    lambda L: L.normal(L.zeros(3), -1.0),
    lambda L: L.multinomial(L.tensor([0.5, 0.5]), 3),
    lambda L: L.multinomial(L.tensor([[[0.5]]]), 1),
    lambda L: L.multinomial(L.tensor([1, 2]), 1),
    lambda L: L.multinomial(L.tensor([-1.0, 2.0]), 1),
    lambda L: L.empty(3).exponential_(-1.0),
    lambda L: L.empty(3).geometric_(0.0),
])
def test_errors_match_torch(call):
    check_error(call)


def test_poisson_draws_counts_with_the_rates_mean():
    rates = ember.full((20000,), 3.0)
    counts = ember.poisson(rates)
    assert counts.dtype is ember.float32
    assert np.all(counts.numpy() == np.floor(counts.numpy()))
    assert abs(counts.numpy().mean() - 3.0) < 0.1
