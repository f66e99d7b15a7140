"""Activation functions of ``nn.functional``, and the kernels PyTorch has only there.

Kernels PyTorch also exposes as ``torch.<name>`` (selu, celu, prelu, rrelu, hardshrink,
threshold, the ELU kernel) live in ``ops/activation.py``; relu/sigmoid/tanh in
``ops/unary.py``; softmax/log_softmax in ``ops/softmax.py``. The kernels below (hardtanh,
leaky_relu, gelu, silu, mish, hardsigmoid, hardswish, softplus, softshrink, logsigmoid, glu)
are each an op named as PyTorch's grad_fn with a one-expression NumPy forward. Functions
PyTorch composes from other ops (tanhshrink, softsign, softmin, gumbel_softmax) are composed
from the same ops here, so their graphs read the same.

``inplace=True`` runs the in-place variant; where PyTorch's in-place derivative reads the
result (``LeakyReluBackward1``) that variant records its own class.
"""

import math
import warnings

import numpy as np

from ... import _creation
from ... import ops as _ops
from ..._tensor import _wrap_dim
from ...ops import activation as _act
from ...ops._dispatch import Op, _state, wrap
from ...ops._special_math import erf as _erf
from ...ops.activation import (
    NEGATIVE_LEAKY_MESSAGE,
    celu_,
    elu_,
    finish,
    float_input,
    hardshrink,
    prelu,
    relu_,
    rrelu_,
    selu_,
    threshold_,
)
from ...ops.inplace import make_inplace
from ...ops.joining import cat
from ...ops.selection import where
from ...ops.unary import not_implemented_for

_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_GELU_BETA = math.sqrt(2 / math.pi)
_GELU_KAPPA = 0.044715
# Numerical Recipes' Chebyshev fit of erfc (fractional error < 1.2e-7 everywhere), highest
# power first: erfc(z) = t exp(-z^2 + P(t)), t = 1/(1 + z/2). Float32 GELU uses it.
_ERFC_POLY = (0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806,
              0.09678418, 0.37409196, 1.00002368, -1.26551223)
# PyTorch's hardsigmoid backward multiplies by the float literal 1.0f/6.0f, in every dtype.
_ONE_SIXTH_F = float(np.float32(1 / 6))

__all__ = ["threshold", "threshold_", "relu", "relu_", "relu6", "hardtanh", "hardtanh_", "elu",
           "elu_", "selu", "selu_", "celu", "celu_", "leaky_relu", "leaky_relu_", "prelu",
           "rrelu", "rrelu_", "glu", "gelu", "logsigmoid", "hardshrink", "tanhshrink",
           "softsign", "softplus", "softmin", "softmax", "log_softmax", "softshrink",
           "gumbel_softmax", "tanh", "sigmoid", "hardsigmoid", "silu", "mish", "hardswish"]


# -- kernels ------------------------------------------------------------------------------
class HardtanhBackward0(Op):
    saves = (0,)
    formula = "d hardtanh(a)/da = 1 if min_val < a < max_val else 0"

    def backward(self, grad):
        (a,) = self.saved_tensors
        low, high = self.ctx
        return grad.masked_fill((a <= low) | (a >= high), 0)


def _hardtanh(input, min_val=-1.0, max_val=1.0):
    a = input._data
    if a.dtype == np.bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    data = np.clip(a, min_val, max_val).astype(a.dtype, copy=False)
    return finish(HardtanhBackward0, input, data, (min_val, max_val))


class LeakyReluBackward0(Op):
    saves = (0,)
    formula = "d leaky_relu(a)/da = 1 if a > 0 else negative_slope"

    def backward(self, grad):
        (a,) = self.saved_tensors
        return where(a > 0, grad, grad * self.ctx)


class LeakyReluBackward1(LeakyReluBackward0):
    saves = ("result",)
    formula = "d leaky_relu(a)/da = 1 if result > 0 else negative_slope"

    def backward(self, grad):
        if self.ctx < 0:
            raise RuntimeError(NEGATIVE_LEAKY_MESSAGE)
        return super().backward(grad)


def _leaky_relu(cls, input, negative_slope):
    a = float_input(input, "leaky_relu_cpu")
    # max + slope * min is exact (one term is 0) and, unlike np.where, has no branches.
    data = np.maximum(a, 0) + np.minimum(a, 0) * negative_slope
    return finish(cls, input, data, negative_slope)


def _erf_single(x):
    """erf in float32 to about 4e-7, in place over a few temporaries (for GELU)."""
    z = np.abs(x)
    t = z * np.float32(0.5)
    t += 1
    np.reciprocal(t, out=t)
    poly = t * np.float32(_ERFC_POLY[0])
    for c in _ERFC_POLY[1:-1]:
        poly += np.float32(c)
        poly *= t
    poly += np.float32(_ERFC_POLY[-1])
    z *= z
    poly -= z
    np.exp(poly, out=poly)
    poly *= t
    np.subtract(1, poly, out=poly)
    return np.copysign(poly, x, out=poly)


def _normal_cdf(x):
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2 on an array: float64 exactly (ember's erf), the
    rest through float32 (PyTorch computes reduced precision in float too)."""
    if x.dtype == np.float64:
        return (_erf(x * _SQRT1_2) + 1) * 0.5
    # 1-D, so that 0-d input stays an array through the in-place steps
    scaled = x.astype(np.float32).reshape(-1) * np.float32(_SQRT1_2)
    half = (_erf_single(scaled) + 1) * 0.5
    return half.reshape(x.shape).astype(x.dtype, copy=False)


class GeluBackward0(Op):
    saves = (0,)
    formula = "d gelu(a)/da = Phi(a) + a phi(a) (or the derivative of the tanh estimate)"

    def backward(self, grad):
        (a,) = self.saved_tensors
        if self.ctx == "none":
            if _state.enabled:  # create_graph: Phi must stay differentiable
                cdf = ((a * _SQRT1_2).erf() + 1) * 0.5
            else:
                cdf = wrap(_normal_cdf(a._data))
            return grad * (cdf + a * (a * a * -0.5).exp() * _INV_SQRT_2PI)
        t = ((a + a * a * a * _GELU_KAPPA) * _GELU_BETA).tanh()
        inner = (a * a * (3 * _GELU_KAPPA) + 1) * _GELU_BETA
        return grad * ((t + 1) * 0.5 + a * 0.5 * (1 - t * t) * inner)


class SiluBackward0(Op):
    saves = (0,)
    formula = "d(a sigmoid(a))/da = s (1 + a (1 - s)), s = sigmoid(a)"

    def backward(self, grad):
        (a,) = self.saved_tensors
        s = a.sigmoid()
        return grad * (s * (a * (1 - s) + 1))


class MishBackward0(Op):
    saves = (0,)
    formula = "d(a tanh(softplus a))/da = t + a sigmoid(a) (1 - t^2), t = tanh(softplus a)"

    def backward(self, grad):
        (a,) = self.saved_tensors
        t = a.exp().log1p().tanh()
        return grad * (t + a * a.sigmoid() * (1 - t * t))


class HardsigmoidBackward0(Op):
    saves = (0,)
    formula = "d hardsigmoid(a)/da = 1/6 if -3 < a < 3 else 0"

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad.masked_fill((a <= -3) | (a >= 3), 0) * _ONE_SIXTH_F


class HardswishBackward0(Op):
    saves = (0,)
    formula = "d hardswish(a)/da = 0 if a <= -3, a/3 + 1/2 if a < 3, else 1"

    def backward(self, grad):
        (a,) = self.saved_tensors
        return where(a < 3, grad * (a / 3 + 0.5), grad).masked_fill(a <= -3, 0)


class SoftplusBackward0(Op):
    saves = (0,)
    formula = "d softplus(a)/da = sigmoid(beta a), or 1 where beta a > threshold"

    def backward(self, grad):
        (a,) = self.saved_tensors
        beta, limit = self.ctx
        scaled = a * beta
        return where(scaled > limit, grad, grad * scaled.sigmoid())


class SoftshrinkBackward0(Op):
    saves = (0,)
    formula = "d softshrink(a)/da = 0 if -lambd <= a <= lambd else 1"

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad.masked_fill((a >= -self.ctx) & (a <= self.ctx), 0)


class LogSigmoidBackward0(Op):
    saves = (0,)
    formula = "d log(sigmoid a)/da = sigmoid(-a)"

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * (-a).sigmoid()


class GluBackward0(Op):
    saves = (0,)
    formula = "d(x sigmoid(y))/dx = sigmoid(y), d/dy = x sigmoid(y) (1 - sigmoid(y))"

    def backward(self, grad):
        (a,) = self.saved_tensors
        first, second = a.chunk(2, self.ctx)
        s = second.sigmoid()
        return cat((grad * s, grad * first * s * (1 - s)), self.ctx)


def _silu(input):
    a = float_input(input, "silu_cpu")
    with np.errstate(over="ignore"):  # e^-a = inf gives a / inf = -0, as in PyTorch
        data = a / (1 + np.exp(-a))
    return finish(SiluBackward0, input, data)


def _mish(input):
    a = float_input(input, "mish_cpu")
    with np.errstate(over="ignore"):  # e^a = inf saturates tanh to 1
        data = a * np.tanh(np.log1p(np.exp(a)))
    return finish(MishBackward0, input, data)


def _hardsigmoid(input):
    a = float_input(input, "hardsigmoid_cpu")
    out = np.add(a, 3, out=np.empty_like(a))
    np.clip(out, 0, 6, out=out)
    out /= 6
    return finish(HardsigmoidBackward0, input, out)


def _hardswish(input):
    a = float_input(input, "hardswish_cpu")
    out = np.add(a, 3, out=np.empty_like(a))
    np.clip(out, 0, 6, out=out)
    out *= a
    out /= 6
    return finish(HardswishBackward0, input, out)


# -- the functional API -------------------------------------------------------------------
def threshold(input, threshold, value, inplace=False):
    if inplace:
        return threshold_(input, threshold, value)
    return _act.threshold(input, threshold, value)


def relu(input, inplace=False):
    return relu_(input) if inplace else _ops.unary.relu(input)


_hardtanh_ = make_inplace(_hardtanh, "hardtanh_")
_leaky_relu_result = make_inplace(
    lambda input, negative_slope=0.01: _leaky_relu(LeakyReluBackward1, input, negative_slope),
    "leaky_relu_")
_silu_ = make_inplace(_silu, "silu_")
_mish_ = make_inplace(_mish, "mish_")
_hardsigmoid_ = make_inplace(_hardsigmoid, "hardsigmoid_")
_hardswish_ = make_inplace(_hardswish, "hardswish_")


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return (_hardtanh_ if inplace else _hardtanh)(input, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return _hardtanh_(input, min_val, max_val)


def relu6(input, inplace=False):
    return (_hardtanh_ if inplace else _hardtanh)(input, 0.0, 6.0)


def elu(input, alpha=1.0, inplace=False):
    return elu_(input, alpha) if inplace else _act.elu(input, alpha)


def selu(input, inplace=False):
    return selu_(input) if inplace else _act.selu(input)


def celu(input, alpha=1.0, inplace=False):
    return celu_(input, alpha) if inplace else _act.celu(input, alpha)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    if inplace:
        return _leaky_relu_result(input, negative_slope)
    return _leaky_relu(LeakyReluBackward0, input, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return _leaky_relu_result(input, negative_slope)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    if inplace:
        return rrelu_(input, lower, upper, training)
    return _act.rrelu(input, lower, upper, training)


def glu(input, dim=-1):
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, input.dim())
    a = input._data
    if a.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{a.shape[d]}")
    float_input(input, "glu_cpu")
    first, second = np.split(a, 2, axis=d)
    with np.errstate(over="ignore"):
        data = first / (1 + np.exp(-second))
    return finish(GluBackward0, input, data, d)


def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    a = float_input(input, "GeluKernelImpl")
    if approximate == "none":
        data = a * _normal_cdf(a)
    else:
        data = a * 0.5 * (1 + np.tanh((a + a * a * a * _GELU_KAPPA) * _GELU_BETA))
    return finish(GeluBackward0, input, data.astype(a.dtype, copy=False), approximate)


def logsigmoid(input):
    a = float_input(input, "log_sigmoid_cpu")
    data = np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a)))
    return finish(LogSigmoidBackward0, input, data)


def tanhshrink(input):
    return input - input.tanh()


def softsign(input):
    return input / (input.abs() + 1)


def softplus(input, beta=1.0, threshold=20.0):
    a = float_input(input, "softplus_cpu")
    scaled = a * beta
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        # the overflowing branch is the one np.where discards
        data = np.where(scaled > threshold, a, np.log1p(np.exp(scaled)) / beta)
    return finish(SoftplusBackward0, input, data.astype(a.dtype, copy=False),
                  (beta, threshold))


def softshrink(input, lambd=0.5):
    a = input._data
    if a.dtype.kind != "f":
        raise not_implemented_for("softshrink_check", a.dtype)
    largest = float(np.finfo(a.dtype).max)
    if not 0 <= lambd <= largest:
        raise RuntimeError(f"lambda must be in range [0, {largest:g}] for input dtype "
                           f"{input.dtype._legacy_name[:-6]}, but found {lambd:g}")
    # a - clip(a) is a - lambd above, a + lambd below, and exactly 0 in between.
    return finish(SoftshrinkBackward0, input, a - np.clip(a, -lambd, lambd), lambd)


def _softmax_dim(name, ndim, stacklevel):
    """PyTorch's legacy choice of dim when none is given (with its deprecation warning)."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  f"to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmin", input.dim(), _stacklevel)
    return (-input).softmax(dim, dtype=dtype)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmax", input.dim(), _stacklevel)
    return input.softmax(dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim(), _stacklevel)
    return input.log_softmax(dim, dtype=dtype)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    # Gumbel(0, 1) noise as PyTorch draws it: -log of Exponential(1) samples.
    gumbels = -_creation.empty_like(logits).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    # Straight through: one-hot values, the soft sample's gradient.
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = _creation.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def tanh(input):
    return input.tanh()


def sigmoid(input):
    return input.sigmoid()


def hardsigmoid(input, inplace=False):
    return (_hardsigmoid_ if inplace else _hardsigmoid)(input)


def silu(input, inplace=False):
    return (_silu_ if inplace else _silu)(input)


def mish(input, inplace=False):
    return (_mish_ if inplace else _mish)(input)


def hardswish(input, inplace=False):
    return (_hardswish_ if inplace else _hardswish)(input)
