"""Matrix products: matmul in every rank combination, and the named ops it dispatches to.

``matmul`` picks PyTorch's underlying op by rank so the grad_fn matches: 1-D @ 1-D is
``DotBackward0``, 2-D @ 1-D ``MvBackward0``, 2-D @ 2-D ``MmBackward0``, batched
``BmmBackward0``-style products are ``UnsafeViewBackward0`` over a bmm.
"""

import numpy as np

from ._dispatch import Op, _state, promote_operands, record, wrap


def _matmul_dtype_check(a, b, name):
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_name(a.dtype)} != {_name(b.dtype)}")


def _name(np_dtype):
    from .._dtype import from_numpy_dtype
    return from_numpy_dtype(np_dtype).name


class MmBackward0(Op):
    saves = (0, 1)
    formula = "d(A@B)/dA = G @ B^T, d(A@B)/dB = A^T @ G"

    def backward(self, grad):
        a, b = self.saved_tensors
        return (grad.mm(b.t()) if self.needs_input_grad(0) else None,
                a.t().mm(grad) if self.needs_input_grad(1) else None)


class MvBackward0(Op):
    saves = (0, 1)
    formula = "d(A@v)/dA = g v^T, d(A@v)/dv = A^T g"

    def backward(self, grad):
        a, v = self.saved_tensors
        return grad.unsqueeze(1) * v.unsqueeze(0), a.t().mv(grad)


class DotBackward0(Op):
    saves = (0, 1)
    formula = "d(u.v)/du = g v, d(u.v)/dv = g u"

    def backward(self, grad):
        u, v = self.saved_tensors
        return grad * v, grad * u


class MatmulBackward0(Op):
    """Batched / broadcast matmul (PyTorch records this via bmm and views)."""
    saves = (0, 1)
    formula = "d(A@B)/dA = G @ B^T, d(A@B)/dB = A^T @ G"

    def backward(self, grad):
        a, b = self.saved_tensors
        a2 = a.unsqueeze(0) if a.dim() == 1 else a
        b2 = b.unsqueeze(-1) if b.dim() == 1 else b
        g = grad
        if a.dim() == 1:
            g = g.unsqueeze(-2)
        if b.dim() == 1:
            g = g.unsqueeze(-1)
        grad_a = g.matmul(b2.mT)
        grad_b = a2.mT.matmul(g)
        if a.dim() == 1:
            grad_a = grad_a.squeeze(-2)
        if b.dim() == 1:
            grad_b = grad_b.squeeze(-1)
        return grad_a, grad_b


UnsafeViewBackward0 = type("UnsafeViewBackward0", (MatmulBackward0,), {"__slots__": ()})


def _product(cls, input, other, np_func, check):
    a, b = input._data, other._data
    check(a.shape, b.shape)
    if a.dtype != b.dtype:
        _matmul_dtype_check(a, b, cls.__name__)
    out = wrap(np_func(a, b))
    if _state.enabled and (input._requires_grad or other._requires_grad):
        record(cls, out, (input, other))
    return out


def _check_mm(sa, sb):
    if len(sa) != 2:
        raise RuntimeError(f"self must be a matrix")
    if len(sb) != 2:
        raise RuntimeError(f"mat2 must be a matrix")
    if sa[1] != sb[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and "
                           f"{sb[0]}x{sb[1]})")


def _check_mv(sa, sb):
    if len(sa) != 2 or len(sb) != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {len(sb)}, {len(sa)}, "
                           f"{len(sb)}")
    if sa[1] != sb[0]:
        raise RuntimeError(f"size mismatch, got input ({sa[0]}), mat ({sa[0]}x{sa[1]}), vec "
                           f"({sb[0]})")


def _check_dot(sa, sb):
    if len(sa) != 1 or len(sb) != 1:
        raise RuntimeError(f"1D tensors expected, but got {len(sa)}D and {len(sb)}D tensors")
    if sa[0] != sb[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src "
                           f"[{sb[0]}] to have the same number of elements, but got {sa[0]} "
                           f"and {sb[0]} elements respectively")


def mm(input, mat2):
    return _product(MmBackward0, input, mat2, np.matmul, _check_mm)


def mv(input, vec):
    return _product(MvBackward0, input, vec, np.matmul, _check_mv)


def dot(input, other):
    return _product(DotBackward0, input, other, np.dot, _check_dot)


def _check_matmul(sa, sb):
    if not sa or not sb:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{len(sa)}D and {len(sb)}D")
    k_a = sa[-1]
    k_b = sb[-2] if len(sb) > 1 else sb[0]
    if k_a != k_b:
        rows = int(np.prod(sa[:-1])) if len(sa) > 1 else 1
        if len(sb) == 1:
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{k_a}), vec "
                               f"({k_b})")
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k_a} and "
                           f"{k_b}x{sb[-1]})")


def matmul(input, other):
    da, db = input._data.ndim, other._data.ndim
    if da == 1 and db == 1:
        return dot(input, other)
    if da == 2 and db == 1:
        return mv(input, other)
    if da == 2 and db == 2:
        return mm(input, other)
    if da == 1 and db == 2:
        # PyTorch computes this as unsqueeze(0) @ B then squeeze: SqueezeBackward4.
        return _squeeze4(mm(input.unsqueeze(0), other))
    return _product(UnsafeViewBackward0, input, other, np.matmul, _check_matmul)


class SqueezeBackward4(Op):
    formula = "squeeze: reshape the gradient back"

    def backward(self, grad):
        return grad.unsqueeze(0)


def _squeeze4(input):
    from .shape import make_view
    out = make_view(input, input._data[0])
    if _state.enabled and input._requires_grad:
        record(SqueezeBackward4, out, (input,))
    return out


class AddmmBackward0(Op):
    saves = (1, 2)
    formula = "d(beta*C + alpha*A@B): dC = beta*G, dA = alpha*G@B^T, dB = alpha*A^T@G"

    def backward(self, grad):
        mat1, mat2 = self.saved_tensors
        beta, alpha = self.ctx
        g = grad if alpha == 1 else grad * alpha
        grad_input = grad if beta == 1 else grad * beta
        return (grad_input,
                g.mm(mat2.t()) if self.needs_input_grad(1) else None,
                mat1.t().mm(g) if self.needs_input_grad(2) else None)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    _check_mm(mat1._data.shape, mat2._data.shape)
    product = mat1._data @ mat2._data
    if alpha != 1:
        product = product * alpha
    bias = input._data if beta == 1 else input._data * beta
    try:
        product += bias
    except ValueError:
        from ._dispatch import broadcast_error
        raise broadcast_error(bias.shape, product.shape) from None
    out = wrap(product)
    if _state.enabled and (input._requires_grad or mat1._requires_grad
                           or mat2._requires_grad):
        record(AddmmBackward0, out, (input, mat1, mat2), (beta, alpha))
    return out


def outer(input, vec2):
    return input.unsqueeze(1) * vec2.unsqueeze(0)


__all__ = ["mm", "mv", "dot", "matmul", "addmm", "outer"]
