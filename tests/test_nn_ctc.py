"""``F.ctc_loss`` and ``nn.CTCLoss`` against PyTorch: reductions, ``zero_infinity``, blank,
padded and concatenated targets, repeated labels, unbatched input, length edge cases,
gradients (PyTorch's formula), float64 gradcheck through ``log_softmax``, errors."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from nn_oracle import check_module
from oracle import check_error, check_op

RNG = np.random.default_rng(0)


def _case(steps, batch, classes, width, blank=0, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((steps, batch, classes))
    labels = [c for c in range(classes) if c != blank]
    targets = rng.choice(labels, (batch, width))
    input_lengths = rng.integers(max(1, steps // 2), steps + 1, batch)
    target_lengths = rng.integers(0, width + 1, batch)
    return x, targets, input_lengths, target_lengths


def _loss(targets, input_lengths, target_lengths, normalise=True, **kwargs):
    def fn(lib, x):
        lp = x.log_softmax(-1) if normalise else x
        return lib.nn.functional.ctc_loss(lp, lib.from_numpy(targets),
                                          lib.from_numpy(input_lengths),
                                          lib.from_numpy(target_lengths), **kwargs)
    return fn


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("normalise", [True, False])
def test_reductions(reduction, zero_infinity, normalise):
    x, targets, il, tl = _case(9, 4, 5, 4)
    check_op(_loss(targets, il, tl, normalise, reduction=reduction,
                   zero_infinity=zero_infinity), x)
    check_op(_loss(targets, il, tl, normalise, reduction=reduction,
                   zero_infinity=zero_infinity), x.astype(np.float32), atol=1e-4)


@settings(max_examples=20, deadline=None)
@given(steps=st.integers(1, 8), batch=st.integers(1, 4), classes=st.integers(2, 6),
       width=st.integers(0, 5), blank=st.integers(0, 1), seed=st.integers(0, 1000))
def test_random_lattices(steps, batch, classes, width, blank, seed):
    x, targets, il, tl = _case(steps, batch, classes, width, blank, seed)
    # Impossible alignments (targets longer than inputs) give inf: zero_infinity hides them.
    check_op(_loss(targets, il, tl, blank=blank, reduction="sum", zero_infinity=True), x)


def test_repeated_labels_need_a_blank():
    x = RNG.standard_normal((5, 2, 3))
    targets = np.array([[1, 1, 1], [2, 2, 0]])
    check_op(_loss(targets, np.array([5, 5]), np.array([3, 2]), reduction="none"), x)
    # Three repeats need 5 steps: with 4 the loss is infinite.
    check_op(_loss(targets, np.array([4, 3]), np.array([3, 2]), reduction="none",
                   zero_infinity=True), x)
    e = ember.nn.functional.ctc_loss(ember.from_numpy(x).log_softmax(2),
                                     ember.from_numpy(targets), [4, 3], [3, 2],
                                     reduction="none")
    t = torch.nn.functional.ctc_loss(torch.from_numpy(x).log_softmax(2),
                                     torch.from_numpy(targets), [4, 3], [3, 2],
                                     reduction="none")
    np.testing.assert_allclose(e.numpy(), t.numpy())


def test_concatenated_targets_and_lists():
    x, targets, il, tl = _case(7, 3, 4, 3)
    flat = np.concatenate([targets[i, :n] for i, n in enumerate(tl)])
    check_op(lambda lib, a: lib.nn.functional.ctc_loss(
        a.log_softmax(2), lib.from_numpy(flat), list(il), tuple(tl)), x)


def test_unbatched():
    x = RNG.standard_normal((6, 4))
    for reduction in ("none", "mean", "sum"):
        check_op(lambda lib, a, r=reduction: lib.nn.functional.ctc_loss(
            a.log_softmax(1), lib.tensor([1, 3, 3]), lib.tensor(6), lib.tensor(3),
            reduction=r, zero_infinity=True), x)


def test_gradcheck():
    x = ember.randn(6, 2, 4, dtype=ember.float64, requires_grad=True)

    def fn(a):
        return ember.nn.functional.ctc_loss(a.log_softmax(2), ember.tensor([[1, 2], [3, 3]]),
                                            [6, 5], [2, 2], reduction="none")

    assert ember.autograd.gradcheck(fn, (x,))


@pytest.mark.parametrize("kwargs", [{}, {"blank": 2, "reduction": "sum"},
                                    {"reduction": "none", "zero_infinity": True}])
def test_module(kwargs):
    x, targets, il, tl = _case(8, 3, 4, 3, blank=kwargs.get("blank", 0))
    assert repr(ember.nn.CTCLoss(**kwargs)) == repr(torch.nn.CTCLoss(**kwargs))

    def forward(module, a):
        lib = ember if isinstance(a, ember.Tensor) else torch
        return module(a.log_softmax(2), lib.from_numpy(targets), lib.from_numpy(il),
                      lib.from_numpy(tl))

    check_module(lambda lib: lib.nn.CTCLoss(**kwargs), x, forward=forward)


LP = np.log(np.full((6, 2, 4), 0.25))
TG = np.array([[1, 2, 3], [1, 1, 2]])


@pytest.mark.parametrize("fn", [
    lambda lib, x, t: lib.nn.functional.ctc_loss(x, t, [7, 5], [3, 2]),
    lambda lib, x, t: lib.nn.functional.ctc_loss(x, t, [6, 5], [4, 2]),
    lambda lib, x, t: lib.nn.functional.ctc_loss(x, t, [6], [3, 2]),
    lambda lib, x, t: lib.nn.functional.ctc_loss(x, t, [6, 5], [3]),
    lambda lib, x, t: lib.nn.functional.ctc_loss(x, t, [6, 5], [3, 2], blank=4),
    lambda lib, x, t: lib.nn.functional.ctc_loss(x, t, [6, 5], [3, 2], reduction="x"),
    lambda lib, x, t: lib.nn.functional.ctc_loss(x.long(), t, [6, 5], [3, 2]),
    lambda lib, x, t: lib.nn.functional.ctc_loss(x, t[:1], [6, 5], [3, 2]),
    lambda lib, x, t: lib.nn.functional.ctc_loss(x, lib.tensor([1, 2, 3, 1]), [6, 5], [3, 2]),
    lambda lib, x, t: lib.nn.functional.ctc_loss(x, t, [-1, 5], [3, 2]),
    lambda lib, x, t: lib.nn.functional.ctc_loss(x, t, [6, 5], [-1, 2]),
    lambda lib, x, t: lib.nn.functional.ctc_loss(x, t, lib.tensor([6, 5]),
                                                 lib.tensor([3.0, 2.0])),
])
def test_errors(fn):
    check_error(fn, LP, TG)
