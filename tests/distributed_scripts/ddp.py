"""DistributedDataParallel on every rank; each writes its results to OUTDIR/rank<r>.json for
tests/test_distributed.py, which recomputes them in one process on the full batch.
Run as: ember launch -n N ddp.py OUTDIR"""

import json
import os
import sys

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.nn.parallel import consume_prefix_in_state_dict_if_present

STEPS = 5
rng = np.random.default_rng(0)
X = torch.tensor(rng.standard_normal((16, 5)).astype(np.float32))
Y = torch.tensor(rng.standard_normal((16, 2)).astype(np.float32))


def make_model(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 2))


def params(module):
    return [p.tolist() for p in module.parameters()]


def grads(module):
    return [None if p.grad is None else p.grad.tolist() for p in module.parameters()]


def error_of(fn):
    try:
        fn()
    except Exception as error:  # noqa: BLE001 - the message is the result
        return f"{type(error).__name__}: {error}"
    return None


dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
share = 16 // world
mine = slice(rank * share, (rank + 1) * share)
out = {}

# Training: each rank starts from different weights (DDP copies rank 0's) and sees its share.
for name, cap in (("train", None), ("train_small_buckets", 0.00001)):
    ddp = DDP(make_model(seed=rank), bucket_cap_mb=cap)
    out[f"{name}_buckets"] = len(ddp.reducer.buckets)
    optimizer = torch.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.MSELoss()
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss_fn(ddp(X[mine]), Y[mine]).backward()
        optimizer.step()
    out[name] = params(ddp.module)

# Gradient accumulation: two micro-batches per rank, the first inside no_sync().
ddp = DDP(make_model(seed=0))
loss_fn = nn.MSELoss()
half = share // 2
first, second = slice(mine.start, mine.start + half), slice(mine.start + half, mine.stop)
with ddp.no_sync():
    loss_fn(ddp(X[first]), Y[first]).backward()
out["no_sync_local"] = grads(ddp.module)
loss_fn(ddp(X[second]), Y[second]).backward()
out["no_sync_synced"] = grads(ddp.module)


class Branches(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.a = nn.Linear(5, 2)
        self.b = nn.Linear(5, 2)
        self.c = nn.Linear(5, 2)

    def forward(self, x, use_b):
        y = self.a(x)
        return y + self.b(x) if use_b else y


# Unused parameters: b only on rank 0, c nowhere.
ddp = DDP(Branches(), find_unused_parameters=True)
for _ in range(2):
    ddp.zero_grad()
    loss_fn(ddp(X[mine], rank == 0), Y[mine]).backward()
out["unused"] = grads(ddp.module)
ddp = DDP(Branches())
loss_fn(ddp(X[mine], True), Y[mine]).backward()
out["unfinished"] = error_of(lambda: ddp(X[mine], True))

# Checkpoint: rank 0 saves, every rank loads, into the wrapper and into a bare model.
ddp = DDP(make_model(seed=rank))
optimizer = torch.optim.SGD(ddp.parameters(), lr=0.1)
loss_fn(ddp(X[mine]), Y[mine]).backward()
optimizer.step()
out["state_dict_keys"] = list(ddp.state_dict())
path = os.path.join(sys.argv[1], "checkpoint.pt")
if rank == 0:
    torch.save(ddp.state_dict(), path)
dist.barrier()
state = torch.load(path)
reloaded = DDP(make_model(seed=100 + rank))
reloaded.load_state_dict(state)
consume_prefix_in_state_dict_if_present(state, "module.")
bare = make_model(seed=200 + rank)
bare.load_state_dict(state)
out["checkpoint"] = [params(ddp.module), params(reloaded.module), params(bare)]


class WithBuffer(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 2)
        self.register_buffer("count", torch.full((3,), float(rank)))

    def forward(self, x):
        return self.linear(x)


ddp = DDP(WithBuffer())
out["buffer_at_init"] = ddp.module.count.tolist()
ddp.module.count += 5 * rank + 1
ddp(torch.ones(1, 2))
out["buffer_after_forward"] = ddp.module.count.tolist()

out["model_mismatch"] = error_of(lambda: DDP(nn.Linear(3, 3 + rank)))
with open(os.path.join(sys.argv[1], f"rank{rank}.json"), "w") as f:
    json.dump(out, f)
