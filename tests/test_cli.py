"""The ``ember`` command and the ``torch`` alias, run as a user runs them: in a subprocess.

``ember run script.py args`` (and ``python -m ember run``) must run an unchanged PyTorch
script on ember, print what it prints on PyTorch, and fail the way Python does.
"""

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

import oracle  # noqa: F401  (the oracle is required: see conftest)

ENTRY_POINT = shutil.which("ember") or os.path.join(os.path.dirname(sys.executable), "ember")

IMPORTS_SCRIPT = """
import sys
import torch
import torch.nn as nn
from torch import optim
import torch.nn.functional as F
import ember
print("argv", sys.argv[1:])
print("aliases", torch is ember, nn is ember.nn, optim is ember.optim, F is ember.nn.functional)
print("linear", torch.nn.Linear is ember.nn.Linear)
print("main", __name__, __file__.endswith("script.py"))
import helper
print("helper", helper.VALUE)
"""

TRAINING_SCRIPT = """
import torch
import torch.nn as nn
from torch import optim

torch.manual_seed(0)
x = torch.linspace(-1, 1, 8).reshape(8, 1)
y = 3 * x + 0.5
model = nn.Linear(1, 1)
print(model)
print(model.weight, model.bias)
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
loss_fn = nn.MSELoss()
for step in range(5):
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    print(f"step {step}: loss {loss.item():.4f}")
print(loss.grad_fn, model.weight.grad.shape, x.dtype, torch.arange(3))
"""


def write(folder, name, source):
    path = folder / name
    path.write_text(textwrap.dedent(source))
    return path


def run(command, cwd):
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture(params=["entry_point", "module"])
def ember_run(request):
    """The two spellings of the command: the ``ember`` script and ``python -m ember``."""
    if request.param == "entry_point":
        assert os.path.exists(ENTRY_POINT), "the ember console script is not installed"
        return [ENTRY_POINT, "run"]
    return [sys.executable, "-m", "ember", "run"]


def test_run_maps_torch_imports_and_passes_arguments(tmp_path, ember_run):
    write(tmp_path, "helper.py", "VALUE = 42\n")
    write(tmp_path, "script.py", IMPORTS_SCRIPT)
    result = run([*ember_run, "script.py", "a", "--flag", "3"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "argv ['a', '--flag', '3']",
        "aliases True True True True",
        "linear True",
        "main __main__ True",
        "helper 42",
    ]


def test_training_script_prints_what_pytorch_prints(tmp_path):
    write(tmp_path, "train.py", TRAINING_SCRIPT)
    on_torch = run([sys.executable, "train.py"], tmp_path)
    on_ember = run([ENTRY_POINT, "run", "train.py"], tmp_path)
    assert on_torch.returncode == 0, on_torch.stderr
    assert on_ember.returncode == 0, on_ember.stderr
    # Object addresses differ from run to run; everything else must be the same.
    def strip(text):
        return [line.split(" object at ")[0] for line in text.splitlines()]
    assert strip(on_ember.stdout) == strip(on_torch.stdout)


@pytest.mark.parametrize("statement", ["import torch.fft", "from torch import fft",
                                       "import torch.fft as fft"])
def test_missing_torch_submodule_names_itself(tmp_path, statement):
    write(tmp_path, "script.py", f"print('before')\n{statement}\nprint('after')\n")
    result = run([ENTRY_POINT, "run", "script.py"], tmp_path)
    assert result.returncode == 1
    assert result.stdout == "before\n"
    assert "ember does not implement torch.fft yet" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("ModuleNotFoundError")


def test_uncaught_error_prints_the_script_traceback(tmp_path):
    write(tmp_path, "script.py", """
        def fail():
            raise ValueError("boom")
        fail()
    """)
    result = run([ENTRY_POINT, "run", "script.py"], tmp_path)
    assert result.returncode == 1
    # exactly what `python script.py` prints: no frame of ember's, the script's full path
    python = run([sys.executable, "script.py"], tmp_path)
    assert result.stderr == python.stderr
    assert result.stderr.splitlines()[1].startswith(f'  File "{tmp_path / "script.py"}"')


def test_exit_status_of_the_script_is_kept(tmp_path):
    write(tmp_path, "script.py", "import sys\nsys.exit(3)\n")
    assert run([ENTRY_POINT, "run", "script.py"], tmp_path).returncode == 3


def test_missing_script_is_a_clear_error(tmp_path, ember_run):
    result = run([*ember_run, "no_such_script.py"], tmp_path)
    assert result.returncode != 0
    assert "no such file: no_such_script.py" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_without_a_script_is_a_usage_error(tmp_path):
    result = run([ENTRY_POINT, "run"], tmp_path)
    assert result.returncode == 2 and "usage:" in result.stderr


def test_warnings_and_file_name_as_python_shows_them(tmp_path):
    write(tmp_path, "script.py", """
        import sys
        import warnings
        print(__file__, sys.argv[0])
        warnings.warn("careful")
    """)
    ember = run([ENTRY_POINT, "run", "script.py"], tmp_path)
    python = run([sys.executable, "script.py"], tmp_path)
    assert (ember.stdout, ember.stderr) == (python.stdout, python.stderr)
