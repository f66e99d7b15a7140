"""Dropout kernels as PyTorch's CPU ``at::dropout`` family draws them.

Each is composed from ordinary ops, as ATen composes it, so the graph reads the same:
``noise = empty_like(input).bernoulli_(1 - p); noise.div_(1 - p); input * noise`` gives
``MulBackward0``. The alpha variants add an offset, giving ``AddBackward0``. Feature
variants draw one value per (batch, channel) and broadcast it over the other dimensions.
The mask is drawn with ember's bit-exact ``bernoulli_`` (two 32-bit draws per element,
compared as a double against ``1 - p``), so masks equal PyTorch's after ``manual_seed``.

``p == 0``, ``train=False`` and empty input return ``input`` itself (PyTorch returns the
same tensor); ``p == 1`` multiplies by a 0-d zero.
"""

import math

import numpy as np

from .. import _creation
from ._dispatch import wrap

__all__ = ["dropout", "dropout_", "feature_dropout", "feature_dropout_", "alpha_dropout",
           "alpha_dropout_", "feature_alpha_dropout", "feature_alpha_dropout_"]
FUNCTION_ONLY = list(__all__)

# SELU's alpha * scale: the value a dropped unit takes (before the affine correction).
_ALPHA = 1.7580993408473766


def _noise(input, p, feature):
    """The Bernoulli(1 - p) mask array: one value per element, or per (N, C) for features."""
    data = input._data
    shape = data.shape
    if feature:
        if data.ndim < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        shape = shape[:2] + (1,) * (data.ndim - 2)
        return _creation._generator(None)._bernoulli(1 - p, shape, data.dtype)
    # empty_like keeps a dense input's layout and bernoulli_ fills it in memory order, so a
    # transposed input (batch_first attention) draws its mask in that order.
    order = np.argsort(data.strides, kind="stable")[::-1]
    if not data.transpose(order).flags.c_contiguous:
        order = np.arange(data.ndim)
    noise = _creation._generator(None)._bernoulli(1 - p, tuple(shape[i] for i in order),
                                                  data.dtype)
    return noise.transpose(np.argsort(order))


def _dropout(input, p, train, feature, alpha, inplace):
    if not 0 <= p <= 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p:g}")
    if p == 0 or not train or input._data.size == 0:
        return input
    if p == 1:
        zero = wrap(np.zeros((), input._data.dtype))
        return input.mul_(zero) if inplace else input * zero
    noise = wrap(_noise(input, p, feature))
    if not alpha:
        noise.div_(1 - p)
        return input.mul_(noise) if inplace else input * noise
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    # b = (noise - 1) * alpha * a + alpha * a * p, each step rounded as ATen's in-place ops
    b = noise.add(-1).mul_(_ALPHA * a).add_(_ALPHA * a * p)
    noise.mul_(a)
    return (input.mul_(noise) if inplace else input * noise).add_(b)


def dropout(input, p, train):
    return _dropout(input, p, train, feature=False, alpha=False, inplace=False)


def dropout_(input, p, train):
    return _dropout(input, p, train, feature=False, alpha=False, inplace=True)


def feature_dropout(input, p, train):
    return _dropout(input, p, train, feature=True, alpha=False, inplace=False)


def feature_dropout_(input, p, train):
    return _dropout(input, p, train, feature=True, alpha=False, inplace=True)


def alpha_dropout(input, p, train):
    return _dropout(input, p, train, feature=False, alpha=True, inplace=False)


def alpha_dropout_(input, p, train):
    return _dropout(input, p, train, feature=False, alpha=True, inplace=True)


def feature_alpha_dropout(input, p, train):
    return _dropout(input, p, train, feature=True, alpha=True, inplace=False)


def feature_alpha_dropout_(input, p, train):
    return _dropout(input, p, train, feature=True, alpha=True, inplace=True)
