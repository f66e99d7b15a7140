"""Index contractions: ``einsum``, ``tensordot``, ``inner`` and ``kron``.

The forward is one ``numpy.einsum`` (``optimize=True`` picks the contraction order). The
derivative for each operand is again an einsum: the gradient of the output contracted with
every other operand, onto that operand's labels. Two cases need more than that:
- a label repeated in one operand (``"ii"``, a diagonal) gets its gradient on the diagonal
  only: the einsum is taken onto the distinct labels, then spread with identity matrices;
- a label that only that operand has and the output lacks (summed away) gets a gradient
  that is constant along it: unsqueeze and expand.
Since these are einsums, double backward works.

PyTorch builds einsum out of permutes, sums, muls and bmm, so its grad_fn is its last step.
With one operand: ``SumBackward1`` if a label is summed, else ``PermuteBackward0``. With
more, operands are combined left to right, and the last combination is a bmm (then a view:
``ViewBackward0``) if it sums a label, else a plain multiply (``MulBackward0``). ember
records one node, named by that rule. ``tensordot`` and ``inner`` show ``ViewBackward0``,
``kron`` ``UnsafeViewBackward0``, as in PyTorch.
"""

import string

import numpy as np

from ._dispatch import Op, _state, record, wrap
from .linalg import scalar_name

__all__ = ["einsum", "tensordot", "inner", "kron"]
FUNCTION_ONLY = ["einsum", "tensordot"]

_LETTERS = string.ascii_uppercase + string.ascii_lowercase


class _Contraction(Op):
    """``einsum(equation, *operands)``; ``ctx`` holds each operand's labels and the output's."""

    formula = "d(einsum)/d(operand k) = einsum(grad, other operands -> labels of k)"

    def backward(self, grad):
        from .._tensor import Tensor
        inputs, output = self.ctx
        operands = self.saved_tensors
        grads = []
        for k, labels in enumerate(inputs):
            if not self.needs_input_grad(k):
                grads.append(None)
                continue
            others = [(grad, output)] + [(operands[j], inputs[j])
                                         for j in range(len(inputs)) if j != k]
            grads.append(_gradient_onto(labels, others, self._input_meta[k][0], Tensor))
        return tuple(grads)


def _gradient_onto(labels, others, shape, Tensor):
    """The contraction of ``others`` onto ``labels`` (with repeats and missing labels)."""
    distinct = "".join(dict.fromkeys(labels))
    available = set("".join(lab for _, lab in others))
    present = "".join(c for c in distinct if c in available)
    result = _contract([t for t, _ in others], [lab for _, lab in others], present)
    sizes = {c: shape[labels.index(c)] for c in distinct}
    if present != distinct:
        # Labels only this operand has were summed away: the gradient is constant along them.
        for position, c in enumerate(distinct):
            if c not in available:
                result = result.unsqueeze(position)
        result = result.expand(*[sizes[c] for c in distinct])
    if distinct == labels:
        return result
    # A repeated label is a diagonal: spread the gradient onto it with identity matrices.
    fresh = iter(c for c in _LETTERS if c not in labels and c not in available)
    renamed, extra, extra_labels = [], [], []
    seen = set()
    for c in labels:
        if c in seen:
            f = next(fresh)
            renamed.append(f)
            extra.append(Tensor._from_array(np.eye(sizes[c], dtype=result._data.dtype)))
            extra_labels.append(c + f)
        else:
            seen.add(c)
            renamed.append(c)
    return _contract([result] + extra, [distinct] + extra_labels, "".join(renamed))


def _node_class(labels, output):
    """PyTorch's last step for this contraction (see the module docstring)."""
    summed = {c for lab in labels for c in lab} - set(output)
    if len(labels) == 1:
        return _SUM if summed else _PERMUTE
    last = len(labels) - 1
    last_use = {c: i for i, lab in enumerate(labels) for c in lab}
    if any(last_use[c] == last or last == 1 for c in summed):
        return _VIEW
    return _MUL


_SUM = type("SumBackward1", (_Contraction,), {"__slots__": ()})
_PERMUTE = type("PermuteBackward0", (_Contraction,), {"__slots__": ()})
_VIEW = type("ViewBackward0", (_Contraction,), {"__slots__": ()})
_MUL = type("MulBackward0", (_Contraction,), {"__slots__": ()})


def _contract(operands, labels, output, cls=None):
    arrays = [t._data for t in operands]
    spec = ",".join(labels) + "->" + output
    data = np.einsum(spec, *arrays, optimize=len(arrays) > 2)
    out = wrap(np.asarray(data))
    if _state.enabled and any(t._requires_grad for t in operands):
        node = record(cls or _node_class(labels, output), out, tuple(operands),
                      (list(labels), output))
        node._saved = [(t, t._vc[0]) for t in operands]
    return out


# -- the equation ---------------------------------------------------------------------------

def _sublist_equation(args):
    """``einsum(op1, [0, 1], op2, [1, 2], [0, 2])`` as an equation and operands."""
    operands, parts = [], []
    items = list(args)
    while len(items) >= 2:
        operands.append(items.pop(0))
        parts.append(items.pop(0))
    output = items[0] if items else None

    def letters(sub):
        return "".join("..." if s is Ellipsis else _LETTERS[s] for s in sub)
    equation = ",".join(letters(p) for p in parts)
    if output is not None:
        equation += "->" + letters(output)
    return equation, operands


def _parse(equation, operands):
    """Each operand's labels and the output's, with ``...`` replaced by fresh letters."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation" if len(operands) > len(terms) else
                           "einsum(): fewer operands were provided than specified in the "
                           "equation")
    used = set(equation) - set(".,->")
    spare = [c for c in _LETTERS if c not in used]
    ellipsis_rank = 0
    for i, (term, t) in enumerate(zip(terms, operands)):
        explicit = len(term.replace("...", ""))
        if "..." in term:
            ellipsis_rank = max(ellipsis_rank, t._data.ndim - explicit)
        elif explicit != t._data.ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({explicit}) does not "
                f"match the number of dimensions ({t._data.ndim}) for operand {i} and no "
                "ellipsis was given")
    ellipsis = "".join(spare[:ellipsis_rank])
    labels = []
    for term, t in zip(terms, operands):
        if "..." in term:
            rank = t._data.ndim - len(term.replace("...", ""))
            term = term.replace("...", ellipsis[ellipsis_rank - rank:])
        labels.append(term)
    if arrow:
        output = rhs.replace("...", ellipsis)
    else:
        counts = {}
        for c in "".join(terms).replace(".", ""):
            counts[c] = counts.get(c, 0) + 1
        output = ellipsis + "".join(sorted(c for c, n in counts.items() if n == 1))
    for c in output:
        if not any(c in lab for lab in labels):
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                               "equation for any input operand")
    return labels, output


def _check_sizes(labels, operands):
    sizes = {}
    for i, (lab, t) in enumerate(zip(labels, operands)):
        for c, n in zip(lab, t._data.shape):
            seen = sizes.setdefault(c, n)
            if seen != n and n != 1 and seen != 1:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which "
                                   f"does not broadcast with previously seen size {seen}")
            if seen == 1:
                sizes[c] = n


def einsum(*args):
    """Sum of products over the labels of ``equation`` (NumPy's einsum semantics)."""
    if args and isinstance(args[0], str):
        equation, operands = args[0], args[1:]
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = operands[0]
    else:
        equation, operands = _sublist_equation(args)
    operands = list(operands)
    first = operands[0]._data.dtype
    for t in operands[1:]:
        if t._data.dtype != first:
            raise RuntimeError(f"expected scalar type {scalar_name(operands[0]._data)} but "
                               f"found {scalar_name(t._data)}")
    labels, output = _parse(equation, operands)
    _check_sizes(labels, operands)
    return _contract(operands, labels, output)


def tensordot(a, b, dims=2, out=None):
    """Contract ``dims`` of ``a`` with ``dims`` of ``b`` (an int: the last of a, first of b)."""
    if out is not None:
        raise NotImplementedError("tensordot(out=...) is not supported")
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a, dims_b = list(range(-dims, 0)), list(range(dims))
    elif hasattr(dims, "tolist"):
        dims_a, dims_b = dims.tolist()
    else:
        dims_a, dims_b = ([d] if isinstance(d, int) else list(d) for d in dims)
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    na, nb = a._data.ndim, b._data.ndim
    la = list(_LETTERS[:na])
    lb = list(_LETTERS[na:na + nb])
    for da, db in zip(dims_a, dims_b):
        sa, sb = a._data.shape[da], b._data.shape[db]
        if sa != sb:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {sa} "
                               f"in dim {da} and second has size {sb} in dim {db}")
        lb[db % nb] = la[da % na]
    contracted = {la[d % na] for d in dims_a}
    output = "".join(c for c in la if c not in contracted) + "".join(
        c for c in lb if c not in contracted)
    return _contract([a, b], ["".join(la), "".join(lb)], output, _VIEW)


def inner(input, other):
    """Sum over the last dimension of both (a product if either is 0-d)."""
    if input._data.ndim == 0 or other._data.ndim == 0:
        return input * other
    if input._data.dtype != other._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    sa, sb = input._data.shape, other._data.shape
    if sa[-1] != sb[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(sa)} and {list(sb)}")
    return tensordot(input, other, ([-1], [-1]))


class KronBackward(Op):
    """``kron(a, b)``: ``out[i*m + j] = a[i] * b[j]`` along every dimension."""

    saves = (0, 1)
    formula = "d(kron(a,b))/da[i] = sum_j G[i*m+j] b[j], d/db[j] = sum_i G[i*m+j] a[i]"

    def backward(self, grad):
        a, b = self.saved_tensors
        rank = max(a.dim(), b.dim())
        sa = (1,) * (rank - a.dim()) + tuple(a.shape)
        sb = (1,) * (rank - b.dim()) + tuple(b.shape)
        # Split each output dimension into (a's index, b's index): an interleaved view.
        g = grad.reshape(*[n for pair in zip(sa, sb) for n in pair])
        la, lb = _LETTERS[:rank], _LETTERS[rank:2 * rank]
        lg = "".join(x + y for x, y in zip(la, lb))
        grad_a = grad_b = None
        if self.needs_input_grad(0):
            grad_a = _contract([g, b.reshape(*sb)], [lg, lb], la).reshape(tuple(a.shape))
        if self.needs_input_grad(1):
            grad_b = _contract([g, a.reshape(*sa)], [lg, la], lb).reshape(tuple(b.shape))
        return grad_a, grad_b


KronUnsafeView = type("UnsafeViewBackward0", (KronBackward,), {"__slots__": ()})


def kron(input, other):
    """The Kronecker product (NumPy's ``kron``), dtypes promoted as in arithmetic."""
    from ._dispatch import promote_operands
    a, b, _, _ = promote_operands(input, other)
    out = wrap(np.kron(a, b))
    if _state.enabled and (input._requires_grad or other._requires_grad):
        record(KronUnsafeView, out, (input, other))
    return out
