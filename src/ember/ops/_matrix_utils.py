"""Shared pieces of the linear-algebra op modules: PyTorch's argument checks and messages,
``LinAlgError``, named result tuples, and constant-mask helpers (``tril``, ``diagonal``,
``diag_embed``) that derivative formulas use.

The helpers multiply by constant 0/1 matrices, so they are differentiable ember code and
keep double backward working without needing a dedicated op.
"""

import numpy as np

from .._tensor import Tensor
from ._return_types import _make


class LinAlgError(RuntimeError):
    """PyTorch's ``torch.linalg.LinAlgError``: a factorization failed (singular, not PD)."""


LinAlgError.__name__ = LinAlgError.__qualname__ = "_LinAlgError"
LinAlgError.__module__ = "torch._C"


def save_outputs(node, outputs):
    """Save every output of a multi-output node for its backward.

    Each is kept as a tensor attached to ``node`` at its own output position (so a formula
    that uses it is differentiable again) sharing the output's version counter (so an
    in-place change to the output is caught).
    """
    saved = []
    for nr, t in enumerate(outputs):
        attached = Tensor._from_array(t._data)
        attached._vc = t._vc
        if t._grad_fn is node:
            attached._grad_fn = node
            attached._requires_grad = True
            attached._output_nr = nr
        saved.append((attached, t._vc[0]))
    node._saved = saved


def return_type(name, fields):
    """A ``torch.return_types.<name>`` named tuple class."""
    return _make(name, fields)


_SCALAR_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
                 "uint8": "Byte", "bool": "Bool", "float16": "Half"}


def check_float_matrix(A, name, min_dims=True):
    """PyTorch's checks that ``A`` is a floating (or complex) stack of matrices."""
    data = A._data
    if data.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_SCALAR_NAMES[data.dtype.name]}")
    if data.dtype == np.float16:
        raise NotImplementedError(f"\"{name}\" not implemented for 'Half'")
    if min_dims and data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")


def check_square(A, name):
    data = A._data
    if data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if data.shape[-1] != data.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{data.shape[-2]} by {data.shape[-1]} matrices")


def batch_prefix(a, index):
    """``"(Batch element i): "`` for a batch, nothing for a single matrix."""
    return "" if a.ndim == 2 else f"(Batch element {index}): "


def eye_like(shape, np_dtype):
    """A constant identity of ``shape``'s last two dimensions (rectangular if they differ)."""
    return Tensor._from_array(np.eye(shape[-2], shape[-1], dtype=np_dtype))


def tril(x, k=0):
    """The lower triangle of each matrix (below the k-th diagonal), zeros elsewhere."""
    mask = np.tril(np.ones(x._data.shape[-2:], dtype=x._data.dtype), k)
    return x * Tensor._from_array(mask)


def diagonal(x):
    """The main diagonal of each matrix of a square stack."""
    return (x * eye_like(x._data.shape, x._data.dtype)).sum(-1)


def diag_embed(v):
    """Square matrices with ``v`` on the diagonal."""
    n = v._data.shape[-1]
    return v.unsqueeze(-1) * Tensor._from_array(np.eye(n, dtype=v._data.dtype))
