"""Triangular solves and the matrix exponential: ``linalg.solve_triangular``,
``cholesky_solve``, ``cholesky_inverse`` and ``linalg.matrix_exp`` (``torch.matrix_exp``).

NumPy has no triangular solver, so ``solve_triangular`` solves with the triangle extracted
(``np.linalg.solve`` on it gives the same values; the other triangle is never read, as in
LAPACK's ``trtrs``). The matrix exponential is scaling and squaring with a degree-13 Padé
approximant (Higham 2005), and its derivative is the exponential of a block matrix
``[[A^H, G], [0, A^H]]`` whose top-right block is the gradient: so it differentiates again
with no extra code.
"""



import numpy as np

from .. import _dtype
from ._dispatch import Op, _state, record, record_multi, wrap
from .decompositions import check_float_matrix, check_square


def _triangle(data, upper, unitriangular):
    tri = np.triu(data) if upper else np.tril(data)
    if unitriangular:
        tri = tri.copy()
        idx = np.arange(data.shape[-1])
        tri[..., idx, idx] = 1
    return tri


class LinalgSolveTriangularBackward0(Op):
    saves = (0, "result")
    formula = "AX = B, A triangular: dB = A^-H G, dA = -tri(dB X^H)"

    def backward(self, grad):
        A, X = self.saved_tensors
        upper, left, unitriangular = self.ctx
        grad_B = solve_triangular(A.mH, grad, upper=not upper, left=left,
                                  unitriangular=unitriangular)
        grad_A = None
        if self.needs_input_grad(0):
            grad_A = -grad_B.matmul(X.mH) if left else -X.mH.matmul(grad_B)
            grad_A = grad_A.triu(1 if unitriangular else 0) if upper else \
                grad_A.tril(-1 if unitriangular else 0)
        return grad_A, grad_B if self.needs_input_grad(1) else None


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """The solution X of ``A X = B`` (``X A = B`` with ``left=False``) for triangular ``A``
    (its ``upper`` or lower triangle; a unit diagonal with ``unitriangular``)."""
    check_float_matrix(A, "linalg.solve_triangular")
    check_square(A, "linalg.solve_triangular")
    a, b = A._data, B._data
    if b.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 "
                           "dimensions.")
    if a.dtype != b.dtype:  # PyTorch promotes the two to one dtype here
        common = _dtype.promote_types(A.dtype, B.dtype)
        A, B = A.to(common), B.to(common)
        a, b = A._data, B._data
    n = a.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the "
                           f"equation {'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{b.shape[-2]}x{b.shape[-1]})")
    tri = _triangle(a, upper, unitriangular)
    with np.errstate(all="ignore"):
        try:
            x = np.linalg.solve(tri, b) if left else np.swapaxes(
                np.linalg.solve(np.swapaxes(tri, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)
        except np.linalg.LinAlgError:
            # A zero on the diagonal: LAPACK's trtrs divides by it (inf/nan), no error.
            x = _substitution(tri, b if left else np.swapaxes(b, -1, -2), upper if left
                              else not upper)
            x = x if left else np.swapaxes(x, -1, -2)
    out_t = wrap(np.asarray(x, a.dtype))
    if _state.enabled and (A._requires_grad or B._requires_grad):
        record(LinalgSolveTriangularBackward0, out_t, (A, B), (upper, left, unitriangular))
    return out_t


def _substitution(tri, b, upper):
    """Back or forward substitution, row by row (only for singular triangles)."""
    n = tri.shape[-1]
    x = np.zeros(np.broadcast_shapes(tri.shape[:-2], b.shape[:-2]) + b.shape[-2:],
                 np.result_type(tri, b))
    rows = range(n - 1, -1, -1) if upper else range(n)
    for i in rows:
        rest = (tri[..., i:i + 1, :] @ x)[..., 0, :]
        x[..., i, :] = (b[..., i, :] - rest) / tri[..., i, i][..., None]
    return x


class CholeskySolveBackward0(Op):
    saves = (1, "result")
    formula = "A = LL^H, AX = B: dB = A^-1 G, dL = -(dB X^H + X dB^H) L"

    def backward(self, grad):
        L, X = self.saved_tensors
        upper = self.ctx
        grad_B = cholesky_solve(grad, L, upper)
        grad_L = None
        if self.needs_input_grad(1):
            common = grad_B.matmul(X.mH)
            common = common + common.mH
            grad_L = -L.matmul(common) if upper else -common.matmul(L)
        return grad_B if self.needs_input_grad(0) else None, grad_L


def cholesky_solve(B, L, upper=False):
    """The solution of ``A X = B`` given A's Cholesky factor (``A = L L^H``, or
    ``U^H U`` with ``upper``); PyTorch's gradient, which treats the factor as a full
    matrix."""
    factor = np.triu(L._data) if upper else np.tril(L._data)
    with np.errstate(all="ignore"):
        x = np.linalg.solve(np.swapaxes(factor, -1, -2).conj() @ factor if upper
                            else factor @ np.swapaxes(factor, -1, -2).conj(), B._data)
    out = wrap(np.asarray(x, B._data.dtype))
    if _state.enabled and (B._requires_grad or L._requires_grad):
        record(CholeskySolveBackward0, out, (B, L), upper)
    return out


def cholesky_inverse(L, upper=False):
    """``A^-1`` given A's Cholesky factor."""
    n = L.shape[-1]
    eye = wrap(np.broadcast_to(np.eye(n, dtype=L._data.dtype), L._data.shape).copy())
    return cholesky_solve(eye, L, upper)


# -- least squares ---------------------------------------------------------------------------
_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


class LinalgLstsqBackward0(Op):
    saves = (0, 1)
    formula = "X = pinv(A) B: the gradients of pinv(A) @ B"

    def backward(self, grad_solution, grad_residuals=None):
        # The solution is pinv(A) @ B and the residuals |A X - B|^2 per column; their
        # derivatives are those composites', computed here (recorded only under
        # create_graph).
        from ..autograd import grad as autograd_grad
        from ..autograd.grad_mode import enable_grad
        from .spectral import pinv
        A, B = self.saved_tensors
        needed = (self.needs_input_grad(0), self.needs_input_grad(1))
        create_graph = _state.enabled
        with enable_grad():
            a = A if create_graph else A.detach().requires_grad_(needed[0])
            b = B if create_graph else B.detach().requires_grad_(needed[1])
            leaves = [x for x, need in zip((a, b), needed) if need]
            solution = pinv(a).matmul(b)
            outputs, upstream = [solution], [grad_solution]
            if self.ctx and grad_residuals is not None:
                vector = b.dim() == a.dim() - 1
                error = a.matmul(solution) - b
                outputs.append((error * error).sum(-1 if vector else -2))
                upstream.append(grad_residuals)
            grads = autograd_grad(outputs, leaves, upstream, create_graph=create_graph)
        result = iter(grads)
        return (next(result) if self.needs_input_grad(0) else None,
                next(result) if self.needs_input_grad(1) else None)


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution of ``A X = B`` (``(solution, residuals, rank,
    singular_values)``, filled as PyTorch fills them for each ``driver``)."""
    from . import _return_types
    check_float_matrix(A, "torch.linalg.lstsq")
    if driver is not None and driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of "
                           "(gels, gelsy, gelsd, gelss)")
    a, b = A._data, B._data
    vector = b.ndim == a.ndim - 1
    bm = b[..., None] if vector else b
    if bm.shape[-2] != a.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    m, n = a.shape[-2:]
    batch = np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
    aa = np.broadcast_to(a, batch + a.shape[-2:]).reshape(-1, m, n)
    bb = np.broadcast_to(bm, batch + bm.shape[-2:]).reshape(-1, m, bm.shape[-1])
    cutoff = rcond if rcond is not None else np.finfo(a.dtype).eps * max(m, n)
    solutions, residuals, ranks, singular = [], [], [], []
    for matrix, rhs in zip(aa, bb):
        x, res, rank, sv = np.linalg.lstsq(matrix.astype(np.float64), rhs.astype(np.float64),
                                           rcond=cutoff)
        solutions.append(x)
        residuals.append(res)
        ranks.append(rank)
        singular.append(sv)
    solution = np.stack(solutions).reshape(batch + (n, bm.shape[-1])).astype(a.dtype)
    if vector:
        solution = solution[..., 0]
    driver = driver or "gelsy"
    full_rank = all(r == min(m, n) for r in ranks)
    if driver != "gelsy" and m > n and full_rank:
        res = np.stack(residuals).reshape(batch + (bm.shape[-1],)).astype(a.dtype)
        if vector:
            res = res[..., 0]
    else:
        res = np.empty((0,), a.dtype)
    rank = (np.empty((0,), np.int64) if driver == "gels"
            else np.asarray(ranks, np.int64).reshape(batch))
    sv = (np.stack(singular).reshape(batch + (min(m, n),)).astype(a.dtype)
          if driver in ("gelsd", "gelss") else np.empty((0,), a.dtype))
    out = wrap(solution)
    residual_t = wrap(res)
    if _state.enabled and (A._requires_grad or B._requires_grad):
        record_multi(LinalgLstsqBackward0, (out, residual_t), (A, B), bool(res.size))
    return _return_types.linalg_lstsq(out, residual_t, wrap(rank), wrap(sv))


# -- matrix exponential ----------------------------------------------------------------------
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0,
           1187353796428800.0, 129060195264000.0, 10559470521600.0, 670442572800.0,
           33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def _expm(a):
    """exp of each matrix in ``a`` by scaling and squaring (Padé 13)."""
    work = a.astype(np.float64 if a.dtype != np.complex128 and a.dtype.kind != "c"
                    else np.complex128)
    norms = np.abs(work).sum(axis=-2).max(axis=-1) if work.size else np.zeros(work.shape[:-2])
    squarings = np.maximum(0, np.ceil(np.log2(np.maximum(norms, 1e-300) / _THETA13)))
    squarings = np.where(norms > _THETA13, squarings, 0).astype(int)
    scaled = work / (2.0 ** squarings)[..., None, None]
    n = a.shape[-1]
    eye = np.broadcast_to(np.eye(n, dtype=work.dtype), work.shape)
    b = _PADE13
    a2 = scaled @ scaled
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = scaled @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2)
                  + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 \
        + b[0] * eye
    result = np.linalg.solve(v - u, v + u) if work.size else work.copy()
    for count in range(int(squarings.max()) if squarings.size else 0):
        square = result @ result
        more = (squarings > count)[..., None, None]
        result = np.where(more, square, result)
    return result.astype(a.dtype)


class LinalgMatrixExpBackward0(Op):
    saves = (0,)
    formula = "d exp(A): G_A = top-right block of exp([[A^H, G], [0, A^H]])"

    def backward(self, grad):
        (A,) = self.saved_tensors
        from .joining import cat
        n = A.shape[-1]
        zeros = wrap(np.zeros(A._data.shape, grad._data.dtype))
        top = cat([A.mH, grad], -1)
        bottom = cat([zeros, A.mH], -1)
        return matrix_exp(cat([top, bottom], -2))[..., :n, n:]


def matrix_exp(A):
    """The matrix exponential ``sum_k A^k / k!`` of each square matrix in ``A``."""
    check_float_matrix(A, "linalg.matrix_exp")
    check_square(A, "linalg.matrix_exp")
    out = wrap(_expm(A._data))
    if _state.enabled and A._requires_grad:
        record(LinalgMatrixExpBackward0, out, (A,))
    return out


__all__ = ["matrix_exp", "cholesky_solve", "cholesky_inverse"]


