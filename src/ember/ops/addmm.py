"""Fused multiply-adds ``beta * input + alpha * (product)``: ``addmm``, ``addmv``, ``addr``,
``baddbmm``, ``addbmm`` and their in-place forms, one node each (PyTorch's grad_fn).

``input`` broadcasts to the product's shape (PyTorch's expand message otherwise); with
``beta=0`` it is ignored entirely, so its nan and inf do not propagate. The product's
operands follow the checks of ``mm``/``mv``/``bmm`` in ``linalg.py``.
"""

import numpy as np

from ._dispatch import Op, _state, plain_arrays, record, wrap
from .linalg import _check_bmm, _check_mm, _check_mv, _check_same_dtype_mm, scalar_name

__all__ = ["addmm", "addmv", "addr", "addbmm", "baddbmm"]


def _sizes(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


def expand_error(target, shape):
    """PyTorch's message when ``shape`` does not expand to ``target``."""
    for i in range(1, len(target) + 1):
        size = shape[-i] if i <= len(shape) else 1
        if size != target[-i] and size != 1:
            return RuntimeError(
                f"The expanded size of the tensor ({target[-i]}) must match the existing size "
                f"({size}) at non-singleton dimension {len(target) - i}.  Target sizes: "
                f"{_sizes(target)}.  Tensor sizes: {_sizes(shape)}")
    return RuntimeError(f"expand: the number of sizes provided ({len(target)}) must be greater "
                        f"or equal to the number of dimensions in the tensor ({len(shape)})")


def _scale(grad, factor):
    return grad if factor == 1 else grad * factor


class AddmmBackward0(Op):
    saves = (1, 2)
    formula = "d(beta*C + alpha*A@B): dC = beta*G, dA = alpha*G@B^T, dB = alpha*A^T@G"

    def backward(self, grad):
        mat1, mat2 = self.saved_tensors
        beta, alpha = self.ctx
        if beta == 1 and alpha == 1 and plain_arrays(grad, mat1, mat2):
            g = grad._data
            edges = self.next_functions
            # mat2 is usually weight.t(): its gradient is made as the transpose of a
            # row-major (g^T @ mat1), so the weight's own gradient comes out contiguous.
            return (grad if edges[0][0] is not None else None,
                    wrap(g @ mat2._data.T) if edges[1][0] is not None else None,
                    wrap((g.T @ mat1._data).T) if edges[2][0] is not None else None)
        g = _scale(grad, alpha)
        return (_scale(grad, beta) if self.needs_input_grad(0) else None,
                g.mm(mat2.t()) if self.needs_input_grad(1) else None,
                mat1.t().mm(g) if self.needs_input_grad(2) else None)


class AddmvBackward0(Op):
    saves = (1, 2)
    formula = "d(beta*c + alpha*A@v): dc = beta*g, dA = alpha*g v^T, dv = alpha*A^T g"

    def backward(self, grad):
        mat, vec = self.saved_tensors
        beta, alpha = self.ctx
        g = _scale(grad, alpha)
        return (_scale(grad, beta) if self.needs_input_grad(0) else None,
                g.unsqueeze(1) * vec.unsqueeze(0) if self.needs_input_grad(1) else None,
                mat.t().mv(g) if self.needs_input_grad(2) else None)


class AddrBackward0(Op):
    saves = (1, 2)
    formula = "d(beta*C + alpha*u v^T): dC = beta*G, du = alpha*G v, dv = alpha*G^T u"

    def backward(self, grad):
        vec1, vec2 = self.saved_tensors
        beta, alpha = self.ctx
        g = _scale(grad, alpha)
        return (_scale(grad, beta) if self.needs_input_grad(0) else None,
                g.mv(vec2) if self.needs_input_grad(1) else None,
                g.t().mv(vec1) if self.needs_input_grad(2) else None)


class BaddbmmBackward0(Op):
    saves = (1, 2)
    formula = "d(beta*C + alpha*A@B) per batch: dC = beta*G, dA = alpha*G@B^T, dB = alpha*A^T@G"

    def backward(self, grad):
        batch1, batch2 = self.saved_tensors
        beta, alpha = self.ctx
        g = _scale(grad, alpha)
        return (_scale(grad, beta) if self.needs_input_grad(0) else None,
                g.bmm(batch2.mT) if self.needs_input_grad(1) else None,
                batch1.mT.bmm(g) if self.needs_input_grad(2) else None)


class AddbmmBackward0(Op):
    saves = (1, 2)
    formula = ("d(beta*C + alpha*sum_b A_b@B_b): dC = beta*G, dA_b = alpha*G@B_b^T, "
               "dB_b = alpha*A_b^T@G")

    def backward(self, grad):
        batch1, batch2 = self.saved_tensors
        beta, alpha = self.ctx
        g = _scale(grad, alpha)
        return (_scale(grad, beta) if self.needs_input_grad(0) else None,
                g.unsqueeze(0).matmul(batch2.mT) if self.needs_input_grad(1) else None,
                batch1.mT.matmul(g.unsqueeze(0)) if self.needs_input_grad(2) else None)


def _check_fused_dtypes(input, left, right):
    if input._data.dtype != right._data.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{scalar_name(input._data)} and {scalar_name(right._data)}")
    _check_same_dtype_mm(left._data, right._data)


def _fused(cls, input, left, right, product, beta, alpha):
    """``beta * input + alpha * product`` where ``input`` broadcasts to the product's shape."""
    bias = input._data
    shape = product.shape
    if bias.shape != shape:
        try:
            if np.broadcast_shapes(bias.shape, shape) != shape:
                raise ValueError
        except ValueError:
            raise expand_error(shape, bias.shape) from None
    if alpha != 1:
        product = product * alpha
    # beta == 0 ignores input entirely (its nan and inf do not propagate), as in PyTorch.
    if beta == 1 and product.dtype == bias.dtype and product.flags.writeable:
        result = product
        result += bias  # the product is a fresh array: add the bias in place
    else:
        result = product + bias * beta if beta != 0 else product
    out = wrap(result.astype(product.dtype, copy=False))
    if _state.enabled and (input._requires_grad or left._requires_grad
                           or right._requires_grad):
        record(cls, out, (input, left, right), (beta, alpha))
    return out


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    _check_mm(mat1._data.shape, mat2._data.shape)
    if mat1._data.dtype != mat2._data.dtype and input._data.dtype == mat2._data.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{scalar_name(mat1._data)} and {scalar_name(mat2._data)}")
    _check_fused_dtypes(input, mat1, mat2)
    return _fused(AddmmBackward0, input, mat1, mat2, mat1._data @ mat2._data, beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    _check_mv(mat._data.shape, vec._data.shape)
    rows, bias = mat._data.shape[0], input._data.shape
    if bias not in ((), (1,), (rows,)):
        raise RuntimeError(f"size mismatch, got input ({bias[0] if bias else 1}), mat "
                           f"({rows}x{mat._data.shape[1]}), vec ({vec._data.shape[0]})")
    _check_fused_dtypes(input, mat, vec)
    return _fused(AddmvBackward0, input, mat, vec, mat._data @ vec._data, beta, alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v._data.ndim}-D")
    _check_fused_dtypes(input, vec1, vec2)
    return _fused(AddrBackward0, input, vec1, vec2, np.multiply.outer(vec1._data, vec2._data),
                  beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    _check_bmm(batch1._data.shape, batch2._data.shape)
    _check_fused_dtypes(input, batch1, batch2)
    return _fused(BaddbmmBackward0, input, batch1, batch2, batch1._data @ batch2._data, beta,
                  alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    sa, sb = batch1._data.shape, batch2._data.shape
    if len(sa) == 3 and len(sb) == 3 and sa[0] != sb[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {sa[0]} "
                           f"and {sb[0]}")
    _check_bmm(sa, sb)
    _check_fused_dtypes(input, batch1, batch2)
    product = np.einsum("bij,bjk->ik", batch1._data, batch2._data, optimize=True)
    return _fused(AddbmmBackward0, input, batch1, batch2, product, beta, alpha)


INPLACE = {"addmm_": addmm, "addmv_": addmv, "addr_": addr, "baddbmm_": baddbmm,
           "addbmm_": addbmm}
