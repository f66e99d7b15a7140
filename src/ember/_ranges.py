"""PyTorch's CPU range kernels (``arange``, ``linspace``, ``logspace``), bit for bit.

PyTorch's kernels are compiled with fused multiply-adds, so ``start + step * i`` is
rounded once (``ember._fma`` reproduces that in NumPy); ``arange`` fills blocks of one
256-bit vector as ``block_start + k * step``; ``linspace`` fills the first half from
``start`` and the second from ``end``; ``logspace`` is plain double arithmetic with libm's
``pow``. Each function returns the ndarray of values in the requested dtype.
"""

import math

import numpy as np

from . import _dtype
from ._fma import fma

__all__ = ["arange_values", "linspace_values", "logspace_values"]


def arange_values(start, end, step, dtype):
    """``[start, end)`` by ``step`` as ``dtype``, with PyTorch's checks on the bounds."""
    count = _range_length(start, end, step)
    if dtype.category == 1:
        if int(step) == 0:
            raise ValueError("step must be nonzero")
        return (int(start) + np.arange(count, dtype=np.int64) * int(step)).astype(dtype.np)
    return _float_range(float(start), float(step), count, dtype)


def _range_length(start, end, step):
    """PyTorch's checks on the bounds, and ``ceil((end - start) / step)``."""
    start, end, step = float(start), float(end), float(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start:g} -> {end:g}")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    return math.ceil((end - start) / step)


def _float_range(start, step, count, dtype):
    """PyTorch's arange kernel: blocks of a 256-bit vector are ``base + k * step``.

    The kernel computes in double (float for half): each block's base is
    ``start + step * i``, rounded to the result type; its lanes add ``k * step`` to that.
    The last ``count % (2 * lanes)`` values are computed one by one, ``start + step * i``.
    """
    acc = np.float32 if dtype is _dtype.float16 else np.float64
    lanes = 32 // dtype.itemsize
    index = np.arange(count, dtype=np.float64)
    vectorised = count - count % (2 * lanes)
    base = fma(step, index[:vectorised] - index[:vectorised] % lanes, start)
    base = base.astype(dtype.np).astype(np.float64)
    head = fma(index[:vectorised] % lanes, acc(step), base)
    tail = fma(acc(step), index[vectorised:], acc(start))
    return np.concatenate([head.astype(acc), tail.astype(acc)]).astype(dtype.np)


def linspace_values(start, end, steps, dtype):
    """PyTorch's kernel: ``start + step * i`` for the first half, ``end - step * (steps - 1
    - i)`` for the second, fused (float, double) or rounded at each step (half)."""
    if steps == 1:
        return np.full(1, start, dtype=dtype.np)
    index = np.arange(steps)
    lower = index < steps // 2
    if dtype is _dtype.float16:
        half = np.float16
        s, e = half(start), half(end)
        step = (e - s) / half(steps - 1) if steps > 1 else half(0)
        up = s + step * index.astype(half)
        down = e - step * (steps - 1 - index).astype(half)
        return np.where(lower, up, down).astype(half)
    if dtype.category == 1:
        # Integer types keep start and end as integers and step in double.
        s, e = float(int(start)), float(int(end))
        work = np.float64
    else:
        work = dtype.np.type
        s, e = work(start), work(end)
    step = (work(e) - work(s)) / work(steps - 1) if steps > 1 else work(0)
    # float32 is computed in float64 and rounded again: round to odd first, so the second
    # rounding gives float32's own fused result.
    odd = work is not np.float64
    values = np.where(lower, fma(step, index, s, odd), fma(-step, steps - 1 - index, e, odd))
    if dtype.category == 1:
        return np.trunc(values).astype(dtype.np)
    return values.astype(work).astype(dtype.np)


def logspace_values(start, end, steps, base, dtype):
    """``base ** linspace(start, end, steps)`` as PyTorch's generic CPU code computes it:
    exponents in plain double arithmetic from ``start`` and ``end`` rounded to ``dtype``."""
    if steps == 1:
        exponents = np.full(1, float(start))
    else:
        # Integer types hold the bounds as integers and the base as a float32.
        work = np.int64 if dtype.category == 1 else dtype.np.type
        if dtype.category == 1:
            base = float(np.float32(base))
            s, e = work(int(start)), work(int(end))
        else:
            s, e = work(start), work(end)
        step = float(e - s) / (steps - 1) if steps > 1 else 0.0
        index = np.arange(steps)
        exponents = np.where(index < steps // 2, float(s) + step * index,
                             float(e) - step * (steps - 1 - index))
    # libm's pow, as PyTorch calls it: NumPy's vectorised power can differ in the last bit.
    values = np.fromiter((math.pow(base, x) for x in exponents.tolist()), np.float64,
                         count=len(exponents))
    if dtype.category == 1:
        values = np.trunc(values)
    return values.astype(dtype.np)
