"""The Transformer family against PyTorch: encoder and decoder layers (post- and pre-norm,
relu/gelu/callable activations, every kind of mask, batch_first, dropout masks bit for bit),
the stacks built by deepcopy, ``Transformer`` itself, inference (PyTorch's fast paths) and
the errors and warnings PyTorch gives."""

import pickle
import warnings

import numpy as np
import pytest
import torch

import ember
from nn_oracle import build_pair, check_module
from oracle import assert_same_tensor, check_error

RNG = np.random.default_rng(1)
TOL = {"atol": 2e-5, "rtol": 2e-4}


def randn(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def lib_of(x):
    return ember if isinstance(x, ember.Tensor) else torch


def const(lib, array):
    return lib.from_numpy(np.array(array))


SRC = randn(6, 3, 8)        # (S, N, E)
TGT = randn(5, 3, 8)        # (T, N, E)
SRC_BF = SRC.transpose(1, 0, 2).copy()
TGT_BF = TGT.transpose(1, 0, 2).copy()
KPM = np.zeros((3, 6), bool)
KPM[0, 4:] = True
KPM[2, 1:] = True
TGT_KPM = np.zeros((3, 5), bool)
TGT_KPM[1, 3:] = True
SRC_MASK = RNG.random((6, 6)) > 0.7
np.fill_diagonal(SRC_MASK, False)
CAUSAL = np.triu(np.full((5, 5), -np.inf, np.float32), 1)


def call(**masks):
    """Call a module with the masks built in the module's library."""
    def run(module, *xs):
        lib = lib_of(xs[0])
        kwargs = {k: const(lib, v) if isinstance(v, np.ndarray) else v for k, v in masks.items()}
        return module(*xs, **kwargs)
    return run


@pytest.mark.parametrize("options", [
    {}, {"norm_first": True}, {"activation": "gelu"}, {"batch_first": True},
    {"bias": False, "layer_norm_eps": 1e-3}, {"norm_first": True, "batch_first": True},
])
@pytest.mark.parametrize("dropout", [0.0, 0.2])
def test_encoder_layer(options, dropout):
    src = SRC_BF if options.get("batch_first") else SRC
    check_module(lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16, dropout=dropout,
                                                            **options), src, **TOL)


@pytest.mark.parametrize("masks", [
    {"src_mask": SRC_MASK}, {"src_key_padding_mask": KPM},
    {"src_mask": SRC_MASK, "src_key_padding_mask": KPM},
    {"src_mask": np.where(SRC_MASK, -np.inf, 0).astype(np.float32)},
    {"src_mask": np.triu(np.full((6, 6), -np.inf, np.float32), 1), "is_causal": True},
    {"src_mask": np.broadcast_to(SRC_MASK, (6, 6, 6)).copy()},
])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_masks(masks, batch_first):
    check_module(lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1,
                                                            batch_first=batch_first),
                 SRC_BF if batch_first else SRC, forward=call(**masks), **TOL)


def test_encoder_layer_callable_activation_and_eval():
    check_module(lambda lib: lib.nn.TransformerEncoderLayer(
        8, 2, 16, activation=lib.nn.functional.gelu), SRC, **TOL)
    check_module(lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16, activation=lib.nn.Tanh()),
                 SRC, train=False, **TOL)
    check_module(lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16), SRC_BF[0], **TOL)
    for lib in (torch, ember):
        relu = lib.nn.TransformerEncoderLayer(8, 2, 16, activation=lib.nn.ReLU())
        gelu = lib.nn.TransformerEncoderLayer(8, 2, 16, activation="gelu")
        other = lib.nn.TransformerEncoderLayer(8, 2, 16, activation=lib.nn.Tanh())
        assert (relu.activation_relu_or_gelu, gelu.activation_relu_or_gelu,
                other.activation_relu_or_gelu) == (1, 2, 0)


@pytest.mark.parametrize("options", [{}, {"norm_first": True, "activation": "gelu"},
                                     {"batch_first": True}])
@pytest.mark.parametrize("masks", [
    {}, {"tgt_mask": CAUSAL, "tgt_is_causal": True},
    {"tgt_mask": CAUSAL, "memory_key_padding_mask": KPM, "tgt_key_padding_mask": TGT_KPM},
    {"memory_mask": RNG.random((5, 6)) > 0.8},
])
def test_decoder_layer(options, masks):
    inputs = (TGT_BF, SRC_BF) if options.get("batch_first") else (TGT, SRC)
    check_module(lambda lib: lib.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.1, **options),
                 *inputs, forward=call(**masks), **TOL)


@pytest.mark.parametrize("masks", [{}, {"mask": SRC_MASK, "src_key_padding_mask": KPM},
                                   {"mask": np.triu(np.full((6, 6), -np.inf, np.float32), 1)}])
def test_encoder_stack(masks):
    def make(lib):
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1)
        return lib.nn.TransformerEncoder(layer, 2, lib.nn.LayerNorm(8),
                                         enable_nested_tensor=False)
    check_module(make, SRC, forward=call(**masks), **TOL)


def test_decoder_stack():
    def make(lib):
        layer = lib.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.1, batch_first=True)
        return lib.nn.TransformerDecoder(layer, 2)
    check_module(make, TGT_BF, SRC_BF, forward=call(tgt_mask=CAUSAL), **TOL)


@pytest.mark.parametrize("options, masks", [
    ({}, {}),
    ({"batch_first": True, "norm_first": True},
     {"tgt_mask": CAUSAL, "src_key_padding_mask": KPM, "memory_key_padding_mask": KPM}),
    ({"activation": "gelu", "bias": False}, {"src_mask": SRC_MASK, "tgt_mask": CAUSAL}),
])
def test_transformer(options, masks):
    inputs = (SRC_BF, TGT_BF) if options.get("batch_first") else (SRC, TGT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_module(lambda lib: lib.nn.Transformer(8, 2, 2, 1, 16, dropout=0.1, **options),
                     *inputs, forward=call(**masks), **TOL)


def test_transformer_unbatched_and_custom_encoder():
    check_module(lambda lib: lib.nn.Transformer(8, 2, 1, 1, 16), SRC[:, 0], TGT[:, 0], **TOL)

    def make(lib):
        encoder = lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(8, 2, 16), 1,
                                            enable_nested_tensor=False)
        return lib.nn.Transformer(8, 2, custom_encoder=encoder, num_decoder_layers=1,
                                  dim_feedforward=16)
    check_module(make, SRC, TGT, **TOL)


def test_transformer_structure():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e_mod, t_mod = build_pair(lambda lib: lib.nn.Transformer(8, 2, 2, 2, 16))
    assert repr(e_mod) == repr(t_mod)
    assert repr(pickle.loads(pickle.dumps(e_mod))) == repr(t_mod)
    layers = e_mod.encoder.layers
    assert layers[0] is not layers[1]
    assert layers[0].linear1.weight is not layers[1].linear1.weight
    for lib in (torch, ember):
        mask = lib.nn.Transformer.generate_square_subsequent_mask(4)
        assert mask.dtype == lib.float32
    assert_same_tensor(ember.nn.Transformer.generate_square_subsequent_mask(4, dtype=ember.float64),
                       torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64))


def test_encoder_nested_tensor_warning():
    for lib in (torch, ember):
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            encoder = lib.nn.TransformerEncoder(layer, 1)
        assert not encoder.use_nested_tensor
        assert [str(w.message) for w in caught if "nested" in str(w.message)] == [
            "enable_nested_tensor is True, but self.use_nested_tensor is False because "
            "encoder_layer.self_attn.batch_first was not True(use batch_first for better "
            "inference performance)"]


def _infer(make, *inputs, **masks):
    e_mod, t_mod = build_pair(make)
    e_mod.eval()
    t_mod.eval()
    with torch.no_grad():
        t_out = call(**masks)(t_mod, *[torch.from_numpy(x) for x in inputs])
    with ember.no_grad():
        e_out = call(**masks)(e_mod, *[ember.from_numpy(x) for x in inputs])
    assert_same_tensor(e_out, t_out, **TOL)
    return e_out


@pytest.mark.parametrize("masks", [{}, {"src_key_padding_mask": KPM}, {"src_mask": SRC_MASK},
                                   {"src_mask": SRC_MASK, "src_key_padding_mask": KPM}])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_inference_fast_paths(masks, activation):
    """Eval mode under no_grad: PyTorch's fused layer and nested-tensor encoder agree."""
    _infer(lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16, activation=activation,
                                                      batch_first=True), SRC_BF, **masks)
    encoder_masks = {"mask" if k == "src_mask" else k: v for k, v in masks.items()}
    out = _infer(lambda lib: lib.nn.TransformerEncoder(
        lib.nn.TransformerEncoderLayer(8, 2, 16, activation=activation, batch_first=True), 2),
        SRC_BF, **encoder_masks)
    if "src_key_padding_mask" in masks and "src_mask" not in masks:
        assert not out.numpy()[KPM].any()  # padding comes back as zeros


def test_inference_padding_not_left_aligned():
    kpm = KPM.copy()
    kpm[1, 0] = True
    _infer(lambda lib: lib.nn.TransformerEncoder(
        lib.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2, lib.nn.LayerNorm(8)),
        SRC_BF, src_key_padding_mask=kpm)


@pytest.mark.parametrize("fn", [
    lambda lib, s, t: lib.nn.TransformerEncoderLayer(8, 2, activation="tanh"),
    lambda lib, s, t: lib.nn.Transformer(8, 2, 1, 1, 16)(s, t[:, :2]),
    lambda lib, s, t: lib.nn.Transformer(8, 2, 1, 1, 16)(s, t[..., :4]),
    lambda lib, s, t: lib.nn.Transformer(8, 2, 1, 1, 16, batch_first=True)(s, t),
    lambda lib, s, t: lib.nn.TransformerEncoderLayer(8, 3),
    lambda lib, s, t: lib.nn.TransformerEncoderLayer(8, 2)(s, src_key_padding_mask=s[0]),
    lambda lib, s, t: lib.nn.TransformerDecoderLayer(8, 2)(t, s, tgt_mask=const(lib, CAUSAL[:3])),
])
def test_errors(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_error(fn, SRC, TGT)
