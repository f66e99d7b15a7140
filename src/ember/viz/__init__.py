"""ember.viz: see the backward graph.

``ember.viz.graph(loss)`` returns a ``Graph`` with one node per grad_fn (PyTorch's names)
and per leaf's ``AccumulateGrad``. Print it for an ASCII tree, ``to_dot()`` for Graphviz,
``to_svg()`` for a picture laid out by ember itself (no Graphviz binary), ``save(path)``
for a file; in Jupyter it displays as SVG.
"""

from .walk import Edge, Graph, GraphNode, graph

__all__ = ["graph", "Graph", "GraphNode", "Edge"]
