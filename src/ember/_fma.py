"""``fma(a, b, c)``: ``a * b + c`` with one rounding, for float64 NumPy arrays.

PyTorch's CPU kernels are compiled with fused multiply-adds: ``start + step * i`` in
``arange`` and ``linspace``, ``add(x, y, alpha=a)`` in the optimizers. Matching them bit for
bit needs the same single rounding, which NumPy does not offer.
"""

import numpy as np

__all__ = ["fma"]


def _split(a):
    """Dekker's split of float64 values into high and low halves of 26 bits each."""
    c = 134217729.0 * a
    high = c - (c - a)
    return high, a - high


def fma(a, b, c, round_to_odd=False):
    """``a * b + c`` rounded once, in float64: a vectorised fused multiply-add.

    Boldo and Melquiond's emulation: the exact product and sum as pairs of doubles, the
    small parts added with rounding to odd (which keeps the information that decides a
    tie), and one final rounding to nearest. With ``round_to_odd`` the final rounding is
    to odd too, so that rounding the result to float32 or float16 afterwards gives the
    correctly rounded fused result of that type (no double rounding).
    """
    a, b, c = (np.asarray(v, dtype=np.float64) for v in (a, b, c))
    with np.errstate(invalid="ignore", over="ignore"):
        return _fused(a, b, c, round_to_odd)


def _to_odd(value, error):
    """``value`` (a rounded sum whose exact error is ``error``) rounded to odd instead."""
    inexact_even = (error != 0) & ((value.view(np.int64) & 1) == 0)
    toward = np.where(error > 0, np.inf, -np.inf)
    return np.where(inexact_even, np.nextafter(value, toward), value)


def _fused(a, b, c, round_to_odd):
    product = a * b
    a_high, a_low = _split(a)
    b_high, b_low = _split(b)
    product_error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) \
        + a_low * b_low
    total, total_error = _two_sum(c, product)
    rest = _to_odd(*_two_sum(total_error, product_error))
    result = _to_odd(*_two_sum(total, rest)) if round_to_odd else total + rest
    # Infinities and nans break the error terms; their plain sum is already the answer.
    return np.where(np.isfinite(product) & np.isfinite(total), result, product + c)


def _two_sum(a, b):
    """``a + b`` rounded, and its exact rounding error (Knuth)."""
    total = a + b
    virtual = total - a
    return total, (a - (total - virtual)) + (b - virtual)
