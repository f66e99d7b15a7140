"""How PyTorch reads an indexing key ``x[key]`` (for reading and for ``x[key] = v``).

``parse_key`` splits a key into basic view steps (ints, slices, None, Ellipsis, applied
left to right) and a tensor part (integer tensors, lists, bool masks), kept as a NumPy key
of index arrays and full slices. Because ints are applied first, ``x[0, :, [0, 1]]`` has
shape ``(n, 2)`` in PyTorch (and here), where NumPy would give ``(2, n)``; within the
tensor part, where the indexed dimensions go is NumPy's rule, which is PyTorch's.
``check_key`` gives PyTorch's message once NumPy has refused a tensor key.
"""

import warnings

import numpy as np

from .._tensor import Tensor

_INVALID_TYPE = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                 "Variables are valid indices (got {})")
_BAD_DTYPE = "tensors used as indices must be long, int, byte or bool tensors"
_SEQUENCE_WARNING = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be "
    "changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error "
    "or a different result")
_UINT8_WARNING = ("indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                  "torch.bool instead.")


def _sequence_as_tuple(key):
    """NumPy's (and PyTorch's) heuristic: a short list holding slices, None, tensors or
    lists is a tuple of indices, not one index."""
    if isinstance(key, (Tensor, str)) or not isinstance(key, (list, np.ndarray)):
        return False
    if len(key) >= 32:
        return False
    return any(isinstance(k, (Tensor, list, tuple, slice, np.ndarray)) or k is None
               or k is Ellipsis for k in key)


def _index_array(obj):
    """A tensor or sequence used as an index, as an int64 or bool array (PyTorch's checks)."""
    if isinstance(obj, Tensor):
        data = obj._data
        if data.dtype == np.uint8:
            warnings.warn(_UINT8_WARNING, UserWarning, stacklevel=4)
            return data.astype(bool)
        if data.dtype.kind not in "biu":
            raise IndexError(_BAD_DTYPE)
        return data if data.dtype.kind == "b" else data.astype(np.int64, copy=False)
    data = np.asarray([x._data if isinstance(x, Tensor) else x for x in obj]
                      if isinstance(obj, (list, tuple)) else obj)
    if data.dtype.kind == "b":
        return data
    if data.dtype.kind not in "iuf" and data.size:
        raise IndexError(_BAD_DTYPE)
    return data.astype(np.int64)


def _specified_dims(key):
    count = 0
    for obj in key:
        if isinstance(obj, Tensor):
            count += obj._data.ndim if obj._data.dtype.kind == "b" or \
                obj._data.dtype == np.uint8 else 1
        elif obj is not None and obj is not Ellipsis and not isinstance(obj, (bool, np.bool_)):
            count += 1
    return count


def parse_key(input, key):
    """PyTorch's reading of ``key``: ``(steps, tensor_key)``.

    ``steps`` are the basic view ops in order, each ``(kind, dim, arg)`` on the tensor as
    it is at that step: ``("select", d, i)``, ``("slice", d, slice)`` or
    ``("unsqueeze", d, None)``. ``tensor_key`` is None or a NumPy key of index arrays and
    full slices, applied after the steps.
    """
    if type(key) is not tuple:
        if _sequence_as_tuple(key):
            warnings.warn(_SEQUENCE_WARNING, UserWarning, stacklevel=3)
            key = tuple(key)
        else:
            key = (key,)
    shape = list(input._data.shape)
    specified = _specified_dims(key)
    if specified > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    steps = []
    indexed = []
    dim = 0
    for position, obj in enumerate(key):
        if obj is None:
            steps.append(("unsqueeze", dim, None))
            shape.insert(dim, 1)
            dim += 1
        elif obj is Ellipsis:
            dim += len(input._data.shape) - specified
        elif isinstance(obj, (bool, np.bool_)):
            steps.append(("unsqueeze", dim, None))
            shape.insert(dim, 1)
            indexed.append((dim, np.array([0] if obj else [], dtype=np.int64)))
            dim += 1
        elif isinstance(obj, slice):
            start, stop, step = obj.indices(shape[dim])
            if step <= 0:
                raise ValueError("step must be greater than zero")
            # PyTorch skips a slice that is whole as written: start 0 (not negative), no
            # step, stop at or past the end.
            whole = (obj.start is None or obj.start.__index__() == 0) and step == 1 and (
                obj.stop is None or obj.stop.__index__() >= shape[dim])
            if not whole:
                steps.append(("slice", dim, slice(start, stop, step)))
                shape[dim] = len(range(start, stop, step))
            dim += 1
        elif isinstance(obj, (int, np.integer)) or _zero_dim(obj) and \
                obj._data.dtype.kind in "iu" and obj._data.dtype != np.uint8:
            index = obj.__index__()
            size = shape[dim]
            if not -size <= index < size:
                raise IndexError(f"index {index} is out of bounds for dimension {position} "
                                 f"with size {size}")
            steps.append(("select", dim, index % size))
            del shape[dim]
        elif _zero_dim(obj):
            # A 0-d bool (or uint8) tensor acts like a Python bool.
            steps.append(("unsqueeze", dim, None))
            shape.insert(dim, 1)
            indexed.append((dim, np.array([0] if obj._data.item() else [], dtype=np.int64)))
            dim += 1
        elif isinstance(obj, (Tensor, list, tuple, np.ndarray)):
            array = _index_array(obj)
            indexed.append((dim, array))
            dim += array.ndim if array.dtype.kind == "b" else 1
        else:
            raise IndexError(_INVALID_TYPE.format(type(obj).__name__))
    return steps, (tensor_key(indexed) if indexed else None)


def _zero_dim(obj):
    return isinstance(obj, Tensor) and obj._data.ndim == 0


def tensor_key(indexed):
    """A NumPy key with each index array at its dim (``(dim, array)`` pairs, in order)."""
    key = []
    covered = 0
    for dim, array in indexed:
        key.extend([slice(None)] * (dim - covered))
        key.append(array)
        covered = dim + (array.ndim if array.dtype.kind == "b" else 1)
    return tuple(key)


def check_key(shape, key):
    """Raise PyTorch's error for a tensor key that NumPy refused on an array of ``shape``.

    The checks run only once NumPy has refused the key, so a valid key costs nothing.
    """
    expanded = []
    dim = 0
    for k in key:
        if isinstance(k, slice):
            dim += 1
        elif k.dtype.kind == "b":
            for i, n in enumerate(k.shape):
                if n != shape[dim + i]:
                    raise IndexError(
                        f"The shape of the mask [{', '.join(map(str, k.shape))}] at index {i} "
                        f"does not match the shape of the indexed tensor "
                        f"[{', '.join(map(str, shape))}] at index {dim + i}")
            expanded.extend(zip(range(dim, dim + k.ndim), np.nonzero(k)))
            dim += k.ndim
        else:
            expanded.append((dim, k))
            dim += 1
    try:
        np.broadcast_shapes(*(a.shape for _, a in expanded))
    except ValueError:
        shapes = ", ".join(f"[{', '.join(map(str, a.shape))}]" for _, a in expanded)
        raise IndexError(f"shape mismatch: indexing tensors could not be broadcast together "
                         f"with shapes {shapes}") from None
    for j, (dim, array) in enumerate(expanded):
        size = shape[dim]
        bad = array[(array < -size) | (array >= size)]
        if bad.size:
            raise IndexError(f"index {bad.flat[0]} is out of bounds for dimension {j} with "
                             f"size {size}")
