"""``DistributedDataParallel``: data-parallel training over the ranks of a process group.

Each rank holds a full replica of the model and trains on its own share of every batch.
At construction the ranks check that their models have the same parameters (names, shapes,
dtypes) and copy rank 0's parameters and buffers; after every forward/backward the gradients
are averaged across ranks (``_reducer``: buckets whose all-reduces start while backward is
still running; the last gradient's hook waits for them all, so when ``loss.backward()``
returns ``.grad`` already holds the average), and every rank's optimizer takes the same
step. By default buffers (batch-norm statistics) are re-broadcast from rank 0 before each
forward.

``state_dict()`` keys carry the ``module.`` prefix, as in PyTorch. To load such a
checkpoint into a bare model, strip it with ``consume_prefix_in_state_dict_if_present(sd,
"module.")``; or save ``ddp.module.state_dict()`` in the first place. ``ddp.load_state_dict``
expects the prefix; ``ddp.module.load_state_dict`` expects none.

Where ember differs: buckets are not rebuilt after the first iteration (they are already
in reverse parameter order, PyTorch's usual steady state); ``gradient_as_bucket_view``,
``static_graph`` and ``batched_grad_copy`` are accepted and change nothing observable
(gradients are copied back from the buckets); ``join()`` and ``register_comm_hook`` are not
provided, and ``mixed_precision``, ``device_mesh``, ``delay_all_reduce_named_params``,
``param_to_hook_all_reduce`` and ``skip_all_reduce_unused_params`` raise
NotImplementedError.
"""

import contextlib
import warnings

from ...autograd.grad_mode import is_grad_enabled
from ..module import Module
from ._reducer import Reducer, broadcast_coalesced

__all__ = ["DistributedDataParallel"]

_MB = 1024 * 1024
_DEFAULT_BUCKET_CAP_MB = 25
_DEFAULT_FIRST_BUCKET_BYTES = _MB


class DistributedDataParallel(Module):
    """Wrap ``module`` so that its gradients are averaged across the process group."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0,
                 broadcast_buffers=None, init_sync=True, process_group=None,
                 bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None,
                 mixed_precision=None, device_mesh=None, skip_all_reduce_unused_params=False,
                 bucket_cap_mb_list=None, batched_grad_copy=False, forward_sync_buffers=None):
        super().__init__()
        from ... import distributed as dist
        for name, value in (("mixed_precision", mixed_precision), ("device_mesh", device_mesh),
                            ("delay_all_reduce_named_params", delay_all_reduce_named_params),
                            ("param_to_hook_all_reduce", param_to_hook_all_reduce)):
            if value is not None:
                raise NotImplementedError(f"DistributedDataParallel({name}=...) is not "
                                          "supported by ember")
        if skip_all_reduce_unused_params:
            raise NotImplementedError("DistributedDataParallel(skip_all_reduce_unused_params="
                                      "True) is not supported by ember")
        if process_group is None:
            process_group = dist.group.WORLD
            if process_group is None:
                raise ValueError("Default process group has not been initialized, please make "
                                 "sure to call init_process_group.")
        if process_group is dist.GroupMember.NON_GROUP_MEMBER:
            raise ValueError("DistributedDataParallel: this rank is not in process_group")
        self.process_group = process_group
        ignore = set(getattr(module, "_ddp_params_and_buffers_to_ignore", ()))
        self.parameters_to_ignore = ignore
        named = [(n, p) for n, p in module.named_parameters() if n not in ignore]
        self._module_parameters = [p for _, p in named]
        if not any(p.requires_grad for p in self._module_parameters):
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't "
                               "have any parameter that requires a gradient.")
        if device_ids is not None and len(device_ids) > 1:
            raise ValueError("device_ids can only be None or contain a single element.")
        if device_ids or output_device:
            devices = {p.device for p in self._module_parameters}
            raise ValueError(
                "DistributedDataParallel device_ids and output_device arguments only work with "
                "single-device/multiple-device GPU modules or CPU modules, but got device_ids "
                f"{device_ids}, output_device {output_device}, and module parameters "
                f"{devices}.")
        self.device_ids = None
        self.output_device = None
        self.dim = dim
        self.module = module
        self.device = self._module_parameters[0].device
        self.forward_sync_buffers, init_sync_buffers = _buffer_sync(broadcast_buffers,
                                                                    forward_sync_buffers)
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        if check_reduction:
            warnings.warn("The `check_reduction` argument in `DistributedDataParallel` module "
                          "is deprecated. Please avoid using it.", FutureWarning, stacklevel=2)
        if bucket_cap_mb_list:
            caps = [int(mb * _MB) for mb in bucket_cap_mb_list]
        elif bucket_cap_mb is None:
            caps = [_DEFAULT_FIRST_BUCKET_BYTES, _DEFAULT_BUCKET_CAP_MB * _MB]
        else:
            caps = [int(bucket_cap_mb * _MB)]
        self.bucket_bytes_cap = max(caps)
        trained = [(n, p) for n, p in named if p.requires_grad]
        self._buffers_to_sync = [b for n, b in module.named_buffers() if n not in ignore]
        if init_sync:
            _verify_same_parameters(process_group, trained)
            states = self._module_parameters
            if init_sync_buffers:
                states = states + self._buffers_to_sync
            broadcast_coalesced(process_group, states)
        self.reducer = Reducer([p for _, p in trained], process_group, caps,
                               find_unused_parameters)

    @property
    def broadcast_buffers(self):
        return self.forward_sync_buffers

    @broadcast_buffers.setter
    def broadcast_buffers(self, value):
        self.forward_sync_buffers = value

    def forward(self, *inputs, **kwargs):
        sync = is_grad_enabled() and self.require_backward_grad_sync
        if sync:
            # As in PyTorch: a backward that left some gradient unsynced is an error here.
            self.reducer.check_finished()
        if self.forward_sync_buffers and self._buffers_to_sync and \
                self.process_group.size() > 1:
            broadcast_coalesced(self.process_group, self._buffers_to_sync)
        output = self.module(*inputs, **kwargs)
        if sync:
            self.reducer.prepare_for_backward(output)
        return output

    @contextlib.contextmanager
    def no_sync(self):
        """Inside, forward/backward passes accumulate gradients locally; the first synced
        backward after it averages the accumulated sums. Put the forward inside too."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous


def _buffer_sync(broadcast_buffers, forward_sync_buffers):
    """(sync buffers before each forward, sync them at construction), as PyTorch 2.13."""
    if broadcast_buffers is not None:
        if forward_sync_buffers is not None:
            warnings.warn("Both `broadcast_buffers` and `forward_sync_buffers` were specified. "
                          "`broadcast_buffers` is deprecated and its value is ignored when "
                          "`forward_sync_buffers` is provided.", FutureWarning, stacklevel=3)
        else:
            warnings.warn("`broadcast_buffers` is deprecated. Use `forward_sync_buffers` "
                          "instead. IMPORTANT: unlike `broadcast_buffers=False`, "
                          "`forward_sync_buffers=False` still syncs buffers at init. If you "
                          "rely on buffers NOT being synced at init (e.g. rank-local buffers), "
                          "keep using `broadcast_buffers=False` until `init_sync_buffers` is "
                          "available.", FutureWarning, stacklevel=3)
    if forward_sync_buffers is not None:
        return forward_sync_buffers, True
    effective = broadcast_buffers if broadcast_buffers is not None else True
    return effective, effective


def _verify_same_parameters(group, named):
    """Every rank must wrap the same parameters: one all-gather of names, shapes, dtypes."""
    from ... import distributed as dist
    mine = [(name, tuple(p.shape), str(p.dtype)) for name, p in named]
    everyone = [None] * group.size()
    dist.all_gather_object(everyone, mine, group=group)
    for rank, theirs in enumerate(everyone):
        if theirs == everyone[0]:
            continue
        first = next((i for i, (a, b) in enumerate(zip(everyone[0], theirs)) if a != b),
                     min(len(theirs), len(everyone[0])))
        raise RuntimeError(
            "DistributedDataParallel: the model differs across ranks (every rank must wrap the "
            f"same parameters). Rank {group._ranks[0]} has {len(everyone[0])} parameters, rank "
            f"{group._ranks[rank]} has {len(theirs)}; the first difference is parameter "
            f"{first}: {_describe(everyone[0], first)} on rank {group._ranks[0]}, "
            f"{_describe(theirs, first)} on rank {group._ranks[rank]}.")


def _describe(parameters, index):
    if index >= len(parameters):
        return "none"
    name, shape, dtype = parameters[index]
    return f"{name!r} of shape {list(shape)} and dtype {dtype}"
