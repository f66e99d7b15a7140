"""``torch.bilinear``: ``y[n, o] = x1[n] @ weight[o] @ x2[n] + bias[o]``, PyTorch's way.

PyTorch flattens both inputs to 2-D, contracts them with the weight in one ``_trilinear``
kernel (grad_fn ``TrilinearBackward0``), reshapes back and adds the bias, so the graph
reads ``AddBackward0 <- ViewBackward0 <- TrilinearBackward0 <- ViewBackward0``. The forward
is one GEMM (x1 against the weight laid out as ``[in1, out * in2]``) and a batched dot.
"""

import numpy as np

from ._dispatch import Op, _state, record, wrap
from .einsum import einsum

# c10's names for dtypes in this message ("double", "float"...).
_C10_NAMES = {np.dtype(np.float64): "double", np.dtype(np.float32): "float",
              np.dtype(np.float16): "c10::Half", np.dtype(np.int64): "long int",
              np.dtype(np.int32): "int", np.dtype(np.int16): "short int",
              np.dtype(np.int8): "signed char", np.dtype(np.uint8): "unsigned char",
              np.dtype(np.bool_): "bool"}


class TrilinearBackward0(Op):
    saves = (0, 1, 2)
    formula = "d(x1_i W_oij x2_j)/dx1_i = W_oij x2_j; /dW_oij = x1_i x2_j; /dx2_j = x1_i W_oij"

    def backward(self, grad):
        x1, weight, x2 = self.saved_tensors
        return (einsum("no,oij,nj->ni", grad, weight, x2) if self.needs_input_grad(0) else None,
                einsum("no,ni,nj->oij", grad, x1, x2) if self.needs_input_grad(1) else None,
                einsum("no,ni,oij->nj", grad, x1, weight) if self.needs_input_grad(2) else None)


def _trilinear(x1, weight, x2):
    a, w, b = x1._data, weight._data, x2._data
    out_features, in1, in2 = w.shape
    # [n, in1] @ [in1, out * in2] -> [n, out, in2], then a dot with x2 over in2.
    partial = (a @ w.transpose(1, 0, 2).reshape(in1, out_features * in2)).reshape(
        a.shape[0], out_features, in2)
    out = wrap(np.einsum("noj,nj->no", partial, b))
    if _state.enabled and (x1._requires_grad or weight._requires_grad or x2._requires_grad):
        record(TrilinearBackward0, out, (x1, weight, x2))
    return out


def _dtype_names(*tensors):
    return [_C10_NAMES.get(t._data.dtype, str(t._data.dtype)) for t in tensors]


def bilinear(input1, input2, weight, bias=None):
    tensors = (input1, input2, weight) + (() if bias is None else (bias,))
    if len({t._data.dtype for t in tensors}) > 1:
        names = _dtype_names(*tensors)
        labels = ["input1", "input2", "weight", "bias"]
        raise RuntimeError("All tensors must have the same dtype, got " + ", ".join(
            f"{label}: {name}" for label, name in zip(labels, names)))
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and "
                           f"{input2.dim()}")
    for i in range(input1.dim() - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: "
                               f"got {input1.shape[i]} and {input2.shape[i]}")
    if input1.size(-1) != weight.size(1):
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.size(-1)} but expected {weight.size(1)}")
    if input2.size(-1) != weight.size(2):
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.size(-1)} but expected {weight.size(2)}")
    if bias is not None and bias.size(0) != weight.size(0):
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{bias.size(0)} but expected {weight.size(0)}")
    output_size = tuple(input1.shape[:-1]) + (weight.shape[0],)
    flat1 = input1.reshape(-1, input1.shape[-1])
    flat2 = input2.reshape(-1, input2.shape[-1])
    output = _trilinear(flat1, weight, flat2).reshape(output_size)
    if bias is not None:
        output = output + bias
    return output


__all__ = ["bilinear"]
FUNCTION_ONLY = ["bilinear"]
