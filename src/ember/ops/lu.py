"""LU factorisation with partial pivoting: ``linalg.lu_factor(_ex)``, ``linalg.lu``,
``lu_unpack``, ``linalg.lu_solve`` (``torch.lu_unpack`` and ``torch.linalg.*``).

NumPy has no LU, so the factorisation is written here: Doolittle elimination with partial
pivoting, one column at a time, vectorised over the batch (LAPACK's ``getrf`` makes the same
pivot choices: the largest magnitude in the column, the first one on ties). Pivots are
1-based int32 row swaps, as LAPACK and PyTorch give them.

Derivatives (square matrices): for ``A = P L U``, ``dA = P L^-H (tril_-1(L^H dL) +
triu(dU U^H)) U^-H``, written with ember ops, so they differentiate again. ``lu_solve``'s
derivative is that of its triangular solves, computed from the composite.
"""

import numpy as np

from . import _return_types
from ._dispatch import Op, _state, record_multi, wrap
from .decompositions import check_float_matrix
from .solvers import solve_triangular


def _factor(a):
    """(packed LU, 1-based pivots, info) for each matrix of ``a`` (..., m, n)."""
    lu = a.astype(a.dtype, copy=True)
    m, n = lu.shape[-2:]
    k = min(m, n)
    flat = lu.reshape(-1, m, n)
    pivots = np.zeros((flat.shape[0], k), np.int32)
    info = np.zeros(flat.shape[0], np.int32)
    rows = np.arange(flat.shape[0])
    with np.errstate(all="ignore"):
        for j in range(k):
            p = j + np.argmax(np.abs(flat[:, j:, j]), axis=1)
            pivots[:, j] = p + 1
            swap = flat[rows, p].copy()
            flat[rows, p] = flat[:, j]
            flat[:, j] = swap
            pivot = flat[:, j, j]
            singular = pivot == 0
            info = np.where(singular & (info == 0), j + 1, info)
            safe = np.where(singular, 1, pivot)
            flat[:, j + 1:, j] /= safe[:, None]
            flat[:, j + 1:, j + 1:] -= flat[:, j + 1:, j:j + 1] * flat[:, j:j + 1, j + 1:]
    return (flat.reshape(lu.shape), pivots.reshape(a.shape[:-2] + (k,)),
            info.reshape(a.shape[:-2]))


def _permutation(pivots, m, dtype):
    """P with ``A = P L U`` from LAPACK's sequential row swaps."""
    flat = pivots.reshape(-1, pivots.shape[-1]) - 1
    order = np.tile(np.arange(m), (flat.shape[0], 1))
    rows = np.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        p = flat[:, j]
        current = order[rows, j].copy()
        order[rows, j] = order[rows, p]
        order[rows, p] = current
    # Row i of P^T A is row order[i] of A, so P[order[i], i] = 1.
    perm = np.zeros((flat.shape[0], m, m), dtype)
    perm[rows[:, None], order, np.arange(m)[None, :]] = 1
    return perm.reshape(pivots.shape[:-1] + (m, m))


def _unpacked(lu):
    m, n = lu.shape[-2:]
    k = min(m, n)
    lower = np.tril(lu[..., :, :k], -1)
    idx = np.arange(k)
    lower[..., idx, idx] = 1
    upper = np.triu(lu[..., :k, :])
    return lower, upper


def _lu_grad(P, L, U, grad_L, grad_U):
    """dA for A = P L U (square), from the gradients of L and U."""
    n = L.shape[-1]
    if L.shape[-2] != n or U.shape[-1] != n:
        raise NotImplementedError("ember computes the LU derivative for square matrices only")
    phi = (L.mH.matmul(grad_L)).tril(-1) + (grad_U.matmul(U.mH)).triu()
    x = solve_triangular(U.mH, phi, upper=False, left=False)
    x = solve_triangular(L.mH, x, upper=True, unitriangular=True)
    return P.matmul(x)


class LinalgLuFactorExBackward0(Op):
    formula = "A = PLU: dA = P L^-H (tril_-1(L^H dL) + triu(dU U^H)) U^-H"

    def backward(self, grad_LU, _grad_pivots=None, _grad_info=None):
        # The factors are read off the LU output itself, so under create_graph the second
        # derivative follows them back through this node, as PyTorch's saved outputs do.
        P, LU = self.ctx
        m, n = LU.shape[-2:]
        k = min(m, n)
        L = LU[..., :, :k].tril(-1) + wrap(np.eye(m, k, dtype=LU._data.dtype))
        U = LU[..., :k, :].triu()
        return _lu_grad(P, L, U, grad_LU.tril(-1), grad_LU.triu())


class LinalgLuBackward0(Op):
    formula = "A = PLU: dA = P L^-H (tril_-1(L^H dL) + triu(dU U^H)) U^-H"

    def backward(self, _grad_P, grad_L, grad_U):
        P, L, U = self.ctx
        return _lu_grad(P, L, U, grad_L, grad_U)


def _checked(A, name):
    check_float_matrix(A, name)
    return A._data


def lu_factor_ex(A, *, pivot=True, check_errors=False):
    """``(LU, pivots, info)``: L below the diagonal (unit diagonal implied), U on and above."""
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the "
                           "CPU")
    a = _checked(A, "torch.linalg.lu_factor_ex")
    packed, pivots, info = _factor(a)
    if check_errors and info.any():
        raise RuntimeError("torch.linalg.lu_factor_ex: U[{0},{0}] is zero and using it on "
                           "lu_solve would result in a division by zero.".format(
                               int(info.reshape(-1)[info.reshape(-1) > 0][0])))
    outputs = (wrap(packed), wrap(pivots), wrap(info))
    if _state.enabled and A._requires_grad:
        ctx = (wrap(_permutation(pivots, a.shape[-2], a.dtype)), outputs[0])
        record_multi(LinalgLuFactorExBackward0, outputs, (A,), ctx, differentiable=(0,))
    return _return_types.linalg_lu_factor_ex(*outputs)


def lu_factor(A, *, pivot=True):
    LU, pivots, _ = lu_factor_ex(A, pivot=pivot)
    return _return_types.linalg_lu_factor(LU, pivots)


def lu(A, *, pivot=True):
    """``(P, L, U)`` with ``A = P L U``."""
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the "
                           "CPU")
    a = _checked(A, "linalg.lu")
    packed, pivots, _ = _factor(a)
    lower, upper = _unpacked(packed)
    outputs = (wrap(_permutation(pivots, a.shape[-2], a.dtype)), wrap(lower), wrap(upper))
    if _state.enabled and A._requires_grad:
        # The outputs themselves (see LinalgLuFactorExBackward0): P is a constant.
        record_multi(LinalgLuBackward0, outputs, (A,), outputs, differentiable=(1, 2))
    return _return_types.linalg_lu(*outputs)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    """``(P, L, U)`` from ``lu_factor``'s packed result (tril/triu keep the gradient)."""
    m, n = LU_data.shape[-2:]
    k = min(m, n)
    P = (wrap(_permutation(LU_pivots._data, m, LU_data._data.dtype)) if unpack_pivots
         else wrap(np.empty((0,), LU_data._data.dtype)))
    if not unpack_data:
        empty = wrap(np.empty((0,), LU_data._data.dtype))
        return _return_types.lu_unpack(P, empty, empty)
    eye = wrap(np.eye(m, k, dtype=LU_data._data.dtype))
    L = LU_data[..., :, :k].tril(-1) + eye
    U = LU_data[..., :k, :].triu()
    return _return_types.lu_unpack(P, L, U)


class LinalgLuSolveBackward0(Op):
    formula = "X = U^-1 L^-1 P^T B: the derivatives of the two triangular solves"

    def backward(self, grad):
        from ..autograd import grad as autograd_grad
        from ..autograd.grad_mode import enable_grad
        LU, pivots, B, left, adjoint = self.ctx
        needed = (self.needs_input_grad(0), self.needs_input_grad(2))
        create_graph = _state.enabled
        with enable_grad():
            lu_t = LU if create_graph else LU.detach().requires_grad_(needed[0])
            b_t = B if create_graph else B.detach().requires_grad_(needed[1])
            solution = _lu_solve(lu_t, pivots, b_t, left, adjoint)
            leaves = [t for t, need in zip((lu_t, b_t), needed) if need]
            grads = iter(autograd_grad(solution, leaves, grad, create_graph=create_graph))
        return (next(grads) if needed[0] else None, None, next(grads) if needed[1] else None)


def _lu_solve(LU, pivots, B, left, adjoint):
    P, L, U = lu_unpack(LU, pivots)
    if left and not adjoint:        # A X = B, A = P L U
        y = solve_triangular(L, P.mT.matmul(B), upper=False, unitriangular=True)
        return solve_triangular(U, y, upper=True)
    if left:                        # A^H X = B: U^H L^H P^T X = B
        y = solve_triangular(U.mH, B, upper=False)
        return P.matmul(solve_triangular(L.mH, y, upper=True, unitriangular=True))
    if not adjoint:                 # X A = B: X P L U = B
        y = solve_triangular(U, B, upper=True, left=False)
        return solve_triangular(L, y, upper=False, left=False, unitriangular=True).matmul(
            P.mT)
    # X A^H = B: X U^H L^H P^T = B
    y = solve_triangular(L.mH, B.matmul(P), upper=True, left=False, unitriangular=True)
    return solve_triangular(U.mH, y, upper=False, left=False)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    """The solution of ``A X = B`` (or ``X A = B``, with ``A^H`` for ``adjoint``) from
    ``lu_factor``'s result."""
    from ..autograd.grad_mode import no_grad
    with no_grad():
        solution = _lu_solve(LU, pivots, B, left, adjoint)
    out = wrap(solution._data)
    if _state.enabled and (LU._requires_grad or B._requires_grad):
        record_multi(LinalgLuSolveBackward0, (out,), (LU, None, B),
                     (LU, pivots, B, left, adjoint))
    return out


__all__ = ["lu_unpack"]
FUNCTION_ONLY = ["lu_unpack"]
