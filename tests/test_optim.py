"""Oracle tests for ``ember.optim``: SGD's updates bit for bit, training trajectories,
parameter groups, ``zero_grad``, ``state_dict``/``load_state_dict``, errors and printing."""

import warnings

import numpy as np
import pytest

import ember
from oracle import check_error, torch

CONFIGS = {
    "plain": dict(lr=0.1),
    "momentum": dict(lr=0.05, momentum=0.9),
    "dampening": dict(lr=0.05, momentum=0.9, dampening=0.5),
    "nesterov": dict(lr=0.05, momentum=0.9, nesterov=True),
    "weight_decay": dict(lr=0.05, weight_decay=0.1),
    "nesterov_weight_decay": dict(lr=0.05, momentum=0.9, weight_decay=0.01, nesterov=True),
    "maximize": dict(lr=0.01, maximize=True),
    "everything": dict(lr=0.05, momentum=0.5, dampening=0.3, weight_decay=0.1, maximize=True),
    "foreach": dict(lr=0.05, momentum=0.9, foreach=True),
    "tensor_lr": dict(lr="tensor", momentum=0.9),
}


def plain(value):
    """Tensors as (dtype, values), recursively, so two libraries' outputs compare with ==."""
    if isinstance(value, (ember.Tensor, torch.Tensor)):
        return ("tensor", repr(value.dtype), value.detach().numpy().tolist())
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    return value


def outcome(fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return plain(fn())
    except Exception as e:  # noqa: BLE001 (any exception is part of the outcome)
        return f"{type(e).__name__}: {e}"


def same_outcome(fn):
    expected, actual = outcome(lambda: fn(torch)), outcome(lambda: fn(ember))
    assert actual == expected, f"\nember: {actual}\ntorch: {expected}"


def _options(lib, config):
    options = dict(CONFIGS[config])
    if options["lr"] == "tensor":
        options["lr"] = lib.tensor(0.05)
    return options


# -- the update rule, bit for bit -----------------------------------------------------------
RNG = np.random.default_rng(0)
START = [RNG.standard_normal((4, 3)), RNG.standard_normal(4)]
GRADIENTS = [[RNG.standard_normal(p.shape) for p in START] for _ in range(50)]


def _injected_trajectory(lib, config, dtype):
    """50 steps with the same given gradients: isolates the optimizer from autograd."""
    params = [lib.nn.Parameter(lib.from_numpy(p.astype(dtype))) for p in START]
    opt = lib.optim.SGD(params, **_options(lib, config))
    trajectory = []
    for grads in GRADIENTS:
        for p, g in zip(params, grads):
            p.grad = lib.from_numpy(g.astype(dtype))
        opt.step()
        trajectory.append(np.concatenate([p.detach().numpy().ravel().copy() for p in params]))
    return np.array(trajectory)


@pytest.mark.parametrize("config", sorted(CONFIGS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sgd_updates_bit_exact(config, dtype):
    np.testing.assert_array_equal(_injected_trajectory(ember, config, dtype),
                                  _injected_trajectory(torch, config, dtype))


# -- training a model ------------------------------------------------------------------------
X = RNG.standard_normal((16, 3)).astype(np.float32)
Y = (X @ np.array([[1.5], [-2.0], [0.5]], np.float32) + 0.3).astype(np.float32)


def _train(lib, config, steps=50, closure=False):
    """A linear regression from PyTorch's initial weights (same seed, same generator)."""
    lib.manual_seed(0)
    model = lib.nn.Linear(3, 1)
    opt = lib.optim.SGD(model.parameters(), **_options(lib, config))
    x, y = lib.from_numpy(X.copy()), lib.from_numpy(Y.copy())

    def compute_loss():
        opt.zero_grad()
        loss = lib.nn.functional.mse_loss(model(x), y)
        loss.backward()
        return loss

    trajectory, losses = [], []
    for _ in range(steps):
        if closure:
            losses.append(opt.step(compute_loss).item())
        else:
            losses.append(compute_loss().item())
            opt.step()
        trajectory.append(np.concatenate([p.detach().numpy().ravel().copy()
                                          for p in model.parameters()]))
    return np.array(trajectory), np.array(losses)


@pytest.mark.parametrize("config", ["plain", "momentum", "nesterov_weight_decay", "dampening"])
def test_training_trajectory_matches_torch(config):
    # Gradients agree to float32 rounding (BLAS sums in another order), so the paths do too.
    e_path, e_loss = _train(ember, config)
    t_path, t_loss = _train(torch, config)
    np.testing.assert_allclose(e_path, t_path, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(e_loss, t_loss, rtol=1e-4, atol=1e-6)
    assert e_loss[-1] < e_loss[0] / 10


def test_step_with_closure():
    e_path, e_loss = _train(ember, "momentum", steps=20, closure=True)
    t_path, t_loss = _train(torch, "momentum", steps=20, closure=True)
    np.testing.assert_allclose(e_path, t_path, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(e_loss, t_loss, rtol=1e-4, atol=1e-6)


def test_closure_runs_once_with_grad_enabled():
    def describe(lib):
        calls = []
        opt = lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=0.1)
        with lib.no_grad():
            result = opt.step(lambda: calls.append(lib.is_grad_enabled()) or 3.5)
        return result, calls, opt.step()
    same_outcome(describe)


# -- zero_grad ----------------------------------------------------------------------------------
def _with_grads(lib):
    lib.manual_seed(0)
    model = lib.nn.Linear(3, 2)
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    model(lib.ones(4, 3)).sum().backward()
    return model, opt


@pytest.mark.parametrize("owner", ["optimizer", "module"])
@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(owner, set_to_none):
    def describe(lib):
        model, opt = _with_grads(lib)
        before = [p.grad for p in model.parameters()]
        (opt if owner == "optimizer" else model).zero_grad(set_to_none=set_to_none)
        after = [p.grad for p in model.parameters()]
        kept = [a is b for a, b in zip(before, after)]
        return kept, after
    same_outcome(describe)


def test_zero_grad_default_sets_none_and_then_accumulates_afresh():
    def describe(lib):
        model, opt = _with_grads(lib)
        opt.zero_grad()
        model(lib.ones(1, 3)).sum().backward()
        return [p.grad for p in model.parameters()]
    same_outcome(describe)


# -- groups ---------------------------------------------------------------------------------------
def _two_groups(lib, **defaults):
    lib.manual_seed(0)
    first, second = lib.nn.Linear(3, 2), lib.nn.Linear(2, 1)
    opt = lib.optim.SGD([{"params": first.parameters()},
                         {"params": second.parameters(), "lr": 0.05, "momentum": 0.0}],
                        lr=0.01, momentum=0.9, **defaults)
    return first, second, opt


def _step(lib, first, second, opt):
    opt.zero_grad()
    second(first(lib.ones(4, 3)).tanh()).pow(2).sum().backward()
    opt.step()


def _values(module):
    return [p.detach().numpy().copy() for p in module.parameters()]


def assert_close_lists(actual, expected):
    for a, b in zip(actual, expected, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_param_groups_with_their_own_lr():
    def run(lib):
        first, second, opt = _two_groups(lib)
        for _ in range(5):
            _step(lib, first, second, opt)
        return opt, _values(first) + _values(second)
    (e_opt, e_values), (t_opt, t_values) = run(ember), run(torch)
    assert [g["lr"] for g in e_opt.param_groups] == [0.01, 0.05]
    assert [len(s) for s in e_opt.state.values()] == [len(s) for s in t_opt.state.values()]
    assert_close_lists(e_values, t_values)


def test_add_param_group():
    def describe(lib):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=0.1, momentum=0.5)
        extra = lib.nn.Parameter(lib.ones(2))
        opt.add_param_group({"params": extra, "lr": 0.01})
        group = opt.param_groups[1]
        return (len(opt.param_groups), group["lr"], group["momentum"], len(group["params"]),
                group["params"][0] is extra, list(group))
    same_outcome(describe)


def test_named_parameters():
    def describe(lib):
        lib.manual_seed(0)
        opt = lib.optim.SGD(lib.nn.Linear(2, 1).named_parameters(), lr=0.1)
        return opt.param_groups[0]["param_names"], opt.state_dict()["param_groups"]
    same_outcome(describe)


def test_defaults_and_group_keys():
    def describe(lib):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=0.1)
        return opt.defaults, list(opt.param_groups[0]), type(opt.state).__name__
    same_outcome(describe)


def test_duplicate_parameters_warn():
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.ones(1))
        with pytest.warns(UserWarning, match="duplicate parameters"):
            opt = lib.optim.SGD([p, p], lr=0.1)
        assert len(opt.param_groups[0]["params"]) == 2


def _parameter(lib):
    return lib.nn.Parameter(lib.ones(1))


ERRORS = {
    "empty": lambda lib: lib.optim.SGD([], lr=0.1),
    "negative_lr": lambda lib: lib.optim.SGD([_parameter(lib)], lr=-0.1),
    "negative_momentum": lambda lib: lib.optim.SGD([_parameter(lib)], lr=0.1, momentum=-1),
    "negative_weight_decay": lambda lib: lib.optim.SGD([_parameter(lib)], lr=0.1,
                                                       weight_decay=-1),
    "nesterov_without_momentum": lambda lib: lib.optim.SGD([_parameter(lib)], lr=0.1,
                                                           nesterov=True),
    "nesterov_with_dampening": lambda lib: lib.optim.SGD([_parameter(lib)], lr=0.1,
                                                         momentum=0.9, dampening=0.1,
                                                         nesterov=True),
    "nesterov_checked_before_params": lambda lib: lib.optim.SGD([], lr=0.1, nesterov=True),
    "tensor_not_iterable": lambda lib: lib.optim.SGD(_parameter(lib), lr=0.1),
    "set_of_params": lambda lib: lib.optim.SGD([{"params": {_parameter(lib)}}], lr=0.1),
    "not_a_tensor": lambda lib: lib.optim.SGD([1.0], lr=0.1),
    "non_leaf": lambda lib: lib.optim.SGD([lib.ones(1, requires_grad=True) * 2], lr=0.1),
    "group_not_a_dict": lambda lib: lib.optim.SGD([{"params": [_parameter(lib)]}, 3], lr=0.1),
    "group_without_params": lambda lib: lib.optim.SGD([{"lr": 0.1}], lr=0.1),
    "param_in_two_groups": lambda lib: (lambda p: lib.optim.SGD(
        [{"params": [p]}, {"params": [p]}], lr=0.1))(_parameter(lib)),
    "names_missing": lambda lib: lib.optim.SGD([("w", _parameter(lib)), _parameter(lib)],
                                               lr=0.1),
    "named_and_unnamed_groups": lambda lib: lib.optim.SGD(
        [{"params": [("w", _parameter(lib))]}, {"params": [_parameter(lib)]}], lr=0.1),
    "add_group_not_a_dict": lambda lib: lib.optim.SGD([_parameter(lib)], lr=0.1)
    .add_param_group([_parameter(lib)]),
    "tensor_lr_many_elements": lambda lib: lib.optim.SGD([_parameter(lib)],
                                                         lr=lib.tensor([0.1, 0.2])),
    "fused_and_foreach": lambda lib: lib.optim.SGD([_parameter(lib)], lr=0.1, fused=True,
                                                   foreach=True),
    "base_step": lambda lib: lib.optim.Optimizer([_parameter(lib)], {}).step(),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    check_error(ERRORS[name])


# -- state_dict -------------------------------------------------------------------------------
def _trained(lib, steps=3, **options):
    first, second, opt = _two_groups(lib, **options)
    for _ in range(steps):
        _step(lib, first, second, opt)
    return first, second, opt


def test_state_dict_structure():
    def describe(lib):
        _, _, opt = _trained(lib)
        sd = opt.state_dict()
        return (list(sd), list(sd["state"]), [list(s) for s in sd["state"].values()],
                sd["param_groups"])
    same_outcome(describe)


def test_state_dict_momentum_buffers():
    def buffers(lib):
        _, _, opt = _trained(lib)
        return [s["momentum_buffer"].numpy() for s in opt.state_dict()["state"].values()]
    assert_close_lists(buffers(ember), buffers(torch))


def test_state_dict_of_fresh_optimizer():
    same_outcome(lambda lib: lib.optim.SGD([_parameter(lib)], lr=0.1).state_dict())


def test_load_state_dict_resumes_training():
    """Save after 3 steps, load into a new optimizer, continue: as if never interrupted."""
    def resume(lib):
        first, second, opt = _trained(lib, steps=3)
        saved = opt.state_dict()
        fresh = lib.optim.SGD([{"params": first.parameters()},
                               {"params": second.parameters()}], lr=1.0)
        fresh.load_state_dict(saved)
        for _ in range(3):
            _step(lib, first, second, fresh)
        return [g["lr"] for g in fresh.param_groups], _values(first)

    lrs, resumed = resume(ember)
    assert lrs == [0.01, 0.05]
    for a, b in zip(resumed, _values(_trained(ember, steps=6)[0])):
        np.testing.assert_array_equal(a, b)
    assert_close_lists(resumed, resume(torch)[1])


def test_load_state_dict_casts_buffers_to_parameter_dtype():
    p = ember.nn.Parameter(ember.ones(2, dtype=ember.float64))
    opt = ember.optim.SGD([p], lr=0.1, momentum=0.9)
    opt.load_state_dict({"state": {0: {"momentum_buffer": ember.ones(2)}},
                         "param_groups": [dict(opt.state_dict()["param_groups"][0])]})
    assert opt.state[p]["momentum_buffer"].dtype is ember.float64


LOAD_ERRORS = {
    "group_count": lambda lib, opt, sd: opt.load_state_dict(
        {"state": {}, "param_groups": sd["param_groups"][:1]}),
    "group_size": lambda lib, opt, sd: opt.load_state_dict(
        {"state": {}, "param_groups": [dict(sd["param_groups"][0], params=[0]),
                                       sd["param_groups"][1]]}),
}


@pytest.mark.parametrize("name", sorted(LOAD_ERRORS))
def test_load_state_dict_errors(name):
    def load(lib):
        _, _, opt = _trained(lib, steps=1)
        LOAD_ERRORS[name](lib, opt, opt.state_dict())
    check_error(load)


# -- printing -------------------------------------------------------------------------------------
def test_repr():
    same_outcome(lambda lib: repr(_two_groups(lib)[2]))
    same_outcome(lambda lib: repr(lib.optim.SGD([_parameter(lib)], lr=0.1, nesterov=True,
                                                momentum=0.9)))
