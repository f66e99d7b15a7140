"""``ember.doctor``: watch a training loop and name the classic mistakes, once each.

    with ember.doctor():
        train()                 # or: ember run --doctor train.py

While the context is active a few ember entry points are wrapped (``Tensor.backward``,
the ``Tensor.grad`` property, ``Tensor.__isub__``/``sub_``, each optimizer's ``step``,
``nn.Module.__call__``); they are restored on exit. Each finding is an
``EmberDoctorWarning`` pointing at the user's file and line, issued once per place:

(a) a gradient accumulated over several ``backward()`` calls without being reset: at
    once when the parameter was updated in between (the gradient of the last step leaks
    into this one), at exit when it was never updated (accumulating on purpose, several
    backward() calls then one step then zero_grad, is not flagged);
(b) an update that leaves a parameter unchanged although its gradient is nonzero
    (``optimizer.step()`` or ``p -= lr * g`` under no_grad), and a manual update that
    reads another tensor's ``.grad`` (``W -= lr * w.grad``);
(c) a parameter that receives no gradient: at ``optimizer.step()``, or at ``backward()``
    for a parameter of a module whose output the loss used;
(d) a loss that is nan or inf, or that has not decreased: after ``2 * window`` backward()
    calls at one line, the mean of the last ``window`` losses is not 1% below the first's;
(e) ``.grad`` read on a non-leaf tensor (it is never filled in). This replaces PyTorch's
    own UserWarning for the same read while the doctor is active.

A correct training loop produces no warning.
"""

import sys
import types
import warnings
import weakref

import numpy as np

from ._tensor import Tensor
from .viz.describe import name_in_frame, shape_text, user_frame

__all__ = ["Doctor", "EmberDoctorWarning", "doctor"]


_INHERITED = object()


class EmberDoctorWarning(UserWarning):
    """A likely mistake in a training loop, found by ``ember.doctor``."""


class _LeafState:
    """What a leaf looked like after the last backward() that reached it."""

    __slots__ = ("leaf", "grad", "grad_version", "leaf_version", "leaf_values", "summed",
                 "where", "name")

    def __init__(self, leaf):
        self.leaf = weakref.ref(leaf)
        self.summed = 0
        self.where = None


def _changed(leaf, state):
    """Whether ``leaf`` was updated since ``state`` was taken: in place (its version moved)
    or through ``.data``, which has a version counter of its own (so compare values)."""
    return (leaf._vc[0] != state.leaf_version
            or not np.array_equal(leaf._data, state.leaf_values, equal_nan=True))


class Doctor:
    """The context manager ``ember.doctor()`` returns; ``findings`` lists what it found."""

    _active = None

    def __init__(self, window=5):
        self.window = window
        self.findings = []
        self._seen = set()
        self._restore = []

    # -- reporting ------------------------------------------------------------------------
    def _warn(self, kind, message, frame=None, where=None):
        if where is None:
            frame = frame or user_frame()
            where = ((frame.f_code.co_filename, frame.f_lineno, frame.f_globals)
                     if frame is not None else ("<unknown>", 0, {}))
        filename, lineno, module_globals = where
        if (kind, filename, lineno) in self._seen:
            return
        self._seen.add((kind, filename, lineno))
        self.findings.append((kind, filename, lineno, message))
        warnings.warn_explicit(f"ember doctor [{kind}]: {message}", EmberDoctorWarning,
                               filename, lineno,
                               module=module_globals.get("__name__", "__main__"),
                               module_globals=module_globals)

    @staticmethod
    def _name(tensor, frame):
        name = name_in_frame(tensor, frame)
        return name or f"a tensor of shape {shape_text(tensor.shape)}"

    # -- patching -------------------------------------------------------------------------
    def _patch(self, owner, attribute, replacement):
        # An inherited attribute is shadowed, then deleted again on exit.
        self._restore.append((owner, attribute, owner.__dict__.get(attribute, _INHERITED)))
        setattr(owner, attribute, replacement)

    def __enter__(self):
        if Doctor._active is not None:
            return Doctor._active
        from . import nn, optim
        self._leaves = {}
        # A leaf's array is shared by its ``.data``: finds W from ``W.data``.
        self._leaf_by_memory = {}
        self._losses = {}
        self._reads = {}
        self._had_grad = set()
        self._no_gradient_reported = set()
        self._module_of = weakref.WeakKeyDictionary()
        self._patch(Tensor, "backward", self._wrap_backward(Tensor.backward))
        grad = Tensor.grad
        self._patch(Tensor, "grad", property(self._wrap_grad_read(grad.fget), grad.fset))
        for name in ("__isub__", "sub_"):
            self._patch(Tensor, name, self._wrap_manual_update(getattr(Tensor, name)))
        self._patch(nn.Module, "__call__", self._wrap_module_call(nn.Module.__call__))
        classes = [optim.Optimizer]
        while classes:
            cls = classes.pop()
            classes.extend(cls.__subclasses__())
            if "step" in cls.__dict__ and cls is not optim.Optimizer:
                # Each optimizer defines its own step(); the base class's only raises.
                self._patch(cls, "step", self._wrap_step(cls.__dict__["step"]))
        Doctor._active = self
        return self

    def __exit__(self, *exc_info):
        if Doctor._active is not self:
            return False
        try:
            self._check_summed_gradients()
        finally:
            for owner, attribute, original in reversed(self._restore):
                if original is _INHERITED:
                    delattr(owner, attribute)
                else:
                    setattr(owner, attribute, original)
            self._restore.clear()
            Doctor._active = None
        return False

    # -- (a), (c), (d): backward ------------------------------------------------------------
    def _wrap_backward(self, original):
        doctor = self

        def backward(tensor, gradient=None, retain_graph=None, create_graph=False,
                     inputs=None):
            frame = user_frame()
            where = ((frame.f_code.co_filename, frame.f_lineno, frame.f_globals)
                     if frame is not None else ("<unknown>", 0, {}))
            doctor._check_loss(tensor, frame, where)
            nodes, leaves = _walk(tensor)
            doctor._before_backward(leaves, frame, where)
            doctor._check_modules(nodes, leaves, frame)
            original(tensor, gradient, retain_graph, create_graph, inputs=inputs)
            doctor._after_backward(leaves)
        return backward

    def _check_loss(self, tensor, frame, where):
        data = tensor._data
        if data.dtype.kind not in "fc":
            return
        if not np.isfinite(data).all():
            bad = "nan" if np.isnan(data).any() else "inf"
            self._warn("loss-not-finite", f"the value backward() starts from is {bad}: every "
                       "gradient will be nan. Look for a division by zero, log of 0 or of a "
                       "negative number, or a learning rate so large that training diverged.",
                       frame)
            return
        if data.size != 1:
            return
        history = self._losses.setdefault(where[:2], [])
        history.append(float(data.reshape(()).real))
        n = self.window
        if len(history) < 2 * n:
            return
        del history[n:-n]  # keep the first and the last window only
        first = sum(history[:n]) / n
        last = sum(history[-n:]) / n
        if abs(first) > 1e-12 and not last < first - 0.01 * abs(first):
            self._warn("loss-not-decreasing",
                       f"the loss has not decreased: the mean of its first {n} values here was "
                       f"{first:.6g}, of its last {n} is {last:.6g}. Check that the update "
                       "changes the parameters (optimizer.step(), the right tensors, a "
                       "learning rate neither 0 nor too large) and that gradients are reset "
                       "each step.", where=where)

    def _before_backward(self, leaves, frame, where):
        for leaf in leaves:
            state = self._leaves.get(id(leaf))
            if state is None or state.leaf() is not leaf:
                continue
            grad = leaf._grad
            kept = (grad is not None and grad is state.grad() and
                    grad._vc[0] == state.grad_version and bool(np.any(grad._data)))
            if not kept:
                state.summed = 0
                continue
            if _changed(leaf, state):
                name = self._name(leaf, frame)
                self._warn("grad-not-reset",
                           f"{name}.grad still holds the gradient of the previous step ({name} "
                           "was updated since) and this backward() adds the new one to it. "
                           "Reset gradients after each update: optimizer.zero_grad(), "
                           f"{name}.grad.zero_() or {name}.grad = None.", frame)
                continue
            state.summed += 1
            if state.where is None:
                # Named now: by the end the variable may hold something else.
                state.where = where
                state.name = self._name(leaf, frame)

    def _after_backward(self, leaves):
        for leaf in leaves:
            state = self._leaves.get(id(leaf))
            if state is None or state.leaf() is not leaf:
                state = self._leaves[id(leaf)] = _LeafState(leaf)
            grad = leaf._grad
            state.grad = weakref.ref(grad) if grad is not None else _none
            state.grad_version = grad._vc[0] if grad is not None else None
            state.leaf_version = leaf._vc[0]
            state.leaf_values = leaf._data.copy()
            self._leaf_by_memory[id(leaf._data)] = state.leaf

    def _check_summed_gradients(self):
        for state in self._leaves.values():
            leaf = state.leaf()
            if (leaf is None or not state.summed or leaf._grad is not state.grad()
                    or _changed(leaf, state)):
                continue
            self._warn("grad-accumulated",
                       f"{state.name}.grad is the sum of the gradients of {state.summed + 1} "
                       "backward() calls: backward() adds into .grad and never clears it. If "
                       "each call should start afresh, reset it in between (zero_grad(), "
                       ".grad.zero_() or .grad = None).", where=state.where)

    def _check_modules(self, nodes, leaves, frame):
        used = {id(leaf) for leaf in leaves}
        for node in nodes:
            module = self._module_of.get(node)
            if module is None:
                continue
            for name, param in module.named_parameters():
                if param._requires_grad and id(param) not in used:
                    self._no_gradient_reported.add(id(param))
                    label = name_in_frame(param, frame) or f"{type(module).__name__}.{name}"
                    self._warn("no-gradient",
                               f"parameter {label} is not used to compute this loss, so it "
                               "gets no gradient and will never train. Is its layer missing "
                               "from forward(), or its output cut from the graph (.detach(), "
                               ".data, .item(), no_grad)?", frame)

    def _wrap_module_call(self, original):
        doctor = self

        def __call__(module, *args, **kwargs):
            result = original(module, *args, **kwargs)
            if isinstance(result, Tensor) and result._grad_fn is not None:
                doctor._module_of[result._grad_fn] = module
            return result
        return __call__

    # -- (b), (c): updates ------------------------------------------------------------------
    def _wrap_step(self, original):
        doctor = self

        def step(optimizer, *args, **kwargs):
            frame = user_frame()
            params = [p for group in optimizer.param_groups for p in group["params"]]
            before = {id(p): p._data.copy() for p in params
                      if p._grad is not None and np.any(p._grad._data)}
            result = original(optimizer, *args, **kwargs)
            doctor._after_step(params, before, frame)
            return result
        return step

    def _after_step(self, params, before, frame):
        trainable = [p for p in params if p._requires_grad]
        with_grad = [p for p in trainable if p._grad is not None]
        self._had_grad.update(id(p) for p in with_grad)
        if trainable and not with_grad:
            self._warn("no-gradient",
                       "optimizer.step() found no gradient on any of its parameters, so it did "
                       "nothing. Call loss.backward() before step() (and zero_grad() before "
                       "backward(), not between backward() and step()), and check that the "
                       "optimizer was given the parameters of the model you train.", frame)
        for p in trainable:
            if (p._grad is None and with_grad and id(p) not in self._had_grad
                    and id(p) not in self._no_gradient_reported):
                self._warn("no-gradient",
                           f"parameter {self._name(p, frame)} has never received a gradient, "
                           "so optimizer.step() cannot train it: it is not used to compute the "
                           "loss, or the graph was cut (.detach(), .data, no_grad).", frame)
        for p in params:
            old = before.get(id(p))
            if old is not None and np.array_equal(old, p._data):
                self._warn("no-update",
                           f"optimizer.step() left {self._name(p, frame)} unchanged although "
                           "its gradient is nonzero: is the learning rate 0, or so small that "
                           "the update rounds away?", frame)

    def _wrap_manual_update(self, original):
        doctor = self

        def update(tensor, other, *args, **kwargs):
            leaf = doctor._parameter_of(tensor)
            if leaf is None:
                return original(tensor, other, *args, **kwargs)
            frame = user_frame()
            before = tensor._data.copy()
            result = original(tensor, other, *args, **kwargs)
            doctor._check_manual_update(leaf, before, tensor, frame)
            return result
        return update

    def _parameter_of(self, tensor):
        """The leaf that requires grad that ``tensor`` is (or, via ``.data``, shares)."""
        if tensor._requires_grad and tensor._grad_fn is None:
            return tensor
        ref = self._leaf_by_memory.get(id(tensor._data))
        leaf = ref() if ref is not None else None
        if leaf is not None and leaf._data is tensor._data:
            return leaf
        return None

    def _check_manual_update(self, leaf, before, tensor, frame):
        name = self._name(leaf, frame)
        read = self._reads.pop((frame.f_code, frame.f_lineno), None)
        if read and id(leaf) not in read:
            others = ", ".join(f"{self._name(t, frame)}.grad" for t in read.values())
            self._warn("other-grad",
                       f"{name} is updated with {others}, the gradient of another tensor: "
                       f"{name}'s own gradient is {name}.grad.", frame)
        grad = leaf._grad
        if grad is not None and np.any(grad._data) and np.array_equal(before, tensor._data):
            self._warn("no-update",
                       f"this update left {name} unchanged although {name}.grad is nonzero: "
                       "the amount subtracted is zero. Is it computed from a gradient that "
                       "was reset, or from another tensor's gradient?", frame)

    # -- (e), and the reads (b) needs -----------------------------------------------------
    def _wrap_grad_read(self, original):
        doctor = self

        def grad(tensor):
            frame = user_frame()
            if tensor._grad_fn is not None and not tensor._retains_grad:
                name = doctor._name(tensor, frame)
                doctor._warn("non-leaf-grad",
                             f"{name}.grad is read, but {name} is not a leaf: it was computed "
                             f"(by {tensor._grad_fn.name()}), and backward() fills .grad only "
                             "for leaves, the tensors created with requires_grad=True. So "
                             f"this is None. Call {name}.retain_grad() before backward() to "
                             "keep it, or read the .grad of the leaf you meant.", frame)
                return tensor._grad
            if frame is not None:
                if len(doctor._reads) > 1000:
                    doctor._reads.clear()
                doctor._reads.setdefault((frame.f_code, frame.f_lineno), {})[id(tensor)] = tensor
            return original(tensor)
        return grad


def _none():
    return None


def _walk(tensor):
    """The nodes reachable from ``tensor`` and the leaves (``AccumulateGrad`` variables)."""
    root = tensor._grad_fn
    if root is None:
        return [], ([tensor] if tensor._requires_grad else [])
    nodes = [root]
    seen = {root}
    leaves = []
    i = 0
    while i < len(nodes):
        for child, _ in nodes[i].next_functions:
            if child is not None and child not in seen:
                seen.add(child)
                nodes.append(child)
                if child.is_accumulator:
                    leaves.append(child.variable)
        i += 1
    return nodes, leaves


class _CallableModule(types.ModuleType):
    """Lets ``with ember.doctor():`` call the module itself."""

    def __call__(self, window=5):
        return Doctor(window)


def doctor(window=5):
    """A ``Doctor`` context manager (see the module docstring)."""
    return Doctor(window)


sys.modules[__name__].__class__ = _CallableModule
