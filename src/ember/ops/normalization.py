"""Normalization kernels: batch, layer, group, instance and RMS norm, as ``torch.<name>``.

Every kernel normalises ``x`` over some axes with ``xhat = (x - mean) * rstd``,
``rstd = 1 / sqrt(var + eps)`` (biased variance), then applies a per-feature affine map.
Statistics are accumulated in the input's float type (float32 for float16), in one
vectorised pass per moment.

Backward (all three ``Native*Backward0`` nodes share it): with ``g = grad * weight``,
``dx = rstd * (g - mean(g) - xhat * mean(g * xhat))``, ``dweight = sum(grad * xhat)``,
``dbias = sum(grad)``. It is written in ember ops; when the backward itself is recorded
(``create_graph=True``) the statistics are recomputed from ``input`` with ember ops, so the
second derivative flows through them and double backward is exact.

``instance_norm`` is ``batch_norm`` over a (1, N*C, ...) view, and ``rms_norm`` is composed
of pointwise ops and a mean, as PyTorch composes them (so their grad_fn is ``ViewBackward0``
and ``MulBackward0``).
"""

import numpy as np

from .. import _dtype
from ._dispatch import Op, _state, record, record_multi, wrap
from .reduction import accumulator_dtype

__all__ = ["native_layer_norm", "layer_norm", "native_batch_norm", "batch_norm",
           "native_group_norm", "group_norm", "instance_norm", "rms_norm"]
FUNCTION_ONLY = list(__all__)


def _check_floating(data, kernel):
    if data.dtype.kind != "f":
        name = _dtype._BY_NUMPY[data.dtype]._scalar_name
        raise NotImplementedError(f'"{kernel}" not implemented for \'{name}\'')


def _moments(data, axes, eps):
    """(centered, mean, rstd, biased var) of ``data`` over ``axes`` (kept), accumulated in
    the accumulation dtype."""
    work = data.astype(accumulator_dtype(data.dtype), copy=False)
    mean = np.mean(work, axis=axes, keepdims=True)
    centered = work - mean
    var = np.mean(np.square(centered), axis=axes, keepdims=True)
    return centered, mean, 1.0 / np.sqrt(var + eps), var


def _normalized(input, axes, eps, mean, rstd, from_input):
    """(xhat, rstd) as tensors; differentiable functions of ``input`` when recording."""
    if from_input and _state.enabled:
        centered = input - input.mean(axes, keepdim=True)
        rstd_t = ((centered * centered).mean(axes, keepdim=True) + eps).rsqrt()
        return centered * rstd_t, rstd_t
    rstd_t = wrap(rstd.astype(input._data.dtype, copy=False))
    return (input - wrap(mean.astype(input._data.dtype, copy=False))) * rstd_t, rstd_t


def _input_grad(xhat, rstd, g, axes, from_input):
    """d loss/d x given ``g`` = d loss/d xhat; with fixed statistics only ``rstd`` scales."""
    if not from_input:
        return g * rstd
    return rstd * (g - g.mean(axes, keepdim=True) - xhat * (g * xhat).mean(axes, keepdim=True))


def _affine_grads(node, grad, xhat, reduce_axes, shape):
    """Gradients of weight and bias (None where not needed)."""
    def total(t):  # sum over no dims would reduce them all, as in PyTorch
        return (t.sum(reduce_axes) if reduce_axes else t).reshape(shape)

    grad_weight = grad_bias = None
    if node.next_functions[1][0] is not None:
        grad_weight = total(grad * xhat)
    if node.next_functions[2][0] is not None:
        grad_bias = total(grad)
    return grad_weight, grad_bias


# -- layer norm ---------------------------------------------------------------------------
class NativeLayerNormBackward0(Op):
    saves = (0, 1, 2)
    formula = ("d layer_norm/dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = grad * w;"
               " dw = sum(grad * xhat); db = sum(grad)")

    def backward(self, grad):
        input, weight, bias = self.saved_tensors
        axes, eps, mean, rstd = self.ctx
        batch_axes = tuple(range(input.dim() - len(axes)))
        xhat, rstd_t = _normalized(input, axes, eps, mean, rstd, True)
        grad_input = None
        if self.next_functions[0][0] is not None:
            g = grad if weight is None else grad * weight
            grad_input = _input_grad(xhat, rstd_t, g, axes, True)
        shape = tuple(input.shape[len(batch_axes):])
        return (grad_input,) + _affine_grads(self, grad, xhat, batch_axes, shape)


def _layer_norm_checks(input, normalized_shape, weight, bias):
    normalized_shape = ((normalized_shape,) if isinstance(normalized_shape, int)
                        else tuple(normalized_shape))
    shape = input._data.shape
    k = len(normalized_shape)
    for name, param in (("weight", weight), ("bias", bias)):
        if param is not None and tuple(param.shape) != normalized_shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(param.shape)} and normalized_shape = {list(normalized_shape)}")
    if k == 0 or len(shape) < k or shape[len(shape) - k:] != normalized_shape:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(map(str, normalized_shape))}], but got input of size"
            f"{list(shape)}")
    _check_floating(input._data, "LayerNormKernelImpl")
    return tuple(range(len(shape) - k, len(shape)))


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """(output, mean, rstd); mean and rstd keep the normalized dimensions as size 1."""
    axes = _layer_norm_checks(input, normalized_shape, weight, bias)
    data = input._data
    centered, mean, rstd, _ = _moments(data, axes, eps)
    centered *= rstd
    if weight is not None:
        centered *= weight._data
    if bias is not None:
        centered += bias._data
    out = wrap(centered.astype(data.dtype, copy=False))
    if _state.enabled and (input._requires_grad or (weight is not None and weight._requires_grad)
                           or (bias is not None and bias._requires_grad)):
        record(NativeLayerNormBackward0, out, (input, weight, bias), (axes, eps, mean, rstd))
    dtype = data.dtype
    return out, wrap(mean.astype(dtype, copy=False)), wrap(rstd.astype(dtype, copy=False))


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    return native_layer_norm(input, normalized_shape, weight, bias, eps)[0]


# -- batch norm ---------------------------------------------------------------------------
class NativeBatchNormBackward0(Op):
    saves = (0, 1)
    formula = ("d batch_norm/dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) in training, "
               "rstd * g in eval, g = grad * w; dw = sum(grad * xhat); db = sum(grad)")

    def backward(self, grad):
        input, weight = self.saved_tensors
        training, eps, mean, rstd = self.ctx
        ndim = input.dim()
        axes = (0,) + tuple(range(2, ndim))
        view = (1, -1) + (1,) * (ndim - 2)
        xhat, rstd_t = _normalized(input, axes, eps, mean, rstd, training)
        grad_input = None
        if self.next_functions[0][0] is not None:
            g = grad if weight is None else grad * weight.reshape(view)
            grad_input = _input_grad(xhat, rstd_t, g, axes, training)
        return (grad_input,) + _affine_grads(self, grad, xhat, axes, (input.shape[1],))


def _check_features(name, tensor, count):
    if tensor is not None and tensor.numel() != count:
        raise RuntimeError(f"{name} should contain {count} elements not {tensor.numel()}")


def _update_running(running, value, momentum):
    """running = momentum * value + (1 - momentum) * running, in place, as ATen does."""
    data = running._data
    data[...] = (momentum * value + (1 - momentum) * data).astype(data.dtype, copy=False)
    running._vc[0] += 1


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum,
                      eps):
    """(output, save_mean, save_invstd); in eval mode the saved statistics are empty."""
    data = input._data
    _check_floating(data, "batch_norm")
    ndim = data.ndim
    view = (1, -1) + (1,) * (ndim - 2)
    if training:
        axes = (0,) + tuple(range(2, ndim))
        centered, mean, rstd, var = _moments(data, axes, eps)
        count = data.size // data.shape[1]
        if running_mean is not None:
            _update_running(running_mean, mean.reshape(-1), momentum)
        if running_var is not None:
            var = var.reshape(-1)
            # the running variance is the unbiased one: n / (n - 1) times the batch's
            unbiased = var * (count / (count - 1)) if count > 1 else np.full_like(var, np.nan)
            _update_running(running_var, unbiased, momentum)
        save_mean, save_invstd = mean.reshape(-1), rstd.reshape(-1)
    else:
        work_dtype = accumulator_dtype(data.dtype)
        mean = running_mean._data.astype(work_dtype).reshape(view)
        rstd = 1.0 / np.sqrt(running_var._data.astype(work_dtype).reshape(view) + eps)
        centered = data - mean
        save_mean = save_invstd = np.empty(0, work_dtype)
    centered *= rstd
    if weight is not None:
        centered *= weight._data.reshape(view)
    if bias is not None:
        centered += bias._data.reshape(view)
    out = wrap(centered.astype(data.dtype, copy=False))
    if _state.enabled and (input._requires_grad or (weight is not None and weight._requires_grad)
                           or (bias is not None and bias._requires_grad)):
        record(NativeBatchNormBackward0, out, (input, weight, bias),
               (training, eps, mean, rstd))
    dtype = data.dtype
    return (out, wrap(save_mean.astype(dtype, copy=False)),
            wrap(save_invstd.astype(dtype, copy=False)))


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
               cudnn_enabled):
    channels = input.shape[1]
    for name, tensor in (("running_mean", running_mean), ("running_var", running_var)):
        _check_features(name, tensor, channels)
        if tensor is None and not training:
            raise RuntimeError(f"{name} must be defined in evaluation mode")
    _check_features("weight", weight, channels)
    _check_features("bias", bias, channels)
    return native_batch_norm(input, weight, bias, running_mean, running_var, training,
                             momentum, eps)[0]


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum,
                  eps, cudnn_enabled):
    """``batch_norm`` over the (1, N*C, ...) view: each (sample, channel) is one channel."""
    batch, channels = input.shape[0], input.shape[1]
    shape = (1, batch * channels) + tuple(input.shape[2:])

    def repeated(tensor):
        return None if tensor is None else tensor.repeat(batch)

    running_mean_, running_var_ = repeated(running_mean), repeated(running_var)
    out = batch_norm(input.contiguous().view(shape), repeated(weight), repeated(bias),
                     running_mean_, running_var_, use_input_stats, momentum, eps,
                     cudnn_enabled)
    # the running statistics are the mean over the batch of each sample's update
    for running, updated in ((running_mean, running_mean_), (running_var, running_var_)):
        if running is not None:
            running._data[...] = updated._data.reshape(batch, channels).mean(0)
            running._vc[0] += 1
    return out.view(input.shape)


# -- group norm ---------------------------------------------------------------------------
class NativeGroupNormBackward0(Op):
    saves = (0, 1)
    # mean and rstd are differentiable outputs too, as in PyTorch
    _materialize_grads = False
    formula = ("d group_norm/dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) per group, "
               "g = grad * w; dw = sum(grad * xhat); db = sum(grad); "
               "d mean/dx = 1/n; d rstd/dx = -rstd**2 * xhat / n")

    def backward(self, grad, grad_mean=None, grad_rstd=None):
        input, weight = self.saved_tensors
        batch, channels, group, eps, mean, rstd = self.ctx
        shape = tuple(input.shape)
        grouped = (batch, group, -1)
        view = (1, -1) + (1,) * (len(shape) - 2)
        xhat, rstd_t = _normalized(input.reshape(grouped), (2,), eps, mean, rstd, True)
        grad_input = grad_weight = grad_bias = None
        if self.next_functions[0][0] is not None:
            grad_input = 0
            if grad is not None:
                g = grad if weight is None else grad * weight.reshape(view)
                grad_input = _input_grad(xhat, rstd_t, g.reshape(grouped), (2,), True)
            count = xhat.shape[2]
            if grad_mean is not None:
                grad_input = grad_input + grad_mean.unsqueeze(2) / count
            if grad_rstd is not None:
                grad_input = grad_input - grad_rstd.unsqueeze(2) * rstd_t * rstd_t * xhat / count
            grad_input = (grad_input.reshape(shape) if type(grad_input) is not int
                          else None)
        if grad is not None:
            axes = (0,) + tuple(range(2, len(shape)))
            grad_weight, grad_bias = _affine_grads(self, grad, xhat.reshape(shape), axes,
                                                   (channels,))
        return grad_input, grad_weight, grad_bias


def native_group_norm(input, weight, bias, N, C, HxW, group, eps):
    """(output, mean, rstd) with mean and rstd of shape (N, group)."""
    data = input._data
    _check_floating(data, "group_norm")
    centered, mean, rstd, _ = _moments(data.reshape(N, group, -1), (2,), eps)
    centered *= rstd
    centered = centered.reshape(data.shape)
    view = (1, -1) + (1,) * (data.ndim - 2)
    if weight is not None:
        centered *= weight._data.reshape(view)
    if bias is not None:
        centered += bias._data.reshape(view)
    results = (wrap(centered.astype(data.dtype, copy=False)),
               wrap(mean.reshape(N, group).astype(data.dtype, copy=False)),
               wrap(rstd.reshape(N, group).astype(data.dtype, copy=False)))
    if _state.enabled and (input._requires_grad or (weight is not None and weight._requires_grad)
                           or (bias is not None and bias._requires_grad)):
        record_multi(NativeGroupNormBackward0, results, (input, weight, bias),
                     (N, C, group, eps, mean, rstd))
    return results


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    shape = tuple(input.shape)
    batch, channels = shape[0], shape[1]
    if channels % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {list(shape)} and num_groups={num_groups}")
    for name, param in (("weight", weight), ("bias", bias)):
        if param is not None and (param.dim() != 1 or param.numel() != channels):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(param.shape)} and input of shape "
                f"{list(shape)}")
    hxw = input.numel() // max(batch * channels, 1)
    return native_group_norm(input, weight, bias, batch, channels, hxw, num_groups, eps)[0]


# -- RMS norm -----------------------------------------------------------------------------
def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``input * rsqrt(mean(input**2) + eps) * weight``; eps defaults to the dtype's."""
    axes = _layer_norm_checks(input, normalized_shape, weight, None)
    if eps is None:
        eps = float(np.finfo(accumulator_dtype(input._data.dtype)).eps)
    result = input * (input.pow(2).mean(axes, keepdim=True) + eps).rsqrt()
    return result if weight is None else result * weight
