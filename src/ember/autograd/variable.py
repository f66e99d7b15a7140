"""``Variable``: the pre-0.4 wrapper, kept as PyTorch keeps it for old tutorials.

``Variable(t, requires_grad=True)`` returns a plain ``Tensor``: a new leaf sharing ``t``'s
memory, as PyTorch does; and every Tensor passes ``isinstance(x, Variable)``.
"""

import warnings

__all__ = ["Variable", "VariableMeta", "variable"]


class VariableMeta(type):
    """Makes ``isinstance(tensor, Variable)`` true for every Tensor, as in PyTorch."""

    def __instancecheck__(cls, other):
        from .._tensor import Tensor
        return isinstance(other, Tensor)


class Variable(metaclass=VariableMeta):
    """``Variable(data=None, requires_grad=False, volatile=False)``: a detached Tensor."""

    def __new__(cls, data=None, requires_grad=False, volatile=False, _grad_fn=None):
        from .._creation import empty
        from .._tensor import Tensor
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with "
                          "torch.no_grad():` instead.", UserWarning, stacklevel=2)
        if _grad_fn is not None:
            raise NotImplementedError("ember's Variable does not take _grad_fn")
        if data is None:
            return empty(0).requires_grad_(bool(requires_grad))
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got "
                            f"{type(data).__name__}")
        if requires_grad and data._data.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        return data.detach().requires_grad_(bool(requires_grad))


def variable(*args, **kwargs):
    """Removed in PyTorch, which keeps the name to say so."""
    raise RuntimeError("torch.autograd.variable(...) is deprecated, use torch.tensor(...) "
                       "instead")


variable.Variable = Variable
