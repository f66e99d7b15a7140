"""Shared test setup: the oracle must be importable (no silent skips in CI)."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import torch  # noqa: E402,F401  (a missing oracle must fail the run, not skip it)
