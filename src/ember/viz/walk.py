"""The walk: the ``Graph`` of a tensor's backward pass, as ``ember.viz.graph`` returns it.

One node per grad_fn reachable from the tensor (PyTorch's class names: ``MulBackward0``)
and one per leaf's ``AccumulateGrad``; edges run from an input's node to the node that
consumed it, the direction the forward pass went (so leaves are drawn at the top and the
output at the bottom, as torchviz draws them). The walk is a queue, never recursion, so
graphs of any depth are fine.

Labels are built when a view is rendered, not when the graph is taken, so a graph taken
before ``backward()`` shows the leaves' ``.grad`` once it has run.
"""

import collections
import os
import shutil
import subprocess
import sys

from .describe import short, tensor_names, tensor_text, user_frame

__all__ = ["Graph", "GraphNode", "Edge", "graph"]

Edge = collections.namedtuple("Edge", ["source", "target", "input", "output_nr"])
Edge.__doc__ = "``source``'s result is input number ``input`` of ``target`` (node indices)."

# PyTorch's names for saved values: ``_saved_self``, ``_saved_other``, ``_saved_result``.
_SAVED_NAMES = {0: "self", 1: "other", "result": "result"}


class GraphNode:
    """One node: ``name`` (the grad_fn class), ``kind`` ("op" or "leaf"), and the objects."""

    __slots__ = ("index", "name", "kind", "fn", "tensor", "is_root")

    def __init__(self, index, fn, is_root=False):
        self.index = index
        self.fn = fn
        self.name = type(fn).__name__
        self.kind = "leaf" if fn.is_accumulator else "op"
        self.tensor = fn.variable if fn.is_accumulator else None
        self.is_root = is_root

    def __repr__(self):
        return f"<GraphNode {self.index}: {self.name}>"


class Graph:
    """A backward graph: ``nodes`` (roots first, then breadth-first) and ``edges``."""

    def __init__(self, roots, names=None, show_saved=False):
        self.nodes = []
        self.edges = []
        self.roots = roots
        self.names = names or {}
        self.show_saved = show_saved
        self._walk()

    def _walk(self):
        index = {}
        queue = collections.deque()
        for tensor in self.roots:
            fn = _root_node(tensor)
            if fn is not None and fn not in index:
                index[fn] = len(self.nodes)
                self.nodes.append(GraphNode(len(self.nodes), fn, is_root=True))
                queue.append(fn)
        while queue:
            fn = queue.popleft()
            target = index[fn]
            for position, (child, output_nr) in enumerate(fn.next_functions):
                if child is None:
                    continue
                source = index.get(child)
                if source is None:
                    source = index[child] = len(self.nodes)
                    self.nodes.append(GraphNode(source, child))
                    queue.append(child)
                self.edges.append(Edge(source, target, position, output_nr))

    def __len__(self):
        return len(self.nodes)

    def inputs_of(self):
        """For each node, the indices of the nodes feeding it, in input order."""
        inputs = [[] for _ in self.nodes]
        for edge in self.edges:
            inputs[edge.target].append(edge.source)
        return inputs

    # -- labels ---------------------------------------------------------------------------
    def name_of(self, tensor):
        return self.names.get(id(tensor))

    def label(self, node):
        """The lines shown for ``node``: its name, then what it holds."""
        lines = [node.name]
        if node.kind == "leaf":
            variable = node.tensor
            lines.append(tensor_text(variable, self.name_of(variable)))
            if variable._grad is not None:
                lines.append("grad: " + short(variable._grad))
        elif node.is_root:
            for tensor in self.roots:
                if tensor._grad_fn is node.fn:
                    lines.append(tensor_text(tensor, self.name_of(tensor) or "output"))
        if self.show_saved and node.kind == "op":
            lines.extend(self._saved_lines(node.fn))
        return lines

    def _saved_lines(self, fn):
        specs = type(fn).saves
        lines = []
        if specs:
            if fn._saved is None:
                return ["saved: freed by backward()"]
            for spec, entry in zip(specs, fn._saved):
                label = _SAVED_NAMES.get(spec, f"input {spec}")
                lines.append(f"saved {label}: {self._saved_text(entry)}")
        if fn.ctx is not None and len(repr(fn.ctx)) <= 40:
            lines.append(f"ctx: {fn.ctx!r}")
        return lines

    def _saved_text(self, entry):
        if len(entry) == 1:
            return short(entry[0])
        if len(entry) == 2:
            return tensor_text(entry[0], self.name_of(entry[0]))
        data, _, _, dtype = entry
        return tensor_text(_Described(data.shape, dtype))

    # -- views ----------------------------------------------------------------------------
    def to_dot(self):
        """Graphviz DOT text (render with ``dot -Tsvg``)."""
        from .dot import to_dot
        return to_dot(self)

    def to_svg(self):
        """SVG text from ember's own layered layout: no Graphviz needed."""
        from .svg import to_svg
        return to_svg(self)

    def _repr_svg_(self):
        return self.to_svg()

    def __str__(self):
        from .text import ascii_tree
        return ascii_tree(self)

    def __repr__(self):
        return f"<ember.viz.Graph: {len(self.nodes)} nodes, {len(self.edges)} edges>"

    def save(self, path):
        """Write the graph to ``path``: ``.svg``, ``.dot``/``.gv``, or ``.png``."""
        path = os.fspath(path)
        extension = os.path.splitext(path)[1].lower()
        if extension in (".dot", ".gv"):
            _write(path, self.to_dot())
        elif extension == ".svg":
            _write(path, self.to_svg())
        elif extension == ".png":
            _write_png(path, self)
        else:
            raise ValueError(f"cannot save a graph as '{extension or path}': use .svg, .dot "
                             "or .png")
        return path


class _Described:
    """Shape and dtype of a saved result, which is kept as an array, not a tensor."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        self.shape = shape
        self.dtype = dtype


def _root_node(tensor):
    if tensor._grad_fn is not None:
        return tensor._grad_fn
    if tensor._requires_grad:
        return tensor._get_accumulator()
    return None


def _write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _write_png(path, graph):
    """PNG through whichever converter is installed: cairosvg, rsvg-convert or Graphviz."""
    try:
        import cairosvg
    except ImportError:
        cairosvg = None
    if cairosvg is not None:
        cairosvg.svg2png(bytestring=graph.to_svg().encode("utf-8"), write_to=path)
        return
    rsvg = shutil.which("rsvg-convert")
    if rsvg is not None:
        subprocess.run([rsvg, "-f", "png", "-o", path], input=graph.to_svg().encode("utf-8"),
                       check=True)
        return
    dot = shutil.which("dot")
    if dot is not None:
        subprocess.run([dot, "-Tpng", "-o", path], input=graph.to_dot().encode("utf-8"),
                       check=True)
        return
    raise RuntimeError(
        "saving a graph as PNG needs a converter, and none is installed: `pip install "
        "cairosvg`, or install rsvg-convert (librsvg) or Graphviz (`dot`). Saving as .svg "
        "or .dot needs nothing.")


def graph(tensor, params=None, names=None, show_saved=False):
    """The backward graph reachable from ``tensor`` (or a list of tensors).

    ``params=dict(model.named_parameters())`` or ``names={tensor: "w"}`` name the leaves;
    with neither, leaves are named after the caller's variables that hold them.
    ``show_saved=True`` lists what each op saved for its derivative.
    """
    roots = list(tensor) if isinstance(tensor, (list, tuple)) else [tensor]
    frame = user_frame(sys._getframe(1)) if params is None and names is None else None
    return Graph(roots, tensor_names(frame, params, names), show_saved)
