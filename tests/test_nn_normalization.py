"""Normalization against PyTorch: batch/layer/group/instance/RMS norm (values, grad_fn
names, gradients, running statistics over many steps, eval mode), local_response_norm,
normalize, the modules, their errors, and float64 gradcheck/gradgradcheck."""

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from nn_oracle import build_pair, check_module
from oracle import assert_same_tensor, check_error, check_op

RNG = np.random.default_rng(0)
X2 = RNG.standard_normal((5, 3)).astype(np.float32)
X3 = RNG.standard_normal((4, 3, 5)).astype(np.float32)
X4 = RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)
X5 = RNG.standard_normal((2, 3, 2, 3, 2)).astype(np.float32)
W3, B3 = RNG.standard_normal(3).astype(np.float32), RNG.standard_normal(3).astype(np.float32)
W5, B5 = RNG.standard_normal(5).astype(np.float32), RNG.standard_normal(5).astype(np.float32)


def fn(lib):
    return lib.nn.functional


@settings(max_examples=25, deadline=None)
@given(x=hnp.arrays(st.sampled_from([np.float32, np.float64]),
                    hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=5),
                    elements=st.floats(-10, 10, width=32)),
       k=st.integers(1, 2), affine=st.booleans(), transpose=st.booleans())
def test_layer_norm(x, k, affine, transpose):
    k = min(k, x.ndim)
    # distinct values: a constant slice has variance 0, where rounding is amplified 1/sqrt(eps)
    x = x + np.arange(x.size, dtype=x.dtype).reshape(x.shape) * 0.5
    dims = list(x.shape)
    if transpose:
        dims[0], dims[-1] = dims[-1], dims[0]
    shape = tuple(dims[len(dims) - k:])
    # A one-element slice is constant however its values are chosen: its normalised value is
    # rounding noise times 1/sqrt(eps), which differs between any two implementations.
    assume(int(np.prod(shape)) > 1)
    w = RNG.standard_normal(shape).astype(x.dtype)

    def run(lib, a, w, b):
        a = a.transpose(0, -1) if transpose else a
        return fn(lib).layer_norm(a, shape, w if affine else None, b if affine else None)
    # float32 input gradients are small differences of large terms (values up to ~60 over
    # slices as short as 2): both libraries round them differently at the 1e-4 level.
    single = x.dtype == np.float32
    check_op(run, x, w, w + 1, atol=1e-4 if single else None, grad_atol=1e-3 if single else None)


def test_layer_norm_torch_level():
    check_op(lambda lib, x, w, b: lib.native_layer_norm(x, [5], w, b, 1e-3), X3, W5, B5)
    check_op(lambda lib, x: lib.layer_norm(x, [5]), X3)
    check_op(lambda lib, x, b: lib.layer_norm(x, [5], None, b), X3, B5)


@pytest.mark.parametrize("x", [X2, X3, X4, X5], ids=lambda x: f"{x.ndim}d")
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_functional(x, training, affine):
    mean, var = RNG.standard_normal(3).astype(np.float32), RNG.random(3).astype(np.float32) + .5

    def run(lib, a, w, b):
        dtype = np.float64 if a.dtype == lib.float64 else np.float32
        rm, rv = lib.from_numpy(mean.astype(dtype)), lib.from_numpy(var.astype(dtype))
        out = fn(lib).batch_norm(a, rm, rv, w if affine else None, b if affine else None,
                                 training=training, momentum=0.3, eps=1e-3)
        return out, rm, rv
    check_op(run, x, W3, B3)
    check_op(run, x.astype(np.float64), W3.astype(np.float64), B3.astype(np.float64))


def test_batch_norm_without_running_stats_and_torch_level():
    check_op(lambda lib, x, w, b: fn(lib).batch_norm(x, None, None, w, b, training=True), X4,
             W3, B3)
    check_op(lambda lib, x: lib.native_batch_norm(x, None, None, None, None, True, 0.1, 1e-5),
             X3)
    check_op(lambda lib, x, m, v: lib.native_batch_norm(x, None, None, m, v, False, 0.1,
                                                        1e-5), X3, B3, W3 * W3, requires_grad=False)
    check_op(lambda lib, x, w: lib.batch_norm(x, w, None, None, None, True, 0.1, 1e-5, False),
             X4, W3)


@pytest.mark.parametrize("groups", [1, 2, 4])
def test_group_norm(groups):
    x = RNG.standard_normal((3, 4, 5, 2)).astype(np.float32)
    w, b = RNG.standard_normal(4).astype(np.float32), RNG.standard_normal(4).astype(np.float32)
    check_op(lambda lib, a, w, b: fn(lib).group_norm(a, groups, w, b), x, w, b)
    check_op(lambda lib, a: fn(lib).group_norm(a, groups, eps=1e-2), x[..., 0].astype(np.float64))
    check_op(lambda lib, a, w: lib.native_group_norm(a, w, None, 3, 4, 10, groups, 1e-5), x, w)
    check_op(lambda lib, a: fn(lib).group_norm(a, groups), x[:, :, :, 0])


@pytest.mark.parametrize("x", [X3, X4, X5], ids=lambda x: f"{x.ndim}d")
@pytest.mark.parametrize("stats", [True, False])
def test_instance_norm(x, stats):
    mean, var = RNG.standard_normal(3).astype(np.float32), RNG.random(3).astype(np.float32) + .5

    def run(lib, a, w, b):
        rm, rv = lib.from_numpy(mean.copy()), lib.from_numpy(var.copy())
        return fn(lib).instance_norm(a, rm, rv, w, b, use_input_stats=stats), rm, rv
    check_op(run, x, W3, B3)
    check_op(lambda lib, a: fn(lib).instance_norm(a), x)


@pytest.mark.parametrize("eps", [None, 1e-3])
def test_rms_norm(eps):
    check_op(lambda lib, x, w: fn(lib).rms_norm(x, (5,), w, eps), X3, W5)
    check_op(lambda lib, x: lib.rms_norm(x, [3, 5], eps=eps), X3.astype(np.float64))


@pytest.mark.parametrize("p, dim", [(2.0, 1), (1.0, -1), (3.0, 0), (float("inf"), 2)])
def test_normalize(p, dim):
    check_op(lambda lib, x: fn(lib).normalize(x, p, dim), X3)


@pytest.mark.parametrize("x", [X3, X4, X5], ids=lambda x: f"{x.ndim}d")
def test_local_response_norm(x):
    check_op(lambda lib, a: fn(lib).local_response_norm(a, 2), x)
    check_op(lambda lib, a: fn(lib).local_response_norm(a, 3, 1e-2, 0.5, 2.0), x)


def test_gradcheck_and_gradgradcheck():
    def f64(*shape):
        return ember.from_numpy(RNG.standard_normal(shape)).requires_grad_()
    x, w, b = f64(4, 3, 2), f64(3), f64(3)
    checks = [
        (lambda x, w, b: fn(ember).layer_norm(x, (3, 2), w.view(3, 1).expand(3, 2), b.view(3, 1)
                                              .expand(3, 2)), (x, w, b)),
        (lambda x, w, b: fn(ember).batch_norm(x, None, None, w, b, training=True), (x, w, b)),
        (lambda x, w, b: fn(ember).batch_norm(x, ember.zeros(3, dtype=ember.float64),
                                              ember.ones(3, dtype=ember.float64) * 2, w, b),
         (x, w, b)),
        (lambda x, w, b: fn(ember).group_norm(x.reshape(2, 6, 2), 3, w.repeat(2), b.repeat(2)),
         (x, w, b)),
        (lambda x, w, b: fn(ember).instance_norm(x, weight=w, bias=b), (x, w, b)),
        (lambda x, w, b: fn(ember).rms_norm(x, (2,), b[:2]) * w.view(3, 1), (x, w, b)),
    ]
    for f, inputs in checks:
        assert ember.autograd.gradcheck(f, inputs)
        assert ember.autograd.gradgradcheck(f, inputs)


def test_double_backward_matches_torch():
    def run(lib, x, w, b):
        y = fn(lib).layer_norm(x, (5,), w, b)
        (gx,) = lib.autograd.grad((y ** 3).sum(), x, create_graph=True)
        return gx
    check_op(run, X3.astype(np.float64), W5.astype(np.float64), B5.astype(np.float64),
             check_grad_fn=False)

    def run_bn(lib, x, w, b):
        y = fn(lib).batch_norm(x, None, None, w, b, training=True)
        (gx,) = lib.autograd.grad((y ** 3).sum(), x, create_graph=True)
        return gx
    check_op(run_bn, X3.astype(np.float64), W3.astype(np.float64), B3.astype(np.float64),
             check_grad_fn=False)


def test_functional_errors():
    check_error(lambda lib, x: fn(lib).layer_norm(x, (4,)), X3)
    check_error(lambda lib, x, w: fn(lib).layer_norm(x, (5,), w), X3, W3)
    check_error(lambda lib, x, b: fn(lib).layer_norm(x, (5,), None, b), X3, B3)
    check_error(lambda lib, x: fn(lib).layer_norm(x, (5,)), np.arange(5))
    check_error(lambda lib, x: fn(lib).group_norm(x, 2), X3)
    check_error(lambda lib, x: fn(lib).group_norm(x, 3), X3[0, 0])
    check_error(lambda lib, x, w: fn(lib).group_norm(x, 3, w), X3, W5)
    check_error(lambda lib, x: fn(lib).group_norm(x, 3), X3[:1, :, :1])
    check_error(lambda lib, x, m: fn(lib).batch_norm(x, m, m), X3, W5)
    check_error(lambda lib, x, m, w: fn(lib).batch_norm(x, m, m, w), X3, W3, W5)
    check_error(lambda lib, x: fn(lib).batch_norm(x, None, None), X3)
    check_error(lambda lib, x: fn(lib).batch_norm(x, None, None, training=True, eps=0), X3)
    check_error(lambda lib, x: fn(lib).batch_norm(x, None, None, training=True), X2[:1])
    check_error(lambda lib, x: fn(lib).batch_norm(x, None, None, training=True),
                np.arange(6).reshape(2, 3))
    check_error(lambda lib, x: fn(lib).instance_norm(x), X3[..., :1])
    check_error(lambda lib, x: fn(lib).local_response_norm(x, 2), X2)


BATCH_NORMS = [("BatchNorm1d", X2), ("BatchNorm1d", X3), ("BatchNorm2d", X4),
               ("BatchNorm3d", X5)]
OPTIONS = [{}, {"affine": False}, {"track_running_stats": False}, {"momentum": None},
           {"bias": False, "eps": 1e-3}]


@pytest.mark.parametrize("name, x", BATCH_NORMS, ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.parametrize("kwargs", OPTIONS)
@pytest.mark.parametrize("train", [True, False])
def test_batch_norm_modules(name, x, kwargs, train):
    make = lambda lib: getattr(lib.nn, name)(3, **kwargs)  # noqa: E731
    check_module(make, x, train=train)
    check_module(lambda lib: getattr(lib.nn, name)(3, dtype=lib.float64, **kwargs),
                 x.astype(np.float64), train=train)
    e, t = build_pair(make)
    assert repr(e) == repr(t)


@pytest.mark.parametrize("kwargs", OPTIONS)
def test_running_stats_over_many_steps(kwargs):
    e, t = build_pair(lambda lib: lib.nn.BatchNorm2d(3, **kwargs))
    rng = np.random.default_rng(1)
    for step in range(12):
        x = (rng.standard_normal((4, 3, 3, 2)) * (step + 1) + step).astype(np.float32)
        e.train(step % 4 != 3)
        t.train(step % 4 != 3)
        assert_same_tensor(e(ember.from_numpy(x)), t(torch.from_numpy(x)), atol=1e-4)
    for name, t_buf in t.state_dict().items():
        assert_same_tensor(e.state_dict()[name], t_buf, atol=1e-4, what=name)


def test_reset_running_stats():
    e, t = build_pair(lambda lib: lib.nn.BatchNorm1d(3))
    for m, lib in ((e, ember), (t, torch)):
        m(lib.from_numpy(X3))
        m.reset_running_stats()
    for name, t_buf in t.state_dict().items():
        assert_same_tensor(e.state_dict()[name], t_buf, what=name)


def test_batch_norm_module_errors():
    check_error(lambda lib, x: lib.nn.BatchNorm1d(3)(x), X4)
    check_error(lambda lib, x: lib.nn.BatchNorm2d(3)(x), X3)
    check_error(lambda lib, x: lib.nn.BatchNorm3d(3)(x), X4)
    check_error(lambda lib, x: lib.nn.BatchNorm1d(3)(x), X2[:1])
    check_error(lambda lib, x: lib.nn.BatchNorm1d(4)(x), X2)


@pytest.mark.parametrize("name, x", [("InstanceNorm1d", X3), ("InstanceNorm1d", X3[0]),
                                     ("InstanceNorm2d", X4), ("InstanceNorm3d", X5),
                                     ("InstanceNorm3d", X5[0])],
                         ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.parametrize("kwargs", [{}, {"affine": True}, {"track_running_stats": True},
                                    {"affine": True, "track_running_stats": True,
                                     "momentum": None}])
@pytest.mark.parametrize("train", [True, False])
def test_instance_norm_modules(name, x, kwargs, train):
    check_module(lambda lib: getattr(lib.nn, name)(3, **kwargs), x, train=train)
    e, t = build_pair(lambda lib: getattr(lib.nn, name)(3, **kwargs))
    assert repr(e) == repr(t)


def test_instance_norm_module_errors():
    check_error(lambda lib, x: lib.nn.InstanceNorm1d(3)(x), X4)
    check_error(lambda lib, x: lib.nn.InstanceNorm2d(4, affine=True)(x), X4)
    with pytest.warns(UserWarning, match="does not match num_features"):
        ember.nn.InstanceNorm2d(4)(ember.from_numpy(X4))


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.LayerNorm(5), lambda lib: lib.nn.LayerNorm([3, 5], eps=1e-3),
    lambda lib: lib.nn.LayerNorm(5, bias=False),
    lambda lib: lib.nn.LayerNorm(5, elementwise_affine=False),
    lambda lib: lib.nn.LayerNorm(5, dtype=lib.float64),
    lambda lib: lib.nn.GroupNorm(3, 3), lambda lib: lib.nn.GroupNorm(1, 3, affine=False),
    lambda lib: lib.nn.GroupNorm(3, 3, bias=False),
    lambda lib: lib.nn.RMSNorm(5), lambda lib: lib.nn.RMSNorm([3, 5], eps=1e-4),
    lambda lib: lib.nn.RMSNorm(5, elementwise_affine=False),
])
def test_per_sample_norm_modules(make):
    float64 = next(make(torch).parameters(), torch.empty(0)).dtype == torch.float64
    x = X3.astype(np.float64) if float64 else X3
    check_module(make, x)
    e, t = build_pair(make)
    assert repr(e) == repr(t)


def test_local_response_norm_module():
    check_module(lambda lib: lib.nn.LocalResponseNorm(2), X4)
    assert repr(ember.nn.LocalResponseNorm(3, k=2.0)) == repr(torch.nn.LocalResponseNorm(3, k=2.0))


def test_module_errors():
    check_error(lambda lib: lib.nn.GroupNorm(2, 3))
    check_error(lambda lib, x: lib.nn.LayerNorm(4)(x), X3)


def test_not_tensor_methods():
    for name in ["batch_norm", "layer_norm", "group_norm", "instance_norm", "rms_norm",
                 "native_layer_norm", "native_batch_norm", "native_group_norm"]:
        assert hasattr(ember, name) and not hasattr(ember.Tensor, name)
