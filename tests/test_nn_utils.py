"""nn.utils: gradient clipping and parameter vectors, compared with PyTorch."""

import warnings

import numpy as np
import pytest

import ember
from oracle import assert_same_tensor, check_error, check_op, to_ember, to_torch, torch


def _params_with_grads(lib, arrays, grads):
    params = []
    for a, g in zip(arrays, grads):
        p = lib.nn.Parameter(lib.from_numpy(a.copy()))
        if g is not None:
            p.grad = lib.from_numpy(g.copy())
        params.append(p)
    return params


def _arrays(dtype=np.float32, seed=0, none_grad=False):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (5,), (2, 2, 2), ()]
    arrays = [np.asarray(rng.standard_normal(s), dtype) for s in shapes]
    grads = [np.asarray(rng.standard_normal(s) * 3, dtype) for s in shapes]
    if none_grad:
        grads[1] = None
    return arrays, grads


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), "inf", 0.5])
@pytest.mark.parametrize("max_norm", [0.1, 1e6])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype):
    arrays, grads = _arrays(dtype, none_grad=True)
    results = {}
    for lib in (ember, torch):
        params = _params_with_grads(lib, arrays, grads)
        total = lib.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type,
                                             foreach=False)
        results[lib.__name__] = (total, [p.grad for p in params])
    (e_total, e_grads), (t_total, t_grads) = results["ember"], results["torch"]
    assert_same_tensor(e_total, t_total)
    for e, t in zip(e_grads, t_grads):
        assert (e is None) == (t is None)
        if t is not None:
            assert_same_tensor(e, t)


def test_clip_grad_norm_single_tensor_generator_and_foreach():
    arrays, grads = _arrays()
    for foreach in (None, True):
        e = _params_with_grads(ember, arrays, grads)[0]
        t = _params_with_grads(torch, arrays, grads)[0]
        assert_same_tensor(ember.nn.utils.clip_grad_norm_(e, 1.0, foreach=foreach),
                           torch.nn.utils.clip_grad_norm_(t, 1.0, foreach=foreach))
        assert_same_tensor(e.grad, t.grad)
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="empty generator"):
            total = lib.nn.utils.clip_grad_norm_((p for p in []), 1.0)
        assert total.item() == 0.0 and total.dtype == lib.float32


def test_clip_grad_norm_nonfinite():
    arrays, grads = _arrays()
    grads[0][0, 0] = np.inf
    messages = []
    for lib in (ember, torch):
        params = _params_with_grads(lib, arrays, grads)
        with pytest.raises(RuntimeError) as info:
            lib.nn.utils.clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
        messages.append(str(info.value))
        total = lib.nn.utils.clip_grad_norm_(params, 1.0)
        assert total.item() == float("inf")
    assert messages[0] == messages[1]


def test_deprecated_clip_grad_norm_warns():
    arrays, grads = _arrays()
    for lib in (ember, torch):
        with pytest.warns(FutureWarning, match="clip_grad_norm_"):
            lib.nn.utils.clip_grad_norm(_params_with_grads(lib, arrays, grads), 1.0)


def test_get_total_norm_and_clip_grads_with_norm():
    arrays, grads = _arrays(np.float64)
    e_params = _params_with_grads(ember, arrays, grads)
    t_params = _params_with_grads(torch, arrays, grads)
    e_total = ember.nn.utils.get_total_norm([p.grad for p in e_params], 3.0)
    t_total = torch.nn.utils.get_total_norm([p.grad for p in t_params], 3.0)
    assert_same_tensor(e_total, t_total)
    ember.nn.utils.clip_grads_with_norm_(e_params, 0.5, e_total)
    torch.nn.utils.clip_grads_with_norm_(t_params, 0.5, t_total)
    for e, t in zip(e_params, t_params):
        assert_same_tensor(e.grad, t.grad)
    assert_same_tensor(ember.nn.utils.get_total_norm([]), torch.nn.utils.get_total_norm([]))


@pytest.mark.parametrize("clip_value", [0.5, 2, 100.0])
def test_clip_grad_value(clip_value):
    arrays, grads = _arrays(none_grad=True)
    e_params = _params_with_grads(ember, arrays, grads)
    t_params = _params_with_grads(torch, arrays, grads)
    assert ember.nn.utils.clip_grad_value_(e_params, clip_value) is None
    torch.nn.utils.clip_grad_value_(t_params, clip_value)
    for e, t in zip(e_params, t_params):
        if t.grad is not None:
            assert_same_tensor(e.grad, t.grad)
    e, t = e_params[0], t_params[0]
    ember.nn.utils.clip_grad_value_(e, 0.1, foreach=True)
    torch.nn.utils.clip_grad_value_(t, 0.1, foreach=True)
    assert_same_tensor(e.grad, t.grad)


def test_clipping_leaves_no_graph():
    w = ember.ones(3, requires_grad=True)
    (w * 2).sum().backward()
    total = ember.nn.utils.clip_grad_norm_([w], 1.0)
    assert not total.requires_grad and w.grad.grad_fn is None


def test_parameters_to_vector_and_back():
    arrays, _ = _arrays()
    check_op(lambda lib, *xs: lib.nn.utils.parameters_to_vector(xs), *arrays)
    rng = np.random.default_rng(1)
    vec = rng.standard_normal(sum(a.size for a in arrays)).astype(np.float32)
    for lib in (ember, torch):
        model = lib.nn.Linear(3, 2)
        before = lib.nn.utils.parameters_to_vector(model.parameters())
        assert before.shape == (8,)
        lib.nn.utils.vector_to_parameters(lib.from_numpy(vec[:8].copy()), model.parameters())
        after = lib.nn.utils.parameters_to_vector(model.parameters())
        np.testing.assert_array_equal(after.detach().numpy(), vec[:8])
        assert isinstance(model.weight, lib.nn.Parameter) and model.weight.shape == (2, 3)


def test_vector_to_parameters_shares_the_vector_memory():
    model = ember.nn.Linear(2, 1)
    vec = ember.arange(3.0)
    ember.nn.utils.vector_to_parameters(vec, model.parameters())
    vec[0] = 10.0
    assert model.weight[0, 0].item() == 10.0


def test_vector_to_parameters_rejects_non_tensor():
    check_error(lambda lib: lib.nn.utils.vector_to_parameters([1.0], []))
    check_error(lambda lib: lib.nn.utils.vector_to_parameters(np.ones(2), []))


def test_parameters_to_vector_gradient_flows():
    arrays, _ = _arrays(np.float64)
    e = [to_ember(a, True) for a in arrays]
    t = [to_torch(a, True) for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (ember.nn.utils.parameters_to_vector(e) ** 2).sum().backward()
        (torch.nn.utils.parameters_to_vector(t) ** 2).sum().backward()
    for a, b in zip(e, t):
        assert_same_tensor(a.grad, b.grad)
