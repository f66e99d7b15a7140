"""ember.doctor: each classic mistake is named once, at the user's line; correct loops
(the seed tutorial's last two cells among them) produce nothing."""

import os
import re
import subprocess
import sys
import warnings

import pytest

import ember
from ember import nn, optim
from ember._tensor import Tensor
from ember.doctor import Doctor, EmberDoctorWarning

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Watch:
    """``with Watch() as found:`` runs the block under ember.doctor, recording warnings."""

    def __init__(self, **options):
        self.options = options

    def __enter__(self):
        self._catch = warnings.catch_warnings(record=True)
        self.caught = self._catch.__enter__()
        warnings.simplefilter("always")
        self.doctor = ember.doctor(**self.options)
        self.doctor.__enter__()
        return self

    def __exit__(self, *exc_info):
        self.doctor.__exit__(*exc_info)
        self._catch.__exit__(*exc_info)
        return False

    @property
    def warnings(self):
        return [w for w in self.caught if issubclass(w.category, EmberDoctorWarning)]

    def kinds(self):
        return [kind for kind, _, _, _ in self.doctor.findings]

    def one(self, kind):
        """The single finding of ``kind``: (message, line), checked to point at this file."""
        found = [(message, line) for k, filename, line, message in self.doctor.findings
                 if k == kind]
        assert len(found) == 1, self.doctor.findings
        assert [w.filename for w in self.warnings] == [__file__] * len(self.warnings)
        return found[0]


def here():
    return sys._getframe(1).f_lineno


def test_gradient_kept_across_an_update():
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    with Watch() as found:
        for _ in range(3):
            loss = (w * w).sum()
            loss.backward(); line = here()  # noqa: E702
            with ember.no_grad():
                w -= 0.1 * w.grad
    message, at = found.one("grad-not-reset")
    assert at == line and message.startswith("w.grad still holds the gradient")
    assert found.kinds() == ["grad-not-reset"]


def test_gradient_summed_over_backward_calls_without_an_update():
    weights = ember.ones(4, requires_grad=True)
    with Watch() as found:
        for _ in range(3):
            (weights * 3).sum().backward(); line = here()  # noqa: E702
    message, at = found.one("grad-accumulated")
    assert at == line
    assert message.startswith("weights.grad is the sum of the gradients of 3 backward() calls")


def test_accumulating_on_purpose_is_fine():
    model = nn.Linear(2, 1)
    sgd = optim.SGD(model.parameters(), lr=0.1)
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    with Watch() as found:
        for _ in range(4):
            for micro in range(2):
                model(x[micro:micro + 1]).pow(2).mean().backward()
            sgd.step()
            sgd.zero_grad()
    assert found.doctor.findings == []


def test_update_with_another_tensors_gradient():
    # The tutorial's slip: W is moved by w.grad, which is zero after the first step.
    w = ember.tensor(1.5, requires_grad=True)
    ((w - 2) ** 2).backward()
    X = ember.tensor([1.0, 2.0, 3.0, 4.0])
    Y = X * 2
    W = ember.tensor([0.0], requires_grad=True)
    with Watch() as found:
        for _ in range(3):
            ((Y - W * X) ** 2).mean().backward()
            with ember.no_grad():
                W -= 0.01 * w.grad; line = here()  # noqa: E702
            w.grad.zero_()
    message, at = found.one("other-grad")
    assert at == line and message == ("W is updated with w.grad, the gradient of another "
                                      "tensor: W's own gradient is W.grad.")
    message, at = found.one("no-update")
    assert at == line and message.startswith("this update left W unchanged although W.grad")


def test_update_through_data_that_changes_nothing():
    p = ember.tensor([1.0, -1.0], requires_grad=True)
    with Watch() as found:
        (p * 3).sum().backward()
        p.data.sub_(p.grad * 0.0); line = here()  # noqa: E702
    message, at = found.one("no-update")
    assert at == line and "left p unchanged" in message


def test_optimizer_step_that_changes_nothing():
    model = nn.Linear(1, 1)
    sgd = optim.SGD(model.parameters(), lr=0.0)
    with Watch() as found:
        model(ember.ones(1, 1)).sum().backward()
        sgd.step(); line = here()  # noqa: E702
    message, at = found.one("no-update")
    assert at == line and message.startswith("optimizer.step() left model.")


def test_step_without_gradients():
    model = nn.Linear(1, 1)
    other = nn.Linear(1, 1)
    sgd = optim.SGD(other.parameters(), lr=0.1)  # the optimizer holds the wrong model
    with Watch() as found:
        model(ember.ones(1, 1)).sum().backward()
        sgd.step(); line = here()  # noqa: E702
    message, at = found.one("no-gradient")
    assert at == line and "found no gradient on any of its parameters" in message


class TwoLayers(nn.Module):
    def __init__(self):
        super().__init__()
        self.used = nn.Linear(2, 2)
        self.unused = nn.Linear(2, 2)

    def forward(self, x):
        return self.used(x)


def test_parameter_that_never_gets_a_gradient():
    model = TwoLayers()
    sgd = optim.SGD(model.parameters(), lr=0.1)
    with Watch() as found:
        for _ in range(3):
            model(ember.ones(1, 2)).sum().backward(); line = here()  # noqa: E702
            sgd.step()
            sgd.zero_grad()
    message, at = found.one("no-gradient")
    assert at == line and message.startswith("parameter model.unused.weight is not used")


def test_nan_loss():
    z = ember.tensor(0.0, requires_grad=True)
    with Watch() as found:
        (z / z).backward(); line = here()  # noqa: E702
    message, at = found.one("loss-not-finite")
    assert at == line and "is nan" in message


def test_loss_that_does_not_decrease():
    w = ember.tensor(1.0, requires_grad=True)
    with Watch(window=3) as found:
        for _ in range(8):
            loss = (w - 3) ** 2
            loss.backward(); line = here()  # noqa: E702
            w.grad = None  # gradients reset, but w is never updated
    message, at = found.one("loss-not-decreasing")
    assert at == line and "first 3 values here was 4" in message


def test_grad_of_a_non_leaf():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.sum().backward()
    with Watch() as found:
        for _ in range(3):
            assert h.grad is None; line = here()  # noqa: E702
    message, at = found.one("non-leaf-grad")
    assert at == line and message.startswith("h.grad is read, but h is not a leaf")
    # The doctor's plain-words warning replaces PyTorch's, not adds to it.
    assert [w.category for w in found.caught] == [EmberDoctorWarning]


def test_correct_loops_are_silent():
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1))
    sgd = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    x = ember.randn(16, 3)
    y = x.sum(1, keepdim=True)
    w = ember.tensor([0.0], requires_grad=True)
    with Watch() as found:
        for _ in range(30):
            loss = nn.MSELoss()(model(x), y)
            sgd.zero_grad()
            loss.backward()
            sgd.step()
            manual = ((y - w * x[:, :1]) ** 2).mean()
            manual.backward()
            with ember.no_grad():
                w -= 0.1 * w.grad
            w.grad.zero_()
    assert found.doctor.findings == [] and found.caught == []


def test_patches_are_restored_even_after_an_error():
    before = {name: Tensor.__dict__[name] for name in ("backward", "grad", "__isub__", "sub_")}
    call, step = nn.Module.__call__, optim.SGD.step
    with pytest.raises(ValueError, match="raised inside"):
        with ember.doctor() as outer:
            with ember.doctor() as inner:
                assert inner is outer  # nesting shares the active doctor
            assert Tensor.__dict__["backward"] is not before["backward"]
            raise ValueError("raised inside the doctor")
    assert {name: Tensor.__dict__[name] for name in before} == before
    assert nn.Module.__call__ is call and optim.SGD.step is step
    assert isinstance(ember.doctor(), Doctor)


def _run(args):
    done = subprocess.run([sys.executable, "-m", "ember", "run", "--doctor", *args],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_seed_training_loops_produce_no_warning(tmp_path):
    cells = re.split(r"^# %%.*$", open(os.path.join(ROOT, "examples", "seed_tutorial.py")).read(),
                     flags=re.M)
    script = tmp_path / "last_two_cells.py"
    script.write_text("import torch\ntorch.manual_seed(0)\n" + cells[-2] + cells[-1])
    assert "EmberDoctorWarning" not in _run([str(script)])


def test_the_tutorial_notebooks_mistakes():
    stderr = _run(["examples/autograd_tutorial.ipynb"])
    found = set(re.findall(r"<autograd_tutorial\.ipynb cell (\d+)>:\d+: EmberDoctorWarning: "
                           r"ember doctor \[([a-z-]+)\]", stderr))
    assert found == {
        ("7", "grad-accumulated"), ("11", "grad-accumulated"),  # x.grad, weights.grad
        # The W -= lr * w.grad cell (In [51]).
        ("15", "other-grad"), ("15", "no-update"), ("15", "grad-not-reset"),
        ("15", "loss-not-decreasing"),
    }, stderr
