"""Shape, joining and reordering ops against PyTorch: values, dtypes, grad_fn names,
gradients, views sharing memory, bad arguments; float64 gradcheck and gradgradcheck."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from oracle import assert_same_tensor, check_error, check_op, torch

SETTINGS = settings(max_examples=80, deadline=None)


def arrays(shape, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.bool_:
        return rng.integers(0, 2, size=shape).astype(bool)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(-5, 6, size=shape).astype(dtype)
    return rng.uniform(-3, 3, size=shape).astype(dtype)


X = arrays((2, 3, 4))
M = arrays((3, 4), seed=1)
V = arrays((4,), seed=2)

# Every op in several forms, on a (2, 3, 4) input.
SHAPE_OPS = {
    "view": lambda lib, x: x.view(6, 4),
    "view_tuple": lambda lib, x: x.view((4, -1)),
    "view_as": lambda lib, x: x.view_as(lib.zeros(24)),
    "reshape_copy": lambda lib, x: x.transpose(0, 2).reshape(4, 6),
    "reshape_alias": lambda lib, x: x.transpose(0, 1).reshape(3, 2, 2, 2),
    "reshape_alias_same": lambda lib, x: x[0].t().reshape(4, 3),
    "reshape_as": lambda lib, x: x.reshape_as(lib.zeros(4, 6)),
    "flatten": lambda lib, x: x.flatten(),
    "flatten_range": lambda lib, x: lib.flatten(x, 1, 2),
    "flatten_noncontig": lambda lib, x: x.transpose(0, 1).flatten(),
    "unflatten": lambda lib, x: x.unflatten(2, (2, 2)),
    "unflatten_infer": lambda lib, x: lib.unflatten(x, -1, (-1, 2)),
    "ravel": lambda lib, x: x.ravel(),
    "ravel_noncontig": lambda lib, x: lib.ravel(x.transpose(0, 1)),
    "squeeze_all": lambda lib, x: x.view(1, 2, 1, 12).squeeze(),
    "squeeze_dim": lambda lib, x: x.view(2, 1, 12).squeeze(1),
    "squeeze_dim_noop": lambda lib, x: x.squeeze(0),
    "squeeze_tuple": lambda lib, x: x.view(1, 2, 1, 12).squeeze((0, 2, 3)),
    "unsqueeze": lambda lib, x: x.unsqueeze(-1),
    "permute": lambda lib, x: x.permute(2, 0, 1),
    "permute_tuple": lambda lib, x: lib.permute(x, (1, 2, 0)),
    "transpose": lambda lib, x: x.transpose(0, 2),
    "swapaxes": lambda lib, x: lib.swapaxes(x, 0, 1),
    "swapdims": lambda lib, x: x.swapdims(-1, 0),
    "t": lambda lib, x: x[0].t(),
    "t_1d": lambda lib, x: x[0, 0].t(),
    "T_2d": lambda lib, x: x[0].T,
    "mT": lambda lib, x: x.mT,
    "movedim": lambda lib, x: x.movedim(0, 2),
    "movedim_tuple": lambda lib, x: lib.movedim(x, (0, 1), (2, 0)),
    "moveaxis": lambda lib, x: lib.moveaxis(x, -1, 0),
    "expand": lambda lib, x: x[:, :1].expand(2, 3, 4),
    "expand_new_dims": lambda lib, x: x[0, 0].expand(5, 3, 4),
    "expand_minus_one": lambda lib, x: x[:1].expand(-1, 3, -1).unsqueeze(0).expand(2, -1, -1, -1),
    "expand_as": lambda lib, x: x[0, :, :1].expand_as(x),
    "broadcast_to": lambda lib, x: lib.broadcast_to(x[:, :1], (5, 2, 3, 4)),
    "broadcast_tensors": lambda lib, x: lib.broadcast_tensors(x, x[0, :, :1], x[0, 0, 0]),
    "clone": lambda lib, x: x.clone(),
    "contiguous": lambda lib, x: x.transpose(0, 1).contiguous(),
    "contiguous_noop": lambda lib, x: x.contiguous() * 1,
    "cat": lambda lib, x: lib.cat([x, x * 2, x[:1]]),
    "cat_dim": lambda lib, x: lib.cat((x, x[:, :1]), dim=1),
    "cat_neg_dim": lambda lib, x: lib.cat([x, x[..., :2]], -1),
    "concat": lambda lib, x: lib.concat([x, x], 2),
    "concatenate": lambda lib, x: lib.concatenate([x, x], axis=0),
    "cat_legacy_empty": lambda lib, x: lib.cat([x, lib.zeros(0), x], 1),
    "cat_empty_dim": lambda lib, x: lib.cat([x[:0], x]),
    "cat_one": lambda lib, x: lib.cat([x]),
    "stack": lambda lib, x: lib.stack([x, x * 3]),
    "stack_dim": lambda lib, x: lib.stack((x, x, x), dim=-1),
    "hstack": lambda lib, x: lib.hstack([x, x]),
    "hstack_1d": lambda lib, x: lib.hstack([x[0, 0], x[1, 1], x[0, 0, 0]]),
    "vstack": lambda lib, x: lib.vstack([x[0], x[1, 0], x[1]]),
    "row_stack": lambda lib, x: lib.row_stack([x[0, 0], x[1, 0]]),
    "dstack": lambda lib, x: lib.dstack([x[0], x[1]]),
    "dstack_1d": lambda lib, x: lib.dstack([x[0, 0], x[1, 1]]),
    "column_stack": lambda lib, x: lib.column_stack([x[0, :, 0], x[0], x[1, :, 2]]),
    "atleast_1d": lambda lib, x: lib.atleast_1d(x[0, 0, 0]),
    "atleast_2d": lambda lib, x: lib.atleast_2d(x[0, 0]),
    "atleast_3d": lambda lib, x: lib.atleast_3d(x[0]),
    "atleast_3d_many": lambda lib, x: lib.atleast_3d(x[0, 0, 0], x[0, 0], x),
    "split": lambda lib, x: x.split(2, dim=2),
    "split_uneven": lambda lib, x: lib.split(x, 2, 1),
    "split_sizes": lambda lib, x: x.split([1, 3], -1),
    "split_with_sizes": lambda lib, x: x.split_with_sizes([2, 1], 1),
    "split_partial_use": lambda lib, x: x.split(1, 1)[1],
    "chunk": lambda lib, x: x.chunk(3, 2),
    "chunk_fn": lambda lib, x: lib.chunk(x, 2, 1),
    "unbind": lambda lib, x: x.unbind(1),
    "unbind_partial_use": lambda lib, x: lib.unbind(x)[1] * 2,
    "tensor_split": lambda lib, x: x.tensor_split(3, 2),
    "tensor_split_indices": lambda lib, x: lib.tensor_split(x, [1, 5], 2),
    "hsplit": lambda lib, x: x.hsplit(3),
    "vsplit": lambda lib, x: x.vsplit([1]),
    "dsplit": lambda lib, x: lib.dsplit(x, 2),
    "narrow": lambda lib, x: x.narrow(1, 1, 2),
    "narrow_neg": lambda lib, x: lib.narrow(x, -1, -2, 2),
    "flip": lambda lib, x: x.flip(0, 2),
    "flip_fn": lambda lib, x: lib.flip(x, (1,)),
    "fliplr": lambda lib, x: x.fliplr(),
    "flipud": lambda lib, x: lib.flipud(x),
    "roll": lambda lib, x: x.roll(5),
    "roll_dims": lambda lib, x: x.roll((1, -2), (0, 2)),
    "roll_dim": lambda lib, x: lib.roll(x, 1, 1),
    "rot90": lambda lib, x: x.rot90(),
    "rot90_k": lambda lib, x: lib.rot90(x, 3, (1, 2)),
    "rot90_neg": lambda lib, x: x.rot90(-1, (2, 0)),
    "rot90_two": lambda lib, x: x.rot90(2),
    "repeat": lambda lib, x: x.repeat(2, 1, 3),
    "repeat_new_dims": lambda lib, x: x.repeat(2, 1, 1, 2),
    "repeat_list": lambda lib, x: x.repeat([1, 2, 1]),
    "tile": lambda lib, x: x.tile(2),
    "tile_more": lambda lib, x: lib.tile(x, (2, 1, 1, 1)),
    "repeat_interleave": lambda lib, x: x.repeat_interleave(2),
    "repeat_interleave_dim": lambda lib, x: x.repeat_interleave(3, dim=1),
    "repeat_interleave_tensor": lambda lib, x: x.repeat_interleave(lib.tensor([1, 0, 2]), 1),
    "repeat_interleave_one": lambda lib, x: lib.repeat_interleave(x, lib.tensor([2]), dim=0),
    "repeat_interleave_flat": lambda lib, x: x[0].repeat_interleave(lib.tensor(2)),
    "tril": lambda lib, x: x.tril(),
    "tril_k": lambda lib, x: lib.tril(x, -1),
    "triu": lambda lib, x: x.triu(1),
    "triu_neg": lambda lib, x: lib.triu(x, -1),
    "diagonal": lambda lib, x: x.diagonal(),
    "diagonal_dims": lambda lib, x: lib.diagonal(x, 1, 1, 2),
    "diagonal_neg": lambda lib, x: x.diagonal(-1, -1, 0),
    "diagonal_empty": lambda lib, x: x.diagonal(7),
    "diag_matrix": lambda lib, x: x[0].diag(),
    "diag_matrix_offset": lambda lib, x: lib.diag(x[0], -1),
    "diag_vector": lambda lib, x: x[0, 0].diag(),
    "diag_vector_offset": lambda lib, x: lib.diag(x[0, 0], 2),
    "diag_embed": lambda lib, x: x.diag_embed(),
    "diag_embed_dims": lambda lib, x: lib.diag_embed(x, -1, 0, 2),
    "diag_embed_offset": lambda lib, x: x.diag_embed(1, -1, -2),
}


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
def test_shape_ops(name):
    check_op(SHAPE_OPS[name], X)


T_WARNING_OPS = {"T_3d": lambda lib, x: x.T, "T_1d": lambda lib, x: x[0, 0].T,
                 "T_0d": lambda lib, x: x[0, 0, 0].T}


@pytest.mark.parametrize("name", sorted(T_WARNING_OPS))
def test_T_warns_like_pytorch(name):
    with pytest.warns(UserWarning) as record:
        check_op(T_WARNING_OPS[name], X)
    # PyTorch appends where in its C++ sources the warning was raised.
    messages = {str(w.message).split(" (Triggered internally")[0] for w in record}
    assert len(messages) == 1


DTYPES = [np.float32, np.float64, np.int64, np.int32, np.bool_]

# Ops that accept any shape (the lambda adapts to the rank).
ANY_SHAPE = {
    "reshape": lambda lib, x: x.reshape(-1),
    "flatten": lambda lib, x: x.flatten(),
    "squeeze": lambda lib, x: x.squeeze(),
    "unsqueeze": lambda lib, x: x.unsqueeze(0),
    "permute_reverse": lambda lib, x: x.permute(list(range(x.dim() - 1, -1, -1))),
    "transpose": lambda lib, x: x.transpose(0, -1),
    "expand": lambda lib, x: x.expand(2, *x.shape),
    "repeat": lambda lib, x: x.repeat(*([2] * (x.dim() + 1))),
    "tile": lambda lib, x: x.tile((2,)),
    "flip": lambda lib, x: x.flip(list(range(x.dim()))),
    "roll": lambda lib, x: x.roll(1),
    "clone": lambda lib, x: x.clone(),
    "cat": lambda lib, x: lib.cat([x.reshape(-1), x.reshape(-1)]),
    "stack": lambda lib, x: lib.stack([x, x], -1),
    "atleast_3d": lambda lib, x: lib.atleast_3d(x),
    "repeat_interleave": lambda lib, x: x.repeat_interleave(2),
    "noncontig_view": lambda lib, x: x.unsqueeze(0).expand(2, *x.shape).transpose(0, -1)
    .reshape(-1),
    "unbind_stack": lambda lib, x: lib.stack(x.reshape(-1).unbind()) if x.numel() else x,
    "split_cat": lambda lib, x: lib.cat(x.reshape(-1).split(2)),
    "chunk": lambda lib, x: x.flatten().chunk(3),
    "broadcast_tensors": lambda lib, x: lib.broadcast_tensors(x, x.unsqueeze(0)),
}


@pytest.mark.parametrize("name", sorted(ANY_SHAPE))
@SETTINGS
@given(data=st.data())
def test_any_shape_and_dtype(name, data):
    dtype = data.draw(st.sampled_from(DTYPES))
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
    check_op(ANY_SHAPE[name], arrays(shape, dtype, seed=data.draw(st.integers(0, 99))))


MATRIX_OPS = {
    "tril": lambda lib, x: x.tril(1),
    "triu": lambda lib, x: x.triu(-1),
    "diagonal": lambda lib, x: x.diagonal(1, -2, -1),
    "diag_embed": lambda lib, x: x.diag_embed(-1),
    "mT": lambda lib, x: x.mT,
    "rot90": lambda lib, x: x.rot90(1, (-2, -1)),
    "fliplr": lambda lib, x: x.fliplr(),
    "noncontig_tril": lambda lib, x: x.transpose(-2, -1)[..., ::2, :].tril(),
    "movedim": lambda lib, x: x.movedim(-1, 0),
}


@pytest.mark.parametrize("name", sorted(MATRIX_OPS))
@SETTINGS
@given(data=st.data())
def test_matrix_ops_any_shape_and_dtype(name, data):
    dtype = data.draw(st.sampled_from(DTYPES))
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=4, min_side=0, max_side=4))
    check_op(MATRIX_OPS[name], arrays(shape, dtype, seed=data.draw(st.integers(0, 99))))


@pytest.mark.parametrize("left, right", [(np.int64, np.float32), (np.bool_, np.int32),
                                         (np.float32, np.float64), (np.uint8, np.int8),
                                         (np.bool_, np.bool_)])
def test_joins_promote_dtypes(left, right):
    a, b = arrays((2, 3), left), arrays((2, 3), right, seed=1)
    check_op(lambda lib, x, y: lib.cat([x, y]), a, b)
    check_op(lambda lib, x, y: lib.stack([x, y], 1), a, b)
    check_op(lambda lib, x, y: lib.hstack([x, y]), a, b)
    check_op(lambda lib, x, y: lib.cat([x, lib.zeros(0, dtype=lib.float64)]), a, b)


# -- views share memory with their base ----------------------------------------------------
VIEWS = {
    "view": lambda lib, x: x.view(12),
    "reshape": lambda lib, x: x.reshape(2, 6),
    "flatten": lambda lib, x: x.flatten(),
    "unflatten": lambda lib, x: x.unflatten(1, (2, 2)),
    "transpose": lambda lib, x: x.transpose(0, 1),
    "t": lambda lib, x: x.t(),
    "T": lambda lib, x: x.T,
    "mT": lambda lib, x: x.mT,
    "permute": lambda lib, x: x.permute(1, 0),
    "movedim": lambda lib, x: x.movedim(0, 1),
    "squeeze": lambda lib, x: x[:1].squeeze(0),
    "unsqueeze": lambda lib, x: x.unsqueeze(1),
    "expand_select": lambda lib, x: x[:1].expand(3, 4)[1],
    "diagonal": lambda lib, x: x.diagonal(1),
    "narrow": lambda lib, x: x.narrow(1, 1, 2),
    "select": lambda lib, x: x.select(1, 2),
    "select_to_0d": lambda lib, x: x[1][2],
    "unbind_to_0d": lambda lib, x: x[0].unbind()[1],
    "getitem_to_0d": lambda lib, x: x[1, -1],
    "slice_step": lambda lib, x: x[::2, 1::2],
    "split": lambda lib, x: x.split(2, 1)[1],
    "chunk": lambda lib, x: x.chunk(2)[0],
    "unbind": lambda lib, x: x.unbind(1)[3],
    "tensor_split": lambda lib, x: x.tensor_split(2, 1)[1],
    "swapaxes": lambda lib, x: x.swapaxes(0, 1),
    "alias": lambda lib, x: x[...],
    "view_of_view": lambda lib, x: x.t()[1:].unsqueeze(0)[0, ::2],
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_views_share_memory(name):
    results = []
    for lib in (ember, torch):
        base = lib.arange(12.0).reshape(3, 4)
        view = VIEWS[name](lib, base)
        view_base = view._base
        view.mul_(10)
        base.add_(1)
        results.append((base.clone(), view.clone(), view_base is base, view._version,
                        base._version))
    (eb, ev, e_is, e_vv, e_bv), (tb, tv, t_is, t_vv, t_bv) = results
    assert_same_tensor(eb, tb)
    assert_same_tensor(ev, tv)
    assert (e_is, e_vv, e_bv) == (t_is, t_vv, t_bv)


def test_copies_do_not_share_memory():
    for make in (lambda x: x.flip(0), lambda x: x.roll(1), lambda x: x.repeat(1, 1),
                 lambda x: x.clone(), lambda x: ember.cat([x]), lambda x: x.tril(),
                 lambda x: x.diag(), lambda x: x.transpose(0, 1).contiguous(),
                 lambda x: x.t().reshape(-1), lambda x: x.rot90(0)):
        x = ember.arange(9.0).reshape(3, 3)
        y = make(x)
        y.zero_()
        assert x.sum().item() == 36 and y._base is None


def test_broadcast_tensors_returns_input_when_shape_matches():
    for lib in (ember, torch):
        x = lib.ones(2, 3, requires_grad=True)
        out = lib.broadcast_tensors(x, lib.ones(3))
        assert out[0] is x and out[1]._base is not None


def test_inplace_shape_ops():
    def run(lib, op):
        x = lib.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        y = x * 1
        v = op(y)
        out = (y * lib.arange(1.0, 4.0).reshape(y.shape)).sum()
        out.backward()
        return v is y, y.shape, y._version, y.grad_fn.name(), x.grad
    for op in (lambda y: y.t_(), lambda y: y.transpose_(0, 1), lambda y: y.swapaxes_(1, 0),
               lambda y: y.swapdims_(0, 1), lambda y: y.unsqueeze_(-1),
               lambda y: y.squeeze_(), lambda y: y.squeeze_(0), lambda y: y.squeeze_((0,))):
        (e_same, e_shape, e_v, e_name, e_grad) = run(ember, op)
        (t_same, t_shape, t_v, t_name, t_grad) = run(torch, op)
        assert (e_same, tuple(e_shape), e_v, e_name) == (t_same, tuple(t_shape), t_v, t_name)
        assert_same_tensor(e_grad, t_grad)
    check_error(lambda lib: lib.ones(2, requires_grad=True).unsqueeze_(0))
    check_error(lambda lib: lib.ones(2, 2, 2).t_())


# -- errors --------------------------------------------------------------------------------
ERRORS = {
    "view_incompatible": lambda lib, x: x.transpose(0, 1).view(-1),
    "view_two_infer": lambda lib, x: x.view(-1, -1),
    "view_bad_size": lambda lib, x: x.view(5, 5),
    "view_negative": lambda lib, x: x.view(-2, 12),
    "view_empty_ambiguous": lambda lib, x: x[:0].view(-1, 0),
    "flatten_order": lambda lib, x: x.flatten(2, 1),
    "unflatten_product": lambda lib, x: x.unflatten(1, (2, 2)),
    "unflatten_empty": lambda lib, x: x.unflatten(1, ()),
    "squeeze_repeated": lambda lib, x: x.squeeze((0, 0)),
    "squeeze_out_of_range": lambda lib, x: x.squeeze(3),
    "unsqueeze_out_of_range": lambda lib, x: x.unsqueeze(4),
    "permute_length": lambda lib, x: x.permute(0, 1),
    "permute_repeat": lambda lib, x: x.permute(0, 1, 1),
    "transpose_range": lambda lib, x: x.transpose(0, 3),
    "t_3d": lambda lib, x: x.t(),
    "mT_1d": lambda lib, x: x[0, 0].mT,
    "movedim_lengths": lambda lib, x: x.movedim((0, 1), (1,)),
    "movedim_repeat": lambda lib, x: x.movedim((0, 0), (1, 2)),
    "movedim_repeat_destination": lambda lib, x: x.movedim((0, 1), (2, 2)),
    "expand_fewer": lambda lib, x: x.expand(3, 4),
    "expand_mismatch": lambda lib, x: x.expand(2, 3, 5),
    "expand_negative_lead": lambda lib, x: x.expand(-1, 2, 3, 4),
    "broadcast_tensors": lambda lib, x: lib.broadcast_tensors(x, x[..., :2]),
    "broadcast_shapes": lambda lib, x: lib.broadcast_shapes((2, 1), (3, 2)),
    "cat_empty": lambda lib, x: lib.cat([]),
    "cat_zero_dim": lambda lib, x: lib.cat([x, x[0, 0, 0]]),
    "cat_sizes": lambda lib, x: lib.cat([x, x[:, :2]], 2),
    "cat_ranks": lambda lib, x: lib.cat([x, x[0]]),
    "cat_dim": lambda lib, x: lib.cat([x, x], 3),
    "cat_tensor": lambda lib, x: lib.cat(x),
    "cat_non_tensor": lambda lib, x: lib.cat([x, 1]),
    "stack_empty": lambda lib, x: lib.stack([]),
    "stack_sizes": lambda lib, x: lib.stack([x, x[0]]),
    "stack_dim": lambda lib, x: lib.stack([x, x], 4),
    "hstack_empty": lambda lib, x: lib.hstack([]),
    "vstack_empty": lambda lib, x: lib.vstack([]),
    "dstack_empty": lambda lib, x: lib.dstack([]),
    "split_negative": lambda lib, x: x.split(-1),
    "split_zero": lambda lib, x: x.split(0),
    "split_sizes_sum": lambda lib, x: x.split([1, 2]),
    "split_sizes_negative": lambda lib, x: x.split([3, -1]),
    "split_0d": lambda lib, x: x[0, 0, 0].split(1),
    "chunk_zero": lambda lib, x: x.chunk(0),
    "chunk_0d": lambda lib, x: x[0, 0, 0].chunk(2),
    "unbind_0d": lambda lib, x: x[0, 0, 0].unbind(),
    "tensor_split_zero": lambda lib, x: x.tensor_split(0),
    "hsplit_divisible": lambda lib, x: x.hsplit(2),
    "vsplit_rank": lambda lib, x: x[0, 0].vsplit(2),
    "dsplit_rank": lambda lib, x: x[0].dsplit(2),
    "narrow_start": lambda lib, x: x.narrow(0, 5, 1),
    "narrow_length": lambda lib, x: x.narrow(0, 1, 5),
    "narrow_negative_length": lambda lib, x: x.narrow(0, 1, -1),
    "flip_repeat": lambda lib, x: x.flip(0, -3),
    "fliplr_1d": lambda lib, x: x[0, 0].fliplr(),
    "flipud_0d": lambda lib, x: x[0, 0, 0].flipud(),
    "roll_align": lambda lib, x: x.roll((1, 2), 0),
    "roll_required": lambda lib, x: x.roll((), ()),
    "rot90_dims": lambda lib, x: x.rot90(1, (0, 1, 2)),
    "rot90_rank": lambda lib, x: x[0, 0].rot90(),
    "rot90_same": lambda lib, x: x.rot90(1, (0, -3)),
    "repeat_fewer": lambda lib, x: x.repeat(2, 2),
    "repeat_negative": lambda lib, x: x.repeat(1, -1, 2),
    "tile_negative": lambda lib, x: x.tile(-1),
    "repeat_interleave_negative": lambda lib, x: x.repeat_interleave(-1),
    "repeat_interleave_length": lambda lib, x: x.repeat_interleave(lib.tensor([1, 2]), 1),
    "repeat_interleave_2d": lambda lib, x: x.repeat_interleave(lib.tensor([[1, 2]]), 0),
    "repeat_interleave_negative_tensor": lambda lib, x: x.repeat_interleave(
        lib.tensor([1, -1]), 0),
    "repeat_interleave_float": lambda lib, x: x.repeat_interleave(lib.tensor([1.0, 2.0]), 0),
    "repeat_interleave_output_size": lambda lib, x: x.repeat_interleave(2, 0, output_size=3),
    "tril_1d": lambda lib, x: x[0, 0].tril(),
    "triu_1d": lambda lib, x: x[0, 0].triu(),
    "diag_3d": lambda lib, x: x.diag(),
    "diag_0d": lambda lib, x: x[0, 0, 0].diag(),
    "diagonal_same": lambda lib, x: x.diagonal(0, 1, -2),
    "diag_embed_same": lambda lib, x: x.diag_embed(0, -1, 3),
    "write_expanded": lambda lib, x: x[:, :1].detach().expand(2, 3, 4).mul_(2),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_pytorch(name):
    check_error(ERRORS[name], X)


# -- float64 gradcheck and gradgradcheck ---------------------------------------------------
GRADCHECK = {name: SHAPE_OPS[name] for name in (
    "view", "reshape_copy", "unflatten", "squeeze_tuple", "permute", "transpose", "mT",
    "movedim_tuple", "expand_new_dims", "broadcast_tensors", "cat", "cat_legacy_empty",
    "stack_dim", "hstack_1d", "dstack", "split_sizes", "chunk", "unbind", "tensor_split",
    "narrow", "flip", "roll_dims", "rot90_k", "repeat_new_dims", "tile_more",
    "repeat_interleave_dim", "repeat_interleave_tensor", "tril_k", "triu", "diagonal_neg",
    "diag_matrix_offset", "diag_vector_offset", "diag_embed_dims")}


@pytest.mark.parametrize("name", sorted(GRADCHECK))
def test_gradcheck(name):
    x = ember.tensor(arrays((2, 3, 4), np.float64, seed=3), requires_grad=True)

    def fn(t):
        out = GRADCHECK[name](ember, t)
        return out if isinstance(out, ember.Tensor) else tuple(out)
    assert ember.autograd.gradcheck(fn, (x,))
    assert ember.autograd.gradgradcheck(fn, (x,))

