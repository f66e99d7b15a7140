"""The backward graph: nodes, saved tensors, and the per-leaf ``AccumulateGrad``.

A ``Node`` is what PyTorch calls a grad_fn. Each op in ``ember/ops`` is a ``Node``
subclass named exactly as PyTorch's grad_fn (``MulBackward0``), so ``repr(y.grad_fn)``
and ``y.grad_fn.name()`` read as they do in PyTorch.

A node knows:
- ``next_functions``: one ``(node, output_nr)`` pair per forward input, ``(None, 0)``
  for inputs that need no gradient (PyTorch's layout);
- ``_input_meta``: each input's shape and dtype, so the engine (not the op) can reduce
  a broadcast gradient and cast it back;
- ``_saved``: what the op saved for its derivative, checked against version counters
  when unpacked and freed after backward unless the graph is retained;
- ``_seq``: creation order; the engine runs ready nodes latest-first, as PyTorch does.
"""

import itertools

__all__ = ["Node", "AccumulateGrad"]

_sequence = itertools.count()

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")


class Node:
    """A node of the backward graph (PyTorch's ``grad_fn``)."""

    # Hot fields are slots; the rest are class defaults an instance overrides when needed.
    __slots__ = ("next_functions", "_input_meta", "_seq", "__weakref__", "__dict__")
    _saved = None
    ctx = None
    _pre_hooks = None
    _hooks = None
    _tensor_pre_hooks = None
    _retains_grad_hooks = None
    _num_outputs = 1
    # Set once any hook is registered, so the engine checks one flag per node.
    _has_hooks = False
    # Whether a multi-output node's missing output gradients reach it as zeros (else None).
    _materialize_grads = True

    # What the op saves for backward: input positions (ints) and/or "result" (output 0).
    saves = ()
    is_accumulator = False
    # A one-line statement of the derivative, shown by learner tools.
    formula = ""

    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def __call__(self, *grads):
        return self.apply(*grads)

    def apply(self, *grads):
        """Run this node's derivative on the gradients of its outputs."""
        return self.backward(*grads)

    def backward(self, grad):
        raise NotImplementedError(f"{self.name()} has no derivative")

    # -- saved tensors --------------------------------------------------------------------
    @property
    def saved_tensors(self):
        """The tensors the op saved, checked against in-place modification since."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(FREED_MESSAGE)
        out = []
        for entry in saved:
            # Unchanged inputs (the common case) are checked inline; the rest are unpacked.
            if len(entry) == 2 and entry[0]._vc[0] == entry[1]:
                out.append(entry[0])
            else:
                out.append(unpack_saved(self, entry))
        return out

    def needs_input_grad(self, index):
        """Whether the input at ``index`` wants a gradient (formulas skip the others)."""
        return self.next_functions[index][0] is not None

    def _free(self):
        if self._saved is not None:
            self._saved = None

    # -- hooks ----------------------------------------------------------------------------
    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node; may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return _RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(fn)
        self._has_hooks = True
        return _RemovableHandle(self._pre_hooks, fn)

    def _register_tensor_hook(self, output_nr, fn):
        """A ``Tensor.register_hook`` on a non-leaf: runs on the gradient of one output."""
        if self._tensor_pre_hooks is None:
            self._tensor_pre_hooks = []
        self._has_hooks = True
        entry = (output_nr, fn)
        self._tensor_pre_hooks.append(entry)
        return _RemovableHandle(self._tensor_pre_hooks, entry)

    def _register_retains_grad_hook(self, output_nr, fn):
        """``retain_grad``'s hook: runs after all tensor hooks, so it sees their result."""
        if self._retains_grad_hooks is None:
            self._retains_grad_hooks = []
        self._has_hooks = True
        self._retains_grad_hooks.append((output_nr, fn))

    def __getattr__(self, name):
        # PyTorch exposes saved values as `_saved_self`, `_saved_other`, `_saved_result`.
        if name.startswith("_saved_") and type(self).saves:
            return _saved_by_name(self, name[len("_saved_"):])
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")


def _saved_by_name(node, name):
    names = {0: "self", 1: "other", "result": "result"}
    for spec, entry in zip(type(node).saves, node._saved or ()):
        if names.get(spec, str(spec)) == name:
            return unpack_saved(node, entry)
    if node._saved is None:
        raise RuntimeError(FREED_MESSAGE)
    raise AttributeError(f"'{type(node).__name__}' object has no attribute '_saved_{name}'")


class _RemovableHandle:
    """Returned by ``register_*hook``; ``remove()`` takes the hook out again."""

    __slots__ = ("_hooks", "_entry")

    def __init__(self, hooks, entry):
        self._hooks = hooks
        self._entry = entry

    def remove(self):
        try:
            self._hooks.remove(self._entry)
        except ValueError:
            pass


# Saved entries are tuples, kept small because every recorded op makes some:
#   (number,)                              a Python number operand, kept as a constant
#   (tensor, version)                      an input
#   (data, version_counter, version, dt)   the op's own output, kept without a reference
#                                          to the output tensor to avoid a cycle
def save_input(tensor):
    if not hasattr(tensor, "_vc"):
        return (tensor,)
    return (tensor, tensor._vc[0])


def save_output(tensor):
    return (tensor._data, tensor._vc, tensor._vc[0], tensor.dtype)


def unpack_saved(node, entry):
    from .._tensor import Tensor
    if len(entry) == 1:
        return entry[0]
    if len(entry) == 2:
        tensor, version = entry
        if tensor._vc[0] != version:
            raise RuntimeError(_modified_message(tensor, node, version))
        return tensor
    data, vc, version, _ = entry
    if vc[0] != version:
        raise RuntimeError(_modified_message(Tensor._from_array(data), node, version, vc[0]))
    # The output is rebuilt attached to this node, so a derivative that uses it is
    # itself differentiable (create_graph=True).
    out = Tensor._from_array(data)
    out._vc = vc
    out._grad_fn = node
    out._requires_grad = True
    return out


def _modified_message(tensor, node, version, now=None):
    now = tensor._vc[0] if now is None else now
    shape = ", ".join(str(s) for s in tensor.shape)
    op = node.name()
    op = op[:op.rfind("Backward")] if "Backward" in op else op
    return (
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [torch.{tensor.dtype._legacy_name} [{shape}]], which is output 0 "
        f"of {op}, is at version {now}; expected version {version} instead. Hint: enable "
        "anomaly detection to find the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False).")


def new_node(cls):
    """A fresh node of an op class, with the bookkeeping fields set."""
    node = _new(cls)
    node._seq = next(_sequence)
    return node


_new = object.__new__


class AccumulateGrad(Node):
    """The sink for a leaf tensor: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable", "_post_hooks")
    is_accumulator = True

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()
        self._input_meta = ()
        self._post_hooks = None
        # Numbered when made, which is before any node that feeds it: the engine's
        # latest-first order then runs it once all its gradients have arrived.
        self._seq = next(_sequence)

    def apply(self, grad, create_graph=False):
        variable = self.variable
        if not variable._requires_grad:
            # requires_grad_(False) after the graph was built: PyTorch drops the gradient.
            return ()
        old = variable._grad
        if old is None:
            if create_graph:
                variable._grad = grad
            else:
                # A fresh copy: .grad is never aliased to another tensor (or leaf).
                variable._grad = type(grad)._from_array(grad._data.copy())
        elif create_graph or old._requires_grad:
            variable._grad = old + grad
        else:
            old._data += grad._data
            old._vc[0] += 1
        if self._post_hooks:
            for hook in tuple(self._post_hooks):
                hook(variable)
        return ()
