"""Process groups: ``init_process_group``, ``new_group``, ``destroy_process_group`` and the
rank queries (``get_rank``, ``get_world_size``, ``get_backend``...).

A ``ProcessGroup`` is one MPI communicator plus the global ranks it holds, in group-rank
order. The default group ("WORLD") duplicates ``MPI.COMM_WORLD``, so ember's traffic never
mixes with an application's own MPI calls. MPI already knows every rank and the world size
(``mpiexec`` started the processes), so there is no rendezvous: ``world_size``, ``rank``
and the ``env://`` variables are checked against MPI instead of being used to connect.

Where ember differs from PyTorch, on purpose:
- the backend is always MPI. ``"gloo"`` is accepted as an alias of ``"mpi"`` (so unchanged
  CPU scripts run) and ``get_backend()`` answers the name the script asked for; ``"nccl"``
  raises NotImplementedError.
- ``init_method`` may be ``None`` or ``"env://"``; ``tcp://`` and ``file://`` rendezvous
  (and ``store=``) have no meaning under MPI and raise NotImplementedError.
- ``new_group`` builds its communicator with ``MPI_Comm_create_group``, which only the
  members call, so it works with and without ``use_local_synchronization``.
"""

import os
import time
import warnings
from datetime import timedelta

from . import _mpi

__all__ = ["Backend", "ProcessGroup", "GroupMember", "group", "default_pg_timeout",
           "init_process_group", "destroy_process_group", "is_initialized", "is_available",
           "is_mpi_available", "is_gloo_available", "is_nccl_available",
           "is_torchelastic_launched", "new_group", "get_rank", "get_world_size",
           "get_backend", "get_global_rank", "get_group_rank", "get_process_group_ranks",
           "get_node_local_rank"]

default_pg_timeout = timedelta(minutes=30)

_NOT_INITIALIZED = ("Default process group has not been initialized, please make sure to "
                    "call init_process_group.")


class Backend(str):
    """A backend name (a ``str``): ``Backend.MPI == "mpi"``. GLOO is MPI here."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    UCC = "ucc"
    MPI = "mpi"
    backend_list = [UNDEFINED, GLOO, NCCL, UCC, MPI]

    def __new__(cls, name):
        if not isinstance(name, str):
            raise ValueError(f"Backend constructor parameter must be string-ish, but got: "
                             f"{type(name)}")
        value = name.lower()
        if ":" in value:  # "cpu:gloo" style device:backend pairs
            pairs = dict(item.split(":", 1) for item in value.split(","))
            value = pairs.get("cpu", next(iter(pairs.values())))
        if value not in (cls.GLOO, cls.MPI):
            raise NotImplementedError(
                f"backend {name!r}: ember.distributed runs on MPI on the CPU; use 'mpi' or "
                "'gloo' (an alias of 'mpi')")
        return super().__new__(cls, value)


class ProcessGroup:
    """A set of ranks that run collectives together: one MPI communicator."""

    def __init__(self, comm, ranks, backend, timeout, global_rank):
        self._comm = comm
        self._ranks = list(ranks)  # global ranks, indexed by group rank
        self._backend = backend
        self._timeout = timeout
        self._global_rank = global_rank
        self._rank = comm.Get_rank()
        self._size = comm.Get_size()
        # Requests a timeout left behind: kept referenced so MPI never writes into memory
        # Python has freed.
        self._abandoned = []

    def rank(self):
        return self._rank

    def size(self):
        return self._size

    def name(self):
        return self._backend

    def _deadline(self):
        return time.monotonic() + self._timeout.total_seconds()

    def _abandon(self, requests):
        self._abandoned.append(requests)

    def _free(self):
        if self._comm is not None and not self._abandoned:
            self._comm.Free()
        self._comm = None

    def __repr__(self):
        return f"<ember.distributed.ProcessGroup {self._backend} ranks={self._ranks}>"


class _NonGroupMember:
    def __repr__(self):
        return "<ember.distributed.GroupMember.NON_GROUP_MEMBER>"


class _WorldMeta(type):
    @property
    def WORLD(cls):
        return _state.world


class GroupMember(metaclass=_WorldMeta):
    """``GroupMember.WORLD`` (the default group, or None) and ``NON_GROUP_MEMBER`` (what
    ``new_group`` returns on ranks outside the new group)."""

    NON_GROUP_MEMBER = _NonGroupMember()


class group(metaclass=_WorldMeta):
    """``group.WORLD``: the default process group."""


class _State:
    def __init__(self):
        self.world = None
        self.groups = []  # every group this process created, the world first


_state = _State()


def is_available():
    """Whether ember.distributed can run here: mpi4py is installed."""
    return _mpi.available()


is_mpi_available = is_gloo_available = is_available


def is_nccl_available():
    return False


def is_torchelastic_launched():
    return os.environ.get("TORCHELASTIC_RUN_ID") is not None


def is_initialized():
    return _state.world is not None


def _check_timeout(timeout):
    if not isinstance(timeout, timedelta):
        raise TypeError(
            f"Expected timeout argument to be of type datetime.timedelta, got {timeout}")


def _env_int(name):
    value = os.environ.get(name)
    return None if value is None else int(value)


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name="", pg_options=None, device_id=None):
    """Join the default process group: every process that ``mpiexec`` (``ember launch``)
    started. ``world_size``, ``rank`` and the ``WORLD_SIZE``/``RANK`` variables of
    ``env://``, when given, must match what MPI reports."""
    if _state.world is not None:
        raise ValueError("trying to initialize the default process group twice!")
    backend = Backend(backend if backend is not None else Backend.MPI)
    if store is not None:
        raise NotImplementedError("init_process_group(store=...): MPI needs no store; launch "
                                  "with `ember launch` and leave store out")
    if pg_options is not None:
        raise NotImplementedError("init_process_group(pg_options=...) is not supported")
    if init_method not in (None, "env://"):
        raise NotImplementedError(
            f"init_method={init_method!r}: ember.distributed meets its peers through MPI; "
            "start the processes with `ember launch -n N script.py` and use 'env://' (or "
            "leave init_method out)")
    if device_id is not None and str(device_id) != "cpu":
        raise NotImplementedError(f"init_process_group(device_id={device_id!r}): "
                                  "ember.distributed runs on the CPU")
    timeout = default_pg_timeout if timeout is None else timeout
    _check_timeout(timeout)
    MPI = _mpi.mpi()
    world = MPI.COMM_WORLD
    size, my_rank = world.Get_size(), world.Get_rank()
    expected = [("world_size", world_size if world_size != -1 else None, size),
                ("rank", rank if rank != -1 else None, my_rank)]
    if init_method == "env://" or init_method is None:
        expected += [("WORLD_SIZE", _env_int("WORLD_SIZE"), size),
                     ("RANK", _env_int("RANK"), my_rank)]
    for name, given, actual in expected:
        if given is not None and given != actual:
            raise RuntimeError(
                f"init_process_group: {name} is {given} but MPI started this process as rank "
                f"{my_rank} of {size}. Start every rank with `ember launch -n N script.py` "
                "(or mpiexec), which sets RANK and WORLD_SIZE to match.")
    comm = world.Dup()
    _state.world = ProcessGroup(comm, range(size), backend, timeout, my_rank)
    _state.groups = [_state.world]


def destroy_process_group(group=None):
    """Free a group's communicator; without an argument, every group (the default one
    included), after which ``init_process_group`` may be called again."""
    if _state.world is None:
        raise ValueError(_NOT_INITIALIZED)
    if group is None or group is _state.world:
        for pg in _state.groups:
            pg._free()
        _state.world = None
        _state.groups = []
        return
    if group is GroupMember.NON_GROUP_MEMBER:
        return
    group._free()
    _state.groups = [g for g in _state.groups if g is not group]


def _default_group():
    if _state.world is None:
        raise ValueError(_NOT_INITIALIZED)
    return _state.world


def _resolve(group, what):
    """The ProcessGroup to use, or None when this rank is not in ``group`` (with PyTorch's
    warning: the call is then a no-op)."""
    if group is None:
        return _default_group()
    if group is GroupMember.NON_GROUP_MEMBER:
        warnings.warn(f"Running {what} on global rank {_default_group()._global_rank} which "
                      "does not belong to the given group.", stacklevel=3)
        return None
    if group._comm is None:
        raise ValueError(f"{what}: the process group was destroyed")
    return group


def new_group(ranks=None, timeout=None, backend=None, pg_options=None,
              use_local_synchronization=False, group_desc=None, device_id=None,
              sort_ranks=True):
    """A group of some of the world's ranks (all of them by default), with its own
    communicator. Ranks outside it get ``GroupMember.NON_GROUP_MEMBER``."""
    world = _default_group()
    if pg_options is not None:
        raise NotImplementedError("new_group(pg_options=...) is not supported")
    backend = Backend(backend) if backend is not None else world._backend
    timeout = world._timeout if timeout is None else timeout
    _check_timeout(timeout)
    ranks = list(range(world._size)) if ranks is None else list(ranks)
    for r in ranks:
        if not 0 <= r < world._size:
            raise ValueError("The new group's rank should be within the world_size set by "
                             "init_process_group")
    if len(set(ranks)) != len(ranks):
        raise ValueError(f"new_group: ranks {ranks} repeat a rank")
    if sort_ranks:
        ranks = sorted(ranks)
    if world._global_rank not in ranks:
        return GroupMember.NON_GROUP_MEMBER
    comm = world._comm.Create_group(world._comm.Get_group().Incl(ranks))
    pg = ProcessGroup(comm, ranks, backend, timeout, world._global_rank)
    _state.groups.append(pg)
    return pg


def get_rank(group=None):
    """This process's rank in ``group`` (the default group if None); -1 outside it."""
    if group is GroupMember.NON_GROUP_MEMBER:
        return -1
    return (group if group is not None else _default_group())._rank


def get_world_size(group=None):
    if group is GroupMember.NON_GROUP_MEMBER:
        return -1
    return (group if group is not None else _default_group())._size


def get_backend(group=None):
    """The backend name the script asked for (``"gloo"`` or ``"mpi"``; both run on MPI)."""
    if group is GroupMember.NON_GROUP_MEMBER:
        raise ValueError("Invalid process group specified")
    return (group if group is not None else _default_group())._backend


def get_process_group_ranks(group):
    """The global ranks of ``group``, in group-rank order."""
    return list((group if group is not None else _default_group())._ranks)


def get_global_rank(group, group_rank):
    pg = group if group is not None else _default_group()
    if not 0 <= group_rank < pg._size:
        raise ValueError(f"Group rank {group_rank} is not part of group {pg}")
    return pg._ranks[group_rank]


def get_group_rank(group, global_rank):
    pg = group if group is not None else _default_group()
    if global_rank not in pg._ranks:
        raise ValueError(f"Global rank {global_rank} is not part of group {pg}")
    return pg._ranks.index(global_rank)


def get_node_local_rank(fallback_rank=None):
    """``LOCAL_RANK`` (set by ``ember launch``), else ``fallback_rank``."""
    if "LOCAL_RANK" in os.environ:
        return int(os.environ["LOCAL_RANK"])
    if fallback_rank is not None:
        return int(fallback_rank)
    raise RuntimeError("LOCAL_RANK is not in the environment. Consider passing fallback_rank "
                       "to allow `get_node_local_rank` to work, assuming you are not running "
                       "in a multi-device context and want the code to run locally instead.")


def _root(pg, global_rank, group_rank):
    """The group rank of a collective's root, given as a global rank (``src``/``dst``) or a
    group rank (``group_src``/``group_dst``), exactly one of them."""
    if group_rank is not None:
        if global_rank is not None:
            raise ValueError("Can't specify both group_rank and global_rank")
        if not 0 <= group_rank < pg._size:
            raise ValueError(f"Group rank {group_rank} is not part of group {pg}")
        return group_rank
    if global_rank is None:
        raise ValueError("Must specify global_rank or group_rank")
    return get_group_rank(pg, global_rank)
