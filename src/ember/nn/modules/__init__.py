"""Layers, activations and losses built on ``Module``, one family per module, as in
``torch.nn.modules`` (containers and ``Module`` itself live in ``ember.nn``)."""

from ..containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from . import (
    activation,
    attention,
    batchnorm,
    conv,
    distance,
    dropout,
    flatten,
    fold,
    instancenorm,
    lazy,
    linear,
    loss,
    normalization,
    padding,
    pixelshuffle,
    pooling,
    rnn,
    sparse,
    transformer,
    upsampling,
)
from .activation import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .batchnorm import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .fold import *  # noqa: F401,F403
from .instancenorm import *  # noqa: F401,F403
from .lazy import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pixelshuffle import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]
_FAMILIES = (
    activation, attention, batchnorm, conv, distance, dropout, flatten, fold, instancenorm,
    lazy, linear, loss, normalization, padding, pixelshuffle, pooling, rnn, sparse, transformer,
    upsampling,
)
for _family in _FAMILIES:
    __all__ += _family.__all__
del _family, _FAMILIES
