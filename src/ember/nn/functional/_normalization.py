"""Normalization functions: ``batch_norm``, ``instance_norm``, ``layer_norm``,
``group_norm``, ``rms_norm``, ``local_response_norm`` and ``normalize``.

The kernels live in ``ops/normalization.py`` (they are also ``torch.batch_norm`` etc.);
these wrappers add PyTorch's Python-level argument checks. ``local_response_norm`` and
``normalize`` are composed of other ops, as in PyTorch.
"""

from ...ops import normalization as _kernels

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm",
           "local_response_norm", "normalize"]


def _verify_batch_size(size):
    count = size[0]
    for extent in size[2:]:
        count *= extent
    if count == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {size}")


def _verify_spatial_size(size):
    count = 1
    for extent in size[2:]:
        count *= extent
    if count == 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size {size}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise each channel (dim 1); in training, update the running statistics in place."""
    if training:
        _verify_batch_size(input.size())
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    return _kernels.batch_norm(input, weight, bias, running_mean, running_var, training,
                               momentum, eps, True)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each (sample, channel) over its spatial dimensions."""
    if use_input_stats:
        _verify_spatial_size(input.size())
    return _kernels.instance_norm(input, weight, bias, running_mean, running_var,
                                  use_input_stats, momentum, eps, True)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing ``normalized_shape`` dimensions."""
    return _kernels.layer_norm(input, normalized_shape, weight, bias, eps, True)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Divide by the root mean square over the trailing ``normalized_shape`` dimensions."""
    return _kernels.rms_norm(input, normalized_shape, weight, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise each sample's channels in ``num_groups`` groups."""
    if input.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    size = list(input.size())
    _verify_batch_size([size[0] * size[1] // num_groups, num_groups] + size[2:])
    return _kernels.group_norm(input, num_groups, weight, bias, eps, True)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Divide by ``(k + alpha * mean of squares over size neighbouring channels) ** beta``;
    the window mean is an average pool over a zero-padded channel axis, as in PyTorch."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          "
                         f"input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    # imported here: the pooling family loads after this one in ``nn.functional``
    from . import _padding, _pooling
    div = input.mul(input)
    if dim == 3:
        div = _padding.pad(div.unsqueeze(1), (0, 0, size // 2, (size - 1) // 2))
        div = _pooling.avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.size()
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = _padding.pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = _pooling.avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.view(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(norm_p(input, dim), eps)``."""
    if out is not None:
        raise NotImplementedError("normalize(out=...) is not supported")
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom
