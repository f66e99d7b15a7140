"""In-place array kernels of the optimizers, rounded as PyTorch's CPU kernels round them.

PyTorch's pointwise kernels are compiled with fused multiply-adds. Measured on torch 2.13
(x86-64): ``lerp_`` is ``fma(w, end - self, self)`` for ``|w| < 0.5`` and
``fma(w - 1, end - self, end)`` otherwise; ``addcmul_`` is ``fma(value * t1, t2, self)``;
``addcdiv_`` is ``self + (value * t1) / t2`` with three roundings; scalars are first cast to
the tensor's dtype. For float32 (and float16) the product of two values is exact in
float64, so one float64 sum rounded back gives the fused result (barring ties 2**29 apart);
float64 uses the emulated ``fma``. All kernels write into their first argument.
"""

import numpy as np

from .._fma import fma

__all__ = ["add_scaled_", "addcdiv_", "addcmul_", "as_real", "lerp_"]


# Below this many elements NumPy's per-call cost dominates: expressions (fewer, fused
# temporaries) beat in-place updates; above it in-place saves a large temporary.
_SMALL = 1 << 14


def _fused_into(target, wide, addend):
    """``target[...] = wide + addend`` rounded once, where ``wide`` holds exact products
    (float64 for float32/float16 targets) or, for float64, the factors ``(a, b)``."""
    if target.dtype == np.float64:
        np.copyto(target, fma(wide[0], wide[1], addend))
        return
    if target.dtype.kind != "f":
        np.add(wide, addend, out=target, casting="unsafe")
        return
    if target.size < _SMALL:
        target[...] = wide + addend
        return
    # In place on the float64 product (it is ours), then one rounding back: three passes
    # over the data and no second large temporary.
    wide += addend
    target[...] = wide


def _exact_product(a, b, kind):
    """``a * b`` exactly: float64 products of float32/float16 values; float64 keeps the
    pair for ``fma``; other dtypes multiply as they are."""
    if kind == np.float64:
        return a, b
    if kind in (np.float32, np.float16):
        factor = b if isinstance(b, np.ndarray) else np.float64(b)
        if a.size < _SMALL:
            return a.astype(np.float64) * factor
        wide = a.astype(np.float64)
        wide *= factor
        return wide
    return np.multiply(a, b)


def add_scaled_(target, source, alpha):
    """``target += alpha * source`` (``Tensor.add_(source, alpha=alpha)``)."""
    kind = target.dtype.type
    _fused_into(target, _exact_product(source, kind(alpha), kind), target)


def lerp_(target, end, weight):
    """``target.lerp_(end, weight)`` for a Python number ``weight``."""
    kind = target.dtype.type
    weight = kind(weight)
    diff = end - target
    if abs(weight) < 0.5:
        _fused_into(target, _exact_product(diff, weight, kind), target)
    else:
        _fused_into(target, _exact_product(diff, weight - kind(1), kind), end)


def addcmul_(target, tensor1, tensor2, value=1.0):
    """``target.addcmul_(tensor1, tensor2, value=value)``."""
    kind = target.dtype.type
    scaled = np.multiply(tensor1, kind(value))
    _fused_into(target, _exact_product(scaled, tensor2, kind), target)


def addcdiv_(target, tensor1, tensor2, value=1.0):
    """``target.addcdiv_(tensor1, tensor2, value=value)``: no fusion, three roundings."""
    quotient = np.multiply(tensor1, target.dtype.type(value))
    np.divide(quotient, tensor2, out=quotient)
    np.add(target, quotient, out=target)


def as_real(array):
    """A complex array seen as real pairs (``torch.view_as_real``, flattened); others as-is."""
    if array.dtype.kind != "c":
        return array
    return array.reshape(-1).view(array.real.dtype)
