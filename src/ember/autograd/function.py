"""Custom differentiable operations: ``autograd.Function``, its ``ctx``, and
``once_differentiable``.

As in PyTorch, defining ``class Exp(Function)`` also defines a graph node class
``ExpBackward`` (no digit), and the ``ctx`` that ``forward`` receives *is* that node: after
``y = Exp.apply(x)``, ``y.grad_fn`` is the ctx, with its saved tensors and attributes.

``apply`` runs ``forward`` (or ``forward`` then ``setup_context``) with grad mode off, then
attaches the outputs to the node. The node's edges are taken *before* ``forward`` runs, so
an input modified in place and declared with ``ctx.mark_dirty`` keeps its old history as
the node's input and gets the node as its new history. Saved tensors are checked against
their versions taken when ``apply`` returns (PyTorch's order).

In backward the node passes ``backward`` one gradient per forward output (None for
non-tensor outputs; zeros for unused tensor outputs unless ``set_materialize_grads(False)``)
and checks what comes back: one gradient per forward input, None for non-tensor inputs,
each a Tensor whose shape the input broadcasts to; PyTorch's messages otherwise.
"""

import functools
import inspect
import warnings

import numpy as np

from .._tensor import Tensor
from . import grad_mode
from .graph import FREED_MESSAGE, Node, _sequence, save_input, unpack_saved

__all__ = ["Function", "FunctionCtx", "once_differentiable", "BackwardCFunction"]

_NO_EDGE = (None, 0)


def _edge(tensor):
    if not tensor._requires_grad:
        return _NO_EDGE
    if tensor._grad_fn is not None:
        return (tensor._grad_fn, tensor._output_nr)
    return (tensor._get_accumulator(), 0)


class FunctionCtx:
    """What ``forward`` / ``setup_context`` may call on ``ctx``."""

    def save_for_backward(self, *tensors):
        """Keep tensors (inputs, outputs, or None) for ``backward``'s ``ctx.saved_tensors``."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} "
                                f"is of type {type(t).__name__}")
        self.to_save = tensors

    def mark_dirty(self, *args):
        """Declare inputs that ``forward`` modified in place (and returns)."""
        self.dirty_tensors = args

    def mark_non_differentiable(self, *args):
        """Declare outputs that get no gradient (``requires_grad=False``)."""
        self.non_differentiable = args

    def set_materialize_grads(self, value):
        """With False, ``backward`` gets None (not zeros) for outputs that got no gradient."""
        self._user_materialize_grads = bool(value)


class BackwardCFunction(FunctionCtx, Node):
    """The graph node of a custom Function, and the ``ctx`` of its forward."""

    _forward_cls = None
    _arg_is_tensor = ()
    # The node fills in zeros for missing output gradients itself (only for tensor
    # outputs, and only unless ctx.set_materialize_grads(False)), so the engine must not.
    _materialize_grads = False
    _user_materialize_grads = True

    def __repr__(self):
        return f"<torch.autograd.function.{type(self).__name__} object at {hex(id(self))}>"

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is None:
            raise RuntimeError(FREED_MESSAGE)
        return tuple(unpack_saved(self, entry) for entry in saved)

    saved_variables = saved_tensors

    def _get_user_fn(self):
        cls = self._forward_cls
        if cls.backward is not Function.backward and cls.vjp is not Function.vjp:
            raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom Function is "
                               "not allowed. You should only implement one of them.")
        return cls.vjp if cls.vjp is not Function.vjp else cls.backward

    def backward(self, *grads):
        """Run the user's ``backward`` on the output gradients; check what it returns."""
        if self._user_materialize_grads:
            grads = [Tensor._from_array(np.zeros(meta[0], meta[1].np))
                     if g is None and meta is not None else g
                     for g, meta in zip(grads, self._output_meta)]
        result = self._get_user_fn()(self, *grads)
        return self._check_gradients(result if isinstance(result, tuple) else (result,))

    apply = backward

    def _check_gradients(self, result):
        name = self.name()
        expected = len(self._arg_is_tensor)
        if len(result) > expected and all(g is None for g in result[expected:]):
            result = result[:expected]
        if len(result) != expected:
            raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                               f"(expected {expected}, got {len(result)})")
        grads = []
        for position, (grad, is_tensor) in enumerate(zip(result, self._arg_is_tensor)):
            if not is_tensor:
                if grad is not None:
                    raise RuntimeError(
                        f"function {name} returned a gradient different than None at position "
                        f"{position + 1}, but the corresponding forward input was not a "
                        "Variable")
                continue
            if grad is not None and not isinstance(grad, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(grad).__name__})")
            index = len(grads)
            if grad is not None and self.next_functions[index][0] is not None:
                shape = self._input_meta[index][0]
                if not _expandable(shape, grad._data.shape):
                    raise RuntimeError(
                        f"Function {name} returned an invalid gradient at index {index} - got "
                        f"[{', '.join(map(str, grad._data.shape))}] but expected shape "
                        f"compatible with [{', '.join(map(str, shape))}]")
            grads.append(grad)
        return tuple(grads)


def _expandable(shape, target):
    """Whether ``shape`` broadcasts to exactly ``target`` (a gradient may be summed down)."""
    if len(shape) > len(target):
        return False
    return all(s == t or s == 1 for s, t in zip(shape[::-1], target[::-1]))


class FunctionMeta(type):
    """Gives each Function subclass its node class, ``<Name>Backward``."""

    def __init__(cls, name, bases, attrs):
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,),
                                 {"_forward_cls": cls})
        super().__init__(name, bases, attrs)


class Function(metaclass=FunctionMeta):
    """Base class of custom differentiable operations; call them with ``apply``."""

    def __init__(self, *args, **kwargs):
        warnings.warn(
            f"{self.__class__} should not be instantiated. Methods on autograd functions are "
            "all static, so you should invoke them on the class itself. Instantiating an "
            "autograd function will raise an error in a future version of PyTorch.",
            DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("ember has no forward-mode AD: autograd.Function.jvp is "
                                  "never called")

    @classmethod
    def apply(cls, *args, **kwargs):
        uses_setup_context = cls.setup_context is not Function.setup_context
        if uses_setup_context:
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        ctx = _new_ctx(cls, args)
        state = grad_mode._state
        previous = state.enabled
        state.enabled = False
        try:
            if uses_setup_context:
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        finally:
            state.enabled = previous
        executable = previous and any(ctx.needs_input_grad)
        return _attach_outputs(ctx, args, outputs, executable)


def _new_ctx(cls, args):
    """The node for one call, its edges taken from the inputs before forward runs."""
    tensors = [a for a in args if isinstance(a, Tensor)]
    edges = tuple(_edge(t) for t in tensors)
    ctx = object.__new__(cls._backward_cls)
    # Numbered after its inputs' nodes and accumulators (the engine's order).
    ctx._seq = next(_sequence)
    ctx.next_functions = edges
    ctx._input_meta = tuple((t._data.shape, t._data.dtype) for t in tensors)
    ctx._arg_is_tensor = tuple(isinstance(a, Tensor) for a in args)
    ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
    return ctx


def _attach_outputs(ctx, args, outputs, executable):
    """Make the tensor outputs outputs of ``ctx``; save what ``forward`` asked to save."""
    is_tuple = isinstance(outputs, tuple)
    values = outputs if is_tuple else (outputs,)
    dirty = {id(t) for t in ctx.__dict__.pop("dirty_tensors", ())}
    non_differentiable = {id(t) for t in ctx.__dict__.pop("non_differentiable", ())}
    inputs = {id(a) for a in args if isinstance(a, Tensor)}
    results, meta = [], []
    # Every forward output has a slot (output_nr is its position), tensor or not.
    for position, value in enumerate(values):
        if not isinstance(value, Tensor):
            results.append(value)
            meta.append(None)
            continue
        if id(value) in dirty:
            _check_dirty(value, executable)
            value._vc[0] += 1
        elif id(value) in inputs or value._requires_grad:
            # An input returned as is becomes a new tensor sharing its memory (a view).
            alias = Tensor._from_array(value._data)
            alias._vc = value._vc
            alias._base = value._base if value._base is not None else value
            value = alias
        if (executable and id(value) not in non_differentiable
                and value._data.dtype.kind in "fc"):
            value._grad_fn = ctx
            value._requires_grad = True
            value._output_nr = position
        meta.append((value._data.shape, value.dtype))
        results.append(value)
    ctx._num_outputs = len(values)
    ctx._output_meta = tuple(meta)
    to_save = ctx.__dict__.pop("to_save", None)
    if to_save is not None:
        ctx._saved = [(None,) if t is None else save_input(t) for t in to_save]
    if executable:
        from . import anomaly_mode
        anomaly_mode.record_trace(ctx)
    return tuple(results) if is_tuple else results[0]


def _check_dirty(tensor, executable):
    if not executable:
        return
    if tensor._requires_grad and tensor._grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad has been used in an in-place "
                           "operation.")
    base = tensor._base
    if base is not None and base._requires_grad:
        raise NotImplementedError(
            "ember does not yet support ctx.mark_dirty on a view of a tensor that is part of "
            "the autograd graph (PyTorch's CopySlices); modify the base tensor instead")


class Error(Node):
    """The node ``once_differentiable`` puts on a backward's outputs: differentiating it
    raises."""

    def name(self):
        return "torch::autograd::Error"

    def backward(self, *grads):
        raise RuntimeError(self.ctx)

    apply = backward


def once_differentiable(fn):
    """Run a ``backward`` with grad mode off; differentiating its result raises."""
    @functools.wraps(fn)
    def wrapper(ctx, *args, **kwargs):
        state = grad_mode._state
        previous = state.enabled
        state.enabled = False
        try:
            outputs = fn(ctx, *args, **kwargs)
        finally:
            state.enabled = previous
        if not previous or not any(isinstance(a, Tensor) and a._requires_grad for a in args):
            return outputs
        values = outputs if isinstance(outputs, tuple) else (outputs,)
        return _delayed_error(values, "trying to differentiate twice a function that was "
                                      "marked with @once_differentiable")

    return wrapper


def _delayed_error(values, message):
    """Aliases of ``values`` whose grad_fn raises ``message`` when backpropagated through."""
    tensors = [v for v in values if v is not None]
    node = object.__new__(Error)
    node.ctx = message
    fakes = []
    for t in tensors:
        fake = Tensor._from_array(t._data, requires_grad=True)
        fakes.append(fake)
    node.next_functions = tuple((f._get_accumulator(), 0) for f in fakes)
    node._input_meta = tuple((f._data.shape, f._data.dtype) for f in fakes)
    node._seq = next(_sequence)
    node._num_outputs = len(tensors)
    node._output_meta = tuple((t._data.shape, t.dtype) for t in tensors)
    results = []
    nr = 0
    for v in values:
        if v is None:
            results.append(None)
            continue
        out = Tensor._from_array(v._data)
        out._grad_fn = node
        out._requires_grad = True
        out._output_nr = nr
        nr += 1
        results.append(out)
    return tuple(results) if len(results) != 1 else results[0]
