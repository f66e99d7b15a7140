"""``ember.linalg``: PyTorch's ``torch.linalg`` namespace.

The functions live with their ops in ``ember/ops`` (products in ``linalg``/``einsum``, LU
and Cholesky in ``decompositions``, QR/SVD/eigh in ``spectral``, norms in ``norms``); this
module only gives them their ``torch.linalg`` names.
"""

from .ops._matrix_utils import LinAlgError
from .ops.decompositions import cholesky_ex, det, inv, inv_ex, solve, solve_ex
from .ops.decompositions import linalg_cholesky as cholesky
from .ops.decompositions import linalg_slogdet as slogdet
from .ops.linalg import matmul
from .ops.linalg_composite import cond, householder_product, tensorinv, tensorsolve
from .ops.lu import lu, lu_factor, lu_factor_ex, lu_solve
from .ops.matrix_ops import linalg_cross as cross
from .ops.matrix_ops import matrix_power
from .ops.norms import linalg_norm as norm
from .ops.norms import matrix_norm, vector_norm
from .ops.solvers import lstsq, matrix_exp, solve_triangular
from .ops.spectral import eigh, eigvalsh, matrix_rank, pinv, svdvals
from .ops.spectral import linalg_qr as qr
from .ops.spectral import linalg_svd as svd

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eigh",
           "eigvalsh", "inv", "inv_ex", "lstsq", "lu", "lu_factor", "lu_factor_ex", "lu_solve",
           "matmul", "matrix_exp", "matrix_norm",
           "matrix_power", "matrix_rank", "solve_triangular",
           "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "solve_ex", "svd", "svdvals",
           "vander", "vecdot", "vector_norm", "householder_product", "tensorinv", "tensorsolve"]


def vander(x, *, N=None):
    """``[1, x, x^2, ..., x^(N-1)]`` along a new last dimension (increasing powers)."""
    from .ops.joining import cat
    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    ones = x.new_ones(*x.shape, 1)
    powers = x.unsqueeze(-1).expand(*x.shape, n - 1).cumprod(-1)
    return cat([ones, powers], -1)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals of a stack of matrices (a view; DiagonalBackward0)."""
    from .ops.diagonals import diagonal as _diagonal
    return _diagonal(A, offset, dim1, dim2)


def vecdot(x, y, *, dim=-1):
    """The dot product of vectors along ``dim`` (conjugating ``x``), broadcast."""
    from .ops.linalg import vdot
    if x.dim() == 1 and y.dim() == 1:
        return vdot(x, y)
    return (x.conj() * y).sum(dim) if x.is_complex() else (x * y).sum(dim)


def multi_dot(tensors):
    """A chain of matrix products; the first and last may be vectors."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first, last = tensors[0], tensors[-1]
    out_shape = ((first.shape[0],) if first.dim() == 2 else ()) + (
        (last.shape[-1],) if last.dim() == 2 else ())
    if first.dim() == 1:
        tensors[0] = first.unsqueeze(0)
    if last.dim() == 1:
        tensors[-1] = last.unsqueeze(-1)
    result = tensors[0]
    for t in tensors[1:]:
        result = result.mm(t)
    # PyTorch views the chain's result to the output shape (ViewBackward0).
    return result.view(out_shape)
