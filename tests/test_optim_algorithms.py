"""Oracle tests for ember's optimizers beyond SGD: the rounding kernels bit for bit,
trajectories of every algorithm against PyTorch's, state_dict exchange in both directions,
defaults, repr, errors, L-BFGS with a closure, and the cost of an Adam step."""


import numpy as np
import pytest

import ember
from ember.optim import _kernels
from oracle import check_error, torch

CONFIGS = {
    "Adam": [{}, dict(lr=0.01, amsgrad=True, weight_decay=0.1),
             dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True),
             dict(lr="tensor", betas=(0.8, 0.99), eps=1e-6)],
    "AdamW": [{}, dict(lr=0.01, amsgrad=True, maximize=True)],
    "RMSprop": [{}, dict(centered=True, momentum=0.9, weight_decay=0.1),
                dict(alpha=0.9, momentum=0.5, maximize=True)],
    "Adagrad": [{}, dict(lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=0.1)],
    "Adadelta": [{}, dict(rho=0.5, weight_decay=0.1, maximize=True)],
    "Adamax": [{}, dict(weight_decay=0.1, maximize=True)],
    "NAdam": [{}, dict(weight_decay=0.1, decoupled_weight_decay=True),
              dict(weight_decay=0.1, momentum_decay=0.01)],
    "RAdam": [{}, dict(weight_decay=0.1, decoupled_weight_decay=True),
              dict(weight_decay=0.1, maximize=True)],
    "ASGD": [{}, dict(t0=10, lambd=0.01, alpha=0.5, weight_decay=0.1)],
    "Rprop": [{}, dict(etas=(0.3, 1.5), step_sizes=(1e-3, 1), maximize=True)],
}
CASES = [(name, i) for name, configs in CONFIGS.items() for i in range(len(configs))]
# No square root in the update: every float operation is PyTorch's, so bit for bit.
# (PyTorch's float32 sqrt is MKL's, within 1 ulp but not correctly rounded.)
EXACT = {"Adamax", "ASGD", "Rprop"}


def _options(lib, name, index):
    options = dict(CONFIGS[name][index])
    if options.get("lr") == "tensor":
        options["lr"] = lib.tensor(0.01)
    return options


RNG = np.random.default_rng(0)
SHAPES = [(6, 5), (5,), (3,)]
START = [RNG.standard_normal(s) for s in SHAPES]
GRADIENTS = [[RNG.standard_normal(s) for s in SHAPES] for _ in range(120)]


def _params(lib, dtype, values=START):
    return [lib.nn.Parameter(lib.from_numpy(np.array(v, dtype=dtype))) for v in values]


def _snapshot(params):
    return np.concatenate([p.detach().numpy().ravel().copy() for p in params])


def _run(lib, params, opt, gradients, dtype):
    path = []
    for grads in gradients:
        for p, g in zip(params, grads):
            p.grad = lib.from_numpy(g.astype(dtype))
        opt.step()
        path.append(_snapshot(params))
    return np.array(path)


def _trajectory(lib, name, index, dtype, steps=120):
    params = _params(lib, dtype)
    opt = getattr(lib.optim, name)(params, **_options(lib, name, index))
    return _run(lib, params, opt, GRADIENTS[:steps], dtype)


TOLERANCE = {"float32": dict(rtol=2e-5, atol=2e-6), "float64": dict(rtol=1e-12, atol=1e-13)}


@pytest.mark.parametrize("name,index", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_trajectory_matches_torch(name, index, dtype):
    e_path = _trajectory(ember, name, index, dtype)
    t_path = _trajectory(torch, name, index, dtype)
    if name in EXACT:
        np.testing.assert_array_equal(e_path, t_path)
    else:
        np.testing.assert_allclose(e_path, t_path, **TOLERANCE[dtype])


# -- the kernels, bit for bit ----------------------------------------------------------------
KERNEL_RNG = np.random.default_rng(1)
A, B, C = (KERNEL_RNG.standard_normal(4099) for _ in range(3))
KERNELS = {
    "lerp_small": (lambda t, x, y, z: t.lerp_(x, 0.1),
                   lambda t, x, y, z: _kernels.lerp_(t, x, 0.1)),
    "lerp_large": (lambda t, x, y, z: t.lerp_(x, 0.7),
                   lambda t, x, y, z: _kernels.lerp_(t, x, 0.7)),
    "addcmul": (lambda t, x, y, z: t.addcmul_(x, y, value=0.001),
                lambda t, x, y, z: _kernels.addcmul_(t, x, y, 0.001)),
    "addcdiv": (lambda t, x, y, z: t.addcdiv_(x, z, value=-0.3),
                lambda t, x, y, z: _kernels.addcdiv_(t, x, z, -0.3)),
    "add_alpha": (lambda t, x, y, z: t.add_(x, alpha=0.37),
                  lambda t, x, y, z: _kernels.add_scaled_(t, x, 0.37)),
}


@pytest.mark.parametrize("kernel", sorted(KERNELS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_kernels_round_as_torch(kernel, dtype):
    torch_fn, ember_fn = KERNELS[kernel]
    arrays = [a.astype(dtype) for a in (A, B, C)]
    arrays[2] = np.abs(arrays[2]) + 0.5
    expected = torch.from_numpy(arrays[0].copy())
    torch_fn(expected, *(torch.from_numpy(a) for a in arrays))
    actual = arrays[0].copy()
    ember_fn(actual, *arrays)
    np.testing.assert_array_equal(actual, expected.numpy())


# -- training a model through autograd ---------------------------------------------------------
X = RNG.standard_normal((32, 4)).astype(np.float32)
Y = np.sin(X @ RNG.standard_normal((4, 2))).astype(np.float32)


def _train(lib, name, options, steps=50):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.Tanh(), lib.nn.Linear(8, 2))
    opt = getattr(lib.optim, name)(model.parameters(), **options)
    x, y = lib.from_numpy(X), lib.from_numpy(Y)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = lib.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return _snapshot(model.parameters()), np.array(losses)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_training_an_mlp_matches_torch(name):
    options = dict(lr=0.01) if name not in ("Adadelta", "ASGD") else {}
    e_params, e_losses = _train(ember, name, options)
    t_params, t_losses = _train(torch, name, options)
    np.testing.assert_allclose(e_losses, t_losses, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(e_params, t_params, rtol=1e-4, atol=1e-5)


# -- state_dict: layout, and exchange with PyTorch ----------------------------------------------
def _convert(value, lib):
    """A state_dict with every tensor rebuilt in ``lib`` (through NumPy)."""
    if isinstance(value, (ember.Tensor, torch.Tensor)):
        return lib.from_numpy(value.detach().numpy().copy())
    if isinstance(value, dict):
        return {k: _convert(v, lib) for k, v in value.items()}
    if isinstance(value, list):
        return [_convert(v, lib) for v in value]
    return value


def _layout(value):
    if isinstance(value, (ember.Tensor, torch.Tensor)):
        return ("tensor", str(value.dtype), tuple(value.shape))
    if isinstance(value, dict):
        return {k: _layout(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_layout(v) for v in value]
    return value


def _after(lib, name, index, steps, dtype="float32"):
    params = _params(lib, dtype)
    opt = getattr(lib.optim, name)(params, **_options(lib, name, index))
    _run(lib, params, opt, GRADIENTS[:steps], dtype)
    return params, opt


@pytest.mark.parametrize("name,index", CASES)
def test_state_dict_layout_matches_torch(name, index):
    e_sd = _after(ember, name, index, 3)[1].state_dict()
    t_sd = _after(torch, name, index, 3)[1].state_dict()
    assert _layout(e_sd) == _layout(t_sd)


@pytest.mark.parametrize("name,index", CASES)
@pytest.mark.parametrize("source", ["ember", "torch"])
def test_resume_from_state_dict(name, index, source):
    """Save after 60 steps (in ember or torch), load into a fresh ember optimizer over
    parameters holding the saved values, run 60 more: as if never interrupted."""
    lib = ember if source == "ember" else torch
    params, opt = _after(lib, name, index, 60)
    saved = _convert(opt.state_dict(), ember)
    resumed = _params(ember, "float32", [p.detach().numpy() for p in params])
    fresh = getattr(ember.optim, name)(resumed, **_options(ember, name, 0))
    fresh.load_state_dict(saved)
    e_path = _run(ember, resumed, fresh, GRADIENTS[60:], "float32")
    t_params, t_opt = _after(torch, name, index, 60)
    t_path = _run(torch, t_params, t_opt, GRADIENTS[60:], "float32")
    if source == "ember" and name in EXACT:
        np.testing.assert_array_equal(e_path, _trajectory(ember, name, index, "float32")[60:])
    np.testing.assert_allclose(e_path, t_path, **TOLERANCE["float32"])


@pytest.mark.parametrize("name", ["Adam", "RMSprop", "NAdam", "ASGD"])
def test_torch_loads_ember_state_dict(name):
    params, opt = _after(ember, name, 1, 60)
    t_params = _params(torch, "float32", [p.detach().numpy() for p in params])
    t_opt = getattr(torch.optim, name)(t_params, **_options(torch, name, 1))
    t_opt.load_state_dict(_convert(opt.state_dict(), torch))
    t_path = _run(torch, t_params, t_opt, GRADIENTS[60:], "float32")
    e_path = _run(ember, params, opt, GRADIENTS[60:], "float32")
    np.testing.assert_allclose(e_path, t_path, **TOLERANCE["float32"])


def test_adam_state_values():
    e_state = _after(ember, "Adam", 1, 5)[1].state_dict()["state"][0]
    t_state = _after(torch, "Adam", 1, 5)[1].state_dict()["state"][0]
    assert list(e_state) == ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
    assert e_state["step"].dtype is ember.float32 and e_state["step"].shape == ()
    for key in e_state:
        np.testing.assert_allclose(e_state[key].numpy(), t_state[key].numpy(), rtol=1e-6)


# -- defaults, groups, repr ---------------------------------------------------------------------
ALL = sorted(CONFIGS) + ["LBFGS"]


@pytest.mark.parametrize("name", ALL)
def test_defaults_and_repr(name):
    def describe(lib):
        p = lib.nn.Parameter(lib.ones(2))
        opt = getattr(lib.optim, name)([{"params": [p]}])
        return opt.defaults, list(opt.param_groups[0]), repr(opt)
    assert describe(ember) == describe(torch)


def test_adam_with_groups_and_tensor_betas():
    def describe(lib):
        a, b = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(3))
        opt = lib.optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.1}],
                             betas=(lib.tensor(0.8), lib.tensor(0.9)))
        return [type(b).__name__ for b in opt.defaults["betas"]], repr(opt).count("Group")
    assert describe(ember) == describe(torch)


def test_adagrad_state_exists_before_the_first_step():
    for lib in (ember, torch):
        opt = lib.optim.Adagrad([lib.nn.Parameter(lib.ones(2))], initial_accumulator_value=0.5)
        (state,) = opt.state.values()
        assert state["sum"].tolist() == [0.5, 0.5] and float(state["step"]) == 0.0


def test_complex_parameters():
    values = [START[0] + 1j * START[0][::-1]]
    paths = []
    for lib in (ember, torch):
        params = _params(lib, "complex64", values)
        opt = lib.optim.Adam(params, lr=0.01, amsgrad=True)
        path = []
        for grads in GRADIENTS[:30]:
            params[0].grad = lib.from_numpy((grads[0] - 1j * grads[0]).astype(np.complex64))
            opt.step()
            path.append(params[0].detach().numpy().copy())
        paths.append(np.array(path))
    np.testing.assert_allclose(paths[0], paths[1], rtol=1e-5, atol=1e-6)


def test_version_counter_moves():
    p = ember.nn.Parameter(ember.ones(2))
    p.grad = ember.ones(2)
    before = p._version
    ember.optim.Adam([p]).step()
    assert p._version > before


def _param(lib):
    p = lib.nn.Parameter(lib.ones(2))
    p.grad = lib.ones(2)
    return p


ERRORS = {
    "adam_lr": lambda lib: lib.optim.Adam([_param(lib)], lr=-1),
    "adam_eps": lambda lib: lib.optim.Adam([_param(lib)], eps=-1),
    "adam_beta0": lambda lib: lib.optim.Adam([_param(lib)], betas=(1.0, 0.9)),
    "adam_beta1": lambda lib: lib.optim.Adam([_param(lib)], betas=(0.9, -0.1)),
    "adam_weight_decay": lambda lib: lib.optim.Adam([_param(lib)], weight_decay=-1),
    "adam_mixed_betas": lambda lib: lib.optim.Adam([_param(lib)], betas=(lib.tensor(0.9), 0.9)),
    "adam_tensor_lr_foreach": lambda lib: lib.optim.Adam([_param(lib)], lr=lib.tensor(0.1),
                                                         foreach=True),
    "adam_lr_many": lambda lib: lib.optim.Adam([_param(lib)], lr=lib.tensor([0.1, 0.2])),
    "adam_fused_foreach": lambda lib: lib.optim.Adam([_param(lib)], fused=True, foreach=True),
    "adam_capturable_on_cpu": lambda lib: lib.optim.Adam([_param(lib)], capturable=True).step(),
    "adamw_lr": lambda lib: lib.optim.AdamW([_param(lib)], lr=-0.5),
    "rmsprop_alpha": lambda lib: lib.optim.RMSprop([_param(lib)], alpha=-1),
    "rmsprop_momentum": lambda lib: lib.optim.RMSprop([_param(lib)], momentum=-1),
    "rmsprop_eps": lambda lib: lib.optim.RMSprop([_param(lib)], eps=-1),
    "rmsprop_capturable": lambda lib: lib.optim.RMSprop([_param(lib)], capturable=True).step(),
    "adagrad_lr_decay": lambda lib: lib.optim.Adagrad([_param(lib)], lr_decay=-1),
    "adagrad_initial": lambda lib: lib.optim.Adagrad([_param(lib)], initial_accumulator_value=-1),
    "adagrad_eps": lambda lib: lib.optim.Adagrad([_param(lib)], eps=-1),
    "adadelta_rho": lambda lib: lib.optim.Adadelta([_param(lib)], rho=1.5),
    "adadelta_capturable": lambda lib: lib.optim.Adadelta([_param(lib)], capturable=True).step(),
    "adamax_beta": lambda lib: lib.optim.Adamax([_param(lib)], betas=(0.9, 1.0)),
    "nadam_momentum_decay": lambda lib: lib.optim.NAdam([_param(lib)], momentum_decay=-1),
    "nadam_capturable": lambda lib: lib.optim.NAdam([_param(lib)], capturable=True).step(),
    "radam_weight_decay": lambda lib: lib.optim.RAdam([_param(lib)], weight_decay=-1),
    "asgd_weight_decay": lambda lib: lib.optim.ASGD([_param(lib)], weight_decay=-1),
    "asgd_capturable": lambda lib: lib.optim.ASGD([_param(lib)], capturable=True).step(),
    "rprop_etas": lambda lib: lib.optim.Rprop([_param(lib)], etas=(1.5, 1.2)),
    "rprop_lr": lambda lib: lib.optim.Rprop([_param(lib)], lr=-1),
    "lbfgs_groups": lambda lib: lib.optim.LBFGS([{"params": [_param(lib)]},
                                                 {"params": [_param(lib)]}]),
    "lbfgs_line_search": lambda lib: lib.optim.LBFGS([_param(lib)], line_search_fn="armijo")
    .step(lambda: _param(lib).sum()),
    "lbfgs_lr": lambda lib: lib.optim.LBFGS([_param(lib)], lr=-1),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    check_error(ERRORS[name])


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_differentiable_is_refused(name):
    with pytest.raises(NotImplementedError, match="differentiable"):
        getattr(ember.optim, name)([_param(ember)], differentiable=True)


# -- L-BFGS -------------------------------------------------------------------------------------
def _lbfgs_path(lib, dtype, problem, steps=5, **options):
    """A regression (convex) or Rosenbrock's function, minimised with a closure."""
    xy = lib.nn.Parameter(lib.tensor([-1.5, 2.0], dtype=getattr(lib, dtype)))
    w = lib.nn.Parameter(lib.from_numpy(np.array([[0.3], [-0.2], [0.1], [0.4]], dtype=dtype)))
    x, y = lib.from_numpy(X.astype(dtype)), lib.from_numpy(Y[:, :1].astype(dtype))
    opt = lib.optim.LBFGS([xy, w], **options)

    def closure():
        opt.zero_grad()
        if problem == "rosenbrock":
            loss = (1 - xy[0]) ** 2 + 100 * (xy[1] - xy[0] ** 2) ** 2 + (w ** 2).sum()
        else:
            loss = ((x @ w - y) ** 2).mean() + 0.1 * ((xy - 1) ** 2).sum()
        loss.backward()
        return loss

    path, losses = [], []
    for _ in range(steps):
        losses.append(float(opt.step(closure).detach()))
        path.append(_snapshot([xy, w]))
    state = opt.state[xy]
    return np.array(path), np.array(losses), (state["func_evals"], state["n_iter"])


LBFGS_OPTIONS = [dict(), dict(line_search_fn="strong_wolfe"),
                 dict(history_size=3, max_iter=5, lr=0.5),
                 dict(line_search_fn="strong_wolfe", history_size=4, tolerance_change=1e-5,
                      tolerance_grad=1e-4)]


@pytest.mark.parametrize("options", LBFGS_OPTIONS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_lbfgs_regression_matches_torch(options, dtype):
    e_path, e_losses, e_counts = _lbfgs_path(ember, dtype, "regression", **options)
    t_path, t_losses, t_counts = _lbfgs_path(torch, dtype, "regression", **options)
    tolerance = dict(rtol=1e-3, atol=1e-4) if dtype == "float32" else \
        dict(rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(e_path, t_path, **tolerance)
    np.testing.assert_allclose(e_losses, t_losses, **tolerance)
    if dtype == "float64":
        assert e_counts == t_counts


@pytest.mark.parametrize("options", LBFGS_OPTIONS[:2])
def test_lbfgs_rosenbrock_matches_torch(options):
    # An ill-conditioned valley: rounding differences grow, so float64 and few steps.
    e_path, e_losses, e_counts = _lbfgs_path(ember, "float64", "rosenbrock", steps=2, **options)
    t_path, t_losses, t_counts = _lbfgs_path(torch, "float64", "rosenbrock", steps=2, **options)
    np.testing.assert_allclose(e_path, t_path, rtol=1e-6, atol=1e-8)
    assert e_counts == t_counts


def test_lbfgs_state_keys():
    def keys(lib):
        p = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
        opt = lib.optim.LBFGS([p], line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = ((p - 3) ** 2).sum()
            loss.backward()
            return loss
        opt.step(closure)
        return sorted(opt.state_dict()["state"][0]), opt.state_dict()["param_groups"]
    assert keys(ember) == keys(torch)


@pytest.mark.parametrize("name", ["Adam", "NAdam", "RMSprop", "ASGD", "Adagrad"])
def test_old_checkpoint_state_is_completed_on_load(name):
    """An optimizer pickled before some options existed (and with a number for 'step')
    gets them back on unpickling, as PyTorch's __setstate__ does."""
    import pickle

    param = ember.nn.Parameter(ember.ones(3))
    param.grad = ember.ones(3)
    optimizer = getattr(ember.optim, name)([param], lr=0.1)
    optimizer.step()
    state = optimizer.__getstate__()
    for group in state["param_groups"]:
        group.pop("foreach")
        group.pop("maximize")
    for entry in state["state"].values():
        entry["step"] = float(entry["step"])
    old = object.__new__(type(optimizer))
    old.__setstate__(pickle.loads(pickle.dumps(state)))
    group = old.param_groups[0]
    assert group["foreach"] is None and group["maximize"] is False
    step = next(iter(old.state.values()))["step"]
    assert isinstance(step, ember.Tensor) and step.dtype is ember.float32 and step.item() == 1
