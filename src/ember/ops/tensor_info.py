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
from ._dispatch import Op, _state, record, wrap


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
    return _part(self, 0)


def _imag(self):
    if not self.dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _part(self, 1)


def _part(input, index):
    """``view_as_real(input).select(-1, index)``: PyTorch's own construction, so the view
    and its graph (``SelectBackward0`` over ``ViewAsRealBackward0``) are the same."""
    from .._creation_extras import view_as_real  # above ops in the layers
    return view_as_real(input).select(-1, index)


def real(input):
    return _real(input)


def imag(input):
    return _imag(input)


class ConjBackward0(Op):
    formula = "d(conj(x))/dx: the gradient conjugated"

    def backward(self, grad):
        return conj(grad)


def H(input):
    """``Tensor.H``: the conjugate transpose of a matrix (a 0-d tensor: its conjugate)."""
    return _conjugate_transpose(input, "H", 2)


def mH(input):
    """``Tensor.mH``: the conjugate transpose of the last two dimensions."""
    return _conjugate_transpose(input, "mH", None)


def _conjugate_transpose(input, name, only_rank):
    ndim = input._data.ndim
    if ndim == 0:
        import warnings
        warnings.warn(f"Tensor.{name} is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=3)
        return conj(input)
    if only_rank is not None and ndim != only_rank:
        hint = " For batches of matrices, consider using tensor.mH" if ndim > 2 else ""
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                           f"{ndim}-D tensor.{hint}")
    if ndim == 1:
        raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of "
                           f"matrices. Got 1-D tensor.")
    from .shape import transpose
    return conj(transpose(input, -2, -1))


def conj(input):
    """The complex conjugate; a real tensor is its own conjugate (the same object).

    PyTorch's conj is a lazy view with a conjugate bit; ember computes the values (the
    same numbers, gradient and grad_fn; ``is_conj()`` stays False)."""
    if not input.dtype.is_complex:
        return input
    out = wrap(np.conj(input._data))
    if _state.enabled and input._requires_grad:
        record(ConjBackward0, out, (input,))
    return out


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
