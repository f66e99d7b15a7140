"""Attention: ``scaled_dot_product_attention`` and ``multi_head_attention_forward``.

``scaled_dot_product_attention`` picks a kernel as PyTorch's CPU dispatcher does, so the
grad_fn a user sees is PyTorch's:

- the fused kernel (``ScaledDotProductFlashAttentionForCpuBackward0``) for 4-D inputs with
  one head size, matching batch and head counts (or grouped-query heads), unit last stride,
  no dropout and a 2-D or 4-D mask that needs no gradient. Its forward is one batched GEMM,
  a softmax and a second GEMM over all heads at once; its backward recomputes the attention
  probabilities with ember ops (as FlashAttention does), so double backward works;
- otherwise the "math" composition PyTorch uses: ``q * sqrt(scale)``, ``matmul``, the mask
  added in place, ``_safe_softmax`` (``SafeSoftmaxBackward0``: rows with every key masked
  give zeros, not nan), ``at::dropout`` (so masks equal PyTorch's after ``manual_seed``) and
  a final ``matmul``.

Empty inputs give zeros, as PyTorch's special case does. ``multi_head_attention_forward``
follows ``torch.nn.functional`` step by step (packed or separate in-projections, ``bias_k``,
``add_zero_attn``, key padding masks, ``need_weights`` through ``baddbmm``/``softmax`` and
otherwise through ``scaled_dot_product_attention``); ``nn.MultiheadAttention`` stands in
for PyTorch's inference fast path.
"""

import math
import warnings

import numpy as np

from ... import _creation, _dtype
from ...ops import dropout as _dropout_kernels
from ...ops._dispatch import Op, _state, record, wrap
from ...ops.joining import cat
from ...ops.linalg import _cpp_name, scalar_name
from ._dropout import dropout
from ._linear import linear
from ._padding import pad

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

# Scores that overflow and fully masked rows give inf/nan silently, in PyTorch as here:
# ops/_dispatch.py silences NumPy's floating-point warnings in every ember module.


def _softmax_rows(scores):
    """Softmax over the last axis of a fresh array, in place; an all ``-inf`` row gives 0."""
    peak = np.maximum.reduce(scores, axis=-1, keepdims=True, initial=-np.inf)
    peak[np.isneginf(peak)] = 0
    scores -= peak
    np.exp(scores, out=scores)
    total = np.add.reduce(scores, axis=-1, keepdims=True)
    # Only a fully masked (or empty) row sums to 0: divide it by 1 so it stays 0.
    total[total == 0] = 1
    scores /= total
    return scores


class SafeSoftmaxBackward0(Op):
    saves = ("result",)
    formula = "d softmax(a)_i/da_j = s_i (delta_ij - s_j); a fully masked row has s = 0"

    def backward(self, grad):
        (result,) = self.saved_tensors
        return result * (grad - (grad * result).sum(-1, keepdim=True))


def _safe_softmax(input):
    """``torch._safe_softmax(input, -1)``: softmax, with fully ``-inf`` rows set to 0."""
    out = wrap(_softmax_rows(input._data.copy()))
    if _state.enabled and input._requires_grad:
        record(SafeSoftmaxBackward0, out, (input,))
    return out


class ScaledDotProductFlashAttentionForCpuBackward0(Op):
    saves = (0, 1, 2, "result")
    formula = ("out = P v, P = softmax(scale q k^T + mask): dv = P^T g, dq = scale dS k, "
               "dk = scale dS^T q, dS = P * (g v^T - rowsum(g * out))")

    def backward(self, grad):
        query, key, value, result = self.saved_tensors
        mask, scale, groups = self.ctx
        key_full = key.repeat_interleave(groups, -3) if groups > 1 else key
        value_full = value.repeat_interleave(groups, -3) if groups > 1 else value
        scores = query.matmul(key_full.mT) * scale
        probs = _safe_softmax(scores if mask is None else scores + mask)
        grad_scores = probs * (grad.matmul(value_full.mT) - (grad * result).sum(-1, True))
        grad_query = grad_scores.matmul(key_full) * scale if self.needs_input_grad(0) else None
        grad_key = grad_value = None
        if self.needs_input_grad(1):
            grad_key = _fold_groups(grad_scores.mT.matmul(query) * scale, groups)
        if self.needs_input_grad(2):
            grad_value = _fold_groups(probs.mT.matmul(grad), groups)
        return grad_query, grad_key, grad_value


def _fold_groups(grad, groups):
    """Sum the gradient of heads repeated for grouped-query attention back to one per head."""
    if groups == 1:
        return grad
    return grad.unflatten(-3, (grad.shape[-3] // groups, groups)).sum(-3)


def _bool_mask_to_float(mask, dtype):
    """PyTorch's ``convert_boolean_attn_mask``: True attends (0), False is ``-inf``."""
    return wrap(np.where(mask._data, 0, -np.inf).astype(dtype.np))


def _flash_eligible(query, key, value, attn_mask, dropout_p, enable_gqa):
    """PyTorch's CPU choice of the fused kernel (``use_flash_attention_cpp``)."""
    if dropout_p > 0 or query.dim() != 4 or key.dim() != 4 or value.dim() != 4:
        return False
    (n, h, length, e), kshape, vshape = query.shape, key.shape, value.shape
    if not (e == kshape[3] == vshape[3] and n == kshape[0] == vshape[0]
            and kshape[1] == vshape[1]):
        return False
    if h != kshape[1] and not (enable_gqa and h % kshape[1] == 0):
        return False
    for t in (query, key, value):
        if t._data.strides[-1] != t._data.itemsize and t.shape[-1] != 1:
            return False
    if attn_mask is None:
        return True
    mshape = attn_mask.shape
    if attn_mask.requires_grad or mshape[-2] not in (length, 1) or mshape[-1] not in (
            kshape[2], 1):
        return False
    return attn_mask.dim() == 2 or (attn_mask.dim() == 4 and mshape[0] in (1, n)
                                    and mshape[1] in (1, h))


def _flash_attention(query, key, value, attn_mask, dropout_p, is_causal, scale):
    if dropout_p != 0:
        raise RuntimeError("scaled_dot_product_attention_flash_attention: Currently do not "
                           "support dropout > 0")
    groups = query.shape[1] // key.shape[1]
    q, k, v = query._data, key._data, value._data
    if groups > 1:
        k, v = np.repeat(k, groups, axis=-3), np.repeat(v, groups, axis=-3)
    mask = None if attn_mask is None else attn_mask._data
    if is_causal:
        causal = np.triu(np.full((q.shape[-2], k.shape[-2]), -np.inf, q.dtype), 1)
        mask = causal if mask is None else mask + causal
    scores = np.matmul(q, np.swapaxes(k, -1, -2))
    scores *= scale
    if mask is not None:
        scores += mask
    out = wrap(np.matmul(_softmax_rows(scores), v))
    if _state.enabled and (query._requires_grad or key._requires_grad or value._requires_grad):
        ctx = (None if mask is None else wrap(mask), scale, groups)
        record(ScaledDotProductFlashAttentionForCpuBackward0, out, (query, key, value), ctx)
    return out


def _repeat_heads(query, key, value, enable_gqa):
    """Grouped-query attention: repeat each key/value head over its group of query heads."""
    if not enable_gqa or query.dim() < 3:
        return key, value
    heads = query.shape[-3]
    if heads % key.shape[-3] or heads % value.shape[-3]:
        raise RuntimeError("Number of heads in key and value must divide the number of "
                           "heads in ")
    if key.shape[-3] != heads:
        key = key.repeat_interleave(heads // key.shape[-3], -3)
    if value.shape[-3] != heads:
        value = value.repeat_interleave(heads // value.shape[-3], -3)
    return key, value


def _math_attention(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa):
    """PyTorch's ``_scaled_dot_product_attention_math``, op for op."""
    factor = math.sqrt(abs(scale))
    query = query * (-factor if scale < 0 else factor)
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not "
                               "be set when is_causal=True")
        causal = _creation.ones(query.shape[-2], key.shape[-2], dtype=_dtype.bool).tril()
        attn_mask = _bool_mask_to_float(causal, query.dtype)
    key, value = _repeat_heads(query, key, value, enable_gqa)
    attn = query.matmul(key.transpose(-2, -1) * factor)
    if attn_mask is not None:
        attn.add_(attn_mask)
    attn = _safe_softmax(attn)
    if dropout_p > 0.0:
        attn = _dropout_kernels.dropout(attn, dropout_p, True)
    return attn.matmul(value)


def _validate(query, key, value, attn_mask):
    dtypes = (query.dtype, key.dtype, value.dtype)
    if len(set(dtypes)) != 1:
        names = [_cpp_name(t._data) for t in (query, key, value)]
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got "
                           f"query.dtype: {names[0]} key.dtype: {names[1]} and value.dtype: "
                           f"{names[2]} instead.")
    if min(query.dim(), key.dim(), value.dim()) < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, "
                           f"but got query.dim: {query.dim()} key.dim: {key.dim()} and "
                           f"value.dim: {value.dim()} instead.")
    if attn_mask is not None and attn_mask.dtype not in (_dtype.bool, query.dtype):
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query "
                           f"dtype, but got attn_mask.dtype: {_cpp_name(attn_mask._data)} and "
                           f" query.dtype: {_cpp_name(query._data)} instead.")
    if not query.is_floating_point():
        raise RuntimeError(f"expected scalar type Float but found {scalar_name(query._data)}")


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """``softmax(query @ key^T * scale + mask) @ value``, with optional dropout on the weights."""
    _validate(query, key, value, attn_mask)
    if query.numel() == 0 or key.numel() == 0 or value.numel() == 0:
        empty = _creation.zeros(*query.shape[:-1], value.shape[-1], dtype=query.dtype)
        return empty + (query.sum() + key.sum() + value.sum()) * 0
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    if attn_mask is not None and attn_mask.dtype == _dtype.bool:
        attn_mask = _bool_mask_to_float(attn_mask, query.dtype)
    if _flash_eligible(query, key, value, attn_mask, dropout_p, enable_gqa):
        return _flash_attention(query, key, value, attn_mask, dropout_p, is_causal, scale)
    return _math_attention(query, key, value, attn_mask, dropout_p, is_causal, scale,
                           enable_gqa)


# -- multi-head attention -------------------------------------------------------------------
def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask as an additive float mask (True is ``-inf``); float masks pass through."""
    if mask is None:
        return None
    if mask.dtype != _dtype.bool and not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. "
                      "Use same type for both instead.", stacklevel=2)
    if not mask.is_floating_point():
        mask = _creation.zeros_like(mask, dtype=target_type).masked_fill_(mask, float("-inf"))
    return mask


def _none_or_dtype(input):
    return None if input is None else input.dtype


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the input is batched; PyTorch's AssertionErrors for wrong ranks."""
    if query.dim() not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received "
                             f"{query.dim()}-D query tensor")
    batched = query.dim() == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.dim() != query.dim() or value.dim() != query.dim():
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be "
                             f"{query.dim()}-D but found {key.dim()}-D and {value.dim()}-D "
                             "tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != query.dim() - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` "
                             f"or {query.dim() - 1}-D but found {key_padding_mask.dim()}-D "
                             "tensor instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D "
                                 f"or 3-D but found {attn_mask.dim()}-D tensor instead")
        expected = (num_heads, query.shape[0], key.shape[0])
        if not batched and attn_mask.dim() == 3 and tuple(attn_mask.shape) != expected:
            raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                 f"{attn_mask.shape}")
    return batched


def _in_projection_packed(q, k, v, w, b=None):
    """q, k, v projected with one packed (3E, E) weight; self-attention is one GEMM."""
    embed_dim = q.shape[-1]
    if k is v:
        if q is k:
            proj = linear(q, w, b).unflatten(-1, (3, embed_dim))
            proj = proj.unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
            return proj[0], proj[1], proj[2]
        w_q, w_kv = w.split([embed_dim, embed_dim * 2])
        b_q, b_kv = (None, None) if b is None else b.split([embed_dim, embed_dim * 2])
        kv_proj = linear(k, w_kv, b_kv).unflatten(-1, (2, embed_dim))
        kv_proj = kv_proj.unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
        return linear(q, w_q, b_q), kv_proj[0], kv_proj[1]
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _in_projection(q, k, v, w_q, w_k, w_v, b_q=None, b_k=None, b_v=None):
    """q, k, v projected with separate weights (``kdim``/``vdim`` differ from ``embed_dim``)."""
    e_q, e_k, e_v = q.shape[-1], k.shape[-1], v.shape[-1]
    for name, w, shape in (("query", w_q, (e_q, e_q)), ("key", w_k, (e_q, e_k)),
                           ("value", w_v, (e_q, e_v))):
        if tuple(w.shape) != shape:
            raise AssertionError(f"expecting {name} weights shape of {shape}, but got {w.shape}")
    for name, b in (("query", b_q), ("key", b_k), ("value", b_v)):
        if b is not None and tuple(b.shape) != (e_q,):
            raise AssertionError(f"expecting {name} bias shape of {(e_q,)}, but got {b.shape}")
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _check_attn_mask(attn_mask, bsz, num_heads, tgt_len, src_len):
    """The 2-D or 3-D attention mask as 3-D (heads folded into the batch)."""
    if attn_mask.dim() == 2:
        if tuple(attn_mask.shape) != (tgt_len, src_len):
            raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should "
                               f"be {(tgt_len, src_len)}.")
        return attn_mask.unsqueeze(0)
    if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
        raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                           f"{(bsz * num_heads, tgt_len, src_len)}.")
    return attn_mask


def _project(query, key, value, in_proj_weight, in_proj_bias,
             use_separate_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight):
    if not use_separate_proj_weight:
        if key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape "
                                 f"{value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        return _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    if key.shape[:2] != value.shape[:2]:
        raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                             f"value's {value.shape[:2]}")
    for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
        if w is None:
            raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is "
                                 "None")
    biases = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
    return _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight,
                          *biases)


def _heads_first(t, static, bsz, num_heads, head_dim, name):
    """(S, N, E) as (N * heads, S, head_dim), or the given ``static_k``/``static_v``."""
    if static is None:
        return t.view(t.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if static.shape[0] != bsz * num_heads:
        raise AssertionError(f"expecting {name}.size(0) of {bsz * num_heads}, but got "
                             f"{static.shape[0]}")
    if static.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got "
                             f"{static.shape[2]}")
    return static


def multi_head_attention_forward(
        query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
        bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
        training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
        use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
        v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
        is_causal=False):
    """The forward pass of ``nn.MultiheadAttention`` (sequence-first inputs)."""
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        # SDPA builds the causal mask itself from the hint.
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    q, k, v = _project(query, key, value, in_proj_weight, in_proj_bias,
                       use_separate_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight)
    if attn_mask is not None:
        attn_mask = _check_attn_mask(attn_mask, bsz, num_heads, tgt_len, key.shape[0])

    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = _heads_first(k, static_k, bsz, num_heads, head_dim, "static_k")
    v = _heads_first(v, static_v, bsz, num_heads, head_dim, "static_v")
    if add_zero_attn:
        zeros = _creation.zeros(bsz * num_heads, 1, head_dim, dtype=k.dtype)
        k = cat([k, zeros], dim=1)
        v = cat([v, zeros.to(v.dtype)], dim=1)
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]

    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        key_padding_mask = (key_padding_mask.view(bsz, 1, 1, src_len)
                            .expand(-1, num_heads, -1, -1)
                            .reshape(bsz * num_heads, 1, src_len))
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0

    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        if attn_mask is not None:
            weights = attn_mask.baddbmm(q_scaled, k.transpose(-2, -1))
        else:
            weights = q_scaled.bmm(k.transpose(-2, -1))
        weights = weights.softmax(-1)
        if dropout_p > 0.0:
            weights = dropout(weights, p=dropout_p)
        attn_output = weights.bmm(v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        attn_output = linear(attn_output, out_proj_weight, out_proj_bias)
        attn_output = attn_output.view(tgt_len, bsz, attn_output.shape[1])
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            attn_output, weights = attn_output.squeeze(1), weights.squeeze(0)
        return attn_output, weights

    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, head_dim)
    k = k.view(bsz, num_heads, src_len, head_dim)
    v = v.view(bsz, num_heads, src_len, head_dim)
    attn_output = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    attn_output = attn_output.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    attn_output = linear(attn_output, out_proj_weight, out_proj_bias)
    attn_output = attn_output.view(tgt_len, bsz, attn_output.shape[1])
    if not is_batched:
        attn_output = attn_output.squeeze(1)
    return attn_output, None
