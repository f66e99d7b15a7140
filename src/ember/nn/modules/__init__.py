"""Layers, activations and losses built on ``Module``, one family per module, as in
``torch.nn.modules`` (containers and ``Module`` itself live in ``ember.nn``)."""

from ..containers import ModuleDict, ModuleList, Sequential
from . import activation, linear, loss
from .activation import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403

__all__ = ["Sequential", "ModuleList", "ModuleDict"]
for _family in (activation, linear, loss):
    __all__ += _family.__all__
del _family
