"""Run PyTorch code on ember: ``torch`` imports resolve to ember's modules.

``install()`` puts a finder on ``sys.meta_path`` that answers every ``torch`` and
``torch.<sub>`` import with the matching ``ember`` module (the same module object, so
``torch.nn.Linear is ember.nn.Linear``). A torch submodule ember lacks fails with a
ModuleNotFoundError that names it ("ember does not implement torch.fft yet"), instead of an
AttributeError deep inside the script, whether it is imported as ``import torch.fft`` or
``from torch import fft``.
"""

import importlib
import importlib.abc
import importlib.machinery
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


def _not_implemented(torch_name):
    # ``name`` is the torch name: ``from torch import fft`` imports ``ember.fft`` (the
    # aliased module's own name), and Python would silently drop an error named that.
    return ModuleNotFoundError(f"ember does not implement {torch_name} yet", name=torch_name)


class _TorchAliasFinder(importlib.abc.MetaPathFinder):
    """Maps ``torch[.x.y]`` to ``ember[.x.y]``, and names the torch module ember lacks."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.startswith("ember."):
            if importlib.machinery.PathFinder.find_spec(fullname, path) is None:
                raise _not_implemented("torch" + fullname[len("ember"):])
            return None
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        target_name = "ember" + fullname[len("torch"):]
        try:
            module = importlib.import_module(target_name)
        except ModuleNotFoundError as e:
            if e.name and (e.name == target_name or target_name.startswith(e.name + ".")):
                raise _not_implemented(fullname) from None
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
