"""Activations PyTorch exposes as ``torch.<name>``: selu, celu, prelu, rrelu, hardshrink,
threshold, and the in-place ``relu_``/``sigmoid_``/``tanh_``/``selu_``/``celu_``/``rrelu_``/
``threshold_``; also the ELU kernel that ``nn.functional.elu`` shares with selu and celu.

Each kernel is one NumPy expression on the input array; its derivative is written in ember
ops. PyTorch gives an in-place variant its own grad_fn where the derivative is taken from
the result (``EluBackward1`` saves the result, ``EluBackward0`` the input): the in-place
functions here record those classes, and ``inplace.make_inplace`` writes the result back.
"""

import numpy as np

from .. import random
from ._dispatch import Op, _state, record, wrap
from .inplace import make_inplace
from .selection import where
from .unary import not_implemented_for, relu, sigmoid, tanh

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

NEGATIVE_ELU_MESSAGE = (
    "In-place elu backward calculation is triggered with a negative slope which is not "
    "supported. This is caused by calling in-place forward function with a negative slope, "
    "please call out-of-place version instead.")
NEGATIVE_LEAKY_MESSAGE = (
    "In-place leakyReLu backward calculation is triggered with a negative slope which is not "
    "supported. This is caused by calling in-place forward function with a negative slope, "
    "please call out-of-place version instead. File an issue at "
    "https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu "
    "backward calculation with negative slope")


def float_input(input, kernel):
    """The input's array; PyTorch's activation kernels exist for floating types only."""
    data = input._data
    if data.dtype.kind != "f":
        raise not_implemented_for(kernel, data.dtype)
    return data


def finish(cls, input, data, ctx=None, others=()):
    """Wrap a kernel's result and record ``cls`` when the input needs grad."""
    out = wrap(data)
    if _state.enabled and (input._requires_grad or any(t._requires_grad for t in others)):
        record(cls, out, (input, *others), ctx)
    return out


# -- ELU, SELU, CELU ----------------------------------------------------------------------
class EluBackward0(Op):
    saves = (0,)
    formula = "d elu(a)/da = scale if a > 0 else alpha*scale*input_scale*e^(a*input_scale)"

    def backward(self, grad):
        (a,) = self.saved_tensors
        alpha, scale, input_scale = self.ctx
        slope = (a * input_scale).exp() * (input_scale * alpha * scale)
        return grad * where(a <= 0, slope, scale)


class EluBackward1(Op):
    saves = ("result",)
    formula = "d elu(a)/da = scale if a > 0 else input_scale*(result + alpha*scale)"

    def backward(self, grad):
        (result,) = self.saved_tensors
        alpha, scale, input_scale = self.ctx
        if alpha < 0:
            raise RuntimeError(NEGATIVE_ELU_MESSAGE)
        return grad * where(result <= 0, (result + alpha * scale) * input_scale, scale)


class CeluBackward0(EluBackward0):
    formula = "d celu(a)/da = 1 if a > 0 else e^(a/alpha)"


class CeluBackward1(EluBackward1):
    formula = "d celu(a)/da = 1 if a > 0 else result/alpha + 1"


def elu_kernel(cls, input, alpha, scale, input_scale):
    """``scale*a`` for a > 0, else ``alpha*scale*(e^(a*input_scale) - 1)``."""
    a = float_input(input, "elu_cpu")
    # max/min split the two pieces without branches (np.where is slow on mixed signs);
    # expm1(0) = 0, so each piece is exact where the other applies.
    with np.errstate(over="ignore", invalid="ignore"):
        data = (np.maximum(a, 0) * scale
                + np.expm1(np.minimum(a, 0) * input_scale) * (alpha * scale))
    return finish(cls, input, data.astype(a.dtype, copy=False), (alpha, scale, input_scale))


def elu(input, alpha=1.0):
    return elu_kernel(EluBackward0, input, alpha, 1.0, 1.0)


def _elu_result(input, alpha=1.0):
    return elu_kernel(EluBackward1, input, alpha, 1.0, 1.0)


def selu(input):
    return elu_kernel(EluBackward0, input, SELU_ALPHA, SELU_SCALE, 1.0)


def _selu_result(input):
    return elu_kernel(EluBackward1, input, SELU_ALPHA, SELU_SCALE, 1.0)


def _celu(cls, input, alpha):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return elu_kernel(cls, input, alpha, 1.0, 1.0 / alpha)


def celu(input, alpha=1.0):
    return _celu(CeluBackward0, input, alpha)


def _celu_result(input, alpha=1.0):
    return _celu(CeluBackward1, input, alpha)


# -- leaky slopes: prelu, rrelu -----------------------------------------------------------
class PreluKernelBackward0(Op):
    saves = (0, 1)
    formula = "d prelu(a, w)/da = 1 if a > 0 else w; d/dw = 0 if a > 0 else a"

    def backward(self, grad):
        a, weight = self.saved_tensors
        negative = a <= 0
        return (grad * where(negative, weight, 1.0) if self.needs_input_grad(0) else None,
                grad * a.masked_fill(~negative, 0) if self.needs_input_grad(1) else None)


def prelu(input, weight):
    if input.dtype != weight.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got "
                           f"{input.dtype._legacy_name[:-6]} and "
                           f"{weight.dtype._legacy_name[:-6]}")
    ndim = input.dim()
    if weight.numel() != 1:
        if ndim == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if ndim > 1 else 1
        if channels != weight.numel():
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {weight.numel()} and channel size = "
                               f"{channels}.")
    if weight.dim() > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.dim()}")
    if ndim != weight.dim():
        # One slope per channel (dim 1), broadcast over the rest: PyTorch reshapes the weight.
        shape = [1] * ndim
        if ndim > 1:
            shape[1] = weight.numel()
        weight = weight.reshape(shape)
    a = float_input(input, "prelu_cpu")
    data = np.maximum(a, 0) + weight._data * np.minimum(a, 0)
    return finish(PreluKernelBackward0, input, data, others=(weight,))


class RreluWithNoiseBackward0(Op):
    saves = (0,)
    formula = "d rrelu(a)/da = noise (training) or 1 if a > 0 else (lower+upper)/2"

    def backward(self, grad):
        (a,) = self.saved_tensors
        noise, slope = self.ctx
        if noise is not None:
            return grad * noise
        return where(a > 0, grad, grad * slope)


class RreluWithNoiseBackward1(RreluWithNoiseBackward0):
    saves = ("result",)

    def backward(self, grad):
        if self.ctx[0] is None and self.ctx[1] < 0:
            raise RuntimeError(NEGATIVE_LEAKY_MESSAGE)
        return super().backward(grad)


def _rrelu(cls, input, lower, upper, training, generator):
    a = float_input(input, "leaky_relu_cpu")
    if not training:
        slope = (lower + upper) / 2
        return finish(cls, input, np.maximum(a, 0) + np.minimum(a, 0) * slope, (None, slope))
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    # ATen walks the input in order and draws one uniform_real_distribution<double>
    # (from float-rounded bounds) for each element <= 0; the others keep slope 1.
    opmath = np.float64 if a.dtype == np.float64 else np.float32
    low, high = float(opmath(lower)), float(opmath(upper))
    negative = a <= 0
    gen = generator if generator is not None else random.default_generator
    slopes = gen._uniform_units(int(np.count_nonzero(negative)), np.float64)
    noise = np.ones(a.shape, a.dtype)
    noise[negative] = (slopes * (high - low) + low).astype(opmath).astype(a.dtype)
    return finish(cls, input, a * noise, (wrap(noise), None))


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return _rrelu(RreluWithNoiseBackward0, input, lower, upper, training, generator)


def _rrelu_result(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return _rrelu(RreluWithNoiseBackward1, input, lower, upper, training, generator)


# -- hardshrink, threshold ----------------------------------------------------------------
class HardshrinkBackward0(Op):
    saves = (0,)
    formula = "d hardshrink(a)/da = 0 if -lambd <= a <= lambd else 1"

    def backward(self, grad):
        (a,) = self.saved_tensors
        lambd = self.ctx
        return grad.masked_fill((a >= -lambd) & (a <= lambd), 0)


def hardshrink(input, lambd=0.5):
    a = float_input(input, "hardshrink_cpu")
    data = np.where((a >= -lambd) & (a <= lambd), a.dtype.type(0), a)
    return finish(HardshrinkBackward0, input, data, lambd)


class ThresholdBackward0(Op):
    saves = (0,)
    formula = "d threshold(a)/da = 0 if a <= threshold else 1"

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad.masked_fill(a <= self.ctx, 0)


class ThresholdBackward1(ThresholdBackward0):
    """``threshold_`` (in place): the same derivative under PyTorch's in-place name."""


def _threshold(cls, input, threshold, value):
    a = input._data
    if a.dtype == np.bool_:
        raise not_implemented_for("threshold_cpu", a.dtype)
    return finish(cls, input, np.where(a <= threshold, a.dtype.type(value), a), threshold)


def threshold(input, threshold, value):
    return _threshold(ThresholdBackward0, input, threshold, value)


def _threshold_inplace(input, threshold, value):
    return _threshold(ThresholdBackward1, input, threshold, value)


relu_ = make_inplace(relu, "relu_")
sigmoid_ = make_inplace(sigmoid, "sigmoid_")
tanh_ = make_inplace(tanh, "tanh_")
selu_ = make_inplace(_selu_result, "selu_")
celu_ = make_inplace(_celu_result, "celu_")
elu_ = make_inplace(_elu_result, "elu_")
rrelu_ = make_inplace(_rrelu_result, "rrelu_")
threshold_ = make_inplace(_threshold_inplace, "threshold_")

__all__ = ["selu", "selu_", "celu", "celu_", "prelu", "rrelu", "rrelu_", "hardshrink",
           "threshold", "threshold_", "relu_", "sigmoid_", "tanh_"]
FUNCTION_ONLY = ["selu", "selu_", "celu", "celu_", "rrelu", "rrelu_", "threshold",
                 "threshold_", "relu_", "sigmoid_", "tanh_"]
