"""Activations against PyTorch: every ``nn.functional`` activation and its in-place form
(values, dtypes, grad_fn names, gradients), the ``torch.*`` ones, every activation module
(initial weights, outputs, gradients, ``repr``), float64 gradcheck/gradgradcheck, random
slopes and Gumbel noise bit for bit after ``manual_seed``, and errors."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import ember
from ember.autograd import gradcheck, gradgradcheck
from nn_oracle import check_module
from oracle import check_error, check_op


def F(lib):
    return lib.nn.functional


# name -> fn(lib, x); each is checked on float32 and float64 inputs of any shape.
FUNCTIONS = {
    "relu": lambda lib, x: F(lib).relu(x),
    "relu6": lambda lib, x: F(lib).relu6(x * 4),
    "elu": lambda lib, x: F(lib).elu(x, 0.7),
    "selu": lambda lib, x: F(lib).selu(x),
    "celu": lambda lib, x: F(lib).celu(x, 1.5),
    "leaky_relu": lambda lib, x: F(lib).leaky_relu(x, 0.2),
    "prelu": lambda lib, x: F(lib).prelu(x, lib.tensor([0.3], dtype=x.dtype)),
    "rrelu_eval": lambda lib, x: F(lib).rrelu(x, 0.1, 0.3),
    "gelu": lambda lib, x: F(lib).gelu(x),
    "gelu_tanh": lambda lib, x: F(lib).gelu(x, approximate="tanh"),
    "logsigmoid": lambda lib, x: F(lib).logsigmoid(x * 10),
    "hardshrink": lambda lib, x: F(lib).hardshrink(x, 0.4),
    "tanhshrink": lambda lib, x: F(lib).tanhshrink(x),
    "softsign": lambda lib, x: F(lib).softsign(x),
    "softplus": lambda lib, x: F(lib).softplus(x * 10),
    "softplus_beta": lambda lib, x: F(lib).softplus(x * 10, beta=2, threshold=5),
    "softshrink": lambda lib, x: F(lib).softshrink(x, 0.3),
    "hardtanh": lambda lib, x: F(lib).hardtanh(x * 2, -0.5, 1.5),
    "hardsigmoid": lambda lib, x: F(lib).hardsigmoid(x * 4),
    "hardswish": lambda lib, x: F(lib).hardswish(x * 4),
    "silu": lambda lib, x: F(lib).silu(x * 10),
    "mish": lambda lib, x: F(lib).mish(x * 10),
    "threshold": lambda lib, x: F(lib).threshold(x, 0.1, -2.0),
    "sigmoid": lambda lib, x: F(lib).sigmoid(x),
    "tanh": lambda lib, x: F(lib).tanh(x),
    "torch.selu": lambda lib, x: lib.selu(x),
    "torch.celu": lambda lib, x: lib.celu(x),
    "torch.hardshrink": lambda lib, x: lib.hardshrink(x),
    "Tensor.hardshrink": lambda lib, x: x.hardshrink(0.2),
    "torch.threshold": lambda lib, x: lib.threshold(x, 0.0, 1.0),
    "torch.rrelu": lambda lib, x: lib.rrelu(x),
}

# The in-place forms run on a clone (a non-leaf), so the gradient reaches the input.
INPLACE = {
    "relu": lambda lib, x: F(lib).relu(x.clone(), inplace=True),
    "relu_": lambda lib, x: F(lib).relu_(x.clone()),
    "torch.relu_": lambda lib, x: lib.relu_(x.clone()),
    "torch.sigmoid_": lambda lib, x: lib.sigmoid_(x.clone()),
    "torch.tanh_": lambda lib, x: lib.tanh_(x.clone()),
    "relu6": lambda lib, x: F(lib).relu6(x.clone() * 4, inplace=True),
    "elu": lambda lib, x: F(lib).elu(x.clone(), 0.5, inplace=True),
    "elu_": lambda lib, x: F(lib).elu_(x.clone()),
    "selu": lambda lib, x: F(lib).selu(x.clone(), inplace=True),
    "selu_": lambda lib, x: lib.selu_(x.clone()),
    "celu": lambda lib, x: F(lib).celu(x.clone(), 2.0, inplace=True),
    "celu_": lambda lib, x: lib.celu_(x.clone()),
    "leaky_relu": lambda lib, x: F(lib).leaky_relu(x.clone(), 0.1, inplace=True),
    "leaky_relu_": lambda lib, x: F(lib).leaky_relu_(x.clone()),
    "rrelu_": lambda lib, x: F(lib).rrelu_(x.clone()),
    "rrelu": lambda lib, x: F(lib).rrelu(x.clone(), inplace=True),
    "hardtanh_": lambda lib, x: F(lib).hardtanh_(x.clone() * 2),
    "hardtanh": lambda lib, x: F(lib).hardtanh(x.clone() * 2, inplace=True),
    "hardsigmoid": lambda lib, x: F(lib).hardsigmoid(x.clone() * 4, inplace=True),
    "hardswish": lambda lib, x: F(lib).hardswish(x.clone() * 4, inplace=True),
    "silu": lambda lib, x: F(lib).silu(x.clone(), inplace=True),
    "mish": lambda lib, x: F(lib).mish(x.clone(), inplace=True),
    "threshold": lambda lib, x: F(lib).threshold(x.clone(), 0.2, 3.0, inplace=True),
    "threshold_": lambda lib, x: F(lib).threshold_(x.clone(), 0.2, 3.0),
    "torch.threshold_": lambda lib, x: lib.threshold_(x.clone(), 0.2, 3.0),
}

DTYPES = st.sampled_from([np.float32, np.float64])
SHAPES = array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)


def _values(shape, dtype, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("name", FUNCTIONS)
@settings(max_examples=12, deadline=None)
@given(shape=SHAPES, dtype=DTYPES, seed=st.integers(0, 2**16))
def test_functional(name, shape, dtype, seed):
    check_op(FUNCTIONS[name], _values(shape, dtype, seed))


@pytest.mark.parametrize("name", INPLACE)
@settings(max_examples=6, deadline=None)
@given(shape=SHAPES, dtype=DTYPES, seed=st.integers(0, 2**16))
def test_inplace(name, shape, dtype, seed):
    check_op(INPLACE[name], _values(shape, dtype, seed))


@pytest.mark.parametrize("name", ["relu", "elu", "gelu", "softplus", "hardswish", "mish",
                                  "threshold", "prelu", "softshrink"])
def test_non_contiguous(name):
    x = _values((6, 5), np.float32, 1)
    check_op(lambda lib, a: FUNCTIONS[name](lib, a.t()[::2]), x)


def test_kinks_follow_pytorch():
    # Values exactly at each function's corners: the one-sided derivative PyTorch picks.
    x = np.array([-6.0, -3.0, -1.0, -0.5, -0.3, 0.0, 0.1, 0.3, 0.5, 1.0, 3.0, 6.0, 20.0])
    # undo the scaling FUNCTIONS applies, so the corners are hit exactly
    scale = {"relu6": 4, "hardsigmoid": 4, "hardswish": 4, "hardtanh": 2, "logsigmoid": 10,
             "silu": 10, "softplus": 10, "mish": 10, "softplus_beta": 10}
    for name, fn in FUNCTIONS.items():
        if name not in ("tanhshrink", "softsign", "sigmoid", "tanh"):
            check_op(lambda lib, a, fn=fn, k=scale.get(name, 1): fn(lib, a / k), x)


def test_extreme_values_warn_nothing():
    x = np.array([-1e4, -100.0, 0.0, 100.0, 1e4], np.float32)
    for name, fn in FUNCTIONS.items():
        check_op(fn, x)
        if name != "sigmoid":  # ops.unary's kernels rely on ember's warnings filter
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                fn(ember, ember.tensor(x))
    glu = lambda lib, a: F(lib).glu(a.view(-1, 1).expand(5, 2))  # noqa: E731
    check_op(glu, x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        glu(ember, ember.tensor(x))


@settings(max_examples=15, deadline=None)
@given(shape=array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4), dtype=DTYPES,
       seed=st.integers(0, 2**16), data=st.data())
def test_glu(shape, dtype, seed, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    shape = list(shape)
    shape[dim] *= 2
    check_op(lambda lib, x: F(lib).glu(x, dim), _values(shape, dtype, seed))


@pytest.mark.parametrize("channels,shape", [(1, (5,)), (1, (2, 3, 4)), (3, (2, 3, 4)),
                                            (4, (2, 4)), (1, ()), (3, (2, 3, 2, 2))])
def test_prelu_channel_slopes(channels, shape):
    x = _values(shape, np.float64, 0)
    w = np.linspace(-0.5, 0.5, channels)
    check_op(lambda lib, a, b: F(lib).prelu(a, b), x, w)
    check_op(lambda lib, a, b: a.prelu(b), x, w)


def test_softmax_family():
    x = _values((2, 3, 4), np.float32, 3)
    for name in ("softmax", "log_softmax", "softmin"):
        check_op(lambda lib, a, n=name: getattr(F(lib), n)(a, 1), x)
        check_op(lambda lib, a, n=name: getattr(F(lib), n)(a, -1, dtype=lib.float64), x)


@pytest.mark.parametrize("ndim", [0, 1, 2, 3, 4])
def test_softmax_implicit_dim_warns(ndim):
    x = _values((2,) * ndim, np.float64, 0)
    for name in ("softmax", "log_softmax", "softmin"):
        with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name}"):
            check_op(lambda lib, a, n=name: getattr(F(lib), n)(a), x)


def test_rrelu_training_draws_match_pytorch():
    for dtype in (np.float32, np.float64):
        x = _values((4, 7), dtype, 5)
        for fn in (lambda lib, a: F(lib).rrelu(a, training=True),
                   lambda lib, a: F(lib).rrelu(a, 0.05, 0.9, training=True),
                   lambda lib, a: lib.rrelu(a.t(), training=True),
                   lambda lib, a: F(lib).rrelu(a.clone(), training=True, inplace=True),
                   lambda lib, a: lib.rrelu_(a.clone(), 0.2, 0.4, True)):
            def seeded(lib, a, fn=fn):
                lib.manual_seed(7)
                return fn(lib, a), lib.rand(3)  # the stream after the draws matches too
            e_out, t_out = check_op(seeded, x, atol=0, rtol=0)


@pytest.mark.parametrize("hard", [False, True])
def test_gumbel_softmax_matches_pytorch(hard):
    x = _values((5, 6), np.float32, 2)

    def fn(lib, a):
        lib.manual_seed(3)
        return F(lib).gumbel_softmax(a, tau=0.5, hard=hard)
    check_op(fn, x)
    check_op(lambda lib, a: (lib.manual_seed(3), F(lib).gumbel_softmax(a, dim=0))[1],
             x.astype(np.float64))
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        F(ember).gumbel_softmax(ember.tensor(x), eps=1e-3)


# -- gradcheck / gradgradcheck (float64) --------------------------------------------------
GRADCHECKED = {name: fn for name, fn in FUNCTIONS.items()}
GRADCHECKED.update({f"inplace {name}": fn for name, fn in INPLACE.items()
                    if not name.startswith("rrelu")})
GRADCHECKED["glu"] = lambda lib, x: F(lib).glu(x, 0)
GRADCHECKED["rrelu_train"] = lambda lib, x: (lib.manual_seed(0),
                                             F(lib).rrelu(x, training=True))[1]


@pytest.mark.parametrize("name", GRADCHECKED)
def test_gradcheck(name):
    # Away from the corners, where finite differences straddle a kink.
    x = np.array([[-2.2, -1.1, -0.45, 0.35], [0.7, 1.3, 2.1, 2.6]])
    x = ember.tensor(x, requires_grad=True)
    fn = GRADCHECKED[name]
    assert gradcheck(lambda a: fn(ember, a), (x,))
    assert gradgradcheck(lambda a: fn(ember, a), (x,))


def test_gradcheck_prelu_weight():
    x = ember.tensor([[-2.0, 1.5, -0.3], [0.4, -1.2, 2.2]], dtype=ember.float64,
                     requires_grad=True)
    w = ember.tensor([0.1, -0.2, 0.3], dtype=ember.float64, requires_grad=True)
    assert gradcheck(F(ember).prelu, (x, w))
    assert gradgradcheck(F(ember).prelu, (x, w))


# -- modules ------------------------------------------------------------------------------
MODULES = [
    lambda lib: lib.nn.ReLU(), lambda lib: lib.nn.ReLU(inplace=True),
    lambda lib: lib.nn.ReLU6(), lambda lib: lib.nn.ReLU6(True),
    lambda lib: lib.nn.LeakyReLU(), lambda lib: lib.nn.LeakyReLU(0.2, inplace=True),
    lambda lib: lib.nn.PReLU(), lambda lib: lib.nn.PReLU(4, init=0.1),
    lambda lib: lib.nn.PReLU(4, dtype=lib.float64), lambda lib: lib.nn.RReLU(),
    lambda lib: lib.nn.RReLU(0.1, 0.3, inplace=True), lambda lib: lib.nn.ELU(),
    lambda lib: lib.nn.ELU(0.5, True), lambda lib: lib.nn.SELU(),
    lambda lib: lib.nn.SELU(inplace=True), lambda lib: lib.nn.CELU(),
    lambda lib: lib.nn.CELU(2.0, True), lambda lib: lib.nn.GELU(),
    lambda lib: lib.nn.GELU("tanh"), lambda lib: lib.nn.SiLU(),
    lambda lib: lib.nn.SiLU(inplace=True), lambda lib: lib.nn.Mish(),
    lambda lib: lib.nn.Mish(True), lambda lib: lib.nn.Sigmoid(), lambda lib: lib.nn.Tanh(),
    lambda lib: lib.nn.Softmax(1), lambda lib: lib.nn.Softmax(dim=-1),
    lambda lib: lib.nn.LogSoftmax(1), lambda lib: lib.nn.Softmin(0),
    lambda lib: lib.nn.Softmax2d(), lambda lib: lib.nn.Softplus(),
    lambda lib: lib.nn.Softplus(2, 3), lambda lib: lib.nn.Softsign(),
    lambda lib: lib.nn.Softshrink(), lambda lib: lib.nn.Softshrink(0.2),
    lambda lib: lib.nn.Hardshrink(), lambda lib: lib.nn.Hardshrink(0.3),
    lambda lib: lib.nn.Hardtanh(), lambda lib: lib.nn.Hardtanh(-2, 0.5, True),
    lambda lib: lib.nn.Hardsigmoid(), lambda lib: lib.nn.Hardsigmoid(True),
    lambda lib: lib.nn.Hardswish(), lambda lib: lib.nn.Hardswish(inplace=True),
    lambda lib: lib.nn.Tanhshrink(), lambda lib: lib.nn.Threshold(0.1, 20),
    lambda lib: lib.nn.Threshold(0.1, 20.0, inplace=True), lambda lib: lib.nn.LogSigmoid(),
    lambda lib: lib.nn.GLU(), lambda lib: lib.nn.GLU(1),
]


@pytest.mark.parametrize("index", range(len(MODULES)))
@pytest.mark.parametrize("train", [True, False])
def test_module(index, train):
    make = MODULES[index]
    x = _values((2, 4, 3, 4), np.float32, index)
    inplace = getattr(make(ember), "inplace", False)
    if make(ember).state_dict() and "float64" in repr(make(ember).weight.dtype):
        x = x.astype(np.float64)
    forward = (lambda m, a: m(a * 3)) if inplace else None
    check_module(make, x, train=train, forward=forward)


@pytest.mark.parametrize("index", range(len(MODULES)))
def test_module_repr(index):
    assert repr(MODULES[index](ember)) == repr(MODULES[index](__import__("torch")))


def test_modules_exported():
    import torch
    for name in torch.nn.modules.activation.__all__:
        if name != "MultiheadAttention":
            assert hasattr(ember.nn, name), name


def test_prelu_reset_and_state():
    e = ember.nn.PReLU(4, init=0.5)
    assert list(e.state_dict()) == ["weight"] and e.num_parameters == 4 and e.init == 0.5
    e.weight.data.fill_(0)
    e.reset_parameters()
    assert e.weight.tolist() == [0.5] * 4


def test_hardtanh_deprecated_keywords():
    with pytest.warns(FutureWarning, match="min_value"):
        m = ember.nn.Hardtanh(min_value=-2.0)
    assert m.min_val == -2.0
    with pytest.warns(FutureWarning, match="max_value"):
        assert ember.nn.Hardtanh(max_value=3.0).max_val == 3.0


# -- errors -------------------------------------------------------------------------------
INTS = np.array([[1, -2], [3, 0]])
ERRORS = [
    (lambda lib, x: F(lib).glu(x, 1), _values((2, 3), np.float32, 0)),
    (lambda lib, x: F(lib).glu(x), np.ones((), np.float32)),
    (lambda lib, x: F(lib).glu(x, 2), _values((2, 4), np.float32, 0)),
    (lambda lib, x: lib.nn.GLU()(x), _values((2, 5), np.float32, 0)),
    (lambda lib, x: lib.nn.Softmax2d()(x), _values((2, 5), np.float32, 0)),
    (lambda lib, x: lib.nn.Softmax2d()(x), _values((2, 5, 1, 1, 1), np.float32, 0)),
    (lambda lib, x: F(lib).gelu(x, approximate="fast"), _values((2,), np.float32, 0)),
    (lambda lib, x: F(lib).hardtanh(x, 2.0, 1.0), _values((2,), np.float32, 0)),
    (lambda lib, x: lib.nn.Hardtanh(1.0, 1.0), _values((2,), np.float32, 0)),
    (lambda lib, x: F(lib).softshrink(x, -1.0), _values((2,), np.float32, 0)),
    (lambda lib, x: F(lib).softshrink(x, -0.25), _values((2,), np.float64, 0)),
    (lambda lib, x: F(lib).celu(x, 0.0), _values((2,), np.float32, 0)),
    (lambda lib, x: F(lib).rrelu(x, 0.5, 0.1, training=True), _values((2,), np.float32, 0)),
    (lambda lib, x: F(lib).prelu(x, lib.ones(4)), _values((2, 3), np.float32, 0)),
    (lambda lib, x: F(lib).prelu(x, lib.ones(2)), _values((2,), np.float32, 0)),
    (lambda lib, x: F(lib).prelu(x, lib.ones(2)), np.ones((), np.float32)),
    (lambda lib, x: F(lib).prelu(x, lib.ones(3, 1)), _values((2, 3), np.float32, 0)),
    (lambda lib, x: F(lib).prelu(x, lib.ones(3, dtype=lib.float64)),
     _values((2, 3), np.float32, 0)),
    (lambda lib, x: lib.nn.Unflatten(1, (2.0, 2)), _values((2,), np.float32, 0)),
    (lambda lib, x: F(lib).hardtanh(x), INTS > 0),
    (lambda lib, x: F(lib).relu6(x), INTS > 0),
]
for _name in ("elu", "selu", "celu", "leaky_relu", "gelu", "logsigmoid", "hardshrink",
              "softplus", "softshrink", "hardsigmoid", "hardswish", "silu", "mish",
              "rrelu_eval"):
    ERRORS.append((FUNCTIONS[_name], INTS))
for _name in FUNCTIONS:
    if _name not in ("relu", "sigmoid", "tanh", "tanhshrink", "softsign", "prelu",
                     "torch.threshold", "relu6", "hardtanh"):
        ERRORS.append((FUNCTIONS[_name], INTS > 0))


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors(index):
    fn, x = ERRORS[index]
    check_error(fn, x)


def test_integer_hardtanh_and_threshold_keep_dtype():
    check_op(lambda lib, x: F(lib).hardtanh(x, -1, 2), INTS)
    check_op(lambda lib, x: F(lib).relu6(x * 4), INTS)
    check_op(lambda lib, x: F(lib).threshold(x, 1, 20), INTS)
    check_op(lambda lib, x: F(lib).softsign(x), INTS)
    check_op(lambda lib, x: F(lib).tanhshrink(x), INTS)


@pytest.mark.parametrize("fn", [lambda lib, x: F(lib).elu_(x, -0.5),
                                lambda lib, x: F(lib).leaky_relu_(x, -0.5),
                                lambda lib, x: lib.celu_(x, -1.0),
                                lambda lib, x: F(lib).rrelu_(x, -0.5, -0.1)])
def test_negative_slope_inplace_backward_errors(fn):
    x = _values((3,), np.float32, 0)
    check_error(lambda lib, a: fn(lib, a.requires_grad_() * 1).sum().backward(), x)
