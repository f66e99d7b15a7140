"""Resampling and pixel rearrangement against PyTorch: ``interpolate`` in every mode with
sizes, scale factors, ``align_corners`` and ``recompute_scale_factor``; the ``Upsample``
layers; ``pixel_shuffle``, ``pixel_unshuffle``, ``channel_shuffle``; errors; float64
gradcheck and double backward."""

import warnings

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from nn_oracle import check_module
from oracle import check_error, check_op, to_ember, torch

RNG = np.random.default_rng(1)


def randn(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


SHAPES = {"nearest": [(2, 3, 5), (2, 3, 5, 4), (1, 2, 3, 4, 5)],
          "nearest-exact": [(2, 3, 5), (2, 3, 5, 4), (1, 2, 3, 4, 5)],
          "area": [(2, 3, 7), (2, 3, 7, 6), (1, 2, 5, 4, 6)],
          "linear": [(2, 3, 5)], "bilinear": [(2, 3, 5, 4)], "bicubic": [(2, 3, 5, 4)],
          "trilinear": [(1, 2, 3, 4, 5)]}
SIZES = [dict(scale_factor=2), dict(scale_factor=1.7), dict(scale_factor=0.6),
         dict(scale_factor=2.5, recompute_scale_factor=True), dict(size=7), dict(size=3),
         dict(size=1)]


@pytest.mark.parametrize("mode", list(SHAPES))
@pytest.mark.parametrize("sizing", SIZES)
def test_interpolate(mode, sizing):
    corners = [None] if mode in ("nearest", "nearest-exact", "area") else [False, True]
    for shape in SHAPES[mode]:
        for corners_arg in corners:
            check_op(lambda lib, x, a=corners_arg: lib.nn.functional.interpolate(
                x, mode=mode, align_corners=a, **sizing), randn(*shape))


def test_interpolate_per_axis_sizes_and_float64():
    check_op(lambda lib, x: lib.nn.functional.interpolate(x, size=(3, 8), mode="bilinear"),
             randn(2, 2, 5, 4, dtype=np.float64))
    check_op(lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=(1.5, 0.5, 2),
                                                          mode="trilinear", align_corners=True),
             randn(1, 2, 4, 4, 3, dtype=np.float64))
    check_op(lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=(3, 0.7),
                                                          mode="bicubic"), randn(1, 2, 4, 6))


def test_interpolate_non_contiguous_and_nan():
    check_op(lambda lib, x: lib.nn.functional.interpolate(x.transpose(2, 3), scale_factor=2,
                                                          mode="bilinear"), randn(1, 2, 4, 5))
    x = randn(1, 1, 4, 4)
    x[0, 0, 0, 0] = np.nan
    check_op(lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=2), x)
    check_op(lambda lib, x: lib.nn.functional.interpolate(x, size=8, mode="bilinear"), x)


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
def test_double_backward(mode):
    def fn(lib, x, g):
        y = lib.nn.functional.interpolate(x, scale_factor=2, mode=mode)
        (grad,) = lib.autograd.grad(y, x, g, create_graph=True)
        return grad
    check_op(fn, randn(1, 2, 3, 4), randn(1, 2, 6, 8))


def test_deprecated_upsample_functions():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_op(lambda lib, x: lib.nn.functional.upsample(x, scale_factor=2, mode="bilinear"),
                 randn(1, 2, 3, 4))
        check_op(lambda lib, x: lib.nn.functional.upsample_nearest(x, size=5), randn(1, 2, 3, 4))
        check_op(lambda lib, x: lib.nn.functional.upsample_bilinear(x, scale_factor=2),
                 randn(1, 2, 3, 4))
    with pytest.warns(UserWarning, match="deprecated"):
        ember.nn.functional.upsample(ember.zeros(1, 1, 2, 2), scale_factor=2)


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.Upsample(scale_factor=2),
    lambda lib: lib.nn.Upsample(size=(5, 7), mode="bilinear"),
    lambda lib: lib.nn.Upsample(scale_factor=(2, 1.5), mode="bicubic", align_corners=True),
    lambda lib: lib.nn.UpsamplingNearest2d(scale_factor=3),
    lambda lib: lib.nn.UpsamplingBilinear2d(size=6),
    lambda lib: lib.nn.PixelShuffle(2),
    lambda lib: lib.nn.PixelUnshuffle(2),
])
def test_modules(make):
    check_module(make, randn(2, 8, 4, 6))
    assert repr(make(ember)) == repr(make(torch))


def test_pixel_and_channel_shuffle():
    check_op(lambda lib, x: lib.pixel_shuffle(x, 3), randn(2, 18, 2, 3))
    check_op(lambda lib, x: lib.nn.functional.pixel_shuffle(x, 2), randn(3, 2, 4, 2, 3))
    check_op(lambda lib, x: lib.nn.functional.pixel_unshuffle(x, 2), randn(2, 4, 6))
    check_op(lambda lib, x: lib.pixel_unshuffle(x[..., ::2], 2), randn(2, 3, 4, 8))
    check_op(lambda lib, x: lib.channel_shuffle(x, 3), randn(2, 6, 4, 2))
    check_op(lambda lib, x: lib.nn.functional.channel_shuffle(x, 2), randn(2, 6, 5))
    check_module(lambda lib: lib.nn.ChannelShuffle(3), randn(2, 6, 3, 3))

    def double(lib, x, g):
        (grad,) = lib.autograd.grad(lib.pixel_shuffle(x, 2), x, g, create_graph=True)
        return grad
    check_op(double, randn(1, 8, 2, 3), randn(1, 2, 4, 6))


ERRORS = [
    lambda F, x: F.interpolate(x, size=3, scale_factor=2),
    lambda F, x: F.interpolate(x),
    lambda F, x: F.interpolate(x, size=(3, 3, 3)),
    lambda F, x: F.interpolate(x, scale_factor=(2, 2, 2)),
    lambda F, x: F.interpolate(x, size=(3.5, 3)),
    lambda F, x: F.interpolate(x, size=3, recompute_scale_factor=True),
    lambda F, x: F.interpolate(x, size=3, align_corners=True),
    lambda F, x: F.interpolate(x, size=3, mode="linear"),
    lambda F, x: F.interpolate(x, size=3, mode="trilinear"),
    lambda F, x: F.interpolate(x[0], size=3, mode="bilinear"),
    lambda F, x: F.interpolate(x, size=3, mode="bogus"),
    lambda F, x: F.interpolate(x[0, 0], size=3),
    lambda F, x: F.interpolate(x, size=3, mode="nearest", antialias=True),
    lambda F, x: F.interpolate(x, size=0),
    lambda F, x: F.interpolate(x, scale_factor=0.1, mode="bilinear"),
    lambda F, x: F.pixel_shuffle(x, 3),
    lambda F, x: F.pixel_shuffle(x[0, 0], 2),
    lambda F, x: F.pixel_unshuffle(x, 3),
    lambda F, x: F.pixel_unshuffle(x[..., :3], 2),
    lambda F, x: F.channel_shuffle(x, 5),
    lambda F, x: F.channel_shuffle(x, 0),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors(index):
    fn = ERRORS[index]
    check_error(lambda lib, x: fn(lib.nn.functional, x), randn(2, 4, 4, 4))


@pytest.mark.parametrize("mode, shape, kwargs", [
    ("nearest", (1, 2, 3, 4), dict(scale_factor=1.5)),
    ("nearest-exact", (1, 2, 5), dict(size=3)),
    ("linear", (1, 2, 5), dict(size=7, align_corners=True)),
    ("bilinear", (1, 2, 3, 4), dict(scale_factor=1.7)),
    ("bicubic", (1, 1, 4, 3), dict(size=(5, 6))),
    ("trilinear", (1, 1, 2, 3, 2), dict(scale_factor=2)),
    ("area", (1, 2, 5, 4), dict(size=(2, 3))),
])
def test_gradcheck(mode, shape, kwargs):
    x = to_ember(RNG.standard_normal(shape), requires_grad=True)

    def fn(x):
        return ember.nn.functional.interpolate(x, mode=mode, **kwargs)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_gradcheck_shuffles():
    x = to_ember(RNG.standard_normal((1, 4, 2, 4)), requires_grad=True)
    for fn in (lambda x: ember.pixel_shuffle(x, 2), lambda x: ember.pixel_unshuffle(x, 2),
               lambda x: ember.channel_shuffle(x, 2)):
        assert gradcheck(fn, (x,))
        assert gradgradcheck(fn, (x,))
