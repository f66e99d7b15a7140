"""ember.random against PyTorch's CPU generator: same seed, same calls, same numbers.

Each sampler of ``ember.random.Generator`` is compared bit for bit with the torch call it
stands for (float16 ``randn`` of 16+ elements within one float16 ulp, see ember/random.py),
and generator state moves both ways between ember and torch.
"""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember import random as er

SEEDS = [0, 1, 12345, 2**32 + 7]
SIZES = [1, 2, 15, 16, 17, 1000]
FLOATS = [(np.float32, torch.float32), (np.float64, torch.float64)]
INTS = [(np.int64, torch.int64), (np.int32, torch.int32)]
TORCH = {np.dtype(a): b for a, b in FLOATS + INTS + [
    (np.float16, torch.float16), (np.int16, torch.int16), (np.int8, torch.int8),
    (np.uint8, torch.uint8), (np.bool_, torch.bool)]}


def pair(seed):
    """A fresh ember Generator and torch's default generator, both seeded with ``seed``."""
    torch.manual_seed(seed)
    return er.Generator().manual_seed(seed)


def same(ours, theirs):
    theirs = theirs.numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert ours.dtype == theirs.dtype
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs, strict=True)
    assert ours.flags.c_contiguous


# ---- uniform -------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("np_dtype,torch_dtype", FLOATS + [(np.float16, torch.float16)])
def test_rand_and_uniform(seed, n, np_dtype, torch_dtype):
    g = pair(seed)
    same(g._uniform((n,), np_dtype), torch.rand(n, dtype=torch_dtype))
    same(g._uniform((n, 3), np_dtype, -0.3, 0.7),
         torch.empty(n, 3, dtype=torch_dtype).uniform_(-0.3, 0.7))
    same(g._uniform((2, n), np_dtype, 5, 5.001),  # values rounding to `to` become `from`
         torch.empty(2, n, dtype=torch_dtype).uniform_(5, 5.001))


@pytest.mark.parametrize("np_dtype,torch_dtype", FLOATS + [(np.float16, torch.float16)])
def test_rand_million(np_dtype, torch_dtype):
    g = pair(3)
    same(g._uniform((1000, 1000), np_dtype), torch.rand(1000, 1000, dtype=torch_dtype))
    same(g._uniform((10**6,), np_dtype, -0.05, 0.05),
         torch.empty(10**6, dtype=torch_dtype).uniform_(-0.05, 0.05))


def test_linear_init_consumes_like_torch():
    g = pair(0)
    torch.manual_seed(0)
    layer = torch.nn.Linear(784, 128)
    bound = 1 / 784**0.5
    same(g._uniform((128, 784), np.float32, -bound, bound), layer.weight.detach())
    same(g._uniform((128,), np.float32, -bound, bound), layer.bias.detach())


# ---- normal --------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES + [31, 33, 4099])
@pytest.mark.parametrize("np_dtype,torch_dtype", FLOATS)
def test_randn_and_normal(seed, n, np_dtype, torch_dtype):
    g = pair(seed)
    same(g._normal((n,), np_dtype), torch.randn(n, dtype=torch_dtype))
    same(g._normal((n, 2), np_dtype, 0.3, 2.5),
         torch.empty(n, 2, dtype=torch_dtype).normal_(0.3, 2.5))
    same(g._normal((1, n), np_dtype, -1.0, 0.02),
         torch.empty(1, n, dtype=torch_dtype).normal_(-1.0, 0.02))


@pytest.mark.parametrize("np_dtype,torch_dtype", FLOATS)
def test_randn_million(np_dtype, torch_dtype):
    g = pair(7)
    same(g._normal((10**6 + 5,), np_dtype), torch.randn(10**6 + 5, dtype=torch_dtype))


@pytest.mark.parametrize("n", [1, 15])
def test_randn_float16_scalar_path_is_exact(n):
    g = pair(4)
    same(g._normal((n,), np.float16, 0.5, 3.0),
         torch.empty(n, dtype=torch.float16).normal_(0.5, 3.0))


@pytest.mark.parametrize("n", [16, 17, 40, 200_001])
def test_randn_float16_blocks_within_one_ulp(n):
    g = pair(5)
    ours = g._normal((n,), np.float16)
    theirs = torch.randn(n, dtype=torch.float16).numpy()
    ulp = np.spacing(np.abs(theirs).astype(np.float16)).astype(np.float64)
    assert (np.abs(ours.astype(np.float64) - theirs) <= ulp).all()
    assert (ours == theirs).mean() > 0.9995
    # the stream stays aligned: the next draw is the same
    same(g._uniform((4,), np.float32), torch.rand(4))


def test_normal_cache_carries_across_calls():
    g = pair(0)
    same(g._uniform((1,), np.float32), torch.rand(1))
    for n, dtype in [(3, np.float32), (3, np.float32), (1, np.float64), (5, np.float64),
                     (20, np.float32), (2, np.float32)]:
        same(g._normal((n,), dtype), torch.randn(n, dtype=TORCH[np.dtype(dtype)]))
    same(g._log_normal((3,), np.float64, 0.1, 0.5),
         torch.empty(3, dtype=torch.float64).log_normal_(0.1, 0.5))
    same(g._normal((1,), np.float32, 2.0, 3.0), torch.empty(1).normal_(2.0, 3.0))
    g.manual_seed(0)  # seeding drops the cached sample
    torch.manual_seed(0)
    same(g._normal((5,), np.float32), torch.randn(5))
    assert np.allclose(g._normal((1,), np.float64), torch.randn(1, dtype=torch.float64))


def test_normal_noncontiguous_takes_scalar_path():
    g = pair(1)
    theirs = torch.empty(5, 8).t()
    theirs.normal_()
    # ATen walks a transposed tensor in memory order
    same(g._normal((40,), np.float32, contiguous=False), theirs.t().reshape(-1))


@pytest.mark.parametrize("shape", [(3,), (20,), (4, 5)])
@pytest.mark.parametrize("np_dtype,torch_dtype", FLOATS)
def test_normal_with_tensor_mean_and_std(shape, np_dtype, torch_dtype):
    mean = np.linspace(-2, 2, int(np.prod(shape))).reshape(shape).astype(np_dtype)
    std = np.linspace(0.1, 3, int(np.prod(shape))).reshape(shape).astype(np_dtype)
    g = pair(2)
    same(g._normal_tensor(mean, std, np_dtype),
         torch.normal(torch.from_numpy(mean), torch.from_numpy(std)))


# ---- integers ------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:.*is out of bounds")  # float32 past 2**24: both warn
@pytest.mark.parametrize("seed", SEEDS[:2])
@pytest.mark.parametrize("n", SIZES + [100_000])
@pytest.mark.parametrize("np_dtype,torch_dtype", INTS + FLOATS)
@pytest.mark.parametrize("low,high", [(0, 10), (-3, 100), (0, 2**28 - 1), (-5, 2**28),
                                      (-(2**31), 2**31 - 1)])
def test_randint(seed, n, np_dtype, torch_dtype, low, high):
    g = pair(seed)
    same(g._randint((n,), np_dtype, low, high),
         torch.randint(low, high, (n,), dtype=torch_dtype))


@pytest.mark.parametrize("low,high", [(0, 2**32), (-(2**40), 2**41), (-(2**62), 2**62)])
def test_randint_wide_int64(low, high):
    g = pair(9)
    same(g._randint((1000,), np.int64, low, high), torch.randint(low, high, (1000,)))


@pytest.mark.parametrize("n", [1, 17, 5000])
@pytest.mark.parametrize("np_dtype", [np.int64, np.int32, np.int16, np.int8, np.uint8,
                                      np.bool_, np.float32, np.float64, np.float16])
def test_random_(n, np_dtype):
    tdt = TORCH[np.dtype(np_dtype)]
    g = pair(11)
    same(g._random((n,), np_dtype), torch.empty(n, dtype=tdt).random_())
    same(g._random((n,), np_dtype, None, 2), torch.empty(n, dtype=tdt).random_(2))
    if np_dtype is not np.bool_:
        same(g._random((n,), np_dtype, 3, None), torch.empty(n, dtype=tdt).random_(3, None))
        same(g._random((n,), np_dtype, 1, 7), torch.empty(n, dtype=tdt).random_(1, 7))


def test_random_full_and_float_ranges():
    g = pair(13)
    same(g._random((50,), np.int64, -(2**63), None),
         torch.empty(50, dtype=torch.int64).random_(-(2**63), None))
    with pytest.warns(UserWarning) as theirs_warned:  # float32 cannot hold these exactly
        theirs = torch.empty(50).random_(2**30 + 1, 2**31 - 1)
    with pytest.warns(UserWarning) as ours_warned:
        same(g._random((50,), np.float32, 2**30 + 1, 2**31 - 1), theirs)
    assert ([str(w.message).split(" (Triggered")[0] for w in theirs_warned]
            == [str(w.message) for w in ours_warned])


def test_dataloader_base_seed():
    g = pair(2024)
    for _ in range(3):
        ours = g._random((), np.int64)
        same(ours, torch.empty((), dtype=torch.int64).random_())
        assert ours.shape == ()


# ---- randperm ------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [0, 1, 2, 3, 15, 16, 17, 1000, 2049, 100_000])
def test_randperm(seed, n):
    g = pair(seed)
    same(g._randperm(n, np.int64), torch.randperm(n))
    same(g._randperm(n, np.int32), torch.randperm(n, dtype=torch.int32))
    same(g._randperm(n, np.float32), torch.randperm(n, dtype=torch.float32))


def test_randperm_million():
    g = pair(21)
    same(g._randperm(10**6, np.int64), torch.randperm(10**6))
    same(g._uniform((3,), np.float32), torch.rand(3))


def test_randperm_follows_sequential_swaps():
    g = er.Generator().manual_seed(8)
    ours = g._randperm(5000, np.int64)
    g.manual_seed(8)
    a = list(range(5000))
    for i, word in enumerate(g._draw(4999).tolist()):
        j = i + word % (5000 - i)
        a[i], a[j] = a[j], a[i]
    assert ours.tolist() == a


# ---- bernoulli and friends -----------------------------------------------------------------
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("np_dtype", [np.float32, np.float64, np.int64, np.bool_])
def test_bernoulli_scalar_p(n, np_dtype):
    g = pair(17)
    same(g._bernoulli(0.37, (n, 2), np_dtype),
         torch.empty(n, 2, dtype=TORCH[np.dtype(np_dtype)]).bernoulli_(0.37))
    same(g._bernoulli(0.0, (n,), np_dtype),
         torch.empty(n, dtype=TORCH[np.dtype(np_dtype)]).bernoulli_(0.0))


@pytest.mark.parametrize("n", [1, 16, 3000])
@pytest.mark.parametrize("p_dtype", [np.float32, np.float64, np.float16])
def test_bernoulli_tensor_p(n, p_dtype):
    p = np.linspace(0, 1, n).astype(p_dtype)
    g = pair(19)
    same(g._bernoulli(p, (n,), p_dtype), torch.bernoulli(torch.from_numpy(p)))
    same(g._bernoulli(p[:1], (3, n), np.float32),  # a broadcast p fills every slot
         torch.empty(3, n).bernoulli_(torch.from_numpy(p[:1])))


@pytest.mark.parametrize("n", [1, 16, 4000])
@pytest.mark.parametrize("np_dtype", [np.float32, np.float64, np.float16])
def test_exponential_cauchy_log_normal(n, np_dtype):
    tdt = TORCH[np.dtype(np_dtype)]
    g = pair(23)
    same(g._exponential((n,), np_dtype, 1.7), torch.empty(n, dtype=tdt).exponential_(1.7))
    same(g._cauchy((n,), np_dtype, 0.2, 1.3), torch.empty(n, dtype=tdt).cauchy_(0.2, 1.3))
    same(g._log_normal((n,), np_dtype, 0.2, 0.7),
         torch.empty(n, dtype=tdt).log_normal_(0.2, 0.7))


@pytest.mark.parametrize("np_dtype", [np.float32, np.float64, np.int64])
def test_geometric(np_dtype):
    g = pair(29)
    same(g._geometric((2000,), np_dtype, 0.3),
         torch.empty(2000, dtype=TORCH[np.dtype(np_dtype)]).geometric_(0.3))


@pytest.mark.parametrize("np_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("num_samples,replacement", [(1, False), (1, True), (3, False),
                                                     (7, False), (5, True), (200, True)])
def test_multinomial(np_dtype, num_samples, replacement):
    probs = np.random.RandomState(0).rand(4, 7).astype(np_dtype)
    probs[1, 3] = 0
    for p in (probs, probs[0]):
        g = pair(31)
        same(g._multinomial(p, num_samples, replacement),
             torch.multinomial(torch.from_numpy(p), num_samples, replacement))


# ---- properties over random seeds and shapes ------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**64 - 1),
       shape=st.lists(st.integers(0, 9), min_size=0, max_size=3).map(tuple),
       calls=st.lists(st.sampled_from(["rand", "randn", "randn64", "randint", "perm"]),
                      min_size=1, max_size=5))
def test_interleaved_calls_match(seed, shape, calls):
    g = pair(seed)
    for call in calls:
        if call == "rand":
            same(g._uniform(shape, np.float32), torch.rand(shape))
        elif call == "randn":
            same(g._normal(shape, np.float32), torch.randn(shape))
        elif call == "randn64":
            same(g._normal(shape, np.float64), torch.randn(shape, dtype=torch.float64))
        elif call == "randint":
            same(g._randint(shape, np.int64, -4, 9), torch.randint(-4, 9, shape))
        else:
            same(g._randperm(len(shape) * 7, np.int64), torch.randperm(len(shape) * 7))


# ---- seeds and state -----------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 5, 2**32 + 5, 2**64 - 1, -1, -(2**63)])
def test_seed_semantics(seed):
    g = er.Generator()
    assert g.manual_seed(seed) is g
    t = torch.Generator().manual_seed(seed)
    assert g.initial_seed() == t.initial_seed()
    same(g._state_bytes(), t.get_state())
    same(g._uniform((5,), np.float32), torch.rand(5, generator=t))


def test_seeds_truncate_to_32_bits():
    a = er.Generator().manual_seed(2**32 + 5)._uniform((4,), np.float32)
    b = er.Generator().manual_seed(5)._uniform((4,), np.float32)
    same(a, b)


@pytest.mark.parametrize("bad", [2**64, -(2**63) - 1])
def test_seed_overflow(bad):
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        er.Generator().manual_seed(bad)
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        torch.Generator().manual_seed(bad)


def test_float_seed():
    with pytest.raises(RuntimeError, match="manual_seed expected a long, but got float"):
        er.Generator().manual_seed(1.5)
    assert er.manual_seed(1.7) is er.default_generator
    assert er.initial_seed() == torch.manual_seed(1.7).initial_seed() == 1


def test_fresh_generators_match_torch_defaults():
    g, t = er.Generator(), torch.Generator()
    assert g.initial_seed() == t.initial_seed() == er.DEFAULT_SEED
    assert str(g.device) == str(t.device) == "cpu"
    same(g._state_bytes(), t.get_state())
    same(g._uniform((3,), np.float32), torch.rand(3, generator=t))


def test_fresh_process_default_stream():
    code = ("import json, ember; print(json.dumps([ember.initial_seed(), "
            "ember.random.default_generator._uniform((3,), 'float32').tolist()]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    seed, first = json.loads(out)
    fresh = torch.Generator()
    assert seed == fresh.initial_seed()
    assert first == torch.rand(3, generator=fresh).tolist()


@pytest.mark.parametrize("draws", [0, 1, 3, 623, 624, 625, 1248, 5000])
def test_state_bytes_match_torch(draws):
    g = pair(77)
    g._uniform((draws,), np.float32)
    torch.rand(draws)
    same(g._state_bytes(), torch.get_rng_state())
    g._normal((1,), np.float32)  # leaves a cached double sample in the state
    torch.randn(1)
    same(g._state_bytes(), torch.get_rng_state())


@pytest.mark.parametrize("draws", [0, 5, 624, 1000])
def test_torch_state_continues_in_ember(draws):
    t = torch.Generator().manual_seed(2**40 + 3)
    torch.rand(draws, generator=t)
    torch.randn(3, generator=t)
    g = er.Generator().set_state(t.get_state().numpy())
    assert g.initial_seed() == t.initial_seed()
    same(g._normal((7,), np.float32), torch.randn(7, generator=t))
    same(g._randperm(50, np.int64), torch.randperm(50, generator=t))
    same(g._state_bytes(), t.get_state())


@pytest.mark.parametrize("draws", [0, 5, 624, 1000])
def test_ember_state_continues_in_torch(draws):
    g = er.Generator().manual_seed(99)
    g._uniform((draws,), np.float64)
    g._normal((1,), np.float64)
    t = torch.Generator()
    t.set_state(torch.from_numpy(g._state_bytes()))
    assert t.initial_seed() == 99
    same(g._normal((9,), np.float64), torch.randn(9, dtype=torch.float64, generator=t))
    same(g._uniform((3,), np.float32), torch.rand(3, generator=t))


def test_state_through_ember_tensors():
    ember.manual_seed(4)
    state = ember.get_rng_state()
    assert isinstance(state, ember.Tensor)
    assert tuple(state.shape) == (5056,) and state.dtype == ember.uint8
    first = er.default_generator._uniform((5,), np.float32)
    ember.set_rng_state(state)
    same(er.default_generator._uniform((5,), np.float32), first)
    torch.set_rng_state(torch.from_numpy(state._data.copy()))
    same(first, torch.rand(5))


def test_set_state_errors_match_torch():
    for bad, error in [(np.zeros(10, np.uint8), RuntimeError),
                       (np.zeros(5056, np.float32), TypeError),
                       (np.zeros(5056, np.uint8), RuntimeError)]:
        with pytest.raises(error) as ours:
            er.Generator().set_state(bad)
        with pytest.raises(error) as theirs:
            torch.Generator().set_state(torch.from_numpy(bad))
        assert str(ours.value) == str(theirs.value)


def test_generators_are_independent_of_the_default():
    er.manual_seed(3)
    torch.manual_seed(3)
    g = er.Generator().manual_seed(3)
    t = torch.Generator().manual_seed(3)
    same(g._uniform((4,), np.float32), torch.rand(4, generator=t))
    same(g._normal((3,), np.float32), torch.randn(3, generator=t))
    # the default generators have not moved
    same(er.default_generator._uniform((4,), np.float32), torch.rand(4))
    same(er.default_generator._normal((3,), np.float32), torch.randn(3))
    same(g._normal((3,), np.float32), torch.randn(3, generator=t))  # g kept its cache


def test_seed_is_fresh_and_recorded():
    g = er.Generator()
    s = g.seed()
    assert g.initial_seed() == s and 0 <= s < 2**64
    assert er.Generator().seed() != s
    assert er.seed() == er.initial_seed()


def test_fork_rng_restores_the_default_state():
    er.manual_seed(6)
    with er.fork_rng():
        inside = er.default_generator._normal((3,), np.float32)
    same(er.default_generator._normal((3,), np.float32), inside)
    with er.fork_rng(enabled=False):
        er.default_generator._uniform((2,), np.float32)
    torch.manual_seed(6)
    torch.randn(3)
    same(er.default_generator._uniform((2,), np.float32), torch.rand(4)[2:])


# ---- errors --------------------------------------------------------------------------------
def _message(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


@pytest.mark.parametrize("ours,theirs", [
    (lambda g: g._uniform((3,), np.float32, 1, 0), lambda: torch.empty(3).uniform_(1, 0)),
    (lambda g: g._normal((3,), np.float32, 0, -1), lambda: torch.empty(3).normal_(0, -1)),
    (lambda g: g._randint((3,), np.int64, 5, 5), lambda: torch.randint(5, 5, (3,))),
    (lambda g: g._random((3,), np.uint8, -5, 3),
     lambda: torch.empty(3, dtype=torch.uint8).random_(-5, 3)),
    (lambda g: g._bernoulli(1.5, (3,), np.float32), lambda: torch.empty(3).bernoulli_(1.5)),
    (lambda g: g._exponential((3,), np.float32, -1), lambda: torch.empty(3).exponential_(-1)),
    (lambda g: g._geometric((3,), np.float32, 0), lambda: torch.empty(3).geometric_(0)),
    (lambda g: g._log_normal((3,), np.float32, 0, 0), lambda: torch.empty(3).log_normal_(0, 0)),
    (lambda g: g._randperm(-1, np.int64), lambda: torch.randperm(-1)),
    (lambda g: g._uniform((3,), np.float32, 0, np.inf),
     lambda: torch.empty(3).uniform_(0, float("inf"))),
    (lambda g: g._uniform((3,), np.float32, -3e38, 3e38),
     lambda: torch.empty(3).uniform_(-3e38, 3e38)),
    (lambda g: g._uniform((3,), np.int64), lambda: torch.empty(3, dtype=torch.int64).uniform_()),
    (lambda g: g._normal((20,), np.int32), lambda: torch.empty(20, dtype=torch.int32).normal_()),
    (lambda g: g._exponential((3,), np.int64),
     lambda: torch.empty(3, dtype=torch.int64).exponential_()),
    (lambda g: g._cauchy((3,), np.uint8), lambda: torch.empty(3, dtype=torch.uint8).cauchy_()),
    (lambda g: g._log_normal((3,), np.bool_),
     lambda: torch.empty(3, dtype=torch.bool).log_normal_()),
])
def test_error_messages_match_torch(ours, theirs):
    assert _message(lambda: ours(er.Generator())) == _message(theirs)
