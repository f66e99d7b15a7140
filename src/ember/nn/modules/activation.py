"""Activation modules: each applies its ``nn.functional`` counterpart."""

from .. import functional as F
from ..module import Module

__all__ = ["ReLU", "Sigmoid", "Tanh"]


class _Activation(Module):
    function = None

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return type(self).function(input)


class ReLU(_Activation):
    function = staticmethod(F.relu)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Sigmoid(_Activation):
    function = staticmethod(F.sigmoid)


class Tanh(_Activation):
    function = staticmethod(F.tanh)
