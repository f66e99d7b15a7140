"""Oracle tests for the foundation ops: values, dtypes, grad_fn names and gradients."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from oracle import check_error, check_op

SETTINGS = settings(max_examples=25, deadline=None)


def arrays(shape, dtype=np.float32, low=-3.0, high=3.0, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(low, high, size=shape).astype(dtype)


@st.composite
def broadcastable_pair(draw, min_dims=0, max_dims=3):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=min_dims,
                                                    max_dims=max_dims, min_side=0, max_side=4))
    seed = draw(st.integers(0, 2**16))
    return arrays(shapes.input_shapes[0], seed=seed), arrays(shapes.input_shapes[1],
                                                             seed=seed + 1)


BINARY = {
    "add": lambda lib, a, b: a + b,
    "sub": lambda lib, a, b: a - b,
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / (b.abs() + 0.5),
    "add_alpha": lambda lib, a, b: lib.add(a, b, alpha=2.5),
    "sub_alpha": lambda lib, a, b: lib.sub(a, b, alpha=0.5),
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "minimum": lambda lib, a, b: lib.minimum(a, b),
    "pow": lambda lib, a, b: (a.abs() + 0.5) ** b,
}


@pytest.mark.parametrize("name", sorted(BINARY))
@SETTINGS
@given(pair=broadcastable_pair())
def test_binary_ops_broadcast(name, pair):
    check_op(BINARY[name], *pair)


UNARY = {
    "exp": lambda lib, x: x.exp(),
    "log": lambda lib, x: (x.abs() + 0.1).log(),
    "sqrt": lambda lib, x: (x.abs() + 0.1).sqrt(),
    "abs": lambda lib, x: x.abs(),
    "neg": lambda lib, x: -x,
    "sin": lambda lib, x: lib.sin(x),
    "cos": lambda lib, x: lib.cos(x),
    "tanh": lambda lib, x: x.tanh(),
    "sigmoid": lambda lib, x: x.sigmoid(),
    "relu": lambda lib, x: lib.relu(x),
    "reciprocal": lambda lib, x: (x.abs() + 0.5).reciprocal(),
    "pow_scalar": lambda lib, x: x ** 3,
    "pow_half": lambda lib, x: (x.abs() + 0.1) ** 0.5,
    "rpow": lambda lib, x: 2 ** x,
    "rsub": lambda lib, x: 2 - x,
    "rdiv": lambda lib, x: 2 / (x.abs() + 0.5),
    "radd": lambda lib, x: 1.5 + x,
    "rmul": lambda lib, x: 3 * x,
    "scalar_div": lambda lib, x: x / 4,
    "clamp": lambda lib, x: x.clamp(-1, 1),
    "clamp_min": lambda lib, x: lib.clamp(x, min=0.5),
    "log1p": lambda lib, x: (x.abs()).log1p(),
    "expm1": lambda lib, x: x.expm1(),
    "square_by_mul": lambda lib, x: x * x,
}


@pytest.mark.parametrize("name", sorted(UNARY))
@SETTINGS
@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0,
                                                max_side=4),
                    elements=st.floats(-3, 3)))
def test_unary_ops(name, x):
    check_op(UNARY[name], x)


REDUCTIONS = {
    "sum": lambda lib, x: x.sum(),
    "sum_dim0": lambda lib, x: x.sum(0),
    "sum_dim_keep": lambda lib, x: x.sum(-1, keepdim=True),
    "sum_dims": lambda lib, x: x.sum((0, 1)),
    "mean": lambda lib, x: x.mean(),
    "mean_dim": lambda lib, x: x.mean(1),
    "mean_dim_keep": lambda lib, x: x.mean(dim=(0, 2), keepdim=True),
    "max": lambda lib, x: x.max(),
    "min": lambda lib, x: x.min(),
    "max_dim": lambda lib, x: x.max(1),
    "min_dim_keep": lambda lib, x: x.min(0, keepdim=True),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@pytest.mark.parametrize("shape", [(2, 3, 4), (1, 5, 2), (3, 1, 1)])
def test_reductions(name, shape):
    check_op(REDUCTIONS[name], arrays(shape, seed=sum(shape)))


def test_max_min_ties_share_gradient():
    x = np.array([1.0, 3.0, 3.0, 2.0], dtype=np.float32)
    check_op(lambda lib, t: t.max(), x)
    check_op(lambda lib, t: t.min(), np.array([1.0, 1.0, 2.0], dtype=np.float32))


SHAPE_OPS = {
    "view": lambda lib, x: x.view(4, 6),
    "view_infer": lambda lib, x: x.view(-1),
    "reshape": lambda lib, x: x.reshape(2, 12),
    "transpose_reshape": lambda lib, x: x.transpose(0, 2).reshape(-1),
    "t": lambda lib, x: x.view(6, 4).t(),
    "T": lambda lib, x: x.view(6, 4).T,
    "permute": lambda lib, x: x.permute(2, 0, 1),
    "transpose": lambda lib, x: x.transpose(0, 1),
    "unsqueeze": lambda lib, x: x.unsqueeze(1),
    "squeeze": lambda lib, x: x.view(1, 2, 1, 12).squeeze(),
    "squeeze_dim": lambda lib, x: x.view(1, 24).squeeze(0),
    "expand": lambda lib, x: x[:, :1].expand(2, 3, 4),
    "flatten": lambda lib, x: x.flatten(1),
    "select": lambda lib, x: x[1],
    "select2": lambda lib, x: x[:, 1],
    "slice": lambda lib, x: x[1:],
    "full_slice": lambda lib, x: x[:],
    "ellipsis": lambda lib, x: x[..., 2],
    "none": lambda lib, x: x[None],
    "combo": lambda lib, x: x[0, 1:, ::2],
    "negative_index": lambda lib, x: x[-1, -2],
    "alias": lambda lib, x: x[:, :],
    "clone": lambda lib, x: x.clone(),
    "contiguous": lambda lib, x: x.transpose(0, 1).contiguous(),
    "to_double": lambda lib, x: x.double(),
    "to_dtype": lambda lib, x: x.to(lib.float64),
    "index_list": lambda lib, x: x[[0, 1, 1]],
    "bool_mask": lambda lib, x: x[x > 0],
}


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
def test_shape_ops(name):
    check_op(SHAPE_OPS[name], arrays((2, 3, 4)))


MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((3,), (3, 4)),
                 ((5, 2, 3), (3, 4)), ((5, 2, 3), (5, 3, 4)), ((2, 1, 2, 3), (4, 3, 2)),
                 ((3,), (2, 3, 4))]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES)
def test_matmul_all_ranks(shapes):
    a, b = arrays(shapes[0], seed=1), arrays(shapes[1], seed=2)
    # Batched products are recorded differently in PyTorch (views over bmm); the values and
    # gradients are what matter there, the 2-D and 1-D cases also check the grad_fn.
    check_op(lambda lib, x, y: x @ y, a, b, check_grad_fn=len(shapes[0]) <= 2
             and len(shapes[1]) <= 2, atol=1e-5)


def test_mm_mv_dot_addmm():
    a, b, v = arrays((2, 3)), arrays((3, 4), seed=1), arrays((3,), seed=2)
    check_op(lambda lib, x, y: lib.mm(x, y), a, b)
    check_op(lambda lib, x, y: lib.mv(x, y), a, v)
    check_op(lambda lib, x, y: lib.dot(x, y), v, v + 1)
    check_op(lambda lib, c, x, y: lib.addmm(c, x, y), arrays((4,), seed=3), a, b)
    check_op(lambda lib, c, x, y: lib.addmm(c, x, y, beta=0.5, alpha=2), arrays((2, 4)), a, b)


def test_where_and_masked_fill():
    a, b = arrays((3, 4)), arrays((3, 4), seed=1)
    check_op(lambda lib, x, y: lib.where(x > 0, x, y), a, b)
    check_op(lambda lib, x: x.masked_fill(x > 0.5, 0.0), a)


@pytest.mark.parametrize("left, right", [
    (np.int64, np.float32), (np.int32, np.int64), (np.uint8, np.int8), (np.bool_, np.bool_),
    (np.float16, np.float32), (np.float32, np.float64), (np.int64, np.bool_),
])
def test_type_promotion_between_tensors(left, right):
    a = np.array([1, 2, 3]).astype(left)
    b = np.array([1, 0, 2]).astype(right)
    check_op(lambda lib, x, y: x + y, a, b, requires_grad=False)
    check_op(lambda lib, x, y: x * y, a, b, requires_grad=False)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_, np.float16,
                                   np.float32, np.float64])
@pytest.mark.parametrize("scalar", [2, 2.5, True])
def test_type_promotion_with_scalars(dtype, scalar):
    a = np.array([1, 0, 3]).astype(dtype)
    ops = [lambda lib, x: x * scalar, lambda lib, x: scalar + x, lambda lib, x: x / 2]
    subtract = [lambda lib, x: x - scalar, lambda lib, x: scalar - x]
    if dtype is np.bool_ or scalar is True:
        for op in subtract:
            check_error(op, a)
    else:
        ops += subtract
    for op in ops:
        check_op(op, a, requires_grad=False)


def test_zero_dim_tensors_participate_less():
    check_op(lambda lib, x: x + lib.tensor(2.0, dtype=lib.float64), arrays((3,)),
             requires_grad=False)
    check_op(lambda lib, x: x + lib.tensor(2.0, dtype=lib.float64),
             np.array([1, 2], dtype=np.int32), requires_grad=False)
    check_op(lambda lib, x: x + lib.tensor(2, dtype=lib.int64),
             np.array([1, 2], dtype=np.int32), requires_grad=False)
    check_op(lambda lib, x: x.float() + lib.tensor([2.0], dtype=lib.float64),
             np.array([1, 2], dtype=np.float16), requires_grad=False)


def test_integer_results():
    i = np.array([5, -7, 9], dtype=np.int64)
    check_op(lambda lib, x: x // 2, i, requires_grad=False)
    check_op(lambda lib, x: x % 3, i, requires_grad=False)
    check_op(lambda lib, x: x.sum(), i, requires_grad=False)
    check_op(lambda lib, x: (x > 0).sum(), i, requires_grad=False)
    check_op(lambda lib, x: x.exp(), i, requires_grad=False)
    check_op(lambda lib, x: x ** 2, i, requires_grad=False)
    check_op(lambda lib, x: x ** -1.0, i, requires_grad=False)


def test_comparisons_and_logic():
    a, b = arrays((3, 4)), arrays((3, 4), seed=1)
    for op in (lambda lib, x, y: x < y, lambda lib, x, y: x >= y, lambda lib, x, y: x == y,
               lambda lib, x, y: (x > 0) & (y > 0), lambda lib, x, y: (x > 0) | ~(y > 0),
               lambda lib, x, y: x != 0.5):
        check_op(op, a, b, requires_grad=False)


def test_broadcast_errors_match_pytorch():
    check_error(lambda lib, x, y: x + y, arrays((2, 3)), arrays((2, 2)))
    check_error(lambda lib, x, y: x * y, arrays((3,)), arrays((4,)))


def test_shape_errors_match_pytorch():
    check_error(lambda lib, x: x.view(4), arrays((2, 3)))
    check_error(lambda lib, x: x.view(-1, -1), arrays((2, 3)))
    check_error(lambda lib, x, y: x.mm(y), arrays((2, 3)), arrays((2, 3)))
    check_error(lambda lib, x, y: x @ y, arrays((2, 3)), arrays((2, 3)))
    check_error(lambda lib, x: x.transpose(0, 1).view(6), arrays((2, 3)))
    check_error(lambda lib, x: x[3], arrays((2, 3)))
    check_error(lambda lib, x: x.sum(2), arrays((2, 3)))
    check_error(lambda lib, x: x.expand(3, 4), arrays((2, 3)))
