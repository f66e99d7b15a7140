"""In-place ops (``add_``, ``x += y``, ``zero_``, ``x[i] = v``...): write into the tensor's
own memory, bump its version counter, and rebase its autograd history.

Each in-place op runs its out-of-place twin and copies the result back, so there is one
derivative per op. When the graph is being recorded, the twin runs on a snapshot of the
tensor's old value and history: the new node then saves the old value, exactly what a
derivative of ``x.mul_(w)`` with respect to ``w`` needs, and ``x`` becomes that node's
output (PyTorch's "rebase history").
"""

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._dispatch import Op, _state, record, wrap

LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_MESSAGE = ("a view of a leaf Variable that requires grad is being used in an "
                        "in-place operation.")


def check_inplace(tensor):
    """PyTorch's refusal to overwrite a leaf (or a view of one) that requires grad."""
    if not _state.enabled:
        return
    if tensor._requires_grad and tensor._grad_fn is None:
        raise RuntimeError(LEAF_MESSAGE)
    base = tensor._base
    if base is not None and base._requires_grad and base._grad_fn is None:
        raise RuntimeError(VIEW_OF_LEAF_MESSAGE)


def _refuse_view_of_graph(tensor):
    base = tensor._base
    if base is not None and base._requires_grad:
        raise NotImplementedError(
            "ember does not yet support in-place writes into a view of a tensor that is part "
            "of the autograd graph (PyTorch's CopySlices); write into the base tensor, or "
            "build the result out of place")


def _snapshot(tensor):
    """A copy of ``tensor``'s value that keeps its place in the graph."""
    snap = Tensor._from_array(tensor._data.copy(), tensor._requires_grad)
    snap._grad_fn = tensor._grad_fn
    snap._output_nr = tensor._output_nr
    if tensor._grad_fn is None and tensor._requires_grad:
        snap._accumulator = tensor._get_accumulator()
    return snap


def write_result(tensor, result):
    """Copy an op's result into ``tensor`` in place and take over its history."""
    data = tensor._data
    rdata = result._data
    if rdata.shape != data.shape:
        raise RuntimeError(
            f"output with shape [{', '.join(map(str, data.shape))}] doesn't match the "
            f"broadcast shape [{', '.join(map(str, rdata.shape))}]")
    if rdata.dtype != data.dtype and not _dtype.can_cast(result.dtype, tensor.dtype):
        raise RuntimeError(f"result type {result.dtype.name.capitalize()} can't be cast to the "
                           f"desired output type {tensor.dtype.name.capitalize()}")
    if not data.flags.writeable:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the "
            "operation.")
    np.copyto(data, rdata, casting="unsafe")
    tensor._vc[0] += 1
    if result._grad_fn is not None:
        tensor._grad_fn = result._grad_fn
        tensor._output_nr = result._output_nr
        tensor._requires_grad = True
    return tensor


def _any_requires_grad(args):
    return any(isinstance(a, Tensor) and a._requires_grad for a in args)


def make_inplace(function, name):
    """``name`` (e.g. ``add_``): ``function`` applied to the tensor, written back into it."""
    def op_(self, *args, **kwargs):
        check_inplace(self)
        source = self
        if _state.enabled and (self._requires_grad or _any_requires_grad(args)):
            _refuse_view_of_graph(self)
            source = _snapshot(self)
        return write_result(self, function(source, *args, **kwargs))

    op_.__name__ = op_.__qualname__ = name
    return op_


def zero_(self):
    check_inplace(self)
    self._data[...] = 0
    self._vc[0] += 1
    return self


def fill_(self, value):
    check_inplace(self)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        value = value._data
    self._data[...] = value
    self._vc[0] += 1
    return self


class CopySlices(Op):
    """``x[key] = value`` on a tensor in the graph: the overwritten part gets no gradient."""
    formula = "d(x with x[k] := v)/dx = 1 outside k, d/dv = 1 at k"

    def name(self):
        return "torch::autograd::CopySlices"

    def backward(self, grad):
        key, value_shape = self.ctx
        grad_self = grad.clone()
        grad_self._data[key] = 0
        grad_value = None
        if self.next_functions[1][0] is not None:
            grad_value = _sum_to_shape(grad[key], value_shape)
        return grad_self, grad_value


def _sum_to_shape(grad, shape):
    if grad.shape == tuple(shape):
        return grad
    return grad.sum_to_size(shape) if len(shape) else grad.sum()


def _numpy_key(key):
    from .indexing import _normalize_key, _to_numpy_index
    return tuple(_to_numpy_index(k) for k in _normalize_key(key))


def setitem(self, key, value):
    # `x[k] = v` writes through a view of x, so a leaf gets the view-of-leaf message.
    if _state.enabled and self._requires_grad and self._grad_fn is None:
        raise RuntimeError(VIEW_OF_LEAF_MESSAGE)
    check_inplace(self)
    np_key = _numpy_key(key)
    value_t = value if isinstance(value, Tensor) else None
    recording = _state.enabled and (self._requires_grad or (value_t is not None
                                                            and value_t._requires_grad))
    if recording:
        _refuse_view_of_graph(self)
        snap = _snapshot(self)
    source = value._data if value_t is not None else value
    try:
        self._data[np_key] = source
    except ValueError as e:
        raise RuntimeError(str(e)) from None
    self._vc[0] += 1
    if recording:
        out = wrap(self._data)
        node = record(CopySlices, out, (snap, value_t),
                      (np_key, value_t._data.shape if value_t is not None else ()))
        self._grad_fn = node
        self._output_nr = 0
        self._requires_grad = True


def copy_(self, src, non_blocking=False):
    check_inplace(self)
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' must be Tensor, not {type(src).__name__}")
    try:
        np.copyto(self._data, np.broadcast_to(src._data, self._data.shape), casting="unsafe")
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({self._data.shape[-1]}) must match the size "
                           f"of tensor b ({src._data.shape[-1]})") from None
    self._vc[0] += 1
    if _state.enabled and src._requires_grad:
        _refuse_view_of_graph(self)
        out = wrap(self._data)
        record(CopyBackwards, out, (None, src))
        self._grad_fn = out._grad_fn
        self._requires_grad = True
    return self


class CopyBackwards(Op):
    formula = "copy_: the gradient passes to the source"

    def backward(self, grad):
        return None, grad


__all__ = []
METHODS = {"zero_": zero_, "fill_": fill_, "copy_": copy_}
