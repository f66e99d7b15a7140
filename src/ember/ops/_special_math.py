"""NumPy kernels for the special functions NumPy lacks: erf, erfc, erfinv, lgamma, digamma,
polygamma. Accurate to a few ulp in float64 (checked against PyTorch in the tests). erf,
erfc and erfinv are evaluated in the input's own float dtype; the gamma family runs in
float64 and rounds once, since its recurrences would otherwise cost float32 visible digits.

No constants are copied from elsewhere: every coefficient is either exact (Taylor and
Stirling series, Bernoulli numbers) or fitted here at import time, by Chebyshev
interpolation at 17 points per piece, to the C library's ``erfc`` from Python's ``math``.

- erf(x), |x| < 1: its Taylor series, 2/sqrt(pi) sum (-1)^n x^(2n+1) / (n! (2n+1)).
- erfc(x), x >= 1: exp(-x^2)/x times a smooth function of t = 1/x, fitted on four pieces
  of t up to x = 26, its asymptotic series beyond; exp(-x^2) is split as
  exp(-h^2) exp(-(x-h)(x+h)) with h^2 exact, so the rounding of x^2 does not cost ~x^2 ulp.
- erfinv: a closed-form first guess (Winitzki's), then Halley steps on erf (or on erfc
  in the tails, where erf(x) - y would lose the digits).
- lgamma, digamma, polygamma: shifted up by their recurrences to x >= 10, then their
  asymptotic (Stirling) series; reflection formulas for negative x.
"""

import math
from fractions import Fraction

import numpy as np
from numpy.polynomial import chebyshev

_SQRT_PI = math.sqrt(math.pi)


def _elementwise(kernel, precise=False):
    """Let a kernel written for 1-D and up (boolean masks, in-place updates) take 0-d too.

    A ``precise`` kernel runs in float64 and rounds once: the gamma family's recurrences
    lose several ulps, which in float32 is visible (1e-3 relative near lgamma's roots).
    """
    def apply(*args):
        *params, x = args
        dtype = x.dtype
        if precise and dtype != np.float64:
            x = x.astype(np.float64)
        result = kernel(*params, x.reshape(1) if x.ndim == 0 else x)
        return result.reshape(x.shape).astype(dtype, copy=False)
    apply.__name__ = apply.__qualname__ = kernel.__name__
    apply.__doc__ = kernel.__doc__
    return apply


def _precise(kernel):
    return _elementwise(kernel, precise=True)
_TWO_OVER_SQRT_PI = 2 / _SQRT_PI


def _bernoulli(count):
    """B_2, B_4, ..., B_2count (exact, by the Akiyama-Tanigawa algorithm)."""
    numbers = []
    row = []
    for m in range(2 * count + 1):
        row.append(Fraction(1, m + 1))
        for j in range(m, 0, -1):
            row[j - 1] = j * (row[j - 1] - row[j])
        if m >= 2 and m % 2 == 0:
            numbers.append(row[0])
    return numbers


_B2K = _bernoulli(12)


# -- erf / erfc -----------------------------------------------------------------------------
_ERF_TAYLOR = [_TWO_OVER_SQRT_PI * (-1) ** n / (math.factorial(n) * (2 * n + 1))
               for n in range(20)]


def _fit_scaled_erfc(lo, hi, degree=16):
    """Chebyshev coefficients of x e^(x^2) erfc(x) over t = 1/x in [lo, hi]."""
    nodes = np.cos(np.pi * (np.arange(degree + 1) + 0.5) / (degree + 1))
    values = []
    for s in nodes:
        x = 1 / (lo + (s + 1) * (hi - lo) / 2)
        h = float(np.float32(x))
        values.append(x * math.exp(h * h) * math.exp((x - h) * (x + h)) * math.erfc(x))
    return chebyshev.chebfit(nodes, values, degree)


_ERFC_PIECES = [(lo, hi, _fit_scaled_erfc(lo, hi))
                for lo, hi in ((0.5, 1.0), (0.25, 0.5), (0.125, 0.25), (1 / 26, 0.125))]
# Below float64, the terms past single precision are dropped (fewer NumPy passes).
_ERFC_PIECES_SHORT = [(lo, hi, chebyshev.chebtrim(c, 1e-9).astype(np.float32))
                      for lo, hi, c in _ERFC_PIECES]
_ERF_TAYLOR_SHORT = _ERF_TAYLOR[:11]
# Beyond x = 26 (where erfc nears float64's smallest normal number) its asymptotic series,
# x e^(x^2) erfc(x) = (1/sqrt(pi)) sum (-1)^k (2k-1)!! / (2x^2)^k, converges to 1e-19.
_ERFC_ASYMPTOTIC = [(-1) ** k * math.prod(range(1, 2 * k, 2)) / 2 ** k / _SQRT_PI
                    for k in range(9)]


def _exp_minus_square(x):
    """exp(-x^2) without the error of rounding x^2: h keeps few enough bits that h^2 is exact."""
    scale = x.dtype.type(2.0 ** (20 if x.dtype.itemsize >= 8 else 8))
    h = np.trunc(x * scale) / scale
    return np.exp(-h * h) * np.exp((h - x) * (h + x))


def _erfc_tail(x):
    """erfc(x) for x >= 1 (x an array of values >= 1, inf or nan)."""
    t = np.reciprocal(x)
    scaled = np.full_like(x, np.nan)
    pieces = _ERFC_PIECES if x.dtype == np.float64 else _ERFC_PIECES_SHORT
    for lo, hi, coefficients in pieces:
        inside = (t >= lo) & (t <= hi)
        if inside.any():
            s = (2 * t[inside] - (lo + hi)) / (hi - lo)
            scaled[inside] = chebyshev.chebval(s, coefficients.astype(x.dtype, copy=False))
    far = t < _ERFC_PIECES[-1][0]
    if far.any():
        t2 = t[far] * t[far]
        series = np.zeros_like(t2)
        for c in reversed(_ERFC_ASYMPTOTIC):
            series = series * t2 + c
        scaled[far] = series
    result = scaled * t * _exp_minus_square(x)
    result[x == np.inf] = 0
    return result


def _erf_small(x):
    u = x * x
    series = _ERF_TAYLOR if x.dtype == np.float64 else _ERF_TAYLOR_SHORT
    result = np.full_like(x, series[-1])
    for c in reversed(series[:-1]):
        result *= u
        result += c
    return result * x


@_elementwise
def erf(x):
    small = np.abs(x) < 1
    if small.all():
        return _erf_small(x)
    out = np.empty_like(x)
    out[small] = _erf_small(x[small])
    large = x[~small]
    out[~small] = np.copysign(1 - _erfc_tail(np.abs(large)), large)
    return out


@_elementwise
def erfc(x):
    small = np.abs(x) < 1
    if small.all():
        return 1 - _erf_small(x)
    out = np.empty_like(x)
    out[small] = 1 - _erf_small(x[small])
    large = x[~small]
    tail = _erfc_tail(np.abs(large))
    out[~small] = np.where(large < 0, 2 - tail, tail)
    return out


# -- erfinv ---------------------------------------------------------------------------------
@_elementwise
def erfinv(y):
    a = np.abs(y)
    # Winitzki's closed form: relative error below 2e-3 on (-1, 1).
    k = y.dtype.type(0.147)
    log_term = np.log1p(-a * a)
    first = 2 / (np.pi * k) + log_term / 2
    x = np.sqrt(np.sqrt(first * first - log_term / k) - first)
    tail = a > 0.5
    # 1 - |y| is exact for |y| >= 1/2, so Halley on erfc keeps the tail's relative accuracy.
    q = (1 - a)[tail]
    residual = np.empty_like(x)
    # Halley's method triples the digits each step: 2e-3 -> 1e-8 -> 1e-24.
    for _ in range(2):
        slope = _TWO_OVER_SQRT_PI * _exp_minus_square(x)
        residual[tail] = q - erfc(x[tail])
        residual[~tail] = erf(x[~tail]) - a[~tail]
        delta = residual / slope
        x = x - delta / (1 + x * delta)
    x = np.copysign(x, y)
    x[a == 1] = np.copysign(np.inf, y[a == 1])
    x[a > 1] = np.nan
    x[y == 0] = y[y == 0]
    return x


# -- lgamma, digamma, polygamma -------------------------------------------------------------
_SHIFT = 10.0


def _shift_up(x, step):
    """Apply ``step(value, active)`` for each recurrence step x -> x + 1 below ``_SHIFT``."""
    z = x.copy()
    while True:
        active = z < _SHIFT
        if not active.any():
            return z
        step(z, active)
        z[active] += 1


def _sin_pi(x):
    """sin(pi x) computed on x's distance to the nearest integer (exact for large x)."""
    n = np.rint(x)
    r = np.sin(np.pi * (x - n))
    return np.where(np.fmod(n, 2) == 0, r, -r)


def _lgamma_positive(x):
    product = np.ones_like(x)

    def step(z, active):
        product[active] *= z[active]

    z = _shift_up(x, step)
    inv = np.reciprocal(z)
    inv2 = inv * inv
    series = np.zeros_like(z)
    for k in range(8, 0, -1):
        series = series * inv2 + float(_B2K[k - 1] / (2 * k * (2 * k - 1)))
    result = (z - 0.5) * np.log(z) - z + 0.5 * math.log(2 * math.pi) + series * inv
    return result - np.log(product)


@_precise
def lgamma(x):
    out = np.empty_like(x)
    positive = x >= 0.5
    out[positive] = _lgamma_positive(x[positive])
    negative = ~positive & ~np.isnan(x)
    xn = x[negative]
    # Reflection: lgamma(x) = ln(pi / |sin(pi x)|) - lgamma(1 - x).
    out[negative] = (math.log(math.pi) - np.log(np.abs(_sin_pi(xn)))
                     - _lgamma_positive(1 - xn))
    out[(x == 1) | (x == 2)] = 0
    out[(x <= 0) & (x == np.floor(x))] = np.inf
    out[np.isnan(x)] = np.nan
    out[np.isinf(x)] = np.inf
    return out


def _digamma_positive(x):
    correction = np.zeros_like(x)

    def step(z, active):
        correction[active] += np.reciprocal(z[active])

    z = _shift_up(x, step)
    inv2 = np.reciprocal(z * z)
    series = np.zeros_like(z)
    for k in range(8, 0, -1):
        series = series * inv2 + float(_B2K[k - 1] / (2 * k))
    return np.log(z) - 0.5 / z - series * inv2 - correction


@_precise
def digamma(x):
    out = np.empty_like(x)
    positive = x >= 0.5
    out[positive] = _digamma_positive(x[positive])
    negative = ~positive & ~np.isnan(x)
    xn = x[negative]
    # Reflection: psi(x) = psi(1 - x) - pi / tan(pi x), tan taken on x's fractional part.
    out[negative] = _digamma_positive(1 - xn) - np.pi / np.tan(np.pi * (xn - np.rint(xn)))
    out[(x < 0) & (x == np.floor(x))] = np.nan
    # PyTorch: digamma(+0) = -inf and digamma(-0) = +inf.
    zero = x == 0
    out[zero] = np.copysign(np.inf, -x[zero])
    out[np.isnan(x) | (x == -np.inf)] = np.nan
    out[x == np.inf] = np.inf
    return out


@_precise
def polygamma(n, x):
    """The n-th derivative of digamma, n >= 1: (-1)^(n+1) n! zeta(n+1, x)."""
    sign = 1.0 if n % 2 else -1.0
    factorial = math.factorial(n)
    if n == 1:
        # Trigamma reflection for x < 1/2: psi1(x) = pi^2 / sin^2(pi x) - psi1(1 - x).
        reflect = x < 0.5
        z = np.where(reflect, 1 - x, x)
    else:
        reflect = None
        z = x.copy()
    total = np.zeros_like(z)
    while True:
        active = z < _SHIFT + n
        if not active.any():
            break
        total[active] += np.power(z[active], -(n + 1))
        z[active] += 1
    inv = np.reciprocal(z)
    inv2 = inv * inv
    # Asymptotic series: (n-1)!/z^n + n!/(2 z^(n+1)) + sum B_2k (2k+n-1)!/(2k)! / z^(2k+n).
    series = np.zeros_like(z)
    for k in range(10, 0, -1):
        coefficient = float(_B2K[k - 1] * Fraction(math.factorial(2 * k + n - 1),
                                                   math.factorial(2 * k)))
        series = series * inv2 + coefficient
    series = series * inv2 + math.factorial(n - 1) + factorial / 2 * inv
    result = sign * (series * np.power(inv, n) + factorial * total)
    if reflect is not None:
        result = np.where(reflect, (np.pi / _sin_pi(x)) ** 2 - result, result)
    result[(x <= 0) & (x == np.floor(x))] = np.inf if n % 2 else -np.inf
    return result
