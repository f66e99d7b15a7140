"""Run PyTorch code on ember: ``torch`` imports resolve to ember's modules.

``install()`` puts a finder on ``sys.meta_path`` that answers every ``torch`` and
``torch.<sub>`` import with the matching ``ember`` module (the same module object, so
``torch.nn.Linear is ember.nn.Linear``). A torch submodule ember lacks fails with an
ImportError that names it, instead of an AttributeError deep inside the script.
"""

import importlib
import importlib.abc
import importlib.util
import sys

__all__ = ["install", "uninstall"]


class _TorchAliasLoader(importlib.abc.Loader):
    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        pass


class _TorchAliasFinder(importlib.abc.MetaPathFinder):
    """Maps ``torch[.x.y]`` to ``ember[.x.y]``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        target_name = "ember" + fullname[len("torch"):]
        try:
            module = importlib.import_module(target_name)
        except ModuleNotFoundError as e:
            if e.name and (e.name == target_name or target_name.startswith(e.name + ".")):
                raise ModuleNotFoundError(f"ember does not implement {fullname} yet",
                                          name=fullname) from None
            raise
        return importlib.util.spec_from_loader(fullname, _TorchAliasLoader(module))


_finder = _TorchAliasFinder()


def install():
    """Make ``import torch`` (and every ``torch.*``) give ember, for this process."""
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        del sys.modules[name]


def uninstall():
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        del sys.modules[name]
