"""``ember.distributed``: PyTorch's ``torch.distributed`` on MPI (mpi4py), for training on
several processes and machines.

Install the extra (mpi4py and the MPICH wheel, which brings ``mpiexec``; no system MPI is
needed)::

    pip install -e ".[distributed]"

Launch N copies of a script, one per rank (``ember launch`` wraps the wheel's ``mpiexec``
and, like ``ember run``, maps ``import torch`` to ember)::

    ember launch -n 4 train.py --epochs 3

Each rank finds ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``LOCAL_WORLD_SIZE``,
``MASTER_ADDR`` (rank 0's host) and ``MASTER_PORT`` (a placeholder: MPI needs no port) in
its environment, as under ``torchrun``, and calls::

    import torch.distributed as dist
    from torch.utils.data.distributed import DistributedSampler
    dist.init_process_group("gloo")      # "gloo" is an alias of "mpi" here
    model = torch.nn.parallel.DistributedDataParallel(model)
    sampler = DistributedSampler(dataset)  # this rank's share; call set_epoch(e) each epoch

**Several machines.** List the machines in a host file, one per line with the number of
ranks it takes (MPICH's Hydra format)::

    node1:4
    node2:4

and launch from one of them: ``ember launch -n 8 --hostfile hosts.txt train.py``. Hydra
starts the remote ranks over ssh, so every machine needs passwordless ssh from the
launching one, the same Python with ember and the ``distributed`` extra installed at the same
path (``sys.executable``), and the script at the same path (a shared file system, or a copy).
Extra ``mpiexec`` options go after ``--mpiexec-args`` (for instance ``-iface eth0`` to pick
the network interface). The environment of the launching shell is passed to every rank.

**Failures and timeouts.** Every collective is nonblocking MPI, polled until the group's
``timeout`` (``init_process_group(timeout=timedelta(...))``, default 30 minutes): a rank
that never arrives gives the others a RuntimeError instead of a hang. Before each tensor
collective the ranks compare op, shape and dtype with one tiny all-gather, so a mismatch is
a clear RuntimeError on every rank. Under ``ember launch`` an uncaught exception on any rank
prints its traceback and stops every rank (``MPI_Abort``), as ``torchrun`` does.

**Checkpoints.** Save from rank 0 only, then let every rank load once the file exists::

    if dist.get_rank() == 0:
        torch.save(ddp_model.module.state_dict(), "ckpt.pt")   # keys without "module."
    dist.barrier()                                            # the file is complete now
    state = torch.load("ckpt.pt")
    ddp_model.module.load_state_dict(state)

``ddp_model.state_dict()`` has PyTorch's ``module.`` prefix on every key; load such a
checkpoint into a bare model with
``ember.nn.parallel.consume_prefix_in_state_dict_if_present(state, "module.")``.

Not provided: ``all_to_all``, ``batch_isend_irecv``, ``monitored_barrier``, stores, RPC,
FSDP, device meshes and the ``tcp://``/``file://`` rendezvous (MPI does the rendezvous).
"""

from .collectives import (  # noqa: F401
    ReduceOp,
    all_gather,
    all_gather_into_tensor,
    all_reduce,
    barrier,
    broadcast,
    gather,
    reduce,
    reduce_scatter,
    reduce_scatter_tensor,
    scatter,
)
from .objects import (  # noqa: F401
    all_gather_object,
    broadcast_object_list,
    gather_object,
    scatter_object_list,
)
from .p2p import irecv, isend, recv, send  # noqa: F401
from .process_group import (  # noqa: F401
    Backend,
    GroupMember,
    ProcessGroup,
    default_pg_timeout,
    destroy_process_group,
    get_backend,
    get_global_rank,
    get_group_rank,
    get_node_local_rank,
    get_process_group_ranks,
    get_rank,
    get_world_size,
    group,
    init_process_group,
    is_available,
    is_gloo_available,
    is_initialized,
    is_mpi_available,
    is_nccl_available,
    is_torchelastic_launched,
    new_group,
)
from .work import Work  # noqa: F401

__all__ = ["Backend", "GroupMember", "ProcessGroup", "ReduceOp", "Work", "all_gather",
           "all_gather_into_tensor", "all_gather_object", "all_reduce", "barrier", "broadcast",
           "broadcast_object_list", "default_pg_timeout", "destroy_process_group", "gather",
           "gather_object", "get_backend", "get_global_rank", "get_group_rank",
           "get_node_local_rank", "get_process_group_ranks", "get_rank", "get_world_size",
           "group", "init_process_group", "irecv", "is_available", "is_gloo_available",
           "is_initialized", "is_mpi_available", "is_nccl_available",
           "is_torchelastic_launched", "isend", "new_group", "recv", "reduce", "reduce_scatter",
           "reduce_scatter_tensor", "scatter", "scatter_object_list", "send"]
