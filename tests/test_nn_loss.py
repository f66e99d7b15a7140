"""Losses (nn.functional, torch-level and nn modules) compared with PyTorch: values,
grad_fn names, gradients, errors, and float64 gradcheck / gradgradcheck."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from nn_oracle import check_module
from oracle import check_error, check_op, torch

REDUCTIONS = ["none", "mean", "sum"]
DTYPES = [np.float32, np.float64]


@pytest.fixture(autouse=True)
def _quiet():
    # kl_div's 'mean' warning and size-mismatch warnings are checked on purpose below.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _normal(shape, seed, dtype=np.float64):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape), dtype)


def _uniform(shape, seed, dtype=np.float64, low=0.05, high=0.95):
    return np.asarray(np.random.default_rng(seed).uniform(low, high, shape), dtype)


def _signs(shape, seed, dtype=np.float64):
    return np.asarray(np.random.default_rng(seed).choice([-1.0, 1.0], shape), dtype)


def _classes(shape, classes, seed):
    return np.random.default_rng(seed).integers(0, classes, shape)


shapes = st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple)

# -- pointwise losses over (input, target) of one shape --------------------------------------

POINTWISE = {
    "smooth_l1": (lambda F, x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.5), _normal),
    "smooth_l1_beta0": (lambda F, x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.0),
                        _normal),
    "huber": (lambda F, x, y, r: F.huber_loss(x, y, reduction=r, delta=0.7), _normal),
    "soft_margin": (lambda F, x, y, r: F.soft_margin_loss(x, y.detach(), reduction=r), _signs),
    "bce": (lambda F, x, y, r: F.binary_cross_entropy(x.sigmoid(), y, reduction=r), _uniform),
    "bce_logits": (lambda F, x, y, r: F.binary_cross_entropy_with_logits(x, y, reduction=r),
                   _uniform),
    "kl_div": (lambda F, x, y, r: F.kl_div(x, y, reduction=r), _uniform),
    "kl_div_log": (lambda F, x, y, r: F.kl_div(x, y, reduction=r, log_target=True), _normal),
    "poisson": (lambda F, x, y, r: F.poisson_nll_loss(x, y, reduction=r), _uniform),
    "poisson_full": (lambda F, x, y, r: F.poisson_nll_loss(x.exp(), y * 3, log_input=False,
                                                           full=True, reduction=r), _uniform),
    "gaussian": (lambda F, x, y, r: F.gaussian_nll_loss(x, y, (y * x).exp(), full=True,
                                                        reduction=r), _normal),
    "hinge": (lambda F, x, y, r: F.hinge_embedding_loss(x, y.detach(), 0.5, reduction=r),
              _signs),
    "margin_ranking": (lambda F, x, y, r: F.margin_ranking_loss(x, y, (x - y).sign().detach(),
                                                                0.2, reduction=r), _normal),
}


@pytest.mark.parametrize("loss", sorted(POINTWISE))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@settings(max_examples=4, deadline=None)
@given(shape=shapes, dtype=st.sampled_from(DTYPES), transpose=st.booleans())
def test_pointwise_losses(loss, reduction, shape, dtype, transpose):
    fn, target = POINTWISE[loss]
    x, y = _normal(shape, 0, dtype), target(shape, 1, dtype)

    def call(lib, x, y):
        if transpose and x.dim() >= 2:
            x, y = x.transpose(0, 1), y.transpose(0, 1)
        return fn(lib.nn.functional, x, y, reduction)
    check_op(call, x, y, atol=1e-4 if dtype == np.float32 else None)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight", [False, True])
def test_bce_weights(reduction, pos_weight):
    x, y, w = _normal((3, 4), 0), _uniform((3, 4), 1), _uniform((4,), 2)
    check_op(lambda lib, x, y, w: lib.nn.functional.binary_cross_entropy(
        x, y, weight=w.detach(), reduction=reduction), _uniform((3, 4), 3), y, w)
    check_op(lambda lib, x, y, w, pw: lib.nn.functional.binary_cross_entropy_with_logits(
        x, y, weight=w.detach(), reduction=reduction,
        pos_weight=pw.detach() if pos_weight else None), x, y, w, _uniform((4,), 4) * 3)


def test_torch_level_losses():
    x, y, z = _normal((4, 3), 0), _normal((4, 3), 1), _normal((4, 3), 2)
    s, p = _signs((4,), 3), _uniform((4, 3), 4)
    check_op(lambda lib, x, y: lib.binary_cross_entropy_with_logits(x, y, None, None, 2), x, p)
    check_op(lambda lib, x, y: lib.kl_div(x, y, 0, log_target=True), x, y)
    check_op(lambda lib, x, y, s: lib.cosine_embedding_loss(x, y, s.detach(), 0.1, 0), x, y, s)
    check_op(lambda lib, x, y: lib.margin_ranking_loss(x, y, y.sign().detach(), 0.0, 1), x, y)
    check_op(lambda lib, x, y: lib.hinge_embedding_loss(x, y.sign().detach(), 1.0, 2), x, y)
    check_op(lambda lib, x, y: lib.poisson_nll_loss(x, y, True, False, 1e-8, 0), x, p)
    check_op(lambda lib, x, y, z: lib.triplet_margin_loss(x, y, z, 1.0, 2, 1e-6, True, 0),
             x, y, z)
    for name in ("kl_div", "triplet_margin_loss", "poisson_nll_loss"):
        assert not hasattr(ember.Tensor, name)


@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
def test_kl_div_reductions_and_mean_warning(reduction):
    check_op(lambda lib, x, y: lib.nn.functional.kl_div(x, y, reduction=reduction),
             _normal((3, 4), 0), _uniform((3, 4), 1))
    if reduction == "mean":
        with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
            ember.nn.functional.kl_div(ember.zeros(2), ember.ones(2))


def test_kl_div_zero_target_gives_zero():
    check_op(lambda lib, x, y: lib.nn.functional.kl_div(x, y, reduction="sum"),
             _normal((5,), 0), np.array([0.0, 0.5, 0.0, 1.0, 0.2]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.3])
def test_cosine_embedding_loss(reduction, margin):
    x, y = _normal((5, 3), 0), _normal((5, 3), 1)
    t = np.array([1.0, -1.0, 1.0, -1.0, -1.0])
    check_op(lambda lib, x, y, t: lib.nn.functional.cosine_embedding_loss(
        x, y, t.detach(), margin, reduction=reduction), x, y, t)
    check_op(lambda lib, x, y: lib.nn.functional.cosine_embedding_loss(
        x[0], y[0], lib.tensor(-1.0, dtype=lib.float64), margin, reduction=reduction), x, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p, swap", [(2, False), (1, True), (3.5, True)])
def test_triplet_margin_losses(reduction, p, swap):
    a, b, c = _normal((4, 3), 0), _normal((4, 3), 1), _normal((4, 3), 2)
    check_op(lambda lib, a, b, c: lib.nn.functional.triplet_margin_loss(
        a, b, c, margin=0.5, p=p, eps=1e-3, swap=swap, reduction=reduction), a, b, c)
    check_op(lambda lib, a, b, c: lib.nn.functional.triplet_margin_with_distance_loss(
        a, b, c, swap=swap, reduction=reduction), a, b, c)
    check_op(lambda lib, a, b, c: lib.nn.functional.triplet_margin_with_distance_loss(
        a, b, c, distance_function=lambda u, v: (u - v).abs().sum(-1), margin=2.0,
        swap=swap, reduction=reduction), a, b, c)


@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1), (1, 3)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gaussian_nll_var_broadcasting(var_shape, reduction):
    check_op(lambda lib, x, y, v: lib.nn.functional.gaussian_nll_loss(x, y, v, eps=0.1,
                                                                      reduction=reduction),
             _normal((4, 3), 0), _normal((4, 3), 1), _uniform(var_shape, 2, low=0.0))
    check_op(lambda lib, x, y: lib.nn.functional.gaussian_nll_loss(x, y, 0.5, full=True,
                                                                   reduction=reduction),
             _normal((4, 3), 0), _normal((4, 3), 1))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_soft_margin_loss(reduction, weighted):
    w = _uniform((4,), 3) if weighted else None
    check_op(lambda lib, x, y: lib.nn.functional.multilabel_soft_margin_loss(
        x, y, weight=None if w is None else lib.from_numpy(w.copy()), reduction=reduction),
        _normal((3, 4), 0), (_uniform((3, 4), 1) > 0.5).astype(np.float64))


def test_huber_weight():
    x, y, w = _normal((3, 4), 0), _normal((3, 4), 1), _uniform((3, 4), 2)
    for reduction in REDUCTIONS:
        check_op(lambda lib, x, y, w, r=reduction: lib.nn.functional.huber_loss(
            x, y, reduction=r, weight=w), x, y, w)


def test_broadcast_warns_like_torch():
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="different to the input size"):
            lib.nn.functional.smooth_l1_loss(lib.zeros(3), lib.zeros(2, 3))
    check_op(lambda lib, x, y: lib.nn.functional.huber_loss(x, y, reduction="none"),
             _normal((3,), 0), _normal((2, 3), 1))


# -- classification losses -----------------------------------------------------------------

CLASS_SHAPES = [((5,), ()), ((4, 5), (4,)), ((2, 5, 3), (2, 3)), ((2, 5, 2, 3), (2, 2, 3)),
                ((2, 5, 2, 1, 2), (2, 2, 1, 2)), ((0, 5), (0,)), ((2, 5, 0), (2, 0))]


@pytest.mark.parametrize("shape, target_shape", CLASS_SHAPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_and_nll_class_indices(shape, target_shape, reduction, weighted, dtype):
    x = _normal(shape, 0, dtype)
    target = _classes(target_shape, 5, 1)
    if target.size > 2:
        target.flat[1] = 2
        target.flat[2] = 2
    w = _uniform((5,), 2, dtype) if weighted else None

    def run(loss, **kwargs):
        check_op(lambda lib, x, t: getattr(lib.nn.functional, loss)(
            x if loss == "cross_entropy" else x.log_softmax(1 if x.dim() > 1 else 0), t,
            weight=None if w is None else lib.from_numpy(w.copy()), reduction=reduction,
            **kwargs), x, target)
    run("cross_entropy")
    run("cross_entropy", ignore_index=2)
    run("nll_loss", ignore_index=2)
    run("cross_entropy", label_smoothing=0.25)
    run("cross_entropy", label_smoothing=0.25, ignore_index=2)


@pytest.mark.parametrize("shape", [(5,), (4, 5), (2, 5, 3), (2, 5, 2, 3)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
def test_cross_entropy_class_probabilities(shape, reduction, label_smoothing):
    x, p = _normal(shape, 0), _uniform(shape, 1)
    for w in (None, _uniform((5,), 2)):
        check_op(lambda lib, x, p, w=w: lib.nn.functional.cross_entropy(
            x, p, weight=None if w is None else lib.from_numpy(w.copy()), reduction=reduction,
            label_smoothing=label_smoothing), x, p)


def test_cross_entropy_uint8_targets_noncontiguous_and_all_ignored():
    x = _normal((5, 4), 0, np.float32)
    check_op(lambda lib, x, t: lib.nn.functional.cross_entropy(x.t(), t), x,
             np.array([0, 3, 1, 1], np.uint8))
    check_op(lambda lib, x, t: lib.nn.functional.cross_entropy(x, t), x,
             np.full(5, -100))
    check_op(lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, reduction="sum",
                                                               ignore_index=1), x,
             np.ones(5, np.int64))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p, margin", [(1, 1.0), (2, 0.4)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_multi_margin_loss(reduction, p, margin, dtype):
    x, t, w = _normal((6, 4), 0, dtype), _classes((6,), 4, 1), _uniform((4,), 2, dtype)
    check_op(lambda lib, x, t: lib.nn.functional.multi_margin_loss(
        x, t, p=p, margin=margin, reduction=reduction), x, t)
    check_op(lambda lib, x, t, w: lib.nn.functional.multi_margin_loss(
        x, t, p=p, margin=margin, weight=w.detach(), reduction=reduction), x, t, w)
    check_op(lambda lib, x: lib.nn.functional.multi_margin_loss(
        x[0], lib.tensor(2), p=p, reduction=reduction), x)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin_loss(reduction):
    x = _normal((4, 5), 0)
    t = np.array([[3, 0, -1, 1, 1], [1, 1, 2, 3, -1], [-1, 0, 0, 0, 0], [0, 1, 2, 3, 4]])
    check_op(lambda lib, x, t: lib.nn.functional.multilabel_margin_loss(
        x, t, reduction=reduction), x, t)
    check_op(lambda lib, x, t: lib.nn.functional.multilabel_margin_loss(
        x[1], t[1], reduction=reduction), x, t)


def test_margin_losses_are_not_twice_differentiable_as_in_torch():
    x = _normal((3, 4), 0)
    for fn in (lambda lib, x: lib.nn.functional.multi_margin_loss(x, lib.tensor([0, 1, 2])),
               lambda lib, x: lib.nn.functional.multilabel_margin_loss(
                   x, lib.tensor([[0, -1, 0, 0]] * 3))):
        def double(lib, x, fn=fn):
            (g,) = lib.autograd.grad(fn(lib, x), x, create_graph=True)
            return g.sum().backward()
        check_error(lambda lib, x: double(lib, x.requires_grad_()), x)


def test_legacy_reduction_flags():
    x, t = _normal((4, 5), 0), _classes((4,), 5, 1)
    for kw in ({"size_average": False}, {"reduce": False}, {"size_average": True}):
        check_op(lambda lib, x, t, kw=kw: lib.nn.functional.cross_entropy(x, t, **kw), x, t)
        check_op(lambda lib, x, t, kw=kw: lib.nn.functional.multi_margin_loss(x, t, **kw), x, t)
        check_op(lambda lib, x, y, kw=kw: lib.nn.functional.kl_div(x, y, **kw), x, x)
        check_op(lambda lib, x, y, kw=kw: lib.nn.functional.soft_margin_loss(x, y.detach(), **kw),
                 x, x)
    with pytest.warns(UserWarning, match="reduction='sum'"):
        ember.nn.functional.nll_loss(ember.zeros(2, 3), ember.tensor([0, 1]),
                                     size_average=False)


# -- errors --------------------------------------------------------------------------------

F_ERRORS = {
    "target_out_of_bounds": lambda F, L: F.cross_entropy(L.zeros(2, 3), L.tensor([0, 3])),
    "negative_target": lambda F, L: F.nll_loss(L.zeros(2, 3), L.tensor([-1, 0])),
    "spatial_out_of_bounds": lambda F, L: F.nll_loss(L.zeros(1, 3, 2, 2),
                                                     L.full((1, 2, 2), 5)),
    "float_target": lambda F, L: F.cross_entropy(L.zeros(2, 3), L.tensor([0.0, 1.0])),
    "int32_target": lambda F, L: F.nll_loss(L.zeros(2, 3), L.tensor([0, 1], dtype=L.int32)),
    "batch_mismatch": lambda F, L: F.cross_entropy(L.zeros(4, 3), L.tensor([0, 1])),
    "zero_dim_input": lambda F, L: F.nll_loss(L.zeros(()), L.tensor(0)),
    "multi_target": lambda F, L: F.nll_loss(L.zeros(2, 3), L.zeros(2, 1, dtype=L.int64)),
    "unbatched_target_size": lambda F, L: F.nll_loss(L.zeros(3), L.tensor([0, 1])),
    "k_dim_target_size": lambda F, L: F.nll_loss(L.zeros(2, 3, 4), L.zeros(2, 5,
                                                                            dtype=L.int64)),
    "spatial_target_dim": lambda F, L: F.nll_loss(L.zeros(2, 3, 4, 4),
                                                  L.zeros(2, 4, dtype=L.int64)),
    "spatial_size": lambda F, L: F.nll_loss(L.zeros(2, 3, 4, 4),
                                            L.zeros(2, 5, 4, dtype=L.int64)),
    "weight_size": lambda F, L: F.nll_loss(L.zeros(2, 3), L.tensor([0, 1]), weight=L.ones(2)),
    "spatial_weight_size": lambda F, L: F.nll_loss(L.zeros(2, 3, 4, 4),
                                                   L.zeros(2, 4, 4, dtype=L.int64),
                                                   weight=L.ones(2)),
    "weight_dtype": lambda F, L: F.nll_loss(L.zeros(2, 3, dtype=L.float64), L.tensor([0, 1]),
                                            weight=L.ones(3)),
    "weight_requires_grad": lambda F, L: F.nll_loss(L.zeros(2, 3), L.tensor([0, 1]),
                                                    weight=L.ones(3, requires_grad=True)),
    "integer_input": lambda F, L: F.nll_loss(L.zeros(2, 3, dtype=L.int64), L.tensor([0, 1])),
    "integer_spatial_input": lambda F, L: F.nll_loss(L.zeros(2, 3, 4, dtype=L.int64),
                                                     L.zeros(2, 4, dtype=L.int64)),
    "bad_reduction": lambda F, L: F.cross_entropy(L.zeros(2, 3), L.tensor([0, 1]),
                                                  reduction="avg"),
    "probabilities_int": lambda F, L: F.cross_entropy(L.zeros(2, 3),
                                                      L.zeros(2, 3, dtype=L.int64)),
    "probabilities_ignore_index": lambda F, L: F.cross_entropy(L.zeros(2, 3), L.zeros(2, 3),
                                                               ignore_index=0),
    "probabilities_weight": lambda F, L: F.cross_entropy(L.zeros(2, 3), L.zeros(2, 3),
                                                         weight=L.ones(2)),
    "label_smoothing": lambda F, L: F.cross_entropy(L.zeros(2, 3), L.tensor([0, 1]),
                                                    label_smoothing=1.5),
    "bce_range": lambda F, L: F.binary_cross_entropy(L.tensor([1.5]), L.tensor([1.0])),
    "bce_size": lambda F, L: F.binary_cross_entropy(L.ones(3) / 2, L.ones(1, 3)),
    "bce_target_dtype": lambda F, L: F.binary_cross_entropy(L.ones(3) / 2,
                                                            L.ones(3, dtype=L.float64)),
    "bce_integer": lambda F, L: F.binary_cross_entropy(L.ones(3, dtype=L.int64),
                                                       L.ones(3, dtype=L.int64)),
    "bce_weight_broadcast": lambda F, L: F.binary_cross_entropy(L.ones(3) / 2, L.ones(3),
                                                                weight=L.ones(2)),
    "bce_weight_grad": lambda F, L: F.binary_cross_entropy(
        L.ones(3) / 2, L.ones(3), weight=L.ones(3, requires_grad=True)),
    "bce_logits_size": lambda F, L: F.binary_cross_entropy_with_logits(L.ones(3),
                                                                       L.ones(1, 3)),
    "bce_logits_weight_grad": lambda F, L: F.binary_cross_entropy_with_logits(
        L.ones(3), L.ones(3), pos_weight=L.ones(3, requires_grad=True)),
    "smooth_l1_beta": lambda F, L: F.smooth_l1_loss(L.ones(3), L.ones(3), beta=-1.0),
    "smooth_l1_integer": lambda F, L: F.smooth_l1_loss(L.ones(3, dtype=L.int64),
                                                       L.ones(3, dtype=L.int64)),
    "huber_delta": lambda F, L: F.huber_loss(L.ones(3), L.ones(3), delta=0.0),
    "huber_integer": lambda F, L: F.huber_loss(L.ones(3, dtype=L.int64),
                                               L.ones(3, dtype=L.int64)),
    "huber_weight_size": lambda F, L: F.huber_loss(L.ones(3), L.ones(3), weight=L.ones(2)),
    "soft_margin_broadcast": lambda F, L: F.soft_margin_loss(L.ones(3), L.ones(2, 3)),
    "soft_margin_integer": lambda F, L: F.soft_margin_loss(L.ones(3, dtype=L.int64),
                                                           L.ones(3, dtype=L.int64)),
    "soft_margin_target_grad": lambda F, L: F.soft_margin_loss(
        L.ones(3), L.ones(3, requires_grad=True)),
    "kl_integer": lambda F, L: F.kl_div(L.ones(3), L.ones(3, dtype=L.int64), reduction="sum"),
    "kl_reduction": lambda F, L: F.kl_div(L.ones(3), L.ones(3), reduction="avg"),
    "poisson_reduction": lambda F, L: F.poisson_nll_loss(L.ones(3), L.ones(3), reduction="x"),
    "gaussian_negative_var": lambda F, L: F.gaussian_nll_loss(L.ones(3), L.ones(3), -L.ones(3)),
    "gaussian_negative_float": lambda F, L: F.gaussian_nll_loss(L.ones(3), L.ones(3), -1.0),
    "gaussian_var_size": lambda F, L: F.gaussian_nll_loss(L.ones(3, 2), L.ones(3, 2),
                                                          L.ones(2, 2)),
    "gaussian_reduction": lambda F, L: F.gaussian_nll_loss(L.ones(3), L.ones(3), L.ones(3),
                                                           reduction="x"),
    "margin_ranking_dims": lambda F, L: F.margin_ranking_loss(L.ones(3), L.ones(3),
                                                              L.ones(1, 3)),
    "margin_ranking_size": lambda F, L: F.margin_ranking_loss(L.ones(3), L.ones(2), L.ones(3)),
    "cosine_target_dim": lambda F, L: F.cosine_embedding_loss(L.ones(3, 2), L.ones(3, 2),
                                                              L.ones(3, 1)),
    "cosine_input_dim": lambda F, L: F.cosine_embedding_loss(L.ones(3), L.ones(3), L.ones(3)),
    "cosine_scalar_target": lambda F, L: F.cosine_embedding_loss(L.ones(3, 2), L.ones(3, 2),
                                                                 L.tensor(1.0)),
    "triplet_dims": lambda F, L: F.triplet_margin_loss(L.ones(3, 2), L.ones(3, 2), L.ones(2)),
    "triplet_margin": lambda F, L: F.triplet_margin_loss(L.ones(3, 2), L.ones(3, 2),
                                                         L.ones(3, 2), margin=0),
    "triplet_distance_dims": lambda F, L: F.triplet_margin_with_distance_loss(
        L.ones(3, 2), L.ones(3, 2), L.ones(2)),
    "triplet_distance_reduction": lambda F, L: F.triplet_margin_with_distance_loss(
        L.ones(3, 2), L.ones(3, 2), L.ones(3, 2), reduction="x"),
    "multi_margin_p": lambda F, L: F.multi_margin_loss(L.ones(2, 3), L.tensor([0, 1]), p=3),
    "multi_margin_weight_dim": lambda F, L: F.multi_margin_loss(
        L.ones(2, 3), L.tensor([0, 1]), weight=L.ones(3, 1)),
    "multi_margin_weight_size": lambda F, L: F.multi_margin_loss(
        L.ones(2, 3), L.tensor([0, 1]), weight=L.ones(2)),
    "multi_margin_range": lambda F, L: F.multi_margin_loss(L.ones(2, 3), L.tensor([0, 3])),
    "multi_margin_target_size": lambda F, L: F.multi_margin_loss(L.ones(2, 3), L.tensor([0])),
    "multi_margin_3d": lambda F, L: F.multi_margin_loss(L.ones(2, 3, 4), L.tensor([0, 1])),
    "multi_margin_float_target": lambda F, L: F.multi_margin_loss(L.ones(2, 3),
                                                                  L.tensor([0.0, 1.0])),
    "multi_margin_integer": lambda F, L: F.multi_margin_loss(L.ones(2, 3, dtype=L.int64),
                                                             L.tensor([0, 1])),
    "multilabel_size": lambda F, L: F.multilabel_margin_loss(L.ones(2, 3),
                                                             L.zeros(2, 2, dtype=L.int64)),
    "multilabel_range": lambda F, L: F.multilabel_margin_loss(L.ones(3), L.tensor([0, -2, 1])),
    "multilabel_float_target": lambda F, L: F.multilabel_margin_loss(L.ones(2, 3),
                                                                     L.zeros(2, 3)),
    "multilabel_3d": lambda F, L: F.multilabel_margin_loss(L.ones(2, 3, 4),
                                                           L.zeros(2, 3, 4, dtype=L.int64)),
}


@pytest.mark.parametrize("name", sorted(F_ERRORS))
def test_errors(name):
    check_error(lambda lib: F_ERRORS[name](lib.nn.functional, lib))


MODULE_ERRORS = {
    "huber_delta_type": lambda nn, L: nn.HuberLoss(delta="1"),
    "multi_margin_p": lambda nn, L: nn.MultiMarginLoss(p=3),
    "multi_margin_weight": lambda nn, L: nn.MultiMarginLoss(weight=L.ones(2, 2)),
    "triplet_margin": lambda nn, L: nn.TripletMarginLoss(margin=-1.0),
    "triplet_distance_margin": lambda nn, L: nn.TripletMarginWithDistanceLoss(margin=0),
    "bad_reduction_on_call": lambda nn, L: nn.CrossEntropyLoss(reduction="x")(
        L.zeros(2, 3), L.tensor([0, 1])),
}


@pytest.mark.parametrize("name", sorted(MODULE_ERRORS))
def test_module_errors(name):
    check_error(lambda lib: MODULE_ERRORS[name](lib.nn, lib))


# -- modules -------------------------------------------------------------------------------

def _module_cases():
    x, y, z = _normal((4, 5), 0), _normal((4, 5), 1), _normal((4, 5), 2)
    p, s, t = _uniform((4, 5), 3), _signs((4, 5), 4), _classes((4,), 5, 5)
    w = _uniform((5,), 6)
    labels = np.array([[3, 0, -1, 1, 1], [1, 1, 2, 3, -1], [-1, 0, 0, 0, 0], [0, 1, 2, 3, 4]])

    def weight(lib):
        return lib.from_numpy(w.copy())
    return {
        "MSELoss": (lambda nn, L: nn.MSELoss(), x, y),
        "L1Loss": (lambda nn, L: nn.L1Loss(reduction="sum"), x, y),
        "SmoothL1Loss": (lambda nn, L: nn.SmoothL1Loss(beta=0.3), x, y),
        "HuberLoss": (lambda nn, L: nn.HuberLoss(reduction="none", delta=0.5), x, y),
        "SoftMarginLoss": (lambda nn, L: nn.SoftMarginLoss(), x, s),
        "BCELoss": (lambda nn, L: nn.BCELoss(weight=weight(L)), p, _uniform((4, 5), 7)),
        "BCEWithLogitsLoss": (lambda nn, L: nn.BCEWithLogitsLoss(weight=weight(L),
                                                                 pos_weight=weight(L) * 2),
                              x, p),
        "KLDivLoss": (lambda nn, L: nn.KLDivLoss(reduction="batchmean", log_target=True), x, y),
        "PoissonNLLLoss": (lambda nn, L: nn.PoissonNLLLoss(full=True), x, p * 4),
        "GaussianNLLLoss": (lambda nn, L: nn.GaussianNLLLoss(full=True, eps=0.01), x, y, p),
        "NLLLoss": (lambda nn, L: nn.NLLLoss(weight=weight(L), ignore_index=1), x, t),
        "CrossEntropyLoss": (lambda nn, L: nn.CrossEntropyLoss(weight=weight(L),
                                                               label_smoothing=0.1), x, t),
        "CrossEntropyLossProbabilities": (lambda nn, L: nn.CrossEntropyLoss(), x, p),
        "MultiMarginLoss": (lambda nn, L: nn.MultiMarginLoss(p=2, margin=0.5,
                                                             weight=weight(L)), x, t),
        "MultiLabelMarginLoss": (lambda nn, L: nn.MultiLabelMarginLoss(), x, labels),
        "MultiLabelSoftMarginLoss": (lambda nn, L: nn.MultiLabelSoftMarginLoss(
            weight=weight(L)), x, (p > 0.5).astype(np.float64)),
        "MarginRankingLoss": (lambda nn, L: nn.MarginRankingLoss(margin=0.1), x, y, s),
        "HingeEmbeddingLoss": (lambda nn, L: nn.HingeEmbeddingLoss(margin=0.5), x, s),
        "CosineEmbeddingLoss": (lambda nn, L: nn.CosineEmbeddingLoss(margin=0.2), x, y,
                                s[:, 0].copy()),
        "TripletMarginLoss": (lambda nn, L: nn.TripletMarginLoss(p=1.0, swap=True), x, y, z),
        "TripletMarginWithDistanceLoss": (lambda nn, L: nn.TripletMarginWithDistanceLoss(
            swap=True), x, y, z),
    }


MODULE_CASES = _module_cases()
# Targets of these losses take no gradient in PyTorch (or are integer class indices).
_FROZEN_TARGET = {"SoftMarginLoss", "HingeEmbeddingLoss", "MarginRankingLoss",
                  "CosineEmbeddingLoss"}


@pytest.mark.parametrize("name", sorted(MODULE_CASES))
def test_loss_modules(name):
    make, *inputs = MODULE_CASES[name]

    def forward(module, *xs):
        if name in _FROZEN_TARGET:
            xs = xs[:-1] + (xs[-1].detach(),)
        return module(*xs)
    check_module(lambda lib: make(lib.nn, lib), *inputs, forward=forward)


def test_loss_module_buffers_and_repr():
    for lib in (ember, torch):
        weighted = lib.nn.BCEWithLogitsLoss(weight=lib.ones(3), pos_weight=lib.ones(3))
        assert [n for n, _ in weighted.named_buffers()] == ["weight", "pos_weight"]
        assert list(lib.nn.CrossEntropyLoss().state_dict()) == []
        assert list(lib.nn.NLLLoss(weight=lib.ones(2)).state_dict()) == ["weight"]
    for name, (make, *_) in MODULE_CASES.items():
        assert repr(make(ember.nn, ember)) == repr(make(torch.nn, torch)), name
    for make in (lambda lib: lib.nn.TripletMarginWithDistanceLoss(distance_function=abs),
                 lambda lib: lib.nn.CrossEntropyLoss(size_average=False),
                 lambda lib: lib.nn.KLDivLoss(reduce=False)):
        e, t = make(ember), make(torch)
        assert repr(e) == repr(t) and e.reduction == t.reduction


# -- gradcheck -----------------------------------------------------------------------------

GRADCHECK = {
    "smooth_l1": (lambda F, x, y: F.smooth_l1_loss(x, y, beta=0.5), True),
    "huber": (lambda F, x, y: F.huber_loss(x, y, delta=0.5, reduction="sum"), True),
    "soft_margin": (lambda F, x, y: F.soft_margin_loss(x, y.detach().sign()), True),
    "bce": (lambda F, x, y: F.binary_cross_entropy(x.sigmoid(), y.sigmoid()), True),
    "bce_logits": (lambda F, x, y: F.binary_cross_entropy_with_logits(
        x, y.sigmoid(), pos_weight=ember.full((4,), 2.5, dtype=x.dtype)), True),
    "kl_div": (lambda F, x, y: F.kl_div(x, y.exp(), reduction="batchmean"), True),
    "poisson": (lambda F, x, y: F.poisson_nll_loss(x, y.exp(), full=True), True),
    "gaussian": (lambda F, x, y: F.gaussian_nll_loss(x, y, (x * y).exp() + 0.5), True),
    "cosine": (lambda F, x, y: F.cosine_embedding_loss(x, y, ember.tensor([1.0, -1.0, 1.0],
                                                                          dtype=x.dtype)), True),
    "triplet": (lambda F, x, y: F.triplet_margin_loss(x, y, x * y, swap=True), True),
    "cross_entropy": (lambda F, x, y: F.cross_entropy(x * y, ember.tensor([0, 3, 1]),
                                                      label_smoothing=0.2), True),
    "cross_entropy_probs": (lambda F, x, y: F.cross_entropy(x, y.softmax(1)), True),
    "nll_spatial": (lambda F, x, y: F.nll_loss((x * y).view(1, 3, 2, 2),
                                               ember.tensor([[[0, 2], [1, 1]]])), True),
    "multi_margin": (lambda F, x, y: F.multi_margin_loss(x, ember.tensor([0, 3, 1]), p=2),
                     False),
    "multilabel_margin": (lambda F, x, y: F.multilabel_margin_loss(
        x, ember.tensor([[0, -1, 0, 0]] * 3)), False),
}


@pytest.mark.parametrize("name", sorted(GRADCHECK))
def test_gradcheck(name):
    fn, twice = GRADCHECK[name]
    x = ember.from_numpy(_normal((3, 4), 0)).requires_grad_()
    y = ember.from_numpy(_normal((3, 4), 1)).requires_grad_()

    def f(x, y):
        return fn(ember.nn.functional, x, y)
    assert ember.autograd.gradcheck(f, (x, y))
    if twice:
        assert ember.autograd.gradgradcheck(f, (x, y))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_with_no_classes_and_every_target_ignored(reduction, weighted):
    # No class at all is fine while every target is ignored: nan for 'mean' (0 / 0).
    def loss(lib, x):
        weight = lib.zeros(0, dtype=lib.float64) if weighted else None
        return lib.nn.functional.nll_loss(x, lib.tensor([-100, -100]), weight=weight,
                                          reduction=reduction)
    check_op(loss, np.zeros((2, 0)))
    check_op(lambda lib, x: lib.nn.functional.cross_entropy(x, lib.tensor([-100, -100])),
             np.zeros((2, 0)))


def test_nll_with_no_classes_errors():
    check_error(lambda lib: lib.nn.functional.nll_loss(lib.zeros(2, 0), lib.tensor([0, -100])))
    check_error(lambda lib: lib.nn.functional.nll_loss(lib.zeros(2, 0, 3),
                                                       lib.full((2, 3), -100)))
