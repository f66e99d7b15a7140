"""torch-namespace settings, constants, layouts, legacy types and the creation extras
(``empty_strided``, ``fill``, ``frombuffer``, ``range``, ``chain_matmul``, ``unravel_index``,
complex views and constructors), each against PyTorch."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from oracle import assert_same_tensor, check_error, check_op


def test_constants():
    for name in ("pi", "e", "inf"):
        assert getattr(ember, name) == getattr(torch, name)
    assert np.isnan(ember.nan) and ember.newaxis is None


def test_threads():
    before = ember.get_num_threads()
    assert before >= 1 and ember.get_num_interop_threads() >= 1
    ember.set_num_threads(1)
    assert ember.get_num_threads() == 1
    ember.set_num_threads(before)
    for bad in (0, -1, 1.5, "2", True):
        check_error(lambda lib, bad=bad: lib.set_num_threads(bad))
    check_error(lambda lib: lib.set_num_interop_threads(0))


def test_determinism_switches():
    for args, kwargs in (((True,), {"warn_only": True}), ((True,), {}), ((False,), {})):
        for lib in (ember, torch):
            lib.use_deterministic_algorithms(*args, **kwargs)
        assert ember.are_deterministic_algorithms_enabled() == \
            torch.are_deterministic_algorithms_enabled()
        assert ember.is_deterministic_algorithms_warn_only_enabled() == \
            torch.is_deterministic_algorithms_warn_only_enabled()
        assert ember.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode()
    for mode in ("default", "warn", "error", 0, 1, 2, 0):
        for lib in (ember, torch):
            lib.set_deterministic_debug_mode(mode)
        assert ember.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode()
        assert ember.is_deterministic_algorithms_warn_only_enabled() == \
            torch.is_deterministic_algorithms_warn_only_enabled()
    for bad in ("x", 3, 1.0):
        check_error(lambda lib, bad=bad: lib.set_deterministic_debug_mode(bad))
    check_error(lambda lib: lib.use_deterministic_algorithms(1))
    check_error(lambda lib: lib.use_deterministic_algorithms(True, warn_only=1))


def test_precision_and_warn_always():
    for p in ("high", "medium", "highest"):
        ember.set_float32_matmul_precision(p)
        assert ember.get_float32_matmul_precision() == p
    with pytest.warns(UserWarning, match="x is not one of 'highest', 'high', or 'medium'"):
        ember.set_float32_matmul_precision("x")
    assert ember.get_float32_matmul_precision() == "highest"
    check_error(lambda lib: lib.set_float32_matmul_precision(3))
    ember.set_warn_always(True)
    assert ember.is_warn_always_enabled()
    ember.set_warn_always(False)
    assert not ember.is_warn_always_enabled()
    check_error(lambda lib: lib.set_warn_always(1))


def test_default_device():
    for value in ("cpu", ember.device("cpu"), None):
        ember.set_default_device(value)
        assert ember.get_default_device() == ember.device("cpu")
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        ember.set_default_device("cuda")
    check_error(lambda lib: lib.set_default_device("xyz"))


def test_layout_and_memory_formats():
    for name in ("strided", "contiguous_format", "preserve_format", "channels_last",
                 "channels_last_3d"):
        assert repr(getattr(ember, name)) == repr(getattr(torch, name))
        assert pickle.loads(pickle.dumps(getattr(ember, name))) is getattr(ember, name)
    assert isinstance(ember.strided, ember.layout)
    assert isinstance(ember.channels_last, ember.memory_format)
    check_error(lambda lib: lib.layout())
    check_error(lambda lib: lib.memory_format())
    x = ember.zeros(2, 3)
    assert ember.empty(2, 3, memory_format=ember.contiguous_format).shape == (2, 3)
    assert x.contiguous(memory_format=ember.channels_last) is not None


def test_tensor_queries():
    e, t = ember.zeros(2), torch.zeros(2)
    assert e.is_cpu is t.is_cpu is True
    assert repr(e.layout) == repr(t.layout)
    assert e.is_pinned() is t.is_pinned() is False
    check_error(lambda lib: lib.zeros(2).pin_memory())
    assert not e.is_shared() and e.share_memory_() is e and e.is_shared()


def test_legacy_types():
    pairs = [("FloatTensor", "float32"), ("DoubleTensor", "float64"), ("HalfTensor", "float16"),
             ("LongTensor", "int64"), ("IntTensor", "int32"), ("ShortTensor", "int16"),
             ("CharTensor", "int8"), ("ByteTensor", "uint8"), ("BoolTensor", "bool")]
    for name, dtype in pairs:
        e_cls, t_cls = getattr(ember, name), getattr(torch, name)
        assert repr(e_cls) == repr(t_cls)
        assert_same_tensor(e_cls([1, 0]), t_cls([1, 0]))
        assert e_cls(2, 3).shape == t_cls(2, 3).shape and e_cls().shape == t_cls().shape
        assert e_cls(2).dtype == getattr(ember, dtype)
        for other in ("float32", "int64"):
            e, t = ember.zeros(2, dtype=getattr(ember, other)), torch.zeros(2, dtype=getattr(
                torch, other))
            assert isinstance(e, e_cls) == isinstance(t, t_cls)
    assert_same_tensor(ember.LongTensor([1.5, -2.7]), torch.LongTensor([1.5, -2.7]))
    assert ember.FloatTensor(ember.Size([2, 3])).shape == (2, 3)
    assert_same_tensor(ember.FloatTensor((2, 3)), torch.FloatTensor((2, 3)))
    check_op(lambda lib, x: lib.FloatTensor(x) * 2, np.ones(3, np.float32))
    for bad in (lambda lib: lib.FloatTensor(lib.tensor([1, 2])),
                lambda lib: lib.FloatTensor(2, 3.0), lambda lib: lib.FloatTensor("a"),
                lambda lib: lib.FloatTensor(-1)):
        check_error(bad)


# -- creation extras --------------------------------------------------------------------------
@pytest.mark.parametrize("size,stride", [((2, 3), (1, 2)), ((2, 3), (3, 1)), ((2, 3), (0, 0)),
                                         ((0, 4), (4, 1)), ((), ())])
def test_empty_strided(size, stride):
    e, t = ember.empty_strided(size, stride), torch.empty_strided(size, stride)
    assert e.shape == t.shape and e.stride() == t.stride() and repr(e.dtype) == repr(t.dtype)
    assert e.is_contiguous() == t.is_contiguous()
    assert ember.empty_strided(size, stride, dtype=ember.float64).dtype == ember.float64


def test_empty_strided_errors():
    check_error(lambda lib: lib.empty_strided((2, 3), (1,)))
    check_error(lambda lib: lib.empty_strided((2, -3), (1, 1)))
    check_error(lambda lib: lib.empty_strided((2, 3), (-1, 1)))


@settings(max_examples=15, deadline=None)
@given(shape=st.sampled_from([(), (0,), (3,), (2, 3)]),
       dtype=st.sampled_from([np.float32, np.float64, np.int64, np.int32]),
       value=st.sampled_from([2, 2.7, -1, True]))
def test_fill(shape, dtype, value):
    check_op(lambda lib, x: lib.fill(x, value), np.zeros(shape, dtype))


def test_fill_tensor_value_and_errors():
    check_op(lambda lib, x, v: lib.fill(x, v), np.zeros(3, np.float32), np.array(2.5, np.float32))
    check_error(lambda lib, x: lib.fill(x, lib.ones(2)), np.zeros(3, np.float32))
    check_error(lambda lib, x: lib.fill(x, "a"), np.zeros(3, np.float32))


def test_frombuffer():
    for kwargs in ({"dtype": "uint8"}, {"dtype": "float32", "count": 1, "offset": 4},
                   {"dtype": "int16", "offset": 2}, {"dtype": "bool"}):
        data = bytearray(range(1, 9))
        kw = dict(kwargs, dtype=getattr(torch, kwargs["dtype"]))
        t = torch.frombuffer(bytearray(data), **kw)
        e = ember.frombuffer(data, **dict(kwargs, dtype=getattr(ember, kwargs["dtype"])))
        assert_same_tensor(e, t)
    shared = bytearray(4)
    ember.frombuffer(shared, dtype=ember.uint8)[1] = 7
    assert shared[1] == 7
    with pytest.warns(UserWarning, match="The given buffer is not writable"):
        ember.frombuffer(b"abcd", dtype=ember.uint8)
    for kwargs in ({"count": 3}, {"offset": 9}):
        check_error(lambda lib, kw=kwargs: lib.frombuffer(bytearray(8), dtype=lib.float32, **kw))
    check_error(lambda lib: lib.frombuffer(bytearray(3), dtype=lib.float32))
    check_error(lambda lib: lib.frombuffer(bytearray(0), dtype=lib.float32))


def _quiet(fn):
    def run(lib, *xs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(lib, *xs)
    return run


@pytest.mark.parametrize("args,kwargs", [((0, 4), {}), ((0, 4, 2), {}), ((0, 1, 0.3), {}),
                                         ((4, 0, -1), {}), ((1, 4), {"dtype": "int64"}),
                                         ((0, 10, 3), {"dtype": "int32"}), ((1, 2.5, 0.5), {})])
def test_range(args, kwargs):
    check_op(_quiet(lambda lib: lib.range(*args, **{k: getattr(lib, v) for k, v in
                                                     kwargs.items()})))
    with pytest.warns(UserWarning, match="torch.range is deprecated"):
        ember.range(0, 1)


def test_range_errors():
    check_error(_quiet(lambda lib: lib.range(0, 4, 0)))
    check_error(_quiet(lambda lib: lib.range(4, 0)))


def test_chain_matmul():
    a, b, c = (np.random.default_rng(i).standard_normal(s) for i, s in
               enumerate([(2, 3), (3, 4), (4, 2)]))
    check_op(_quiet(lambda lib, x, y, z: lib.chain_matmul(x, y, z)), a, b, c)
    check_op(_quiet(lambda lib, x, y: lib.chain_matmul(x, y)), a, b, check_grad_fn=False)
    check_op(_quiet(lambda lib, x: lib.chain_matmul(x)), a)
    with pytest.warns(UserWarning, match="torch.chain_matmul is deprecated"):
        ember.chain_matmul(ember.ones(2, 2))
    check_error(_quiet(lambda lib: lib.chain_matmul()))
    check_error(_quiet(lambda lib, x: lib.chain_matmul(x)), np.ones(3))


@pytest.mark.parametrize("indices,shape", [([4, 1], (2, 3)), (4, (2, 3)), ([6, -1], (2, 3)),
                                           ([[1234], [5678]], (10, 10, 10, 10)), ([1], 4),
                                           ([0], ())])
def test_unravel_index(indices, shape):
    for dtype in (np.int64, np.int32):
        check_op(lambda lib, i: lib.unravel_index(i, shape), np.array(indices, dtype))


def test_unravel_index_errors():
    check_error(lambda lib, i: lib.unravel_index(i, (2, 3)), np.ones(1, np.float32))
    check_error(lambda lib, i: lib.unravel_index(i, (2, 3)), np.ones(1, np.bool_))
    check_error(lambda lib, i: lib.unravel_index(i, (2, -3)), np.ones(1, np.int64))


def _complex(shape, dtype=np.complex128, seed=0):
    rng = np.random.default_rng(seed)
    return np.asarray(rng.standard_normal(shape) + 1j * rng.standard_normal(shape), dtype)


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (0,)])
def test_view_as_real_and_complex(shape):
    check_op(lambda lib, z: lib.view_as_real(z) * 1, _complex(shape), requires_grad=False)
    check_op(lambda lib, z: lib.view_as_real(z[::2] if z.dim() else z),
             _complex(shape, np.complex64), requires_grad=False)
    rng = np.random.default_rng(1)
    for dtype in (np.float32, np.float64) if 0 not in shape else ():
        # (torch refuses NumPy's zero strides for empty arrays, so no empty case here)
        x = rng.standard_normal(shape + (2,)).astype(dtype)
        check_op(lambda lib, x: lib.view_as_real(lib.view_as_complex(x) * 2), x)
    z = ember.tensor([1 + 2j, 3 - 1j])
    r = ember.view_as_real(z)
    r[0, 1] = 5
    assert z[0].item() == 1 + 5j


def test_view_as_complex_errors():
    rng = np.random.default_rng(0)
    check_error(lambda lib, x: lib.view_as_real(x), rng.standard_normal(3))
    check_error(lambda lib, x: lib.view_as_complex(x), rng.standard_normal((3, 3)))
    check_error(lambda lib, x: lib.view_as_complex(x.t()), rng.standard_normal((2, 3)))
    check_error(lambda lib, x: lib.view_as_complex(x), np.ones((3, 2), np.int64))
    check_op(lambda lib, x: lib.view_as_real(lib.view_as_complex(x[::2])),
             rng.standard_normal((4, 2)))


@settings(max_examples=10, deadline=None)
@given(shapes=st.sampled_from([((3,), (3,)), ((2, 1), (3,)), ((), (2,))]),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_complex_and_polar(shapes, dtype):
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(s).astype(dtype) for s in shapes)
    for name in ("complex", "polar"):
        check_op(lambda lib, x, y, name=name: lib.view_as_real(getattr(lib, name)(x, y)), a, b,
                 check_grad_fn=False)
        check_op(lambda lib, x, y, name=name: getattr(lib, name)(x, y), a, b, requires_grad=False)
    ea, eb = ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)
    assert ember.complex(ea, eb).grad_fn.name() == "ComplexBackward0"
    assert ember.polar(ea, eb).grad_fn.name() == "PolarBackward0"


def test_complex_errors():
    f32, f64 = np.ones(3, np.float32), np.ones(3, np.float64)
    for name in ("complex", "polar"):
        check_error(lambda lib, x, y, name=name: getattr(lib, name)(x, y), f32, f64)
        check_error(lambda lib, x, y, name=name: getattr(lib, name)(x, y), np.ones(3, np.int64),
                    np.ones(3, np.int64))
        check_error(lambda lib, x, y, name=name: getattr(lib, name)(x, y), f32,
                    np.ones(2, np.float32))
    check_error(lambda lib, y: lib.complex(1.0, y), f32)


def test_gradcheck():
    rng = np.random.default_rng(0)
    a, b = (ember.tensor(rng.standard_normal(3), requires_grad=True) for _ in range(2))
    x = ember.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    gradcheck = ember.autograd.gradcheck
    assert gradcheck(lambda x: ember.view_as_real(ember.view_as_complex(x) * 2), (x,))
    # Positive abs: PyTorch's formula (which ember follows) uses sgn(result), not e^(i angle).
    assert gradcheck(lambda a, b: ember.view_as_real(ember.polar(a.abs() + 0.1, b)), (a, b))
    assert gradcheck(lambda a, b: ember.view_as_real(ember.complex(a, b)), (a, b))
    assert gradcheck(lambda a, b: ember.fill(a, b.sum()) * a, (a, b))


def test_type_accepts_a_legacy_type():
    from oracle import check_op
    check_op(lambda lib, x: x.type(lib.DoubleTensor), np.ones(3, np.float32))
    check_op(lambda lib, x: x.type(lib.LongTensor), np.ones(3, np.float32), requires_grad=False)


def test_floating_point_warnings_only_from_the_users_numpy(tmp_path):
    # PyTorch never warns about inf/nan arithmetic; NumPy does, and ember's ops compute with
    # NumPy. Run as a script: pytest resets warning filters inside tests.
    script = tmp_path / "warns.py"
    script.write_text(
        "import numpy as np\nimport ember\n"
        "z = ember.zeros(40, dtype=ember.float64)\n"
        "ember.log(z); 1 / z; z / z; ember.full_like(z, 1e300) * 1e300\n"
        "(ember.log(z.requires_grad_()) * 0).sum().backward()\n"
        "np.log(np.zeros(40))\n")
    import subprocess
    import sys
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    # Exactly the user's own NumPy call warns, and NumPy says so at the user's line.
    assert run.stderr.count("RuntimeWarning") == 1, run.stderr
    assert "warns.py:6: RuntimeWarning: divide by zero encountered in log" in run.stderr
