"""``Parameter``: a tensor that a ``Module`` registers as one of its weights."""

import numpy as np

from .._tensor import Tensor

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """A leaf tensor, ``requires_grad=True`` by default, that modules collect."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            return cls._from_array(np.empty(0, dtype=np.float32), requires_grad)
        if not isinstance(data, Tensor):
            # PyTorch detaches ``data`` first, so anything else fails there.
            raise AttributeError(f"'{type(data).__name__}' object has no attribute 'detach'")
        if requires_grad and data._data.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        self = cls._from_array(data._data, bool(requires_grad))
        # Shares memory (and the version counter) with ``data``, as PyTorch does.
        self._vc = data._vc
        return self

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self._data.copy(), self._requires_grad))

    def __deepcopy__(self, memo):
        out = Parameter(Tensor._from_array(self._data.copy()), self._requires_grad)
        memo[id(self)] = out
        return out


def _rebuild_parameter(data, requires_grad):
    return Parameter(Tensor._from_array(data), requires_grad)


class Buffer(Tensor):
    """Marks a tensor to be registered as a module buffer when assigned as an attribute."""

    def __new__(cls, data=None, *, persistent=True):
        array = np.empty(0, dtype=np.float32) if data is None else data._data
        self = cls._from_array(array)
        self.persistent = persistent
        return self

    def __init__(self, data=None, *, persistent=True):
        pass
