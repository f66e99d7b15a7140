"""``F.grid_sample`` and ``F.affine_grid`` against PyTorch: every mode, padding mode and
``align_corners``, 4-D and 5-D, gradients for input, grid and theta, double backward,
float64 gradcheck, errors."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from oracle import check_error, check_op

RNG = np.random.default_rng(0)
MODES_2D = list(itertools.product(("bilinear", "nearest", "bicubic"),
                                  ("zeros", "border", "reflection"), (False, True)))


def _sample(mode, padding_mode, align_corners):
    return lambda lib, x, g: lib.nn.functional.grid_sample(
        x, g, mode=mode, padding_mode=padding_mode, align_corners=align_corners)


@pytest.mark.parametrize("mode,padding_mode,align_corners", MODES_2D)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grid_sample_2d(mode, padding_mode, align_corners, dtype):
    x = RNG.standard_normal((2, 3, 4, 5)).astype(dtype)
    # Beyond [-1, 1] too, so padding and reflection (several folds) are exercised.
    g = RNG.uniform(-2.5, 2.5, (2, 3, 4, 2)).astype(dtype)
    atol = 1e-4 if dtype == np.float32 else None
    check_op(_sample(mode, padding_mode, align_corners), x, g, atol=atol)


@pytest.mark.parametrize("mode,padding_mode,align_corners",
                         [m for m in MODES_2D if m[0] != "bicubic"])
def test_grid_sample_3d(mode, padding_mode, align_corners):
    x = RNG.standard_normal((2, 2, 3, 4, 5))
    g = RNG.uniform(-1.5, 1.5, (2, 2, 3, 2, 3))
    check_op(_sample(mode, padding_mode, align_corners), x, g)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 2), c=st.integers(1, 3), h=st.integers(1, 4), w=st.integers(1, 4),
       oh=st.integers(0, 3), ow=st.integers(1, 3), strided=st.booleans(),
       mode=st.sampled_from(MODES_2D))
def test_grid_sample_shapes(n, c, h, w, oh, ow, strided, mode):
    x = RNG.standard_normal((n, c, h, w)).astype(np.float32)
    g = RNG.uniform(-1.2, 1.2, (n, ow, oh, 2)).astype(np.float32)
    fn = _sample(*mode)
    if strided:
        check_op(lambda lib, a, b: fn(lib, a.transpose(2, 3), b.transpose(1, 2)), x, g,
                 atol=1e-4)
    else:
        check_op(lambda lib, a, b: fn(lib, a, b.transpose(1, 2)), x, g, atol=1e-4)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_grid_sample_gradcheck_and_double_backward(mode):
    x = ember.randn(1, 2, 3, 4, dtype=ember.float64, requires_grad=True)
    g = (ember.rand(1, 2, 3, 2, dtype=ember.float64) * 1.6 - 0.8).requires_grad_()
    for padding_mode in ("zeros", "border", "reflection"):
        def fn(a, b, padding_mode=padding_mode):
            return ember.nn.functional.grid_sample(a, b, mode=mode, padding_mode=padding_mode,
                                                   align_corners=False)
        assert ember.autograd.gradcheck(fn, (x, g))
    xs = RNG.standard_normal((1, 2, 3, 4))
    gs = RNG.uniform(-0.9, 0.9, (1, 2, 3, 2))

    def double(lib, a, b):
        out = lib.nn.functional.grid_sample(a, b, mode=mode, align_corners=True)
        ga, gb = lib.autograd.grad((out * out).sum(), (a, b), create_graph=True)
        return (ga * ga).sum() + (gb * gb).sum()

    check_op(double, xs, gs, check_grad_fn=False)


@pytest.mark.filterwarnings("ignore:Since version 1.3.0")
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 1, 3), (1, 2, 2, 3, 4)])
def test_affine_grid(size, align_corners):
    rank = len(size) - 2
    theta = RNG.standard_normal((size[0], rank, rank + 1))
    check_op(lambda lib, t: lib.nn.functional.affine_grid(t, size, align_corners=align_corners),
             theta)
    check_op(lambda lib, t: lib.nn.functional.affine_grid(t, size, align_corners=align_corners),
             theta.astype(np.float32))


def test_affine_grid_then_sample_gradcheck():
    theta = ember.randn(2, 2, 3, dtype=ember.float64, requires_grad=True)
    x = ember.randn(2, 1, 4, 4, dtype=ember.float64, requires_grad=True)

    def fn(t, a):
        grid = ember.nn.functional.affine_grid(t * 0.5, (2, 1, 3, 3), align_corners=False)
        return ember.nn.functional.grid_sample(a, grid, align_corners=False)

    assert ember.autograd.gradcheck(fn, (theta, x))


F32 = np.ones((1, 1, 3, 3), np.float32)


@pytest.mark.parametrize("fn,inputs", [
    (lambda lib, x: lib.nn.functional.grid_sample(x, lib.ones(1, 2, 2, 3), align_corners=False),
     (F32,)),
    (lambda lib, x: lib.nn.functional.grid_sample(x, lib.ones(2, 2, 2, 2), align_corners=False),
     (F32,)),
    (lambda lib, x: lib.nn.functional.grid_sample(x, lib.ones(1, 2, 2, 2, dtype=lib.float64),
                                                  align_corners=False), (F32,)),
    (lambda lib, x: lib.nn.functional.grid_sample(x, lib.ones(1, 2, 2, 2, 2),
                                                  align_corners=False), (F32,)),
    (lambda lib, x: lib.nn.functional.grid_sample(lib.ones(1, 1, 2, 2, 2), lib.ones(1, 2, 2, 2, 3),
                                                  mode="bicubic", align_corners=False), (F32,)),
    (lambda lib, x: lib.nn.functional.grid_sample(lib.ones(1, 1, 0, 3), lib.ones(1, 2, 2, 2),
                                                  align_corners=False), (F32,)),
    (lambda lib, x: lib.nn.functional.grid_sample(x, lib.ones(1, 2, 2, 2), mode="area"), (F32,)),
    (lambda lib, x: lib.nn.functional.grid_sample(x, lib.ones(1, 2, 2, 2), padding_mode="x"),
     (F32,)),
    (lambda lib, x: lib.nn.functional.affine_grid(lib.ones(1, 2, 3), (1, 1, 2, 2, 2),
                                                  align_corners=False), (F32,)),
    (lambda lib, x: lib.nn.functional.affine_grid(lib.ones(1, 2, 3, dtype=lib.int64),
                                                  (1, 1, 2, 2), align_corners=False), (F32,)),
    (lambda lib, x: lib.nn.functional.affine_grid(lib.ones(1, 2, 3), (1, 1, 2),
                                                  align_corners=False), (F32,)),
    (lambda lib, x: lib.nn.functional.affine_grid(lib.ones(1, 2, 3), [1, 1, 0, 2],
                                                  align_corners=False), (F32,)),
])
def test_errors(fn, inputs):
    check_error(fn, *inputs)


def test_default_align_corners_warns():
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        ember.nn.functional.grid_sample(ember.ones(1, 1, 2, 2), ember.zeros(1, 1, 1, 2))
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        ember.nn.functional.affine_grid(ember.ones(1, 2, 3), (1, 1, 2, 2))
