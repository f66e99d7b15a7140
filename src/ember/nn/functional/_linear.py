"""``linear`` and ``bilinear``: the maps behind ``nn.Linear`` and ``nn.Bilinear``.

``bilinear`` is ``torch.bilinear`` (in ``ops/bilinear.py``).
"""

from ...ops.addmm import addmm
from ...ops.bilinear import bilinear

__all__ = ["linear", "bilinear"]


def linear(input, weight, bias=None):
    """``input @ weight.T + bias``; 2-D input is one ``addmm``, as in PyTorch."""
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
