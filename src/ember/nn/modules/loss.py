"""Loss modules: each holds its options and calls its ``nn.functional`` counterpart."""

from .. import functional as F
from ..module import Module

__all__ = ["MSELoss", "L1Loss"]


class _Loss(Module):
    # As in PyTorch, a bad ``reduction`` is only an error when the loss is computed.
    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = F._legacy_reduction(size_average, reduce)
        self.reduction = reduction


class MSELoss(_Loss):
    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)
