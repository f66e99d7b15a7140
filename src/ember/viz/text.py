"""The ASCII tree of a ``Graph`` (``str(graph)``), for terminals.

The output is at the top and each node's inputs hang below it, in input order. A node
used more than once is printed in full the first time and referred to by its ``#number``
after. Past ``MAX_INDENT`` levels the indentation starts again from the left, tagged with
the depth, so a chain of 10,000 ops prints 10,000 short lines, not a triangle of spaces.
"""

__all__ = ["ascii_tree"]

MAX_INDENT = 24


def _describe(graph, node, tag):
    lines = graph.label(node)
    text = "  ".join([lines[0] + tag, *lines[1:]])
    return text


def ascii_tree(graph):
    if not graph.nodes:
        return "(no backward graph: the tensor does not require grad)"
    inputs = graph.inputs_of()
    uses = [0] * len(graph.nodes)
    for edge in graph.edges:
        uses[edge.source] += 1
    tags = {}
    for node in graph.nodes:
        if uses[node.index] > 1:
            tags[node.index] = f" #{len(tags) + 1}"
    out = []
    seen = set()
    stack = [(node.index, "", "", 0) for node in reversed(graph.nodes) if node.is_root]
    while stack:
        index, line_prefix, child_prefix, depth = stack.pop()
        node = graph.nodes[index]
        tag = tags.get(index, "")
        if index in seen:
            out.append(f"{line_prefix}{node.name}{tag} (see above)")
            continue
        seen.add(index)
        out.append(line_prefix + _describe(graph, node, tag))
        children = inputs[index]
        marker = ""
        if depth and depth % MAX_INDENT == 0:
            child_prefix, marker = "", f"[depth {depth + 1}] "
        for position in range(len(children) - 1, -1, -1):
            last = position == len(children) - 1
            stack.append((children[position], marker + child_prefix + ("`-- " if last else "|-- "),
                          child_prefix + ("    " if last else "|   "), depth + 1))
    return "\n".join(out)
