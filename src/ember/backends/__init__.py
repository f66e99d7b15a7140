"""``ember.backends``: the switches scripts set for PyTorch's backends
(``torch.backends.cudnn.deterministic = True``), accepted and recorded; ember has one
backend, NumPy, which is deterministic and has no GPU kernels to tune."""

from . import cudnn, mps

__all__ = ["cudnn", "mps"]
