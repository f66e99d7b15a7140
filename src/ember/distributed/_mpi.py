"""The MPI layer under ``ember.distributed``: loading mpi4py, waiting on MPI requests with a
deadline, and the cheap cross-rank check that every rank of a group called the same
collective with the same shape and dtype.

Every collective is started nonblocking (``Iallreduce``, ``Ibcast``...) and then polled, never
waited on with a blocking MPI call: a rank that never arrives then costs the others a
``RuntimeError`` after the group's timeout, not a hang. Polling spins briefly (small messages
finish within it) and then sleeps with a growing delay, which keeps oversubscribed ranks
(more processes than cores) from starving each other.
"""

import importlib.util
import time

import numpy as np

from .. import _dtype

INSTALL_HINT = ('ember.distributed runs on MPI through mpi4py, which is not installed: '
                'pip install -e ".[distributed]"  (or: pip install mpi4py mpich)')

_SPIN = 200          # Testall calls before the first sleep
_FIRST_SLEEP = 1e-5  # seconds; doubles up to _MAX_SLEEP
_MAX_SLEEP = 1e-3


def available():
    """Whether mpi4py can be imported (without importing it: that would start MPI)."""
    return importlib.util.find_spec("mpi4py") is not None


def mpi():
    """The ``mpi4py.MPI`` module; importing it the first time initializes MPI."""
    try:
        from mpi4py import MPI
    except ImportError as error:
        if not available():
            raise ModuleNotFoundError(INSTALL_HINT, name="mpi4py") from None
        raise ImportError(f"mpi4py is installed but could not load an MPI library ({error}). "
                          'pip install -e ".[distributed]" installs MPICH with it.') from error
    return MPI


def test_all(group, requests, what, statuses=None):
    """Whether all ``requests`` are complete (one MPI_Testall); an MPI error (a message
    larger than the receiving tensor...) becomes a RuntimeError."""
    MPI = mpi()
    try:
        return MPI.Request.Testall(requests, statuses)
    except MPI.Exception as error:
        code = error.Get_error_code()
        failed = [s for s in statuses or () if s.Get_error() != MPI.SUCCESS]
        if failed:  # the error is in a receive's status
            code = failed[0].Get_error()
        if MPI.Get_error_class(code) == MPI.ERR_TRUNCATE:
            detail = (f"the message from rank {group._ranks[failed[0].Get_source()]} is larger "
                      "than the receiving tensor")
        else:
            detail = MPI.Get_error_string(code).split("\n")[0]
        raise RuntimeError(f"ember.distributed: {what} failed on rank {group._global_rank}: "
                           f"{detail}") from None


def wait_all(group, requests, what, deadline, statuses=None):
    """Poll ``requests`` until all complete (filling ``statuses``, if given); past
    ``deadline`` (a ``time.monotonic()`` value) raise a timeout error."""
    for _ in range(_SPIN):
        if test_all(group, requests, what, statuses):
            return
    delay = _FIRST_SLEEP
    while not test_all(group, requests, what, statuses):
        if time.monotonic() >= deadline:
            group._abandon(requests)
            raise RuntimeError(
                f"ember.distributed: {what} timed out after {group._timeout} on rank "
                f"{group._global_rank}: not every rank of the group reached it (a rank may "
                "have skipped it, called a different collective, or failed). The process "
                "group is unusable now; end the job (`ember launch` stops every rank when "
                "one fails).")
        time.sleep(delay)
        delay = min(2 * delay, _MAX_SLEEP)


# -- the cross-rank argument check ----------------------------------------------------------
# Each rank contributes one fixed-size int64 row; one tiny Iallgather compares them all, so a
# disagreement is a clear error on every rank (and no rank starts the real collective).
_DTYPES = list(_dtype._BY_NUMPY.values())
_MAX_DIMS = 6
_ROW = 5 + _MAX_DIMS + 1  # op, dtype, root, ndim, numel, dims..., hash of any further dims
_OPS = ["all_reduce", "broadcast", "reduce", "all_gather", "all_gather_into_tensor",
        "reduce_scatter", "reduce_scatter_tensor", "gather", "scatter", "all_to_all",
        "all_to_all_single"]


def _row(what, array, root):
    row = np.full(_ROW, -1, np.int64)
    shape = array.shape
    row[:5] = (_OPS.index(what), _DTYPES.index(_dtype._BY_NUMPY[array.dtype]), root,
               len(shape), array.size)
    head = shape[:_MAX_DIMS]
    row[5:5 + len(head)] = head
    if len(shape) > _MAX_DIMS:
        row[-1] = hash(shape[_MAX_DIMS:]) & 0x7FFFFFFFFFFFFFFF
    return row


def _describe(row, global_rank):
    what = _OPS[row[0]]
    ndim = int(row[3])
    dims = [int(d) for d in row[5:5 + min(ndim, _MAX_DIMS)]]
    shape = "[" + ", ".join(map(str, dims)) + (", ..." if ndim > _MAX_DIMS else "") + "]"
    text = f"rank {global_rank}: {what}(shape={shape}, dtype={_DTYPES[row[1]]}"
    return text + (f", root={row[2]})" if row[2] >= 0 else ")")


def check_same(group, what, array, root=-1):
    """Raise the same RuntimeError on every rank unless all called ``what`` with an array of
    one shape and dtype (and, for rooted collectives, the same root)."""
    comm = group._comm
    if group._size == 1:
        return
    row = _row(what, array, root)
    rows = np.empty((group._size, _ROW), np.int64)
    wait_all(group, [comm.Iallgather(row, rows)], what, group._deadline())
    if (rows == rows[0]).all():
        return
    lines = "\n  ".join(_describe(r, group._ranks[i]) for i, r in enumerate(rows))
    raise RuntimeError(
        f"ember.distributed.{what}: the ranks of the group disagree on the collective; every "
        f"rank must call the same one with a tensor of the same shape and dtype:\n  {lines}")
