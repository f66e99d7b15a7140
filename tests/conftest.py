"""Shared test setup: the oracle must be importable (no silent skips in CI), and
hypothesis draws the same examples on every run (a failure is reproducible, and CI does not
pass or fail by luck); HYPOTHESIS_PROFILE=explore draws new ones."""

import os
import sys

from hypothesis import settings

sys.path.insert(0, os.path.dirname(__file__))

import torch  # noqa: E402,F401  (a missing oracle must fail the run, not skip it)

settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
