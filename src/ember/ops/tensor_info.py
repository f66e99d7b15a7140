"""Tensor methods that make new tensors "like this one" (``new_tensor``, ``new_zeros``,
``new_ones``, ``new_full``, ``new_empty``), the complex-number views of real tensors
(``real``, ``imag``, ``conj``), and small queries (``nbytes``, ``itemsize``,
``storage_offset``, ``is_signed``, ``get_device``, ``is_nonzero``, ``is_same_size``...).

The ``new_*`` methods take this tensor's dtype unless ``dtype=`` says otherwise, as in
PyTorch (``new_tensor`` included: it does not infer a dtype from its data).
"""

import numpy as np

from .. import _creation
from .._tensor import Tensor
from ._views import make_view


def _like(self, dtype):
    return self.dtype if dtype is None else dtype


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
    """A new tensor holding a copy of ``data``, with this tensor's dtype by default."""
    if isinstance(data, Tensor):
        data = data.detach()._data.copy()
    return _creation.tensor(data, dtype=_like(self, dtype), requires_grad=requires_grad)


def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    return _creation.zeros(*size, dtype=_like(self, dtype), requires_grad=requires_grad)


def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    return _creation.ones(*size, dtype=_like(self, dtype), requires_grad=requires_grad)


def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    return _creation.empty(*size, dtype=_like(self, dtype), requires_grad=requires_grad)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False):
    return _creation.full(size, fill_value, dtype=_like(self, dtype),
                          requires_grad=requires_grad)


# -- complex views ---------------------------------------------------------------------------
def _real(self):
    """The real part: the tensor itself for real dtypes, a view for complex ones."""
    if not self.dtype.is_complex:
        return self
    return make_view(self, self._data.real)


def _imag(self):
    if not self.dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return make_view(self, self._data.imag)


def real(input):
    return _real(input)


def imag(input):
    return _imag(input)


def conj(input):
    """The complex conjugate; a real tensor is its own conjugate (the same object)."""
    if not input.dtype.is_complex:
        return input
    return input.__class__._from_array(np.conj(input._data))


def resolve_conj(input):
    return input


def resolve_neg(input):
    return input


def is_conj(input):
    return False


def is_neg(input):
    return False


# -- queries ---------------------------------------------------------------------------------
def storage_offset(self):
    """Elements between the start of the storage and this tensor's first element."""
    base = self._base if self._base is not None else self
    start = base._data.__array_interface__["data"][0]
    here = self._data.__array_interface__["data"][0]
    return (here - start) // max(self._data.itemsize, 1)


def is_signed(self):
    return self.dtype.is_signed


def get_device(self):
    """-1: every ember tensor lives on the CPU."""
    return -1


def is_inference(self):
    return False


def is_nonzero(self):
    if self._data.size == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if self._data.size > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(self._data.reshape(-1)[0])


def is_same_size(self, other):
    return self._data.shape == other._data.shape


def cuda(self, device=None, non_blocking=False, memory_format=None):
    raise AssertionError("Torch not compiled with CUDA enabled")


__all__ = ["real", "imag", "conj", "resolve_conj", "resolve_neg", "is_conj", "is_neg",
           "is_nonzero", "is_same_size"]
FUNCTION_ONLY = ["real", "imag"]   # on Tensor they are properties, below
METHODS = {
    "new_tensor": new_tensor, "new_zeros": new_zeros, "new_ones": new_ones,
    "new_empty": new_empty, "new_full": new_full, "real": property(_real),
    "imag": property(_imag), "storage_offset": storage_offset, "is_signed": is_signed,
    "get_device": get_device, "is_inference": is_inference, "cuda": cuda,
    "nbytes": property(lambda self: self._data.nbytes),
    "itemsize": property(lambda self: self._data.itemsize),
}
