"""The gradient reducer behind ``DistributedDataParallel``: buckets, hooks, all-reduces.

Parameters are packed into buckets (one flat NumPy array each, one dtype per bucket) in
reverse parameter order, because backward produces the last layers' gradients first. The
first bucket is capped at 1 MiB and the rest at ``bucket_cap_mb`` (25 MiB), as PyTorch's
steady-state buckets are; a bucket closes once it reaches its cap.

Each parameter has a post-accumulate-grad hook. When it fires, the new ``.grad`` divided by
the world size is copied into the parameter's slot in its bucket; when a bucket's last
slot is filled, its nonblocking ``Iallreduce`` starts at once, while backward goes on
computing earlier layers. Buckets start strictly in order (bucket 0, 1, ...), so every rank
issues the same all-reduces in the same order whatever order its hooks fire in. The hook
that starts the last bucket then waits for all of them and copies the averaged gradients
back into ``.grad``: when ``loss.backward()`` returns, ``.grad`` is already the average
across ranks (PyTorch does the same in an autograd callback at the end of backward).

With ``find_unused_parameters`` the forward output's graph is walked after each forward;
parameters it does not reach are marked ready at once with their current ``.grad`` (zeros
if None). A parameter no rank used keeps its ``.grad`` untouched (None stays None): a small
all-reduce of the "used here" flags finds those.
"""

import time
import weakref

import numpy as np

from ..._tensor import Tensor
from ...distributed import _mpi

_UNFINISHED = (
    "Expected to have finished reduction in the prior iteration before starting a new one. "
    "This error indicates that your module has parameters that were not used in producing "
    "loss. You can enable unused parameter detection by passing the keyword argument "
    "`find_unused_parameters=True` to `torch.nn.parallel.DistributedDataParallel`, and by \n"
    "making sure all `forward` function outputs participate in calculating loss. \n"
    "If you already have done the above, then the distributed data parallel module wasn't "
    "able to locate the output tensors in the return value of your module's `forward` "
    "function. Please include the loss function and the structure of the return value of "
    "`forward` of your module when reporting this issue (e.g. list, dict, iterable).\n"
    "Parameter indices which did not receive grad for rank {rank}: {indices}\n In addition, "
    "you can set the environment variable TORCH_DISTRIBUTED_DEBUG to either INFO or DETAIL "
    "to print out information about which particular parameters did not receive gradient on "
    "this rank as part of this error")


def assign_buckets(params, caps):
    """Lists of parameter indices, one per bucket, in reduction order. ``caps`` are the
    byte limits of a dtype's first, second, ... bucket (the last one repeats)."""
    open_buckets, closed_count, buckets = {}, {}, []
    for i in reversed(range(len(params))):
        key = params[i]._data.dtype
        bucket = open_buckets.setdefault(key, [[], 0])
        bucket[0].append(i)
        bucket[1] += params[i]._data.nbytes
        count = closed_count.get(key, 0)
        if bucket[1] >= caps[min(count, len(caps) - 1)]:
            buckets.append(bucket[0])
            closed_count[key] = count + 1
            del open_buckets[key]
    buckets += [indices for indices, _ in open_buckets.values()]
    # In the order their first gradient is expected: highest parameter index first.
    return sorted(buckets, key=lambda indices: -indices[0])


class _Bucket:
    __slots__ = ("indices", "flat", "request")

    def __init__(self, indices, params):
        self.indices = indices
        self.flat = np.zeros(sum(params[i]._data.size for i in indices),
                             params[indices[0]]._data.dtype)
        self.request = None


def _reached_leaves(outputs):
    """``id``s of the leaf tensors the autograd graph of ``outputs`` reaches."""
    tensors, stack = [], [outputs]
    while stack:
        item = stack.pop()
        if isinstance(item, Tensor):
            tensors.append(item)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    reached = {id(t) for t in tensors if t._grad_fn is None}
    nodes = [t._grad_fn for t in tensors if t._grad_fn is not None]
    seen = set(nodes)
    while nodes:
        for child, _ in nodes.pop().next_functions:
            if child is None or child in seen:
                continue
            seen.add(child)
            if child.is_accumulator:
                reached.add(id(child.variable))
            else:
                nodes.append(child)
    return reached


class Reducer:
    """Averages the gradients of ``params`` over ``group`` after each synced backward."""

    def __init__(self, params, group, caps, find_unused_parameters):
        self.params = params
        self.group = group
        self.find_unused = find_unused_parameters
        self.buckets = [_Bucket(indices, params) for indices in assign_buckets(params, caps)]
        self.slots = [None] * len(params)  # parameter index -> (bucket index, flat view)
        for b, bucket in enumerate(self.buckets):
            start = 0
            for i in bucket.indices:
                stop = start + params[i]._data.size
                self.slots[i] = (b, bucket.flat[start:stop].reshape(params[i]._data.shape))
                start = stop
        self.expect_hooks = False
        self.marked = np.zeros(len(params), bool)
        self.used = np.zeros(len(params), np.int32)
        self.pending = []
        self.next_bucket = 0
        self.hook_fired = False
        self_ref = weakref.ref(self)
        self.handles = [p.register_post_accumulate_grad_hook(_hook(self_ref, i))
                        for i, p in enumerate(params)]

    def check_finished(self):
        """Before a synced forward: the previous backward must have synced every gradient."""
        if self.expect_hooks and self.hook_fired:
            missing = " ".join(str(i) for i in np.flatnonzero(~self.marked))
            raise RuntimeError(_UNFINISHED.format(rank=self.group._global_rank,
                                                  indices=missing))

    def prepare_for_backward(self, outputs):
        """Arm the hooks for the backward of this forward's ``outputs``."""
        self.expect_hooks = True
        self.hook_fired = False
        self.marked[:] = False
        self.used[:] = 0
        self.pending = [len(bucket.indices) for bucket in self.buckets]
        self.next_bucket = 0
        if self.find_unused:
            reached = _reached_leaves(outputs)
            for i, p in enumerate(self.params):
                if id(p) not in reached:
                    self._mark_ready(i)

    def grad_ready(self, index):
        if not self.expect_hooks:
            return
        if self.marked[index]:
            raise RuntimeError(
                "Expected to mark a variable ready only once. This error is caused by one of "
                "the following reasons: 1) Use of a module parameter outside the `forward` "
                "function. 2) Reused parameters in multiple reentrant backward passes. "
                f"Parameter index {index} was marked ready twice in this iteration.")
        self.hook_fired = True
        self.used[index] = 1
        self._mark_ready(index)

    def _mark_ready(self, index):
        self.marked[index] = True
        b, view = self.slots[index]
        grad = self.params[index]._grad
        if grad is None:
            view.fill(0)
        else:
            np.divide(grad._data, self.group._size, out=view)
        self.pending[b] -= 1
        if self.pending[b] == 0:
            self._start_ready_buckets()

    def _start_ready_buckets(self):
        MPI = _mpi.mpi()
        comm = self.group._comm
        while self.next_bucket < len(self.buckets) and self.pending[self.next_bucket] == 0:
            bucket = self.buckets[self.next_bucket]
            bucket.request = comm.Iallreduce(MPI.IN_PLACE, bucket.flat, MPI.SUM)
            self.next_bucket += 1
        if self.next_bucket == len(self.buckets):
            self._finish()

    def _finish(self):
        MPI = _mpi.mpi()
        requests = [bucket.request for bucket in self.buckets]
        if self.find_unused:
            requests.append(self.group._comm.Iallreduce(MPI.IN_PLACE, self.used, MPI.MAX))
        deadline = time.monotonic() + self.group._timeout.total_seconds()
        _mpi.wait_all(self.group, requests, "DistributedDataParallel's gradient all_reduce",
                      deadline)
        self.expect_hooks = False
        for i, p in enumerate(self.params):
            if self.find_unused and not self.used[i]:
                continue
            view = self.slots[i][1]
            grad = p._grad
            if grad is None:
                p._grad = Tensor._from_array(view.copy())
            else:
                np.copyto(grad._data, view)
                grad._vc[0] += 1


def _hook(reducer_ref, index):
    def hook(param):
        reducer = reducer_ref()
        if reducer is not None:
            reducer.grad_ready(index)
    return hook


def broadcast_coalesced(group, tensors, root=0):
    """Overwrite ``tensors`` with group rank ``root``'s values: one broadcast per dtype."""
    by_dtype = {}
    for t in tensors:
        by_dtype.setdefault(t._data.dtype, []).append(t)
    requests, pending = [], []
    for group_tensors in by_dtype.values():
        flat = np.concatenate([t._data.reshape(-1) for t in group_tensors])
        requests.append(group._comm.Ibcast(flat.view(np.uint8), root))
        pending.append((flat, group_tensors))
    _mpi.wait_all(group, requests, "DistributedDataParallel's broadcast from rank 0",
                  group._deadline())
    if group._rank == root:
        return
    for flat, group_tensors in pending:
        start = 0
        for t in group_tensors:
            stop = start + t._data.size
            t._data[...] = flat[start:stop].reshape(t._data.shape)
            t._vc[0] += 1
            start = stop
