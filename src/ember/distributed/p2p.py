"""Point-to-point messages: ``send``, ``recv``, ``isend``, ``irecv``.

``dst``/``src`` are global ranks (``group_dst``/``group_src`` are ranks within ``group``);
``recv`` with ``src=None`` takes a message from any rank and returns who sent it. A message
whose size differs from the receiving tensor's is a RuntimeError on the receiver (MPI knows
the size of every message), not a silent partial copy.
"""

from . import _mpi
from .collectives import _bytes, _check_single_tensor, _contiguous, _write
from .process_group import _resolve, _root
from .work import Work

__all__ = ["send", "recv", "isend", "irecv"]


def _peer(pg, rank, group_rank, kind):
    peer = _root(pg, rank, group_rank)
    if peer == pg._rank:
        raise ValueError(f"Invalid {kind} rank: {kind} rank should not be the same as the rank "
                         "of the current process.")
    return peer


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Start sending ``tensor`` to rank ``dst``; returns a ``Work``."""
    _check_single_tensor(tensor, "tensor")
    pg = _resolve(group, "isend")
    if pg is None:
        return None
    peer = _peer(pg, dst, group_dst, "destination")
    request = pg._comm.Isend(_bytes(_contiguous(tensor)), peer, tag)
    return Work(pg, [request], "send", result=[tensor])


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Start receiving into ``tensor`` from rank ``src`` (any rank if None); returns a
    ``Work`` whose ``source_rank()`` names the sender."""
    _check_single_tensor(tensor, "tensor")
    pg = _resolve(group, "irecv")
    if pg is None:
        return None
    MPI = _mpi.mpi()
    if src is None and group_src is None:
        peer = MPI.ANY_SOURCE
    else:
        peer = _peer(pg, src, group_src, "source")
    buf = _contiguous(tensor)
    request = pg._comm.Irecv(_bytes(buf), peer, tag)
    status = MPI.Status()
    work = Work(pg, [request], "recv", result=[tensor], statuses=[status])

    def finish():
        count = status.Get_count(MPI.BYTE)
        if count != buf.nbytes:
            raise RuntimeError(f"ember.distributed.recv: the message from rank "
                               f"{pg._ranks[status.Get_source()]} holds {count} bytes but the "
                               f"receiving tensor (shape {list(tensor.shape)}, {tensor.dtype}) "
                               f"holds {buf.nbytes}")
        _write(tensor, buf)
        work._source = pg._ranks[status.Get_source()]
    work._finish = finish
    return work


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Send ``tensor`` to rank ``dst`` and wait until it is sent."""
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into ``tensor`` from rank ``src`` (any rank if None); returns the sender's
    global rank (-1 on a rank outside ``group``)."""
    work = irecv(tensor, src, group, tag, group_src)
    if work is None:
        return -1
    work.wait()
    return work._source
