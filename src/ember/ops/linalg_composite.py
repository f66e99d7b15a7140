"""``torch.linalg`` functions PyTorch builds from other ops (``cond``, ``tensorinv``,
``tensorsolve``), built here from the same ops so the graph reads the same, and
``householder_product`` (``orgqr``): the matrix Q of a QR factorisation from its
Householder reflectors, with its derivative.

``cond``/``tensorinv``/``tensorsolve``/``householder_product`` are exported by
``ember.linalg`` only (``torch.cond`` is another thing entirely); ``orgqr`` is also
``ember.orgqr`` and ``Tensor.orgqr``.
"""

import math

import numpy as np

from ._dispatch import Op, _state, record, wrap
from .decompositions import inv, inv_ex, solve
from .norms import matrix_norm
from .spectral import svdvals

_INF = float("inf")


# -- cond -----------------------------------------------------------------------------------------
def _square_check(A, name):
    rows, cols = A._data.shape[-2:]
    if rows != cols:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {rows} "
                           f"by {cols} matrices")


def _ord_text(p):
    # PyTorch prints a floating-point order with C++'s std::to_string ("1.000000", "inf").
    if isinstance(p, float):
        return "inf" if p == _INF else "-inf" if p == -_INF else f"{p:.6f}"
    return str(p)


def cond(A, p=None, *, out=None):
    """The condition number of (a batch of) matrices in the norm ``p`` (2 when None)."""
    if out is not None:
        raise NotImplementedError("ember's linalg.cond does not take out=")
    if isinstance(p, str):
        _square_check(A, f"linalg.cond(ord={p})")
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    else:
        if A._data.ndim < 2:
            raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
        p = 2 if p is None else p
        if p not in (2, -2, 1, -1, _INF, -_INF):
            raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    if A._data.size == 0:
        # NumPy leaves the 0x0 case undefined; PyTorch returns zeros (of the batch shape).
        real = np.zeros(A._data.shape[:-2], dtype=A._data.real.dtype)
        return wrap(real)
    if p in (2, -2):
        singular_values = svdvals(A)
        s_max = singular_values.narrow(-1, 0, 1)
        s_min = singular_values.narrow(-1, -1, 1)
        result = s_min / s_max if p == -2 else s_max / s_min
        return result.squeeze(-1)
    if not isinstance(p, str):
        _square_check(A, f"linalg.cond(ord={_ord_text(p)})")
    if p == "nuc":
        return matrix_norm(A, p) * matrix_norm(inv(A), p)
    inverse, info = inv_ex(A)
    # A singular matrix has an infinite condition number.
    inverse.masked_fill_((info > 0).unsqueeze(-1).unsqueeze(-1), _INF)
    result = matrix_norm(A, p) * matrix_norm(inverse, p)
    return result.nan_to_num_(_INF, _INF, -_INF)


# -- tensorinv / tensorsolve ----------------------------------------------------------------
def tensorinv(A, ind=2, *, out=None):
    """The inverse of ``A`` for ``tensordot`` over ``ind`` dimensions."""
    if out is not None:
        raise NotImplementedError("ember's linalg.tensorinv does not take out=")
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    shape = A._data.shape
    rows, cols = math.prod(shape[:ind]), math.prod(shape[ind:])
    if rows != cols:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    inverse = inv(A.reshape(rows, -1))
    # PyTorch's (LAPACK's) inverse is column-major, so its reshape below is an alias
    # (ReshapeAliasBackward0): give the fresh result the same layout.
    inverse._data = np.asfortranarray(inverse._data)
    return inverse.reshape(shape[ind:] + shape[:ind])


def tensorsolve(A, B, dims=None, *, out=None):
    """The ``X`` with ``tensordot(A, X, X.ndim) == B``."""
    from .shape import movedim
    if out is not None:
        raise NotImplementedError("ember's linalg.tensorsolve does not take out=")
    ndim = A._data.ndim
    if dims is not None:
        dims = list(dims)
        A = movedim(A, dims, list(range(ndim - len(dims), ndim)))
    result_shape = A._data.shape[B._data.ndim:]
    result_size = math.prod(result_shape)
    other_size = math.prod(B._data.shape)
    if result_size != other_size:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim:]) "
                           f"== prod(self.shape[:other.ndim]), but got {result_size} != "
                           f"{other_size}")
    A = A.reshape(result_size, result_size)
    return solve(A, B.flatten()).reshape(result_shape)


# -- householder_product ---------------------------------------------------------------------
def _reflector(A, i):
    """v_i = (0, ..., 0, 1, A[i+1:, i]) for each matrix of the batch (ember ops)."""
    lead = np.zeros(A._data.shape[:-2] + (i + 1,), dtype=A._data.dtype)
    lead[..., i] = 1
    return _cat_last(wrap(lead), A[..., i + 1:, i])


def _apply(v, tau_i, Q):
    """(I - tau v v^H) Q for each matrix of the batch."""
    vh_q = v.conj().unsqueeze(-2) @ Q
    return Q - tau_i.unsqueeze(-1).unsqueeze(-1) * (v.unsqueeze(-1) @ vh_q)


def _product_arrays(a, tau):
    m, n = a.shape[-2:]
    q = np.broadcast_to(np.eye(m, n, dtype=a.dtype), a.shape).copy()
    for i in range(tau.shape[-1] - 1, -1, -1):
        v = np.zeros(a.shape[:-1], dtype=a.dtype)
        v[..., i] = 1
        v[..., i + 1:] = a[..., i + 1:, i]
        vh_q = np.einsum("...m,...mn->...n", v.conj(), q)
        q -= tau[..., i, None, None] * v[..., :, None] * vh_q[..., None, :]
    return q


class LinalgHouseholderProductBackward0(Op):
    formula = ("Q = H_0...H_{k-1}E, H_i = I - tau_i v_i v_i^H: dL/dH_i = P_i^H G R_i^H, "
               "dtau_i = -v_i^H dH_i v_i, dv_i = -tau_i (dH_i + dH_i^H) v_i")
    saves = (0, 1)

    def backward(self, grad):
        from .joining import stack
        A, tau = self.saved_tensors
        if A._data.dtype.kind == "c":
            raise NotImplementedError("ember's householder_product has no complex derivative")
        m, n = A._data.shape[-2:]
        k = tau._data.shape[-1]
        v = [_reflector(A, i) for i in range(k)]
        taus = [tau[..., i] for i in range(k)]
        # R_i = H_{i+1} ... H_{k-1} E, built from the right.
        right = [None] * k
        r = wrap(np.broadcast_to(np.eye(m, n, dtype=A._data.dtype), A._data.shape).copy())
        for i in range(k - 1, -1, -1):
            right[i] = r
            r = _apply(v[i], taus[i], r)
        left = wrap(np.broadcast_to(np.eye(m, dtype=A._data.dtype),
                                    A._data.shape[:-2] + (m, m)).copy())
        grad_columns, grad_tau = [], []
        for i in range(k):
            g_h = left.mT @ grad @ right[i].mT
            g_hv = g_h @ v[i].unsqueeze(-1)
            grad_tau.append(-(v[i].unsqueeze(-2) @ g_hv).squeeze(-1).squeeze(-1))
            g_v = -(taus[i].unsqueeze(-1) * (g_hv + g_h.mT @ v[i].unsqueeze(-1)).squeeze(-1))
            # Only A's entries below the diagonal of column i enter v_i.
            zeros = wrap(np.zeros(A._data.shape[:-2] + (i + 1,), dtype=A._data.dtype))
            grad_columns.append(_cat_last(zeros, g_v[..., i + 1:]))
            left = left - taus[i].unsqueeze(-1).unsqueeze(-1) * (
                (left @ v[i].unsqueeze(-1)) @ v[i].unsqueeze(-2))
        zero_column = wrap(np.zeros(A._data.shape[:-1], dtype=A._data.dtype))
        grad_columns += [zero_column] * (n - k)
        grad_a = stack(grad_columns, -1) if grad_columns else None
        grad_t = stack(grad_tau, -1) if grad_tau else None
        return grad_a, grad_t


def _cat_last(a, b):
    from .joining import cat
    return cat([a, b], -1)


def householder_product(A, tau, *, out=None):
    """The first ``n`` columns of ``H_0 ... H_{k-1}``, ``H_i = I - tau_i v_i v_i^H``."""
    name = "torch.linalg.householder_product"
    if out is not None:
        raise NotImplementedError("ember's linalg.householder_product does not take out=")
    a, t = A._data, tau._data
    if a.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if a.shape[-2] < a.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if t.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    if a.shape[-1] < t.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    if t.ndim != a.ndim - 1:
        raise RuntimeError(f"{name}: Expected tau to have one dimension less than input, but "
                           f"got tau.ndim equal to {t.ndim} and input.ndim is equal to {a.ndim}")
    if t.shape[:-1] != a.shape[:-2]:
        raise RuntimeError(f"{name}: Expected batch dimensions of tau to be equal to "
                           f"input.shape[:-2], but got [{', '.join(map(str, t.shape[:-1]))}]")
    if t.dtype != a.dtype:
        raise RuntimeError(f"{name}: tau dtype {tau.dtype._scalar_name} does not match input "
                           f"dtype {A.dtype._scalar_name}")
    if a.dtype.kind not in "fc":
        raise NotImplementedError(f"\"orgqr_cpu\" not implemented for '{A.dtype._scalar_name}'")
    out = wrap(_product_arrays(a, t))
    if _state.enabled and (A._requires_grad or tau._requires_grad):
        record(LinalgHouseholderProductBackward0, out, (A, tau))
    return out


def orgqr(input, input2):
    """``torch.orgqr``: ``householder_product`` under LAPACK's name."""
    return householder_product(input, input2)


__all__ = ["orgqr"]
