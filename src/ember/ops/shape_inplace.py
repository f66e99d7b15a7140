"""In-place shape ops: ``t_``, ``transpose_`` (``swapaxes_``, ``swapdims_``), ``squeeze_``,
``unsqueeze_``. They change the tensor's own shape (it becomes a view of its old self,
still sharing memory with anything that shared it), bump its version, and, under
autograd, record the reshaping as the tensor's new history with PyTorch's in-place grad_fn
names (``UnsqueezeBackward1``, ``TBackward1``...).
"""

from ._dispatch import Op, _state, record
from ._views import refresh_views
from .inplace import _alias, check_inplace
from .shape import squeeze, t, transpose, unsqueeze


class TBackward1(Op):
    formula = "t_: transpose the gradient back"

    def backward(self, grad):
        return grad.t()


class TransposeBackward1(Op):
    formula = "transpose_: transpose the gradient back"

    def backward(self, grad):
        return grad.transpose(*self.ctx)


class UnsqueezeBackward1(Op):
    formula = "unsqueeze_: squeeze the gradient back"

    def backward(self, grad):
        return grad.squeeze(self.ctx)


class SqueezeBackward3(Op):
    formula = "squeeze_: reshape the gradient back"

    def backward(self, grad):
        return grad.reshape(self._input_meta[0][0])


class SqueezeBackward4(SqueezeBackward3):
    __slots__ = ()


class SqueezeBackward5(SqueezeBackward3):
    __slots__ = ()


def _reshaped(self, result, cls, ctx=None):
    """Give ``self`` the shape of ``result`` (a view of it) and record the change."""
    check_inplace(self)
    recording = _state.enabled and self._requires_grad
    old = _alias(self) if recording else None
    self._data = result._data
    self._vc[0] += 1
    if recording:
        record(cls, self, (old,), ctx)
        self._output_nr = 0
    refresh_views(self)
    return self


def t_(self):
    if self._data.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is "
                           f"{self._data.ndim}D")
    return _reshaped(self, t(self.detach()), TBackward1)


def transpose_(self, dim0, dim1):
    result = transpose(self.detach(), dim0, dim1)
    return _reshaped(self, result, TransposeBackward1, (dim0, dim1))


def unsqueeze_(self, dim):
    result = unsqueeze(self.detach(), dim)
    return _reshaped(self, result, UnsqueezeBackward1, dim % result._data.ndim)


def squeeze_(self, dim=None):
    result = squeeze(self.detach(), dim)
    cls = SqueezeBackward3 if dim is None else (
        SqueezeBackward5 if isinstance(dim, (tuple, list)) else SqueezeBackward4)
    return _reshaped(self, result, cls)


__all__ = []
METHODS = {"t_": t_, "transpose_": transpose_, "swapaxes_": transpose_,
           "swapdims_": transpose_, "unsqueeze_": unsqueeze_, "squeeze_": squeeze_}
