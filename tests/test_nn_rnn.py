"""Recurrent layers, cells and ``nn.utils.rnn``, against PyTorch.

Every layer configuration goes through ``check_module``: the same initial weights after
``manual_seed``, outputs, grad_fn names, dropout masks, input and parameter gradients. The
fused LSTM layer op and the packing op are also checked by float64 gradcheck and
gradgradcheck.
"""

import warnings

import numpy as np
import pytest
import torch

import ember
from nn_oracle import check_module
from oracle import check_error, check_op

RNG = np.random.default_rng(0)
X = RNG.standard_normal((5, 3, 4)).astype(np.float32)
H0 = RNG.standard_normal((4, 3, 6)).astype(np.float32)
C0 = RNG.standard_normal((4, 3, 6)).astype(np.float32)
TOL = {"atol": 1e-5, "rtol": 1e-4}

CONFIGS = [
    {},
    {"num_layers": 2, "bidirectional": True, "batch_first": True},
    {"bias": False, "num_layers": 2},
    {"num_layers": 3, "dropout": 0.4},
    {"num_layers": 2, "dropout": 0.5, "bidirectional": True},
]


def _lib(tensor):
    return torch if isinstance(tensor, torch.Tensor) else ember


def _make(kind, **kwargs):
    def make(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind == "RNN_RELU":
                return lib.nn.RNN(4, 6, nonlinearity="relu", **kwargs)
            return getattr(lib.nn, kind)(4, 6, **kwargs)
    return make


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN", "RNN_RELU"])
@pytest.mark.parametrize("config", CONFIGS, ids=str)
@pytest.mark.parametrize("train", [True, False])
def test_layers(kind, config, train):
    check_module(_make(kind, **config), X, train=train, **TOL)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_initial_state_and_bidirectional(kind):
    def forward(module, x, h, c):
        return module(x, (h, c)) if kind == "LSTM" else module(x, h)

    check_module(_make(kind, num_layers=2, bidirectional=True), X, H0, C0, forward=forward,
                 **TOL)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_unbatched(kind, batch_first):
    def forward(module, x, h, c):
        return module(x, (h, c)) if kind == "LSTM" else module(x, h)

    check_module(_make(kind, num_layers=2, batch_first=batch_first), X[:, 0], H0[:2, 0],
                 C0[:2, 0], forward=forward, **TOL)
    check_module(_make(kind), X[:, 0], **TOL)


@pytest.mark.parametrize("config", [{}, {"num_layers": 2, "bidirectional": True},
                                    {"batch_first": True}])
def test_lstm_projections(config):
    def forward(module, x, h, c):
        return module(x, (h[:, :, :2], c))

    check_module(_make("LSTM", proj_size=2, **config), X, **TOL)
    check_module(_make("LSTM", proj_size=2, num_layers=2), X, H0[:2], C0[:2],
                 forward=forward, **TOL)


def test_float64_lstm_takes_the_composite_path():
    check_module(lambda lib: _make("LSTM", num_layers=2, batch_first=True)(lib).double(),
                 X.astype(np.float64))


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("config", [{}, {"num_layers": 2, "bidirectional": True},
                                    {"num_layers": 2, "dropout": 0.3}], ids=str)
def test_packed_sequences(kind, enforce_sorted, config):
    lengths = [5, 3, 2] if enforce_sorted else [3, 5, 2]

    def forward(module, x, h, c):
        lib = _lib(x)
        packed = lib.nn.utils.rnn.pack_padded_sequence(x, lengths,
                                                       enforce_sorted=enforce_sorted)
        state = (h, c) if kind == "LSTM" else h
        out, hidden = module(packed, state)
        padded, out_lengths = lib.nn.utils.rnn.pad_packed_sequence(out)
        return out, hidden, padded, out_lengths

    layers = 2 * config.get("num_layers", 1) if config.get("bidirectional") else \
        config.get("num_layers", 1)
    check_module(_make(kind, **config), X, H0[:layers], C0[:layers], forward=forward, **TOL)


def test_packed_without_initial_state():
    def forward(module, x):
        packed = _lib(x).nn.utils.rnn.pack_sequence([x[:, 0], x[:3, 1], x[:1, 2]])
        return module(packed)

    check_module(_make("LSTM", bidirectional=True), X, **TOL)
    check_module(_make("LSTM", proj_size=3), X, forward=forward, **TOL)


@pytest.mark.parametrize("kind", ["LSTMCell", "GRUCell", "RNNCell"])
@pytest.mark.parametrize("bias", [True, False])
def test_cells(kind, bias):
    def forward(module, x, h, c):
        return module(x, (h, c)) if kind == "LSTMCell" else module(x, h)

    def make(lib):
        return getattr(lib.nn, kind)(4, 6, bias=bias)

    check_module(make, X[0], H0[0], C0[0], forward=forward, **TOL)
    check_module(make, X[0], **TOL)
    check_module(make, X[0, 0], H0[0, 0], C0[0, 0], forward=forward, **TOL)
    check_module(lambda lib: lib.nn.RNNCell(4, 6, nonlinearity="relu"), X[0], **TOL)


def test_repr_and_state_dict():
    for make in [lambda lib: lib.nn.LSTM(4, 5, 2, dropout=0.5, bidirectional=True,
                                         proj_size=2, batch_first=True, bias=False),
                 lambda lib: lib.nn.GRUCell(3, 4, bias=False),
                 lambda lib: lib.nn.RNN(3, 4, nonlinearity="relu"),
                 lambda lib: lib.nn.RNNCell(3, 4, nonlinearity="relu"),
                 lambda lib: lib.nn.LSTMCell(3, 4), lambda lib: lib.nn.GRU(3, 4)]:
        e, t = make(ember), make(torch)
        assert repr(e) == repr(t)
        assert list(e.state_dict()) == list(t.state_dict())
    lstm = ember.nn.LSTM(4, 5, 2)
    assert lstm.flatten_parameters() is None
    assert [[p.shape for p in layer] for layer in lstm.all_weights] == \
        [[p.shape for p in layer] for layer in torch.nn.LSTM(4, 5, 2).all_weights]


def _call(lib, make, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make(lib)(*args)


@pytest.mark.parametrize("make, shapes", [
    (lambda lib: lib.nn.LSTM(4, 5), [(3, 2, 3)]),
    (lambda lib: lib.nn.LSTM(4, 5), [(3, 4, 2, 4)]),
    (lambda lib: lib.nn.GRU(4, 5), [(3, 4, 2, 4)]),
    (lambda lib: lib.nn.RNN(4, 5), [(3, 4, 2, 4)]),
    (lambda lib: lib.nn.LSTM(4, 5), [(0, 2, 4)]),
    (lambda lib: lib.nn.GRU(4, 5), [(3, 2, 4), (2, 2, 5)]),
    (lambda lib: lib.nn.GRU(4, 5), [(3, 2, 4), (2, 5)]),
    (lambda lib: lib.nn.RNN(4, 5), [(4, 4), (1, 1, 5)]),
    (lambda lib: lib.nn.LSTMCell(4, 5), [(2, 3)]),
    (lambda lib: lib.nn.GRUCell(4, 5), [(2, 4), (2, 6)]),
    (lambda lib: lib.nn.RNNCell(4, 5), [(2, 4), (3, 5)]),
    (lambda lib: lib.nn.RNNCell(4, 5), [(2, 2, 4)]),
    (lambda lib: lib.nn.GRUCell(4, 5), [(2, 4), (1, 2, 5)]),
])
def test_input_errors(make, shapes):
    arrays = [np.zeros(s, np.float32) for s in shapes]
    check_error(lambda lib, *xs: _call(lib, make, *xs), *arrays)


@pytest.mark.parametrize("h_shape, c_shape", [((1, 3, 5), (1, 2, 5)), ((1, 2, 5), (1, 3, 5)),
                                              ((2, 5), (1, 2, 5)), ((2, 6), (2, 5))])
def test_lstm_state_errors(h_shape, c_shape):
    x = np.zeros((3, 2, 4), np.float32)
    h, c = np.zeros(h_shape, np.float32), np.zeros(c_shape, np.float32)
    check_error(lambda lib, x, h, c: lib.nn.LSTM(4, 5)(x, (h, c)), x, h, c)
    if len(h_shape) == 2:
        check_error(lambda lib, x, h, c: lib.nn.LSTMCell(4, 5)(x[0], (h, c)), x, h, c)


def test_dtype_and_constructor_errors():
    check_error(lambda lib, x: lib.nn.LSTM(4, 5)(x), np.zeros((3, 2, 4)))
    for make in [lambda lib: lib.nn.GRU(4, 5, proj_size=2),
                 lambda lib: lib.nn.RNN(4, 5, nonlinearity="x"),
                 lambda lib: lib.nn.LSTM(4, 5, dropout=2),
                 lambda lib: lib.nn.LSTM(4, 5, proj_size=5),
                 lambda lib: lib.nn.LSTM(0, 5), lambda lib: lib.nn.LSTM(4, 5, num_layers=0),
                 lambda lib: lib.nn.LSTM(4, 5, bias=1)]:
        check_error(make)


# nn.utils.rnn

def test_pad_sequence():
    seqs = [RNG.standard_normal(s).astype(np.float32) for s in [(3, 2), (1, 2), (4, 2)]]
    for kwargs in [{}, {"batch_first": True}, {"padding_value": -1.5},
                   {"batch_first": True, "padding_side": "left"}]:
        check_op(lambda lib, *xs, kw=kwargs: lib.nn.utils.rnn.pad_sequence(xs, **kw), *seqs)
    ints = [np.arange(3, dtype=np.int32), np.arange(2, dtype=np.int32)]
    check_op(lambda lib, *xs: lib.nn.utils.rnn.pad_sequence(xs, padding_value=-1), *ints)
    check_error(lambda lib: lib.nn.utils.rnn.pad_sequence(5))
    check_error(lambda lib: lib.nn.utils.rnn.pad_sequence([]))
    check_error(lambda lib, *xs: lib.nn.utils.rnn.pad_sequence(xs, padding_side="middle"),
                *seqs)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths, enforce_sorted", [([5, 3, 3], True), ([2, 5, 1], False),
                                                    ([5, 5, 5], True)])
def test_pack_and_pad(batch_first, lengths, enforce_sorted):
    x = X.transpose(1, 0, 2).copy() if batch_first else X
    rnn = None

    def fn(lib, x):
        nonlocal rnn
        rnn = lib.nn.utils.rnn
        packed = rnn.pack_padded_sequence(x, lengths, batch_first=batch_first,
                                          enforce_sorted=enforce_sorted)
        padded, out_lengths = rnn.pad_packed_sequence(packed, batch_first=batch_first,
                                                      padding_value=-2.0, total_length=7)
        return (packed.data, packed.batch_sizes, packed.sorted_indices,
                packed.unsorted_indices, padded, out_lengths)

    check_op(fn, x)
    check_op(lambda lib, x: lib.nn.utils.rnn.unpack_sequence(
        lib.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=batch_first,
                                              enforce_sorted=enforce_sorted)), x)


def test_pack_sequence_and_unpad():
    seqs = [RNG.standard_normal(s).astype(np.float32) for s in [(2, 3), (4, 3), (1, 3)]]
    check_op(lambda lib, *xs: tuple(lib.nn.utils.rnn.pack_sequence(xs, enforce_sorted=False)),
             *seqs)
    check_op(lambda lib, *xs: lib.nn.utils.rnn.unpack_sequence(
        lib.nn.utils.rnn.pack_sequence(xs, enforce_sorted=False)), *seqs)
    check_op(lambda lib, x: lib.nn.utils.rnn.unpad_sequence(x * 1, lib.tensor([5, 2, 3])), X)
    packed = ember.nn.utils.rnn.pack_sequence([ember.ones(3, 2), ember.ones(1, 2)])
    assert packed.to(ember.float32) is packed
    double = packed.double()
    assert type(double) is type(packed) and double.data.dtype == ember.float64
    assert ember.nn.utils.rnn.invert_permutation(None) is None


def test_pack_errors():
    def pack(lib, x, lengths):
        return lib.nn.utils.rnn.pack_padded_sequence(x, lengths)

    check_error(lambda lib, x: pack(lib, x, [2, 3, 3]), X)
    check_error(lambda lib, x: pack(lib, x, [3, 3, 0]), X)
    check_error(lambda lib, x: pack(lib, x, [3, 2]), X)
    check_error(lambda lib, x: lib.nn.utils.rnn.pad_packed_sequence(
        pack(lib, x, [5, 3, 2]), total_length=3), X)


# gradients checked by finite differences (float64)

@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_lstm_layer_gradcheck(reverse, bias):
    from ember.ops.rnn import lstm_layer
    g = np.random.default_rng(1)

    def leaf(*shape):
        return ember.from_numpy(g.standard_normal(shape) * 0.5).requires_grad_()

    inputs = [leaf(3, 2, 3), leaf(2, 2), leaf(2, 2), leaf(8, 3), leaf(8, 2)]
    inputs += [leaf(8), leaf(8)] if bias else [None, None]

    def fn(x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None):
        return lstm_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse=reverse)

    given = [t for t in inputs if t is not None]
    assert ember.autograd.gradcheck(fn, given)
    assert ember.autograd.gradgradcheck(fn, given)


def test_pack_gradcheck():
    x = ember.from_numpy(np.random.default_rng(2).standard_normal((4, 3, 2))).requires_grad_()

    def fn(x):
        packed = ember.nn.utils.rnn.pack_padded_sequence(x, [4, 2, 1])
        return ember.nn.utils.rnn.pad_packed_sequence(packed, padding_value=1.0)[0]

    assert ember.autograd.gradcheck(fn, [x])
    assert ember.autograd.gradgradcheck(fn, [x])


def test_lstm_double_backward_matches_torch():
    def run(lib, module):
        x = lib.tensor(X[:3], requires_grad=True)
        out, (h, c) = module(x)
        (grad,) = lib.autograd.grad((out * out).sum() + (h * c).sum(), x, create_graph=True)
        (grad * grad).sum().backward()
        return grad, x.grad, module.weight_hh_l0.grad

    torch.manual_seed(0)
    t_results = run(torch, torch.nn.LSTM(4, 6))
    ember.manual_seed(0)
    e_results = run(ember, ember.nn.LSTM(4, 6))
    for e, t in zip(e_results, t_results):
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), atol=1e-5,
                                   rtol=1e-4)


# the fused LSTM layer's two backward paths: NumPy BPTT (first order) and ember ops
# (create_graph=True) must give the same gradients

@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("steps", [1, 4])
def test_lstm_layer_fast_and_create_graph_paths_agree(reverse, bias, steps):
    from ember.ops.rnn import lstm_layer
    g = np.random.default_rng(3)

    def leaf(*shape):
        return ember.tensor(g.standard_normal(shape).astype(np.float32) * 0.5,
                            requires_grad=True)

    inputs = [leaf(steps, 3, 5), leaf(3, 4), leaf(3, 4), leaf(16, 5), leaf(16, 4)]
    inputs += [leaf(16), leaf(16)] if bias else [None, None]
    given = [t for t in inputs if t is not None]
    upstream = [ember.tensor(g.standard_normal(s).astype(np.float32))
                for s in [(steps, 3, 4), (3, 4), (3, 4)]]
    results = lstm_layer(*inputs, reverse=reverse)
    fast = ember.autograd.grad(results, given, upstream, retain_graph=True)
    composite = ember.autograd.grad(results, given, upstream, create_graph=True)
    assert all(c.requires_grad for c in composite)
    for f, c in zip(fast, composite):
        np.testing.assert_allclose(f.numpy(), c.detach().numpy(), atol=1e-6, rtol=1e-5)


def test_lstm_batch_first_fast_and_create_graph_paths_agree():
    ember.manual_seed(0)
    module = ember.nn.LSTM(4, 6, num_layers=2, bidirectional=True, batch_first=True)
    x = ember.tensor(X, requires_grad=True)
    out, (h, c) = module(x)
    loss = (out * out).sum() + (h * c).sum()
    wanted = [x] + list(module.parameters())
    fast = ember.autograd.grad(loss, wanted, retain_graph=True)
    composite = ember.autograd.grad(loss, wanted, create_graph=True)
    for f, c in zip(fast, composite):
        np.testing.assert_allclose(f.numpy(), c.detach().numpy(), atol=1e-5, rtol=1e-5)


def test_lstm_output_modified_in_place_is_an_error():
    def run(lib):
        out, _ = lib.nn.LSTM(4, 6)(lib.tensor(X))
        out.add_(1)
        out.sum().backward()

    check_error(lambda lib, x: run(lib), X)
