"""The ``torch.*`` settings and odds and ends that scripts touch besides the ops: math
constants, thread counts, determinism and precision switches, the default device, layouts
and memory formats, the Tensor queries that go with them (``is_cpu``, ``layout``,
``pin_memory``, ``share_memory_``), and the legacy tensor types (``torch.FloatTensor``...).

ember computes with NumPy on the CPU, so most switches only record what they are given:
NumPy's kernels are already deterministic, matmul always runs at full float32 precision, and
every array is C-contiguous or a strided view of one, whatever ``memory_format`` asks for.
The one setting that changes how ember runs is ``set_num_threads``, which limits NumPy's BLAS.
"""

import math
import os
import warnings

from . import _creation, _dtype
from ._device import CPU, as_device
from ._size import Size
from ._tensor import Tensor

__all__ = ["pi", "e", "inf", "nan", "newaxis",
           "get_num_threads", "set_num_threads", "get_num_interop_threads",
           "set_num_interop_threads",
           "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
           "get_deterministic_debug_mode", "set_float32_matmul_precision",
           "get_float32_matmul_precision", "set_warn_always", "is_warn_always_enabled",
           "get_default_device", "set_default_device",
           "layout", "strided", "memory_format", "contiguous_format", "preserve_format",
           "channels_last", "channels_last_3d",
           "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
           "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]

pi = math.pi
e = math.e
inf = math.inf
nan = math.nan
newaxis = None

_settings = {"num_threads": None, "num_interop_threads": None, "deterministic": False,
             "warn_only": False, "matmul_precision": "highest", "warn_always": False}


# -- threads ---------------------------------------------------------------------------------
def _blas_threads():
    """The BLAS pool's size as threadpoolctl reports it, or None without threadpoolctl."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    counts = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    return max(counts) if counts else None


def _check_count(name, value):
    if not isinstance(value, int) or isinstance(value, bool):
        raise RuntimeError(f"{name} expects an int, but got {type(value).__name__}")
    if value <= 0:
        raise RuntimeError(f"{name} expects a positive integer")


def get_num_threads():
    """The threads ember's kernels use: the count last given to ``set_num_threads``, else the
    size of NumPy's BLAS pool (through ``threadpoolctl``), else the number of CPUs."""
    if _settings["num_threads"] is not None:
        return _settings["num_threads"]
    return _blas_threads() or os.cpu_count() or 1


def set_num_threads(int):
    """Limit the threads ember computes with. ember's only multi-threaded work is NumPy's
    BLAS (matmul, linear algebra), so this limits BLAS through ``threadpoolctl`` when that
    package is importable; without it the value is only recorded (set ``OMP_NUM_THREADS``
    before starting Python instead). ``get_num_threads`` returns the value either way."""
    _check_count("set_num_threads", int)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        pass
    else:
        threadpool_limits(limits=int, user_api="blas")
    _settings["num_threads"] = int


def get_num_interop_threads():
    """Threads for running independent ops side by side. ember runs ops one after another,
    so this is only the value last set (by default the CPU count, as in PyTorch)."""
    return _settings["num_interop_threads"] or os.cpu_count() or 1


def set_num_interop_threads(int):
    """Record the inter-op thread count (ember has no inter-op pool). As in PyTorch, it may
    be set once per process."""
    _check_count("set_num_interop_threads", int)
    if _settings["num_interop_threads"] is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work "
                           "has started or set_num_interop_threads called")
    _settings["num_interop_threads"] = int


# -- determinism, precision, warnings --------------------------------------------------------
def _check_bool(function, argument, value, position=""):
    if not isinstance(value, bool):
        raise TypeError(f"{function}(): argument '{argument}'{position} must be bool, not "
                        f"{type(value).__name__}")


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Record whether deterministic algorithms are required. Every ember kernel is a NumPy
    computation that gives the same result on every run, so none needs to refuse or warn."""
    _check_bool("_set_deterministic_algorithms", "mode", mode, " (position 1)")
    _check_bool("_set_deterministic_algorithms", "warn_only", warn_only)
    _settings["deterministic"] = mode
    _settings["warn_only"] = mode and warn_only


def are_deterministic_algorithms_enabled():
    return _settings["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _settings["warn_only"]


_DEBUG_MODES = ("default", "warn", "error")


def set_deterministic_debug_mode(debug_mode):
    """``"default"``/0: off; ``"warn"``/1: deterministic, warn only; ``"error"``/2: on."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, "
                               f"`warn`, `error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES.index(debug_mode)
    elif not isinstance(debug_mode, int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    if not _settings["deterministic"]:
        return 0
    return 1 if _settings["warn_only"] else 2


def set_float32_matmul_precision(precision):
    """Record the requested float32 matmul precision. ember's matmul is NumPy's, always at
    full float32 precision ("highest"), so "high" and "medium" change no result."""
    if not isinstance(precision, str):
        raise RuntimeError(f"set_float32_matmul_precision expects a str, but got "
                           f"{type(precision).__name__}")
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning,
                      stacklevel=2)
        return
    _settings["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _settings["matmul_precision"]


def set_warn_always(b):
    """Record whether once-per-process warnings should repeat (ember's warnings go through
    Python's ``warnings`` module, whose filters decide)."""
    if not isinstance(b, bool):
        raise RuntimeError(f"setWarnOnlyOnce expects a bool, but got {type(b).__name__}")
    _settings["warn_always"] = b


def is_warn_always_enabled():
    return _settings["warn_always"]


# -- devices, layouts, memory formats --------------------------------------------------------
def get_default_device():
    return CPU


def set_default_device(device):
    """Only the CPU exists in ember: ``None`` or ``"cpu"`` are accepted, and other devices
    raise what using them raises (for CUDA, PyTorch's CPU-only assertion)."""
    as_device(device)


class _Singleton:
    """Values PyTorch prints as ``torch.<name>`` and that cannot be made from Python."""
    __slots__ = ("_name",)

    def __new__(cls, *args, **kwargs):
        raise TypeError(f"cannot create 'torch.{cls.__name__}' instances")

    @classmethod
    def _make(cls, name):
        self = object.__new__(cls)
        self._name = name
        return self

    def __repr__(self):
        return f"torch.{self._name}"

    def __reduce__(self):
        return self._name


class layout(_Singleton):
    """How a tensor's elements are laid out; ember has only ``strided`` (dense) tensors."""
    __slots__ = ()


class memory_format(_Singleton):
    """Accepted wherever PyTorch takes ``memory_format=``. ember keeps arrays C-contiguous
    (``contiguous_format``) whatever is asked: ``channels_last`` changes no result, only the
    strides PyTorch would report."""
    __slots__ = ()


strided = layout._make("strided")
contiguous_format = memory_format._make("contiguous_format")
preserve_format = memory_format._make("preserve_format")
channels_last = memory_format._make("channels_last")
channels_last_3d = memory_format._make("channels_last_3d")


def _pin_memory(self, device=None):
    """Page-locked memory speeds copies to a GPU; with none present PyTorch refuses."""
    raise RuntimeError("Cannot access accelerator device when none is available.")


def _is_pinned(self, device=None):
    return False


def _share_memory_(self):
    """Mark the tensor shared and return it. ember has no shared-memory storage: tensors
    sent to another process are pickled (copied), so this only records the request."""
    self._shared = True
    return self


def _is_shared(self):
    return self.__dict__.get("_shared", False)


METHODS = {"pin_memory": _pin_memory, "is_pinned": _is_pinned,
           "share_memory_": _share_memory_, "is_shared": _is_shared}
PROPERTIES = {"is_cpu": property(lambda self: True, doc="Always True: ember runs on the CPU."),
              "layout": property(lambda self: strided, doc="Always ``torch.strided``.")}


# -- legacy tensor types ----------------------------------------------------------------------
# C++ type names, as PyTorch's TensorOptions message prints them.
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
              "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
              "uint8": "unsigned char", "bool": "bool", "complex64": "c10::complex<float>",
              "complex128": "c10::complex<double>"}


def _options(dtype):
    return (f"TensorOptions(dtype={_CPP_NAMES.get(dtype.name, dtype.name)}, device=cpu, "
            f"layout=Strided, requires_grad=false (default), pinned_memory=false (default), "
            "memory_format=(nullopt))")


class _LegacyType(type):
    """``torch.FloatTensor`` and friends: call one to make a tensor of its dtype, and
    ``isinstance(t, torch.FloatTensor)`` is true for float32 tensors."""

    def __instancecheck__(cls, instance):
        return isinstance(instance, Tensor) and instance.dtype is cls.dtype

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"

    def __call__(cls, *args, device=None):
        as_device(device)
        if not args:
            return _creation.empty(0, dtype=cls.dtype)
        first = args[0]
        if isinstance(first, Tensor) and len(args) == 1:
            if first.dtype is not cls.dtype:
                raise TypeError(f"expected {_options(cls.dtype)} (got "
                                f"{_options(first.dtype)})")
            from .ops.indexing import _alias
            return _alias(first)
        if _creation._is_int(first) or isinstance(first, Size):
            # Uninitialised in PyTorch; zero-filled here, as ember.empty is.
            shape = _creation._shape("new", args)
            return _creation.zeros(shape, dtype=cls.dtype)
        if isinstance(first, str):
            raise TypeError("new(): invalid data type 'str'")
        return _creation.tensor(first, dtype=cls.dtype)


def _legacy(name, dtype):
    return _LegacyType(name, (), {"dtype": dtype, "is_cuda": False, "is_sparse": False,
                                  "__module__": __name__, "__slots__": ()})


FloatTensor = _legacy("FloatTensor", _dtype.float32)
DoubleTensor = _legacy("DoubleTensor", _dtype.float64)
HalfTensor = _legacy("HalfTensor", _dtype.float16)
LongTensor = _legacy("LongTensor", _dtype.int64)
IntTensor = _legacy("IntTensor", _dtype.int32)
ShortTensor = _legacy("ShortTensor", _dtype.int16)
CharTensor = _legacy("CharTensor", _dtype.int8)
ByteTensor = _legacy("ByteTensor", _dtype.uint8)
BoolTensor = _legacy("BoolTensor", _dtype.bool)

for _name, _method in METHODS.items():
    setattr(Tensor, _name, _method)
for _name, _property in PROPERTIES.items():
    setattr(Tensor, _name, _property)
