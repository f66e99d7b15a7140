"""``Parameter``: a tensor that a ``Module`` registers as one of its weights; ``Buffer``; and
the placeholders of lazy modules, ``UninitializedParameter`` and ``UninitializedBuffer``,
which hold no data until ``materialize(shape)`` turns them into a ``Parameter`` / ``Tensor``.
"""

import numpy as np

from .. import _dtype
from .._tensor import Tensor

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer", "is_lazy"]


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
        """Set up in ``__new__``; this only accepts the same arguments."""

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
        """Set up in ``__new__``; this only accepts the same arguments."""


class UninitializedTensorMixin:
    """What the two placeholders share: no shape until ``materialize``, PyTorch's repr."""

    def materialize(self, shape, device=None, dtype=None):
        """Become a ``cls_to_become`` of ``shape`` (uninitialised memory), as in PyTorch."""
        np_dtype = self._data.dtype if dtype is None else dtype.np
        self._data = np.empty(shape, dtype=np_dtype)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error "
            "usually happens in `load_state_dict` when trying to load an uninitialized "
            "parameter into an initialized one. Call `forward` to initialize the parameters "
            "before accessing their attributes.")

    def __repr__(self):
        return f"<{type(self).__name__}>"

    # Conversions keep the placeholder (``module.double()`` before the first forward).
    def to(self, *args, **kwargs):
        out = Tensor.to(self, *args, **kwargs)
        return self if out is self else type(self)._from_array(out._data, out._requires_grad)

    def detach(self):
        return type(self)._from_array(self._data)

    def __reduce_ex__(self, protocol):
        return (type(self), (self._requires_grad,))

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self._requires_grad, None, _dtype._BY_NUMPY[
                self._data.dtype])
        return memo[id(self)]


def is_lazy(param):
    """Whether ``param`` is an ``UninitializedParameter`` or ``UninitializedBuffer``."""
    return isinstance(param, UninitializedTensorMixin)


def _placeholder(cls, requires_grad, dtype):
    from .._creation import empty
    return cls._from_array(empty(0, dtype=dtype)._data, requires_grad)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A ``Parameter`` whose shape is not known yet (lazy modules)."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        return _placeholder(cls, requires_grad, dtype)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        """Set up in ``__new__``; this only accepts the same arguments."""


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is not known yet (lazy modules)."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        return _placeholder(cls, requires_grad, dtype)

    def __init__(self, requires_grad=False, device=None, dtype=None):
        """Set up in ``__new__``; this only accepts the same arguments."""
