"""safetensors files for ember tensors, with the API of ``safetensors.torch``: ``save``,
``save_file``, ``load``, ``load_file``.

An optional extra: it needs the ``safetensors`` package (``pip install safetensors``), whose
NumPy functions read and write the files. As ``safetensors.torch`` does, saving refuses
anything but a dict of tensors, non-contiguous tensors and tensors that overlap in memory;
loaded tensors own writable copies of their data.
"""

import collections

import numpy as np

from ember._checkpoint_pickle import memory_root
from ember._device import as_device
from ember._tensor import Tensor

try:
    from safetensors import numpy as _numpy_api
except ModuleNotFoundError as error:
    raise ModuleNotFoundError("ember.utils.safetensors needs the optional safetensors "
                              "package: pip install safetensors") from error

__all__ = ["save", "save_file", "load", "load_file"]


def _overlapping(tensors):
    """Groups of names whose tensors share bytes of memory."""
    by_root = collections.defaultdict(list)
    for name, tensor in tensors.items():
        array = tensor._data
        if array.size:
            start = array.__array_interface__["data"][0]
            by_root[id(memory_root(array))].append((start, start + array.nbytes, name))
    groups = []
    for spans in by_root.values():
        spans.sort()
        group_end = -1
        for start, stop, name in spans:
            if start < group_end:  # overlaps the group so far
                groups[-1].add(name)
                group_end = max(group_end, stop)
            else:
                groups.append({name})
                group_end = stop
    return [group for group in groups if len(group) > 1]


def _arrays(tensors):
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    for name, tensor in tensors.items():
        if not isinstance(tensor, Tensor):
            raise ValueError(f"Key `{name}` is invalid, expected torch.Tensor but received "
                             f"{type(tensor)}")
    shared = _overlapping(tensors)
    if shared:
        raise RuntimeError(f"Some tensors share memory, this will lead to duplicate memory on "
                           f"disk and potential differences when loading them again: "
                           f"{shared}.")
    for name, tensor in tensors.items():
        if not tensor.is_contiguous():
            raise ValueError(
                f"You are trying to save a non contiguous tensor: `{name}` which is not "
                "allowed. It either means you are trying to save tensors which are reference "
                "of each other in which case it's recommended to save only the full tensors, "
                "and reslice at load time, or simply call `.contiguous()` on your tensor to "
                "pack it before saving.")
    return {name: tensor._data for name, tensor in tensors.items()}


def _tensors(arrays):
    return {name: Tensor._from_array(np.array(array)) for name, array in arrays.items()}


def save(tensors, metadata=None):
    """The safetensors file for a dict of tensors, as bytes."""
    return _numpy_api.save(_arrays(tensors), metadata=metadata)


def save_file(tensors, filename, metadata=None):
    """Write a dict of tensors to a safetensors file."""
    _numpy_api.save_file(_arrays(tensors), filename, metadata=metadata)


def load(data):
    """The dict of tensors in safetensors bytes."""
    return _tensors(_numpy_api.load(data))


def load_file(filename, device="cpu"):
    """The dict of tensors in a safetensors file."""
    as_device(device)
    return _tensors(_numpy_api.load_file(filename))
