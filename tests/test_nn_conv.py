"""Convolutions, transposed convolutions, fold/unfold and the conv layers against PyTorch:
values, gradients, grad_fn names, init, repr and errors; float64 gradcheck and gradgradcheck
(double backward goes through ConvolutionBackwardBackward0)."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.autograd import gradcheck, gradgradcheck
from nn_oracle import check_module
from oracle import check_error, check_op

rng = np.random.default_rng(0)


def randn(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


# -- functional convolutions ----------------------------------------------------------------
CONV_CASES = [
    # (nd, input shape, weight shape, kwargs)
    (1, (2, 3, 9), (4, 3, 3), {}),
    (1, (2, 4, 10), (6, 2, 3), dict(stride=2, padding=1, dilation=2, groups=2)),
    (1, (3, 9), (4, 3, 2), dict(padding="same")),
    (2, (2, 3, 7, 6), (4, 3, 3, 2), dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2))),
    (2, (2, 4, 6, 6), (4, 1, 3, 3), dict(groups=4, padding=1)),
    (2, (3, 6, 5), (2, 3, 3, 3), dict(padding="valid")),
    (2, (1, 2, 6, 7), (3, 2, 4, 3), dict(padding="same", dilation=(1, 2))),
    (3, (2, 2, 5, 4, 5), (3, 2, 2, 3, 2), dict(stride=(1, 2, 2), padding=1)),
    (3, (2, 4, 4, 4), (2, 2, 3, 3, 3), dict(padding="same")),
]


@pytest.mark.parametrize("nd,xs,ws,kwargs", CONV_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_matches_torch(nd, xs, ws, kwargs, dtype):
    warnings.simplefilter("ignore", UserWarning)
    x, w, b = randn(*xs, dtype=dtype), randn(*ws, dtype=dtype), randn(ws[0], dtype=dtype)
    name = f"conv{nd}d"
    check_op(lambda lib, x, w, b: getattr(lib.nn.functional, name)(x, w, b, **kwargs), x, w, b)
    check_op(lambda lib, x, w: getattr(lib, name)(x, w, **kwargs), x, w)


TRANSPOSED_CASES = [
    (1, (2, 3, 5), (3, 4, 3), {}),
    (1, (2, 4, 5), (4, 3, 3), dict(stride=3, padding=1, output_padding=2, groups=2)),
    (2, (2, 4, 5, 6), (4, 3, 3, 2), dict(stride=(2, 3), padding=(1, 0), dilation=(2, 1),
                                         groups=2, output_padding=(1, 2))),
    (2, (2, 4, 5, 6), (4, 3, 3, 2), dict(padding=(1, 0), dilation=(2, 3),
                                         output_padding=(1, 2))),
    (2, (3, 4, 4), (3, 2, 2, 2), dict(stride=2)),
    (3, (1, 2, 3, 3, 2), (2, 2, 2, 3, 2), dict(stride=2, padding=(0, 1, 0),
                                               output_padding=1)),
]


@pytest.mark.parametrize("nd,xs,ws,kwargs", TRANSPOSED_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_transpose_matches_torch(nd, xs, ws, kwargs, dtype):
    out_channels = ws[1] * kwargs.get("groups", 1)
    x, w, b = randn(*xs, dtype=dtype), randn(*ws, dtype=dtype), randn(out_channels, dtype=dtype)
    name = f"conv_transpose{nd}d"
    check_op(lambda lib, x, w, b: getattr(lib.nn.functional, name)(x, w, b, **kwargs), x, w, b)


def test_convolution_and_non_contiguous_input():
    x, w = randn(2, 3, 6, 5), randn(4, 3, 2, 2)
    check_op(lambda lib, x, w: lib.convolution(x, w, None, [2, 1], [1, 0], [1, 1], False,
                                               [0, 0], 1), x, w)
    check_op(lambda lib, x, w: lib.convolution(x, w, None, [1, 1], [0, 0], [1, 1], True, [0, 0], 1),
             randn(2, 4, 3, 3), w)
    check_op(lambda lib, x, w: lib.conv2d(x.transpose(2, 3)[:, :, ::2], w.flip(3)), x, w)


def test_conv_integer_and_empty():
    x = rng.integers(-3, 3, (2, 3, 5, 5))
    w = rng.integers(-3, 3, (4, 3, 3, 3))
    check_op(lambda lib, x, w: lib.conv2d(x, w), x, w)
    check_op(lambda lib, x, w: lib.conv2d(x, w), randn(0, 3, 5, 5), randn(4, 3, 3, 3))


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 2), c=st.integers(1, 3), o=st.integers(1, 3), size=st.integers(3, 8),
       k=st.integers(1, 3), stride=st.integers(1, 3), padding=st.integers(0, 2),
       dilation=st.integers(1, 2), transposed=st.booleans())
def test_conv2d_hypothesis(n, c, o, size, k, stride, padding, dilation, transposed):
    if not transposed and size + 2 * padding < dilation * (k - 1) + 1:
        return
    if transposed and (size - 1) * stride - 2 * padding + dilation * (k - 1) + 1 <= 0:
        return
    x = randn(n, c, size, size + 1, dtype=np.float32)
    if transposed:
        check_op(lambda lib, x, w: lib.conv_transpose2d(x, w, stride=stride, padding=padding,
                                                        dilation=dilation), x,
                 randn(c, o, k, k, dtype=np.float32))
    else:
        check_op(lambda lib, x, w: lib.conv2d(x, w, stride=stride, padding=padding,
                                              dilation=dilation), x,
                 randn(o, c, k, k, dtype=np.float32))


def test_conv_float32_stays_float32():
    x = ember.randn(2, 3, 5, 5, requires_grad=True)
    w = ember.randn(4, 3, 3, 3, requires_grad=True)
    y = ember.conv2d(x, w)
    y.sum().backward()
    assert y.dtype == x.grad.dtype == w.grad.dtype == ember.float32


# -- gradcheck and double backward ----------------------------------------------------------
GRAD_CASES = [
    (2, (1, 4, 5, 6), (4, 2, 2, 3), dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2),
                                         groups=2), False),
    (2, (1, 4, 3, 3), (4, 1, 2, 2), dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2),
                                         groups=2, output_padding=(1, 0)), True),
    (1, (2, 2, 5), (3, 2, 2), dict(stride=2, padding=1), False),
    (1, (2, 2, 3), (2, 3, 3), dict(padding=1, dilation=2, output_padding=1), True),
    (3, (1, 1, 3, 3, 3), (2, 1, 2, 2, 2), dict(padding=1), False),
]


@pytest.mark.parametrize("nd,xs,ws,kwargs,transposed", GRAD_CASES)
def test_gradcheck_and_gradgradcheck(nd, xs, ws, kwargs, transposed):
    name = f"conv_transpose{nd}d" if transposed else f"conv{nd}d"
    channels = ws[1] * kwargs.get("groups", 1) if transposed else ws[0]
    x, w, b = (ember.tensor(a, requires_grad=True)
               for a in (randn(*xs), randn(*ws), randn(channels)))

    def fn(x, w, b):
        return getattr(ember, name)(x, w, b, **kwargs)

    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


def test_double_backward_matches_torch():
    def fn(lib, x, w):
        y = lib.conv2d(x, w, stride=2, padding=1)
        gx, gw = lib.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        return gx.sin().sum() + (gw * gw).sum()

    check_op(fn, randn(2, 2, 5, 5), randn(3, 2, 3, 3))
    x = ember.randn(1, 2, 4, 4, requires_grad=True)
    w = ember.randn(3, 2, 2, 2, requires_grad=True)
    gx, gw = ember.autograd.grad(ember.conv2d(x, w).sum(), (x, w), create_graph=True)
    assert gx.grad_fn.name() == gw.grad_fn.name() == "ConvolutionBackwardBackward0"


# -- unfold / fold --------------------------------------------------------------------------
@pytest.mark.parametrize("shape,kwargs", [
    ((2, 3, 6, 5), dict(kernel_size=2)),
    ((2, 3, 7, 6), dict(kernel_size=(3, 2), dilation=(1, 2), padding=1, stride=(2, 1))),
    ((3, 5, 5), dict(kernel_size=3, padding=1)),
])
def test_unfold_fold(shape, kwargs):
    check_op(lambda lib, x: lib.nn.functional.unfold(x, **kwargs), randn(*shape))
    size = shape[-2:]
    cols = ember.nn.functional.unfold(ember.zeros(shape), **kwargs).shape
    check_op(lambda lib, x: lib.nn.functional.fold(x, size, **kwargs), randn(*cols))
    x = ember.tensor(randn(*shape), requires_grad=True)
    assert gradgradcheck(lambda x: ember.nn.functional.unfold(x, **kwargs), (x,))
    c = ember.tensor(randn(*cols), requires_grad=True)
    assert gradgradcheck(lambda c: ember.nn.functional.fold(c, size, **kwargs), (c,))


def test_fold_unfold_modules():
    check_module(lambda lib: lib.nn.Unfold(2, padding=1, stride=2), randn(2, 3, 5, 5))
    check_module(lambda lib: lib.nn.Fold((4, 5), (2, 3)), randn(2, 12, 9))
    assert repr(ember.nn.Fold((4, 4), 2)) == "Fold(output_size=(4, 4), kernel_size=2, " \
        "dilation=1, padding=0, stride=1)"


# -- modules --------------------------------------------------------------------------------
MODULES = [
    (lambda lib: lib.nn.Conv1d(3, 4, 3), (2, 3, 8)),
    (lambda lib: lib.nn.Conv1d(4, 6, 3, stride=2, padding=2, dilation=2, groups=2,
                               padding_mode="circular"), (2, 4, 9)),
    (lambda lib: lib.nn.Conv1d(3, 2, 4, padding="same", bias=False), (3, 7)),
    (lambda lib: lib.nn.Conv2d(3, 4, 3), (2, 3, 6, 6)),
    (lambda lib: lib.nn.Conv2d(3, 4, (3, 2), stride=2, padding=1, dilation=2, bias=False,
                               padding_mode="reflect"), (2, 3, 7, 7)),
    (lambda lib: lib.nn.Conv2d(4, 4, 3, padding=(1, 2), groups=4,
                               padding_mode="replicate"), (2, 4, 5, 5)),
    (lambda lib: lib.nn.Conv2d(2, 3, (2, 4), padding="same", padding_mode="circular"),
     (2, 2, 5, 6)),
    (lambda lib: lib.nn.Conv2d(2, 3, 3, padding="valid"), (2, 5, 5)),
    (lambda lib: lib.nn.Conv3d(2, 4, 2, stride=(1, 2, 1), padding=1, groups=2),
     (2, 2, 4, 4, 3)),
    (lambda lib: lib.nn.Conv3d(2, 2, 3, padding="same", padding_mode="reflect"),
     (1, 2, 3, 4, 4)),
    (lambda lib: lib.nn.ConvTranspose1d(4, 6, 3, stride=2, output_padding=1, groups=2),
     (2, 4, 5)),
    (lambda lib: lib.nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1,
                                        dilation=1, bias=False), (2, 3, 4, 4)),
    (lambda lib: lib.nn.ConvTranspose2d(2, 2, (2, 3), dilation=2), (2, 3, 3)),
    (lambda lib: lib.nn.ConvTranspose3d(2, 3, 2, stride=2), (1, 2, 2, 3, 2)),
]


@pytest.mark.parametrize("make,shape", MODULES)
def test_conv_modules(make, shape):
    warnings.simplefilter("ignore", UserWarning)
    check_module(make, randn(*shape, dtype=np.float32))
    e, t = make(ember), make(__import__("torch"))
    assert repr(e) == repr(t)


def test_conv_transpose_output_size():
    x = randn(2, 3, 4, 4, dtype=np.float32)
    for size in ([8, 8], [2, 4, 7, 8], (7, 7)):
        check_module(lambda lib: lib.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1), x,
                     forward=lambda m, x, size=size: m(x, output_size=size))
    check_error(lambda lib, x: lib.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)(
        x, output_size=[12, 12]), x)
    check_error(lambda lib, x: lib.nn.ConvTranspose2d(3, 2, 3)(x, output_size=[12]), x)


def test_conv_module_dtype_and_state():
    m = ember.nn.Conv2d(2, 3, 3, dtype=ember.float64)
    assert m.weight.dtype == ember.float64 and m.bias.dtype == ember.float64
    assert list(m.state_dict()) == ["weight", "bias"]
    assert ember.nn.Conv2d(2, 3, 3, padding="same")._reversed_padding_repeated_twice == \
        [1, 1, 1, 1]


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.Conv2d(3, 4, 3, groups=0),
    lambda lib: lib.nn.Conv2d(3, 4, 3, groups=2),
    lambda lib: lib.nn.Conv2d(4, 3, 3, groups=2),
    lambda lib: lib.nn.Conv2d(4, 4, 3, padding="full"),
    lambda lib: lib.nn.Conv2d(4, 4, 3, stride=2, padding="same"),
    lambda lib: lib.nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect"),
])
def test_conv_module_errors(make):
    check_error(lambda lib: make(lib))


# -- errors ---------------------------------------------------------------------------------
ERRORS = [
    (lambda lib, x, w: lib.conv2d(x, w), (5,), (4, 3, 3, 3)),
    (lambda lib, x, w: lib.conv2d(x, w), (1, 2, 3, 5, 5), (4, 3, 3, 3)),
    (lambda lib, x, w: lib.conv2d(x, w), (2, 3, 5, 5), (4, 3, 3)),
    (lambda lib, x, w: lib.conv2d(x, w), (2, 5, 5, 5), (4, 3, 3, 3)),
    (lambda lib, x, w: lib.conv2d(x, w), (5, 5, 5), (4, 3, 3, 3)),
    (lambda lib, x, w: lib.conv2d(x, w), (2, 3, 2, 2), (4, 3, 3, 3)),
    (lambda lib, x, w: lib.conv2d(x, w, stride=0), (2, 3, 5, 5), (4, 3, 3, 3)),
    (lambda lib, x, w: lib.conv2d(x, w, stride=(1, 1, 1)), (2, 3, 5, 5), (4, 3, 3, 3)),
    (lambda lib, x, w: lib.conv2d(x, w, padding=-1), (2, 3, 5, 5), (4, 3, 3, 3)),
    (lambda lib, x, w: lib.conv2d(x, w, dilation=0), (2, 3, 5, 5), (4, 3, 3, 3)),
    (lambda lib, x, w: lib.conv2d(x, w, dilation=(1, 1, 1)), (2, 3, 5, 5), (4, 3, 3, 3)),
    (lambda lib, x, w: lib.conv2d(x, w, groups=2), (2, 4, 5, 5), (3, 2, 3, 3)),
    (lambda lib, x, w: lib.conv2d(x, w, groups=0), (2, 4, 5, 5), (4, 2, 3, 3)),
    (lambda lib, x, w: lib.conv2d(x, w, groups=2), (2, 3, 5, 5), (4, 1, 3, 3)),
    (lambda lib, x, w: lib.conv2d(x, w), (2, 3, 5, 5), (0, 3, 3, 3)),
    (lambda lib, x, w: lib.conv2d(x, w, stride=2, padding="same"), (2, 3, 5, 5),
     (4, 3, 3, 3)),
    (lambda lib, x, w: lib.conv2d(x, w, padding="foo"), (2, 3, 5, 5), (4, 3, 3, 3)),
    (lambda lib, x, w: lib.conv1d(x, w), (2, 3, 5), (4, 3)),
    (lambda lib, x, w: lib.conv_transpose2d(x, w), (2, 5, 5, 5), (3, 4, 3, 3)),
    (lambda lib, x, w: lib.conv_transpose2d(x, w, output_padding=1), (2, 3, 5, 5),
     (3, 4, 3, 3)),
    (lambda lib, x, w: lib.conv_transpose1d(x, w, output_padding=1), (2, 3, 5), (3, 4, 3)),
    (lambda lib, x, w: lib.conv_transpose3d(x, w, output_padding=1), (2, 3, 4, 4, 4),
     (3, 4, 2, 2, 2)),
    (lambda lib, x, w: lib.conv_transpose2d(x, w, groups=2), (2, 3, 5, 5), (3, 3, 3, 3)),
    (lambda lib, x, w: lib.conv_transpose2d(x, w, output_padding=-1), (2, 3, 5, 5),
     (3, 4, 3, 3)),
    (lambda lib, x, w: lib.conv_transpose2d(x, w), (5,), (3, 4, 3, 3)),
    (lambda lib, x, w: lib.convolution(x, w, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1),
     (3, 5, 5), (4, 3, 3, 3)),
]


@pytest.mark.parametrize("fn,xs,ws", ERRORS)
def test_conv_errors(fn, xs, ws):
    check_error(fn, randn(*xs, dtype=np.float32), randn(*ws, dtype=np.float32))


def test_conv_dtype_and_bias_errors():
    x, w = randn(2, 3, 5, 5, dtype=np.float32), randn(4, 3, 3, 3, dtype=np.float32)
    check_error(lambda lib, x, w, b: lib.conv2d(x, w, b), x, w, randn(3, dtype=np.float32))
    check_error(lambda lib, x, w, b: lib.conv2d(x, w, b), x, w, randn(4, 1, dtype=np.float32))
    check_error(lambda lib, x, w, b: lib.conv2d(x, w, b), x, w, randn(4))
    check_error(lambda lib, x, w: lib.conv2d(x, w), x.astype(np.float64), w)
    check_error(lambda lib, x, w: lib.conv2d(x, w), x, w.astype(np.float64))
    check_error(lambda lib, x, w, b: lib.conv_transpose2d(x, w, b), x,
                randn(3, 4, 3, 3, dtype=np.float32), randn(3, dtype=np.float32))
    check_error(lambda lib, x, w: lib.conv2d(x, w), x > 0, w > 0)


@pytest.mark.parametrize("fn,shape", [
    (lambda lib, x: lib.nn.functional.unfold(x, 2), (5, 5)),
    (lambda lib, x: lib.nn.functional.unfold(x, 2), (1, 1, 5, 5, 5)),
    (lambda lib, x: lib.nn.functional.unfold(x, 4), (1, 2, 3, 3)),
    (lambda lib, x: lib.nn.functional.unfold(x, 0), (1, 2, 3, 3)),
    (lambda lib, x: lib.nn.functional.unfold(x, 2, stride=0), (1, 2, 3, 3)),
    (lambda lib, x: lib.nn.functional.unfold(x, 2, dilation=0), (1, 2, 3, 3)),
    (lambda lib, x: lib.nn.functional.unfold(x, 2, padding=-1), (1, 2, 3, 3)),
    (lambda lib, x: lib.nn.functional.unfold(x, (1, 2, 3)), (1, 2, 3, 3)),
    (lambda lib, x: lib.nn.functional.unfold(x, 2), (1, 0, 3, 3)),
    (lambda lib, x: lib.nn.functional.fold(x, (4, 4), 2), (1, 8, 9, 1)),
    (lambda lib, x: lib.nn.functional.fold(x, (4, 4), 2), (1, 7, 9)),
    (lambda lib, x: lib.nn.functional.fold(x, (4, 4), 2), (1, 8, 8)),
    (lambda lib, x: lib.nn.functional.fold(x, (4, 4), 0), (1, 8, 9)),
    (lambda lib, x: lib.nn.functional.fold(x, (4, 4), 2, stride=0), (1, 8, 9)),
])
def test_fold_errors(fn, shape):
    check_error(fn, randn(*shape, dtype=np.float32))
    check_error(lambda lib, x: lib.nn.functional.unfold(x, 2), np.ones((1, 2, 3, 3), np.int64))
