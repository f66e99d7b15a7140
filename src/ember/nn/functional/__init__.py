"""``nn.functional``: stateless layer functions and losses.

Each family lives in its own private module (``_conv``, ``_pooling``, ``_loss``, ...); this
package gathers their public names, so ``ember.nn.functional`` reads as
``torch.nn.functional``.
"""

from . import (
    _activation,
    _attention,
    _conv,
    _ctc,
    _distance,
    _dropout,
    _grid,
    _linear,
    _loss,
    _normalization,
    _padding,
    _pooling,
    _sparse,
    _vision,
)
from ._activation import *  # noqa: F401,F403
from ._attention import *  # noqa: F401,F403
from ._conv import *  # noqa: F401,F403
from ._ctc import *  # noqa: F401,F403
from ._distance import *  # noqa: F401,F403
from ._dropout import *  # noqa: F401,F403
from ._grid import *  # noqa: F401,F403
from ._linear import *  # noqa: F401,F403
from ._loss import *  # noqa: F401,F403
from ._loss import _legacy_reduction  # noqa: F401  (used by the loss modules)
from ._normalization import *  # noqa: F401,F403
from ._padding import *  # noqa: F401,F403
from ._pooling import *  # noqa: F401,F403
from ._sparse import *  # noqa: F401,F403
from ._vision import *  # noqa: F401,F403

__all__ = []
_FAMILIES = (
    _activation, _attention, _conv, _ctc, _distance, _dropout, _grid, _linear, _loss,
    _normalization, _padding, _pooling, _sparse, _vision,
)
for _family in _FAMILIES:
    __all__ += _family.__all__
del _family, _FAMILIES
