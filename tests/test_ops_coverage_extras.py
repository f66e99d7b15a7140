"""Oracle tests for the names added for PyTorch coverage: Variable, predicates, adjoint,
conj_physical, Tensor.new, resize_, apply_/map_/map2_, the *_copy ops and unsafe splits."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from oracle import assert_same_tensor, check_error, check_op, torch

rng = np.random.default_rng(0)
X = rng.standard_normal((2, 3, 4))
M = rng.standard_normal((3, 2))
LIBS = (ember, torch)


def check_complex(fn, data):
    """``check_op`` compares real parts only for complex results: compare whole values."""
    e = fn(ember, ember.from_numpy(data.copy()))
    t = fn(torch, torch.from_numpy(data.copy()))
    assert repr(e.dtype) == repr(t.dtype)
    np.testing.assert_allclose(e.numpy(), t.resolve_conj().numpy(), rtol=1e-6)


# -- Variable ------------------------------------------------------------------------------
def test_variable_returns_a_detached_tensor():
    for lib in LIBS:
        x = lib.ones(2, requires_grad=True) * 2
        v = lib.autograd.Variable(x)
        assert type(v) is lib.Tensor and v.grad_fn is None and not v.requires_grad
        w = lib.autograd.Variable(x, requires_grad=True)
        assert w.requires_grad and w.is_leaf
        w.data[0] = 7
        assert x[0].item() == 7  # shares memory
        assert isinstance(lib.zeros(1), lib.autograd.Variable)
        assert not isinstance(3, lib.autograd.Variable)
        assert tuple(lib.autograd.Variable().shape) == (0,)
        with pytest.warns(UserWarning, match="volatile was removed"):
            lib.autograd.Variable(lib.ones(1), volatile=True)
    check_error(lambda lib: lib.autograd.Variable(3))
    check_error(lambda lib: lib.autograd.variable(lib.ones(2)))
    check_error(lambda lib, x: lib.autograd.Variable(x, requires_grad=True),
                np.arange(3))


# -- predicates and small queries -------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "int64", "uint8", "bool", "complex64"])
def test_predicates(dtype):
    data = np.ones(3, dtype=dtype)
    for fn in ("is_complex", "is_signed", "is_inference", "get_device"):
        e = getattr(ember, fn)(ember.from_numpy(data))
        assert e == getattr(torch, fn)(torch.from_numpy(data)), fn
    assert ember.typename(ember.from_numpy(data)) == torch.typename(torch.from_numpy(data))


def test_typename_of_other_objects():
    assert ember.typename(3) == torch.typename(3) == "int"
    assert ember.typename(ember.nn.Linear(1, 1)) == "ember.nn.modules.linear.Linear"
    assert ember.typename(ember.nn.Parameter(ember.zeros(1))) == "torch.FloatTensor"
    assert ember.typename(ember.Tensor) == "ember._tensor.Tensor"


@pytest.mark.parametrize("name", ["is_complex", "is_signed", "is_inference", "get_device",
                                  "detach", "conj_physical"])
def test_function_forms_reject_non_tensors(name):
    check_error(lambda lib: getattr(lib, name)(3))


def test_detach_function():
    check_op(lambda lib, x: lib.detach(x * 2), X)


# -- adjoint, cfloat/cdouble, conj_physical ---------------------------------------------------
def test_adjoint():
    check_op(lambda lib, x: lib.adjoint(x), X)
    check_op(lambda lib, x: x.adjoint() * 2, M)
    check_op(lambda lib, x: x.transpose(0, 2).adjoint(), X)
    check_op(lambda lib, x: lib.adjoint(x), np.arange(6).reshape(2, 3))
    z = (X + 1j * X[::-1]).astype(np.complex64)
    check_complex(lambda lib, x: lib.adjoint(x), z)
    check_error(lambda lib, x: lib.adjoint(x), np.ones(3))
    for lib in LIBS:
        x = lib.ones(2, 3)
        assert x.adjoint()._base is x
        with pytest.warns(UserWarning, match="deprecated on 0-D"):
            assert x.sum().adjoint().item() == 6


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "bool", "complex128"])
def test_cfloat_cdouble(dtype):
    data = np.arange(4).astype(dtype)
    check_complex(lambda lib, x: x.cfloat(), data)
    check_complex(lambda lib, x: x.cdouble(), data)


def test_cfloat_grad_fn():
    for lib in LIBS:
        assert lib.ones(2, requires_grad=True).cfloat().grad_fn.name() == "ToCopyBackward0"


def test_conj_physical():
    z = (X + 2j * X ** 2).astype(np.complex128)
    check_complex(lambda lib, x: lib.conj_physical(x), z)
    check_op(lambda lib, x: x.conj_physical(), np.arange(3), requires_grad=False)
    for lib in LIBS:
        x = lib.ones(2, requires_grad=True)
        assert lib.conj_physical(x) is x
        c = lib.from_numpy(z.copy()).requires_grad_()
        assert lib.conj_physical(c).grad_fn.name() == "ConjPhysicalBackward0"
        y = c * 1
        assert y.conj_physical_() is y and y.grad_fn.name() == "ConjPhysicalBackward1"
        np.testing.assert_array_equal(y.detach().numpy(), np.conj(z))
        r = lib.ones(2)
        r.conj_physical_()
        assert r._version == 1
    check_error(lambda lib: lib.ones(2, requires_grad=True).conj_physical_())
    check_op(lambda lib, x: (x * 1).conj_physical_() * 3, X)


# -- Tensor.new -------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [(), (2, 3), ([1, 2],), ((2, 3),), ([[1.5], [2]],)])
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_new(args, dtype):
    e = ember.zeros(1, dtype=getattr(ember, dtype)).new(*args)
    t = torch.zeros(1, dtype=getattr(torch, dtype)).new(*args)
    assert tuple(e.shape) == tuple(t.shape) and repr(e.dtype) == repr(t.dtype)
    if args and isinstance(args[0], (list, tuple)):
        assert_same_tensor(e, t)


def test_new_from_size_and_tensor():
    for lib in LIBS:
        x = lib.arange(6.)
        assert tuple(x.new(lib.Size([2, 3])).shape) == (2, 3)
        alias = x.new(x)
        assert alias is not x and not alias.requires_grad
        alias[0] = 9
        assert x[0].item() == 9
    check_error(lambda lib, x: x.new(lib.tensor([1, 2])), X)
    check_error(lambda lib, x: x.new(2.5), X)
    check_error(lambda lib, x: x.new(-1), X)
    check_error(lambda lib, x: x.new(2, dtype=lib.int64), X)
    check_error(lambda lib, x: x.new([1, 2], requires_grad=True), X)


# -- resize_ / resize_as_ ---------------------------------------------------------------------
def _resized(lib, sizes):
    x = lib.arange(6.)
    views = x.view(2, 3)
    for size in sizes:
        x.resize_(*size)
    return x, views


@pytest.mark.parametrize("sizes", [[(2, 3)], [(2,)], [(2,), (6,)], [(3,), (2, 2)], [(0,)],
                                   [((4,),)], [(6,), (6,)]])
def test_resize_within_storage(sizes):
    (e, ev), (t, tv) = _resized(ember, sizes), _resized(torch, sizes)
    assert_same_tensor(e, t)
    assert e.stride() == t.stride() and e._version == t._version
    e.fill_(5)
    t.fill_(5)
    assert_same_tensor(ev, tv)   # still sharing memory with the view


def test_resize_grows_keeping_elements():
    for lib in LIBS:
        x = lib.arange(6.)
        x.resize_(2)
        x.resize_(3, 3)
        assert tuple(x.shape) == (3, 3)
        np.testing.assert_array_equal(x.numpy().ravel()[:6], np.arange(6.))


def test_resize_of_views():
    for lib in LIBS:
        base = lib.ones(2, 3)
        x = base.t()
        assert x.resize_(3, 2).stride() == (1, 3)     # same size: unchanged
        assert x.resize_(2, 3).stride() == (3, 1)
        y = lib.arange(6.)[1:4]
        y.resize_(2)
        np.testing.assert_array_equal(y.numpy(), [1., 2.])
    e = ember.ones(2)
    assert e.resize_as_(ember.ones(3, 1)).shape == (3, 1)


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(2, requires_grad=True).resize_(2),
    lambda lib: (lib.ones(2, requires_grad=True) * 2).resize_(3),
    lambda lib: lib.ones(2).resize_(-1),
    lambda lib: lib.ones(2).resize_(2, -1),
    lambda lib: lib.ones(2).resize_(2.0),
    lambda lib: lib.ones(2).resize_(),
    lambda lib: lib.ones(2).resize_as_(3),
    lambda lib: lib.ones(2, requires_grad=True).resize_as_(lib.ones(2)),
    lambda lib: lib.ones(2, 3).resize_(2, 3, memory_format=lib.channels_last),
    lambda lib: lib.ones(2, 3).resize_(3, 2, memory_format=lib.preserve_format),
])
def test_resize_errors(call):
    check_error(call)


def test_resize_errors_under_no_grad():
    for lib in LIBS:
        with lib.no_grad(), pytest.raises(RuntimeError, match="cannot resize variables"):
            lib.ones(2, requires_grad=True).resize_(3)


# -- apply_ / map_ / map2_ ----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool", "complex64"])
def test_apply(dtype):
    data = np.arange(6).reshape(2, 3).astype(dtype) * (1j if dtype == "complex64" else 1)
    data = data.astype(dtype)
    seen = {}
    for lib in LIBS:
        x = lib.from_numpy(data.copy())
        kinds = []

        def fn(v, kinds=kinds):
            kinds.append(type(v))
            return v * 2 if dtype != "bool" else not v
        x.t().apply_(fn)    # writes through a non-contiguous view
        seen[lib] = (x, kinds, x._version)
    np.testing.assert_array_equal(seen[ember][0].numpy(), seen[torch][0].numpy())
    assert set(seen[ember][1]) == set(seen[torch][1])
    assert seen[ember][2] == seen[torch][2]


@pytest.mark.parametrize("value", [2.7, "x", None, 1 + 2j, 2 ** 70, True])
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_apply_return_values(value, dtype):
    data = np.arange(3).astype(dtype)
    try:
        t = torch.from_numpy(data.copy()).apply_(lambda v: value)
    except Exception:
        check_error(lambda lib, x: x.apply_(lambda v: value), data)
        return
    assert_same_tensor(ember.from_numpy(data.copy()).apply_(lambda v: value), t)


def test_apply_accepts_0d_tensors_and_refuses_grad():
    for lib in LIBS:
        x = lib.arange(3.)
        three = lib.tensor(3.)
        assert x.apply_(lambda v, three=three: three) is x and x.tolist() == [3., 3., 3.]
    check_error(lambda lib: lib.arange(3., requires_grad=True).apply_(lambda v: v))


def test_map_and_map2():
    a, b, c = X[0], X[1, :1], X[1, :, :1].copy()
    check_op(lambda lib, x, y: x.map_(y, lambda p, q: p * q + 1), a, b, requires_grad=False)
    check_op(lambda lib, x, y, z: x.map2_(y, z, lambda p, q, r: p - q * r), a, b, c,
             requires_grad=False)
    check_op(lambda lib, x, y: x.map_(y, lambda p, q: p + q), np.arange(3), np.arange(3),
             requires_grad=False)


@pytest.mark.parametrize("call", [
    lambda lib: lib.arange(3.).map_(lib.ones(2), lambda a, b: a),
    lambda lib: lib.arange(3.).map_(lib.ones(2, 3), lambda a, b: a),
    lambda lib: lib.arange(3.).map_(lib.ones(3, dtype=lib.int64), lambda a, b: a),
    lambda lib: lib.arange(3.).map_(3, lambda a, b: a),
    lambda lib: lib.arange(3., requires_grad=True).map_(lib.ones(3), lambda a, b: a),
    lambda lib: lib.arange(3.).map_(lib.ones(3, requires_grad=True), lambda a, b: a),
    lambda lib: lib.arange(3.).map2_(lib.ones(3), lib.ones(3, dtype=lib.float64), min),
    lambda lib: lib.arange(3.).map2_(lib.ones(3), lib.ones(2), min),
    lambda lib: lib.arange(3.).map2_(lib.ones(3), lib.ones(3, requires_grad=True), min),
    lambda lib: lib.arange(3.).map_(lib.ones(3), lambda a, b: "no"),
])
def test_map_errors(call):
    check_error(call)


# -- the *_copy ops ---------------------------------------------------------------------------
COPIES = [
    lambda lib, x: lib.view_copy(x, (6, 4)),
    lambda lib, x: lib.view_copy(x, [-1]),
    lambda lib, x: lib.permute_copy(x, (2, 0, 1)),
    lambda lib, x: lib.transpose_copy(x, 0, 2),
    lambda lib, x: lib.t_copy(x[0]),
    lambda lib, x: lib.squeeze_copy(x[:1]),
    lambda lib, x: lib.squeeze_copy(x[:1], 0),
    lambda lib, x: lib.squeeze_copy(x[:1], (0, 1)),
    lambda lib, x: lib.unsqueeze_copy(x, 1),
    lambda lib, x: lib.expand_copy(x[:, :1], (5, 2, 3, 4)),
    lambda lib, x: lib.diagonal_copy(x, 0, 1, 2),
    lambda lib, x: lib.diagonal_copy(x, -1, 2, 0),
    lambda lib, x: lib.select_copy(x, 1, -1),
    lambda lib, x: lib.slice_copy(x, 2, 1, 4, 2),
    lambda lib, x: lib.slice_copy(x, -1, -10, 10),
    lambda lib, x: lib.slice_copy(x),
    lambda lib, x: lib.split_copy(x, 3, 2),
    lambda lib, x: lib.split_with_sizes_copy(x, [1, 3], -1),
    lambda lib, x: lib.unbind_copy(x, 1),
    lambda lib, x: lib.alias_copy(x),
    lambda lib, x: lib.narrow_copy(x, 2, 1, 2),
    lambda lib, x: x.transpose(0, 2).narrow_copy(0, 2, 2),
    lambda lib, x: lib.as_strided_copy(x, (2, 2), (1, 2), 1),
    lambda lib, x: lib.unfold_copy(x, 2, 2, 1),
    lambda lib, x: lib.unsafe_split(x, 2, 2),
    lambda lib, x: x.unsafe_split_with_sizes([1, 2], 1),
    lambda lib, x: lib.unsafe_chunk(x, 2, -1),
    lambda lib, x: x.unsafe_chunk(3, 0),
]


@pytest.mark.parametrize("fn", COPIES)
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
def test_copies(fn, dtype):
    e_out, _ = check_op(fn, X.astype(dtype) if dtype != "int64" else (X * 10).astype(dtype))
    for e in e_out:
        assert e._base is None
        if fn in COPIES[:-4]:   # the unsafe splits, last, share memory
            assert e.is_contiguous()


@given(st.lists(st.integers(0, 3), min_size=1, max_size=4), st.data())
@settings(max_examples=20, deadline=None)
def test_copies_on_random_shapes(shape, data):
    x = np.random.default_rng(len(shape)).standard_normal(shape)
    dims = data.draw(st.permutations(range(len(shape))))
    check_op(lambda lib, t: lib.permute_copy(t, dims), x)
    check_op(lambda lib, t: lib.squeeze_copy(t), x)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    check_op(lambda lib, t: lib.slice_copy(t, dim, 1, None, 2), x)
    check_op(lambda lib, t: lib.unbind_copy(t, dim), x)


def test_copies_do_not_share_memory_but_unsafe_splits_do():
    for lib in LIBS:
        x = lib.zeros(4)
        lib.permute_copy(x, (0,)).fill_(1)
        lib.split_copy(x, 2)[0].fill_(1)
        assert x.sum().item() == 0
        pieces = lib.unsafe_split(x, 2)
        assert pieces[0]._base is None
        pieces[0].add_(1)
        assert x.tolist() == [1, 1, 0, 0] and x._version == 0


def test_view_copy_dtype_and_complex_views():
    check_op(lambda lib, x: lib.view_copy(x, lib.int64), X)
    check_op(lambda lib, x: lib.view_copy(x, lib.float64), X)
    check_error(lambda lib, x: lib.view_copy(x, -1), X)
    z = (X + 1j).astype(np.complex128)
    check_op(lambda lib, x: lib.view_as_real_copy(x), z, requires_grad=False)
    check_complex(lambda lib, x: lib.view_as_complex_copy(x), X[..., :2].copy())
    check_error(lambda lib, x: lib.view_as_complex_copy(x.requires_grad_()), X[..., :2].copy())
    for lib in LIBS:
        r = lib.view_as_real_copy(lib.from_numpy(z).requires_grad_())
        assert r.grad_fn.name() == "ViewAsRealBackward0_copy"


def test_detach_copy():
    for lib in LIBS:
        x = lib.ones(2, requires_grad=True)
        y = lib.detach_copy(x)
        assert y.requires_grad and y.grad_fn.name() == "torch::autograd::NotImplemented"
        assert lib.detach_copy(lib.ones(2)).grad_fn is None
    check_error(lambda lib, x: lib.detach_copy(x.requires_grad_()).sum().backward(), X)


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.slice_copy(x, 0, 0, 2, 0),
    lambda lib, x: lib.slice_copy(x, 3),
    lambda lib, x: lib.select_copy(x, 0, 5),
    lambda lib, x: lib.narrow_copy(x, 0, 1, 5),
    lambda lib, x: lib.unsafe_split(x, [1, 1]),
    lambda lib, x: lib.unsafe_chunk(x, 0),
    lambda lib, x: lib.permute_copy(x, (0, 1)),
    lambda lib, x: lib.split_with_sizes_copy(x, [1, 2]),
])
def test_copy_errors(call):
    check_error(call, X)


def test_copies_gradcheck():
    x = ember.from_numpy(X.copy()).requires_grad_()
    for fn in COPIES:
        assert ember.autograd.gradcheck(lambda t, fn=fn: fn(ember, t), (x,))


def test_copies_double_backward():
    for lib in LIBS:
        x = lib.from_numpy(X.copy()).requires_grad_()
        y = lib.permute_copy(x, (2, 0, 1)) ** 2
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        np.testing.assert_allclose(gg.numpy(), 2 * np.ones_like(X))

