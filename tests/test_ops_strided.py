"""Strided views and scatters (unfold, as_strided, select/slice/diagonal_scatter,
fill_diagonal_, put, index_reduce) against PyTorch: values, dtypes, grad_fn names,
gradients, errors; float64 gradcheck."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.autograd import gradcheck
from oracle import check_error, check_op


def values(shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


IDX = np.array([0, 3, 0])

CASES = {
    "unfold": (lambda lib, x: x.unfold(1, 2, 1), (4, 5)),
    "unfold_step": (lambda lib, x: x.unfold(0, 2, 3), (7, 2)),
    "unfold_t": (lambda lib, x: x.t().unfold(-1, 3, 2), (5, 3)),
    "unfold_0d": (lambda lib, x: x.unfold(0, 1, 1), ()),
    "as_strided": (lambda lib, x: x.as_strided((3, 2), (1, 3), 2), (4, 5)),
    "as_strided_overlap": (lambda lib, x: lib.as_strided(x, (3, 3), (1, 1)), (6,)),
    "as_strided_view": (lambda lib, x: x[1:].as_strided((2, 2), (2, 1)), (4, 3)),
    "select_scatter": (lambda lib, x: lib.select_scatter(x, x[0] * 2, 0, 1), (4, 5)),
    "select_scatter_neg": (lambda lib, x: x.select_scatter(x[:, 1], 1, -1), (4, 4)),
    "slice_scatter": (lambda lib, x: lib.slice_scatter(x, x[:2] * 3, 0, 1, 3), (4, 5)),
    "slice_scatter_step": (lambda lib, x: x.slice_scatter(x[:, :2], 1, 0, None, 2), (3, 4)),
    "diagonal_scatter": (lambda lib, x: lib.diagonal_scatter(x, x[0, :4], 0), (4, 5)),
    "diagonal_scatter_off": (lambda lib, x: x.diagonal_scatter(x[0, :3].exp(), -1), (4, 5)),
    "fill_diagonal": (lambda lib, x: (x * 1).fill_diagonal_(2.0), (4, 5)),
    "fill_diagonal_wrap": (lambda lib, x: (x * 1).fill_diagonal_(-1.0, wrap=True), (9, 3)),
    "fill_diagonal_3d": (lambda lib, x: (x * 1).fill_diagonal_(0.5), (3, 3, 3)),
    "put": (lambda lib, x: x.put(lib.tensor([1, -1, 4]), x[0, :3] * 2), (4, 5)),
    "put_acc": (lambda lib, x: lib.put(x, lib.tensor([[1, 1], [3, 1]]), x[:2, :2], True),
                (4, 5)),
    "put_": (lambda lib, x: (x * 1).put_(lib.tensor([2, 0]), x[1, :2], accumulate=True),
             (3, 3)),
}
for reduce in ("prod", "mean", "amax", "amin"):
    for include_self in (True, False):
        CASES[f"index_reduce_{reduce}_{include_self}"] = (
            lambda lib, x, r=reduce, s=include_self: x.index_reduce(
                0, lib.tensor(IDX), x[:3] * 1.5, r, include_self=s), (4, 5))
CASES["index_reduce_dim1"] = (lambda lib, x: (x * 1).index_reduce_(
    1, lib.tensor([2, 2]), x[:, :2].exp(), "mean"), (3, 4))


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_oracle(name, dtype):
    fn, shape = CASES[name]
    check_op(fn, values(shape, dtype))


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name):
    fn, shape = CASES[name]
    x = ember.from_numpy(values(shape)).requires_grad_()
    assert gradcheck(lambda t: fn(ember, t), (x,))


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 3), st.integers(0, 1),
       st.integers(0, 2))
def test_unfold_shapes(n, size, step, dim, other):
    shape = (n + size - 1, other) if dim == 0 else (other, n + size - 1)
    check_op(lambda lib, x: x.unfold(dim, size, step), values(shape, np.float32))


def test_integer_inputs():
    a = np.arange(20, dtype=np.int64).reshape(4, 5)
    check_op(lambda lib, x: x.unfold(1, 3, 2), a)
    check_op(lambda lib, x: lib.select_scatter(x, x[1], 0, 0), a)
    check_op(lambda lib, x: x.put(lib.tensor([0, 0]), lib.tensor([5, 6]), True), a)
    check_op(lambda lib, x: x.index_reduce(0, lib.tensor([0, 0, 3], dtype=lib.int32),
                                           x[:3], "mean", include_self=False), a)
    check_op(lambda lib, x: x.index_reduce(0, lib.tensor([1, 1]), x[:2], "amax"), a)


def test_views_share_memory():
    x = ember.arange(12.0)
    v = x.as_strided((2, 3), (3, 1), 6)
    x[7] = 100.0
    assert v[0, 1].item() == 100.0
    u = x.unfold(0, 4, 4)
    u[0, 0] = -1.0
    assert x[0].item() == -1.0


def test_as_strided_inplace():
    for lib in (ember,):
        import torch
        a = np.arange(12.0)
        e = ember.from_numpy(a.copy()).requires_grad_()
        t = torch.from_numpy(a.copy()).requires_grad_()
        ye, yt = e * 2, t * 2
        ye.as_strided_((2, 2), (1, 3), 1)
        yt.as_strided_((2, 2), (1, 3), 1)
        assert ye.tolist() == yt.tolist() and ye.grad_fn.name() == yt.grad_fn.name()
        ye.sum().backward()
        yt.sum().backward()
        assert e.grad.tolist() == t.grad.tolist()
        del lib


ERRORS = [
    (lambda lib, x: x.unfold(1, 6, 1), (4, 5)),
    (lambda lib, x: x.unfold(1, 2, 0), (4, 5)),
    (lambda lib, x: x.unfold(2, 2, 1), (4, 5)),
    (lambda lib, x: x.as_strided((2, 2), (1, 2), 19), (4, 5)),
    (lambda lib, x: x.as_strided((2, 2), (-1, 2)), (4, 5)),
    (lambda lib, x: x.as_strided((2, 2), (1,)), (4, 5)),
    (lambda lib, x: lib.select_scatter(x, x[:, 0], 0, 1), (4, 5)),
    (lambda lib, x: lib.select_scatter(x, x[0], 0, 7), (4, 5)),
    (lambda lib, x: lib.slice_scatter(x, x, 0, 1, 3), (4, 5)),
    (lambda lib, x: lib.slice_scatter(x, x, 0, 1, 3, 0), (4, 5)),
    (lambda lib, x: lib.diagonal_scatter(x, x[0, :3], 0), (4, 5)),
    (lambda lib, x: lib.diagonal_scatter(x, x[0], 0, 1, 1), (4, 5)),
    (lambda lib, x: x.fill_diagonal_(1.0), (3, 4, 5)),
    (lambda lib, x: x.fill_diagonal_(1.0), (3,)),
    (lambda lib, x: x.put(lib.tensor([0, 30]), x[0, :2]), (4, 5)),
    (lambda lib, x: x.put(lib.tensor([0, 3]), x[0, :3]), (4, 5)),
    (lambda lib, x: x.put(lib.tensor([0.0, 3]), x[0, :2]), (4, 5)),
    (lambda lib, x: x.put(lib.tensor([0, 3]), x[0, :2].double()), (4, 5)),
    (lambda lib, x: x.index_reduce(0, lib.tensor([0, 3]), x[:2], "sum"), (4, 5)),
    (lambda lib, x: x.index_reduce(0, lib.tensor([0, 3]), x[:3], "amax"), (4, 5)),
    (lambda lib, x: x.index_reduce(0, lib.tensor([0, 9]), x[:2], "amax"), (4, 5)),
    (lambda lib, x: x.index_reduce(0, lib.tensor([0.0, 3]), x[:2], "amax"), (4, 5)),
    (lambda lib, x: x.index_reduce(0, lib.tensor([0, 3]), x[:2, :4], "amax"), (4, 5)),
    (lambda lib, x: x.index_reduce(0, lib.tensor([0, 3]), x[:2].double(), "amin"), (4, 5)),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors(case):
    fn, shape = ERRORS[case]
    check_error(fn, values(shape, np.float32))
