"""ember.nn: modules, parameters, functional, init."""

from . import functional, init
from .module import Module
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from .parameter import Buffer, Parameter

__all__ = ["Module", "Parameter", "Buffer", "functional", "init"] + _modules_all
