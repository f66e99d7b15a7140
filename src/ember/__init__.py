"""ember: PyTorch's programming model in Python on NumPy.

``import ember as torch`` and a PyTorch program runs unchanged: tensors with reverse-mode
autograd, ``nn``, ``optim``. Heavy submodules (``nn``, ``optim``, ``utils``) load on first
use so ``import ember`` stays cheap.
"""

import importlib as _importlib

from . import _creation, _dtype
from ._creation import *  # noqa: F401,F403
from ._device import device
from ._dtype import (  # noqa: F401
    bool,
    complex64,
    complex128,
    dtype,
    finfo,
    float16,
    float32,
    float64,
    get_default_dtype,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    set_default_dtype,
    uint8,
)
from ._size import Size
from ._tensor import Tensor
from .autograd.anomaly_mode import (  # noqa: F401
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_anomaly_enabled,
)
from .autograd.grad_mode import (  # noqa: F401
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .ops import FUNCTIONS as _FUNCTIONS

__version__ = "0.1.0"

globals().update(_FUNCTIONS)
globals().update(_dtype.ALIASES)
for _name, _method in _creation.RANDOM_METHODS.items():
    setattr(Tensor, _name, _method)
bernoulli = _creation.bernoulli
# These need Tensor and the creation functions above.
from . import _creation_extras, _distributions, _runtime  # noqa: E402
from ._creation_extras import *  # noqa: E402,F401,F403
from ._distributions import multinomial, normal, poisson  # noqa: E402,F401
from ._runtime import *  # noqa: E402,F401,F403

for _name, _method in _distributions.METHODS.items():
    setattr(Tensor, _name, _method)

_LAZY_SUBMODULES = {"nn", "optim", "utils", "autograd", "random", "cli", "compat", "testing",
                    "linalg", "serialization", "viz", "doctor", "notebook", "distributed",
                    "cuda", "backends"}


def load_ipython_extension(ipython):
    """``%load_ext ember``: ``import torch`` in the notebook gives ember from then on."""
    from .notebook import load_ipython_extension as load
    load(ipython)


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        try:
            return _importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"ember does not implement torch.{name} yet") from None
    if name in _RANDOM_NAMES:
        from . import random
        return getattr(random, name)
    if name in ("save", "load"):
        from . import serialization
        return getattr(serialization, name)
    if name.startswith("__"):
        raise AttributeError(f"module 'ember' has no attribute '{name}'")
    raise AttributeError(f"ember does not implement torch.{name} yet (module 'ember' has no "
                         f"attribute '{name}')")


_RANDOM_NAMES = ("manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
                 "Generator", "default_generator")
_LAZY_NAMES = _RANDOM_NAMES + ("save", "load")


def __dir__():
    """The module's names, with the submodules and functions it loads on first use."""
    return sorted(set(globals()) | _LAZY_SUBMODULES | set(_LAZY_NAMES))


def result_type(tensor1, tensor2):
    return _dtype.result_type(tensor1, tensor2)


def can_cast(from_, to):
    return _dtype.can_cast(from_, to)


def compile(model=None, *, fullgraph=False, dynamic=None, backend=None, mode=None,
            options=None, name=None, disable=False, **kwargs):
    """``torch.compile``: ember has no compiler, so the model (or function) is returned as it
    is and runs eagerly, with the same results; as a decorator, ``@compile(...)`` too."""
    if model is None:
        return lambda fn: fn
    return model


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def numel(input):
    return input.numel()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set how tensors print (PyTorch's options and profiles)."""
    from ._printing import set_printoptions as _set
    _set(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth,
         profile=profile, sci_mode=sci_mode)


def get_printoptions():
    from ._printing import get_printoptions as _get
    return _get()


def printoptions(**kwargs):
    from ._printing import printoptions as _printoptions
    return _printoptions(**kwargs)


__all__ = ["Tensor", "Size", "device", "dtype", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "is_grad_enabled"] + sorted(_FUNCTIONS) + _distributions.__all__
__all__ += _runtime.__all__ + _creation_extras.__all__
