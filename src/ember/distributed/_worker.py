"""One rank of ``ember launch``: ``python -m ember.distributed._worker script.py [args...]``.

Sets torchrun's environment variables from MPI (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``,
``LOCAL_WORLD_SIZE``, ``MASTER_ADDR`` = rank 0's host name, ``MASTER_PORT`` = 29500 unless
set: MPI needs no port), then runs the script as ``__main__`` with ``torch`` mapped to ember.
If the script fails (an uncaught exception or a nonzero ``sys.exit``) the rank prints why
and calls ``MPI_Abort``, which stops every rank of the job: no rank is left waiting forever
on one that is gone.
"""

import os
import sys

from . import _mpi


def _set_environment(MPI):
    world = MPI.COMM_WORLD
    rank = world.Get_rank()
    node = world.Split_type(MPI.COMM_TYPE_SHARED, key=rank)
    master = world.bcast(MPI.Get_processor_name() if rank == 0 else None, root=0)
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world.Get_size()),
                      LOCAL_RANK=str(node.Get_rank()), LOCAL_WORLD_SIZE=str(node.Get_size()),
                      MASTER_ADDR=master)
    os.environ.setdefault("MASTER_PORT", "29500")
    node.Free()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print("usage: python -m ember.distributed._worker script.py [args...]",
              file=sys.stderr)
        return 2
    MPI = _mpi.mpi()
    _set_environment(MPI)
    from ..cli import run_script_as_main
    try:
        run_script_as_main(argv[0], argv[1:])
    except SystemExit as exit:
        if exit.code in (None, 0):
            return 0
        if not isinstance(exit.code, int):
            print(exit.code, file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        MPI.COMM_WORLD.Abort(exit.code if isinstance(exit.code, int) else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
