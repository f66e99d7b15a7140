"""``normal_fill_16_AVX2``, ATen's float32 ``randn`` on x86 (AVX2 and AVX512 machines), bit
for bit: the Cephes float32 ``log256_ps``/``sincos256_ps`` of ``ATen/native/cpu/avx_mathfun.h``
with the fused multiply-adds GCC forms in them.
"""

import numpy as np

from ._random_transforms import _F32, _TWO_PI32, fma32

# The kernels below work in place on preallocated slices (``_Work``): a NumPy call costs
# about as much as a pass over 10**4 floats, so each step is one ufunc call with ``out=``.
# A float32 FMA ``x * y + c`` is emulated as ``fl32(x64 * y64 + c)`` (the product of two
# floats is exact in float64); where the product is exact in float32 too (a short constant
# times a small integer) the FMA equals a float32 multiply and add, and runs as that.
_LOG_P = [_F32(v) for v in (
    7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
    -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]
_LOG_Q1, _LOG_Q2 = _F32(-2.12194440e-4), _F32(0.693359375)  # q2: 9 bits, e * q2 is exact
_SQRTHF_BITS = int(np.array(0.707106781186547524, _F32).view(np.int32))
_EXP_BIAS = _F32(2**23 + 0x7E)  # float(2**23 | k) - this == k - 126: int to float by bits
# j * dp1 and j * dp2 are exact (j <= 8; dp1 has 8 bits, dp2 11); dp3 has 24
_DP = (_F32(-0.78515625), _F32(-2.4187564849853515625e-4), float(_F32(-3.77489497744594108e-8)))
_SIN_P = (_F32(-1.9515295891e-4), _F32(8.3321608736e-3), _F32(-1.6666654611e-1))
_COS_P = (_F32(2.443315711809948e-5), _F32(-1.388731625493765e-3), _F32(4.166664568298827e-2))
_FOPI = _F32(1.27323954473516)  # 4 / pi
_NORMAL_CHUNK = 1 << 16  # elements per slice of the float32 normal kernel
# eight float32 as one item: splitting blocks into halves is then a copy of 1-D strided
# items, far cheaper than a strided (n, 8) copy
_HALF = np.dtype((np.void, 32))


class _Work:
    """Scratch arrays for ``normal_blocks_avx2``: float32 ``f[i]``, int32 views ``i[i]``,
    float64 ``d[i]``, each ``size`` long."""

    def __init__(self, size):
        self.f = np.empty((8, size), _F32)
        self.i = self.f.view(np.int32)
        self.d = np.empty((3, size))

    def trimmed(self, size):
        """The same arrays cut to ``size`` (the last, shorter slice)."""
        out = _Work.__new__(_Work)
        out.f, out.i, out.d = self.f[:, :size], self.i[:, :size], self.d[:, :size]
        return out


def _round_pair(t64, out32, out64):
    """``out32 = fl32(t64)`` and ``out64 = out32`` widened: the rounding of one FMA step."""
    np.copyto(out32, t64, casting="same_kind")
    np.copyto(out64, out32)


def _horner(x64, coeffs, y32, y64):
    """``y32 = ((c0*x + c1)*x + c2)...`` in float32, one FMA per step (x64: x as float64)."""
    np.multiply(x64, np.float64(coeffs[0]), out=y64)
    for c in coeffs[1:-1]:
        np.add(y64, c, out=y64)
        _round_pair(y64, y32, y64)
        np.multiply(y64, x64, out=y64)
    np.add(y64, coeffs[-1], out=y64)
    np.copyto(y32, y64, casting="same_kind")


def _log256(x, w):
    """``log256_ps`` of float32 ``x`` in (0, 1], in place."""
    bits, (e, y, q), (ei, s) = x.view(np.int32), w.f[2:5], w.i[5:7]
    x64, y64 = w.d[0], w.d[1]
    np.right_shift(bits, 23, out=ei)
    np.bitwise_and(bits, 0x007FFFFF, out=bits)  # x > 0: no sign bit to keep
    np.bitwise_or(bits, 0x3F000000, out=bits)  # mantissa in [0.5, 1)
    np.subtract(bits, _SQRTHF_BITS, out=s)
    np.right_shift(s, 31, out=s)  # -1 where x < sqrt(1/2) ("small"), else 0
    np.add(ei, s, out=ei)
    np.bitwise_or(ei, 0x4B000000, out=ei)
    np.subtract(ei.view(_F32), _EXP_BIAS, out=e)  # exponent + 1 - small, as float32
    np.left_shift(s, 23, out=s)
    np.subtract(bits, s, out=bits)  # x - 1 + x * small: x doubled (exponent + 1), then - 1
    np.subtract(x, _F32(1), out=x)  # exact in both cases
    z = w.f[7]
    np.multiply(x, x, out=z)
    np.copyto(x64, x)
    _horner(x64, _LOG_P, y, y64)
    np.multiply(y, x, out=y)
    # y = fma(y, z, e * q1): GCC fuses y*z into the add of e*q1
    np.multiply(e, _LOG_Q1, out=q)
    np.copyto(y64, y)
    np.copyto(x64, z)
    np.multiply(y64, x64, out=y64)
    np.add(y64, q, out=y64)
    np.copyto(y, y64, casting="same_kind")
    np.multiply(z, _F32(0.5), out=q)
    np.subtract(y, q, out=y)
    np.add(x, y, out=x)
    np.multiply(e, _LOG_Q2, out=e)  # fma(e, q2, x) with an exact product
    np.add(x, e, out=x)


def _sincos256(x, w):
    """``sincos256_ps`` of float32 ``x >= 0``, in place: returns ``(sin, cos)`` arrays."""
    (y, z, cos, sin), (j, m) = w.f[2:6], w.i[6:8]
    x64, y64, c64 = w.d
    np.multiply(x, _FOPI, out=y)
    np.copyto(j, y, casting="unsafe")  # truncation, as cvttps
    np.add(j, 1, out=j)
    np.bitwise_and(j, ~1, out=j)
    np.copyto(y, j, casting="unsafe")
    for dp in _DP[:2]:  # extended-precision reduction x - j*pi/4, each step one FMA
        np.multiply(y, dp, out=z)
        np.add(x, z, out=x)
    np.copyto(y64, j, casting="unsafe")
    np.multiply(y64, _DP[2], out=y64)
    np.copyto(x64, x)
    np.add(y64, x64, out=y64)
    _round_pair(y64, x, x64)
    np.multiply(x, x, out=z)
    np.copyto(y64, z)  # y64: z as float64 from here on
    _horner(y64, _COS_P, cos, c64)
    np.multiply(cos, z, out=cos)
    np.copyto(c64, cos)
    np.multiply(c64, y64, out=c64)
    np.multiply(z, _F32(-0.5), out=y)
    np.add(c64, y, out=c64)  # fma(cos, z, -z*0.5)
    np.copyto(cos, c64, casting="same_kind")
    np.add(cos, _F32(1), out=cos)
    _horner(y64, _SIN_P, sin, c64)
    np.multiply(sin, z, out=sin)
    np.copyto(c64, sin)
    np.multiply(c64, x64, out=c64)
    np.add(c64, x64, out=c64)  # fma(sin, x, x)
    np.copyto(sin, c64, casting="same_kind")
    # swap the polynomials where j & 2, by bits: np.where branches on random masks
    sin_bits, cos_bits, swap = sin.view(np.int32), cos.view(np.int32), w.i[2]
    np.left_shift(j, 30, out=swap)
    np.right_shift(swap, 31, out=swap)  # all ones where j & 2
    np.bitwise_xor(sin_bits, cos_bits, out=m)
    np.bitwise_and(m, swap, out=m)
    np.bitwise_xor(sin_bits, m, out=sin_bits)
    np.bitwise_xor(cos_bits, m, out=cos_bits)
    np.bitwise_and(j, 4, out=m)  # sign flips: sin where j & 4, cos where (j - 2) & 4 == 0
    np.left_shift(m, 29, out=m)
    np.bitwise_xor(sin_bits, m, out=sin_bits)
    np.subtract(j, 2, out=m)
    np.invert(m, out=m)
    np.bitwise_and(m, 4, out=m)
    np.left_shift(m, 29, out=m)
    np.bitwise_xor(cos_bits, m, out=cos_bits)
    return sin, cos


def normal_blocks_avx2(u, mean, std, out):
    """``normal_fill_16_AVX2`` over float32 uniforms ``u`` (length a multiple of 16) into
    ``out`` (float32, which may be ``u`` itself)."""
    blocks, dest = u.reshape(-1, 16).view(_HALF), out.reshape(-1, 16).view(_HALF)
    step = _NORMAL_CHUNK // 16
    work = _Work(8 * min(step, len(blocks)))
    for start in range(0, len(blocks), step):
        d = blocks[start:start + step]
        w = work if len(d) == step else work.trimmed(8 * len(d))
        np.copyto(w.f[:2].view(_HALF), d.T)  # first and second halves of the blocks
        radius, theta = w.f[0], w.f[1]
        np.subtract(_F32(1), radius, out=radius)
        np.multiply(_TWO_PI32, theta, out=theta)
        _log256(radius, w)
        np.multiply(radius, _F32(-2), out=radius)
        np.sqrt(radius, out=radius)
        sin, cos = _sincos256(theta, w)
        np.multiply(radius, cos, out=cos)
        np.multiply(radius, sin, out=sin)
        if mean == 0 and std == 1:  # fma(v, 1, 0) == v, except that it turns -0.0 into +0.0
            np.add(w.f[4:6], _F32(0), out=w.f[4:6])
        else:
            np.copyto(w.f[4:6], fma32(w.f[4:6], _F32(std), _F32(mean)).reshape(2, -1))
        np.copyto(dest[start:start + step].T, w.f[4:6].view(_HALF))  # rows 4, 5: cos, sin
