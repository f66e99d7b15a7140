"""Attention: ``F.scaled_dot_product_attention`` (fused and math kernels, masks, causal,
scale, grouped-query heads, dropout bit for bit), ``F.multi_head_attention_forward`` and
``nn.MultiheadAttention`` against PyTorch, with float64 gradchecks and PyTorch's errors."""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from nn_oracle import build_pair, check_module
from oracle import assert_same_tensor, check_error, check_op

RNG = np.random.default_rng(0)
TOL = {"atol": 1e-5, "rtol": 1e-4}
FLASH = "ScaledDotProductFlashAttentionForCpuBackward0"


def randn(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def const(lib, array):
    """A tensor that needs no gradient (check_op makes float inputs require grad)."""
    return lib.from_numpy(np.array(array))


def sdpa(lib, *args, **kwargs):
    return lib.nn.functional.scaled_dot_product_attention(*args, **kwargs)


# -- scaled_dot_product_attention --------------------------------------------------------
BOOL_MASK = RNG.random((5, 6)) > 0.3
BOOL_MASK[1] = False  # a row with every key masked gives zeros, not nan
FLOAT_MASK = np.where(BOOL_MASK, 0, -np.inf).astype(np.float32) + randn(5, 6)


@pytest.mark.parametrize("qs, ks, vs, kwargs, grad_fn", [
    ((2, 3, 5, 8), (2, 3, 6, 8), (2, 3, 6, 8), {}, FLASH),
    ((2, 3, 5, 8), (2, 3, 6, 8), (2, 3, 6, 8), {"is_causal": True}, FLASH),
    ((2, 3, 7, 8), (2, 3, 5, 8), (2, 3, 5, 8), {"is_causal": True}, FLASH),
    ((2, 3, 5, 8), (2, 3, 6, 8), (2, 3, 6, 8), {"scale": 0.3}, FLASH),
    ((2, 3, 5, 8), (2, 3, 6, 8), (2, 3, 6, 8), {"scale": -0.3}, FLASH),
    ((2, 4, 5, 8), (2, 2, 6, 8), (2, 2, 6, 8), {"enable_gqa": True}, FLASH),
    ((2, 4, 5, 8), (2, 2, 6, 8), (2, 1, 6, 8), {"enable_gqa": True}, "UnsafeViewBackward0"),
    ((4, 5, 8), (2, 6, 8), (2, 6, 8), {"enable_gqa": True}, "UnsafeViewBackward0"),
    ((3, 5, 8), (3, 6, 8), (3, 6, 8), {}, "UnsafeViewBackward0"),
    ((3, 5, 8), (3, 6, 8), (3, 6, 8), {"is_causal": True, "scale": 2.0}, "UnsafeViewBackward0"),
    ((2, 3, 5, 8), (2, 3, 6, 8), (2, 3, 6, 4), {}, "UnsafeViewBackward0"),
    ((2, 3, 5, 8), (1, 3, 6, 8), (1, 3, 6, 8), {}, "UnsafeViewBackward0"),
    ((1, 2, 3, 5, 8), (1, 2, 3, 6, 8), (1, 2, 3, 6, 8), {}, "UnsafeViewBackward0"),
    ((5, 8), (6, 8), (6, 4), {}, "MmBackward0"),
])
def test_sdpa_kernels(qs, ks, vs, kwargs, grad_fn):
    e, _ = check_op(lambda lib, q, k, v: sdpa(lib, q, k, v, **kwargs),
                    randn(*qs), randn(*ks), randn(*vs), **TOL)
    assert e[0].grad_fn.name() == grad_fn


@pytest.mark.parametrize("batch, mask", [
    (batch, mask) for batch in ((2, 3), (3,))
    for mask in (BOOL_MASK, FLOAT_MASK, FLOAT_MASK[:, :1], FLOAT_MASK[None],
                 np.broadcast_to(BOOL_MASK, (3, 5, 6)).copy())] + [
    ((2, 3), FLOAT_MASK[None, None]), ((2, 3), np.broadcast_to(BOOL_MASK, (2, 3, 5, 6)).copy()),
    ((2, 3), FLOAT_MASK[None, None, :1]), ((2, 3), np.broadcast_to(BOOL_MASK, (2, 1, 5, 6)))])
def test_sdpa_masks(batch, mask):
    """Bool and float masks of every rank on both kernels; fully masked rows give 0."""
    check_op(lambda lib, q, k, v: sdpa(lib, q, k, v, attn_mask=const(lib, mask)),
             randn(*batch, 5, 8), randn(*batch, 6, 8), randn(*batch, 6, 8), **TOL)


def test_sdpa_mask_with_causal_on_the_fused_kernel():
    """PyTorch's fused CPU kernel applies both; its math kernel refuses (below)."""
    check_op(lambda lib, q, k, v: sdpa(lib, q, k, v, attn_mask=const(lib, FLOAT_MASK),
                                       is_causal=True),
             randn(2, 3, 5, 8), randn(2, 3, 6, 8), randn(2, 3, 6, 8), **TOL)


def test_sdpa_float_mask_gradient():
    """A mask that needs a gradient takes the math kernel and gets one."""
    e, _ = check_op(lambda lib, q, k, v, m: sdpa(lib, q, k, v, attn_mask=m),
                    randn(2, 3, 5, 8), randn(2, 3, 6, 8), randn(2, 3, 6, 8), randn(5, 6), **TOL)
    assert e[0].grad_fn.name() == "UnsafeViewBackward0"


@pytest.mark.parametrize("grad_fn, key_shape, key_view", [
    (FLASH, (2, 6, 3, 8), lambda k: k.transpose(1, 2)),
    ("UnsafeViewBackward0", (2, 3, 8, 6), lambda k: k.transpose(-1, -2)),
])
def test_sdpa_non_contiguous_inputs(grad_fn, key_shape, key_view):
    """Strided heads keep the fused kernel; a strided last dimension takes the math one."""
    e, _ = check_op(lambda lib, q, k, v: sdpa(lib, q.transpose(1, 2), key_view(k), v[:, :, ::2]),
                    randn(2, 5, 3, 8), randn(*key_shape), randn(2, 3, 12, 8), **TOL)
    assert e[0].grad_fn.name() == grad_fn


@pytest.mark.parametrize("shape", [(2, 3, 0, 8), (2, 3, 5, 0), (0, 3, 5, 8), (3, 0, 8)])
def test_sdpa_empty(shape):
    k_shape = shape[:-2] + (6, shape[-1])
    check_op(lambda lib, q, k, v: sdpa(lib, q, k, v), randn(*shape), randn(*k_shape),
             randn(*k_shape))


@pytest.mark.parametrize("batch", [(2, 3), (4,)])
@pytest.mark.parametrize("p", [0.2, 0.5, 1.0])
def test_sdpa_dropout_bit_exact(batch, p):
    def run(lib, q, k, v):
        lib.manual_seed(11)
        return sdpa(lib, q, k, v, dropout_p=p)
    check_op(run, randn(*batch, 5, 8), randn(*batch, 6, 8), randn(*batch, 6, 8), **TOL)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 3), h=st.integers(1, 3), length=st.integers(1, 6),
       s=st.integers(1, 6), e=st.integers(1, 5), dtype=st.sampled_from([np.float32, np.float64]),
       mask=st.sampled_from([None, "bool", "float"]), causal=st.booleans())
def test_sdpa_shapes(n, h, length, s, e, dtype, mask, causal):
    rng = np.random.default_rng(n * 100 + length * 10 + s)
    keep = rng.random((length, s)) > 0.3
    masks = {None: None, "bool": keep, "float": np.where(keep, 0, -np.inf).astype(dtype)}
    attn_mask = masks[mask]

    def run(lib, q, k, v):
        m = None if attn_mask is None else const(lib, attn_mask)
        return sdpa(lib, q, k, v, attn_mask=m, is_causal=causal and m is None)
    check_op(run, randn(n, h, length, e, dtype=dtype), randn(n, h, s, e, dtype=dtype),
             randn(n, h, s, e, dtype=dtype), **TOL)


@pytest.mark.parametrize("qs, ks, kwargs", [
    ((2, 3, 4, 5), (2, 3, 3, 5), {}),
    ((2, 3, 4, 5), (2, 3, 3, 5), {"is_causal": True}),
    ((3, 4, 5), (3, 3, 5), {}),
    ((2, 4, 4, 5), (2, 2, 3, 5), {"enable_gqa": True}),
])
def test_sdpa_gradcheck(qs, ks, kwargs):
    inputs = [ember.randn(*s, dtype=ember.float64, requires_grad=True) for s in (qs, ks, ks)]
    fn = lambda q, k, v: sdpa(ember, q, k, v, **kwargs)  # noqa: E731
    assert ember.autograd.gradcheck(fn, inputs)
    assert ember.autograd.gradgradcheck(fn, inputs)


def test_sdpa_gradcheck_with_mask():
    mask = ember.from_numpy(BOOL_MASK[:4, :3].copy())
    inputs = [ember.randn(*s, dtype=ember.float64, requires_grad=True)
              for s in ((2, 3, 4, 5), (2, 3, 3, 5), (2, 3, 3, 5))]
    assert ember.autograd.gradcheck(lambda q, k, v: sdpa(ember, q, k, v, attn_mask=mask),
                                    inputs)


@pytest.mark.parametrize("qs, ks, vs, kwargs", [
    ((2, 3, 5, 8), (2, 3, 6, 8), (2, 3, 6, 8), {"dropout_p": 2.0}),
    ((2, 3, 5, 8), (2, 3, 6, 8), (2, 3, 6, 8), {"dropout_p": -1.0}),
    ((3, 5, 8), (3, 6, 8), (3, 6, 8), {"is_causal": True, "attn_mask": BOOL_MASK}),
    ((2, 4, 5, 8), (2, 3, 6, 8), (2, 3, 6, 8), {"enable_gqa": True}),
    ((2, 4, 5, 8), (2, 2, 6, 8), (2, 2, 6, 8), {}),
    ((3, 5, 8), (3, 6, 4), (3, 6, 4), {}),
    ((8,), (6, 8), (6, 8), {}),
    ((3, 5, 8), (3, 6, 8), (3, 6, 8), {"attn_mask": np.ones((5, 6), np.int64)}),
    ((3, 5, 8), (3, 6, 8), (3, 6, 8), {"attn_mask": np.ones((5, 6), np.float64)}),
    ((3, 5, 8), (3, 6, 8), (3, 6, 8), {"attn_mask": np.ones((2, 3, 5, 6), np.float32)}),
])
def test_sdpa_errors(qs, ks, vs, kwargs):
    def run(lib, q, k, v):
        args = {key: const(lib, a) if isinstance(a, np.ndarray) else a
                for key, a in kwargs.items()}
        return sdpa(lib, q, k, v, **args)
    check_error(run, randn(*qs), randn(*ks), randn(*vs))


@pytest.mark.parametrize("types", [(np.float32, np.float64, np.float32),
                                   (np.int64, np.int64, np.int64)])
def test_sdpa_dtype_errors(types):
    check_error(lambda lib, q, k, v: sdpa(lib, q, k, v), *[np.ones((3, 4, 5), t) for t in types])


# -- nn.MultiheadAttention ---------------------------------------------------------------
X = randn(5, 3, 8)          # (L, N, E)
X_BF = X.transpose(1, 0, 2).copy()  # (N, L, E)
MEM = randn(7, 3, 8)
KPM = RNG.random((3, 5)) > 0.6
KPM[:, 0] = False
ATTN = RNG.random((5, 5)) > 0.7
np.fill_diagonal(ATTN, False)


def self_attn(**kwargs):
    def call(module, x):
        masks = {key: const(ember if isinstance(x, ember.Tensor) else torch, value)
                 if isinstance(value, np.ndarray) else value for key, value in kwargs.items()}
        return module(x, x, x, **masks)
    return call


@pytest.mark.parametrize("kwargs", [
    {}, {"need_weights": False}, {"average_attn_weights": False},
    {"attn_mask": ATTN}, {"attn_mask": ATTN, "need_weights": False},
    {"key_padding_mask": KPM}, {"key_padding_mask": KPM, "need_weights": False},
    {"key_padding_mask": KPM, "attn_mask": ATTN, "need_weights": False},
    {"attn_mask": np.where(ATTN, -np.inf, 0).astype(np.float32) + randn(5, 5)},
    {"attn_mask": np.broadcast_to(ATTN, (6, 5, 5)).copy(), "need_weights": False},
    {"attn_mask": np.broadcast_to(ATTN, (6, 5, 5)).copy()},
    {"key_padding_mask": np.where(KPM, -np.inf, 0).astype(np.float32), "need_weights": False},
    {"attn_mask": np.triu(np.ones((5, 5), bool), 1), "is_causal": True, "need_weights": False},
    {"attn_mask": np.triu(np.ones((5, 5), bool), 1), "is_causal": True},
    {"attn_mask": np.triu(np.ones((5, 5), bool), 1), "is_causal": True,
     "key_padding_mask": KPM, "need_weights": False},
])
@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_mha_self_attention(kwargs, dropout):
    check_module(lambda lib: lib.nn.MultiheadAttention(8, 2, dropout=dropout), X,
                 forward=self_attn(**kwargs), **TOL)


@pytest.mark.parametrize("options", [
    {"batch_first": True}, {"bias": False}, {"add_bias_kv": True}, {"add_zero_attn": True},
    {"add_bias_kv": True, "add_zero_attn": True, "batch_first": True},
])
@pytest.mark.parametrize("kwargs", [{}, {"need_weights": False},
                                    {"key_padding_mask": KPM, "attn_mask": ATTN}])
def test_mha_options(options, kwargs):
    x = X_BF if options.get("batch_first") else X
    check_module(lambda lib: lib.nn.MultiheadAttention(8, 4, **options), x,
                 forward=self_attn(**kwargs), **TOL)


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("batch_first", [True, False])
def test_mha_cross_attention(need_weights, batch_first):
    """Query differs from key/value (key is value): the packed weight is split."""
    x, mem = (X_BF, MEM.transpose(1, 0, 2).copy()) if batch_first else (X, MEM)
    check_module(lambda lib: lib.nn.MultiheadAttention(8, 2, batch_first=batch_first), x, mem,
                 forward=lambda m, q, kv: m(q, kv, kv, need_weights=need_weights), **TOL)
    check_module(lambda lib: lib.nn.MultiheadAttention(8, 2, batch_first=batch_first), x, mem,
                 mem.copy(), forward=lambda m, q, k, v: m(q, k, v, need_weights=need_weights),
                 **TOL)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_kdim_vdim(need_weights):
    check_module(lambda lib: lib.nn.MultiheadAttention(8, 2, kdim=4, vdim=6, dropout=0.2), X,
                 randn(7, 3, 4), randn(7, 3, 6),
                 forward=lambda m, q, k, v: m(q, k, v, need_weights=need_weights), **TOL)


@pytest.mark.parametrize("kwargs", [{}, {"need_weights": False},
                                    {"key_padding_mask": KPM[0], "attn_mask": ATTN},
                                    {"attn_mask": np.broadcast_to(ATTN, (2, 5, 5)).copy()}])
def test_mha_unbatched(kwargs):
    check_module(lambda lib: lib.nn.MultiheadAttention(8, 2, batch_first=True), X[:, 0],
                 forward=self_attn(**kwargs), **TOL)


@pytest.mark.parametrize("kwargs", [{}, {"key_padding_mask": KPM},
                                    {"key_padding_mask": KPM, "attn_mask": ATTN,
                                     "average_attn_weights": False},
                                    {"key_padding_mask": np.arange(5) >= np.arange(3)[:, None],
                                     "need_weights": False}])
def test_mha_inference(kwargs):
    """Eval mode under no_grad, where PyTorch takes its fused fast path: same values, and
    nan (not 0) for a query whose keys are all masked."""
    e_mod, t_mod = build_pair(lambda lib: lib.nn.MultiheadAttention(8, 2, batch_first=True))
    e_mod.eval()
    t_mod.eval()
    x = X_BF
    with torch.no_grad():
        t_out = self_attn(**kwargs)(t_mod, torch.from_numpy(x))
    with ember.no_grad():
        e_out = self_attn(**kwargs)(e_mod, ember.from_numpy(x))
    assert_same_tensor(e_out[0], t_out[0], **TOL)
    assert (e_out[1] is None) == (t_out[1] is None)
    if t_out[1] is not None:
        assert_same_tensor(e_out[1], t_out[1], **TOL)


def test_mha_eval_mode_and_dtype():
    check_module(lambda lib: lib.nn.MultiheadAttention(8, 2, dropout=0.5), X, train=False,
                 forward=self_attn(), **TOL)
    check_module(lambda lib: lib.nn.MultiheadAttention(8, 2, dtype=lib.float64),
                 X.astype(np.float64), forward=self_attn(key_padding_mask=KPM))


def test_mha_module_structure():
    e_mod, t_mod = build_pair(lambda lib: lib.nn.MultiheadAttention(8, 2, kdim=3, vdim=5,
                                                                    add_bias_kv=True))
    assert repr(e_mod) == repr(t_mod)
    assert [n for n, _ in e_mod.named_parameters()] == [n for n, _ in t_mod.named_parameters()]
    e_plain, t_plain = build_pair(lambda lib: lib.nn.MultiheadAttention(8, 2, bias=False))
    assert repr(e_plain) == repr(t_plain)
    assert e_plain.bias_k is None and e_plain.in_proj_bias is None
    assert type(e_mod.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    float_kpm = np.where(KPM, -np.inf, 0).astype(np.float32)
    for attn in (ATTN, np.broadcast_to(ATTN, (6, 5, 5))):
        float_attn = np.where(attn, -np.inf, 0).astype(np.float32)
        e_merged, e_type = e_plain.merge_masks(const(ember, float_attn), const(ember, float_kpm),
                                               ember.from_numpy(X_BF))
        t_merged, t_type = t_plain.merge_masks(const(torch, float_attn), const(torch, float_kpm),
                                               torch.from_numpy(X_BF))
        assert e_type == t_type == 2
        assert_same_tensor(e_merged, t_merged)
    assert isinstance(e_mod.out_proj, ember.nn.Linear)


def test_mha_functional_static_kv():
    """``F.multi_head_attention_forward`` with separate weights and static keys/values."""
    def run(lib, q, w_q, w_k, w_v, b_in, w_out, static_k, static_v):
        return lib.nn.functional.multi_head_attention_forward(
            q, q, q, 8, 2, None, b_in, None, None, False, 0.0, w_out, None,
            use_separate_proj_weight=True, q_proj_weight=w_q, k_proj_weight=w_k,
            v_proj_weight=w_v, static_k=static_k, static_v=static_v)
    check_op(run, X, randn(8, 8), randn(8, 8), randn(8, 8), randn(24), randn(8, 8),
             randn(6, 4, 4), randn(6, 4, 4), **TOL)


def test_mha_mismatched_mask_types_warn():
    for lib in (torch, ember):
        module = lib.nn.MultiheadAttention(8, 2)
        x = lib.from_numpy(X)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            module(x, x, x, key_padding_mask=const(lib, KPM),
                   attn_mask=const(lib, np.zeros((5, 5), np.float32)))
        assert any("Support for mismatched key_padding_mask and attn_mask is deprecated"
                   in str(w.message) for w in caught)


@pytest.mark.parametrize("make, call", [
    (lambda lib: lib.nn.MultiheadAttention(0, 2), None),
    (lambda lib: lib.nn.MultiheadAttention(8, 3), None),
    (lambda lib: lib.nn.MultiheadAttention(8, 2), lambda m, lib, x: m(x[0, 0], x[0, 0], x[0, 0])),
    (lambda lib: lib.nn.MultiheadAttention(8, 2), lambda m, lib, x: m(x, x[0], x[0])),
    (lambda lib: lib.nn.MultiheadAttention(8, 2), lambda m, lib, x: m(x[:, :, :4], x, x)),
    (lambda lib: lib.nn.MultiheadAttention(8, 2), lambda m, lib, x: m(x, x, x[:4])),
    (lambda lib: lib.nn.MultiheadAttention(8, 2),
     lambda m, lib, x: m(x, x, x, key_padding_mask=const(lib, KPM[0]))),
    (lambda lib: lib.nn.MultiheadAttention(8, 2),
     lambda m, lib, x: m(x, x, x, key_padding_mask=const(lib, KPM[:, :4]))),
    (lambda lib: lib.nn.MultiheadAttention(8, 2),
     lambda m, lib, x: m(x, x, x, key_padding_mask=const(lib, KPM[:2]))),
    (lambda lib: lib.nn.MultiheadAttention(8, 2),
     lambda m, lib, x: m(x, x, x, attn_mask=const(lib, ATTN[:4]))),
    (lambda lib: lib.nn.MultiheadAttention(8, 2),
     lambda m, lib, x: m(x, x, x, attn_mask=const(lib, np.ones((2, 5, 5), bool)))),
    (lambda lib: lib.nn.MultiheadAttention(8, 2),
     lambda m, lib, x: m(x, x, x, attn_mask=const(lib, np.ones((1, 2, 5, 5), bool)))),
    (lambda lib: lib.nn.MultiheadAttention(8, 2),
     lambda m, lib, x: m(x, x, x, attn_mask=const(lib, np.ones((5, 5), np.int64)))),
    (lambda lib: lib.nn.MultiheadAttention(8, 2), lambda m, lib, x: m(x, x, x, is_causal=True)),
    (lambda lib: lib.nn.MultiheadAttention(8, 2),
     lambda m, lib, x: m(x[:, 0], x[:, 0], x[:, 0], attn_mask=const(lib, np.ones((3, 5, 5),
                                                                             bool)))),
])
def test_mha_errors(make, call):
    if call is None:
        check_error(lambda lib: make(lib))
    else:
        check_error(lambda lib, x: call(make(lib), lib, x), X)
