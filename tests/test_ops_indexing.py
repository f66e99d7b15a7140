"""Indexing against PyTorch: ``x[key]`` reads and writes, the index/scatter/gather/masked
ops, in-place writes into views under autograd (CopySlices), bad arguments; float64
gradcheck and gradgradcheck."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from oracle import assert_same_tensor, check_error, check_op, torch

SETTINGS = settings(max_examples=100, deadline=None)


def arrays(shape, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.bool_:
        return rng.integers(0, 2, size=shape).astype(bool)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(-5, 6, size=shape).astype(dtype)
    return rng.uniform(-3, 3, size=shape).astype(dtype)


X = arrays((3, 4, 5))

# x[key] for every kind of key; `t` builds an index tensor in the library under test.
KEYS = {
    "int": lambda lib: 1,
    "negative_int": lambda lib: -1,
    "slice": lambda lib: slice(1, None),
    "full_slice": lambda lib: slice(None),
    "slice_step": lambda lib: (slice(None), slice(None, None, 2)),
    "slice_past_end": lambda lib: slice(2, 10),
    "whole_slices_as_written": lambda lib: (slice(0, 10), slice(-5, None), slice(0, -0)),
    "whole_slice_with_step": lambda lib: (slice(None), slice(None, None, 1)),
    "empty_slice": lambda lib: slice(2, 1),
    "tuple_basic": lambda lib: (0, slice(1, 3), -2),
    "none": lambda lib: None,
    "none_middle": lambda lib: (slice(None), None, 1),
    "ellipsis": lambda lib: Ellipsis,
    "ellipsis_int": lambda lib: (Ellipsis, 2),
    "ellipsis_middle": lambda lib: (1, Ellipsis, None, 0),
    "full_tuple": lambda lib: (slice(None), slice(None)),
    "empty_tuple": lambda lib: (),
    "true": lambda lib: True,
    "false": lambda lib: (slice(None), False),
    "list": lambda lib: [0, 2, 2],
    "list_negative": lambda lib: [-1, 0],
    "list_bool": lambda lib: [True, False, True],
    "empty_list": lambda lib: [],
    "nested_list_as_tuple": lambda lib: [[0, 1], [1, 2]],
    "long_tensor": lambda lib: lib.tensor([2, 0, 1, 0]),
    "int32_tensor": lambda lib: lib.tensor([[1], [0]], dtype=lib.int32),
    "zero_dim_tensor": lambda lib: lib.tensor(1),
    "zero_dim_bool": lambda lib: lib.tensor(True),
    "bool_mask": lambda lib: lib.tensor([True, False, True]),
    "bool_mask_2d": lambda lib: lib.tensor(X[:, :, 0] > 0),
    "bool_mask_full": lambda lib: lib.tensor(X > 0),
    "mask_then_int": lambda lib: (lib.tensor(X[:, :, 0] > 0), 0),
    "two_tensors": lambda lib: (lib.tensor([0, 2]), lib.tensor([1, 3])),
    "broadcast_tensors": lambda lib: (lib.tensor([[0], [2]]), slice(None), lib.tensor([1, 3])),
    "adjacent_after_slice": lambda lib: (slice(None), [0, 1], [1, 2]),
    "separated_by_slice": lambda lib: ([0, 1], slice(None), [1, 2]),
    "int_then_slice_then_list": lambda lib: (0, slice(None), [0, 1]),
    "list_then_slice_then_int": lambda lib: ([0, 1], slice(None), 0),
    "list_none_list": lambda lib: ([0, 1], None, [1, 2]),
    "list_ellipsis_list": lambda lib: ([0, 1], Ellipsis, [1, 2]),
    "slice_then_list": lambda lib: (slice(1, None), [0, 0, 3]),
    "tensor_in_slice": lambda lib: slice(lib.tensor(1), None),
    "numpy_int": lambda lib: np.int64(2),
    "numpy_array": lambda lib: np.array([0, 2]),
    "repeated_index": lambda lib: lib.tensor([1, 1, 1]),
}


@pytest.mark.parametrize("name", sorted(KEYS))
def test_getitem(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check_op(lambda lib, x: x[KEYS[name](lib)], X)


def test_getitem_warnings_match():
    for key in ([[0, 1], [1, 2]], lambda lib: lib.tensor([1, 0, 1], dtype=lib.uint8)):
        found = []
        for lib in (ember, torch):
            x = lib.zeros(3, 4)
            with pytest.warns(UserWarning) as record:
                x[key(lib) if callable(key) else key]
            found.append(str(record[0].message).split(" (Triggered internally")[0])
        assert found[0] == found[1]


@st.composite
def keys(draw, shape):
    """A random key mixing ints, slices (with steps), lists, None, Ellipsis and masks."""
    key = []
    dims = list(shape)
    while dims:
        n = dims.pop(0)
        kind = draw(st.sampled_from(["int", "slice", "list", "none", "full", "mask",
                                     "ellipsis"]))
        if kind == "int":
            key.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            key.append(slice(draw(st.integers(-n, n)), draw(st.integers(-n, n)),
                             draw(st.integers(1, 3))))
        elif kind == "list":
            key.append(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=3)))
        elif kind == "none":
            key.extend([None, slice(None)])
        elif kind == "mask":
            key.append(np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))))
        elif kind == "ellipsis" and not any(k is Ellipsis for k in key):
            key.append(Ellipsis)
            dims = dims[draw(st.integers(0, len(dims))):]
        else:
            key.append(slice(None))
    # Index arrays must broadcast together: keep one element of each when lengths differ.
    lengths = {len(k) if isinstance(k, list) else int(k.sum()) for k in key
               if isinstance(k, (list, np.ndarray))}
    if len(lengths) > 1:
        key = [k[:1] if isinstance(k, list) else slice(None) if isinstance(k, np.ndarray)
               else k for k in key]
    return tuple(key)


def _torch_key(lib, key):
    return tuple(lib.tensor(k) if isinstance(k, np.ndarray) else k for k in key)


@SETTINGS
@given(data=st.data())
def test_getitem_random_keys(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    dtype = data.draw(st.sampled_from([np.float32, np.float64, np.int64, np.bool_]))
    key = data.draw(keys(shape))
    check_op(lambda lib, x: x[_torch_key(lib, key)], arrays(shape, dtype))


@SETTINGS
@given(data=st.data())
def test_setitem_random_keys(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    key = data.draw(keys(shape))
    as_tensor = data.draw(st.booleans())

    def fn(lib, x):
        y = x * 1
        k = _torch_key(lib, key)
        target = y[k].shape
        y[k] = (x.detach()[k] * 0 + lib.arange(float(np.prod(target))).reshape(target)
                * x.sum()) if as_tensor else 2.5
        return y * y
    check_op(fn, arrays(shape))


@SETTINGS
@given(data=st.data())
def test_getitem_noncontiguous_and_masks(data):
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=3, min_side=0, max_side=4))
    x = arrays(shape, seed=data.draw(st.integers(0, 99)))
    check_op(lambda lib, t: t.transpose(0, 1)[t.transpose(0, 1) > 0], x)
    check_op(lambda lib, t: t[::2][..., [0] * (shape[-1] > 0)], x)
    check_op(lambda lib, t: t.mT[1:, None, ..., -1:], x)


# -- x[key] = value, under autograd --------------------------------------------------------
SETITEM = {
    "int_scalar": (1, 5.0),
    "slice_tensor": (slice(1, None), "row"),
    "tuple_basic": ((0, slice(1, 3)), "value"),
    "ellipsis_scalar": (Ellipsis, 2.0),
    "full_slice_tensor": (slice(None), "matrix"),
    "full_tuple_scalar": ((slice(None), slice(None)), -1.0),
    "list_scalar": ([0, 2], 0.0),
    "bool_mask_scalar": ("mask", 7.0),
    "list_tensor": ([2, 0], "row"),
    "mixed": ((1, [0, 3]), "pair"),
    "mixed_slice": ((slice(None), [1]), "column"),
    "none": ((None, 1), "row"),
    "value_leading_ones": (1, "row_1x1"),
    "zero_dim_value": (0, "zero_dim"),
    "step_slice": ((slice(None, None, 2), 1), "pair"),
    "broadcast_value": (slice(0, 2), "row"),
}


def _value(lib, kind, v):
    return {"row": v[:4], "value": v[:2], "matrix": v.reshape(3, 4), "pair": v[:2],
            "column": v[:3].reshape(3, 1), "row_1x1": v[:4].reshape(1, 1, 4),
            "zero_dim": v[0]}[kind]


@pytest.mark.parametrize("name", sorted(SETITEM))
def test_setitem_autograd(name):
    key, value = SETITEM[name]

    def fn(lib, x, v):
        y = x * 1
        k = (y > 0) if key == "mask" else key
        y[k] = value if not isinstance(value, str) else _value(lib, value, v * 2)
        return y * y
    check_op(fn, arrays((3, 4)), arrays((12,), seed=1))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_, np.float64])
def test_setitem_dtypes(dtype):
    def fn(lib, x):
        x = x.clone()
        x[0] = 2.7
        x[1, [0, 2]] = 1
        x[x != 0] = x[x != 0]
        x[:, 1:] = lib.ones(3, dtype=lib.float64)
        return x
    check_op(fn, arrays((2, 4), dtype), requires_grad=False)


# In-place writes into views of tensors that need grad (PyTorch's CopySlices).
INPLACE_ON_VIEWS = {
    "brief_example": lambda lib, x, w: _brief(x),
    "view_mul_other": lambda lib, x, w: _write(x, lambda y: y[1].mul_(w[0])),
    "view_add_then_use_view": lambda lib, x, w: _use_view(x, lambda y: y[:, 1], w),
    "transpose_view": lambda lib, x, w: _use_view(x, lambda y: y.t(), w),
    "view_of_view": lambda lib, x, w: _use_view(x, lambda y: y.view(12)[2:7][::2], w),
    "diagonal_view": lambda lib, x, w: _use_view(x, lambda y: y.diagonal(), w),
    "unsqueeze_view": lambda lib, x, w: _use_view(x, lambda y: y[0].unsqueeze(0), w),
    "expand_row": lambda lib, x, w: _write(x, lambda y: y[:1].expand(3, 4)[2].add_(w[0])),
    "saves_result": lambda lib, x, w: _write(x, lambda y: y[1:].exp_()),
    "saves_self": lambda lib, x, w: _write(x, lambda y: y[0].pow_(2)),
    "zero_": lambda lib, x, w: _write(x, lambda y: y[2].zero_()),
    "fill_": lambda lib, x, w: _write(x, lambda y: y[:, 0].fill_(3.0)),
    "fill_tensor": lambda lib, x, w: _write(x, lambda y: y[:, 0].fill_(w[0, 0])),
    "copy_": lambda lib, x, w: _write(x, lambda y: y[0].copy_(w[1])),
    "copy_broadcast_f64": lambda lib, x, w: _write(x, lambda y: y[:2].copy_(w[2].double())),
    "index_put_on_view": lambda lib, x, w: _write(x, lambda y: y[1].index_put_(
        (lib.tensor([0, 3]),), w[0, :2])),
    "masked_fill_on_view": lambda lib, x, w: _write(x, lambda y: y.t().masked_fill_(
        y.t() > 0, 0.5)),
    "clamp_on_view": lambda lib, x, w: _write(x, lambda y: y[1:, 1:].clamp_(-1, 1)),
    "base_written_then_view_used": lambda lib, x, w: _base_then_view(x, w),
    "sibling_views": lambda lib, x, w: _siblings(x, w),
    "two_writes": lambda lib, x, w: _write(x, lambda y: (y[0].mul_(w[0]), y[:, 1].add_(1))),
    "non_grad_base": lambda lib, x, w: _plain_base(lib, w),
    "non_grad_base_view_kept": lambda lib, x, w: _plain_base_view_kept(lib, w),
    "setitem_chain": lambda lib, x, w: _setitem_chain(x, w),
    "squeeze_then_write": lambda lib, x, w: _write(x, lambda y: y[0:1].squeeze_(0).mul_(2)),
}


def _brief(x):
    y = x * 1
    y[0] = 0
    y[1:] *= 2
    return y


def _write(x, op):
    y = x * 1
    op(y)
    return y


def _use_view(x, make, w):
    y = x * 1
    v = make(y)
    v.add_(w.reshape(-1)[:v.numel()].reshape(v.shape))
    return y * 2, v * 3


def _base_then_view(x, w):
    y = x * 1
    v = y[1]
    y.mul_(w)
    return v * 1


def _siblings(x, w):
    y = x * 1
    a, b = y.view(12), y[1:]
    b.mul_(w[1:])
    return a * 1, y


def _plain_base(lib, w):
    a = lib.zeros(3, 4)
    a[1:].add_(w[1:])
    return a


def _plain_base_view_kept(lib, w):
    a = lib.ones(3, 4)
    v = a[0]
    a.mul_(w)
    return v, a


def _setitem_chain(x, w):
    y = x * 1
    y[0, 1:] = w[0, :3]
    y[[1, 2], 0] = w[1, 0]
    y[y > 1] = 1.0
    y[:, -1] *= w[:, 0]
    return y


@pytest.mark.parametrize("name", sorted(INPLACE_ON_VIEWS))
def test_inplace_on_view_autograd(name):
    check_op(INPLACE_ON_VIEWS[name], arrays((3, 4)), arrays((3, 4), seed=1))


def test_copyslices_graph_matches():
    def graph(lib):
        x = lib.ones(3, 4, requires_grad=True)
        y = x * 1
        v = y[0]
        v.mul_(2)
        names = [y.grad_fn.name(), v.grad_fn.name(),
                 type(y.grad_fn.next_functions[0][0]).__name__,
                 len(y.grad_fn.next_functions), v.grad_fn.next_functions[0][0] is y.grad_fn,
                 v._version, y._version, v.is_leaf, v.requires_grad]
        a = lib.zeros(3)
        u = a[1:]
        a.add_(lib.ones(3, requires_grad=True))
        names += [u.requires_grad, u.grad_fn.name(), a.grad_fn.name()]
        z = x * 1
        z[[0, 1]] = 0
        names.append(z.grad_fn.name())
        z[0, [0, 1]] = 0
        names += [z.grad_fn.name(), len(z.grad_fn.next_functions)]
        z[...] = 1
        names.append(z.grad_fn.name())
        z[:] = lib.ones(4)
        names.append(z.grad_fn.name())
        return names
    assert graph(ember) == graph(torch)


INPLACE_VIEW_ERRORS = {
    "view_of_leaf": lambda lib: lib.ones(3, requires_grad=True)[0].mul_(2),
    "leaf_setitem": lambda lib: lib.ones(3, requires_grad=True).__setitem__(0, 1.0),
    "leaf_setitem_list": lambda lib: lib.ones(3, requires_grad=True).__setitem__([0], 1.0),
    "leaf_setitem_colon": lambda lib: lib.ones(3, requires_grad=True).__setitem__(
        slice(None), 1.0),
    "unbind_output": lambda lib: (lib.ones(2, 3, requires_grad=True) * 1).unbind()[0].mul_(2),
    "split_output": lambda lib: (lib.ones(4, requires_grad=True) * 1).split(2)[1].zero_(),
    "chunk_output": lambda lib: (lib.ones(4, requires_grad=True) * 1).chunk(2)[0].add_(1),
    "no_grad_view": lambda lib: _no_grad_view(lib),
    "multi_output_no_grad_base": lambda lib: lib.zeros(2, 2).unbind()[0].mul_(
        lib.ones(2, requires_grad=True)),
    "expanded_write": lambda lib: lib.zeros(3).expand(2, 3).mul_(2),
    "expanded_copy": lambda lib: lib.zeros(3).expand(2, 3).copy_(lib.ones(2, 3)),
    "saved_result_modified": lambda lib: _saved_result_modified(lib),
}


def _no_grad_view(lib):
    y = lib.ones(3, requires_grad=True) * 1
    with lib.no_grad():
        v = y[1:]
    v.mul_(2)


def _saved_result_modified(lib):
    x = lib.ones(3, requires_grad=True)
    y = (x * 1).exp_()
    y.add_(1)
    y.sum().backward()


@pytest.mark.parametrize("name", sorted(INPLACE_VIEW_ERRORS))
def test_inplace_view_errors(name):
    check_error(INPLACE_VIEW_ERRORS[name])


def test_no_grad_writes_into_views_of_leaves():
    results = []
    for lib in (ember, torch):
        w = lib.zeros(2, 3, requires_grad=True)
        with lib.no_grad():
            w[0] = 1.0
            w[:, 1].fill_(2.0)
            w.t()[2].add_(3.0)
        results.append((w, w.is_leaf, w.grad_fn, w._version))
    (e, *e_rest), (t, *t_rest) = results
    assert_same_tensor(e, t)
    assert e_rest == t_rest


def test_expanded_view_partial_write_is_allowed():
    def fn(lib, x):
        y = lib.zeros(4)
        e = y.expand(2, 4)
        e[0] = x[:4]
        return y, e
    check_op(fn, arrays((5,)))


# -- index, scatter, gather and masked ops -------------------------------------------------
M = arrays((3, 4), seed=2)
S = arrays((2, 4), seed=3)


def _i(lib, values, dtype=None):
    return lib.tensor(values, dtype=dtype or lib.int64)


INDEX_OPS = {
    "index_select": lambda lib, x, s: x.index_select(1, _i(lib, [3, 0, 0])),
    "index_select_int32": lambda lib, x, s: lib.index_select(x, 0, _i(lib, [2], lib.int32)),
    "index_select_0d_index": lambda lib, x, s: x.index_select(-1, _i(lib, 1)),
    "index_select_empty": lambda lib, x, s: x.index_select(0, _i(lib, [])),
    "index_select_0d_input": lambda lib, x, s: x[0, 0].index_select(0, _i(lib, [0])),
    "gather": lambda lib, x, s: x.gather(1, _i(lib, [[0, 0], [3, 1], [2, 2]])),
    "gather_small_index": lambda lib, x, s: lib.gather(x, 0, _i(lib, [[2, 1, 0]])),
    "gather_int32": lambda lib, x, s: x.gather(1, _i(lib, [[1]], lib.int32)),
    "gather_0d": lambda lib, x, s: x[0, 0].gather(0, _i(lib, [0, 0])),
    "take_along_dim": lambda lib, x, s: x.take_along_dim(_i(lib, [[1], [0], [3]]), 1),
    "take_along_dim_broadcast": lambda lib, x, s: lib.take_along_dim(
        x[:, :1], _i(lib, [[2, 0, 1, 1]]), 0),
    "take_along_dim_flat": lambda lib, x, s: x.take_along_dim(_i(lib, [11, 0, 5])),
    "take_along_dim_argmax": lambda lib, x, s: x.take_along_dim(x.argmax(1, keepdim=True), 1),
    "take": lambda lib, x, s: x.take(_i(lib, [[0, 11], [-1, 5]])),
    "scatter": lambda lib, x, s: x.scatter(1, _i(lib, [[0, 1], [2, 3]]), s[:, :2]),
    "scatter_value": lambda lib, x, s: lib.scatter(x, 0, _i(lib, [[2, 0, 1, 1]]), 9.5),
    "scatter_src_kw": lambda lib, x, s: x.scatter(1, _i(lib, [[3], [1]]), src=s[:, 1:2]),
    "scatter_add": lambda lib, x, s: x.scatter_add(1, _i(lib, [[0, 0, 1], [3, 3, 3]]), s[:, 1:]),
    "scatter_add_fn": lambda lib, x, s: lib.scatter_add(x, 0, _i(lib, [[1, 1, 1, 1]]), s[1:]),
    "scatter_reduce_sum": lambda lib, x, s: x.scatter_reduce(
        1, _i(lib, [[0, 0, 1], [3, 3, 3]]), s[:, :3], "sum"),
    "scatter_reduce_sum_exclude": lambda lib, x, s: x.scatter_reduce(
        1, _i(lib, [[0, 0, 1], [3, 3, 3]]), s[:, :3], "sum", include_self=False),
    "scatter_reduce_mean": lambda lib, x, s: x.scatter_reduce(
        0, _i(lib, [[1, 1, 0, 2], [1, 2, 0, 2]]), s, "mean"),
    "scatter_reduce_mean_exclude": lambda lib, x, s: lib.scatter_reduce(
        x, 0, _i(lib, [[1, 1, 0, 2], [1, 2, 0, 2]]), s, "mean", include_self=False),
    "scatter_reduce_prod": lambda lib, x, s: x.scatter_reduce(
        1, _i(lib, [[0, 0, 1], [3, 3, 3]]), s[:, :3], "prod"),
    "scatter_reduce_prod_zeros": lambda lib, x, s: x.masked_fill(x > 2, 0).scatter_reduce(
        1, _i(lib, [[0, 0, 1, 2], [3, 3, 3, 1]]), s.masked_fill(s.abs() < 1, 0), "prod",
        include_self=False),
    "scatter_reduce_amax": lambda lib, x, s: x.scatter_reduce(
        1, _i(lib, [[0, 0, 1], [3, 3, 3]]), s[:, :3], "amax"),
    "scatter_reduce_amin_ties": lambda lib, x, s: x.round().scatter_reduce(
        1, _i(lib, [[0, 0, 1, 1], [3, 3, 3, 2]]), s.round(), "amin", include_self=False),
    "index_add": lambda lib, x, s: x.index_add(0, _i(lib, [2, 2]), s),
    "index_add_alpha": lambda lib, x, s: lib.index_add(x, 1, _i(lib, [0, 3, 0, 1]), s[:, :4]
                                                       .repeat(2, 1)[:3], alpha=-2.5),
    "index_copy": lambda lib, x, s: x.index_copy(0, _i(lib, [2, 0]), s),
    "index_copy_dim": lambda lib, x, s: lib.index_copy(x, 1, _i(lib, [1]), s[:1, :3].t()),
    "index_fill": lambda lib, x, s: x.index_fill(1, _i(lib, [0, -1]), 4.0),
    "index_fill_tensor": lambda lib, x, s: x.index_fill(0, _i(lib, [1]), s[0, 0]),
    "index_put": lambda lib, x, s: x.index_put((_i(lib, [0, 2]),), s),
    "index_put_two": lambda lib, x, s: lib.index_put(x, (_i(lib, [0, 2]), _i(lib, [1, 1])),
                                                     s[0, :2]),
    "index_put_accumulate": lambda lib, x, s: x.index_put([_i(lib, [0, 0, 2])], s[0, 0],
                                                          accumulate=True),
    "index_put_mask": lambda lib, x, s: x.index_put((x > 0,), s[1, 1]),
    "masked_fill": lambda lib, x, s: x.masked_fill(x > 0, 2.0),
    "masked_fill_broadcast_mask": lambda lib, x, s: x.masked_fill(
        lib.tensor([True, False, True, False]), 0.5),
    "masked_fill_broadcast_input": lambda lib, x, s: x[0].masked_fill(x > 1, -1.0),
    "masked_fill_tensor": lambda lib, x, s: lib.masked_fill(x, x < 0, s[0, 0]),
    "masked_select": lambda lib, x, s: x.masked_select(x > 0),
    "masked_select_broadcast": lambda lib, x, s: lib.masked_select(x[0], x > 0),
    "masked_scatter": lambda lib, x, s: x.masked_scatter(x > 0, s.repeat(2, 1)),
    "masked_scatter_broadcast": lambda lib, x, s: x[0].masked_scatter(x > 0, s.repeat(2, 1)),
}


@pytest.mark.parametrize("name", sorted(INDEX_OPS))
def test_index_ops(name):
    check_op(INDEX_OPS[name], M, S)


INPLACE_INDEX_OPS = {
    "scatter_": lambda lib, y, s: y.scatter_(1, _i(lib, [[0, 1], [2, 3]]), s[:, :2]),
    "scatter_value_": lambda lib, y, s: y.scatter_(1, _i(lib, [[0, 1], [2, 3]]), 0.5),
    "scatter_add_": lambda lib, y, s: y.scatter_add_(0, _i(lib, [[1, 1, 1, 1]]), s[:1]),
    "scatter_reduce_": lambda lib, y, s: y.scatter_reduce_(0, _i(lib, [[1, 1, 1, 1]]), s[:1],
                                                           "amax"),
    "index_add_": lambda lib, y, s: y.index_add_(0, _i(lib, [2, 2]), s),
    "index_copy_": lambda lib, y, s: y.index_copy_(0, _i(lib, [2, 0]), s),
    "index_fill_": lambda lib, y, s: y.index_fill_(1, _i(lib, [0]), 1.5),
    "index_put_": lambda lib, y, s: y.index_put_((_i(lib, [0, 2]),), s),
    "masked_fill_": lambda lib, y, s: y.masked_fill_(y > 0, 0.0),
    "masked_scatter_": lambda lib, y, s: y.masked_scatter_(y < 0, s.repeat(2, 1)),
    "tril_": lambda lib, y, s: y.tril_(1),
    "triu_": lambda lib, y, s: y.triu_(),
}


@pytest.mark.parametrize("name", sorted(INPLACE_INDEX_OPS))
def test_inplace_index_ops(name):
    def fn(lib, x, s):
        y = x * 1
        out = INPLACE_INDEX_OPS[name](lib, y, s)
        assert out is y
        return y
    check_op(fn, M, S)
    check_op(lambda lib, x, s: INPLACE_INDEX_OPS[name](lib, x.clone()[:, :], s.clone()), M, S,
             requires_grad=False)


def _scatter_reduce(lib, x, s, reduce, inplace):
    src = s[:1, :2] if reduce == "multiply" else 2.0
    y = x * 1
    scatter = y.scatter_ if inplace else y.scatter
    return scatter(1, _i(lib, [[0, 0]]), src, reduce=reduce)


@pytest.mark.parametrize("reduce", ["add", "multiply"])
@pytest.mark.parametrize("inplace", [False, True])
def test_scatter_with_reduce_has_no_derivative(reduce, inplace):
    check_op(lambda lib, x, s: _scatter_reduce(lib, x, s, reduce, inplace), M, S,
             requires_grad=False)
    e, t = [_scatter_reduce(lib, lib.tensor(M, requires_grad=True), lib.tensor(S), reduce,
                            inplace) for lib in (ember, torch)]
    assert e.grad_fn.name() == t.grad_fn.name()
    check_error(lambda lib, x, s: _scatter_reduce(lib, x.requires_grad_(), s, reduce, inplace)
                .sum().backward(), M, S)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_, np.float64, np.uint8])
def test_index_ops_dtypes(dtype):
    x, s = arrays((3, 4), dtype), arrays((2, 4), dtype, seed=1)
    for name in ("index_select", "gather", "take_along_dim", "take", "scatter", "scatter_value",
                 "index_copy", "index_fill", "index_put", "index_put_accumulate",
                 "masked_fill", "masked_select", "masked_scatter"):
        check_op(INDEX_OPS[name], x, s, requires_grad=False)
    if dtype != np.bool_:
        for name in ("scatter_add", "scatter_reduce_sum", "scatter_reduce_mean",
                     "scatter_reduce_mean_exclude", "scatter_reduce_prod",
                     "scatter_reduce_amax", "index_add"):
            check_op(INDEX_OPS[name], x, s, requires_grad=False)


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_])
def test_nonzero_and_argwhere(dtype):
    for shape in [(), (0,), (5,), (3, 4), (2, 0, 3), (2, 3, 2)]:
        x = arrays(shape, dtype)
        check_op(lambda lib, t: lib.nonzero(t), x, requires_grad=False)
        check_op(lambda lib, t: t.nonzero(as_tuple=True), x, requires_grad=False)
        check_op(lambda lib, t: lib.argwhere(t), x, requires_grad=False)
        check_op(lambda lib, t: t.argwhere(), x, requires_grad=False)


@SETTINGS
@given(data=st.data())
def test_gather_scatter_random_shapes(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    ishape = tuple(data.draw(st.integers(0, n)) for n in shape)
    seed = data.draw(st.integers(0, 99))
    rng = np.random.default_rng(seed)
    index = rng.integers(0, shape[dim], size=ishape)
    x, src = arrays(shape, seed=seed), arrays(ishape, seed=seed + 1)
    check_op(lambda lib, t: t.gather(dim, lib.tensor(index)), x)
    check_op(lambda lib, t, s: t.scatter_add(dim, lib.tensor(index), s), x, src)
    check_op(lambda lib, t, s: t.scatter_reduce(dim, lib.tensor(index), s, "mean",
                                                include_self=False), x, src)
    flat = rng.integers(0, shape[dim], size=ishape[dim] if len(ishape) else 0)
    check_op(lambda lib, t: t.index_select(dim, lib.tensor(flat, dtype=lib.int64)), x)


# -- errors --------------------------------------------------------------------------------
INDEX_ERRORS = {
    "int_out_of_range": lambda lib, x: x[3],
    "int_out_of_range_after_ellipsis": lambda lib, x: x[..., 9],
    "int_out_of_range_after_none": lambda lib, x: x[None, :, 9],
    "negative_out_of_range": lambda lib, x: x[-4],
    "zero_dim_int": lambda lib, x: x[0, 0, 0][0],
    "zero_dim_slice": lambda lib, x: x[0, 0, 0][:],
    "zero_dim_tuple": lambda lib, x: x[0, 0, 0][None, 0],
    "too_many": lambda lib, x: x[0, 0, 0, 0],
    "too_many_mask": lambda lib, x: x[0, 0][lib.ones(5, 5, dtype=lib.bool)],
    "negative_step": lambda lib, x: x[::-1],
    "zero_step": lambda lib, x: x[::0],
    "float_key": lambda lib, x: x[1.5],
    "float_tensor": lambda lib, x: x[lib.tensor([0.0])],
    "list_out_of_range": lambda lib, x: x[[0, 5]],
    "tensor_out_of_range_second": lambda lib, x: x[[0, 1], :, [0, 9]],
    "tensor_out_of_range_after_int": lambda lib, x: x[0, :, [0, 7]],
    "broadcast_mismatch": lambda lib, x: x[[0, 1], [0, 1, 2]],
    "mask_shape": lambda lib, x: x[lib.tensor([True, False])],
    "zero_dim_tensor_out_of_range": lambda lib, x: x[lib.tensor(5)],
    "setitem_shape": lambda lib, x: x.clone().__setitem__(0, lib.ones(3)),
    "setitem_bigger": lambda lib, x: x.clone().__setitem__(0, lib.ones(2, 4, 5)),
    "setitem_index_shape": lambda lib, x: x.clone().__setitem__([0, 1], lib.ones(3)),
    "setitem_index_dtype": lambda lib, x: x.clone().__setitem__([0], lib.ones(4, 5).long()),
    "setitem_list_value": lambda lib, x: x.clone().__setitem__(0, [1, 2]),
    "setitem_none_value": lambda lib, x: x.clone().__setitem__(0, None),
    "setitem_array_value": lambda lib, x: x.clone().__setitem__(0, np.ones(5)),
    "select_out_of_range": lambda lib, x: x.select(1, 7),
    "select_negative": lambda lib, x: x.select(1, -7),
    "select_0d": lambda lib, x: x[0, 0, 0].select(0, 0),
    "index_select_dtype": lambda lib, x: x.index_select(0, lib.tensor([0.0])),
    "index_select_2d": lambda lib, x: x.index_select(0, _i(lib, [[0]])),
    "index_select_range": lambda lib, x: x.index_select(0, _i(lib, [5])),
    "index_select_negative": lambda lib, x: x.index_select(0, _i(lib, [-1])),
    "index_select_scalar": lambda lib, x: x[0, 0, 0].index_select(0, _i(lib, [0, 0])),
    "gather_dtype": lambda lib, x: x.gather(1, lib.tensor([[[1.0]]])),
    "gather_rank": lambda lib, x: x.gather(1, _i(lib, [[1]])),
    "gather_size": lambda lib, x: x.gather(1, lib.zeros(3, 4, 6, dtype=lib.int64)),
    "gather_range": lambda lib, x: x.gather(1, lib.full((3, 4, 5), 4)),
    "gather_negative": lambda lib, x: x.gather(1, lib.full((1, 1, 1), -1)),
    "take_range": lambda lib, x: x.take(_i(lib, [60])),
    "take_negative_range": lambda lib, x: x.take(_i(lib, [-61])),
    "take_dtype": lambda lib, x: x.take(_i(lib, [1], lib.int32)),
    "take_along_dim_dtype": lambda lib, x: x.take_along_dim(lib.tensor([1.0])),
    "take_along_dim_rank": lambda lib, x: x.take_along_dim(_i(lib, [[1]]), 1),
    "take_along_dim_int32": lambda lib, x: x.take_along_dim(lib.zeros(1, 1, 1,
                                                                      dtype=lib.int32), 1),
    "take_along_dim_broadcast": lambda lib, x: x.take_along_dim(lib.zeros(2, 1, 1,
                                                                          dtype=lib.int64), 1),
    "masked_select_dtype": lambda lib, x: x.masked_select(lib.ones(5, dtype=lib.int64)),
    "masked_select_shape": lambda lib, x: x.masked_select(lib.ones(2, dtype=lib.bool)),
    "scatter_dtype": lambda lib, x: x.scatter(1, _i(lib, [[[0]]]), x.double()),
    "scatter_index_dtype": lambda lib, x: x.scatter(1, lib.tensor([[[0.0]]]), x),
    "scatter_index_size": lambda lib, x: x.scatter(2, lib.zeros(3, 5, 1, dtype=lib.int64), x),
    "scatter_index_bigger_than_self": lambda lib, x: x.scatter(
        2, lib.zeros(4, 1, 1, dtype=lib.int64), lib.ones(4, 1, 1)),
    "scatter_index_bigger_than_src": lambda lib, x: x.scatter(
        0, lib.zeros(2, 2, 2, dtype=lib.int64), x[:1]),
    "scatter_range": lambda lib, x: x.scatter(1, lib.full((1, 1, 1), 4), x),
    "scatter_rank": lambda lib, x: x.scatter(1, _i(lib, [[0]]), x),
    "scatter_bad_reduce": lambda lib, x: x.scatter(1, _i(lib, [[[0]]]), x, reduce="max"),
    "scatter_add_dtype": lambda lib, x: x.scatter_add(1, _i(lib, [[[0]]]), x.double()),
    "scatter_reduce_name": lambda lib, x: x.scatter_reduce(1, _i(lib, [[[0]]]), x, "median"),
    "scatter_reduce_backward": lambda lib, x: x.requires_grad_().scatter(
        1, _i(lib, [[[0]]]), x, reduce="add").sum().backward(),
    "index_add_dtype": lambda lib, x: x.index_add(0, lib.tensor([0.0]), x[:1]),
    "index_add_2d": lambda lib, x: x.index_add(0, _i(lib, [[0]]), x[:1]),
    "index_add_count": lambda lib, x: x.index_add(0, _i(lib, [0, 1]), x[:1]),
    "index_add_shape": lambda lib, x: x.index_add(0, _i(lib, [0]), x[:1, :2]),
    "index_add_range": lambda lib, x: x.index_add(0, _i(lib, [5]), x[:1]),
    "index_add_source_dtype": lambda lib, x: x.index_add(0, _i(lib, [0]), x[:1].double()),
    "index_copy_range": lambda lib, x: x.index_copy(0, _i(lib, [5]), x[:1]),
    "index_copy_negative": lambda lib, x: x.index_copy(0, _i(lib, [-1]), x[:1]),
    "index_copy_dtype": lambda lib, x: x.index_copy(0, _i(lib, [0], lib.int32), x[:1]),
    "index_copy_count": lambda lib, x: x.index_copy(0, _i(lib, [0, 1]), x[:1]),
    "index_copy_shape": lambda lib, x: x.index_copy(0, _i(lib, [0]), x[:1, :2]),
    "index_copy_source_dtype": lambda lib, x: x.index_copy(0, _i(lib, [0]), x[:1].double()),
    "index_fill_range": lambda lib, x: x.index_fill(0, _i(lib, [5]), 1.0),
    "index_fill_dtype": lambda lib, x: x.index_fill(0, _i(lib, [0], lib.int32), 1.0),
    "index_fill_2d": lambda lib, x: x.index_fill(0, _i(lib, [[0]]), 1.0),
    "index_fill_value": lambda lib, x: x.index_fill(0, _i(lib, [0]), lib.ones(1)),
    "index_put_dtype": lambda lib, x: x.index_put((_i(lib, [0]),), lib.ones(1).long()),
    "index_put_none": lambda lib, x: x.index_put((None, _i(lib, [0])), lib.ones(1)),
    "index_put_int": lambda lib, x: x.index_put((0,), lib.ones(1)),
    "index_put_too_many": lambda lib, x: x[0, 0].index_put((_i(lib, [0]), _i(lib, [0])),
                                                           lib.ones(1)),
    "index_put_shape": lambda lib, x: x.index_put((_i(lib, [0, 1]),), lib.ones(3)),
    "index_put_value_leading_ones": lambda lib, x: x[0, 0].index_put(
        (_i(lib, [0, 1]),), lib.ones(1, 1, 2)),
    "index_put_range": lambda lib, x: x.index_put((_i(lib, [5]),), lib.ones(1)),
    "masked_fill_dtype": lambda lib, x: x.masked_fill(lib.ones(5, dtype=lib.int64), 1.0),
    "masked_fill_value": lambda lib, x: x.masked_fill(x > 0, lib.ones(1)),
    "masked_fill__broadcast": lambda lib, x: x[0].masked_fill_(x > 0, 1.0),
    "masked_scatter_dtype": lambda lib, x: x.masked_scatter(lib.ones(5, dtype=lib.int64), x),
    "masked_scatter_source_dtype": lambda lib, x: x.masked_scatter(x > 0, x.double()),
    "masked_scatter_small": lambda lib, x: x.masked_scatter(x == x, x[0]),
    "copy_shape": lambda lib, x: x.clone().copy_(lib.ones(2)),
    "copy_non_tensor": lambda lib, x: x.clone().copy_([1.0]),
    "fill_dims": lambda lib, x: x.clone().fill_(lib.ones(2)),
}


@pytest.mark.parametrize("name", sorted(INDEX_ERRORS))
def test_index_errors(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check_error(INDEX_ERRORS[name], X)


# -- float64 gradcheck and gradgradcheck ---------------------------------------------------
GRADCHECK = [
    lambda x, s: x[1:, [0, 2, 2]],
    lambda x, s: x[x > 0],
    lambda x, s: x[..., None, 1],
    lambda x, s: _brief(x),
    lambda x, s: _setitem_chain(x, s.repeat(2, 1)[:3]),
    lambda x, s: _use_view(x, lambda y: y.t()[1:], s.repeat(2, 1)),
    lambda x, s: _base_then_view(x, s.repeat(2, 1)[:3]),
    lambda x, s: _write(x, lambda y: y[1].pow_(2)),
]
GRADCHECK += [lambda x, s, fn=fn: fn(ember, x, s) for fn in (
    INDEX_OPS["index_select"], INDEX_OPS["gather"], INDEX_OPS["take_along_dim_broadcast"],
    INDEX_OPS["take"], INDEX_OPS["scatter"], INDEX_OPS["scatter_add"],
    INDEX_OPS["scatter_reduce_mean_exclude"], INDEX_OPS["scatter_reduce_prod"],
    INDEX_OPS["scatter_reduce_amax"], INDEX_OPS["index_add_alpha"], INDEX_OPS["index_copy"],
    INDEX_OPS["index_fill_tensor"], INDEX_OPS["index_put_accumulate"], INDEX_OPS["index_put"],
    INDEX_OPS["masked_fill_tensor"], INDEX_OPS["masked_select_broadcast"],
    INDEX_OPS["masked_scatter"])]


@pytest.mark.parametrize("index", range(len(GRADCHECK)))
def test_gradcheck(index):
    x = ember.tensor(arrays((3, 4), np.float64, seed=5), requires_grad=True)
    s = ember.tensor(arrays((2, 4), np.float64, seed=6), requires_grad=True)

    def fn(a, b):
        out = GRADCHECK[index](a, b)
        return out if isinstance(out, ember.Tensor) else tuple(out)
    assert ember.autograd.gradcheck(fn, (x, s))
    assert ember.autograd.gradgradcheck(fn, (x, s))


OVERLAP = {
    "add_partial": lambda lib, x: x[1:].add_(x[:-1]),
    "add_same": lambda lib, x: x.add_(x),
    "add_same_view": lambda lib, x: x[1:].add_(x[1:]),
    "mul_zero_dim": lambda lib, x: x.mul_(x[0]),
    "fill_zero_dim": lambda lib, x: x.fill_(x[1]),
    "copy_self": lambda lib, x: x.copy_(x),
    "copy_partial": lambda lib, x: x[1:].copy_(x[:-1]),
    "copy_disjoint": lambda lib, x: x[3:].copy_(x[:3]),
    "setitem_partial": lambda lib, x: x.__setitem__(slice(1, None), x[:-1]),
    "index_put_": lambda lib, x: x.index_put_((lib.tensor([0, 1]),), x[1:3]),
    "index_add_": lambda lib, x: x.index_add_(0, lib.tensor([0, 1]), x[1:3]),
    "scatter_": lambda lib, x: x.scatter_(0, lib.tensor([0, 1]), x[1:3]),
    "masked_fill_": lambda lib, x: x.masked_fill_(x > 2, x[0]),
    "masked_scatter_": lambda lib, x: x.masked_scatter_(x > 3, x[1:]),
    "index_fill_": lambda lib, x: x.index_fill_(0, lib.tensor([0]), x[1]),
    "clamp_": lambda lib, x: x[1:].clamp_(min=x[:-1]),
    "expanded_source": lambda lib, x: x[:3].add_(x[0].expand(3)),
}


@pytest.mark.parametrize("name", sorted(OVERLAP))
def test_overlapping_reads_and_writes(name):
    # Where PyTorch allows an overlap, its result is what reading before writing gives
    # (other overlaps are races in PyTorch, so they are left out here).
    def run(lib):
        x = lib.arange(6.0)
        try:
            OVERLAP[name](lib, x)
        except RuntimeError as e:
            return str(e)
        return x.tolist()
    assert run(ember) == run(torch)


def _autograd_details(lib):
    """Saved values, retain_graph, hooks and retain_grad around writes into views."""
    out = []
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for write in (lambda y: y.mul_(y), lambda y: y[1:].mul_(y[1:])):
        y = a * 1
        write(y)
        try:
            y.sum().backward()
            out.append(a.grad.tolist())
        except RuntimeError as e:
            # (Which node the message names for a saved input is the engine's business.)
            out.append(str(e).split(", which is output")[0])
        a.grad = None
    y = a * 1
    y[1:] = y[:2].clone()
    y[1:] += y[:2].clone()
    y.sum().backward()
    out.append(a.grad.tolist())
    a.grad = None
    y = a * 1
    y[0].mul_(a[1])
    total = y.sum()
    total.backward(retain_graph=True)
    total.backward()
    out.append(a.grad.tolist())
    try:
        total.backward()
    except RuntimeError as e:
        out.append(str(e))
    a.grad = None
    y = a * 1
    v = y[:2]
    v.mul_(3)
    seen = []
    v.register_hook(lambda g: seen.append(g.tolist()))
    (v * 2).sum().backward()
    out += [a.grad.tolist(), seen]
    a.grad = None
    y = a * 1
    v = y[1:]
    v.retain_grad()
    y.retain_grad()
    v.mul_(2)
    y[0] = 5.0
    (y * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
    out += [v.grad, y.grad.tolist(), a.grad.tolist()]
    y = a * 1
    w = y[1:]
    u = y[:1]
    with lib.no_grad():
        y.add_(1)
        u.mul_(2)
    (w * u).sum().backward()
    out += [y.tolist(), y.grad_fn.name(), w.grad_fn.name(), y._version, w._version]
    return out


def test_inplace_autograd_details():
    assert _autograd_details(ember) == _autograd_details(torch)


# View steps that keep at least one dimension (so that every step applies after any other).
VIEW_STEPS = {
    "transpose": lambda t: t.transpose(0, -1),
    "select": lambda t: t[t.shape[0] // 2] if t.dim() > 1 else t,
    "slice": lambda t: t[1::2] if t.shape[0] > 1 else t,
    "unsqueeze": lambda t: t.unsqueeze(1),
    "diagonal": lambda t: t.diagonal() if t.dim() > 1 else t,
    "flatten_last": lambda t: t.flatten(-2) if t.dim() > 1 and t.is_contiguous() else t,
    "expand_row": lambda t: t[:1].expand(2, *t.shape[1:])[1:],
}
WRITES = {
    "mul_scalar": lambda v, w: v.mul_(2.5),
    "mul_tensor": lambda v, w: v.mul_(w),
    "add_alpha": lambda v, w: v.add_(w, alpha=-2),
    "exp_": lambda v, w: v.exp_(),
    "zero_": lambda v, w: v.zero_(),
    "fill_": lambda v, w: v.fill_(w.sum()),
    "copy_": lambda v, w: v.copy_(w * 3),
    "clamp_": lambda v, w: v.clamp_(-0.5, 0.5),
    "setitem": lambda v, w: v.__setitem__(..., w),
}


@SETTINGS
@given(data=st.data())
def test_random_writes_into_views(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    steps = data.draw(st.lists(st.sampled_from(sorted(VIEW_STEPS)), min_size=1, max_size=3))
    write = data.draw(st.sampled_from(sorted(WRITES)))
    seed = data.draw(st.integers(0, 99))

    def fn(lib, x):
        y = x * 1
        v = y
        for step in steps:
            v = VIEW_STEPS[step](v)
        weight = lib.arange(1.0, v.numel() + 1).reshape(v.shape) / 7
        w = weight * x.sum() / 10
        WRITES[write](v, w)
        return y * lib.arange(1.0, y.numel() + 1).reshape(y.shape), v * 2
    check_op(fn, arrays(shape, seed=seed))
