"""``default_collate`` and ``default_convert``: PyTorch's rules for turning a list of
samples into a batch.

``collate`` looks the first sample's type up in ``collate_fn_map`` (exact type first, then
``isinstance``), then recurses through mappings, named tuples and sequences:

* tensors are stacked along a new dimension 0; NumPy arrays become tensors and are stacked;
  NumPy scalars become one tensor of their dtype;
* Python floats give a float64 tensor, ints (and bools) a tensor of their inferred dtype;
* strings and bytes are left as a list;
* a mapping gives the same kind of mapping of collated values; a named tuple the same
  named tuple; another sequence a list (a tuple) or the same sequence type of its
  transposed, collated columns.
"""

import collections.abc
import copy
import re

import numpy as np

import ember

__all__ = ["collate", "default_collate", "default_convert", "default_collate_fn_map",
           "default_collate_err_msg_format"]

# NumPy arrays of strings or objects cannot become tensors
_STRING_OR_OBJECT_DTYPE = re.compile(r"[SaUO]")

default_collate_err_msg_format = ("default_collate: batch must contain tensors, numpy "
                                  "arrays, numbers, dicts or lists; found {}")


def _same_container(elem, values, mapping=False):
    """``values`` (a dict if ``mapping``, else a list) in ``elem``'s container type
    where it can be built, as PyTorch does: mutable ones are shallow-copied and filled."""
    try:
        if mapping and isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(values)
            return clone
        if not mapping and isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            for i, value in enumerate(values):
                clone[i] = value
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def default_convert(data):
    """NumPy arrays and scalars inside ``data`` become tensors; everything else is kept."""
    if isinstance(data, ember.Tensor):
        return data
    elem_type = type(data)
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if isinstance(data, np.ndarray) and _STRING_OR_OBJECT_DTYPE.search(data.dtype.str):
            return data
        return ember.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _same_container(data, {key: default_convert(data[key]) for key in data}, True)
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # named tuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _same_container(data, [default_convert(d) for d in data])
    return data


def collate(batch, *, collate_fn_map=None):
    """Collate ``batch`` (a list of samples) with the per-type functions of
    ``collate_fn_map``, recursing through containers."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        return _same_container(elem, {key: collate([d[key] for d in batch],
                                                    collate_fn_map=collate_fn_map)
                                      for key in elem}, True)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # named tuple
        return elem_type(*(collate(list(samples), collate_fn_map=collate_fn_map)
                           for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(list(samples), collate_fn_map=collate_fn_map)
                   for samples in zip(*batch)]
        return columns if isinstance(elem, tuple) else _same_container(elem, columns)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    return ember.stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    if _STRING_OR_OBJECT_DTYPE.search(batch[0].dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(batch[0].dtype))
    return collate([ember.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return ember.as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    return ember.tensor(batch, dtype=ember.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return ember.tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {
    ember.Tensor: collate_tensor_fn, np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn, float: collate_float_fn,
    int: collate_int_fn, str: collate_str_fn, bytes: collate_str_fn}


def default_collate(batch):
    """Collate a list of samples into a batch with ``default_collate_fn_map``."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
