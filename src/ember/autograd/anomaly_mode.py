"""Anomaly detection: ``detect_anomaly`` and ``set_detect_anomaly``, as in PyTorch.

While it is on:
- each graph node made in forward remembers the Python stack that made it (ember's own
  frames left out, so the trace ends at the user's line, as PyTorch's does);
- the engine runs each node through ``run_node``: if the node's derivative raises, a
  UserWarning "Error detected in XBackward0. Traceback of forward call that caused the
  error: ..." shows where that node was made; with ``check_nan`` (the default), a
  derivative that returns NaN raises "Function 'XBackward0' returned nan values in its 0th
  output." naming the node and the position of the bad gradient.

The mode is global (not per thread), as PyTorch's is.
"""

import os
import traceback
import warnings

import numpy as np

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]


class _AnomalyState:
    __slots__ = ("enabled", "check_nan")

    def __init__(self):
        self.enabled = False
        self.check_nan = True


state = _AnomalyState()

_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def is_anomaly_enabled():
    return state.enabled


def is_anomaly_check_nan_enabled():
    return state.check_nan


def set_anomaly_enabled(enabled, check_nan=True):
    state.enabled = bool(enabled)
    state.check_nan = bool(check_nan)


class detect_anomaly:
    """Context manager that turns anomaly detection on inside its block."""

    def __init__(self, check_nan=True):
        self.prev = state.enabled
        self.check_nan = check_nan
        self.prev_check_nan = state.check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *args):
        set_anomaly_enabled(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    """Turn anomaly detection on or off now; as a context manager, restore it on exit."""

    def __init__(self, mode, check_nan=True):
        self.prev = state.enabled
        self.prev_check_nan = state.check_nan
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *args):
        set_anomaly_enabled(self.prev, self.prev_check_nan)


def record_trace(node):
    """Remember where ``node`` was made (the user's frames only), if the mode is on."""
    if state.enabled:
        frames = [f for f in traceback.extract_stack()[:-1]
                  if not os.path.abspath(f.filename).startswith(_EMBER_DIR)]
        node._anomaly_trace = traceback.format_list(frames)


def run_node(node, grads, call_multi):
    """Run ``node``'s derivative as the engine does, with the anomaly checks."""
    try:
        if node._num_outputs == 1:
            grad_inputs = node.backward(grads[0])
        else:
            grad_inputs = call_multi(node, grads)
        if state.check_nan:
            values = grad_inputs if isinstance(grad_inputs, (tuple, list)) else (grad_inputs,)
            for i, grad in enumerate(values):
                if (grad is not None and grad._data.dtype.kind in "fc"
                        and np.isnan(grad._data).any()):
                    raise RuntimeError(
                        f"Function '{node.name()}' returned nan values in its {i}th output.")
    except Exception:
        _warn_forward_trace(node)
        raise
    return grad_inputs


def _warn_forward_trace(node):
    trace = node.__dict__.get("_anomaly_trace")
    if trace is None:
        warnings.warn(f"Error detected in {node.name()}. No forward pass information "
                      "available. Enable detect anomaly during forward pass for more "
                      "information.", stacklevel=4)
        return
    warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused "
                  "the error:\n" + "".join(trace), stacklevel=4)
