"""SVG for a ``Graph``, drawn from ``layout.layered_layout``: one ``<g class="node">`` per
graph node (a rounded box with its label lines), one ``<g class="edge">`` per edge (a
smooth path through the edge's dummy points, ending in an arrow at the consumer)."""

from xml.sax.saxutils import escape

from .dot import fill_color
from .layout import layered_layout

__all__ = ["to_svg"]

FONT_SIZE = 12
CHAR_WIDTH = 7.2  # a monospace glyph at FONT_SIZE, close enough to size boxes
LINE_HEIGHT = 16
PAD_X = 8
PAD_Y = 6
MARGIN = 12


def _size(lines):
    width = max(len(line) for line in lines) * CHAR_WIDTH + 2 * PAD_X
    return width, len(lines) * LINE_HEIGHT + 2 * PAD_Y


def _path(points):
    """A path through ``points`` with vertical tangents, so edges leave and enter straight."""
    (x0, y0), rest = points[0], points[1:]
    parts = [f"M{x0:.1f},{y0:.1f}"]
    for x1, y1 in rest:
        middle = (y0 + y1) / 2
        parts.append(f"C{x0:.1f},{middle:.1f} {x1:.1f},{middle:.1f} {x1:.1f},{y1:.1f}")
        x0, y0 = x1, y1
    return " ".join(parts)


def _entry_points(graph, centres, sizes, routes):
    """Where each edge meets its target: spread along the top edge, ordered left to right
    by where the edges come from, so they do not cross at the last moment."""
    by_target = {}
    for i, edge in enumerate(graph.edges):
        by_target.setdefault(edge.target, []).append(i)
    entries = [None] * len(graph.edges)
    for target, incoming in by_target.items():
        incoming.sort(key=lambda i: routes[i][-2][0])
        x, y = centres[target]
        width, height = sizes[target]
        step = min(14.0, (width - 2 * PAD_X) / max(len(incoming), 1))
        start = x - step * (len(incoming) - 1) / 2
        for k, i in enumerate(incoming):
            entries[i] = (start + k * step, y - height / 2)
    return entries


def to_svg(graph):
    labels = [graph.label(node) for node in graph.nodes]
    sizes = [_size(lines) for lines in labels]
    centres, routes = layered_layout(sizes, [(e.source, e.target) for e in graph.edges])
    centres = [(x + MARGIN, y + MARGIN) for x, y in centres]
    routes = [[(x + MARGIN, y + MARGIN) for x, y in route] for route in routes]
    entries = _entry_points(graph, centres, sizes, routes)
    width = max((x + w / 2 for (x, _), (w, _) in zip(centres, sizes)), default=0) + MARGIN
    height = max((y + h / 2 for (_, y), (_, h) in zip(centres, sizes)), default=0) + MARGIN
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.1f} {height:.1f}" font-family="monospace" '
        f'font-size="{FONT_SIZE}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#555"/></marker></defs>',
    ]
    for i, edge in enumerate(graph.edges):
        x, y = centres[edge.source]
        points = [(x, y + sizes[edge.source][1] / 2), *routes[i][1:-1], entries[i]]
        out.append(f'<g class="edge"><title>{edge.source}-&gt;{edge.target}</title>'
                   f'<path d="{_path(points)}" fill="none" stroke="#555" '
                   'stroke-width="1.2" marker-end="url(#arrow)"/></g>')
    for node, lines, (x, y), (w, h) in zip(graph.nodes, labels, centres, sizes):
        out.append(f'<g class="node" id="node{node.index}"><title>{escape(lines[0])}</title>')
        out.append(f'<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w:.1f}" '
                   f'height="{h:.1f}" rx="5" fill="{fill_color(node)}" stroke="#333"/>')
        top = y - h / 2 + PAD_Y + LINE_HEIGHT * 0.75
        for k, line in enumerate(lines):
            weight = ' font-weight="bold"' if k == 0 else ""
            out.append(f'<text x="{x:.1f}" y="{top + k * LINE_HEIGHT:.1f}" '
                       f'text-anchor="middle"{weight}>{escape(line)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
