"""Learning-rate schedules (``torch.optim.lr_scheduler``): each ``step()`` sets the ``lr``
of the optimizer's parameter groups, exactly as PyTorch's schedules compute it."""

from ._lr_base import LRScheduler, _LRScheduler  # noqa: F401 (PyTorch's former name)
from ._lr_composite import ChainedScheduler, ReduceLROnPlateau, SequentialLR
from ._lr_cyclic import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR
from ._lr_decay import (
                        ConstantLR,
                        CosineAnnealingLR,
                        ExponentialLR,
                        LambdaLR,
                        LinearLR,
                        MultiplicativeLR,
                        MultiStepLR,
                        PolynomialLR,
                        StepLR,
)

__all__ = ["LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
           "ExponentialLR", "SequentialLR", "CosineAnnealingLR", "ChainedScheduler",
           "ReduceLROnPlateau", "CyclicLR", "CosineAnnealingWarmRestarts", "OneCycleLR",
           "PolynomialLR", "LRScheduler"]
