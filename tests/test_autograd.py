"""Autograd behaviour against PyTorch: accumulation, graph objects, grad modes, higher
derivatives, hooks, and every bad-input error the foundation promises."""

import threading
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_same_tensor, check_error

LIBS = [ember, torch]


def both(fn):
    """Run ``fn(lib)`` for ember and torch; return the two results."""
    return fn(ember), fn(torch)


def test_gradients_accumulate_until_zeroed():
    def run(lib):
        w = lib.ones(4, requires_grad=True)
        seen = []
        for _ in range(3):
            (w * 3).sum().backward()
            seen.append(w.grad.clone())
        w.grad.zero_()
        (w * 3).sum().backward()
        seen.append(w.grad.clone())
        return seen
    for e, t in zip(*both(run)):
        assert_same_tensor(e, t)


def test_backward_with_explicit_gradient():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * x + 2
        y.backward(lib.tensor([0.1, 1.0, 0.01]))
        return x.grad
    assert_same_tensor(*both(run))


def test_chain_rule_example_from_the_tutorial():
    def run(lib):
        x, y = lib.tensor(1.0), lib.tensor(2.0)
        w = lib.tensor(1.5, requires_grad=True)
        loss = (w * x - y) ** 2
        loss.backward()
        return loss.detach(), w.grad
    (el, eg), (tl, tg) = both(run)
    assert_same_tensor(el, tl)
    assert_same_tensor(eg, tg)
    assert eg.item() == -1.0  # d/dw (wx - y)^2 = 2(wx - y)x = 2(1.5 - 2) = -1


def test_graph_objects_match():
    def run(lib):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        z = y.exp().sum()
        nf = y.grad_fn.next_functions
        return (y.grad_fn.name(), type(nf[0][0]).__name__, nf[0][1], nf[1],
                z.grad_fn.name(), z.grad_fn.next_functions[0][0].name(),
                x.is_leaf, y.is_leaf, x.grad_fn, nf[0][0].variable is x,
                (x + 1).grad_fn.next_functions[0][0] is nf[0][0])
    e, t = both(run)
    assert e == t


def test_repr_of_grad_fn():
    x = ember.ones(2, requires_grad=True)
    assert repr((x * 2).grad_fn).startswith("<MulBackward0 object at 0x")


@pytest.mark.parametrize("expr", [
    "x * 2", "x / 2", "2 / x", "x - 1", "2 - x", "-x", "x ** 2", "x ** y", "2 ** x",
    "x.sum()", "x.sum(0)", "x.mean()", "x.mean(0)", "x.max()", "x.min()", "x.exp()",
    "x.log()", "x.relu()", "x.sigmoid()", "x.tanh()", "x.abs()", "x.sqrt()", "x.clamp(0, 1)",
    "x.clamp(min=0)", "x.view(-1)", "x.reshape(-1)", "x.t()", "x.T", "x.transpose(0, 1)",
    "x[0]", "x[:, 1]", "x[0:1]", "x[[0, 1]]", "x.unsqueeze(0)", "x.squeeze()",
    "x.squeeze(0)", "x.expand(2, 2, 2)", "x.clone()", "x.double()", "x.to(lib.float64)",
    "lib.where(x > 1, x, y)", "x @ y", "x @ y[0]", "x[0] @ y", "x[0] @ y[0]", "x.max(0)[0]",
    "x + y", "x * y", "x.flatten()", "x.permute(1, 0)", "x.mT", "lib.maximum(x, y)",
])
def test_grad_fn_names(expr):
    def run(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)  # noqa: F841 (eval)
        y = lib.tensor([[0.5, 1.5], [2.5, 0.1]], requires_grad=True)  # noqa: F841 (eval)
        return eval(expr).grad_fn.name()
    e, t = both(run)
    assert e == t


def test_second_derivative_with_create_graph():
    def run(lib):
        x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
        y = (x ** 3 + x.sin() * x).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        return g.detach(), h
    (eg, eh), (tg, th) = both(run)
    assert_same_tensor(eg, tg)
    assert_same_tensor(eh, th)


@pytest.mark.parametrize("expr", [
    "(x * y).exp().sum()", "(x / y).log().sum()", "(x.sigmoid() * y.tanh()).mean()",
    "(x @ y).pow(2).sum()", "(x.sqrt() + y.abs()).sum()", "((x - y) ** 2).mean()",
    "(x.reshape(-1)[1:] * 3 * y.sum()).sum()", "lib.maximum(x, y).sum()",
    "(x.t() @ y).max()",
])
def test_gradients_of_gradients(expr):
    def run(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64, requires_grad=True)
        y = lib.tensor([[0.5, 1.5], [2.5, 0.1]], dtype=lib.float64, requires_grad=True)
        out = eval(expr)
        gx, gy = lib.autograd.grad(out, (x, y), create_graph=True)
        total = (gx * gx).sum() + gy.sum()
        # A piecewise-linear first derivative has no graph of its own (in both libraries).
        second = (lib.autograd.grad(total, (x, y), allow_unused=True) if total.requires_grad
                  else (None, None))
        return [gx.detach(), gy.detach(), *second]
    for e, t in zip(*both(run)):
        if t is None:
            assert e is None or not e.numpy().any()
        else:
            assert_same_tensor(e, t)


def test_autograd_grad_does_not_touch_dot_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (g,) = ember.autograd.grad((x * x).sum(), x)
    assert x.grad is None
    np.testing.assert_array_equal(g.numpy(), [2.0, 4.0])


def test_autograd_grad_unused_input():
    check_error(lambda lib: lib.autograd.grad(
        (lib.ones(2, requires_grad=True) * 2).sum(), [lib.ones(2, requires_grad=True)]))

    def run(lib):
        a, b = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        return lib.autograd.grad((a * 2).sum(), [a, b], allow_unused=True)[1]
    assert both(run) == (None, None)


def test_backward_inputs_restricts_accumulation():
    def run(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        (a * b).sum().backward(inputs=[a])
        return a.grad, b.grad
    (ea, eb), (ta, tb) = both(run)
    assert_same_tensor(ea, ta)
    assert eb is None and tb is None


def test_retain_graph_allows_second_backward():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad
    assert_same_tensor(*both(run))


def test_non_leaf_grad_and_retain_grad():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.retain_grad()
        z = (y * y).sum()
        z.backward()
        return y.grad
    assert_same_tensor(*both(run))
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert y.grad is None


def test_tensor_hooks_modify_gradients():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: g * 10)
        x.register_hook(lambda g: g + 1)
        (y * y).sum().backward()
        return x.grad
    assert_same_tensor(*both(run))


def test_detach_and_requires_grad_flags():
    def run(lib):
        x = lib.rand(3, requires_grad=True)
        y = x.detach()
        z = x * 2
        x.requires_grad_(False)
        return (y.requires_grad, y.is_leaf, z.requires_grad, x.requires_grad,
                z.detach().requires_grad, z.detach_().is_leaf)
    e, t = both(run)
    assert e == t


def test_detach_shares_memory_and_version():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x.detach()
    y.add_(1)
    assert x._version == 1 and x.tolist() == [2.0, 3.0]


def test_version_counter_matches():
    def run(lib):
        x = lib.zeros(3)
        v = x[1:]
        versions = [x._version]
        x.add_(1)
        versions.append(x._version)
        v.mul_(2)
        versions.append(x._version)
        x[0] = 5
        versions.append(x._version)
        return versions
    e, t = both(run)
    assert e == t


@pytest.mark.parametrize("mode", ["no_grad", "inference_mode", "set_grad_enabled"])
def test_grad_modes_as_context_managers(mode):
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        ctx = lib.set_grad_enabled(False) if mode == "set_grad_enabled" else getattr(lib, mode)()
        with ctx:
            y = x * 2
            with lib.enable_grad():
                z = x * 2
        return (y.requires_grad, y.grad_fn is None, z.requires_grad, lib.is_grad_enabled())
    e, t = both(run)
    assert e == t


def test_grad_modes_as_decorators():
    def run(lib):
        x = lib.ones(2, requires_grad=True)

        @lib.no_grad()
        def f(t):
            return t * 2

        @lib.no_grad
        def g(t):
            return t * 2

        @lib.enable_grad()
        def h(t):
            return t * 2

        with lib.no_grad():
            hz = h(x)
        return f(x).requires_grad, g(x).requires_grad, hz.requires_grad
    e, t = both(run)
    assert e == t


def test_grad_mode_is_thread_local():
    seen = []

    def worker():
        seen.append(ember.is_grad_enabled())
    with ember.no_grad():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        assert not ember.is_grad_enabled()
    assert seen == [True]


def test_set_grad_enabled_as_function():
    ember.set_grad_enabled(False)
    try:
        assert not (ember.ones(1, requires_grad=True) * 2).requires_grad
    finally:
        ember.set_grad_enabled(True)
    assert ember.is_grad_enabled()


# -- bad input: the exception PyTorch raises, with PyTorch's message -----------------------
def test_error_backward_twice():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        y.backward()
        y.backward()
    check_error(run)


def test_backward_twice_without_saved_tensors_is_fine():
    for lib in LIBS:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x + 1).sum()
        y.backward()
        y.backward()
        assert x.grad.tolist() == [2.0, 2.0]


def test_error_implicit_gradient_of_non_scalar():
    check_error(lambda lib: (lib.ones(3, requires_grad=True) * 2).backward())


def test_error_gradient_shape_mismatch():
    check_error(lambda lib: (lib.ones(3, requires_grad=True) * 2).backward(lib.ones(2)))


def test_error_in_place_on_leaf():
    def run(lib):
        x = lib.ones(3, requires_grad=True)
        x.add_(1)
    check_error(run)

    def view_of_leaf(lib):
        x = lib.ones(3, requires_grad=True)
        x[0] = 5
    check_error(view_of_leaf)


def test_in_place_on_leaf_allowed_under_no_grad():
    for lib in LIBS:
        x = lib.ones(3, requires_grad=True)
        with lib.no_grad():
            x -= 0.5
        assert x.tolist() == [0.5, 0.5, 0.5] and x.requires_grad


def test_error_saved_tensor_modified_in_place():
    def run(lib):
        x = lib.ones(3, requires_grad=True)
        y = x.exp()
        y.add_(1)
        y.sum().backward()
    e, t = check_error(run, match_message=False)
    assert "one of the variables needed for gradient computation has been modified by an " \
           "inplace operation: [torch.FloatTensor [3]], which is output 0 of" in str(e)
    assert "is at version 1; expected version 0 instead" in str(e)


def test_error_backward_on_tensor_without_grad():
    check_error(lambda lib: lib.ones(2).sum().backward())


def test_error_integer_tensor_cannot_require_grad():
    check_error(lambda lib: lib.ones(2, dtype=lib.int64).requires_grad_())
    check_error(lambda lib: lib.tensor([1, 2], requires_grad=True))


def test_error_requires_grad_on_non_leaf():
    def run(lib):
        y = lib.ones(2, requires_grad=True) * 2
        y.requires_grad_(False)
    check_error(run)


def test_error_numpy_of_tensor_requiring_grad():
    check_error(lambda lib: lib.ones(2, requires_grad=True).numpy())


def test_error_bool_of_multi_element_tensor():
    check_error(lambda lib: bool(lib.ones(2)))


def test_error_retain_grad_without_requires_grad():
    check_error(lambda lib: lib.ones(2).retain_grad())


def test_in_place_on_non_leaf_rebases_history():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y.mul_(x)
        y.add_(1)
        y.sum().backward()
        return y.grad_fn.name(), x.grad
    (en, eg), (tn, tg) = both(run)
    assert en == tn
    assert_same_tensor(eg, tg)


def test_setitem_on_non_leaf():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        v = lib.tensor([5.0], requires_grad=True)
        y = x * 1
        y[1:2] = v * 2
        (y * y).sum().backward()
        return y.grad_fn.name(), x.grad, v.grad
    (en, ex, ev), (tn, tx, tv) = both(run)
    assert en == tn
    assert_same_tensor(ex, tx)
    assert_same_tensor(ev, tv)


def test_create_graph_warning():
    x = ember.ones(1, requires_grad=True)
    with pytest.warns(UserWarning, match="reference cycle"):
        (x * x).sum().backward(create_graph=True)
    assert x.grad.requires_grad


def test_deep_graph_does_not_recurse():
    x = ember.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y.sum().backward()
    assert abs(x.grad.item() - 1.0001 ** 5000) < 1e-2


def test_node_hooks_see_gradients_in_their_inputs_shapes():
    shapes = {}
    for lib in (ember, torch):
        seen = []
        x, w = lib.ones(4, 2), lib.ones(3, 2, requires_grad=True)
        b = lib.ones(3, requires_grad=True)
        y = lib.nn.functional.linear(x, w, b)
        y.grad_fn.register_hook(
            lambda grad_inputs, grad_outputs, seen=seen: seen.append(
                [None if g is None else tuple(g.shape) for g in grad_inputs]))
        y.sum().backward()
        a, c = lib.ones(2, 3, requires_grad=True), lib.ones(3, requires_grad=True)
        z = a * c
        z.grad_fn.register_hook(
            lambda grad_inputs, grad_outputs, seen=seen: seen.append(
                [tuple(g.shape) for g in grad_inputs]))
        z.sum().backward()
        shapes[lib.__name__] = seen
    assert shapes["ember"] == shapes["torch"]


def test_leaf_that_stops_requiring_grad_gets_no_gradient():
    # Freezing a parameter after the forward pass: PyTorch's AccumulateGrad skips it.
    grads = {}
    for lib in (ember, torch):
        frozen = lib.ones(2, requires_grad=True)
        trained = lib.ones(2, requires_grad=True)
        loss = (frozen * 3 + trained * 2).sum()
        frozen.requires_grad_(False)
        loss.backward()
        grads[lib.__name__] = (frozen.grad, trained.grad.tolist())
    assert grads["ember"][0] is None and grads["torch"][0] is None
    assert grads["ember"][1] == grads["torch"][1]
