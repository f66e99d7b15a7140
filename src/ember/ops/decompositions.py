"""Square-matrix linear algebra through LU and Cholesky: ``inv``, ``det``, ``slogdet``,
``logdet``, ``solve``, ``cholesky`` (and their ``_ex`` forms).

Forwards are NumPy's LAPACK routines over any batch of matrices. Derivatives are
PyTorch's formulas, written with ember ops (matmul, solve, inv) so they differentiate again:
- ``inv``: dA = -A^-H G A^-H;   ``det``: dA = g det A^-H (invertible A; a singular A gets
  the cofactor matrix from an SVD, a constant for double backward);
- ``slogdet``: dA = g_logabsdet A^-H (the sign gets no gradient);
- ``solve`` (AX = B): dB = A^-H G, dA = -dB X^H;
- ``cholesky`` (A = L L^H): dA = L^-H Phi(L^H dL) L^-1, Phi taking the lower triangle with
  the diagonal halved, symmetrised.
Failures raise ``LinAlgError`` (PyTorch's ``torch.linalg.LinAlgError``, a RuntimeError) with
PyTorch's messages, naming the batch element and the failing pivot or minor.
"""

import numpy as np

from ._dispatch import Op, _state, broadcast_error, record, record_multi, wrap
from ._matrix_utils import (
    LinAlgError,
    batch_prefix,
    check_float_matrix,
    check_square,
    return_type,
    tril,
)

__all__ = ["inverse", "det", "logdet", "slogdet", "cholesky"]

_inv_ex_type = return_type("linalg_inv_ex", ("inverse", "info"))
_slogdet_type = return_type("slogdet", ("sign", "logabsdet"))
_linalg_slogdet_type = return_type("linalg_slogdet", ("sign", "logabsdet"))
_cholesky_ex_type = return_type("linalg_cholesky_ex", ("L", "info"))
_solve_ex_type = return_type("linalg_solve_ex", ("result", "info"))


def _lu_zero_pivot(matrix):
    """LAPACK getrf's ``info`` for one matrix: the first zero pivot (1-based), or 0."""
    u = matrix.astype(np.float64 if matrix.dtype.kind == "f" else np.complex128, copy=True)
    n = u.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(u[k:, k])))
        if u[p, k] == 0:
            return k + 1
        u[[k, p]] = u[[p, k]]
        u[k + 1:] -= np.outer(u[k + 1:, k] / u[k, k], u[k])
    return 0


def _first_singular(a):
    """(batch index, zero pivot) of the first singular matrix of a batch, or None."""
    flat = a.reshape((-1,) + a.shape[-2:])
    for i, m in enumerate(flat):
        pivot = _lu_zero_pivot(m)
        if pivot:
            return i, pivot
    return None


# -- inverse --------------------------------------------------------------------------------

class LinalgInvExBackward0(Op):
    saves = ("result",)
    formula = "d(A^-1)/dA = -A^-H G A^-H"

    def backward(self, grad, grad_info=None):
        (inverse,) = self.saved_tensors
        inverse_h = inverse.mH
        return -inverse_h.matmul(grad.matmul(inverse_h))


def _inv_data(a, raise_on_error):
    try:
        return np.linalg.inv(a), np.zeros(a.shape[:-2], np.int32)
    except np.linalg.LinAlgError:
        index, pivot = _first_singular(a)
        if raise_on_error:
            raise LinAlgError(
                f"linalg.inv: {batch_prefix(a, index)}The diagonal element {pivot} is zero, the "
                "inversion could not be completed because the input matrix is singular.") from None
    # The inverse of a singular matrix is undefined (PyTorch leaves inf/nan there): nan.
    flat = a.reshape((-1,) + a.shape[-2:])
    info = np.array([_lu_zero_pivot(m) for m in flat], np.int32)
    out = np.array([np.full(m.shape, np.nan, a.dtype) if pivot else np.linalg.inv(m)
                    for m, pivot in zip(flat, info)], a.dtype)
    return out.reshape(a.shape), info.reshape(a.shape[:-2])


def inv_ex(A, *, check_errors=False):
    check_float_matrix(A, "linalg.inv")
    check_square(A, "linalg.inv")
    data, info = _inv_data(A._data, check_errors)
    out, info_t = wrap(data.astype(A._data.dtype, copy=False)), wrap(info)
    if _state.enabled and A._requires_grad:
        record_multi(LinalgInvExBackward0, (out, info_t), (A,), differentiable=(0,))
    return _inv_ex_type(out, info_t)


def inv(A):
    check_float_matrix(A, "linalg.inv")
    check_square(A, "linalg.inv")
    return inv_ex(A, check_errors=True).inverse


def inverse(input):
    return inv(input)


# -- determinants ---------------------------------------------------------------------------

class LinalgDetBackward0(Op):
    saves = (0, "result")
    formula = "d(det A)/dA = g conj(det A) A^-H (the conjugated cofactor matrix)"

    def backward(self, grad):
        A, det_ = self.saved_tensors
        scale = (grad * det_.conj()).unsqueeze(-1).unsqueeze(-1)
        if np.all(det_._data != 0):
            return scale * inv(A).mH
        return scale * _cofactor_over_det(A._data)


def _cofactor_over_det(a):
    """cofactor(A) / det(A) with 0/0 resolved, via an SVD: usable where A is singular."""
    from .._tensor import Tensor
    u, s, vh = np.linalg.svd(a)
    # prod_{j != i} s_j, without dividing by a zero singular value.
    others = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1)
                       for i in range(s.shape[-1])], axis=-1)
    sign = np.linalg.det(u) * np.linalg.det(vh)
    cofactor = (u * others[..., None, :]) @ vh * sign[..., None, None]
    det_ = np.linalg.det(a)
    with np.errstate(all="ignore"):
        ratio = np.where(det_[..., None, None] != 0, cofactor / det_[..., None, None], cofactor)
    # Where det is 0, the backward multiplies by det (0): put the cofactor back unscaled.
    zero = det_[..., None, None] == 0
    return Tensor._from_array(np.where(zero, cofactor, ratio).astype(a.dtype))


def det(A):
    check_float_matrix(A, "linalg.det")
    check_square(A, "linalg.det")
    out = wrap(np.asarray(np.linalg.det(A._data), A._data.dtype))
    if _state.enabled and A._requires_grad:
        record(LinalgDetBackward0, out, (A,))
    return out


class LinalgSlogdetBackward0(Op):
    saves = (0,)
    formula = "d(log|det A|)/dA = g A^-H (the sign is not differentiable)"

    def backward(self, grad_sign, grad_logabsdet):
        (A,) = self.saved_tensors
        return grad_logabsdet.unsqueeze(-1).unsqueeze(-1) * inv(A).mH


def _slogdet(A, result_type):
    check_float_matrix(A, "linalg.slogdet")
    check_square(A, "linalg.slogdet")
    sign, logabsdet = np.linalg.slogdet(A._data)
    dtype = A._data.dtype
    sign_t, log_t = wrap(np.asarray(sign, dtype)), wrap(np.asarray(logabsdet, dtype))
    if _state.enabled and A._requires_grad:
        # The sign of a real matrix is piecewise constant; PyTorch still gives it the node.
        record_multi(LinalgSlogdetBackward0, (sign_t, log_t), (A,))
    return result_type(sign_t, log_t)


def slogdet(input):
    return _slogdet(input, _slogdet_type)


def linalg_slogdet(A):
    return _slogdet(A, _linalg_slogdet_type)


def logdet(input):
    """log det A: nan where det A < 0 (PyTorch's ``where`` over slogdet: WhereBackward0)."""
    from .pointwise import eq
    from .selection import where
    sign, logabsdet = _slogdet(input, _linalg_slogdet_type)
    return where(eq(sign, -1), float("nan"), logabsdet)


# -- solve ----------------------------------------------------------------------------------

class LinalgSolveExBackward0(Op):
    saves = (0, "result")
    formula = "AX = B: dB = A^-H G, dA = -dB X^H (left=False: XA = B, transposed)"

    def backward(self, grad, grad_info=None):
        A, X = self.saved_tensors
        left, vector = self.ctx
        grad_B = solve(A.mH, grad, left=left)
        grad_A = None
        if self.needs_input_grad(0):
            if vector:
                grad_A = -grad_B.unsqueeze(-1) * X.unsqueeze(-2) if left else \
                    -X.unsqueeze(-1) * grad_B.unsqueeze(-2)
            else:
                grad_A = -grad_B.matmul(X.mH) if left else -X.mH.matmul(grad_B)
        return grad_A, grad_B if self.needs_input_grad(1) else None


def solve_ex(A, B, *, left=True, check_errors=False):
    check_float_matrix(A, "linalg.solve")
    check_square(A, "linalg.solve")
    a, b = A._data, B._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A "
                           f"of type {_scalar(a)} and B of type {_scalar(b)} instead")
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    bm = b[..., None] if vector else b
    n = a.shape[-1]
    rows = bm.shape[-2] if left else bm.shape[-1]
    if rows != n:
        shape = f"{bm.shape[-2]}x{bm.shape[-1]}"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {shape})")
    try:
        np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
    except ValueError:
        raise broadcast_error(a.shape[:-2], bm.shape[:-2]) from None
    info = np.zeros(np.broadcast_shapes(a.shape[:-2], bm.shape[:-2]), np.int32)
    try:
        x = np.linalg.solve(a, bm) if left else np.swapaxes(
            np.linalg.solve(np.swapaxes(a, -1, -2), np.swapaxes(bm, -1, -2)), -1, -2)
    except np.linalg.LinAlgError:
        if check_errors:
            raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix "
                              "is singular.") from None
        with np.errstate(all="ignore"):
            x = np.full(np.broadcast_shapes(a.shape[:-2], bm.shape[:-2]) + bm.shape[-2:],
                        np.nan, a.dtype)
        info[...] = 1
    out = wrap((x[..., 0] if vector else x).astype(a.dtype, copy=False))
    info_t = wrap(info)
    if _state.enabled and (A._requires_grad or B._requires_grad):
        record_multi(LinalgSolveExBackward0, (out, info_t), (A, B), (left, vector),
                     differentiable=(0,))
    return _solve_ex_type(out, info_t)


def solve(A, B, *, left=True):
    return solve_ex(A, B, left=left, check_errors=True).result


def _scalar(array):
    from .linalg import scalar_name
    return scalar_name(array)


# -- Cholesky -------------------------------------------------------------------------------

class LinalgCholeskyExBackward0(Op):
    saves = ("result",)
    formula = "A = LL^H: dA = L^-H Phi(L^H dL) L^-1, Phi = tril with halved diagonal, symmetrised"

    def backward(self, grad, grad_info=None):
        (L,) = self.saved_tensors
        upper = self.ctx
        if upper:
            L, grad = L.mH, grad.mH
        phi = tril(L.mH.matmul(grad))
        phi = (phi + tril(phi, -1).mH) * 0.5
        # L^-H phi L^-1, as two solves.
        return solve(L.mH, solve(L.mH, phi.mH).mH)


CholeskyBackward0 = type("CholeskyBackward0", (LinalgCholeskyExBackward0,), {"__slots__": ()})


def _leading_minor(matrix):
    """The order of the first leading minor that is not positive-definite."""
    for k in range(1, matrix.shape[0] + 1):
        try:
            np.linalg.cholesky(matrix[:k, :k])
        except np.linalg.LinAlgError:
            return k
    return matrix.shape[0]


def _cholesky_data(a, upper, check_errors):
    source = np.swapaxes(a, -1, -2).conj() if upper else a
    info = np.zeros(a.shape[:-2], np.int32)
    try:
        lower = np.linalg.cholesky(source)
    except np.linalg.LinAlgError:
        flat = source.reshape((-1,) + a.shape[-2:])
        lowers = []
        for i, m in enumerate(flat):
            try:
                lowers.append(np.linalg.cholesky(m))
                continue
            except np.linalg.LinAlgError:
                order = _leading_minor(m)
            if check_errors:
                raise LinAlgError(
                    f"linalg.cholesky: {batch_prefix(a, i)}The factorization could not be "
                    "completed because the input is not positive-definite (the leading minor of "
                    f"order {order} is not positive-definite).") from None
            info.reshape(-1)[i] = order
            lowers.append(np.tril(_partial_cholesky(m, order)))
        lower = np.array(lowers, a.dtype).reshape(a.shape)
    return (np.swapaxes(lower, -1, -2).conj() if upper else lower), info


def _partial_cholesky(m, order):
    """What LAPACK leaves behind when the factorization stops at ``order``: the factor of
    the leading minor before it, the rest of the lower triangle untouched."""
    out = np.tril(m).astype(m.dtype, copy=True)
    if order > 1:
        out[:order - 1, :order - 1] = np.linalg.cholesky(m[:order - 1, :order - 1])
    return out


def _cholesky(A, upper, check_errors, cls):
    check_float_matrix(A, "linalg.cholesky")
    check_square(A, "linalg.cholesky")
    data, info = _cholesky_data(A._data, upper, check_errors)
    out, info_t = wrap(data.astype(A._data.dtype, copy=False)), wrap(info)
    if _state.enabled and A._requires_grad:
        record_multi(cls, (out, info_t), (A,), upper, differentiable=(0,))
    return out, info_t


def cholesky_ex(A, *, upper=False, check_errors=False):
    return _cholesky_ex_type(*_cholesky(A, upper, check_errors, LinalgCholeskyExBackward0))


def linalg_cholesky(A, *, upper=False):
    return _cholesky(A, upper, True, LinalgCholeskyExBackward0)[0]


def cholesky(input, upper=False):
    """Deprecated ``torch.cholesky`` (CholeskyBackward0); warns as PyTorch does."""
    import warnings
    warnings.warn(
        "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in "
        "a future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
        "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be "
        "replaced with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce "
        "equivalent results for all valid (symmetric positive definite) inputs.",
        UserWarning, stacklevel=2)
    return _cholesky(input, upper, True, CholeskyBackward0)[0]
