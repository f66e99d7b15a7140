"""The seed tutorial, run top to bottom on PyTorch and on ember, prints the same text.

Both runs start from a fresh process with each library's default seed, so the random cells
are compared directly: ember's generator reproduces PyTorch's CPU stream.
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


@pytest.fixture(scope="module")
def outputs():
    torch_out = _run([sys.executable, SCRIPT])
    ember_out = _run([sys.executable, "-m", "ember", "run", SCRIPT])
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
