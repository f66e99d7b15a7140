"""``nn.functional``: stateless layer functions and losses.

Each family lives in its own private module (``_conv``, ``_pooling``, ``_loss``, ...); this
package gathers their public names, so ``ember.nn.functional`` reads as
``torch.nn.functional``.
"""

from . import _activation, _linear, _loss
from ._activation import *  # noqa: F401,F403
from ._linear import *  # noqa: F401,F403
from ._loss import *  # noqa: F401,F403
from ._loss import _legacy_reduction  # noqa: F401  (used by the loss modules)

__all__ = []
for _family in (_activation, _linear, _loss):
    __all__ += _family.__all__
del _family
