"""Array transforms behind ``ember.random``: raw 32-bit draws in, PyTorch-CPU numbers out.

Each function here reproduces one piece of ATen's CPU sampling arithmetic
(``ATen/core/TransformationHelper.h``, ``ATen/native/cpu/DistributionTemplates.h``,
``ATen/native/cpu/avx_mathfun.h``) on NumPy arrays, bit for bit:

* ``fma32`` / ``fma64``: GCC contracts ``x * a + b`` into one fused multiply-add in ATen's
  AVX2/AVX512 kernels, so plain NumPy arithmetic differs in the last bit about half the time.
  ``fma32`` is exact because a float32 product is exact in float64 and the float64 sum is
  rounded to odd before the final rounding; ``fma64`` is Boldo & Melquiond's emulation
  (exact product by Dekker splitting, exact sums, rounding to odd).
* (the Cephes float32 ``log256``/``sincos256`` of ATen's AVX2 ``randn`` are in
  ``_random_avx2``).
* ``libm``: glibc's own ``log``/``log1p``/``tan``/``exp`` through ``math`` (NumPy's SIMD
  ``log`` differs from glibc in ~0.3% of float64 values; its ``cos``/``sin`` match).
* ``permutation_from_swaps``: the sequential Fisher-Yates swaps of ``randperm`` solved with
  array operations (pointer jumping) instead of a Python loop.
"""

import math
import operator
import warnings

import numpy as np

_F32 = np.float32
_CHUNK = 1 << 15  # elements per slice in the bulk loops: temporaries stay in cache
_FLOATS = {11: np.float16, 24: np.float32, 53: np.float64}  # by mantissa digits
_DIGITS = {"float16": 11, "float32": 24, "float64": 53}
# dtype names as ATen's messages spell them: C++ type names and ScalarType names
CPP_NAMES = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char",
             "int16": "short int", "int32": "int", "int64": "long int",
             "float16": "c10::Half", "float32": "float", "float64": "double"}
TORCH_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short",
               "int32": "Int", "int64": "Long", "float16": "Half", "float32": "Float",
               "float64": "Double"}
_SPLIT = 134217729.0  # 2**27 + 1: Veltkamp's constant that splits a double into two halves


def _round_to_odd(value, error):
    """Nudge float64 ``value`` (in place) to its odd neighbour where ``value + error`` was
    inexact. Rounding to odd in a wider format, then to nearest in the narrow one, equals a
    single correct rounding (no double-rounding ties), which is what a hardware FMA does."""
    bits = value.view(np.int64)
    inexact = (error != 0) & ((bits & 1) == 0)
    if inexact.any():  # step away from zero if the error points away, else towards it
        away = (error > 0) == (value > 0)
        bits += inexact * (2 * away.view(np.int8) - 1)
    return value


def fma32(a, b, c):
    """float32 ``round(a * b + c)`` with one rounding, as ``vfmadd`` computes it."""
    prod = np.asarray(a, np.float64) * np.asarray(b, np.float64)  # exact: 24 + 24 bits
    c = np.asarray(c, np.float64)
    total = np.atleast_1d(prod + c)
    back = total - prod
    error = (prod - (total - back)) + (c - back)
    return _round_to_odd(total, error).astype(_F32)


def fma64(a, b, c):
    """float64 ``round(a * b + c)`` with one rounding (Boldo & Melquiond, 2008)."""
    a, b, c = (np.atleast_1d(np.asarray(v, np.float64)) for v in (a, b, c))
    prod = a * b
    t = _SPLIT * a
    a_hi = t - (t - a)
    t = _SPLIT * b
    b_hi = t - (t - b)
    a_lo, b_lo = a - a_hi, b - b_hi
    prod_err = ((a_hi * b_hi - prod) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    high, low = _two_sum(c, prod)
    mid, mid_err = _two_sum(low, prod_err)
    return high + _round_to_odd(mid, mid_err)


def _two_sum(a, b):
    total = a + b
    back = total - a
    return total, (a - (total - back)) + (b - back)


def libm(fn, x):
    """``fn`` (a ``math`` function, i.e. glibc's) applied elementwise to float64 ``x``."""
    x = np.asarray(x, np.float64)
    return np.fromiter(map(fn, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)


def unit_float(raw, digits):
    """``(raw & (2**digits - 1)) * 2**-digits`` as float32: ``uniform_real`` for digits <= 24.

    A uint32 ``raw`` (a fresh bulk draw) is overwritten by the result.
    """
    if raw.dtype == np.uint64:
        out = (raw & np.uint64((1 << digits) - 1)).astype(_F32)  # exact: fewer than 25 bits
    else:
        raw &= np.uint32((1 << digits) - 1)
        ints, out = raw.view(np.int32), raw.view(_F32)
        # convert in place, a slice at a time: a second 4-byte array of a million
        # elements costs more in page faults than the whole conversion
        for start in range(0, raw.size, _CHUNK):
            out[start:start + _CHUNK] = ints[start:start + _CHUNK]
    out *= _F32(2.0**-digits)
    return out


def unit_double(raw):
    """``(random64() & (2**53 - 1)) * 2**-53`` from pairs of 32-bit draws (high word first):
    ``uniform_real<double>``. A uint32 ``raw`` is overwritten by the result."""
    if raw.dtype == np.uint64:
        bits = ((raw[0::2] & np.uint64(0x1FFFFF)) << np.uint64(32)) | raw[1::2]
        return bits.astype(np.float64) * 2.0**-53
    out = raw.view(np.float64)  # each double takes the place of the two words it is made of
    for start in range(0, out.size, _CHUNK):
        words = raw[2 * start:2 * (start + _CHUNK)]
        value = (words[0::2] & np.uint32(0x1FFFFF)).astype(np.float64)
        value *= 2.0**32
        value += words[1::2]  # exact: the sum has 53 bits
        value *= 2.0**-53
        out[start:start + _CHUNK] = value
    return out


_TWO_PI32 = _F32(2.0 * math.pi)  # 2*pi as ATen rounds it to float


def _store(first, second, mean, std, dest, fma, dtype):
    """``dest = fma(value, std, mean)`` for the two halves of each block, as the kernel does."""
    if mean == 0 and std == 1:  # fma(v, 1, 0) == v, except that it turns -0.0 into +0.0
        np.add(first, dtype(0), out=dest[:, :8])
        np.add(second, dtype(0), out=dest[:, 8:])
    else:
        dest[:, :8] = fma(first, dtype(std), dtype(mean)).reshape(first.shape)
        dest[:, 8:] = fma(second, dtype(std), dtype(mean)).reshape(second.shape)


def normal_blocks_libm32(u, mean, std, out):
    """``normal_fill_16<float>`` with glibc float math (used for float16 tensors)."""
    _by_chunks(u, mean, std, out, _normal_chunk_libm32, fma32, _F32)


def _normal_chunk_libm32(d):
    radius = np.sqrt(_F32(-2) * np.log((_F32(1) - d[:, :8]).astype(np.float64)).astype(_F32))
    theta = (_TWO_PI32 * d[:, 8:]).astype(np.float64)
    return radius * np.cos(theta).astype(_F32), radius * np.sin(theta).astype(_F32)


def normal_blocks_double(u, mean, std, out):
    """``normal_fill_16<double>``: glibc ``log``, ``cos``, ``sin`` over float64 uniforms."""
    _by_chunks(u, mean, std, out, _normal_chunk_double, fma64, np.float64)


def _normal_chunk_double(d):
    radius = np.sqrt(-2.0 * libm(math.log, 1.0 - d[:, :8]))
    theta = 2.0 * math.pi * d[:, 8:]
    return radius * np.cos(theta), radius * np.sin(theta)


def _by_chunks(u, mean, std, out, chunk_fn, fma, dtype):
    """Run ``chunk_fn`` (blocks of 16 -> first and second halves) over ``u`` a slice of
    blocks at a time into ``out`` (which may be ``u``)."""
    blocks, dest = u.reshape(-1, 16), out.reshape(-1, 16)
    step = _CHUNK // 16
    for start in range(0, len(blocks), step):
        first, second = chunk_fn(blocks[start:start + step])
        _store(first, second, mean, std, dest[start:start + step], fma, dtype)


def box_muller_double(u1, u2):
    """``normal_distribution<double>``: returns ``(r*cos, r*sin)`` for float64 uniform pairs."""
    radius = np.sqrt(-2.0 * libm(math.log1p, -u2))
    theta = 2.0 * math.pi * u1
    return radius * np.cos(theta), radius * np.sin(theta)


def cast_double(values, np_dtype):
    """``static_cast<scalar_t>(double)``: a Half is built from a float, so it rounds twice."""
    with np.errstate(over="ignore", invalid="ignore"):  # inf and nan convert as in C++
        if np_dtype == np.float16:
            values = values.astype(_F32)
        return values.astype(np_dtype)


def exponential(u, lambd):
    """``-1/lambda * log1p(-u)``: two roundings, no FMA to form."""
    return (-1.0 / lambd) * libm(math.log1p, -u)


def geometric(u, p):
    return np.ceil(libm(math.log, u) / math.log(1.0 - p))


def cauchy(u, median, sigma):
    """``median + sigma * tan(pi * (u - 0.5))``, the last two steps one FMA."""
    return fma64(sigma, libm(math.tan, math.pi * (u - 0.5)), median)


def log_normal(z, mean, std):
    """``exp(z * std + mean)`` for standard normals ``z``, the inner step one FMA."""
    return libm(math.exp, fma64(z, float(std), float(mean)))


def cumulative_distribution(rows):
    """``multinomial``'s normalised running sums per row (last entry forced to 1) as
    float64, or None if a row sums to zero. float16 accumulates in float32, as ATen does."""
    cum = np.cumsum(rows, -1, dtype=np.float64 if rows.dtype == np.float64 else _F32)
    if not (cum[:, -1] > 0).all():
        return None
    cum /= cum[:, -1:]
    cum[:, -1] = 1
    return cum.astype(np.float64)


def check_uniform_bounds(np_dtype, low, high):
    """ATen's ``check_uniform_bounds``: ``from``/``to`` (doubles) must suit the float type."""
    info = np.finfo(np_dtype)
    for value, name in ((low, "from"), (high, "to")):
        if not info.min <= value <= info.max:
            raise RuntimeError(f"{name} is out of bounds for {CPP_NAMES[np_dtype.name]}")
    if low > high:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={low:g} > to={high:g}")
    if high - low > float(info.max):
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<"
                           f"{TORCH_NAMES[np_dtype.name]}>::max(), but found to={high:g} "
                           f"and from={low:g} which result in to-from to exceed the limit")


def random_range(np_dtype, low, high):
    """``random_``'s arguments resolved as ATen does: ``(from, span, 64-bit draws?)``, or
    None for the full 64-bit range. ``low=None`` means 0, ``high=None`` the dtype's largest
    value plus one; both None is plain ``random_()`` (``random % (max + 1)``)."""
    digits = _DIGITS.get(np_dtype.name)
    if np_dtype.kind == "b":
        top = 1
    else:
        top = 1 << digits if digits else int(np.iinfo(np_dtype).max)
    if low is None and high is None:
        return 0, top + 1, np_dtype.name in ("int64", "float64")
    low = 0 if low is None else operator.index(low)
    if high is None and low == -(1 << 63):
        return None
    if high is not None:
        high = operator.index(high)
        if low >= high:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={low} >= to={high}")
        top = _update_to(high, digits) - 1 if digits else high - 1
    low = _update_from(low, digits) if digits else low
    _check_bounds(low, top, np_dtype, digits)
    span = top - low + 1
    return low, span, span >= 1 << 28  # torch 2.13 draws 64 bits from here on: less bias


def _update_from(low, digits):
    """ATen's ``update_from``: nudge ``low`` up to an integer a ``digits``-bit float keeps."""
    rounded = int(_FLOATS[digits](low + 1))
    if rounded < low:
        low = rounded + (1 << (abs(low + 1).bit_length() - digits))
    return low


def _update_to(high, digits):
    """ATen's ``update_to``: nudge ``high`` down likewise."""
    rounded = int(_FLOATS[digits](high - 1))
    if rounded >= high:
        high = rounded - (1 << (abs(high - 1).bit_length() - digits))
    return high


def _check_bounds(low, top, np_dtype, digits):
    """ATen's ``check_from_to_in_range``, with its warning for floats past 2**digits."""
    if np_dtype.kind == "b":
        bottom, ceiling = 0, 1
    else:
        info = np.finfo(np_dtype) if digits else np.iinfo(np_dtype)
        bottom, ceiling = info.min, info.max
    name = CPP_NAMES[np_dtype.name]
    for value, what in ((low, "from"), (top, "to - 1")):
        if not bottom <= value <= ceiling:
            raise RuntimeError(f"{what} is out of bounds for {name}")
        if digits and abs(value) > 1 << digits:
            warnings.warn(f"{what} is out of bounds [-(2^{digits}), 2^{digits}]. Due to "
                          f"precision limitations {name} can support discrete uniform "
                          "distribution only within this range. This warning will become an "
                          "error in version 1.7 release, please fix the code in advance",
                          UserWarning, stacklevel=5)


def permutation_from_swaps(targets):
    """The array ``randperm`` builds by ``swap(a[i], a[targets[i]])`` for i = 0, 1, ..., n-1.

    ``targets[i] >= i`` (int64, n < 2**31). Position i is final after step i, so ``out[i]``
    is what sat at ``targets[i]`` just before step i: the value carried there by the latest
    earlier swap into that slot, or the slot's own index. Following "latest earlier swap
    into slot k" links back to the first one is pointer chasing, done for all slots at once
    by doubling.
    """
    n = targets.size
    # sort steps by (target, step) through unique int64 keys: far faster than a stable argsort
    keys = np.sort((targets << 32) | np.arange(n))
    order, sorted_targets = keys & 0xFFFFFFFF, keys >> 32
    same_as_prev = sorted_targets[1:] == sorted_targets[:-1]
    repeat = np.flatnonzero(same_as_prev) + 1
    # prev_same[i]: the latest step before i that swapped into the same slot as step i, or -1
    prev_same = np.full(n, -1, np.int64)
    prev_same[order[repeat]] = order[repeat - 1]
    # for slot k: the latest step m < k with targets[m] == k (a step m == k is its group's
    # last). Masks are applied by arithmetic: NumPy's masked selects branch on random masks.
    last = np.append(np.flatnonzero(~same_as_prev), n - 1)
    slot, step = sorted_targets[last], order[last]
    step += (step == slot) * (prev_same[step] - step)
    step += (step < 0) * (slot - step)  # no earlier swap into the slot: it holds its index
    came_from = np.arange(n)
    came_from[slot] = step
    # the value at slot k before step k: follow came_from to its fixed point
    while True:
        jumped = came_from[came_from]
        if np.array_equal(jumped, came_from):
            break
        came_from = jumped
    carried = came_from[prev_same]  # prev_same == -1 reads a dummy, discarded below
    carried -= targets
    carried *= prev_same >= 0
    carried += targets
    return carried
