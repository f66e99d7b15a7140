"""The backward pass: walk the graph from the roots and run each node's derivative.

Iterative, never recursive, so graphs thousands of nodes deep are fine:
1. every node is numbered when recorded, after the nodes of its inputs (an
   ``AccumulateGrad`` is numbered when made, before any node that feeds it);
2. nodes that have received a gradient wait in a heap; the highest-numbered runs next.
   All its consumers are numbered higher, so they have already run and its gradient is
   complete: this is PyTorch's latest-first order without a pass counting dependencies;
3. after each node the engine itself sums gradients that arrive at the same place,
   reduces a gradient to its input's shape (a broadcast in forward is a sum in backward)
   and casts it to the input's dtype; ops never have to;
4. saved tensors are freed as each node finishes, unless ``retain_graph``.

With ``inputs=`` (``autograd.grad``, ``backward(inputs=...)``) a dependency count and a
reachability pass first mark the nodes that lead to the inputs; the rest are skipped.

Derivatives run under ``no_grad`` unless ``create_graph=True``, in which case they are
recorded like any forward computation, giving higher-order gradients for free.
"""

from heapq import heappop, heappush

import numpy as np

try:
    # NumPy 2 keeps the floating-point error state in this context variable.
    from numpy._core.umath import _extobj_contextvar as _extobj
except ImportError:  # NumPy 1.x: np.errstate on every walk
    _extobj = None

from .._dtype import _BY_NUMPY
from .._tensor import Tensor
from . import anomaly_mode, grad_mode
from .anomaly_mode import state as anomaly_state

__all__ = ["run_backward"]

# The last error state replaced, and "ignore all" built over it (see _errors_ignored).
_IGNORED = (None, None)
_from_array = Tensor._from_array


def _errors_ignored():
    """Turn NumPy's floating-point warnings off for the walk; returns what restores them.

    ``np.errstate`` builds its error state anew on every entry (about 0.7 us, a fifth of a
    small graph's walk). The "ignore all" state depends only on the state it replaces, so
    it is kept for the last state replaced and reused while that one is current.
    """
    if _extobj is None:
        errstate = np.errstate(all="ignore")
        errstate.__enter__()
        return errstate
    global _IGNORED
    outer = _extobj.get()
    cached_outer, ignored = _IGNORED
    if outer is not cached_outer:
        with np.errstate(all="ignore"):
            ignored = _extobj.get()
        _IGNORED = (outer, ignored)
    return _extobj.set(ignored)


def _errors_restored(token):
    if _extobj is None:
        token.__exit__(None, None, None)
    else:
        _extobj.reset(token)


def _graph_root(tensor):
    """The node where a tensor's gradient enters the graph, and which of its outputs."""
    if tensor._grad_fn is not None:
        return tensor._grad_fn, tensor._output_nr
    return tensor._get_accumulator(), 0


def _count_dependencies(roots):
    """Number of edges into each node reachable from ``roots`` (an iterative DFS)."""
    dependencies = {}
    stack = list(roots)
    seen = set(roots)
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            dependencies[child] = dependencies.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return dependencies


def _nodes_leading_to(targets, root_nodes, dependencies):
    """The nodes with a path to some target: those worth running for ``inputs=``."""
    # Kahn's algorithm gives parents before children; scanning that order backwards
    # sees every child before its parents.
    remaining = dict(dependencies)
    order = []
    stack = [n for n in dict.fromkeys(root_nodes) if remaining.get(n, 0) == 0]
    while stack:
        node = stack.pop()
        order.append(node)
        for child, _ in node.next_functions:
            if child is not None:
                remaining[child] -= 1
                if remaining[child] == 0:
                    stack.append(child)
    needed = set()
    for node in reversed(order):
        for child, _ in node.next_functions:
            if child is not None and (child in targets or child in needed):
                needed.add(node)
                break
    return needed


def _reduce_to_input(grad, meta):
    """Sum a broadcast gradient down to the input's shape and cast it to its dtype."""
    shape, np_dtype = meta
    data = grad._data
    if data.dtype.kind == "c" and np_dtype.kind != "c":
        # A real input's gradient is the real part of a complex one (as in PyTorch).
        grad = grad.real
        data = grad._data
    if data.shape != shape:
        grad = grad.sum_to_size(shape)
    if data.dtype is not np_dtype and data.dtype != np_dtype:
        grad = grad.to(_BY_NUMPY[np_dtype])
    return grad


def run_backward(roots, grad_roots, retain_graph=False, create_graph=False, inputs=None,
                 accumulate=True):
    """Backpropagate ``grad_roots`` from the ``roots`` tensors.

    With ``accumulate`` (``Tensor.backward``) gradients land in the leaves' ``.grad``;
    with ``inputs`` only those tensors receive them. Without ``accumulate``
    (``autograd.grad``) nothing is written to ``.grad``: the gradients reaching ``inputs``
    are returned, in order (None for an input the graph does not reach).

    Every node is numbered after the nodes of its inputs, so taking the highest-numbered
    node that has received a gradient always finds one whose consumers have all run: no
    separate pass to count dependencies is needed.
    """
    buffers = {}
    ready = []
    for tensor, grad in zip(roots, grad_roots):
        node, nr = _graph_root(tensor)
        slots = buffers.get(node)
        if slots is None:
            slots = buffers[node] = [None] * node._num_outputs
            heappush(ready, (-node._seq, node))
        slots[nr] = grad if slots[nr] is None else slots[nr] + grad

    captures = needed = results = None
    if inputs is not None:
        captures = {}
        for i, tensor in enumerate(inputs):
            node, nr = _graph_root(tensor)
            captures.setdefault(node, []).append((i, nr))
        root_nodes = [entry[1] for entry in ready]
        needed = _nodes_leading_to(captures, root_nodes, _count_dependencies(root_nodes))
        results = [None] * len(inputs)

    state = grad_mode._state
    previous_mode = state.enabled
    state.enabled = create_graph
    # Derivatives may divide by zero or take log(0) on the way to a correct result (inf * 0
    # masked later); PyTorch says nothing then, and neither does ember.
    token = _errors_ignored()
    try:
        while ready:
            node = heappop(ready)[1]
            grads = buffers.pop(node)
            if node._has_hooks:
                grads = _run_pre_hooks(node, grads)
            if captures is not None:
                if node in captures:
                    for i, nr in captures[node]:
                        results[i] = grads[nr]
                if node.is_accumulator:
                    if grads[0] is not None and accumulate and node in captures:
                        node.apply(grads[0], create_graph)
                    continue
                if node not in needed:
                    continue
            elif node.is_accumulator:
                if grads[0] is not None:
                    node.apply(grads[0], create_graph)
                continue
            if anomaly_state.enabled:
                grad_inputs = anomaly_mode.run_node(node, grads, _call_multi)
            elif node._num_outputs == 1:
                grad_inputs = node.backward(grads[0])
            else:
                grad_inputs = _call_multi(node, grads)
            if type(grad_inputs) is not tuple:
                grad_inputs = tuple(grad_inputs) if isinstance(grad_inputs, list) \
                    else (grad_inputs,)
            if not retain_graph and node._saved is not None:
                node._saved = None
            if node._hooks:
                # Hooks see each gradient in its input's shape and dtype, as in PyTorch.
                grad_inputs = tuple(
                    _reduce_to_input(g, meta) if g is not None and meta is not None
                    and (g._data.dtype != meta[1] or g._data.shape != meta[0]) else g
                    for g, meta in zip(grad_inputs, node._input_meta))
                for hook in tuple(node._hooks):
                    new = hook(grad_inputs, tuple(grads))
                    if new is not None:
                        grad_inputs = tuple(new)
            next_functions = node.next_functions
            if len(grad_inputs) != len(next_functions):
                raise RuntimeError(
                    f"function {node.name()} returned an incorrect number of gradients "
                    f"(expected {len(next_functions)}, got {len(grad_inputs)})")
            for (child, nr), grad, meta in zip(next_functions, grad_inputs, node._input_meta):
                if grad is None or child is None:
                    continue
                data = grad._data
                # Identity first: a gradient nearly always arrives in its input's dtype
                # object; `_reduce_to_input` compares by value.
                if data.dtype is not meta[1] or data.shape != meta[0]:
                    grad = _reduce_to_input(grad, meta)
                slots = buffers.get(child)
                if slots is None:
                    buffers[child] = [grad] if nr == 0 and child._num_outputs == 1 \
                        else _new_slots(child, nr, grad)
                    heappush(ready, (-child._seq, child))
                else:
                    old = slots[nr]
                    if old is None:
                        slots[nr] = grad
                    elif create_graph or old._data.dtype is not grad._data.dtype:
                        slots[nr] = old + grad
                    else:
                        # What `old + grad` computes when nothing records, without the op.
                        slots[nr] = _from_array(old._data + grad._data)
    finally:
        state.enabled = previous_mode
        _errors_restored(token)
    return results


def _new_slots(node, nr, grad):
    slots = [None] * node._num_outputs
    slots[nr] = grad
    return slots


def _call_multi(node, grads):
    if not node._materialize_grads:
        # The node fills in missing output gradients itself, or wants None for them (custom
        # Functions, svd and eigh nodes).
        return node.apply(*grads)
    return node.apply(*[g if g is not None else _zeros_for_output(node, i)
                        for i, g in enumerate(grads)])


def _zeros_for_output(node, index):
    import numpy as np

    from .._tensor import Tensor
    shape, dtype = node._output_meta[index]
    return Tensor._from_array(np.zeros(shape, dtype=dtype.np))


def _run_pre_hooks(node, grads):
    """Tensor hooks (``register_hook``), then ``retain_grad``'s, then the node's pre-hooks."""
    grads = list(grads)
    for nr, hook in tuple(node._tensor_pre_hooks or ()):
        if grads[nr] is None:
            continue
        new = hook(grads[nr])
        if new is not None:
            grads[nr] = new
    for nr, hook in node._retains_grad_hooks or ():
        if grads[nr] is not None:
            hook(grads[nr])
    for hook in tuple(node._pre_hooks or ()):
        new = hook(tuple(grads))
        if new is not None:
            grads = list(new)
    return grads
