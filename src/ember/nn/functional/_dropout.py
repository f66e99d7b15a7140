"""Dropout functions: ``dropout``, ``dropout1d/2d/3d``, ``alpha_dropout`` and
``feature_alpha_dropout``, over the ``ember.dropout`` family of kernels (``ops/dropout.py``).

As in PyTorch, ``dropout2d``/``dropout3d`` warn (and still run) on inputs of an unexpected
rank, and a 3-D input to ``dropout2d`` is read as (N, C, L).
"""

import warnings

from ...ops import dropout as _kernels

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout"]


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    kernel = _kernels.dropout_ if inplace else _kernels.dropout
    return kernel(input, p, training)


def _feature(input, p, training, inplace, batched):
    """Channel-wise dropout; an unbatched input gets a batch dimension for the draw."""
    if not batched:
        input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    kernel = _kernels.feature_dropout_ if inplace else _kernels.feature_dropout
    result = kernel(input, p, training)
    if not batched:
        result = result.squeeze_(0) if inplace else result.squeeze(0)
    return result


def dropout1d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    ndim = input.dim()
    if ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. "
            "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 "
            "spatial dimension, a channel dimension, and an optional batch dimension "
            "(i.e. 2D or 3D inputs).")
    return _feature(input, p, training, inplace, batched=ndim == 3)


def _warn_rank(name, ndim, expected, spatial):
    warnings.warn(
        f"{name}: Received a {ndim}-D input to {name}, which is deprecated "
        "and will result in an error in a future release. To retain the behavior "
        "and silence this warning, please use dropout instead. Note that "
        f"{name} exists to provide channel-wise dropout on inputs with {spatial} spatial "
        "dimensions, a channel dimension, and an optional batch dimension "
        f"(i.e. {expected[0]}D or {expected[1]}D inputs).", stacklevel=3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    ndim = input.dim()
    if ndim not in (3, 4):
        _warn_rank("dropout2d", ndim, (3, 4), 2)
    if ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
            "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret "
            "the input as one without a batch dimension, i.e. shape (C, H, W). To maintain "
            "the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _feature(input, p, training, inplace, batched=True)


def dropout3d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    ndim = input.dim()
    if ndim not in (4, 5):
        _warn_rank("dropout3d", ndim, (4, 5), 3)
    return _feature(input, p, training, inplace, batched=ndim == 5)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    _check_p(p)
    kernel = _kernels.alpha_dropout_ if inplace else _kernels.alpha_dropout
    return kernel(input, p, training)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    _check_p(p)
    kernel = _kernels.feature_alpha_dropout_ if inplace else _kernels.feature_alpha_dropout
    return kernel(input, p, training)
