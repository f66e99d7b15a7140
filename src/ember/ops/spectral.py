"""Orthogonal factorizations: ``qr``, ``svd`` / ``svdvals``, ``eigh`` / ``eigvalsh``, and
what they give: ``pinv`` and ``matrix_rank``.

Forwards are NumPy's LAPACK calls. Singular vectors and eigenvectors are defined up to
sign, and NumPy's LAPACK build may pick other signs than PyTorch's: results such as
U diag(S) V^H, projections or |V| agree, individual columns may be negated. Derivatives
follow PyTorch's formulas, written with ember ops so they differentiate again (real
inputs):
- ``qr`` (m >= n): dA = (dQ + Q copyltu(M)) R^-H with M = R dR^H - dQ^H Q; for m < n the
  leading square block is differentiated so and the rest gets Q dR;
- ``svd``: dA = U [skew(U^H dU) S + S skew(V^H dV)] / E + diag(dS)] V^H plus the terms
  for the columns of U (or V) outside the span when the matrix is not square, where
  E_jk = s_k^2 - s_j^2 (repeated singular values make it infinite, as in PyTorch);
- ``eigh``: dA = V [skew(V^H dV) / E + diag(dL)] V^H with E_jk = l_k - l_j;
- ``pinv``: PyTorch's formula in P = A^+ (three terms, the projectors onto the ranges).
"""

import numpy as np

from .._tensor import Tensor
from ._dispatch import Op, _state, record, record_multi, wrap
from ._matrix_utils import (
    check_float_matrix,
    check_square,
    diag_embed,
    diagonal,
    eye_like,
    return_type,
    save_outputs,
    tril,
)

__all__ = ["qr", "svd", "pinverse"]

_linalg_qr_type = return_type("linalg_qr", ("Q", "R"))
_qr_type = return_type("qr", ("Q", "R"))
_linalg_svd_type = return_type("linalg_svd", ("U", "S", "Vh"))
_svd_type = return_type("svd", ("U", "S", "V"))
_eigh_type = return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))


def _skew(x):
    return x - x.mH


def _real(np_dtype):
    return np.empty(0, np_dtype).real.dtype


def _scalar(array):
    from .linalg import scalar_name
    return scalar_name(array)


# -- QR -------------------------------------------------------------------------------------

class LinalgQrBackward0(Op):
    formula = "A = QR: dA = (dQ + Q copyltu(R dR^H - dQ^H Q)) R^-H (m >= n)"

    def backward(self, grad_Q, grad_R):
        Q, R = self.saved_tensors
        mode = self.ctx
        m, n = Q._data.shape[-2], R._data.shape[-1]
        if mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                "through linalg.qr.")
        if mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        if m >= n:
            return _qr_square_backward(Q, R, grad_Q, grad_R)
        # A = Q [X | Y] with X square: X is a QR of A's first m columns, and Y = Q^H A[:, m:]
        # also depends on Q, adding (Q Y) dY^H to Q's gradient.
        from .joining import cat
        X, Y = R[..., :, :m], R[..., :, m:]
        grad_X, grad_Y = grad_R[..., :, :m], grad_R[..., :, m:]
        grad_left = _qr_square_backward(Q, X, grad_Q + Q.matmul(Y).matmul(grad_Y.mH), grad_X)
        return cat([grad_left, Q.matmul(grad_Y)], dim=-1)


def _qr_square_backward(Q, R, grad_Q, grad_R):
    from .decompositions import solve
    M = R.matmul(grad_R.mH) - grad_Q.mH.matmul(Q)
    # copyltu(M): the lower triangle mirrored onto the upper one.
    lower = tril(M, -1)
    B = grad_Q + Q.matmul(lower + lower.mH + diag_embed(diagonal(M)))
    # B R^-H = (R^-1 B^H)^H.
    return solve(R, B.mH).mH


def _qr(A, mode, result_type):
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    check_float_matrix(A, "linalg.qr")
    a = A._data
    q, r = np.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
    if mode == "r":
        q = np.zeros((0,), a.dtype)
    Q, R = wrap(q.astype(a.dtype, copy=False)), wrap(r.astype(a.dtype, copy=False))
    if _state.enabled and A._requires_grad:
        node = record_multi(LinalgQrBackward0, (Q, R), (A,), mode)
        save_outputs(node, (Q, R))
    return result_type(Q, R)


def linalg_qr(A, mode="reduced"):
    return _qr(A, mode, _linalg_qr_type)


def qr(input, some=True):
    """Deprecated ``torch.qr``: ``some=False`` is ``mode='complete'``."""
    import warnings
    warnings.warn(
        "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
        "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string "
        "parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\n"
        "Q, R = torch.linalg.qr(A, 'reduced' if some else 'complete')", UserWarning,
        stacklevel=2)
    return _qr(input, "reduced" if some else "complete", _qr_type)


# -- SVD ------------------------------------------------------------------------------------

class LinalgSvdBackward0(Op):
    formula = "dA = U [(skew(U^H dU) S + S skew(V^H dV)) / E + diag(dS)] V^H (+ off-span terms)"
    # Outputs without a gradient arrive as None, so the singular-values-only case stays
    # finite for repeated singular values (E is 0 there).
    _materialize_grads = False

    def backward(self, grad_U, grad_S, grad_Vh):
        U, S, Vh = self.saved_tensors
        full_matrices = self.ctx
        m, n = U._data.shape[-2], Vh._data.shape[-1]
        k = S._data.shape[-1]
        if full_matrices and m != n:
            U, Vh = U[..., :, :k], Vh[..., :k, :]
            grad_U = None if grad_U is None else grad_U[..., :, :k]
            grad_Vh = None if grad_Vh is None else grad_Vh[..., :k, :]
        if grad_U is None and grad_Vh is None:
            return U.matmul(grad_S.unsqueeze(-1) * Vh)
        S2 = S * S
        # E_jk = s_k^2 - s_j^2, with ones on the diagonal (where the skew parts are zero).
        E = S2.unsqueeze(-2) - S2.unsqueeze(-1) + eye_like((k, k), S._data.dtype)
        inner = 0
        if grad_U is not None:
            inner = _skew(U.mH.matmul(grad_U)) * S.unsqueeze(-2)
        if grad_Vh is not None:
            inner = inner + S.unsqueeze(-1) * _skew(Vh.matmul(grad_Vh.mH))
        inner = inner / E
        if grad_S is not None:
            inner = inner + diag_embed(grad_S)
        if m > k and grad_U is not None:
            # Columns of dU outside span(U): (I - U U^H) dU S^-1.
            grad_U_over_S = grad_U / S.unsqueeze(-2)
            grad_A = U.matmul(inner) + grad_U_over_S - U.matmul(U.mH.matmul(grad_U_over_S))
            return grad_A.matmul(Vh)
        if n > k and grad_Vh is not None:
            over_S_grad_Vh = grad_Vh / S.unsqueeze(-1)
            grad_A = (inner.matmul(Vh) + over_S_grad_Vh
                      - over_S_grad_Vh.matmul(Vh.mH).matmul(Vh))
            return U.matmul(grad_A)
        return U.matmul(inner).matmul(Vh)


def _svd(A, full_matrices, name="linalg.svd"):
    check_float_matrix(A, name)
    a = A._data
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    U, S, Vh = (wrap(x.astype(dt, copy=False)) for x, dt in
                ((u, a.dtype), (s, _real(a.dtype)), (vh, a.dtype)))
    if _state.enabled and A._requires_grad:
        node = record_multi(LinalgSvdBackward0, (U, S, Vh), (A,), full_matrices)
        save_outputs(node, (U, S, Vh))
    return U, S, Vh


def _check_driver(driver):
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on "
                           "CUDA inputs with cuSOLVER backend.")


def linalg_svd(A, full_matrices=True, *, driver=None):
    _check_driver(driver)
    return _linalg_svd_type(*_svd(A, full_matrices))


def svdvals(A, *, driver=None):
    """The singular values; U and V are computed too when A requires grad (for backward)."""
    _check_driver(driver)
    if not (_state.enabled and A._requires_grad):
        check_float_matrix(A, "linalg.svd")
        a = A._data
        return wrap(np.linalg.svd(a, compute_uv=False).astype(_real(a.dtype), copy=False))
    return _svd(A, False)[1]


def svd(input, some=True, compute_uv=True):
    """``torch.svd``: returns V (not V^H); ``compute_uv=False`` gives zero U and V."""
    if not compute_uv:
        S = svdvals(input)
        m, n = input._data.shape[-2:]
        k = min(m, n)
        batch = input._data.shape[:-2]
        return _svd_type(wrap(np.zeros(batch + (m, k if some else m), input._data.dtype)), S,
                         wrap(np.zeros(batch + (n, k if some else n), input._data.dtype)))
    U, S, Vh = _svd(input, not some)
    return _svd_type(U, S, Vh.mH)


# -- symmetric eigendecomposition -------------------------------------------------------------

class LinalgEighBackward0(Op):
    formula = "dA = V [skew(V^H dV) / 2E + diag(dL)] V^H, E_jk = l_k - l_j"
    _materialize_grads = False

    def backward(self, grad_L, grad_V):
        L, V = self.saved_tensors
        if grad_V is None:
            return (V * grad_L.unsqueeze(-2)).matmul(V.mH)
        n = L._data.shape[-1]
        E = L.unsqueeze(-2) - L.unsqueeze(-1) + eye_like((n, n), L._data.dtype)
        inner = _skew(V.mH.matmul(grad_V)) * 0.5 / E
        if grad_L is not None:
            inner = inner + diag_embed(grad_L)
        return V.matmul(inner.matmul(V.mH))


def _eigh(A, UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    if A._data.dtype.kind not in "fc":
        raise NotImplementedError(f"\"linalg_eigh_cpu\" not implemented for "
                                  f"'{_scalar(A._data)}'")
    check_square(A, "linalg.eigh")
    a = A._data
    values, vectors = np.linalg.eigh(a, UPLO=UPLO)
    L = wrap(values.astype(_real(a.dtype), copy=False))
    V = wrap(vectors.astype(a.dtype, copy=False))
    if _state.enabled and A._requires_grad:
        node = record_multi(LinalgEighBackward0, (L, V), (A,))
        save_outputs(node, (L, V))
    return L, V


def eigh(A, UPLO="L"):
    return _eigh_type(*_eigh(A, UPLO))


def eigvalsh(A, UPLO="L"):
    return _eigh(A, UPLO)[0]


# -- pseudo-inverse and rank ------------------------------------------------------------------

class LinalgPinvBackward0(Op):
    saves = (0, "result")
    formula = "P = A^+: dA = -P^H G P^H + (I - AP)^H G^H... (PyTorch's three-term formula)"

    def backward(self, grad):
        A, P = self.saved_tensors
        Ph, Gh = P.mH, grad.mH
        m, n = A._data.shape[-2:]
        if m <= n:
            K = Gh.matmul(P)
            KPh = K.matmul(Ph)
            return (-(P.matmul(K)).mH + KPh - A.matmul(P).matmul(KPh)
                    + Ph.matmul(P).matmul(Gh - K.matmul(A)))
        K = P.matmul(Gh)
        PhK = Ph.matmul(K)
        return (-(K.matmul(P)).mH + (Gh - A.matmul(K)).matmul(P).matmul(Ph) + PhK
                - PhK.matmul(P).matmul(A))


def _tolerance(s_max, a, atol, rtol):
    """PyTorch's cutoff: max(atol, rtol * largest singular value); rtol defaults to
    eps * max(m, n) when neither is given, to 0 when only atol is."""
    eps = np.finfo(_real(a.dtype)).eps
    if rtol is None:
        rtol = eps * max(a.shape[-2:]) if atol is None else 0.0
    atol = 0.0 if atol is None else atol
    atol, rtol = (np.asarray(x._data if isinstance(x, Tensor) else x) for x in (atol, rtol))
    return np.maximum(atol[..., None] if atol.ndim else atol,
                      (rtol[..., None] if rtol.ndim else rtol) * s_max[..., None])


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    if A._data.dtype.kind not in "fc" or A._data.ndim < 2:
        raise RuntimeError(f"linalg.pinv({_scalar(A._data)}{{{list(A._data.shape)}}}): "
                           "expected a tensor with 2 or more dimensions of float, double, "
                           "cfloat or cdouble types")
    a = A._data
    if hermitian:
        values, vectors = np.linalg.eigh(a)
        s_max = np.abs(values).max(axis=-1, initial=0.0)
        keep = np.abs(values) > _tolerance(s_max, a, atol, rtol)
        with np.errstate(divide="ignore"):
            inverse = np.where(keep, 1 / np.where(keep, values, 1), 0)
        data = (vectors * inverse[..., None, :]) @ np.swapaxes(vectors, -1, -2).conj()
    else:
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        s_max = s.max(axis=-1, initial=0.0)
        keep = s > _tolerance(s_max, a, atol, rtol)
        inverse = np.where(keep, 1 / np.where(keep, s, 1), 0)
        data = (np.swapaxes(vh, -1, -2).conj() * inverse[..., None, :]) @ np.swapaxes(
            u, -1, -2).conj()
    out = wrap(data.astype(a.dtype, copy=False))
    if _state.enabled and A._requires_grad:
        record(LinalgPinvBackward0, out, (A,))
    return out


def pinverse(input, rcond=1e-15):
    return pinv(input, rtol=rcond)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False):
    if A._data.dtype.kind not in "fc":
        raise RuntimeError("This function doesn't handle types other than float and double")
    check_float_matrix(A, "linalg.matrix_rank")
    a = A._data
    s = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)
    s_max = s.max(axis=-1, initial=0.0)
    return wrap(np.asarray(np.sum(s > _tolerance(s_max, a, atol, rtol), axis=-1),
                           dtype=np.int64))
