"""A layered (Sugiyama-style) layout for a DAG, in plain Python: no Graphviz.

1. Layering by longest path from the sinks: the output sits in the bottom layer and each
   node one layer above the highest node that uses it, so inputs stay close to their
   first consumer and every edge points down.
2. Edges spanning several layers get a dummy node in each layer they cross, so that they
   take part in ordering and are routed around nodes.
3. Crossing reduction: barycentre sweeps, down then up; the ordering with the fewest
   crossings seen is kept.
4. Horizontal positions: each node is pulled toward the mean position of its neighbours
   in the adjacent layer, subject to nodes not overlapping. For one layer that is an
   isotonic regression, solved exactly by pool-adjacent-violators.

Everything is linear (or n log n) per sweep, so a few thousand nodes lay out quickly.
"""

__all__ = ["layered_layout"]

LAYER_GAP = 44
NODE_GAP = 18
DUMMY_WIDTH = 6
SWEEPS = 8
PLACEMENT_PASSES = 6


def _ranks(n, edges):
    """Longest-path rank from the sinks (rank 0); ``edges`` are ``(source, target)``."""
    inputs = [[] for _ in range(n)]
    pending = [0] * n
    for source, target in edges:
        inputs[target].append(source)
        pending[source] += 1
    rank = [0] * n
    ready = [v for v in range(n) if pending[v] == 0]
    while ready:
        v = ready.pop()
        for source in inputs[v]:
            if rank[v] + 1 > rank[source]:
                rank[source] = rank[v] + 1
            pending[source] -= 1
            if pending[source] == 0:
                ready.append(source)
    return rank


def _inversions(values):
    """Number of pairs i < j with values[i] > values[j] (merge sort)."""
    values = list(values)
    count = 0
    width = 1
    n = len(values)
    while width < n:
        merged = []
        for start in range(0, n, 2 * width):
            left = values[start:start + width]
            right = values[start + width:start + 2 * width]
            i = j = 0
            while i < len(left) and j < len(right):
                if right[j] < left[i]:
                    merged.append(right[j])
                    count += len(left) - i
                    j += 1
                else:
                    merged.append(left[i])
                    i += 1
            merged.extend(left[i:])
            merged.extend(right[j:])
        values = merged
        width *= 2
    return count


class _Layers:
    """The layers (top first) with dummy nodes, and the segments between adjacent layers."""

    def __init__(self, n, edges):
        rank = _ranks(n, edges)
        depth = max(rank, default=0)
        self.layer_of = [depth - r for r in rank]
        self.routes = []
        self.up = [[] for _ in range(n)]
        self.down = [[] for _ in range(n)]
        for source, target in edges:
            route = [source]
            for layer in range(self.layer_of[source] + 1, self.layer_of[target]):
                dummy = len(self.layer_of)
                self.layer_of.append(layer)
                self.up.append([])
                self.down.append([])
                route.append(dummy)
            route.append(target)
            for upper, lower in zip(route, route[1:]):
                self.down[upper].append(lower)
                self.up[lower].append(upper)
            self.routes.append(route)
        self.layers = [[] for _ in range(depth + 1)]
        # First order: the input order of the walk, which already tends to be good.
        for v in range(len(self.layer_of)):
            self.layers[self.layer_of[v]].append(v)
        self.position = [0] * len(self.layer_of)
        self._number()

    def _number(self):
        for layer in self.layers:
            for i, v in enumerate(layer):
                self.position[v] = i

    def crossings(self):
        total = 0
        position = self.position
        for layer in self.layers[:-1]:
            pairs = sorted((position[u], position[w]) for u in layer for w in self.down[u])
            total += _inversions(w for _, w in pairs)
        return total

    def _sweep(self, layers, neighbours):
        position = self.position
        for layer in layers:
            keyed = []
            for v in layer:
                around = neighbours[v]
                key = sum(position[u] for u in around) / len(around) if around else position[v]
                keyed.append((key, position[v], v))
            keyed.sort()
            layer[:] = [v for _, _, v in keyed]
            for i, v in enumerate(layer):
                position[v] = i

    def reduce_crossings(self):
        best = self.crossings()
        best_layers = [list(layer) for layer in self.layers]
        for _ in range(SWEEPS):
            if best == 0:
                break
            self._sweep(self.layers[1:], self.up)
            self._sweep(self.layers[-2::-1], self.down)
            count = self.crossings()
            if count < best:
                best = count
                best_layers = [list(layer) for layer in self.layers]
        self.layers = best_layers
        self._number()


def _isotonic(targets, weights):
    """The nondecreasing sequence closest to ``targets`` in weighted least squares."""
    blocks = []  # [mean, weight, count]
    for t, w in zip(targets, weights):
        blocks.append([t, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks[-1]
            blocks[-1] = [(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2]
    out = []
    for mean, _, count in blocks:
        out.extend([mean] * count)
    return out


def _place(layer, desired, widths, weights):
    """Centres for one layer's nodes, in order, closest to ``desired`` (one value per node
    of the layer), never overlapping."""
    offsets = [0.0]
    for a, b in zip(layer, layer[1:]):
        offsets.append(offsets[-1] + (widths[a] + widths[b]) / 2 + NODE_GAP)
    fitted = _isotonic([d - o for d, o in zip(desired, offsets)],
                       [weights[v] for v in layer])
    return [f + o for f, o in zip(fitted, offsets)]


def layered_layout(sizes, edges):
    """Centres ``[(x, y)]`` for nodes of ``sizes[i] = (width, height)`` and, per edge, its
    route: the list of points it passes through (dummy node centres)."""
    n = len(sizes)
    layers = _Layers(n, edges)
    layers.reduce_crossings()
    total = len(layers.layer_of)
    widths = [w for w, _ in sizes] + [DUMMY_WIDTH] * (total - n)
    heights = [h for _, h in sizes] + [0] * (total - n)
    # Real nodes pull harder than dummies, so edges bend rather than boxes.
    weights = [4.0] * n + [1.0] * (total - n)
    x = [0.0] * total
    for layer in layers.layers:
        placed = _place(layer, [0.0] * len(layer), widths, weights)
        for v, value in zip(layer, placed):
            x[v] = value
    passes = [(layers.layers[1:], layers.up), (layers.layers[-2::-1], layers.down)]
    for i in range(PLACEMENT_PASSES):
        order, neighbours = passes[i % 2]
        for layer in order:
            desired = [sum(x[u] for u in neighbours[v]) / len(neighbours[v])
                       if neighbours[v] else x[v] for v in layer]
            for v, value in zip(layer, _place(layer, desired, widths, weights)):
                x[v] = value
    left = min((x[v] - widths[v] / 2 for v in range(total)), default=0.0)
    x = [value - left for value in x]
    y = [0.0] * total
    top = 0.0
    for layer in layers.layers:
        height = max((heights[v] for v in layer), default=0)
        for v in layer:
            y[v] = top + height / 2
        top += height + LAYER_GAP
    centres = [(x[v], y[v]) for v in range(n)]
    routes = [[(x[v], y[v]) for v in route] for route in layers.routes]
    return centres, routes
