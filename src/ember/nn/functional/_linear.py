"""``linear`` and ``bilinear``: the maps behind ``nn.Linear`` and ``nn.Bilinear``.

``bilinear`` is ``torch.bilinear`` (in ``ops/bilinear.py``).
"""

from ..._tensor import Tensor
from ...ops._dispatch import _state, record, wrap
from ...ops.addmm import AddmmBackward0, addmm
from ...ops.bilinear import bilinear
from ...ops.shape import t

__all__ = ["linear", "bilinear"]


def linear(input, weight, bias=None):
    """``input @ weight.T + bias``; 2-D input is one ``addmm``, as in PyTorch."""
    if isinstance(bias, Tensor) and isinstance(input, Tensor) and isinstance(weight, Tensor):
        x, w, b = input._data, weight._data, bias._data
        # The layer's usual call (a batch of rows, one float dtype, one bias per output) is
        # ``addmm(bias, input, weight.t())`` with the checks that cannot fail left out: the
        # same graph, saved tensors and values.
        if (x.ndim == 2 and w.ndim == 2 and b.ndim == 1 and x.shape[1] == w.shape[1]
                and b.shape[0] == w.shape[0] and x.dtype is w.dtype and b.dtype is w.dtype
                and w.dtype.kind == "f"):
            weight_t = t(weight)
            result = x @ weight_t._data
            result += b
            out = wrap(result)
            if _state.enabled and (bias._requires_grad or input._requires_grad
                                   or weight._requires_grad):
                record(AddmmBackward0, out, (bias, input, weight_t), (1, 1))
            return out
    if input.dim() == 0 or weight.dim() == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{input.dim()}D and {weight.dim()}D")
    weight_t = weight.t()
    if input.dim() == 2 and bias is not None:
        return addmm(bias, input, weight_t)
    if input.dim() >= 2 and bias is not None:
        lead = input.shape[:-1]
        flat = input.reshape(-1, input.shape[-1])
        return addmm(bias, flat, weight_t).view(*lead, weight.shape[0])
    if input.dim() == 1 and bias is not None:
        return addmm(bias, input.unsqueeze(0), weight_t).view(weight.shape[0])
    return input.matmul(weight_t)
