"""Collectives on picklable Python objects: ``all_gather_object``, ``broadcast_object_list``,
``gather_object``, ``scatter_object_list``.

Each object is pickled; the byte counts travel first, then the bytes (``Iallgatherv`` and
friends), all polled with the group's timeout. As in PyTorch these unpickle what other ranks
sent: only use them between processes you trust.
"""

import pickle

import numpy as np

from . import _mpi
from .process_group import _resolve, _root

__all__ = ["all_gather_object", "broadcast_object_list", "gather_object",
           "scatter_object_list"]


def _wait(pg, requests, what):
    _mpi.wait_all(pg, requests, what, pg._deadline())


def _pickle(obj):
    return np.frombuffer(pickle.dumps(obj), np.uint8)


def _unpickle(buffer, start, count):
    return pickle.loads(buffer[start:start + count].tobytes())


def _offsets(counts):
    return np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)


def all_gather_object(object_list, obj, group=None):
    """``object_list[i]`` becomes rank i's ``obj``, on every rank."""
    pg = _resolve(group, "all_gather_object")
    if pg is None:
        return
    data = _pickle(obj)
    counts = np.empty(pg._size, np.int64)
    _wait(pg, [pg._comm.Iallgather(np.array([data.size], np.int64), counts)],
          "all_gather_object")
    out = np.empty(int(counts.sum()), np.uint8)
    offsets = _offsets(counts)
    MPI = _mpi.mpi()
    _wait(pg, [pg._comm.Iallgatherv(data, [out, counts, offsets, MPI.BYTE])],
          "all_gather_object")
    for i in range(pg._size):
        object_list[i] = _unpickle(out, offsets[i], counts[i])


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Every rank's ``object_list`` (of the same length everywhere) becomes rank ``src``'s."""
    pg = _resolve(group, "broadcast_object_list")
    if pg is None:
        return
    root = _root(pg, src, group_src)
    data = _pickle(list(object_list)) if pg._rank == root else None
    header = np.array([len(object_list), 0 if data is None else data.size], np.int64)
    _wait(pg, [pg._comm.Ibcast(header, root)], "broadcast_object_list")
    if data is None:
        data = np.empty(int(header[1]), np.uint8)
    _wait(pg, [pg._comm.Ibcast(data, root)], "broadcast_object_list")
    if pg._rank != root:
        if len(object_list) != header[0]:
            raise RuntimeError(f"broadcast_object_list: rank {pg._global_rank} passed a list of "
                               f"{len(object_list)} objects, the source rank {header[0]}")
        object_list[:] = pickle.loads(data.tobytes())


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    """On rank ``dst``, ``object_gather_list[i]`` becomes rank i's ``obj``."""
    pg = _resolve(group, "gather_object")
    if pg is None:
        return
    root = _root(pg, dst, group_dst)
    is_root = pg._rank == root
    if is_root and not object_gather_list:
        raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
    if not is_root and object_gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination "
                         "ranks.")
    data = _pickle(obj)
    counts = np.empty(pg._size, np.int64) if is_root else None
    _wait(pg, [pg._comm.Igather(np.array([data.size], np.int64), counts, root)],
          "gather_object")
    MPI = _mpi.mpi()
    if is_root:
        out = np.empty(int(counts.sum()), np.uint8)
        offsets = _offsets(counts)
        receive = [out, counts, offsets, MPI.BYTE]
    else:
        receive = None
    _wait(pg, [pg._comm.Igatherv(data, receive, root)], "gather_object")
    if is_root:
        for i in range(pg._size):
            object_gather_list[i] = _unpickle(out, offsets[i], counts[i])


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=None,
                        group=None, group_src=None):
    """``scatter_object_output_list[0]`` on rank i becomes
    ``scatter_object_input_list[i]`` of rank ``src``."""
    if not isinstance(scatter_object_output_list, list) or not scatter_object_output_list:
        raise ValueError("Expected argument scatter_object_output_list to be a list of size "
                         "at least 1.")
    pg = _resolve(group, "scatter_object_list")
    if pg is None:
        return
    root = _root(pg, src, group_src)
    MPI = _mpi.mpi()
    if pg._rank == root:
        pieces = [_pickle(obj) for obj in scatter_object_input_list]
        if len(pieces) != pg._size:
            raise ValueError(f"scatter_object_list: scatter_object_input_list must hold one "
                             f"object per rank ({pg._size}), got {len(pieces)}")
        counts = np.array([p.size for p in pieces], np.int64)
        send = [np.concatenate(pieces), counts, _offsets(counts), MPI.BYTE]
    else:
        counts, send = None, None
    count = np.empty(1, np.int64)
    _wait(pg, [pg._comm.Iscatter(counts, count, root)], "scatter_object_list")
    out = np.empty(int(count[0]), np.uint8)
    _wait(pg, [pg._comm.Iscatterv(send, out, root)], "scatter_object_list")
    scatter_object_output_list[0] = pickle.loads(out.tobytes())
