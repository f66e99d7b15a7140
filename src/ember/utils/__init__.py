"""``ember.utils``: ``data`` (datasets, samplers, ``DataLoader``), loaded on first use as
``torch.utils.data`` is reachable after ``import torch``; and ``safetensors``, an optional
bridge imported explicitly (``from ember.utils import safetensors``) because it needs the
``safetensors`` package."""

import importlib as _importlib


def __getattr__(name):
    if name == "data":
        return _importlib.import_module(".data", __name__)
    raise AttributeError(f"module 'ember.utils' has no attribute '{name}'")
