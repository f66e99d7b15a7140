"""ember.nn: modules, parameters, functional, init."""

from . import functional, init, utils
from .module import Module
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter

__all__ = ["Module", "Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer",
           "functional", "init", "utils"] + _modules_all


def __getattr__(name):
    # ``nn.parallel`` (DistributedDataParallel) loads on first use, as ``torch.nn.parallel``
    # is reachable after ``import torch``.
    if name == "parallel":
        import importlib
        return importlib.import_module(".parallel", __name__)
    raise AttributeError(f"module 'ember.nn' has no attribute '{name}'")
