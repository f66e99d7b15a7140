"""Graphviz DOT text for a ``Graph``, in torchviz's style: boxes in monospace, leaves light
blue, the output green, edges from each input to the node that used it."""

__all__ = ["to_dot", "fill_color"]

_COLORS = {"leaf": "#add8e6", "root": "#caff70", "op": "#f2f2f2"}


def fill_color(node):
    return _COLORS["root" if node.is_root else node.kind]


def _quote(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(graph):
    lines = ["digraph ember {",
             '  node [shape=box, style="rounded,filled", fontname="monospace", fontsize=10];']
    for node in graph.nodes:
        label = "\\n".join(_quote(line) for line in graph.label(node))
        lines.append(f'  n{node.index} [label="{label}", fillcolor="{fill_color(node)}"];')
    for edge in graph.edges:
        lines.append(f"  n{edge.source} -> n{edge.target};")
    lines.append("}")
    return "\n".join(lines) + "\n"
