"""ember.autograd.explain: the narrated backward pass shows the right numbers, in the
engine's order, and leaves .grad exactly as backward() would."""

import io
import math

import numpy as np

import ember
from ember.autograd import explain


def test_tutorial_chain_rule():
    # loss = (w*x - y)^2, so dloss/dw = 2(wx - y) * x = 2(1.5 - 2) * 1 = -1.
    x = ember.tensor(1.0)
    y = ember.tensor(2.0)
    w = ember.tensor(1.5, requires_grad=True)
    y_hat = w * x
    loss = (y_hat - y) ** 2
    out = io.StringIO()
    grads = explain(loss, file=out)
    text = out.getvalue()
    assert text.splitlines()[0] == ("backward from loss = tensor(0.2500, grad_fn=<PowBackward0>), "
                                    "seeded with dloss/dloss = tensor(1.)")
    # Each node shows its op's formula (read from the op class, which owns its wording).
    assert (f"[1] PowBackward0  (loss)\n    local derivative: {type(loss.grad_fn).formula}\n"
            "    grad in : tensor(1.)\n    grad out -> [2] SubBackward0: tensor(-1.)\n") in text
    assert (f"[3] MulBackward0  (y_hat)\n    local derivative: {type(y_hat.grad_fn).formula}\n"
            in text)
    assert "    input 1: no gradient (it does not require grad)\n" in text
    assert "[4] AccumulateGrad  (w)\n" in text and "w.grad is now tensor(-1.)" in text
    assert ("  dloss/dw = 1 (seed) x -1 (PowBackward0) x 1 (SubBackward0) x 1 (MulBackward0) "
            "= -1\n") in text
    assert list(grads) == ["w"] and grads["w"].item() == -1.0
    assert w.grad.item() == -1.0


def test_other_numbers_hand_computed():
    # x=2, y=3, w=0.5: 2(wx - y) = -4 at the power, times x = 2 at the product: -8.
    x = ember.tensor(2.0)
    y = ember.tensor(3.0)
    w = ember.tensor(0.5, requires_grad=True)
    out = io.StringIO()
    grads = explain((w * x - y) ** 2, names={w: "w"}, file=out)
    text = out.getvalue()
    assert "doutput/dw = 1 (seed) x -4 (PowBackward0) x 1 (SubBackward0) x 2 (MulBackward0) = -8" \
        in text
    assert grads["w"].item() == -8.0


def test_several_paths_are_summed():
    c = ember.tensor(3.0, requires_grad=True)
    b = c * c + c.exp()
    out = io.StringIO()
    grads = explain(b, file=out)
    text = out.getvalue()
    assert f"db/dc = sum of 3 paths = tensor({2 * 3 + math.exp(3):.4f})" in text
    assert "      1 (seed) x 1 (AddBackward0) x 3 (MulBackward0) = 3\n" in text
    assert "      1 (seed) x 1 (AddBackward0) x 20.09 (ExpBackward0) = 20.09\n" in text
    assert np.isclose(grads["c"].item(), 6 + math.exp(3))


def test_nodes_are_listed_in_the_engines_order():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    b = ember.tensor([0.5, -1.0], requires_grad=True)
    total = (a * b).sum() + (a.exp() * 2).mean() + b.sin().sum()
    order = []
    stack, seen = [total.grad_fn], set()
    while stack:  # record the engine's own order with pre-hooks, independently of explain
        fn = stack.pop()
        if fn in seen:
            continue
        seen.add(fn)
        fn.register_prehook(lambda grads, fn=fn: order.append(fn.name()))
        stack.extend(child for child, _ in fn.next_functions if child is not None)
    out = io.StringIO()
    explain(total, retain_graph=True, file=out)
    text = out.getvalue()
    listed = [line.split("]")[1].split()[0] for line in text.splitlines() if line[:1] == "["]
    assert listed == order
    assert "J[SumBackward0]" in text  # vector gradients: the local derivative is a Jacobian


def test_gradients_match_backward_and_wrappers_are_removed():
    ember.manual_seed(0)
    x = ember.randn(4, 3)
    w = ember.randn(3, 2, requires_grad=True)
    bias = ember.randn(2, requires_grad=True)
    loss = ((x @ w + bias).relu() ** 2).mean()
    out = io.StringIO()
    grads = explain(loss, retain_graph=True, file=out)
    assert set(grads) == {"w", "bias"}
    np.testing.assert_array_equal(grads["w"].numpy(), w.grad.numpy())
    # Broadcast gradients are reported after the engine reduces them to the input's shape.
    assert grads["bias"].shape == (2,)
    expected_w = w.grad.numpy().copy()
    loss.backward()  # a second pass accumulates, as after a plain backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * expected_w)
    fn = loss.grad_fn
    while fn is not None:
        assert "backward" not in fn.__dict__ and "apply" not in fn.__dict__
        fn = next((c for c, _ in fn.next_functions if c is not None), None)


def test_a_leaf_used_through_a_broadcast():
    w = ember.tensor(2.0, requires_grad=True)
    x = ember.tensor([1.0, 2.0, 3.0])
    out = io.StringIO()
    grads = explain((w * x).sum(), names={w: "w"}, file=out)
    text = out.getvalue()
    assert "grad out -> [3] AccumulateGrad  (w): tensor(6.)" in text
    assert grads["w"].item() == 6.0


def test_needs_a_graph():
    try:
        explain(ember.ones(2).sum())
    except RuntimeError as error:
        assert "does not require grad" in str(error)
    else:
        raise AssertionError("explain of a constant should fail")
