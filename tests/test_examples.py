"""Every example runs on ember (shortened by EMBER_EXAMPLE_QUICK=1) under the training
doctor, which stays silent on them; the deterministic ones print exactly what PyTorch
prints; the CNN reaches at least 97% test accuracy on the digits at full length."""

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")

# example: a line (a regular expression) its output must contain
MARKERS = {
    "polynomial_fit.py": r"^nn\+optim: y = ",
    "logistic_regression.py": r"^test accuracy 0\.\d+ on 143 tumours",
    "mlp_digits.py": r"reloaded checkpoint agrees: True",
    "cnn_digits.py": r"^test accuracy 0\.\d+",
    "char_lstm.py": r"^the model writes:",
    "tiny_transformer.py": r"^digits right 0?[01]\.\d+",
}


def _run(command, tmp_path, quick=True):
    env = dict(os.environ, PYTHONWARNINGS="default", EMBER_EXAMPLE_OUTPUT=str(tmp_path))
    if quick:
        env["EMBER_EXAMPLE_QUICK"] = "1"
    else:
        env.pop("EMBER_EXAMPLE_QUICK", None)
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=EXAMPLES,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.parametrize("example", sorted(MARKERS))
def test_example_runs_on_ember_and_the_doctor_is_silent(example, tmp_path):
    done = _run([sys.executable, "-m", "ember", "run", "--doctor", example], tmp_path)
    assert re.search(MARKERS[example], done.stdout, re.MULTILINE), done.stdout
    assert "EmberDoctorWarning" not in done.stderr, done.stderr


@pytest.mark.parametrize("example", ["polynomial_fit.py", "logistic_regression.py"])
def test_example_prints_what_pytorch_prints(example, tmp_path):
    on_torch = _run([sys.executable, example], tmp_path).stdout
    on_ember = _run([sys.executable, "-m", "ember", "run", example], tmp_path).stdout
    assert on_ember.splitlines() == on_torch.splitlines()
    assert len(on_ember.splitlines()) >= 3


def test_cnn_reaches_97_percent_on_the_digits(tmp_path):
    done = _run([sys.executable, "-m", "ember", "run", "cnn_digits.py"], tmp_path,
                quick=False)
    accuracy = float(re.search(r"^test accuracy (0\.\d+)$", done.stdout, re.MULTILINE)[1])
    assert accuracy >= 0.97, done.stdout
