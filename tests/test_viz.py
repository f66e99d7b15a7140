"""ember.viz: the drawn graph is the real backward graph, node for node and edge for edge.

Structures are compared with PyTorch's graph for the same computation, walked through
``next_functions`` in the same breadth-first order the DOT output lists.
"""

import collections
import re
import sys
import xml.etree.ElementTree as ET

import pytest
import torch

import ember
from ember import viz
from ember.viz.layout import _Layers, layered_layout

SVG = "{http://www.w3.org/2000/svg}"


def torch_structure(tensor):
    """(names, edges) of PyTorch's graph, breadth-first from the root, as ember lists it."""
    index = {tensor.grad_fn: 0}
    names = [type(tensor.grad_fn).__name__]
    edges = []
    queue = collections.deque([tensor.grad_fn])
    while queue:
        fn = queue.popleft()
        for child, _ in fn.next_functions:
            if child is None:
                continue
            if child not in index:
                index[child] = len(names)
                names.append(type(child).__name__)
                queue.append(child)
            edges.append((index[child], index[fn]))
    return names, edges


def dot_structure(dot):
    """(names, edges, labels) parsed back out of ember's DOT text."""
    nodes = re.findall(r'^  n(\d+) \[label="(.*)", fillcolor="[^"]*"\];$', dot, re.M)
    assert [int(i) for i, _ in nodes] == list(range(len(nodes)))
    labels = [label.split("\\n") for _, label in nodes]
    edges = [(int(a), int(b)) for a, b in re.findall(r"^  n(\d+) -> n(\d+);$", dot, re.M)]
    return [lines[0] for lines in labels], edges, labels


def tutorial(lib):
    x = lib.tensor(1.0)
    y = lib.tensor(2.0)
    w = lib.tensor(1.5, requires_grad=True)
    return w, (w * x - y) ** 2


def mlp(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))
    x = lib.randn(5, 3)
    y = lib.randn(5, 2)
    return model, lib.nn.MSELoss()(model(x), y)


def test_tutorial_graph_matches_pytorch():
    w, loss = tutorial(ember)
    names, edges, labels = dot_structure(viz.graph(loss, names={w: "w"}).to_dot())
    assert (names, edges) == torch_structure(tutorial(torch)[1])
    assert names == ["PowBackward0", "SubBackward0", "MulBackward0", "AccumulateGrad"]
    assert labels[3] == ["AccumulateGrad", "w: () float32"]


def test_mlp_graph_matches_pytorch_and_names_parameters():
    model, loss = mlp(ember)
    graph = viz.graph(loss, params=dict(model.named_parameters()))
    names, edges, labels = dot_structure(graph.to_dot())
    assert (names, edges) == torch_structure(mlp(torch)[1])
    leaves = sorted(lines[1] for lines in labels if lines[0] == "AccumulateGrad")
    assert leaves == ["0.bias: (4,) float32", "0.weight: (4, 3) float32",
                      "2.bias: (2,) float32", "2.weight: (2, 4) float32"]
    assert len(graph) == len(names) == 10 and len(graph.edges) == len(edges) == 9


def test_leaf_gradients_show_after_backward():
    w, loss = tutorial(ember)
    graph = viz.graph(loss, names={"w": w})  # taken before backward, labels read later
    assert "grad:" not in graph.to_dot()
    loss.backward()
    assert dot_structure(graph.to_dot())[2][3] == ["AccumulateGrad", "w: () float32",
                                                   "grad: tensor(-1.)"]


def test_leaves_and_output_are_named_after_the_callers_variables():
    x = ember.tensor([1.0, 2.0])
    w = ember.tensor([0.5, 0.25], requires_grad=True)
    loss = (w * x).sum()
    labels = dot_structure(viz.graph(loss).to_dot())[2]
    assert labels[0] == ["SumBackward0", "loss: () float32"]
    assert labels[-1] == ["AccumulateGrad", "w: (2,) float32"]


def test_saved_tensors_on_request():
    w, loss = tutorial(ember)
    labels = dot_structure(viz.graph(loss, names={w: "w"}, show_saved=True).to_dot())[2]
    assert "saved self: w: () float32" in labels[2]      # MulBackward0 saved both operands
    assert "saved other: () float32" in labels[2]
    assert "ctx: 2" in labels[0]                           # PowBackward0's exponent
    assert "saved" not in " ".join(dot_structure(viz.graph(loss).to_dot())[2][2])
    loss.backward()
    labels = dot_structure(viz.graph(loss, show_saved=True).to_dot())[2]
    assert "saved: freed by backward()" in labels[2]


def test_svg_is_well_formed_with_one_group_per_node():
    model, loss = mlp(ember)
    graph = viz.graph(loss, params=dict(model.named_parameters()))
    root = ET.fromstring(graph.to_svg().encode())
    groups = root.findall(f"{SVG}g")
    nodes = [g for g in groups if g.get("class") == "node"]
    edges = [g for g in groups if g.get("class") == "edge"]
    assert len(nodes) == len(graph.nodes) and len(edges) == len(graph.edges)
    assert [g.find(f"{SVG}title").text for g in nodes] == [n.name for n in graph.nodes]
    assert graph._repr_svg_() == graph.to_svg()


def test_ascii_tree():
    w, loss = tutorial(ember)
    assert str(viz.graph(loss, names={w: "w"})) == (
        "PowBackward0  output: () float32\n"
        "`-- SubBackward0\n"
        "    `-- MulBackward0\n"
        "        `-- AccumulateGrad  w: () float32")
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    text = str(viz.graph((b * b).sum(), names={a: "a"}))
    assert "|-- MulBackward0 #1\n" in text and "`-- MulBackward0 #1 (see above)" in text
    assert str(viz.graph(ember.ones(2))) == ("(no backward graph: the tensor does not "
                                             "require grad)")


def test_a_chain_of_ten_thousand_ops():
    limit = sys.getrecursionlimit()
    x = ember.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0
    graph = viz.graph(y, names={x: "x"})
    assert len(graph) == 10_001 and len(graph.edges) == 10_000
    text = str(graph)
    assert text.count("\n") == 10_000
    assert max(map(len, text.splitlines())) < 140  # indentation restarts, never a triangle
    assert text.endswith("AccumulateGrad  x: () float32")
    assert graph.to_dot().count(" -> ") == 10_000
    nodes = ET.fromstring(graph.to_svg().encode()).findall(f"{SVG}g[@class='node']")
    assert len(nodes) == 10_001
    assert sys.getrecursionlimit() == limit


def test_save(tmp_path, monkeypatch):
    _, loss = tutorial(ember)
    graph = viz.graph(loss)
    graph.save(tmp_path / "g.svg")
    graph.save(tmp_path / "g.dot")
    assert (tmp_path / "g.svg").read_text() == graph.to_svg()
    assert (tmp_path / "g.dot").read_text() == graph.to_dot()
    with pytest.raises(ValueError, match="use .svg, .dot or .png"):
        graph.save(tmp_path / "g.jpg")
    # No converter at all: the error says what to install.
    monkeypatch.setitem(sys.modules, "cairosvg", None)
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(RuntimeError, match="pip install cairosvg"):
        graph.save(tmp_path / "g.png")


def test_layout_points_every_edge_down_and_keeps_nodes_apart():
    model, loss = mlp(ember)
    graph = viz.graph(loss)
    sizes = [(40.0 + 10 * i, 20.0) for i in range(len(graph))]
    edges = [(e.source, e.target) for e in graph.edges]
    centres, routes = layered_layout(sizes, edges)
    for (source, target), route in zip(edges, routes):
        assert centres[source][1] < centres[target][1]
        assert route[0] == centres[source] and route[-1] == centres[target]
    for i, (xi, yi) in enumerate(centres):
        for j, (xj, yj) in enumerate(centres[:i]):
            if yi == yj:
                assert abs(xi - xj) >= (sizes[i][0] + sizes[j][0]) / 2


def test_crossing_reduction_untangles():
    # Layer 0: a, b; layer 1: c, d, with a -> d and b -> c: one crossing as first ordered.
    layers = _Layers(4, [(0, 3), (1, 2)])
    assert layers.layers == [[0, 1], [2, 3]] and layers.crossings() == 1
    layers.reduce_crossings()
    assert layers.crossings() == 0
