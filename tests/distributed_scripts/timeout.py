"""Rank 0 calls a collective that rank 1 never reaches: with a 3 s timeout (room for a slow
start on a loaded machine) rank 0 raises, and `ember launch` stops the whole job instead of
leaving it hanging.
Run as: ember launch -n 2 timeout.py OUTDIR"""

import datetime
import time

import torch
import torch.distributed as dist

dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=3))
if dist.get_rank() == 0:
    dist.all_reduce(torch.ones(2))
else:
    time.sleep(60)
