"""Matrix products: ``mm``, ``bmm``, ``mv``, ``dot``, ``vdot``, ``matmul`` in every rank
combination, and ``outer`` (the fused ``addmm`` family is in ``addmm.py``).

``matmul`` dispatches by rank as PyTorch does, so the grad_fn matches: 1-D @ 1-D is
``DotBackward0``, 2-D @ 1-D ``MvBackward0``, 2-D @ 2-D ``MmBackward0``, 1-D @ 2-D
``SqueezeBackward4`` over an mm. Every batched product (one side 3-D or more) is one fused
node here whose derivative is batched matmuls; PyTorch builds the same product from views
around an mm/bmm, and the grad_fn a user sees is its last step: ``UnsafeViewBackward0``,
or ``CloneBackward0`` for 2-D @ batched when the matrix requires grad (PyTorch folds the
batch into one mm and copies the transposed result).

dtypes are not promoted: both operands must have one dtype (PyTorch's messages otherwise);
integer products are exact, bool is refused.
"""

import numpy as np

from .. import _dtype
from ._dispatch import Op, _state, broadcast_error, plain_arrays, record, wrap

__all__ = ["mm", "bmm", "mv", "dot", "vdot", "matmul", "outer"]

# The names PyTorch's C++ type meta uses in some messages ("float != double").
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
              "int32": "int", "int16": "short int", "int8": "signed char",
              "uint8": "unsigned char", "bool": "bool", "complex64": "c10::complex<float>",
              "complex128": "c10::complex<double>"}
_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                 "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                 "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def scalar_name(array):
    """PyTorch's ScalarType name for an array's dtype (``Float``, ``Double``, ``Long``)."""
    return _SCALAR_NAMES[_dtype._BY_NUMPY[array.dtype].name]


def _cpp_name(array):
    return _CPP_NAMES[_dtype._BY_NUMPY[array.dtype].name]


def _check_not_bool(array, kernel='"addmm_impl_cpu_"'):
    if array.dtype == np.bool_:
        raise NotImplementedError(f"{kernel} not implemented for 'Bool'")


def _check_same_dtype_mm(a, b):
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_cpp_name(a)} "
                           f"!= {_cpp_name(b)}")
    _check_not_bool(a)


def _check_same_dtype_bmm(a, b):
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {scalar_name(a)} but found {scalar_name(b)}")
    _check_not_bool(a, '"bmm"')


# -- the named products -------------------------------------------------------------------

class MmBackward0(Op):
    saves = (0, 1)
    formula = "d(A@B)/dA = G @ B^T, d(A@B)/dB = A^T @ G"

    def backward(self, grad):
        a, b = self.saved_tensors
        if plain_arrays(grad, a, b):
            g = grad._data
            return (wrap(g @ b._data.T) if self.needs_input_grad(0) else None,
                    wrap(a._data.T @ g) if self.needs_input_grad(1) else None)
        return (grad.mm(b.t()) if self.needs_input_grad(0) else None,
                a.t().mm(grad) if self.needs_input_grad(1) else None)


class BmmBackward0(Op):
    saves = (0, 1)
    formula = "d(A@B)/dA = G @ B^T, d(A@B)/dB = A^T @ G (per batch)"

    def backward(self, grad):
        a, b = self.saved_tensors
        return (grad.bmm(b.mT) if self.needs_input_grad(0) else None,
                a.mT.bmm(grad) if self.needs_input_grad(1) else None)


class MvBackward0(Op):
    saves = (0, 1)
    formula = "d(A@v)/dA = g v^T, d(A@v)/dv = A^T g"

    def backward(self, grad):
        a, v = self.saved_tensors
        return (grad.unsqueeze(1) * v.unsqueeze(0) if self.needs_input_grad(0) else None,
                a.t().mv(grad) if self.needs_input_grad(1) else None)


class DotBackward0(Op):
    saves = (0, 1)
    formula = "d(u.v)/du = g v, d(u.v)/dv = g u"

    def backward(self, grad):
        u, v = self.saved_tensors
        return (grad * v if self.needs_input_grad(0) else None,
                grad * u if self.needs_input_grad(1) else None)


class VdotBackward0(DotBackward0):
    formula = "d(conj(u).v)/du = conj(g) v, d(conj(u).v)/dv = g u"

    def backward(self, grad):
        u, v = self.saved_tensors
        return (grad.conj() * v if self.needs_input_grad(0) else None,
                grad * u if self.needs_input_grad(1) else None)


def _product(cls, input, other, data):
    out = wrap(data)
    if _state.enabled and (input._requires_grad or other._requires_grad):
        record(cls, out, (input, other))
    return out


def _check_mm(sa, sb):
    if len(sa) != 2:
        raise RuntimeError("self must be a matrix")
    if len(sb) != 2:
        raise RuntimeError("mat2 must be a matrix")
    if sa[1] != sb[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and "
                           f"{sb[0]}x{sb[1]})")


def _check_mv(sa, sb):
    if len(sa) != 2 or len(sb) != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {len(sa)}, {len(sb)}")
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


def _check_bmm(sa, sb):
    if len(sa) != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if len(sb) != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if sb[0] != sa[0] or sb[1] != sa[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}].")


def mm(input, mat2):
    a, b = input._data, mat2._data
    _check_mm(a.shape, b.shape)
    _check_same_dtype_mm(a, b)
    return _product(MmBackward0, input, mat2, a @ b)


def bmm(input, mat2):
    a, b = input._data, mat2._data
    _check_bmm(a.shape, b.shape)
    _check_same_dtype_bmm(a, b)
    return _product(BmmBackward0, input, mat2, a @ b)


def mv(input, vec):
    a, v = input._data, vec._data
    _check_mv(a.shape, v.shape)
    if a.dtype != v.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{scalar_name(v)}, {scalar_name(a)}, and {scalar_name(v)}")
    _check_not_bool(a, '"addmv_impl_cpu"')
    return _product(MvBackward0, input, vec, a @ v)


def _dot_checks(input, other, name):
    a, b = input._data, other._data
    _check_dot(a.shape, b.shape)
    if a.dtype != b.dtype:
        raise RuntimeError(f"{name} : expected both vectors to have same dtype, but found "
                           f"{scalar_name(a)} and {scalar_name(b)}")
    return a, b


def dot(input, other):
    a, b = _dot_checks(input, other, "dot")
    return _product(DotBackward0, input, other, np.dot(a, b))


def vdot(input, other):
    a, b = _dot_checks(input, other, "vdot")
    return _product(VdotBackward0, input, other, np.vdot(a, b))


# -- matmul ---------------------------------------------------------------------------------

class MatmulBackward(Op):
    """Batched / broadcast matmul: one node, derivatives by batched matmuls."""

    saves = (0, 1)
    formula = "d(A@B)/dA = G @ B^T, d(A@B)/dB = A^T @ G (summed over broadcast batches)"

    def backward(self, grad):
        a, b = self.saved_tensors
        # 1-D operands act as a row (left) or a column (right) matrix.
        a2 = a.unsqueeze(0) if a.dim() == 1 else a
        b2 = b.unsqueeze(-1) if b.dim() == 1 else b
        g = grad.unsqueeze(-2) if a.dim() == 1 else grad
        g = g.unsqueeze(-1) if b.dim() == 1 else g
        grad_a = grad_b = None
        if self.needs_input_grad(0):
            grad_a = g.matmul(b2.mT)
            grad_a = grad_a.squeeze(-2) if a.dim() == 1 else grad_a
        if self.needs_input_grad(1):
            grad_b = a2.mT.matmul(g)
            grad_b = grad_b.squeeze(-1) if b.dim() == 1 else grad_b
        return grad_a, grad_b


# The grad_fn PyTorch shows for a batched matmul is the last view/copy around its bmm/mm.
MatmulUnsafeView = type("UnsafeViewBackward0", (MatmulBackward,), {"__slots__": ()})
MatmulClone = type("CloneBackward0", (MatmulBackward,), {"__slots__": ()})


def _check_batched_matmul(sa, sb):
    """PyTorch's errors for a batched matmul: folded into an mm/mv, or a bmm."""
    if len(sa) >= 3 and len(sb) <= 2:
        rows = int(np.prod(sa[:-1]))
        if len(sb) == 1:
            if sa[-1] != sb[0]:
                raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{sa[-1]}), "
                                   f"vec ({sb[0]})")
        elif sa[-1] != sb[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{sa[-1]} and "
                               f"{sb[0]}x{sb[1]})")
        return
    batch_a, batch_b = sa[:-2], sb[:-2]
    try:
        batch = np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise broadcast_error(batch_a, batch_b) from None
    k_a = sa[-1]
    k_b = sb[-2] if len(sb) > 1 else sb[0]
    if k_a != k_b:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{int(np.prod(batch))}, {k_a}] but got: [{int(np.prod(batch))}, "
                           f"{k_b}].")


def matmul(input, other):
    da, db = input._data.ndim, other._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{da}D and {db}D")
    if da == 1 and db == 1:
        return dot(input, other)
    if da == 2 and db == 1:
        return mv(input, other)
    if da == 2 and db == 2:
        return mm(input, other)
    if da == 1 and db == 2:
        # PyTorch computes this as unsqueeze(0) @ B, then squeeze: SqueezeBackward4.
        return _squeeze4(mm(input.unsqueeze(0), other))
    a, b = input._data, other._data
    _check_batched_matmul(a.shape, b.shape)
    if da >= 3 and db <= 2:
        _check_same_dtype_mm(a, b)
    else:
        _check_same_dtype_bmm(a, b)
    # PyTorch squeezes a single-batch 3-D left operand against a batched 3-D right one, so
    # that case is 2-D @ batched too.
    left_is_matrix = da == 2 or (da == db == 3 and a.shape[0] == 1 and b.shape[0] != 1)
    cls = MatmulClone if (left_is_matrix and input._requires_grad) else MatmulUnsafeView
    return _product(cls, input, other, np.matmul(a, b))


class SqueezeBackward4(Op):
    formula = "squeeze(0): unsqueeze the gradient back"

    def backward(self, grad):
        return grad.unsqueeze(0)


def _squeeze4(input):
    from .shape import make_view
    out = make_view(input, input._data[0])
    if _state.enabled and input._requires_grad:
        record(SqueezeBackward4, out, (input,))
    return out


def outer(input, vec2):
    """``input[:, None] * vec2``: a broadcast multiply, as in PyTorch (MulBackward0)."""
    for name, v in (("self", input), ("vec2", vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v._data.ndim}-D")
    return input.reshape(-1, 1) * vec2


ALIASES = {"ger": outer}
