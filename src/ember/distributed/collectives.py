"""Collectives on tensors, in place, with PyTorch's signatures: ``all_reduce``, ``broadcast``,
``reduce``, ``all_gather``, ``all_gather_into_tensor``, ``reduce_scatter``,
``reduce_scatter_tensor``, ``gather``, ``scatter``, ``barrier``, and ``ReduceOp``.

Each call checks its arguments locally, then checks with one tiny ``Iallgather`` that every
rank of the group called the same collective with the same shape and dtype (a mismatch is
the same RuntimeError on every rank, never a hang or a silent mix-up), then starts the MPI
collective nonblocking. With ``async_op=True`` it returns a ``Work``; otherwise it waits (up
to the group's timeout) and returns None. The check itself is waited for even with
``async_op=True``: starting it later, from ``wait()``, could order the ranks' MPI calls
differently and deadlock.

Data moves as raw bytes (any dtype); reductions use the tensor's own MPI type. ``AVG`` is a
sum divided by the group size (floating and complex tensors only, as in PyTorch); on bool
tensors SUM/MAX/BOR are a logical or and PRODUCT/MIN/BAND a logical and. A non-contiguous
tensor is reduced in a contiguous copy that is written back when the operation completes.
"""

import enum

import numpy as np

from . import _mpi
from .process_group import _resolve, _root
from .work import Work

__all__ = ["ReduceOp", "all_reduce", "broadcast", "reduce", "all_gather",
           "all_gather_into_tensor", "reduce_scatter", "reduce_scatter_tensor", "gather",
           "scatter", "barrier"]


class RedOpType(enum.IntEnum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8


class ReduceOp:
    """How ``all_reduce``, ``reduce`` and ``reduce_scatter`` combine the ranks' values."""

    RedOpType = RedOpType
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM


def _mpi_op(op, array):
    """The MPI operation for ``op`` on ``array``'s dtype."""
    MPI = _mpi.mpi()
    op = RedOpType(op)
    kind = array.dtype.kind
    if op == RedOpType.PREMUL_SUM:
        raise NotImplementedError("ReduceOp.PREMUL_SUM is not supported by ember.distributed")
    if kind == "b":
        return {RedOpType.BXOR: MPI.LXOR}.get(
            op, MPI.LAND if op in (RedOpType.PRODUCT, RedOpType.MIN, RedOpType.BAND)
            else MPI.LOR)
    if op == RedOpType.AVG and kind not in "fc":
        from .. import _dtype
        name = _dtype._BY_NUMPY[array.dtype]._legacy_name.replace("Tensor", "")
        raise RuntimeError(f"result type Float can't be cast to the desired output type {name}")
    if op in (RedOpType.BAND, RedOpType.BOR, RedOpType.BXOR) and kind in "fc":
        raise RuntimeError(f"ReduceOp.{op.name} needs an integer or bool tensor, got "
                           f"{array.dtype}")
    if op in (RedOpType.MIN, RedOpType.MAX) and kind == "c":
        raise RuntimeError(f"ReduceOp.{op.name} is not defined for complex tensors")
    return {RedOpType.SUM: MPI.SUM, RedOpType.AVG: MPI.SUM, RedOpType.PRODUCT: MPI.PROD,
            RedOpType.MIN: MPI.MIN, RedOpType.MAX: MPI.MAX, RedOpType.BAND: MPI.BAND,
            RedOpType.BOR: MPI.BOR, RedOpType.BXOR: MPI.BXOR}[op]


def _check_single_tensor(param, param_name):
    from .._tensor import Tensor
    if not isinstance(param, Tensor):
        raise TypeError(f"Invalid function argument. Expected parameter `{param_name}` of type "
                        f"torch.Tensor but got {type(param)} instead.")


def _check_tensor_list(param, param_name):
    from .._tensor import Tensor
    if not isinstance(param, list) or not all(isinstance(p, Tensor) for p in param):
        raise TypeError(f"Invalid function argument. Expected parameter `{param_name}` of type "
                        f"List[torch.Tensor] but got {type(param)} instead.")


def _check_list_like(what, tensors, count, like, name):
    """``tensors`` must be ``count`` tensors of ``like``'s shape and dtype."""
    if len(tensors) != count:
        raise RuntimeError(f"{what}: `{name}` must hold one tensor per rank of the group "
                           f"({count}), got {len(tensors)}")
    for i, t in enumerate(tensors):
        if t.shape != like.shape or t.dtype != like.dtype:
            raise RuntimeError(f"{what}: `{name}`[{i}] has shape {list(t.shape)} and dtype "
                               f"{t.dtype}; expected {list(like.shape)} and {like.dtype}")


def _contiguous(tensor):
    data = tensor._data
    return data if data.flags.c_contiguous else np.ascontiguousarray(data)


def _flat(array):
    """A 1-d view of a contiguous array (mpi4py reads the element type from it)."""
    return array.reshape(-1)


def _bytes(array):
    return array.reshape(-1).view(np.uint8)


def _write(tensor, array):
    """Store a result into ``tensor`` in place and bump its version."""
    if array is not tensor._data:
        tensor._data[...] = array.reshape(tensor._data.shape)
    tensor._vc[0] += 1


def _stack(tensors, like):
    out = np.empty((len(tensors),) + like._data.shape, like._data.dtype)
    for row, t in zip(out, tensors):
        row[...] = t._data
    return out


def _run(pg, requests, what, finish, result, async_op):
    work = Work(pg, requests, what, finish, result)
    if async_op:
        return work
    work.wait()
    return None


def _average_and_write(tensor, buf, op, size):
    def finish():
        if op == RedOpType.AVG:
            np.divide(buf, size, out=buf)
        _write(tensor, buf)
    return finish


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Every rank's ``tensor`` becomes the reduction (``op``) of all ranks' tensors."""
    _check_single_tensor(tensor, "tensor")
    pg = _resolve(group, "all_reduce")
    if pg is None:
        return None
    mpi_op = _mpi_op(op, tensor._data)
    _mpi.check_same(pg, "all_reduce", tensor._data)
    buf = _contiguous(tensor)
    request = pg._comm.Iallreduce(_mpi.mpi().IN_PLACE, _flat(buf), mpi_op)
    return _run(pg, [request], "all_reduce", _average_and_write(tensor, buf, op, pg._size),
                [tensor], async_op)


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Every rank's ``tensor`` becomes rank ``src``'s."""
    _check_single_tensor(tensor, "tensor")
    pg = _resolve(group, "broadcast")
    if pg is None:
        return None
    root = _root(pg, src, group_src)
    _mpi.check_same(pg, "broadcast", tensor._data, root)
    buf = _contiguous(tensor)
    request = pg._comm.Ibcast(_bytes(buf), root)
    finish = None if pg._rank == root else (lambda: _write(tensor, buf))
    return _run(pg, [request], "broadcast", finish, [tensor], async_op)


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Rank ``dst``'s ``tensor`` becomes the reduction of all ranks' tensors; the others'
    are left as they were."""
    _check_single_tensor(tensor, "tensor")
    pg = _resolve(group, "reduce")
    if pg is None:
        return None
    root = _root(pg, dst, group_dst)
    mpi_op = _mpi_op(op, tensor._data)
    _mpi.check_same(pg, "reduce", tensor._data, root)
    buf = _contiguous(tensor)
    if pg._rank == root:
        request = pg._comm.Ireduce(_mpi.mpi().IN_PLACE, _flat(buf), mpi_op, root)
        finish = _average_and_write(tensor, buf, op, pg._size)
    else:
        request = pg._comm.Ireduce(_flat(buf), None, mpi_op, root)
        finish = None
    return _run(pg, [request], "reduce", finish, [tensor], async_op)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """``tensor_list[i]`` becomes rank i's ``tensor``, on every rank."""
    _check_tensor_list(tensor_list, "tensor_list")
    _check_single_tensor(tensor, "tensor")
    pg = _resolve(group, "all_gather")
    if pg is None:
        return None
    _check_list_like("all_gather", tensor_list, pg._size, tensor, "tensor_list")
    _mpi.check_same(pg, "all_gather", tensor._data)
    out = np.empty((pg._size,) + tensor._data.shape, tensor._data.dtype)
    request = pg._comm.Iallgather(_bytes(_contiguous(tensor)), _bytes(out))

    def finish():
        for t, row in zip(tensor_list, out):
            _write(t, row)
    return _run(pg, [request], "all_gather", finish, tensor_list, async_op)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """``output_tensor`` becomes the ranks' ``input_tensor``s concatenated along dim 0 (or
    stacked: any shape with ``world_size`` times the elements works)."""
    _check_single_tensor(output_tensor, "output_tensor")
    _check_single_tensor(input_tensor, "input_tensor")
    pg = _resolve(group, "all_gather_into_tensor")
    if pg is None:
        return None
    if output_tensor.numel() != pg._size * input_tensor.numel():
        raise RuntimeError("output tensor size must be equal to world_size times input tensor "
                           "size")
    if output_tensor.dtype != input_tensor.dtype:
        raise RuntimeError("output tensor must have the same type as input tensor")
    _mpi.check_same(pg, "all_gather_into_tensor", input_tensor._data)
    out = _contiguous(output_tensor)
    request = pg._comm.Iallgather(_bytes(_contiguous(input_tensor)), _bytes(out))
    return _run(pg, [request], "all_gather_into_tensor", lambda: _write(output_tensor, out),
                [output_tensor], async_op)


def _reduce_scatter(what, output, stacked, op, pg, async_op):
    mpi_op = _mpi_op(op, stacked)
    _mpi.check_same(pg, what, stacked)
    out = _contiguous(output)
    request = pg._comm.Ireduce_scatter_block(_flat(stacked), _flat(out), mpi_op)
    return _run(pg, [request], what, _average_and_write(output, out, op, pg._size), [output],
                async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input`` over the ranks and give rank i the i-th of ``world_size`` equal
    chunks of the result, in ``output``."""
    _check_single_tensor(output, "output")
    _check_single_tensor(input, "input")
    pg = _resolve(group, "reduce_scatter_tensor")
    if pg is None:
        return None
    if input.numel() != pg._size * output.numel():
        raise RuntimeError("input tensor must be the same size as output size times world size")
    if output.dtype != input.dtype:
        raise RuntimeError("input tensor must be the same type as the output tensor.")
    return _reduce_scatter("reduce_scatter_tensor", output, _contiguous(input), op, pg,
                           async_op)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """``output`` on rank i becomes the reduction over the ranks of ``input_list[i]``."""
    _check_single_tensor(output, "output")
    _check_tensor_list(input_list, "input_list")
    pg = _resolve(group, "reduce_scatter")
    if pg is None:
        return None
    _check_list_like("reduce_scatter", input_list, pg._size, output, "input_list")
    return _reduce_scatter("reduce_scatter", output, _stack(input_list, output), op, pg,
                           async_op)


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """On rank ``dst``, ``gather_list[i]`` becomes rank i's ``tensor``."""
    _check_single_tensor(tensor, "tensor")
    if gather_list:
        _check_tensor_list(gather_list, "gather_list")
    pg = _resolve(group, "gather")
    if pg is None:
        return None
    root = _root(pg, dst, group_dst)
    if pg._rank == root:
        if not gather_list:
            raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
        _check_list_like("gather", gather_list, pg._size, tensor, "gather_list")
    elif gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination "
                         "ranks.")
    _mpi.check_same(pg, "gather", tensor._data, root)
    out = (np.empty((pg._size,) + tensor._data.shape, tensor._data.dtype)
           if pg._rank == root else None)
    request = pg._comm.Igather(_bytes(_contiguous(tensor)),
                               None if out is None else _bytes(out), root)

    def finish():
        for t, row in zip(gather_list, out):
            _write(t, row)
    return _run(pg, [request], "gather", finish if out is not None else None,
                gather_list or [], async_op)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """Rank i's ``tensor`` becomes ``scatter_list[i]`` of rank ``src``."""
    _check_single_tensor(tensor, "tensor")
    if scatter_list:
        _check_tensor_list(scatter_list, "scatter_list")
    pg = _resolve(group, "scatter")
    if pg is None:
        return None
    root = _root(pg, src, group_src)
    if pg._rank == root:
        if not scatter_list:
            raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
        _check_list_like("scatter", scatter_list, pg._size, tensor, "scatter_list")
    elif scatter_list:
        raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
    _mpi.check_same(pg, "scatter", tensor._data, root)
    send = _bytes(_stack(scatter_list, tensor)) if pg._rank == root else None
    buf = _contiguous(tensor)
    request = pg._comm.Iscatter(send, _bytes(buf), root)
    return _run(pg, [request], "scatter", lambda: _write(tensor, buf), [tensor], async_op)


def barrier(group=None, async_op=False, device_ids=None, timeout=None):
    """Wait until every rank of the group has reached the barrier (at most ``timeout``,
    default the group's)."""
    pg = _resolve(group, "barrier")
    if pg is None:
        return None
    work = Work(pg, [pg._comm.Ibarrier()], "barrier")
    if async_op:
        return work
    work.wait(timeout)
    return None
