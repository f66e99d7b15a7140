"""Gradients through complex tensors follow PyTorch's convention (the conjugate Wirtinger
derivative: a holomorphic op passes back ``grad * conj(f'(z))``), checked against PyTorch
for the ops that accept complex input, including real inputs mixed with complex ones."""

import warnings

import numpy as np
import pytest
import torch

import ember

rng = np.random.default_rng(7)


def _complex(*shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * 0.5 + 0.2


X, Y, Z = _complex(3, 3), _complex(3, 3), _complex(3, 3)
V = _complex(3)
R = rng.standard_normal((3, 3))
W_RE, W_IM = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))

UNARY = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan",
         "sinh", "cosh", "tanh", "asin", "acos", "atan", "asinh", "acosh", "atanh", "sqrt",
         "rsqrt", "reciprocal", "sigmoid", "square", "neg", "conj", "abs", "angle", "sgn",
         "prod", "sum", "mean", "t", "trace"]

CALLS = {
    "add_alpha": lambda L, x, y, z: L.add(x, y, alpha=2 - 1j),
    "sub": lambda L, x, y, z: x - y,
    "rsub": lambda L, x, y, z: 1.5 - x,
    "mul": lambda L, x, y, z: x * y,
    "mul_scalar": lambda L, x, y, z: x * (2 + 1j),
    "div": lambda L, x, y, z: x / y,
    "rdiv": lambda L, x, y, z: (1 - 1j) / x,
    "pow_scalar": lambda L, x, y, z: x ** 3,
    "pow_tensor": lambda L, x, y, z: x ** y,
    "rpow": lambda L, x, y, z: 2 ** x,
    "matmul": lambda L, x, y, z: x @ y,
    "mv": lambda L, x, y, z: L.mv(x, z[0]),
    "dot": lambda L, x, y, z: L.dot(x[0], y[0]),
    "vdot": lambda L, x, y, z: L.vdot(x[0], y[0]),
    "outer": lambda L, x, y, z: L.outer(x[0], y[1]),
    "addmm": lambda L, x, y, z: L.addmm(z, x, y, beta=0.5, alpha=1 + 1j),
    "addcmul": lambda L, x, y, z: L.addcmul(z, x, y, value=0.5),
    "addcdiv": lambda L, x, y, z: L.addcdiv(z, x, y, value=2),
    "kron": lambda L, x, y, z: L.kron(x[:2, :2], y[:2, :2]),
    "einsum": lambda L, x, y, z: L.einsum("ij,jk->ik", x, y),
    "det": lambda L, x, y, z: L.linalg.det(x + 2 * L.eye(3)),
    "inv": lambda L, x, y, z: L.linalg.inv(x + 2 * L.eye(3)),
    "solve": lambda L, x, y, z: L.linalg.solve(x + 2 * L.eye(3), y),
    "where": lambda L, x, y, z: L.where(L.tensor(R) > 0, x, y),
    "cat_stack": lambda L, x, y, z: L.stack([x, y]).sum(0) * L.cat([x, z]).sum(0),
    "view_as_real": lambda L, x, y, z: L.view_as_real(x * y) * 2,
}


def _loss(lib, out):
    """A real loss that weights the real and imaginary parts differently."""
    if out.is_complex():
        rows = out.reshape(-1)
        w_re = lib.tensor(np.resize(W_RE, rows.shape))
        w_im = lib.tensor(np.resize(W_IM, rows.shape))
        return (rows.real * w_re).sum() + (rows.imag * w_im).sum()
    return (out.reshape(-1) * lib.tensor(np.resize(W_RE, out.numel()))).sum()


def _grads(lib, fn, inputs, create_graph=False):
    tensors = [lib.tensor(v, requires_grad=True) for v in inputs]
    out = fn(lib, *tensors)
    grads = lib.autograd.grad(_loss(lib, out), tensors, allow_unused=True,
                              create_graph=create_graph)
    return out, tensors, grads


def _assert_same(e, t, what):
    assert (e is None) == (t is None), what
    if e is not None:
        assert repr(e.dtype) == repr(t.dtype), what
        np.testing.assert_allclose(e.detach().numpy(), t.detach().resolve_conj().numpy(),
                                   rtol=1e-9, atol=1e-12, err_msg=what)


def _check(fn, inputs):
    e_out, _, e_grads = _grads(ember, fn, inputs)
    t_out, _, t_grads = _grads(torch, fn, inputs)
    assert e_out.grad_fn.name() == t_out.grad_fn.name()
    _assert_same(e_out, t_out, "value")
    for i, (e, t) in enumerate(zip(e_grads, t_grads)):
        _assert_same(e, t, f"gradient of input {i}")


@pytest.mark.parametrize("name", UNARY)
def test_unary(name):
    _check(lambda L, x: getattr(x, name)(), [X])


@pytest.mark.parametrize("call", [lambda x: x.real, lambda x: x.imag, lambda x: x.cumsum(1),
                                  lambda x: x.cumprod(0), lambda x: x.flip(0),
                                  lambda x: x[1:, ::2], lambda x: x.reshape(9)[[0, 4, 4]]])
def test_views_and_scans(call):
    _check(lambda L, x: call(x), [X])


@pytest.mark.parametrize("name", sorted(CALLS))
def test_complex_inputs(name):
    _check(CALLS[name], [X, Y, Z])


@pytest.mark.parametrize("name", ["mul", "div", "addcmul", "pow_tensor", "rpow", "add_alpha"])
def test_real_inputs_mixed_with_complex(name):
    # A real input's gradient is the real part of the complex one, as in PyTorch.
    _check(CALLS[name], [R, Y, Z])
    _check(CALLS[name], [X, R, Z])


def test_real_graphs_use_the_plain_node_classes():
    x = ember.tensor(R, requires_grad=True)
    assert type((x * x).grad_fn) is ember.ops.pointwise.MulBackward0


@pytest.mark.parametrize("name", ["mul", "div", "matmul", "det"])
def test_second_derivatives(name):
    fn = CALLS[name]
    results = {}
    for lib in (ember, torch):
        _, tensors, grads = _grads(lib, fn, [X, Y, Z], create_graph=True)
        second = lib.autograd.grad(_loss(lib, grads[0]), tensors, allow_unused=True)
        results[lib.__name__] = second
    for i, (e, t) in enumerate(zip(results["ember"], results["torch"])):
        _assert_same(e, t, f"second derivative for input {i}")


@pytest.mark.parametrize("attr", ["H", "mH"])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 2, 3)])
def test_conjugate_transposes(attr, shape):
    values = np.resize(X, shape) if shape else X[0, 0]
    outcome = {}
    for lib in (ember, torch):
        x = lib.tensor(values, requires_grad=True)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                out = getattr(x * 1, attr)
        except RuntimeError as error:
            outcome[lib.__name__] = str(error)
            continue
        assert [str(w.message).split(" (Triggered")[0] for w in caught] == \
            outcome.setdefault("warnings", [str(w.message).split(" (Triggered")[0]
                                            for w in caught])
        assert out.grad_fn.name() == "ConjBackward0"
        outcome[lib.__name__] = out.detach().resolve_conj().numpy()
    if isinstance(outcome["ember"], str):
        assert outcome["ember"] == outcome["torch"]
    else:
        np.testing.assert_array_equal(outcome["ember"], outcome["torch"])
    real = ember.ones(2, 3, requires_grad=True) * 1
    assert getattr(real, attr).grad_fn.name() == "TransposeBackward0"
