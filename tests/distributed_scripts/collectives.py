"""Every collective of ember.distributed on deterministic inputs; each rank writes what it
got to OUTDIR/rank<r>.json for tests/test_distributed.py to compare with the values
computed locally. Run as: ember launch -n N collectives.py OUTDIR"""

import json
import os
import sys
import warnings

import numpy as np
import torch
import torch.distributed as dist


def value(rank, shape=(2, 3), dtype=torch.float32):
    """Rank ``rank``'s input: arange + 10 * rank + 1 (the test rebuilds it with NumPy)."""
    n = int(np.prod(shape))
    return (torch.arange(n, dtype=torch.float64).reshape(shape) + 10 * rank + 1).to(dtype)


def error_of(fn):
    try:
        fn()
    except Exception as error:  # noqa: BLE001 - the message is the result
        return f"{type(error).__name__}: {error}"
    return None


dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
last = world - 1
out = {"rank": rank, "world": world, "backend": dist.get_backend(),
       "env": [int(os.environ[k]) for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK")],
       "initialized": dist.is_initialized()}

for op in ("SUM", "AVG", "MAX", "MIN", "PRODUCT"):
    t = value(rank)
    dist.all_reduce(t, op=getattr(dist.ReduceOp, op))
    out[f"all_reduce_{op}"] = t.tolist()
t = value(rank, dtype=torch.int64)
dist.all_reduce(t)
out["all_reduce_int64"] = t.tolist()
out["all_reduce_avg_int"] = error_of(
    lambda: dist.all_reduce(value(rank, dtype=torch.int64), op=dist.ReduceOp.AVG))
base = value(rank, (3, 4))
strided = base[:, ::2]
dist.all_reduce(strided)
out["all_reduce_strided"] = base.tolist()
t = value(rank)
work = dist.all_reduce(t, op=dist.ReduceOp.MAX, async_op=True)
out["async_work"] = [work.wait(), work.is_completed(), work.result()[0] is t]
out["async_all_reduce"] = t.tolist()

t = value(rank)
dist.broadcast(t, src=last)
out["broadcast"] = t.tolist()
t = value(rank, (5,), torch.int32)
dist.broadcast(t, group_src=0)
out["broadcast_group_src"] = t.tolist()

t = value(rank)
dist.reduce(t, dst=last, op=dist.ReduceOp.SUM)
out["reduce"] = t.tolist()

gathered = [torch.empty(2, 3) for _ in range(world)]
dist.all_gather(gathered, value(rank))
out["all_gather"] = [g.tolist() for g in gathered]
flat = torch.empty(world * 2, 3)
dist.all_gather_into_tensor(flat, value(rank))
out["all_gather_into_tensor"] = flat.tolist()

t = torch.empty(2, 3)
dist.reduce_scatter_tensor(t, value(rank, (world * 2, 3)))
out["reduce_scatter_tensor"] = t.tolist()
t = torch.empty(2, 3)
dist.reduce_scatter_tensor(t, value(rank, (world * 2, 3)), op=dist.ReduceOp.AVG)
out["reduce_scatter_tensor_avg"] = t.tolist()
t = torch.empty(2, 3)
dist.reduce_scatter(t, [value(rank) * (i + 1) for i in range(world)])
out["reduce_scatter"] = t.tolist()

gathered = [torch.empty(2, 3) for _ in range(world)] if rank == 0 else None
dist.gather(value(rank), gathered, dst=0)
out["gather"] = [g.tolist() for g in gathered] if rank == 0 else None
t = torch.empty(2, 3)
dist.scatter(t, [value(i) * 2 for i in range(world)] if rank == last else None, src=last)
out["scatter"] = t.tolist()

# A ring: rank r sends to r + 1 and receives from r - 1.
received = torch.empty(2, 3)
send = dist.isend(value(rank), dst=(rank + 1) % world)
recv = dist.irecv(received, src=(rank - 1) % world)
send.wait()
recv.wait()
out["ring"] = received.tolist()
if rank == 0:
    t = torch.empty(4)
    senders = sorted(dist.recv(t) for _ in range(world - 1))
    out["recv_any_source"] = senders
else:
    dist.send(torch.full((4,), float(rank)), dst=0)
if rank == 1:
    out["recv_size_mismatch"] = error_of(lambda: dist.recv(torch.empty(2), src=0))
elif rank == 0:
    dist.send(torch.ones(5), dst=1)

objects = [None] * world
dist.all_gather_object(objects, {"rank": rank, "tensor": value(rank, (2,))})
out["all_gather_object"] = [[o["rank"], o["tensor"].tolist()] for o in objects]
items = [f"from {rank}", rank, value(rank, (2,))] if rank == last else [None, None, None]
dist.broadcast_object_list(items, src=last)
out["broadcast_object_list"] = [items[0], items[1], items[2].tolist()]
gathered = [None] * world if rank == 0 else None
dist.gather_object(("rank", rank), gathered, dst=0)
out["gather_object"] = gathered
received = [None]
dist.scatter_object_list(received, [{"for": i} for i in range(world)] if rank == 0 else None,
                         src=0)
out["scatter_object_list"] = received[0]

pair = dist.new_group([0, 1])
out["group_ranks"] = [dist.get_rank(pair), dist.get_world_size(pair)]
t = value(rank)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    dist.all_reduce(t, group=pair)
out["group_all_reduce"] = t.tolist()
out["group_warning"] = [str(w.message) for w in caught]
if pair is not dist.GroupMember.NON_GROUP_MEMBER:
    out["group_process_ranks"] = dist.get_process_group_ranks(pair)

# Disagreements: the same clear error on every rank, and the group still works after.
out["shape_mismatch"] = error_of(lambda: dist.all_reduce(torch.ones(rank + 1)))
out["dtype_mismatch"] = error_of(
    lambda: dist.broadcast(torch.ones(3, dtype=torch.float64 if rank else torch.float32), 0))
out["op_mismatch"] = error_of(
    lambda: dist.all_reduce(torch.ones(3)) if rank == 0 else dist.broadcast(torch.ones(3), 0))
t = torch.ones(3)
dist.all_reduce(t)
out["after_errors"] = t.tolist()
dist.barrier()
dist.destroy_process_group()
out["destroyed"] = dist.is_initialized()
with open(os.path.join(sys.argv[1], f"rank{rank}.json"), "w") as f:
    json.dump(out, f)
