"""The seed tutorial, run top to bottom on PyTorch and on ember, prints the same text.

PyTorch seeds its generator from the operating system in each new process, so both runs
start with ``manual_seed(0)``; after that the random cells (``rand``, ``randn``, the
``nn.Linear`` initialisation) are compared directly: ember reproduces PyTorch's CPU stream.
"""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "examples", "seed_tutorial.py")


def _run(args):
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


SEEDED = """
import runpy
import torch
torch.manual_seed(0)
runpy.run_path({script!r}, run_name="__main__")
"""


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    wrapper = tmp_path_factory.mktemp("seed") / "seeded_tutorial.py"
    wrapper.write_text(SEEDED.format(script=SCRIPT))
    torch_out = _run([sys.executable, str(wrapper)])
    ember_out = _run([sys.executable, "-m", "ember", "run", str(wrapper)])
    return torch_out, ember_out


def test_every_cell_prints_what_pytorch_prints(outputs):
    torch_out, ember_out = outputs
    assert ember_out.splitlines() == torch_out.splitlines()


def test_the_tutorial_printed_its_cells(outputs):
    # A guard against two empty outputs agreeing: the known lines of the notebook are there.
    _, ember_out = outputs
    assert "tensor(0.2500, grad_fn=<PowBackward0>)" in ember_out
    assert "tensor(-1.)" in ember_out
    assert "epoch 10: w = 1.606,loss=1.60939169" in ember_out
    assert ember_out.count("\n") >= 60
