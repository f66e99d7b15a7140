"""Random number generation: ``Generator``, ``manual_seed``, and PyTorch-CPU-identical streams.

A ``Generator`` is PyTorch's CPU generator (``ATen/CPUGeneratorImpl.cpp``): a 32-bit
Mersenne Twister seeded by ``init_genrand(seed & 0xffffffff)`` plus the cached second
Box-Muller sample. NumPy's own ``MT19937`` produces the raw stream; this module turns it into
samples the way ATen's CPU kernels do, so ``ember.manual_seed(s)`` followed by the same calls
gives the same numbers as ``torch.manual_seed(s)``, and ``get_state()`` bytes are
interchangeable with ``torch.Generator.get_state()`` (5056 bytes, torch 2.13).

The samplers (``Generator._uniform`` etc.) return NumPy arrays that the tensor functions
wrap. Parity is with torch 2.13 on x86-64 (AVX2/AVX512):

* bit-exact: ``_uniform`` (float16/32/64), ``_normal`` for float32/float64 (both the
  scalar path below 16 elements with its cached sample and the blocks-of-16 path with its
  redrawn tail), ``_normal_tensor``, ``_randint``, ``_random``, ``_randperm``,
  ``_bernoulli``, ``_exponential``, ``_geometric``, ``_cauchy``, ``_log_normal``,
  ``_multinomial``. Exactness needs the FMA-contracted arithmetic GCC emits and the Cephes
  float32 polynomials of ATen's AVX2 ``randn``: emulated in ``_random_transforms`` and
  ``_random_avx2``.
* within 1 ulp: ``_normal`` for float16 with 16 or more elements. ATen computes it with
  glibc's float ``logf``/``cosf``/``sinf``, which are not correctly rounded; we round the
  double results, which differs in about 1 of 20,000 values after the cast to float16.

Where the design is silent: a ``Generator`` only lives on the CPU, ``seed()`` draws 64 bits
from ``os.urandom``, and a state whose ``next`` field disagrees with ``left`` (torch never
writes one) raises ``NotImplementedError`` because NumPy's engine keeps one position only.
"""

import contextlib
import math
import operator
import os

import numpy as np

from ember import _random_avx2
from ember import _random_transforms as _rt

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "fork_rng"]

DEFAULT_SEED = 67280421310721  # c10::detail::default_rng_seed_val
_N = 624  # Mersenne Twister state words
_SMALL = 2048  # below this, random_raw's low overhead wins; above, uint32 integers are faster
_ALL32 = 0xFFFFFFFF
# CPUGeneratorImplState: the legacy THGeneratorState, then the float normal cache.
_STATE = np.dtype({
    "names": ["seed", "left", "seeded", "next", "state", "normal_x", "normal_y", "normal_rho",
              "normal_is_valid", "next_float_normal", "next_float_normal_is_valid"],
    "formats": ["<u8", "<i4", "<i4", "<u8", ("<u8", _N), "<f8", "<f8", "<f8", "<i4", "<f4",
                "u1"],
    "offsets": [0, 8, 12, 16, 24, 5016, 5024, 5032, 5040, 5048, 5052],
    "itemsize": 5056})


def _as_uint64_seed(seed):
    """A Python integer as PyTorch's ``unpack_uint64`` reads it (negatives wrap)."""
    if isinstance(seed, float) or not hasattr(seed, "__index__"):
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    seed = operator.index(seed)
    if not -(1 << 63) <= seed < (1 << 64):
        raise ValueError("Overflow when unpacking long long")
    return seed & ((1 << 64) - 1)


class Generator:
    """PyTorch's CPU generator: ``Generator(device='cpu')``."""

    __slots__ = ("device", "_bits", "_ints", "_seed", "_next_double", "_next_float",
                 "_idle_next")

    def __init__(self, device="cpu"):
        from ember._device import device as _device

        self.device = _device(device)
        if self.device.type != "cpu":
            raise RuntimeError(f"ember has no random generator for device '{self.device}'")
        self._bits = np.random.MT19937()
        self._ints = np.random.Generator(self._bits)  # its uint32 path is the fast bulk draw
        self.manual_seed(DEFAULT_SEED)

    # ---- seeding and state ---------------------------------------------------------------
    def manual_seed(self, seed):
        seed = _as_uint64_seed(seed)
        # init_genrand(seed & 0xffffffff); the engine will regenerate before its first draw
        self._bits._legacy_seeding(seed & _ALL32)
        self._seed = seed
        self._next_double = self._next_float = None
        self._idle_next = 0  # mt19937's `next` field before the first regeneration
        return self

    def seed(self):
        seed = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        import ember

        return ember.from_numpy(self._state_bytes())

    def set_state(self, new_state):
        self._load_state_bytes(getattr(new_state, "_data", new_state))
        return self

    def _state_bytes(self):
        engine = self._bits.state["state"]
        pos = int(engine["pos"])
        record = np.zeros((), _STATE)
        record["seed"] = self._seed
        record["left"] = _N + 1 - pos  # torch: `if (--left == 0) regenerate`
        record["seeded"] = 1
        record["next"] = self._idle_next if pos == _N else pos
        record["state"] = engine["key"]
        if self._next_double is not None:
            record["normal_y"], record["normal_is_valid"] = self._next_double, 1
        if self._next_float is not None:
            record["next_float_normal"] = self._next_float
            record["next_float_normal_is_valid"] = 1
        return np.frombuffer(record.tobytes(), np.uint8).copy()

    def _load_state_bytes(self, data):
        data = np.asarray(data)
        if data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if data.size != _STATE.itemsize:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE.itemsize} "
                               f"but found the input RNG state size to be {data.size}")
        record = np.frombuffer(np.ascontiguousarray(data).tobytes(), _STATE)[0]
        left, nxt = int(record["left"]), int(record["next"])
        if not (record["seeded"] and 0 < left <= _N and nxt <= _N):
            raise RuntimeError("Invalid mt19937 state")
        pos = _N + 1 - left
        if left != 1 and nxt != pos:
            raise NotImplementedError(f"mt19937 state with next={nxt} and left={left}: ember's "
                                      "engine needs next == 625 - left")
        self._bits.state = {"bit_generator": "MT19937",
                            "state": {"key": (record["state"] & _ALL32).astype(np.uint32),
                                      "pos": pos}}
        self._seed = int(record["seed"])
        self._idle_next = nxt
        self._next_double = float(record["normal_y"]) if record["normal_is_valid"] else None
        self._next_float = (float(record["next_float_normal"])  # kept, unused by CPU kernels
                            if record["next_float_normal_is_valid"] else None)

    # ---- raw draws -----------------------------------------------------------------------
    def _draw(self, n):
        """``n`` calls of ``random()``: uint32 values (in a uint64 array when small)."""
        if n:
            self._idle_next = _N
        if n < _SMALL:
            return self._bits.random_raw(n)
        return self._ints.integers(0, _ALL32, size=n, dtype=np.uint32, endpoint=True)

    def _draw64(self, n):
        """``n`` calls of ``random64()``: ``(hi << 32) | lo``, the high word drawn first."""
        raw = self._draw(2 * n)
        if raw.dtype == np.uint64:
            return (raw[0::2] << np.uint64(32)) | raw[1::2]
        pairs = raw.view(np.uint64)  # little-endian: the first draw sits in the low half
        return (pairs << np.uint64(32)) | (pairs >> np.uint64(32))

    def _uniform_units(self, n, np_dtype):
        """``n`` uniforms in [0, 1) as ``uniform_real_distribution`` draws them."""
        if np.dtype(np_dtype) == np.float64:
            return _rt.unit_double(self._draw(2 * n))
        return _rt.unit_float(self._draw(n), 24)  # float16 draws 24 bits too (opmath float)

    def _std_normals(self, n):
        """``n`` draws of ``normal_distribution<double>`` (mean 0, std 1) with the cache."""
        head = [] if self._next_double is None or not n else [self._next_double]
        if head:
            self._next_double = None
        wanted = n - len(head)
        pairs = (wanted + 1) // 2
        if pairs <= 8:  # the common randn(k), k < 16: plain floats beat array calls
            fresh = []
            words = self._draw(4 * pairs).tolist()
            for i in range(0, 4 * pairs, 4):
                u1 = (((words[i] & 0x1FFFFF) << 32) | words[i + 1]) * 2.0**-53
                u2 = (((words[i + 2] & 0x1FFFFF) << 32) | words[i + 3]) * 2.0**-53
                radius = math.sqrt(-2.0 * math.log1p(-u2))
                theta = 2.0 * math.pi * u1
                fresh += (radius * math.cos(theta), radius * math.sin(theta))
        else:
            u = _rt.unit_double(self._draw(4 * pairs))
            fresh = np.empty(2 * pairs)
            fresh[0::2], fresh[1::2] = _rt.box_muller_double(u[0::2], u[1::2])
        if wanted % 2:  # the unused sine waits for the next draw
            self._next_double = float(fresh[-1])
        return np.concatenate((head, fresh[:wanted]))

    # ---- samplers ------------------------------------------------------------------------
    def _uniform(self, shape, np_dtype, low=0.0, high=1.0):
        np_dtype = _floating(np_dtype, "check_uniform_bounds")
        if low != 0 or high != 1:  # [0, 1) suits every float type
            _rt.check_uniform_bounds(np_dtype, low, high)
        wide = np.float64 if np_dtype == np.float64 else np.float32
        low, high = wide(low), wide(high)
        x = self._uniform_units(_numel(shape), np_dtype)
        if low != 0 or high != 1:  # x * (to - from) + from, contracted to an FMA
            x = (_rt.fma64 if wide is np.float64 else _rt.fma32)(x, high - low, low)
        x = x.astype(np_dtype, copy=False)
        if low != 0 or high != 1 or np_dtype == np.float16:
            # a value rounded up to `to` would leave [from, to): ATen returns `from` instead
            np.putmask(x, x >= np_dtype.type(high), np_dtype.type(low))
        return x.reshape(shape)

    def _normal(self, shape, np_dtype, mean=0.0, std=1.0, *, contiguous=True):
        """``normal_(mean, std)``; ``contiguous=False`` takes the scalar path, as ATen does."""
        np_dtype = _floating(np_dtype, "normal_kernel_cpu")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
        n = _numel(shape)
        if n < 16 or not contiguous:
            z = self._std_normals(n)
            if mean != 0 or std != 1:
                z = _rt.fma64(z, float(std), float(mean)).reshape(n)
            return _rt.cast_double(z, np_dtype).reshape(shape)
        blocks = {np.float32: _random_avx2.normal_blocks_avx2, np.float16: _rt.normal_blocks_libm32,
                  np.float64: _rt.normal_blocks_double}[np_dtype.type]
        full = n - n % 16
        # float16 draws 16 uniforms per block; float32/64 fill all n slots first, and the
        # normals overwrite their uniforms in place
        if np_dtype == np.float16:
            out = np.empty(n, np.float32)
            blocks(self._uniform_units(full, np_dtype), mean, std, out[:full])
        else:
            out = self._uniform_units(n, np_dtype)
            blocks(out[:full], mean, std, out[:full])
        if full != n:  # ATen redraws 16 fresh uniforms for the last 16 slots
            blocks(self._uniform_units(16, np_dtype), mean, std, out[n - 16:])
        return out.astype(np_dtype, copy=False).reshape(shape)

    def _normal_tensor(self, mean, std, np_dtype):
        """``torch.normal(mean, std)`` with array ``mean``/``std``: ``normal_(0, 1)``, then
        ``mul_(std)``, then ``add_(mean)``, each rounded to ``np_dtype``."""
        mean, std = np.asarray(mean), np.asarray(std)
        if (std < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        out = self._normal(np.broadcast_shapes(mean.shape, std.shape), np_dtype)
        return (out * std.astype(np_dtype)).astype(np_dtype) + mean.astype(np_dtype)

    def _random(self, shape, np_dtype, low=None, high=None):
        """``random_()`` (both None), ``random_(to)`` (``low=None``), ``random_(from, to)``,
        and ``random_(from, None)`` (``high=None``: up to the dtype's largest value)."""
        np_dtype, n = np.dtype(np_dtype), _numel(shape)
        span_range = _rt.random_range(np_dtype, low, high)
        if span_range is None:  # from = int64 min, to = None: every 64-bit value
            return self._draw64(n).view(np.int64).astype(np_dtype).reshape(shape)
        low, span, wide = span_range
        # random % span + from wraps in uint64 and is read as int64, like int64 arithmetic
        if wide:
            values = (self._draw64(n) % np.uint64(span)).view(np.int64)
        else:
            raw = self._draw(n)
            raw %= raw.dtype.type(span)
            values = raw.astype(np.int64)
        values += low
        return values.astype(np_dtype, copy=False).reshape(shape)

    _randint = _random  # torch.randint(low, high, size) is random_(low, high) on empty()

    def _randperm(self, n, np_dtype):
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
        if n >= _ALL32 // 20:
            raise NotImplementedError(f"randperm(n={n}): ATen's random64 variant for n >= "
                                      f"{_ALL32 // 20} is not implemented")
        if n < 2:
            return np.arange(n).astype(np_dtype)
        # for i < n - 1: swap(a[i], a[i + random() % (n - i)])
        raw = self._draw(n - 1)
        targets = np.arange(n)
        offsets = raw % np.arange(n, 1, -1, dtype=raw.dtype)
        targets[:-1] += offsets.view(np.int64) if offsets.dtype == np.uint64 else offsets
        return _rt.permutation_from_swaps(targets).astype(np_dtype, copy=False)

    def _bernoulli(self, p, shape, np_dtype):
        """``bernoulli_(p)``: a float ``p`` compares double uniforms; an array ``p`` compares
        uniforms of its own precision (float32 for anything but float64)."""
        if isinstance(p, np.ndarray):
            if ((p < 0) | (p > 1)).any():
                raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
            wide = np.float64 if p.dtype == np.float64 else np.float32
            p = np.broadcast_to(p.astype(wide, copy=False), shape)
            u = self._uniform_units(_numel(shape), wide).reshape(shape)
        else:
            if not 0 <= p <= 1:
                raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}")
            u = self._uniform_units(_numel(shape), np.float64).reshape(shape)
        return (u < p).astype(np_dtype)

    def _exponential(self, shape, np_dtype, lambd=1.0):
        np_dtype = _continuous(np_dtype, "Exponential", _rt.TORCH_NAMES)
        if not lambd > 0:
            raise RuntimeError(f"exponential_ expects lambda > 0.0, but found "
                               f"lambda={_fmt(lambd)}")
        u = self._uniform_units(_numel(shape), np.float64)
        return _rt.cast_double(_rt.exponential(u, lambd), np_dtype).reshape(shape)

    def _geometric(self, shape, np_dtype, p):
        if not 0 < p < 1:
            raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")
        u = self._uniform_units(_numel(shape), np.float64)
        return _rt.cast_double(_rt.geometric(u, p), np_dtype).reshape(shape)

    def _cauchy(self, shape, np_dtype, median=0.0, sigma=1.0):
        np_dtype = _continuous(np_dtype, "Cauchy", _rt.CPP_NAMES)
        u = self._uniform_units(_numel(shape), np.float64)
        return _rt.cast_double(_rt.cauchy(u, median, sigma), np_dtype).reshape(shape)

    def _log_normal(self, shape, np_dtype, mean=1.0, std=2.0):
        np_dtype = _floating(np_dtype, "log_normal_cpu")
        if not std > 0:
            raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")
        z = _rt.log_normal(self._std_normals(_numel(shape)), mean, std)
        return _rt.cast_double(z, np_dtype).reshape(shape)

    def _multinomial(self, probs, num_samples, replacement=False):
        """``torch.multinomial`` over the last axis of a 1-D or 2-D float array."""
        probs = np.asarray(probs)
        if num_samples <= 0:
            raise RuntimeError("cannot sample n_sample <= 0 samples")
        if not replacement and num_samples > probs.shape[-1]:
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                               "replacement")
        if not replacement or num_samples == 1:
            # Gumbel-max in exponential form: argmax / top-k of p / Exp(1)
            if not (np.isfinite(probs).all() and (probs >= 0).all()):
                raise RuntimeError("probability tensor contains either `inf`, `nan` or "
                                   "element < 0")
            if (probs.sum(-1) == 0).any():
                raise RuntimeError(_NO_MASS)
            q = probs / self._exponential(probs.shape, probs.dtype)
            if num_samples == 1:
                return np.argmax(q, -1, keepdims=True)
            return np.ascontiguousarray(np.argsort(-q, -1, kind="stable")[..., :num_samples])
        rows = probs.reshape(-1, probs.shape[-1])
        if (rows < 0).any():
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry < 0)")
        cumulative = _rt.cumulative_distribution(rows)
        if cumulative is None:
            raise RuntimeError(_NO_MASS)
        out = np.empty((rows.shape[0], num_samples), np.int64)
        for i, row in enumerate(cumulative):  # lower_bound of a double uniform, row by row
            out[i] = np.searchsorted(row, self._uniform_units(num_samples, np.float64))
        return out.reshape(probs.shape[:-1] + (num_samples,))


_NO_MASS = "invalid multinomial distribution (sum of probabilities <= 0)"


def _floating(np_dtype, kernel):
    """``np_dtype`` as a dtype, or ATen's dispatch error for a kernel without it."""
    np_dtype = np.dtype(np_dtype)
    if np_dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_rt.TORCH_NAMES[np_dtype.name]}'")
    return np_dtype


def _continuous(np_dtype, distribution, names):
    np_dtype = np.dtype(np_dtype)
    if np_dtype.kind != "f":
        raise RuntimeError(f"{distribution} distribution is a continuous probability "
                           "distribution. dtype must be a floating point but you specified "
                           f"{names[np_dtype.name]}")
    return np_dtype


def _numel(shape):
    return shape if isinstance(shape, int) else math.prod(shape)


def _fmt(x):
    return f"{float(x):g}"


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator (``int(seed)`` first, as ``torch.manual_seed`` does)."""
    return default_generator.manual_seed(int(seed))


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):
    """Restore the default generator's state on exit (there is no CUDA state to fork)."""
    if not enabled:
        yield
        return
    state = default_generator._state_bytes()
    try:
        yield
    finally:
        default_generator._load_state_bytes(state)
