"""Pooling against PyTorch: max/avg/adaptive/lp pools and max unpooling, as functions
(``torch.*`` and ``nn.functional``) and as layers; values, indices, gradients, grad_fn
names, double backward, errors; float64 gradcheck."""

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from nn_oracle import check_module
from oracle import check_error, check_op, to_ember, torch

RNG = np.random.default_rng(0)


def randn(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def with_ties(*shape):
    # Few distinct values, so windows hold tied maxima.
    return RNG.integers(-2, 3, shape).astype(np.float32)


# -- max pooling --------------------------------------------------------------------------
MAX_2D = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
          dict(kernel_size=(3, 2), stride=(1, 2), padding=(1, 0), dilation=(1, 2)),
          dict(kernel_size=3, stride=2, ceil_mode=True),
          dict(kernel_size=2, stride=1, padding=1, ceil_mode=True),
          dict(kernel_size=3, dilation=2, padding=1)]


@pytest.mark.parametrize("config", MAX_2D)
@pytest.mark.parametrize("shape", [(2, 3, 7, 8), (3, 6, 5)])
def test_max_pool2d_module(config, shape):
    check_module(lambda lib: lib.nn.MaxPool2d(**config), with_ties(*shape))
    check_module(lambda lib: lib.nn.MaxPool2d(**config, return_indices=True), randn(*shape))


@pytest.mark.parametrize("config", [dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1),
                                    dict(kernel_size=2, stride=2, ceil_mode=True, dilation=1),
                                    dict(kernel_size=(1, 2, 3), padding=(0, 1, 1))])
def test_max_pool3d_module(config):
    check_module(lambda lib: lib.nn.MaxPool3d(**config, return_indices=True),
                 with_ties(2, 2, 5, 4, 6))
    check_module(lambda lib: lib.nn.MaxPool3d(**config), randn(2, 5, 4, 5))


@pytest.mark.parametrize("config", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                    dict(kernel_size=2, dilation=3, ceil_mode=True)])
def test_max_pool1d(config):
    check_module(lambda lib: lib.nn.MaxPool1d(**config, return_indices=True), with_ties(2, 3, 11))
    check_module(lambda lib: lib.nn.MaxPool1d(**config), randn(3, 11))
    check_op(lambda lib, x: lib.max_pool1d(x, config["kernel_size"]), randn(2, 3, 9))
    check_op(lambda lib, x: lib.max_pool1d_with_indices(x, 3, 2, 1), randn(2, 3, 9))


def test_torch_level_max_pool_names():
    check_op(lambda lib, x: lib.max_pool2d(x, 2), randn(2, 3, 6, 6))
    check_op(lambda lib, x: lib.max_pool3d(x, 2, 1, 1), randn(1, 2, 4, 4, 4))


def test_max_pool_nan_and_infinities():
    nan, inf = np.nan, np.inf
    x = np.array([[[[1, 3, 3, 0], [nan, 2, nan, 0], [5, 5, 1, -inf],
                    [5, 1, -inf, -inf]]]], np.float32)
    for kwargs in (dict(kernel_size=2), dict(kernel_size=3, stride=1),
                   dict(kernel_size=3, stride=2, padding=1)):
        check_op(lambda lib, x, kw=kwargs: lib.nn.functional.max_pool2d(x, **kw,
                                                                         return_indices=True), x)
    # A window holding only -inf (padding included) keeps its first in-input position.
    check_op(lambda lib, x: lib.nn.functional.max_pool2d(x, 3, 2, 1, return_indices=True),
             np.full((1, 1, 5, 5), -np.inf, np.float32))


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.int32])
def test_max_pool_dtypes(dtype):
    x = RNG.integers(-5, 5, (2, 3, 6, 6)).astype(dtype)
    check_op(lambda lib, x: lib.nn.functional.max_pool2d(x, 3, 2, 1, return_indices=True), x)


def test_max_pool_empty_batch():
    check_op(lambda lib, x: lib.nn.functional.max_pool2d(x, 2), randn(0, 3, 4, 4))


def test_max_pool_non_contiguous():
    check_op(lambda lib, x: lib.nn.functional.max_pool2d(x.transpose(2, 3)[:, :, ::2], 2),
             randn(2, 3, 8, 9))


def test_max_pool_double_backward():
    def fn(lib, x, g):
        y = lib.nn.functional.max_pool2d(x, 3, 2, 1)
        (grad,) = lib.autograd.grad(y, x, g, create_graph=True)
        return grad
    check_op(fn, randn(2, 2, 6, 6), randn(2, 2, 3, 3))


# -- average pooling ----------------------------------------------------------------------
AVG_2D = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
          dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
          dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), ceil_mode=True),
          dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
          dict(kernel_size=2, divisor_override=3), dict(kernel_size=3, stride=1, padding=1,
                                                        divisor_override=2)]


@pytest.mark.parametrize("config", AVG_2D)
def test_avg_pool2d_module(config):
    check_module(lambda lib: lib.nn.AvgPool2d(**config), randn(2, 3, 7, 8))
    check_module(lambda lib: lib.nn.AvgPool2d(**config), randn(3, 5, 6))


@pytest.mark.parametrize("config", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1,
                                                              count_include_pad=False),
                                    dict(kernel_size=3, stride=2, ceil_mode=True,
                                         divisor_override=5)])
def test_avg_pool3d_module(config):
    check_module(lambda lib: lib.nn.AvgPool3d(**config), randn(2, 2, 5, 6, 7))
    check_module(lambda lib: lib.nn.AvgPool3d(**config), randn(2, 5, 6, 7))


@pytest.mark.parametrize("config", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                         count_include_pad=False)])
def test_avg_pool1d(config):
    check_module(lambda lib: lib.nn.AvgPool1d(**config), randn(2, 3, 11))
    check_module(lambda lib: lib.nn.AvgPool1d(**config), randn(3, 11))
    check_op(lambda lib, x: lib.avg_pool1d(x, 3, 2, 1), randn(2, 3, 9))


def test_avg_pool_integer_truncates():
    x = np.arange(-8, 8).reshape(1, 1, 4, 4)
    check_op(lambda lib, x: lib.nn.functional.avg_pool2d(x, 3, 1, 1), x)


def test_avg_pool_double_backward():
    def fn(lib, x, g):
        y = lib.nn.functional.avg_pool2d(x, 3, 2, 1, count_include_pad=False)
        (grad,) = lib.autograd.grad(y, x, g, create_graph=True)
        return grad
    check_op(fn, randn(2, 2, 6, 6), randn(2, 2, 3, 3))


# -- adaptive pooling ---------------------------------------------------------------------
@pytest.mark.parametrize("size", [1, 3, (2, 5), (None, 4), 7, (1, 1)])
def test_adaptive_avg_pool2d(size):
    check_module(lambda lib: lib.nn.AdaptiveAvgPool2d(size), randn(2, 3, 7, 9))
    check_module(lambda lib: lib.nn.AdaptiveAvgPool2d(size), randn(3, 7, 9))


@pytest.mark.parametrize("size", [1, 3, (2, None, 4)])
def test_adaptive_avg_pool3d(size):
    check_module(lambda lib: lib.nn.AdaptiveAvgPool3d(size), randn(2, 2, 5, 6, 7))


@pytest.mark.parametrize("size", [1, 4, 5])
def test_adaptive_1d(size):
    check_module(lambda lib: lib.nn.AdaptiveAvgPool1d(size), randn(2, 3, 10))
    check_module(lambda lib: lib.nn.AdaptiveMaxPool1d(size, return_indices=True),
                 with_ties(2, 3, 10))
    check_op(lambda lib, x: lib.adaptive_avg_pool1d(x, size), randn(3, 10))
    check_op(lambda lib, x: lib.adaptive_max_pool1d(x, size), randn(3, 10))


@pytest.mark.parametrize("size", [1, 3, (2, 5), (None, 4), 9])
def test_adaptive_max_pool2d(size):
    check_module(lambda lib: lib.nn.AdaptiveMaxPool2d(size, return_indices=True),
                 with_ties(2, 3, 7, 9))
    check_module(lambda lib: lib.nn.AdaptiveMaxPool2d(size), randn(3, 7, 9))


def test_adaptive_max_pool3d_and_nan():
    check_module(lambda lib: lib.nn.AdaptiveMaxPool3d((2, 3, 2), return_indices=True),
                 with_ties(2, 2, 5, 6, 5))
    x = randn(1, 2, 5, 5)
    x[0, 0, 1, 1] = x[0, 0, 1, 2] = np.nan
    check_op(lambda lib, x: lib.nn.functional.adaptive_max_pool2d(x, 2, return_indices=True), x)


def test_adaptive_double_backward():
    def fn(lib, x, g):
        y = lib.nn.functional.adaptive_avg_pool2d(x, 3) + lib.nn.functional.adaptive_max_pool2d(
            x, 3)
        (grad,) = lib.autograd.grad(y, x, g, create_graph=True)
        return grad
    check_op(fn, randn(2, 2, 7, 5), randn(2, 2, 3, 3))


# -- power-average pooling and unpooling --------------------------------------------------
@pytest.mark.parametrize("norm_type", [2, 1.5, 1, float("inf")])
def test_lp_pool(norm_type):
    positive = np.abs(randn(2, 3, 7, 8)) + 0.1
    check_module(lambda lib: lib.nn.LPPool2d(norm_type, 2), positive)
    check_module(lambda lib: lib.nn.LPPool2d(norm_type, (3, 2), stride=(2, 1), ceil_mode=True),
                 positive)
    check_module(lambda lib: lib.nn.LPPool1d(norm_type, 3, stride=2), positive[0])
    check_module(lambda lib: lib.nn.LPPool3d(norm_type, 2), positive)


@pytest.mark.parametrize("n, shape, kwargs", [
    (1, (2, 3, 9), dict(kernel_size=2)),
    (2, (2, 3, 7, 7), dict(kernel_size=3, stride=2, padding=1)),
    (2, (3, 6, 6), dict(kernel_size=2)),
    (3, (1, 2, 5, 4, 6), dict(kernel_size=2)),
])
def test_max_unpool(n, shape, kwargs):
    name = f"{n}d"
    x = randn(*shape)

    def fn(lib, x):
        F = lib.nn.functional
        pooled, indices = getattr(F, f"max_pool{name}")(x, **kwargs, return_indices=True)
        unpool = getattr(lib.nn, f"MaxUnpool{name}")(**kwargs)
        return unpool(pooled, indices), unpool(pooled, indices, output_size=x.shape[-n:])
    check_op(fn, x)


def test_module_reprs():
    for make in (lambda lib: lib.nn.MaxPool2d(3, 2, 1, ceil_mode=True),
                 lambda lib: lib.nn.MaxPool1d(2), lambda lib: lib.nn.AvgPool1d(3, 2),
                 lambda lib: lib.nn.AvgPool2d(2, divisor_override=3),
                 lambda lib: lib.nn.AvgPool3d((1, 2, 2)),
                 lambda lib: lib.nn.AdaptiveAvgPool2d((None, 7)),
                 lambda lib: lib.nn.AdaptiveMaxPool1d(3, return_indices=True),
                 lambda lib: lib.nn.LPPool2d(2, 3), lambda lib: lib.nn.MaxUnpool2d(2),
                 lambda lib: lib.nn.MaxUnpool1d(3, 2, 1)):
        assert repr(make(ember)) == repr(make(torch))


# -- errors -------------------------------------------------------------------------------
POOL_ERRORS = [
    lambda F, x: F.max_pool2d(x, 2, padding=2),
    lambda F, x: F.max_pool2d(x, 3, padding=2, dilation=2),
    lambda F, x: F.max_pool2d(x, 2, stride=0),
    lambda F, x: F.max_pool2d(x, (2, 2, 2)),
    lambda F, x: F.max_pool2d(x, 2, stride=(1, 1, 1)),
    lambda F, x: F.max_pool2d(x, 2, dilation=0),
    lambda F, x: F.max_pool2d(x, -1),
    lambda F, x: F.max_pool2d(x, 2, padding=-1),
    lambda F, x: F.max_pool2d(x, 9),
    lambda F, x: F.max_pool2d(x[0, 0], 2),
    lambda F, x: F.max_pool2d(x[:, :0], 2),
    lambda F, x: F.max_pool2d(x, 9, return_indices=True),
    lambda F, x: F.max_pool1d(x[0], 2, padding=2),
    lambda F, x: F.max_pool1d(x[0], 0),
    lambda F, x: F.max_pool1d(x[0], 2, stride=-1),
    lambda F, x: F.max_pool1d(x[0], 2, dilation=0),
    lambda F, x: F.max_pool1d(x[0], (2, 2)),
    lambda F, x: F.max_pool1d(x[0], 9),
    lambda F, x: F.max_pool1d(x, 2),
    lambda F, x: F.max_pool1d(x[0], 9, return_indices=True),
    lambda F, x: F.max_pool3d(x[0], 2),
    lambda F, x: F.max_pool3d(x[None], 3, padding=2, dilation=2),
    lambda F, x: F.avg_pool2d(x, 2, padding=2),
    lambda F, x: F.avg_pool2d(x, 2, divisor_override=0),
    lambda F, x: F.avg_pool2d(x, 9),
    lambda F, x: F.avg_pool2d(x[0, 0], 2),
    lambda F, x: F.avg_pool1d(x, 2),
    lambda F, x: F.avg_pool1d(x[0], (2, 2)),
    lambda F, x: F.avg_pool3d(x[None], 9),
    lambda F, x: F.avg_pool3d(x[None], (2, 2, 2, 2)),
    lambda F, x: F.adaptive_avg_pool2d(x, (2, 2, 2)),
    lambda F, x: F.adaptive_avg_pool2d(x[0, 0], 2),
    lambda F, x: F.adaptive_max_pool2d(x[0, 0], 2),
    lambda F, x: F.adaptive_avg_pool2d(x, -1),
    lambda F, x: F.adaptive_avg_pool2d(x[:, :, :0], 2),
    lambda F, x: F.adaptive_avg_pool2d(x.long(), 2),
    lambda F, x: F.adaptive_avg_pool1d(x, 2),
    lambda F, x: F.adaptive_avg_pool3d(x[0], 2),
    lambda F, x: F.max_unpool2d(x, (x * 0).long() + 999, 2),
    lambda F, x: F.max_unpool2d(x, x.long()[..., :2], 2),
    lambda F, x: F.max_unpool2d(x, x, 2),
    lambda F, x: F.max_unpool2d(x, x.long(), 2, output_size=(3, 3)),
    lambda F, x: F.max_unpool2d(x[0, 0], x[0, 0].long(), 2),
]


@pytest.mark.parametrize("index", range(len(POOL_ERRORS)))
def test_errors(index):
    fn = POOL_ERRORS[index]
    check_error(lambda lib, x: fn(lib.nn.functional, x), randn(2, 3, 6, 6))


# -- gradcheck ----------------------------------------------------------------------------
@pytest.mark.parametrize("fn, shape", [
    (lambda F, x: F.max_pool2d(x, 3, 2, 1), (1, 2, 5, 4)),
    (lambda F, x: F.max_pool3d(x, 2, 1), (1, 2, 3, 4, 3)),
    (lambda F, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
     (1, 2, 5, 4)),
    (lambda F, x: F.avg_pool3d(x, 2, 1, divisor_override=3), (1, 2, 3, 4, 3)),
    (lambda F, x: F.adaptive_avg_pool2d(x, (2, 3)), (1, 2, 5, 4)),
    (lambda F, x: F.adaptive_max_pool3d(x, 2), (1, 2, 3, 4, 3)),
    (lambda F, x: F.lp_pool2d(x, 2, 2), (1, 2, 5, 4)),
    (lambda F, x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2), (1, 2, 5, 4)),
])
def test_gradcheck(fn, shape):
    # Distinct values a finite-difference step cannot reorder.
    values = RNG.permutation(int(np.prod(shape))).reshape(shape) / 10.0 + 0.5
    x = to_ember(values, requires_grad=True)
    F = ember.nn.functional
    assert gradcheck(lambda x: fn(F, x), (x,))
    assert gradgradcheck(lambda x: fn(F, x), (x,))
