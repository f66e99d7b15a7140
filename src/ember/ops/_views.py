"""Views, and how autograd follows an in-place write into one (PyTorch's CopySlices).

A view (``make_view``) shares its input's array and version counter and records its root
``_base``. The root keeps weak references to its live views, so that when the root or any
view of it is overwritten in place while autograd records, every history can be rebuilt:

- written through a view: the root's history becomes a ``CopySlices`` node. Its gradient
  passes through unchanged except on the view's region, where the in-place op's own
  derivative (the node ``fn`` it recorded) is applied to that slice of the gradient;
- every live view's history becomes ``AsStridedBackward0`` over the root: the gradient is
  placed at the view's positions inside a zero gradient of the root's shape.

PyTorch rebuilds a view's history lazily when it is next used; ember does it at the
write (``refresh_views`` for writes autograd does not record), which gives the same graph,
except after a write through a ``detach()``ed alias, which does not know the base's views
(only the grad_fn's name differs then, ``SliceBackward0`` where PyTorch says
``AsStridedBackward0``; the gradient is the same). A view's positions in its root are read
off the two arrays' memory layouts (PyTorch's as_strided geometry), so no view op has to
record how it was made. Views made in no_grad mode, or as one of several outputs
(``unbind``, ``split``), carry a creation mark: writing into them with autograd on is
PyTorch's error.
"""

import math
from weakref import ref

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._tensor import Tensor
from ..autograd.graph import _sequence
from ._dispatch import Op, _state, edge, record, wrap

NO_GRAD_MODE = "no_grad"
MULTI_OUTPUT = "multi_output"
_new = object.__new__
_NDARRAY = np.ndarray


def make_view(base, data):
    """A tensor over ``data``, a NumPy view of ``base``'s array."""
    # ``wrap`` written out: the view takes its base's version counter, not a new one.
    if type(data) is not _NDARRAY:
        data = np.asarray(data)
    out = _new(Tensor)
    out._data = data
    out._requires_grad = False
    out._grad_fn = None
    out._vc = base._vc
    root = base._base
    if root is None:
        root = base
    out._base = root
    meta = base.__dict__.get("_creation_meta") if root is not base else None
    if not _state.enabled:
        meta = NO_GRAD_MODE
    if meta is not None:
        out._creation_meta = meta
    views = root.__dict__.get("_views")
    if views is None:
        root._views = [ref(out)]
    else:
        views.append(ref(out))
        n = len(views)
        # Drop dead references whenever the list doubles: amortised O(1) per view.
        if n >= 16 and not n & (n - 1):
            views[:] = [r for r in views if r() is not None]
    return out


def mark_multi_output(views):
    """``unbind``/``split`` outputs: PyTorch forbids writing into them under autograd."""
    for view in views:
        view._creation_meta = MULTI_OUTPUT


def creation_error(tensor, indirect=False):
    """PyTorch's refusal to write into a view made in no_grad mode or by a multi-output op."""
    meta = tensor.__dict__.get("_creation_meta")
    if meta is None:
        return None
    modified = "its base or another view of its base has been" if indirect else "is being"
    node = tensor._grad_fn
    if node is not None:
        name = node.name()
        name = name[:name.rfind("Backward")] if "Backward" in name else name
        message = (f"Output {tensor._output_nr} of {name} is a view and {modified} modified "
                   "inplace.")
    else:
        message = f"A view was created in no_grad mode and {modified} modified inplace with " \
                  "grad mode enabled."
    if meta == MULTI_OUTPUT:
        message += (" This view is the output of a function that returns multiple views. Such "
                    "functions do not allow the output views to be modified inplace. You "
                    "should replace the inplace operation by an out-of-place one.")
    else:
        message += (" Given that this use case is ambiguous and error-prone, it is forbidden. "
                    "You can clarify your code by moving both the view and the inplace either "
                    "both inside the no_grad block (if you don't want the inplace to be "
                    "tracked) or both outside (if you want the inplace to be tracked).")
    return RuntimeError(message)


# -- where a view's elements sit in its root ----------------------------------------------
def _address(array):
    return array.__array_interface__["data"][0]


def geometry(root, view):
    """The layouts of a root's array and a view's array, enough to locate one in the other."""
    r, v = root._data, view._data
    return (r.shape, r.strides, r.itemsize, v.shape, v.strides, v.itemsize,
            _address(v) - _address(r))


def view_positions(geometry):
    """For each element of the view, the flat (row-major) index of that element in its root.

    The root's memory is modelled by an int64 buffer with the same layout; writing each
    element's logical index through the root's layout and reading it back through the
    view's gives the positions, for any combination of view ops.
    """
    shape, strides, itemsize, vshape, vstrides, vitemsize, offset = geometry
    if vitemsize != itemsize or offset % itemsize or any(s % itemsize for s in vstrides):
        raise NotImplementedError("autograd of an in-place write into a view that "
                                  "reinterprets its base's dtype (view(dtype))")
    numel = math.prod(shape)
    if numel == 0 or math.prod(vshape) == 0:
        return np.zeros(vshape, np.int64)
    low = sum((n - 1) * s for n, s in zip(shape, strides) if s < 0)
    high = sum((n - 1) * s for n, s in zip(shape, strides) if s > 0)
    view_low = offset + sum((n - 1) * s for n, s in zip(vshape, vstrides) if s < 0)
    view_high = offset + sum((n - 1) * s for n, s in zip(vshape, vstrides) if s > 0)
    if view_low < low or view_high > high:
        # The base's array was replaced (`base.data = ...`) after the view was made.
        raise RuntimeError("a view whose base's data was replaced no longer shares memory "
                           "with it, so autograd cannot follow a write into it")
    memory = np.zeros((high - low) // itemsize + 1, np.int64)
    first = -low // itemsize
    scale = memory.itemsize / itemsize
    as_root = as_strided(memory[first:], shape, [int(s * scale) for s in strides])
    as_root[...] = np.arange(numel).reshape(shape)
    as_view = as_strided(memory[first + offset // itemsize:], vshape,
                         [int(s * scale) for s in vstrides])
    return as_view.copy()


def _overlapping(geometry):
    vshape, vstrides = geometry[3], geometry[4]
    return any(s == 0 and n > 1 for n, s in zip(vshape, vstrides))


class AsStridedBackward0(Op):
    formula = "view of a tensor written in place: grad goes to the view's positions in the base"

    def backward(self, grad):
        geometry = self.ctx
        shape = geometry[0]
        positions = wrap(view_positions(geometry))
        zeros = wrap(np.zeros(math.prod(shape), dtype=grad._data.dtype))
        return zeros.index_put((positions,), grad, _overlapping(geometry)).view(shape)


class CopySlices(Op):
    """The root's history after a write through a view: ``fn`` applies on the view's region."""

    formula = "grad passes to the base, except on the view's region, where the in-place op's " \
              "derivative applies"

    def name(self):
        return "torch::autograd::CopySlices"

    def backward(self, grad):
        fn, geometry = self.ctx
        shape = geometry[0]
        positions = wrap(view_positions(geometry))
        flat = grad.reshape(-1)
        # fn's saved tensors live on this node, so the engine frees them with it.
        fn._saved = self._saved
        try:
            grads = fn.backward(flat[positions])
        finally:
            fn._saved = None
        if not isinstance(grads, tuple):
            grads = tuple(grads) if isinstance(grads, list) else (grads,)
        grad_view = grads[0]
        if grad_view is None:
            grad_view = wrap(np.zeros((), dtype=flat._data.dtype))
        else:
            view_shape, view_dtype = fn._input_meta[0]
            if grad_view._data.shape != view_shape:
                grad_view = grad_view.sum_to_size(view_shape)
            if grad_view._data.dtype != flat._data.dtype:
                grad_view = grad_view.to(grad.dtype)
        return (flat.index_put((positions,), grad_view).view(shape),) + grads[1:]


class InvalidatedViewBackward(Op):
    """A no_grad or multi-output view whose base was written in place: using it is an error."""

    formula = "none: PyTorch refuses to differentiate through this view"

    def backward(self, grad):
        raise self.ctx


def rebase_history(tensor, fn):
    """``tensor`` was overwritten in place by an op whose node is ``fn``: rebuild histories.

    A tensor that is not a view simply takes ``fn`` as its grad_fn; a view's root takes a
    ``CopySlices`` over ``fn``. Then every live view of the root is re-derived from it.
    """
    root = tensor._base
    if root is None:
        _set_history(tensor, fn)
        _regenerate_views(tensor, None)
        return
    node = _new(CopySlices)
    node.ctx = (fn, geometry(root, tensor))
    node.next_functions = (edge(root),) + fn.next_functions[1:]
    node._input_meta = ((root._data.shape, root._data.dtype),) + fn._input_meta[1:]
    node._seq = next(_sequence)
    node._saved = fn._saved
    fn._saved = None
    _set_history(root, node)
    _regenerate_views(root, tensor)


def _set_history(tensor, node):
    """Make ``node`` the tensor's grad_fn; a ``retain_grad`` hook moves along (PyTorch)."""
    old, old_nr = tensor._grad_fn, tensor._output_nr
    tensor._grad_fn = node
    tensor._output_nr = 0
    tensor._requires_grad = True
    hooks = old._retains_grad_hooks if tensor._retains_grad and old is not None else None
    if hooks:
        for entry in [h for h in hooks if h[0] == old_nr]:
            hooks.remove(entry)
            node._register_retains_grad_hook(0, entry[1])


def refresh_views(tensor):
    """After a write autograd did not record (no_grad, or nothing needed grad): the views of
    a base that requires grad still take their history from the base, as ``AsStrided``
    (PyTorch re-derives a view's grad_fn whenever its version has moved)."""
    root = tensor._base
    if root is None:
        root = tensor
    if root._requires_grad and root.__dict__.get("_views"):
        _regenerate_views(root, None)


def _regenerate_views(root, written):
    views = root.__dict__.get("_views")
    if not views:
        return
    alive = []
    for r in views:
        view = r()
        if view is None:
            continue
        alive.append(r)
        error = view is not written and creation_error(view, indirect=True)
        old, old_nr = view._grad_fn, view._output_nr
        if error:
            node = record(InvalidatedViewBackward, view, (root,), error)
        else:
            node = record(AsStridedBackward0, view, (root,), geometry(root, view))
        view._grad_fn, view._output_nr = old, old_nr
        _set_history(view, node)
    views[:] = alive
