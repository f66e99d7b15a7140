"""``ember.autograd.explain(loss)``: run backward and narrate the chain rule.

It runs the real backward pass (so the engine's order, and ``.grad`` afterwards, are
exactly those of ``loss.backward()``), having wrapped, for that one pass, each node's
``backward`` (and each leaf's ``AccumulateGrad.apply``) to record the gradients in and out.
It then prints, node by node in the order the engine ran them:

- the node (its grad_fn name, and the variable it produced when one holds it),
- its local derivative (the op's ``formula``),
- the gradient that flowed in and the one that flowed out to each input,

and, for each leaf, the chain-rule product that reached it: along every path from the
output to the leaf, the local derivatives multiplied (shown as numbers where the values
are single numbers), the paths summed. Gradients shown flowing to an input are after the
engine's own reduction to that input's shape and dtype.
"""

import sys

__all__ = ["explain"]

MAX_PATHS = 8


def _number(value):
    text = f"{value:.4g}"
    return "0" if text == "-0" else text


def _scalar(tensor):
    """The value of a one-element tensor, or None."""
    if tensor is None or tensor._data.size != 1:
        return None
    value = tensor._data.reshape(()).item()
    return value if isinstance(value, float) else float(value)


class _Recorder:
    """Wraps the nodes of one graph for one backward pass, and keeps what flowed."""

    def __init__(self, graph):
        self.steps = []  # (node, grads in, grads out) in the engine's order
        self.wrapped = []
        for graph_node in graph.nodes:
            fn = graph_node.fn
            if fn.is_accumulator:
                fn.apply = self._accumulate(fn, fn.apply)
                self.wrapped.append((fn, "apply"))
            else:
                fn.backward = self._backward(fn, fn.backward)
                self.wrapped.append((fn, "backward"))

    def _backward(self, fn, original):
        def backward(*grads):
            result = original(*grads)
            outputs = result if isinstance(result, (tuple, list)) else (result,)
            self.steps.append((fn, grads, tuple(outputs)))
            return result
        return backward

    def _accumulate(self, fn, original):
        def apply(grad, create_graph=False):
            self.steps.append((fn, (grad,), ()))
            return original(grad, create_graph)
        return apply

    def restore(self):
        for fn, attribute in self.wrapped:
            fn.__dict__.pop(attribute, None)


def _reduced(grad, meta):
    from .engine import _reduce_to_input
    if grad is None or meta is None:
        return grad
    if grad._data.shape != meta[0] or grad._data.dtype != meta[1]:
        return _reduce_to_input(grad, meta)
    return grad


class _Report:
    def __init__(self, root, steps, names, op_names, out):
        from ..viz.describe import short
        self.short = short
        self.root = root
        self.steps = steps
        self.names = names
        self.op_names = op_names
        self.out = out
        self.number = {fn: i + 1 for i, (fn, _, _) in enumerate(steps)}
        self.root_name = names.get(id(root)) or op_names.get(root._grad_fn) or "output"
        # Gradients along each edge (consumer node, input position), after reduction.
        self.flow = {}
        for fn, _, outputs in steps:
            for position, grad in enumerate(outputs):
                meta = fn._input_meta[position] if position < len(fn._input_meta) else None
                self.flow[(fn, position)] = _reduced(grad, meta)

    def write(self, text=""):
        print(text, file=self.out)

    def leaf_name(self, variable):
        return self.names.get(id(variable)) or f"leaf {tuple(variable.shape)}"

    def node_title(self, fn):
        if fn.is_accumulator:
            return f"{fn.name()}  ({self.leaf_name(fn.variable)})"
        name = self.op_names.get(fn)
        return f"{fn.name()}  ({name})" if name else fn.name()

    def print_steps(self, seed):
        self.write(f"backward from {self.root_name} = {self.short(self.root)}, seeded with "
                   f"d{self.root_name}/d{self.root_name} = {self.short(seed)}")
        for fn, grads, _ in self.steps:
            self.write(f"[{self.number[fn]}] {self.node_title(fn)}")
            if fn.is_accumulator:
                name = self.leaf_name(fn.variable)
                self.write("    local derivative: none; the gradient is added into .grad")
                self.write(f"    grad in : {self.short(grads[0])}")
                self.write(f"    {name}.grad is now {self.short(fn.variable._grad)}")
                continue
            self.write(f"    local derivative: {type(fn).formula or '(not documented)'}")
            for k, grad in enumerate(grads):
                label = "grad in " if len(grads) == 1 else f"grad in [{k}]"
                self.write(f"    {label}: {self.short(grad)}")
            for position, (child, _) in enumerate(fn.next_functions):
                if child is None:
                    self.write(f"    input {position}: no gradient (it does not require grad)")
                    continue
                grad = self.flow.get((fn, position))
                target = f"[{self.number[child]}] " if child in self.number else ""
                self.write(f"    grad out -> {target}{self.node_title(child)}: "
                           f"{self.short(grad)}")

    def print_chain(self, grads_in):
        self.write()
        self.write(f"chain rule: d{self.root_name}/d(leaf) = sum, over the paths from "
                   f"{self.root_name} to the leaf,")
        self.write("            of the product of the local derivatives along the path")
        root_fn = self.steps[0][0] if self.steps else None
        seed = grads_in.get(root_fn)
        for fn, grads, _ in self.steps:
            if not fn.is_accumulator:
                continue
            name = self.leaf_name(fn.variable)
            paths = self.paths(root_fn, fn)
            total = self.short(grads[0])
            head = f"  d{self.root_name}/d{name} = "
            if paths is None:
                self.write(f"{head}(more than {MAX_PATHS} paths) = {total}")
                continue
            terms = [self.product(path, seed) for path in paths]
            if len(terms) == 1:
                text, value = terms[0]
                self.write(head + text + (f" = {_number(value)}" if value is not None
                                          else f" = {total}"))
            else:
                self.write(f"{head}sum of {len(terms)} paths = {total}")
                for text, value in terms:
                    self.write(f"      {text}" + ("" if value is None else f" = {_number(value)}"))

    def paths(self, root_fn, leaf_fn):
        """Every path (a list of (node, input position)) from the root down to the leaf
        along which a gradient flowed; None past MAX_PATHS."""
        found = []
        stack = [(root_fn, [])]
        while stack:
            fn, path = stack.pop()
            if fn is leaf_fn:
                found.append(path)
                if len(found) > MAX_PATHS:
                    return None
                continue
            for position in range(len(fn.next_functions) - 1, -1, -1):
                child = fn.next_functions[position][0]
                if child is not None and self.flow.get((fn, position)) is not None:
                    stack.append((child, path + [(fn, position)]))
        return found

    def product(self, path, seed):
        """``("1 (seed) x -1 (PowBackward0) x ...", value)``: the factors along a path as
        numbers where every gradient on it is one number (value None otherwise, and the
        factors that are Jacobians are written ``J[node]``)."""
        value = _scalar(seed)
        factors = [f"{self.short(seed)} (seed)" if value is None else f"{_number(value)} (seed)"]
        for fn, position in path:
            into = _scalar(self.step_input(fn))
            out = _scalar(self.flow.get((fn, position)))
            if value is not None and into not in (None, 0.0) and out is not None:
                local = out / into
                value *= local
                factors.append(f"{_number(local)} ({fn.name()})")
            else:
                value = None
                factors.append(f"J[{fn.name()}]")
        return " x ".join(factors), value

    def step_input(self, fn):
        for node, grads, _ in self.steps:
            if node is fn:
                return grads[0]
        return None


def explain(tensor, gradient=None, retain_graph=None, params=None, names=None, file=None):
    """Run ``tensor.backward(gradient)``, printing how the chain rule computed each gradient.

    Leaves are named by ``params``/``names`` (as ``ember.viz.graph``) or by the caller's
    variables. Returns ``{leaf name: gradient that reached it in this pass}``; ``.grad``
    is left as ``backward()`` leaves it.
    """
    import numpy as np

    from .._tensor import Tensor
    from ..viz.describe import named_tensors, output_names, user_frame
    from ..viz.walk import Graph
    frame = user_frame(sys._getframe(1)) if params is None and names is None else None
    pairs = named_tensors(frame, params, names)
    leaf_names = {id(t): name for t, name in pairs}
    graph = Graph([tensor], leaf_names)
    if not graph.nodes:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                           "grad_fn")
    if gradient is None and tensor._data.size == 1:
        seed = Tensor._from_array(np.ones(tensor._data.shape, dtype=tensor._data.dtype))
    else:
        seed = gradient
    recorder = _Recorder(graph)
    try:
        tensor.backward(gradient, retain_graph=retain_graph)
    finally:
        recorder.restore()
    report = _Report(tensor, recorder.steps, leaf_names, output_names(pairs),
                     sys.stdout if file is None else file)
    report.print_steps(seed if seed is not None else recorder.steps[0][1][0])
    report.print_chain({fn: grads[0] for fn, grads, _ in recorder.steps})
    result = {}
    for fn, grads, _ in recorder.steps:
        if fn.is_accumulator:
            result[report.leaf_name(fn.variable)] = grads[0]
    return result
