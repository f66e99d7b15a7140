"""More statistics and special functions: ``dist``, ``renorm``, ``cov``, ``corrcoef``,
``trapezoid``/``cumulative_trapezoid``, ``vander``, ``unique_consecutive``, ``isreal``,
``angle``, ``i0``, ``mvlgamma``, ``igamma``/``igammac``.

``cov``, ``corrcoef``, the trapezoid rules and ``vander`` are composite in PyTorch, so they
are built here from the same ember ops (their grad_fn is the last op's). The others are
single nodes whose derivatives are written in ember ops.
"""

import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ._dispatch import Op, _state, float_data, promote_operands, record, wrap
from ._scalar_ops import div_scalar, mul_scalar
from ._special_math import lgamma as _np_lgamma


def _pnorm_grad(a, p, norm, dims):
    """d ||a||_p / da over ``dims`` (``norm`` kept with those dims), in ember ops."""
    if p == 0:
        return a * 0
    if p == 1:
        return a.sgn()
    if math.isinf(p):
        mask = (a.abs() == norm).to(a.dtype)
        return a.sgn() * mask / mask.sum(dims, keepdim=True)
    return (a.sgn() * a.abs().pow(p - 1) / norm.pow(p - 1)).masked_fill(norm == 0, 0)


def _float_check(input, name):
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: input dtype should be either floating point or complex. "
                           f"Got {input.dtype._scalar_name} instead.")


# -- dist, renorm ------------------------------------------------------------------------
class DistBackward0(Op):
    saves = (0, 1, "result")
    formula = "d ||x - y||_p/dx = sgn(x - y) |x - y|^(p-1) / ||x - y||^(p-1) = -d/dy"

    def backward(self, grad):
        a, b, result = self.saved_tensors
        diff = a - b
        dims = tuple(range(diff.dim()))
        g = grad * _pnorm_grad(diff, self.ctx, result, dims)
        return g, -g


def dist(input, other, p=2):
    a, b, dtype, other_t = promote_operands(input, other)
    if dtype.category < 2:
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {dtype._scalar_name} instead.")
    diff = np.abs(a - b)
    if p == 0:
        data = np.count_nonzero(diff)
    elif math.isinf(p):
        data = diff.max(initial=0) if p > 0 else diff.min(initial=np.inf)
    else:
        data = (diff ** p).sum() ** (1 / p)
    out = wrap(np.asarray(data, dtype=dtype.np))
    if _state.enabled and (input._requires_grad or other_t._requires_grad):
        record(DistBackward0, out, (input, other_t), p)
    return out


class RenormBackward0(Op):
    saves = (0,)
    formula = "renorm(x) = x * f(||x_i||): grad * f + x * f'(||x_i||) * sum(grad * x) * " \
              "d||x_i||/dx"

    def backward(self, grad):
        (a,) = self.saved_tensors
        p, dims, maxnorm = self.ctx
        norm = a.norm(p, dims, keepdim=True)
        over = norm > maxnorm
        factor = (maxnorm / (norm + 1e-7)).masked_fill(~over, 1)
        slope = (-maxnorm / (norm + 1e-7).pow(2)).masked_fill(~over, 0)
        return grad * factor + _pnorm_grad(a, p, norm, dims) * slope * (grad * a).sum(
            dims, keepdim=True)


def renorm(input, p, dim, maxnorm):
    data = input._data
    d = _wrap_dim(dim, data.ndim)
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if data.dtype.kind not in "fc":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {input.dtype._scalar_name}")
    dims = tuple(i for i in range(data.ndim) if i != d)
    absolute = np.abs(data)
    if math.isinf(p):
        norm = absolute.max(axis=dims, keepdims=True, initial=0)
    else:
        norm = (absolute ** p).sum(axis=dims, keepdims=True) ** (1 / p)
    factor = np.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1).astype(data.dtype)
    out = wrap(data * factor)
    if _state.enabled and input._requires_grad:
        record(RenormBackward0, out, (input,), (p, dims, maxnorm))
    return out


# -- cov, corrcoef (composite, as PyTorch's) ----------------------------------------------
def _check_weights(name, w, observations, integral):
    if w._data.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                           f"{name} with {w._data.ndim} dimensions")
    kind_ok = w._data.dtype.kind in ("iu" if integral else "f")
    if not kind_ok:
        wanted = "integral" if integral else "floating point"
        raise RuntimeError(f"cov(): expected {name} to have {wanted} dtype but got {name} with "
                           f"{w.dtype._scalar_name} dtype")
    if w._data.size != observations:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                           f"observations in the input but got {w._data.size} != "
                           f"{observations}")
    if (w._data < 0).any():
        raise RuntimeError(f"cov(): {name} cannot be negative")


def cov(input, *, correction=1, fweights=None, aweights=None):
    if input._data.ndim > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input._data.ndim} dimensions")
    x = input.view(1, -1) if input._data.ndim < 2 else input
    observations = x.shape[1]
    w = None
    if fweights is not None:
        _check_weights("fweights", fweights, observations, True)
        w = fweights
    if aweights is not None:
        _check_weights("aweights", aweights, observations, False)
        w = aweights if w is None else w * aweights
    w_sum = wrap(np.asarray(observations, np.int64)) if w is None else w.sum()
    avg = (x if w is None else x * w).sum(1) / w_sum
    if w is not None and aweights is not None and correction != 0:
        norm_factor = w_sum - correction * (w * aweights).sum() / w_sum
    else:
        norm_factor = w_sum - correction
    if norm_factor._data <= 0:
        norm_factor = norm_factor * 0
    x = x - avg.unsqueeze(1)
    c = x.mm((x if w is None else x * w).t().conj())
    return c.true_divide(norm_factor).squeeze()


def corrcoef(input):
    c = cov(input)
    if c.dim() == 0:
        return c / c
    d = c.diagonal()
    stddev = (d.real if d.is_complex() else d).sqrt()
    c = c / stddev.view(-1, 1)
    c = c / stddev.view(1, -1)
    return c.clip(-1, 1)


# -- trapezoid rules (composite, as PyTorch's) --------------------------------------------
def _spacing(y, x, dim):
    """``x``'s differences, shaped to broadcast along ``dim`` of ``y``."""
    if x.dim() == 1:
        if x.shape[0] != y.shape[dim]:
            raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
        shape = [1] * y.dim()
        shape[dim] = x.shape[0]
        x = x.view(shape)
    return x.diff(dim=dim)


def _scalar(op, t, c):
    """``t`` times/over a Python number as C++'s Scalar overload (MulBackward1...)."""
    if isinstance(c, Tensor) or t._data.dtype.kind not in "fc":
        return t * c if op is mul_scalar else t / c
    return op(t, c)


def _empty_integral(y, dim):
    """No samples: zeros, not connected to ``y`` (as PyTorch)."""
    shape = y.shape[:dim] + y.shape[dim + 1:]
    return wrap(np.zeros(shape, float_data(y).dtype))


def trapezoid(y, x=None, *, dx=None, dim=-1):
    d = _wrap_dim(dim, y.dim())
    n = y.shape[d]
    if isinstance(x, Tensor):
        if n == 0:
            return _empty_integral(y, d)
        left, right = y.narrow(d, 0, n - 1), y.narrow(d, 1, n - 1)
        return _scalar(div_scalar, (_spacing(y, x, d) * (right + left)).sum(d), 2.0)
    if x is not None:
        dx = x
    if n == 0:
        return _empty_integral(y, d)
    dx = 1 if dx is None else dx
    return _scalar(mul_scalar, y.sum(d) - (y.select(d, 0) + y.select(d, -1)) * 0.5, dx)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    d = _wrap_dim(dim, y.dim())
    n = y.shape[d]
    left, right = y.narrow(d, 0, max(n - 1, 0)), y.narrow(d, min(1, n), max(n - 1, 0))
    if isinstance(x, Tensor):
        return _scalar(div_scalar, ((left + right) * _spacing(y, x, d)).cumsum(d), 2.0)
    if x is not None:
        dx = x
    dx = 1 if dx is None else dx
    return (dx / 2.0 * (left + right)).cumsum(d)


def vander(x, N=None, increasing=False):
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = _dtype.promote_types(x.dtype, _dtype.int64)
    result = wrap(np.ones((x.shape[0], n), dtype.np))
    if n > 1:
        result[:, 1:] = x.unsqueeze(1)
        result[:, 1:] = result[:, 1:].cumprod(1)
    return result if increasing else result.flip(1)


# -- unique_consecutive --------------------------------------------------------------------
class UniqueConsecutiveBackward0(Op):
    formula = "not differentiable (PyTorch: not implemented)"

    def backward(self, grad):
        raise NotImplementedError("the derivative for 'unique_consecutive' is not implemented.")


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    data = input._data
    if dim is None:
        flat = data.reshape(-1)
        starts = np.ones(flat.shape[0], bool)
        starts[1:] = flat[1:] != flat[:-1]
        values = flat[starts]
        inverse_shape = data.shape
    else:
        d = _wrap_dim(dim, data.ndim)
        moved = np.moveaxis(data, d, 0)
        starts = np.ones(moved.shape[0], bool)
        rows = moved.reshape(moved.shape[0], -1)
        starts[1:] = (rows[1:] != rows[:-1]).any(axis=1)
        values = np.moveaxis(moved[starts], 0, d)
        inverse_shape = (moved.shape[0],)
    group = np.cumsum(starts) - 1
    out = wrap(np.ascontiguousarray(values))
    inverse = wrap(group.reshape(inverse_shape).astype(np.int64))
    counts = wrap(np.diff(np.append(np.flatnonzero(starts), starts.shape[0])).astype(np.int64))
    if _state.enabled and input._requires_grad:
        record(UniqueConsecutiveBackward0, out, (input,))
    if not return_inverse and not return_counts:
        return out
    return (out,) + ((inverse,) if return_inverse else ()) + ((counts,) if return_counts else ())


# -- pointwise: isreal, angle, i0, mvlgamma --------------------------------------------
def isreal(input):
    data = input._data
    return wrap(data.imag == 0 if data.dtype.kind == "c" else np.ones(data.shape, bool))


class AngleBackward0(Op):
    saves = (0,)
    formula = "d(angle(z)) = grad * i z / |z|^2 (0 for real z)"

    def backward(self, grad):
        (z,) = self.saved_tensors
        if not z.is_complex():
            return grad * 0
        return (grad * 1j * z / (z.abs() ** 2)).masked_fill(z == 0, 0)


def angle(input):
    data = float_data(input)
    if data.dtype.kind == "c":
        result = np.angle(data)
    else:
        result = np.where(data < 0, np.pi, 0).astype(data.dtype)
        result[np.isnan(data)] = np.nan
    out = wrap(np.asarray(result))
    if _state.enabled and input._requires_grad:
        record(AngleBackward0, out, (input,))
    return out


def _i1_array(x):
    """The modified Bessel function I1: power series for |x| <= 30, asymptotic beyond."""
    x64 = np.asarray(x, np.float64)
    ax = np.abs(x64)
    small = np.minimum(ax, 30.0)
    term = small / 2
    total = term.copy()
    quarter = small * small / 4
    for k in range(1, 90):
        term = term * quarter / (k * (k + 1))
        total = total + term
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        large = np.maximum(ax, 30.0)
        series, coef = np.ones_like(large), np.ones_like(large)
        for k in range(1, 20):
            coef = -coef * (4 - (2 * k - 1) ** 2) / (k * 8 * large)
            series = series + coef
        asymptotic = np.exp(large) / np.sqrt(2 * np.pi * large) * series
    result = np.where(ax <= 30.0, total, asymptotic) * np.sign(x64)
    return result.astype(np.asarray(x).dtype)


class SpecialI1Backward0(Op):
    saves = (0, "result")
    formula = "d(i1(x))/dx = i0(x) - i1(x) / x (1/2 at 0)"

    def backward(self, grad):
        x, result = self.saved_tensors
        return grad * (i0(x) - (result / x).masked_fill(x == 0, 0.5))


def _i1(input):
    out = wrap(_i1_array(input._data))
    if _state.enabled and input._requires_grad:
        record(SpecialI1Backward0, out, (input,))
    return out


class I0Backward0(Op):
    saves = (0,)
    formula = "d(i0(x))/dx = i1(x)"

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * _i1(x)


def i0(input):
    data = float_data(input)
    out = wrap(np.asarray(np.i0(data)).astype(data.dtype))
    if _state.enabled and input._requires_grad:
        record(I0Backward0, out, (input,))
    return out


class MvlgammaBackward0(Op):
    saves = (0,)
    formula = "d(mvlgamma(x, p))/dx = sum_j digamma(x - j/2)"

    def backward(self, grad):
        (x,) = self.saved_tensors
        shifts = wrap(-np.arange(self.ctx, dtype=x._data.dtype) / 2)
        return grad * (x.unsqueeze(-1) + shifts).digamma().sum(-1)


def mvlgamma(input, p):
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    data = float_data(input)
    shifts = -np.arange(p, dtype=data.dtype) / 2
    result = _np_lgamma(data[..., None] + shifts).sum(-1) + p * (p - 1) / 4 * math.log(math.pi)
    out = wrap(np.asarray(result).astype(data.dtype))
    if _state.enabled and input._requires_grad:
        record(MvlgammaBackward0, out, (input,), p)
    return out


# -- regularized incomplete gamma -----------------------------------------------------------
def _lower_regularized(a, x):
    """P(a, x): power series where x < a + 1, else 1 - the continued fraction for Q."""
    a64, x64 = np.broadcast_arrays(a.astype(np.float64), x.astype(np.float64))
    with np.errstate(all="ignore"):
        log_front = a64 * np.log(x64) - x64 - _np_lgamma(a64)
        use_series = x64 < a64 + 1
        # Series: sum x^n / (a (a+1) ... (a+n)).
        term = 1 / a64
        total = term.copy()
        ap = a64.copy()
        for _ in range(500):
            ap = ap + 1
            term = term * x64 / ap
            total = total + term
        series = total * np.exp(log_front)
        # Continued fraction (modified Lentz) for Q.
        tiny = 1e-300
        b = x64 + 1 - a64
        c = np.full_like(b, 1 / tiny)
        d = 1 / np.where(b == 0, tiny, b)
        h = d.copy()
        for i in range(1, 500):
            an = -i * (i - a64)
            b = b + 2
            d = an * d + b
            d = 1 / np.where(d == 0, tiny, d)
            c = b + an / c
            c = np.where(c == 0, tiny, c)
            h = h * d * c
        fraction = 1 - np.exp(log_front) * h
        result = np.where(use_series, series, fraction)
        result = np.where(x64 == 0, 0.0, result)
        result = np.where(np.isinf(x64) & (x64 > 0), 1.0, result)
        result = np.where((a64 == 0) & (x64 > 0), 1.0, result)
        result = np.where((a64 < 0) | (x64 < 0), np.nan, result)
    return result


def _gamma_density(a, x):
    """x^(a-1) e^-x / Gamma(a), the derivative of P(a, x) in x, in ember ops."""
    return ((a - 1) * x.log() - x - a.lgamma()).exp()


class IgammaBackward0(Op):
    saves = (0, 1)
    formula = "d P(a, x)/dx = x^(a-1) e^-x / Gamma(a); no derivative in a"

    def backward(self, grad):
        a, x = self.saved_tensors
        if self.next_functions[0][0] is not None:
            raise NotImplementedError(
                f"the derivative for '{self._kind}: input' is not implemented.")
        sign = 1 if self._kind == "igamma" else -1
        return None, grad * sign * _gamma_density(a, x)

    _kind = "igamma"


class IgammacBackward0(IgammaBackward0):
    __slots__ = ()
    _kind = "igammac"


def _igamma(cls, upper):
    def op(input, other):
        if not isinstance(other, Tensor):
            raise TypeError(f"{cls._kind}(): argument 'other' (position 2) must be Tensor, not "
                            f"{type(other).__name__}")
        a, x, dtype, _ = promote_operands(input, other)
        if dtype.category != 2:
            raise NotImplementedError(f"\"{cls._kind}_cpu\" not implemented for "
                                      f"'{dtype._scalar_name}'")
        lower = _lower_regularized(a, x)
        out = wrap(np.asarray(1 - lower if upper else lower).astype(dtype.np))
        if _state.enabled and (input._requires_grad or other._requires_grad):
            record(cls, out, (input, other))
        return out

    op.__name__ = op.__qualname__ = cls._kind
    return op


igamma = _igamma(IgammaBackward0, False)
igammac = _igamma(IgammacBackward0, True)

__all__ = ["dist", "renorm", "cov", "corrcoef", "trapezoid", "trapz", "cumulative_trapezoid",
           "vander", "unique_consecutive", "isreal", "angle", "i0", "mvlgamma", "igamma",
           "igammac"]
trapz = trapezoid
FUNCTION_ONLY = ["trapezoid", "trapz", "cumulative_trapezoid", "vander"]
INPLACE = {"renorm_": renorm, "i0_": i0, "mvlgamma_": mvlgamma, "igamma_": igamma,
           "igammac_": igammac}
