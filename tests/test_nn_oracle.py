"""The layer oracle (``nn_oracle.check_module``) on a model ember has had from the start,
and a check that it notices a difference."""

import numpy as np
import pytest

from nn_oracle import check_module


def test_same_init_forward_and_gradients():
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    check_module(lambda lib: lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(),
                                               lib.nn.Linear(4, 2)), x)


def test_copied_weights_float64():
    x = np.random.default_rng(0).standard_normal((5, 3))
    check_module(lambda lib: lib.nn.Linear(3, 4, dtype=lib.float64), x, same_init=False)


def test_a_different_model_is_caught():
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)

    def make(lib):
        model = lib.nn.Linear(3, 4)
        if lib.__name__ == "ember":
            model.bias.data.add_(1.0)
        return model

    with pytest.raises(AssertionError, match="initial bias"):
        check_module(make, x)
    with pytest.raises(AssertionError, match="output 0"):
        check_module(make, x, same_init=True, init_atol=10.0)
