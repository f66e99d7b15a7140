"""Oracle tests for ``ember.optim.lr_scheduler``: every schedule's learning rates (and
momentums) over 120+ steps equal PyTorch's, composition, state_dict round trips (also
from PyTorch), ReduceLROnPlateau on a fixed metric sequence, warnings and errors."""

import math
import warnings

import numpy as np
import pytest

import ember
from oracle import check_error, torch


def _optimizer(lib, kind="SGD", groups=2):
    params = [lib.nn.Parameter(lib.ones(2)) for _ in range(groups)]
    param_groups = [{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(params)]
    if kind == "Adam":
        return lib.optim.Adam(param_groups, lr=0.1)
    return lib.optim.SGD(param_groups, lr=0.1, momentum=0.9)


class Halving:
    """A callable object: its state is saved by LambdaLR.state_dict."""

    def __init__(self):
        self.base = 0.5

    def __call__(self, epoch):
        return self.base ** (epoch // 10)


SCHEDULES = {
    "step": lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, step_size=7, gamma=0.5),
    "multistep": lambda lib, opt: lib.optim.lr_scheduler.MultiStepLR(
        opt, milestones=[10, 30, 30, 80], gamma=0.3),
    "exponential": lambda lib, opt: lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.97),
    "cosine": lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=25,
                                                                          eta_min=0.001),
    "cosine_restarts": lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        opt, T_0=7, T_mult=2, eta_min=0.01),
    "cosine_restarts_1": lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        opt, T_0=9),
    "lambda": lambda lib, opt: lib.optim.lr_scheduler.LambdaLR(opt, lambda e: 1 / (1 + e)),
    "lambda_object": lambda lib, opt: lib.optim.lr_scheduler.LambdaLR(
        opt, [Halving(), lambda e: 0.99 ** e]),
    "multiplicative": lambda lib, opt: lib.optim.lr_scheduler.MultiplicativeLR(
        opt, lambda e: 0.98),
    "linear": lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, start_factor=0.2,
                                                               total_iters=40),
    "linear_down": lambda lib, opt: lib.optim.lr_scheduler.LinearLR(
        opt, start_factor=1.0, end_factor=0.1, total_iters=30),
    "constant": lambda lib, opt: lib.optim.lr_scheduler.ConstantLR(opt, factor=0.25,
                                                                   total_iters=12),
    "polynomial": lambda lib, opt: lib.optim.lr_scheduler.PolynomialLR(opt, total_iters=60,
                                                                       power=2.0),
    "onecycle_cos": lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=[1.0, 0.5], total_steps=130),
    "onecycle_linear_3phase": lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=0.8, epochs=13, steps_per_epoch=10, anneal_strategy="linear",
        three_phase=True, pct_start=0.25, div_factor=10.0, final_div_factor=100.0),
    "onecycle_no_momentum": lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=0.3, total_steps=125, cycle_momentum=False),
    "cyclic_triangular": lambda lib, opt: lib.optim.lr_scheduler.CyclicLR(
        opt, base_lr=0.01, max_lr=0.1, step_size_up=10),
    "cyclic_triangular2": lambda lib, opt: lib.optim.lr_scheduler.CyclicLR(
        opt, base_lr=[0.01, 0.02], max_lr=0.2, step_size_up=8, step_size_down=12,
        mode="triangular2"),
    "cyclic_exp_range": lambda lib, opt: lib.optim.lr_scheduler.CyclicLR(
        opt, base_lr=0.001, max_lr=0.1, step_size_up=15, mode="exp_range", gamma=0.99,
        base_momentum=0.7, max_momentum=0.95),
    "cyclic_custom": lambda lib, opt: lib.optim.lr_scheduler.CyclicLR(
        opt, base_lr=0.01, max_lr=0.1, step_size_up=5, scale_fn=lambda x: 0.9 ** x,
        scale_mode="iterations", cycle_momentum=False),
    "sequential": lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(
        opt, [lib.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=10),
              lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=50),
              lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.95)], milestones=[10, 60]),
    "chained": lambda lib, opt: lib.optim.lr_scheduler.ChainedScheduler(
        [lib.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=20),
         lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.98),
         lib.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.5)]),
    "chained_with_sequential": lambda lib, opt: lib.optim.lr_scheduler.ChainedScheduler(
        [lib.optim.lr_scheduler.SequentialLR(
            opt, [lib.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=5),
                  lib.optim.lr_scheduler.MultiStepLR(opt, milestones=[20, 40])],
            milestones=[15]),
         lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.99)]),
}
ADAM_SCHEDULES = {"onecycle_cos", "cyclic_exp_range"}


def _momentums(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def _run(lib, name, steps=125, save_at=None):
    """(lrs, momentums, get_last_lr) per step; with ``save_at``, the schedule is saved,
    rebuilt on a fresh optimizer and loaded halfway."""
    kind = "Adam" if name in ADAM_SCHEDULES else "SGD"
    opt = _optimizer(lib, kind)
    scheduler = SCHEDULES[name](lib, opt)
    history = [([g["lr"] for g in opt.param_groups], _momentums(opt),
                list(scheduler.get_last_lr()))]
    for i in range(steps):
        opt.step()
        scheduler.step()
        history.append(([g["lr"] for g in opt.param_groups], _momentums(opt),
                        list(scheduler.get_last_lr())))
        if save_at == i:
            saved_opt, saved = opt.state_dict(), scheduler.state_dict()
            # The usual checkpoint order: build both, then load both.
            opt = _optimizer(lib, kind)
            scheduler = SCHEDULES[name](lib, opt)
            opt.load_state_dict(saved_opt)
            scheduler.load_state_dict(saved)
    return history


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _run(ember, name) == _run(torch, name)


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_state_dict_round_trip_mid_run(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _run(ember, name, save_at=60) == _run(ember, name)


def _plain_state(value):
    if isinstance(value, dict):
        return {k: _plain_state(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain_state(v) for v in value)
    if callable(value):
        return "<callable>"
    return value


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_state_dict_equals_torchs_and_loads_from_torch(name):
    def advanced(lib):
        opt = _optimizer(lib, "Adam" if name in ADAM_SCHEDULES else "SGD")
        scheduler = SCHEDULES[name](lib, opt)
        for _ in range(40):
            opt.step()
            scheduler.step()
        return opt, scheduler

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e_sched, (t_opt, t_sched) = advanced(ember)[1], advanced(torch)
        t_state = t_sched.state_dict()
        assert _plain_state(e_sched.state_dict()) == _plain_state(t_state)
        # Continue PyTorch's run in ember from PyTorch's saved state.
        e_opt2 = _optimizer(ember, "Adam" if name in ADAM_SCHEDULES else "SGD")
        e_sched2 = SCHEDULES[name](ember, e_opt2)
        e_opt2.load_state_dict({"state": {}, "param_groups": t_opt.state_dict()["param_groups"]})
        e_sched2.load_state_dict(t_state)
        for _ in range(40):
            e_opt2.step()
            e_sched2.step()
            t_opt.step()
            t_sched.step()
            assert e_sched2.get_last_lr() == t_sched.get_last_lr()
            assert _momentums(e_opt2) == _momentums(t_opt)


def test_param_group_keys_after_scheduling():
    def keys(lib):
        opt = _optimizer(lib)
        lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
        return [list(g) for g in opt.param_groups]
    assert keys(ember) == keys(torch)


def test_explicit_epoch_uses_closed_form_and_warns():
    def run(lib):
        opt = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        with pytest.warns(UserWarning, match="epoch parameter"):
            for epoch in (5, 9, 2):
                opt.step()
                scheduler.step(epoch)
        return scheduler.get_last_lr(), scheduler.last_epoch
    assert run(ember) == run(torch)


def test_cosine_restarts_with_fractional_epochs():
    def run(lib):
        opt = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=5, T_mult=2)
        lrs = []
        for epoch in np.arange(0, 40, 0.7):
            opt.step()
            scheduler.step(float(epoch))
            lrs.append(scheduler.get_last_lr())
        return lrs
    assert run(ember) == run(torch)


def test_warning_when_scheduler_steps_first():
    for lib in (ember, torch):
        opt = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.StepLR(opt, step_size=2)
        with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
            scheduler.step()


def test_no_warning_in_the_right_order():
    opt = _optimizer(ember)
    scheduler = ember.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        scheduler.step()


def test_warning_when_optimizer_step_is_replaced():
    for lib in (ember, torch):
        opt = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.StepLR(opt, step_size=2)
        opt.step = lambda: None
        with pytest.warns(UserWarning, match="has been overridden"):
            scheduler.step()


def test_get_lr_outside_step_warns():
    for lib in (ember, torch):
        scheduler = lib.optim.lr_scheduler.StepLR(_optimizer(lib), step_size=2)
        with pytest.warns(UserWarning, match="get_last_lr"):
            scheduler.get_lr()


def test_tensor_lr_is_filled_in_place():
    def run(lib):
        p = lib.nn.Parameter(lib.ones(1))
        opt = lib.optim.Adam([p], lr=lib.tensor(0.1))
        lr = opt.param_groups[0]["lr"]
        scheduler = lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        for _ in range(3):
            opt.step()
            scheduler.step()
        return opt.param_groups[0]["lr"] is lr, float(lr), [float(v) for v in
                                                            scheduler.get_last_lr()]
    assert run(ember) == run(torch)


# -- ReduceLROnPlateau ---------------------------------------------------------------------------
LOSSES = [1.0, 0.9, 0.9, 0.91, 0.92, 0.899, 0.95, 0.96, 0.97, 0.5, 0.5, 0.5, 0.5, 0.49999,
          0.6, 0.7, 0.8, 0.8, 0.8, 0.8, 0.1, 0.1, 0.2, 0.3, 0.3, 0.3] * 5
PLATEAUS = {
    "default": dict(),
    "patience": dict(patience=2, factor=0.5),
    "max_abs": dict(mode="max", threshold_mode="abs", threshold=0.05, patience=1),
    "max_rel": dict(mode="max", patience=3, factor=0.2),
    "min_abs_cooldown": dict(threshold_mode="abs", threshold=0.01, patience=1, cooldown=3),
    "min_lr": dict(patience=0, factor=0.5, min_lr=[0.02, 0.05]),
    "eps": dict(patience=0, factor=0.9, min_lr=0.0, eps=1e-3),
}


@pytest.mark.parametrize("name", sorted(PLATEAUS))
def test_reduce_on_plateau_matches_torch(name):
    def run(lib):
        opt = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **PLATEAUS[name])
        history = []
        for i, loss in enumerate(LOSSES):
            opt.step()
            scheduler.step(loss if i % 2 else lib.tensor(loss))
            history.append((scheduler.get_last_lr(), scheduler.num_bad_epochs,
                            scheduler.cooldown_counter, scheduler.best))
            if i == 60:
                saved = scheduler.state_dict()
                scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(opt)
                scheduler.load_state_dict(saved)
        return history, scheduler.state_dict()
    e_history, e_state = run(ember)
    t_history, t_state = run(torch)
    assert e_history == t_history
    assert e_state == t_state


# -- errors ----------------------------------------------------------------------------------------
def _sched(lib):
    return lib.optim.lr_scheduler


ERRORS = {
    "not_an_optimizer": lambda lib: _sched(lib).StepLR(object(), 3),
    "resume_without_initial_lr": lambda lib: _sched(lib).StepLR(_optimizer(lib), 3,
                                                                last_epoch=5),
    "lambda_count": lambda lib: _sched(lib).LambdaLR(_optimizer(lib), [lambda e: 1.0]),
    "multiplicative_not_callable": lambda lib: _sched(lib).MultiplicativeLR(_optimizer(lib),
                                                                            [1.0, 2.0]),
    "constant_factor": lambda lib: _sched(lib).ConstantLR(_optimizer(lib), factor=1.5),
    "linear_start": lambda lib: _sched(lib).LinearLR(_optimizer(lib), start_factor=0),
    "linear_end": lambda lib: _sched(lib).LinearLR(_optimizer(lib), end_factor=2.0),
    "restarts_T_0": lambda lib: _sched(lib).CosineAnnealingWarmRestarts(_optimizer(lib), 0),
    "restarts_T_mult": lambda lib: _sched(lib).CosineAnnealingWarmRestarts(_optimizer(lib), 3,
                                                                           T_mult=0),
    "restarts_eta_min": lambda lib: _sched(lib).CosineAnnealingWarmRestarts(
        _optimizer(lib), 3, eta_min="0"),
    "restarts_negative_epoch": lambda lib: _sched(lib).CosineAnnealingWarmRestarts(
        _optimizer(lib), 3).step(-1),
    "onecycle_no_length": lambda lib: _sched(lib).OneCycleLR(_optimizer(lib), 0.1),
    "onecycle_total_steps": lambda lib: _sched(lib).OneCycleLR(_optimizer(lib), 0.1,
                                                               total_steps=0),
    "onecycle_epochs": lambda lib: _sched(lib).OneCycleLR(_optimizer(lib), 0.1, epochs=0,
                                                          steps_per_epoch=3),
    "onecycle_steps_per_epoch": lambda lib: _sched(lib).OneCycleLR(
        _optimizer(lib), 0.1, epochs=2, steps_per_epoch=1.5),
    "onecycle_pct_start": lambda lib: _sched(lib).OneCycleLR(_optimizer(lib), 0.1,
                                                             total_steps=10, pct_start=1),
    "onecycle_anneal": lambda lib: _sched(lib).OneCycleLR(_optimizer(lib), 0.1, total_steps=10,
                                                          anneal_strategy="exp"),
    "onecycle_max_lr_count": lambda lib: _sched(lib).OneCycleLR(_optimizer(lib), [0.1],
                                                                total_steps=10),
    "onecycle_too_many_steps": lambda lib: (lambda s: [s.step() for _ in range(3)])(
        _sched(lib).OneCycleLR(_optimizer(lib), 0.1, total_steps=2)),
    "onecycle_no_momentum": lambda lib: _sched(lib).OneCycleLR(
        lib.optim.Adagrad([lib.nn.Parameter(lib.ones(1))]), 0.1, total_steps=10),
    "cyclic_mode": lambda lib: _sched(lib).CyclicLR(_optimizer(lib), 0.01, 0.1, mode="saw"),
    "cyclic_no_momentum": lambda lib: _sched(lib).CyclicLR(
        lib.optim.Rprop([lib.nn.Parameter(lib.ones(1))]), 0.01, 0.1),
    "sequential_empty": lambda lib: _sched(lib).SequentialLR(_optimizer(lib), [], []),
    "sequential_milestones": lambda lib: (lambda opt: _sched(lib).SequentialLR(
        opt, [_sched(lib).StepLR(opt, 2)], [3]))(_optimizer(lib)),
    "sequential_plateau": lambda lib: (lambda opt: _sched(lib).SequentialLR(
        opt, [_sched(lib).ReduceLROnPlateau(opt)], []))(_optimizer(lib)),
    "sequential_other_optimizer": lambda lib: _sched(lib).SequentialLR(
        _optimizer(lib), [_sched(lib).StepLR(_optimizer(lib), 2)], []),
    "chained_empty": lambda lib: _sched(lib).ChainedScheduler([]),
    "chained_not_a_scheduler": lambda lib: _sched(lib).ChainedScheduler([object()],
                                                                        _optimizer(lib)),
    "plateau_factor": lambda lib: _sched(lib).ReduceLROnPlateau(_optimizer(lib), factor=1.0),
    "plateau_mode": lambda lib: _sched(lib).ReduceLROnPlateau(_optimizer(lib), mode="lowest"),
    "plateau_threshold_mode": lambda lib: _sched(lib).ReduceLROnPlateau(
        _optimizer(lib), threshold_mode="ratio"),
    "plateau_min_lrs": lambda lib: _sched(lib).ReduceLROnPlateau(_optimizer(lib),
                                                                 min_lr=[0.1]),
    "plateau_group_added": lambda lib: (lambda opt, s: (
        opt.add_param_group({"params": [lib.nn.Parameter(lib.ones(1))]}),
        [s.step(1.0) for _ in range(3)]))(*(lambda o: (o, _sched(lib).ReduceLROnPlateau(
            o, patience=0, min_lr=[0.0, 0.0])))(_optimizer(lib))),
    "base_get_lr": lambda lib: _sched(lib).LRScheduler(_optimizer(lib)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_error(ERRORS[name])


def test_names_match_torch():
    assert sorted(ember.optim.lr_scheduler.__all__) == sorted(torch.optim.lr_scheduler.__all__)
    assert math.isclose(ember.optim.lr_scheduler.CosineAnnealingLR(
        _optimizer(ember), T_max=4).get_last_lr()[0], 0.1)
