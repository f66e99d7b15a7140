"""In-place ops (``add_``, ``x += y``, ``zero_``, ``copy_``, ``x[i] = v``...): write into the
tensor's own memory, bump its version counter, and rebase its autograd history.

Each in-place op runs its out-of-place twin and copies the result back, so there is one
derivative per op. When the graph is being recorded, the twin runs on an alias of the
tensor that keeps its old history (and, if the op saves its input, its old value): the
new node's derivative then sees what ``x.mul_(w)`` needs, and ``x`` becomes that node's
output (PyTorch's "rebase history"). A write into a view also rebuilds its base's history
(``CopySlices``) and every other view's, see ``_views``.

``x[key] = value`` is PyTorch's: the basic part of the key (ints, slices, None, ...)
makes a view, then ``copy_``/``fill_`` (or ``index_put_`` for tensor indices) writes it.
"""

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._dispatch import Op, _state, broadcast_error, record, wrap
from ._index_key import parse_key
from ._views import creation_error, rebase_history, refresh_views
from .index_writes import checked_scalar, put_at_key
from .indexing import apply_basic

LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_MESSAGE = ("a view of a leaf Variable that requires grad is being used in an "
                        "in-place operation.")
OVERLAP_MESSAGE = ("unsupported operation: more than one element of the written-to tensor "
                   "refers to a single memory location. Please clone() the tensor before "
                   "performing the operation.")
PARTIAL_OVERLAP_MESSAGE = ("unsupported operation: some elements of the input tensor and the "
                           "written-to tensor refer to a single memory location. Please clone() "
                           "the tensor before performing the operation.")
# In-place ops whose tensor arguments PyTorch does not check for overlap with the output.
_UNCHECKED_ARGUMENTS = {"masked_fill_", "index_fill_", "masked_scatter_"}


def check_inplace(tensor):
    """PyTorch's refusal to overwrite a leaf (or a view of one) that requires grad."""
    if not _state.enabled:
        return
    base = tensor._base
    if base is not None and base._requires_grad and base._grad_fn is None:
        raise RuntimeError(VIEW_OF_LEAF_MESSAGE)
    if tensor._requires_grad and tensor._grad_fn is None:
        raise RuntimeError(LEAF_MESSAGE)


def _recording(tensor, args):
    """Whether an in-place op on ``tensor`` with ``args`` must be recorded."""
    if not _state.enabled:
        return False
    if tensor._requires_grad:
        return True
    base = tensor._base
    if base is not None and base._requires_grad:
        return True
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    return False


def check_writable(data):
    """PyTorch refuses to write where two elements share memory (an expanded tensor)."""
    if not data.size:
        # NumPy gives empty ufunc results zero strides; nothing is written there anyway.
        return
    for n, s in zip(data.shape, data.strides):
        if s == 0 and n > 1:
            raise RuntimeError(OVERLAP_MESSAGE)


def _dense(data):
    """Whether ``data`` covers its memory exactly, in some order (PyTorch's
    non-overlapping-and-dense)."""
    expected = data.itemsize
    for stride, size in sorted((s, n) for n, s in zip(data.shape, data.strides) if n > 1):
        if stride != expected:
            return False
        expected *= size
    return True


def check_overlap(data, other):
    """PyTorch's refusal to read from memory that partly overlaps the written tensor."""
    if data is other or not data.size or not other.size or \
            not np.may_share_memory(data, other):
        return
    if not (_dense(data) and _dense(other)):
        return  # PyTorch does not try to decide these ("too hard")
    start = data.__array_interface__["data"][0]
    other_start = other.__array_interface__["data"][0]
    if start == other_start and data.nbytes == other.nbytes and data.strides == other.strides:
        return
    if start < other_start + other.nbytes and other_start < start + data.nbytes:
        raise RuntimeError(PARTIAL_OVERLAP_MESSAGE)


def _write(tensor, result):
    """Copy an op's result into ``tensor`` in place (with PyTorch's checks) and bump it."""
    data = tensor._data
    rdata = result._data
    if rdata.shape != data.shape:
        raise RuntimeError(
            f"output with shape [{', '.join(map(str, data.shape))}] doesn't match the "
            f"broadcast shape [{', '.join(map(str, rdata.shape))}]")
    if rdata.dtype != data.dtype and not _dtype.can_cast(result.dtype, tensor.dtype):
        raise RuntimeError(f"result type {result.dtype._legacy_name[:-6]} can't be cast to the "
                           f"desired output type {tensor.dtype._legacy_name[:-6]}")
    check_writable(data)
    if rdata is not data:
        np.copyto(data, rdata, casting="unsafe")
    tensor._vc[0] += 1


def _alias(tensor):
    """A new tensor object over the same array that keeps ``tensor``'s place in the graph."""
    alias = Tensor._from_array(tensor._data, tensor._requires_grad)
    alias._grad_fn = tensor._grad_fn
    alias._output_nr = tensor._output_nr
    if tensor._grad_fn is None and tensor._requires_grad:
        alias._accumulator = tensor._get_accumulator()
    return alias


def run_recorded(tensor, function, args, kwargs):
    """Run ``function(tensor, *args)`` out of place, write it back, and rebase history."""
    check_inplace(tensor)
    if tensor._base is not None:
        error = creation_error(tensor)
        if error:
            raise error
    source = _alias(tensor)
    result = function(source, *args, **kwargs)
    if result is source:
        return tensor  # nothing changed (the op returned its input)
    fn = result._grad_fn
    saves = type(fn).saves if fn is not None else ()
    if fn is not None and (0 in saves or _holds(fn.ctx, source)):
        # The node saved the tensor it was given: keep the old value there, not the new.
        source._data = source._data.copy()
    _write(tensor, result)
    if fn is None:
        return tensor
    if "result" in saves:
        # What was saved is the tensor itself now, so a later write to it is detected.
        fn._saved[saves.index("result")] = (tensor._data, tensor._vc, tensor._vc[0],
                                            tensor.dtype)
    rebase_history(tensor, fn)
    return tensor


def _holds(ctx, tensor):
    """Whether a node's ``ctx`` keeps ``tensor`` (then it needs the old value too)."""
    return ctx is tensor or isinstance(ctx, tuple) and any(c is tensor for c in ctx)


def make_inplace(function, name):
    """``name`` (e.g. ``add_``): ``function`` applied to the tensor, written back into it."""
    checked = name not in _UNCHECKED_ARGUMENTS

    def op_(self, *args, **kwargs):
        operands = args + tuple(kwargs.values()) if kwargs else args
        if checked:
            for a in operands:
                if type(a) is Tensor or isinstance(a, Tensor):
                    check_overlap(self._data, a._data)
        if _recording(self, operands):
            return run_recorded(self, function, args, kwargs)
        _write(self, function(self, *args, **kwargs))
        refresh_views(self)
        return self

    op_.__name__ = op_.__qualname__ = name
    return op_


# -- zero_, fill_, copy_ ------------------------------------------------------------------
class ZeroBackward0(Op):
    formula = "d(zero_(x))/dx = 0"

    def backward(self, grad):
        return _zeros(grad)


class FillBackward2(Op):
    formula = "d(fill_(x, c))/dx = 0"

    def backward(self, grad):
        return _zeros(grad)


class FillBackward3(Op):
    formula = "d(fill_(x, v))/dx = 0, d/dv = sum(grad)"

    def backward(self, grad):
        return _zeros(grad), grad.sum()


class CopyBackwards(Op):
    formula = "d(x.copy_(src))/dx = 0, d/dsrc = grad (summed to src's shape)"

    def name(self):
        return "torch::autograd::CopyBackwards"

    def backward(self, grad):
        return _zeros(grad), grad


def _zeros(grad):
    return wrap(np.zeros_like(grad._data))


def _zeroed(input):
    out = wrap(np.zeros_like(input._data))
    if _state.enabled and input._requires_grad:
        record(ZeroBackward0, out, (input,))
    return out


def zero_(self):
    if _recording(self, ()):
        return run_recorded(self, _zeroed, (), {})
    check_writable(self._data)
    self._data[...] = 0
    self._vc[0] += 1
    refresh_views(self)
    return self


def _filled(input, value):
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        out = wrap(np.full_like(input._data, value._data))
        if _state.enabled and (input._requires_grad or value._requires_grad):
            record(FillBackward3, out, (input, value))
        return out
    out = wrap(np.full_like(input._data, checked_scalar(value, input._data.dtype)))
    if _state.enabled and input._requires_grad:
        record(FillBackward2, out, (input,))
    return out


def fill_(self, value):
    if _recording(self, (value,)):
        return run_recorded(self, _filled, (value,), {})
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        value = value._data
    else:
        value = checked_scalar(value, self._data.dtype)
    check_writable(self._data)
    self._data[...] = value
    self._vc[0] += 1
    refresh_views(self)
    return self


def _check_copy(data, src):
    if src.shape == data.shape:
        return
    try:
        shape = np.broadcast_shapes(src.shape, data.shape)
    except ValueError:
        raise broadcast_error(data.shape, src.shape) from None
    if shape != data.shape:
        raise RuntimeError(f"output with shape [{', '.join(map(str, data.shape))}] doesn't "
                           f"match the broadcast shape [{', '.join(map(str, shape))}]")


def _copied(input, src):
    data = input._data
    _check_copy(data, src._data)
    out = wrap(np.broadcast_to(src._data, data.shape).astype(data.dtype))
    if _state.enabled and (input._requires_grad or src._requires_grad):
        record(CopyBackwards, out, (input, src))
    return out


def copy_(self, src, non_blocking=False):
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
    check_overlap(self._data, src._data)
    if _recording(self, (src,)):
        return run_recorded(self, _copied, (src,), {})
    data = self._data
    _check_copy(data, src._data)
    check_writable(data)
    np.copyto(data, src._data, casting="unsafe")
    self._vc[0] += 1
    refresh_views(self)
    return self


# -- x[key] = value -----------------------------------------------------------------------
_index_put_at = make_inplace(put_at_key, "index_put_")


def setitem(self, key, value):
    scalar = False
    if isinstance(value, Tensor):
        # Leading size-1 dimensions of the value are dropped (PyTorch's slicePrefix1sSize).
        shape = value._data.shape
        lead = 0
        while lead < len(shape) and shape[lead] == 1:
            lead += 1
        if lead:
            value = value.view(shape[lead:])
    elif isinstance(value, (bool, int, float, complex, np.generic)):
        value = wrap(checked_scalar(value, self._data.dtype))
        scalar = True
    else:
        kind = type(value)
        kind = kind.__name__ if kind.__module__ == "builtins" else \
            f"{kind.__module__}.{kind.__name__}"
        raise TypeError(f"can't assign a {kind} to a torch.{self.dtype._legacy_name}")
    steps, indices = parse_key(self, key)
    target = apply_basic(self, steps, setitem=True)
    if indices is not None:
        _index_put_at(target, indices, value)
    elif scalar:
        target.fill_(value)
    else:
        if value._data.shape != target._data.shape:
            value = value.expand(target._data.shape)
        target.copy_(value)


__all__ = []
METHODS = {"zero_": zero_, "fill_": fill_, "copy_": copy_}
