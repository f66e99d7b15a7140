"""Padding layers: ``ZeroPad``, ``ConstantPad``, ``ReflectionPad``, ``ReplicationPad`` and
``CircularPad``, each in 1d, 2d and 3d; every one is ``F.pad`` with a fixed mode, and its
``padding`` is the (left, right, ...) tuple ``F.pad`` takes, last dim first."""

from .. import functional as F
from ..module import Module
from .utils import _ntuple, _pair, _quadruple

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]

_sextuple = _ntuple(6, "_sextuple")


class _PadNd(Module):
    mode = "constant"

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, value):
        super().__init__()
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _pair(padding)


class ConstantPad2d(_ConstantPadNd):
    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _quadruple(padding)


class ConstantPad3d(_ConstantPadNd):
    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _sextuple(padding)


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class _ReflectionPadNd(_PadNd):
    mode = "reflect"


class _ReplicationPadNd(_PadNd):
    mode = "replicate"


class _CircularPadNd(_PadNd):
    mode = "circular"
    _rank = 1

    def forward(self, input):
        if input.dim() not in (self._rank + 1, self._rank + 2):
            raise ValueError(f"expected {self._rank + 1}D or {self._rank + 2}D input (got "
                             f"{input.dim()}D input)")
        return F.pad(input, self.padding, "circular")


def _padding_init(expand):
    def __init__(self, padding):
        Module.__init__(self)
        self.padding = expand(padding)
    return __init__


class ReflectionPad1d(_ReflectionPadNd):
    __init__ = _padding_init(_pair)


class ReflectionPad2d(_ReflectionPadNd):
    __init__ = _padding_init(_quadruple)


class ReflectionPad3d(_ReflectionPadNd):
    __init__ = _padding_init(_sextuple)


class ReplicationPad1d(_ReplicationPadNd):
    __init__ = _padding_init(_pair)


class ReplicationPad2d(_ReplicationPadNd):
    __init__ = _padding_init(_quadruple)


class ReplicationPad3d(_ReplicationPadNd):
    __init__ = _padding_init(_sextuple)


class CircularPad1d(_CircularPadNd):
    __init__ = _padding_init(_pair)


class CircularPad2d(_CircularPadNd):
    _rank = 2
    __init__ = _padding_init(_quadruple)


class CircularPad3d(_CircularPadNd):
    _rank = 3
    __init__ = _padding_init(_sextuple)
