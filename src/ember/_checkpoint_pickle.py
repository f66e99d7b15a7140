"""The pickle inside a PyTorch checkpoint: how ember objects are written as PyTorch's
rebuild calls, and how those calls are read back as ember objects.

Saving (``Pickler``): a tensor becomes ``torch._utils._rebuild_tensor_v2(storage,
storage_offset, size, stride, requires_grad, OrderedDict())`` and a ``Parameter``
``torch._utils._rebuild_parameter(tensor, requires_grad, OrderedDict())`` (the ``_with_state``
and ``torch._tensor._rebuild_from_type_v2`` forms when they carry Python attributes or are
another subclass); dtypes, ``Size`` and ``device`` become ``torch.float32``, ``torch.Size``,
``torch.device``. The pure-Python pickler writes these names even where torch is not
installed; for a state dict its output is byte for byte what ``torch.save`` pickles.
A storage is a persistent id ``('storage', torch.<Type>Storage, key, 'cpu', numel)`` whose
bytes the archive writer stores; an ember tensor's storage is the NumPy array owning its
memory (the end of its ``.base`` chain), so tensors viewing one array share one storage.
Memory that offset and strides cannot describe (negative strides) is saved as a copy.

Loading (``Unpickler``): PyTorch's names resolve to the ember functions below, which view
each storage's buffer with NumPy (after PyTorch's ``set_`` bounds checks), so tensors that
shared a storage share memory again. With ``weights_only`` nothing else resolves: any other
global raises ``pickle.UnpicklingError`` naming it, and no callable a file names runs.
"""

import collections
import functools
import pickle
import sys

import numpy as np

from . import _dtype
from ._device import as_device
from ._device import device as _device
from ._size import Size
from ._tensor import Tensor
from .nn.parameter import Parameter

__all__ = ["Pickler", "Unpickler", "Storage", "SAFE_GLOBALS", "memory_root"]


class _Global:
    """A PyTorch ``module.name`` that pickles as a global reference whether or not that
    module can be imported here; calling it calls ember's equivalent."""

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):
        return _allowed_globals()[f"{self.module}.{self.name}"](*args)


_REBUILD_TENSOR_V2 = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")
_REBUILD_PARAMETER_WITH_STATE = _Global("torch._utils", "_rebuild_parameter_with_state")
_REBUILD_FROM_TYPE_V2 = _Global("torch._tensor", "_rebuild_from_type_v2")
_TORCH_SIZE = _Global("torch", "Size")
_TORCH_DEVICE = _Global("torch", "device")
_TORCH_TENSOR = _Global("torch", "Tensor")
_STORAGE_NAMES = {d: d._legacy_name.replace("Tensor", "Storage") for d in _dtype._ALL}
_STORAGE_GLOBALS = {d: _Global("torch", name) for d, name in _STORAGE_NAMES.items()}
_DTYPE_GLOBALS = {d: _Global("torch", d.name) for d in _dtype._ALL}

_WEIGHTS_ONLY_FAILED = (
    "Weights only load failed. In PyTorch 2.6, we changed the default value of the "
    "`weights_only` argument in `torch.load` from `False` to `True`. Re-running `torch.load` "
    "with `weights_only` set to `False` will likely succeed, but it can result in arbitrary "
    "code execution. Do it only if you got the file from a trusted source.")


# ---- saving --------------------------------------------------------------------------------


class _StorageRef:
    """One storage being saved: the array owning the memory and its element type."""

    __slots__ = ("root", "dtype", "key")

    def __init__(self, root, dtype, key):
        self.root, self.dtype, self.key = root, dtype, key

    def raw_bytes(self):
        return memoryview(self.root.reshape(-1, order="A").view(np.uint8))


def memory_root(array):
    """The array at the end of ``array``'s ``.base`` chain: the one owning the memory."""
    while True:
        base = array.base
        if not isinstance(base, np.ndarray):
            base = getattr(base, "base", None)  # as_strided's DummyArray wraps the source
            if not isinstance(base, np.ndarray):
                return array
        array = base


def _placement(array, root):
    """``(element offset, element strides)`` of ``array`` inside ``root``'s memory, or None
    where no PyTorch storage view can say it."""
    itemsize = array.itemsize
    if not (root.flags.c_contiguous or root.flags.f_contiguous) or root.nbytes % itemsize:
        return None
    start = array.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    if start < 0 or start % itemsize or any(s < 0 or s % itemsize for s in array.strides):
        return None
    end = start + itemsize + sum((n - 1) * s for n, s in zip(array.shape, array.strides))
    if array.size and end > root.nbytes:
        return None
    return start // itemsize, tuple(s // itemsize for s in array.strides)


class Pickler(pickle._Pickler):
    """The pure-Python pickler, which lets ``_Global`` write names of modules that need not
    exist here; tensors are reduced to PyTorch's rebuild calls over shared storages."""

    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}  # id(root array) -> _StorageRef, in key order
        self._copies = []  # arrays saved as copies stay alive until the archive is written

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            numel = obj.root.nbytes // obj.dtype.itemsize
            return ("storage", _STORAGE_GLOBALS[obj.dtype], obj.key, "cpu", numel)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        if isinstance(obj, Size):
            return _TORCH_SIZE, (tuple(obj),)
        if isinstance(obj, _device):
            return _TORCH_DEVICE, (obj.type,) if obj.index is None else (obj.type, obj.index)
        return NotImplemented

    def _save_global(self, obj):
        if self.proto >= 4:
            self.save(obj.module)
            self.save(obj.name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
        self.memoize(obj)

    def _save_dtype(self, obj):
        self.save(_DTYPE_GLOBALS[obj])

    dispatch[_Global] = _save_global
    dispatch[_dtype.dtype] = _save_dtype

    def _reduce_tensor(self, tensor):
        state = {k: v for k, v in vars(tensor).items() if not hasattr(Tensor, k)}
        if type(tensor) is Parameter:
            data = Tensor._from_array(tensor._data)
            if state:
                return _REBUILD_PARAMETER_WITH_STATE, (data, tensor.requires_grad,
                                                       collections.OrderedDict(), state)
            return _REBUILD_PARAMETER, (data, tensor.requires_grad, collections.OrderedDict())
        array = tensor._data
        storage, offset, stride = self._storage_of(array)
        args = (storage, offset, tuple(array.shape), stride, tensor.requires_grad,
                collections.OrderedDict())
        if type(tensor) is Tensor and not state:
            return _REBUILD_TENSOR_V2, args
        new_type = _TORCH_TENSOR if type(tensor) is Tensor else type(tensor)
        return _REBUILD_FROM_TYPE_V2, (_REBUILD_TENSOR_V2, new_type, args, state)

    def _storage_of(self, array):
        dtype = _dtype._BY_NUMPY[array.dtype]
        root = memory_root(array)
        placement = _placement(array, root)
        if placement is None:
            root = array = np.ascontiguousarray(array)
            self._copies.append(root)
            placement = _placement(array, root)
        ref = self.storages.get(id(root))
        if ref is None:
            ref = self.storages[id(root)] = _StorageRef(root, dtype, str(len(self.storages)))
        elif ref.dtype is not dtype:
            raise RuntimeError("Cannot save multiple tensors or storages that view the same "
                               "data as different types")
        return (ref, *placement)


# ---- loading --------------------------------------------------------------------------------


class _StorageType:
    """What a ``torch.<Type>Storage`` global stands for: an element type."""

    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = dtype


class Storage:
    """A loaded storage: its bytes (a uint8 array that tensors view), its element type
    (None when untyped) and ``device``. A callable ``map_location`` receives one."""

    __slots__ = ("data", "dtype")
    device = _device("cpu")

    def __init__(self, data, dtype):
        self.data, self.dtype = data, dtype

    def nbytes(self):
        return self.data.nbytes

    def cpu(self):
        return self

    def __repr__(self):
        kind = "UntypedStorage" if self.dtype is None else _STORAGE_NAMES[self.dtype]
        return f"<ember storage {kind} of {self.data.nbytes} bytes>"


def _tensor_from_storage(storage, dtype, storage_offset, size, stride):
    """A tensor viewing ``storage``, after the checks of PyTorch's ``set_`` on a storage
    that cannot grow."""
    if not isinstance(storage, Storage):
        raise pickle.UnpicklingError(f"expected a storage, got {type(storage).__name__}")
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if storage_offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {storage_offset}")
    if min(size, default=0) < 0:
        raise RuntimeError("numel: integer multiplication overflow")
    if min(stride, default=0) < 0:
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and "
                           f"strides={list(stride)}")
    itemsize = dtype.itemsize
    extent = 0 if 0 in size else storage_offset + 1 + sum((n - 1) * s
                                                          for n, s in zip(size, stride))
    if extent * itemsize > storage.data.nbytes:
        raise RuntimeError("Trying to resize storage that is not resizable")
    offset = storage_offset * itemsize if extent else 0
    array = np.ndarray(size, dtype.np, buffer=storage.data, offset=offset,
                       strides=tuple(s * itemsize for s in stride))
    return Tensor._from_array(array)


def _with_metadata(tensor, metadata):
    """Apply PyTorch's lazy ``conj``/``neg`` bits, which ember materialises."""
    for key, value in (metadata or {}).items():
        if key not in ("conj", "neg"):
            raise NotImplementedError(f"ember cannot load tensor metadata {key!r}")
        if value:
            data = np.conj(tensor._data) if key == "conj" else np.negative(tensor._data)
            tensor = Tensor._from_array(data)
    return tensor


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _tensor_from_storage(storage, storage.dtype or _dtype.uint8, storage_offset, size,
                                stride)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None):
    tensor = _with_metadata(_rebuild_tensor(storage, storage_offset, size, stride), metadata)
    tensor.requires_grad = requires_grad
    return tensor


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):
    tensor = _tensor_from_storage(storage, dtype, storage_offset, size, stride)
    tensor = _with_metadata(tensor, metadata)
    tensor.requires_grad = requires_grad
    return tensor


def _set_state(obj, state):
    """PyTorch's ``_set_obj_state``: a dict of attributes, or ``(dict, slots)``."""
    if isinstance(state, tuple):
        if len(state) != 2:
            raise RuntimeError(f"Invalid serialized state: {state}")
        state = {**(state[0] or {}), **(state[1] or {})}
    for key, value in (state or {}).items():
        setattr(obj, key, value)
    return obj


def _rebuild_parameter(data, requires_grad, backward_hooks):
    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_state(Parameter(data, requires_grad), state)


def _rebuild_from_type_v2(func, new_type, args, state):
    tensor = func(*args)
    if type(tensor) is not new_type:
        if not (isinstance(new_type, type) and issubclass(new_type, Tensor)):
            raise pickle.UnpicklingError(f"cannot rebuild a tensor as {new_type!r}")
        subclass = new_type._from_array(tensor._data, tensor._requires_grad)
        subclass._vc = tensor._vc
        tensor = subclass
    return _set_state(tensor, state)


def _encode(text, encoding="latin1"):
    """``_codecs.encode`` as protocol-2 pickles use it for bytes, and only that."""
    if not (isinstance(text, str) and encoding in ("latin1", "latin-1")):
        raise pickle.UnpicklingError("_codecs.encode is allowed only to rebuild bytes from "
                                     "latin1 text")
    return text.encode("latin1")


@functools.lru_cache(maxsize=1)
def _allowed_globals():
    """The globals a weights-only load resolves, by PyTorch's ``module.name``."""
    allowed = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "builtins.set": set, "builtins.complex": complex, "builtins.bytearray": bytearray,
        "_codecs.encode": _encode,
        "torch._utils._rebuild_tensor": _rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.Size": Size, "torch.device": _device, "torch.Tensor": Tensor,
        "torch.nn.parameter.Parameter": Parameter,
        "torch.storage.UntypedStorage": _StorageType(None),
    }
    for d in _dtype._ALL:
        allowed[f"torch.{d.name}"] = d
        allowed[f"torch.{_STORAGE_NAMES[d]}"] = _StorageType(d)
    return allowed


SAFE_GLOBALS = {}  # module.name -> object, filled by serialization.add_safe_globals


def _unsupported_global(module, name):
    return pickle.UnpicklingError(
        f"{_WEIGHTS_ONLY_FAILED}\n\nUnsupported global: GLOBAL {module}.{name} was not an "
        f"allowed global by default. Please use `torch.serialization.add_safe_globals([{name}])`"
        f" or the `torch.serialization.safe_globals([{name}])` context manager to allowlist "
        "this global if you trust this class/function.\n\nCheck the documentation of "
        "torch.load to learn more about types accepted by default with weights_only "
        "https://pytorch.org/docs/stable/generated/torch.load.html.")


def _restore_location(storage, location, map_location):
    """Where ``map_location`` sends a storage saved at ``location``; ember keeps CPU only."""
    if isinstance(map_location, dict):
        location = map_location.get(location, location)
    elif isinstance(map_location, (str, _device)):
        location = str(map_location)
    elif map_location is not None:
        result = map_location(storage, location)
        if result is not None:
            if not isinstance(result, Storage):
                raise TypeError(f"map_location returned {type(result).__name__}, not a "
                                "storage")
            return result
    target = location if isinstance(location, _device) else _device(location)
    if target.type == "cuda":
        raise RuntimeError("Attempting to deserialize object on a CUDA device but "
                           "torch.cuda.is_available() is False. If you are running on a "
                           "CPU-only machine, please use torch.load with "
                           "map_location=torch.device('cpu') to map your storages to the CPU.")
    as_device(target)
    return storage


class Unpickler(pickle.Unpickler):
    """Resolves PyTorch's names to ember's; with ``weights_only`` nothing else resolves."""

    def __init__(self, file, archive, map_location, weights_only, **kwargs):
        super().__init__(file, **kwargs)
        self._archive = archive
        self._map_location = map_location
        self._weights_only = weights_only
        self._storages = {}

    def find_class(self, module, name):
        module = {"__builtin__": "builtins", "copy_reg": "copyreg"}.get(module, module)
        full_name = f"{module}.{name}"
        obj = _allowed_globals().get(full_name, SAFE_GLOBALS.get(full_name))
        if obj is not None:
            return obj
        if module == "torch" and (name.endswith("Storage") or name in _TORCH_ONLY_DTYPES
                                  or name.startswith("float8")):
            raise NotImplementedError(f"the checkpoint holds torch.{name}, whose dtype ember "
                                      "does not have")
        if self._weights_only:
            raise _unsupported_global(module, name)
        if module == "torch" or module.startswith("torch."):
            raise pickle.UnpicklingError(f"ember cannot load {full_name}: it has no ember "
                                         "equivalent")
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] in ("storage", b"storage")
                and isinstance(pid[1], _StorageType)):
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
        _, storage_type, key, location, numel = pid
        storage = self._storages.get(key)
        if storage is None:
            dtype = storage_type.dtype
            data = self._archive.read_storage(f"data/{key}", numel * (dtype or _dtype.uint8)
                                              .itemsize)
            if dtype is not None and dtype.itemsize > 1 and self._archive.byteorder != \
                    sys.byteorder:
                data.view(dtype.np).byteswap(inplace=True)
            if isinstance(location, bytes):
                location = location.decode("ascii")
            storage = _restore_location(Storage(data, dtype), location, self._map_location)
            self._storages[key] = storage
        return storage


_TORCH_ONLY_DTYPES = {"bfloat16", "complex32", "uint16", "uint32", "uint64", "bits8",
                      "bits16", "quint8", "qint8", "qint32", "quint4x2", "quint2x4"}


