"""ember.distributed, DistributedDataParallel and DistributedSampler.

The multi-process tests run real jobs with ``ember launch -n 2`` and ``-n 4`` (more ranks
than this machine has cores: MPICH oversubscribes) on the scripts in
``distributed_scripts/``; each rank writes what it computed to a JSON file, and the tests
compare it with the same values computed here, in one process (NumPy for the collectives,
one-process training on the full batch for DDP). Nothing here initializes MPI in the pytest
process itself. mpi4py is required, never skipped: without it these tests fail and say how
to install it.
"""

import functools
import importlib.util
import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

import ember
import oracle

SCRIPTS = os.path.join(os.path.dirname(__file__), "distributed_scripts")
INSTALL = 'mpi4py is not installed: pip install -e ".[distributed]"'


def _require_mpi():
    if importlib.util.find_spec("mpi4py") is None:
        pytest.fail(INSTALL)


def _launch(script, nproc, outdir, timeout=120):
    _require_mpi()
    command = [sys.executable, "-m", "ember", "launch", "-n", str(nproc),
               os.path.join(SCRIPTS, script), str(outdir)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


@functools.lru_cache(maxsize=None)
def _results(script, nproc, tmp_root):
    outdir = os.path.join(tmp_root, f"{script[:-3]}-{nproc}")
    os.makedirs(outdir)
    done = _launch(script, nproc, outdir)
    assert done.returncode == 0, done.stdout + done.stderr
    ranks = []
    for rank in range(nproc):
        with open(os.path.join(outdir, f"rank{rank}.json")) as f:
            ranks.append(json.load(f))
    return ranks


@pytest.fixture(scope="module")
def tmp_root(tmp_path_factory):
    return str(tmp_path_factory.mktemp("distributed"))


@pytest.fixture(params=[2, 4], ids=["2-ranks", "4-ranks"])
def collectives(request, tmp_root):
    return _results("collectives.py", request.param, tmp_root)


@pytest.fixture(params=[2, 4], ids=["2-ranks", "4-ranks"])
def ddp(request, tmp_root):
    return _results("ddp.py", request.param, tmp_root)


def value(rank, shape=(2, 3)):
    """The collectives script's input on ``rank``."""
    return np.arange(np.prod(shape), dtype=np.float64).reshape(shape) + 10 * rank + 1


def close(got, expected):
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), expected, rtol=1e-6)


# -- collectives -----------------------------------------------------------------------------
def test_environment_and_backend(collectives):
    world = len(collectives)
    for rank, out in enumerate(collectives):
        assert (out["rank"], out["world"], out["backend"]) == (rank, world, "gloo")
        assert out["env"] == [rank, world, rank]  # one machine: LOCAL_RANK == RANK
        assert out["initialized"] and not out["destroyed"]


def test_all_reduce_ops(collectives):
    world = len(collectives)
    inputs = np.stack([value(r) for r in range(world)])
    expected = {"SUM": inputs.sum(0), "AVG": inputs.mean(0), "MAX": inputs.max(0),
                "MIN": inputs.min(0), "PRODUCT": inputs.prod(0)}
    for out in collectives:
        for op, result in expected.items():
            close(out[f"all_reduce_{op}"], result)
        assert out["all_reduce_int64"] == inputs.sum(0).astype(np.int64).tolist()
        assert out["all_reduce_avg_int"] == ("RuntimeError: result type Float can't be cast to "
                                             "the desired output type Long")
        close(out["async_all_reduce"], inputs.max(0))
        assert out["async_work"] == [True, True, True]


def test_all_reduce_non_contiguous(collectives):
    world = len(collectives)
    total = sum(value(r, (3, 4)) for r in range(world))
    for rank, out in enumerate(collectives):
        expected = value(rank, (3, 4))
        expected[:, ::2] = total[:, ::2]
        close(out["all_reduce_strided"], expected)


def test_broadcast_and_reduce(collectives):
    world = len(collectives)
    for rank, out in enumerate(collectives):
        close(out["broadcast"], value(world - 1))
        assert out["broadcast_group_src"] == value(0, (5,)).astype(int).tolist()
        reduced = sum(value(r) for r in range(world)) if rank == world - 1 else value(rank)
        close(out["reduce"], reduced)


def test_gathers_and_scatters(collectives):
    world = len(collectives)
    each = [value(r) for r in range(world)]
    big = sum(value(r, (2 * world, 3)) for r in range(world))
    for rank, out in enumerate(collectives):
        close(out["all_gather"], np.stack(each))
        close(out["all_gather_into_tensor"], np.concatenate(each))
        close(out["reduce_scatter_tensor"], big[2 * rank:2 * rank + 2])
        close(out["reduce_scatter_tensor_avg"], big[2 * rank:2 * rank + 2] / world)
        close(out["reduce_scatter"], sum(each) * (rank + 1))
        if rank == 0:
            close(out["gather"], np.stack(each))
        else:
            assert out["gather"] is None
        close(out["scatter"], value(rank) * 2)


def test_point_to_point(collectives):
    world = len(collectives)
    for rank, out in enumerate(collectives):
        close(out["ring"], value((rank - 1) % world))
    assert collectives[0]["recv_any_source"] == list(range(1, world))
    assert collectives[1]["recv_size_mismatch"] == (
        "RuntimeError: ember.distributed: recv failed on rank 1: the message from rank 0 is "
        "larger than the receiving tensor")


def test_object_collectives(collectives):
    world = len(collectives)
    for rank, out in enumerate(collectives):
        assert out["all_gather_object"] == [[r, value(r, (2,)).tolist()] for r in range(world)]
        assert out["broadcast_object_list"] == [f"from {world - 1}", world - 1,
                                                value(world - 1, (2,)).tolist()]
        assert out["gather_object"] == ([["rank", r] for r in range(world)] if rank == 0
                                        else None)
        assert out["scatter_object_list"] == {"for": rank}


def test_new_group(collectives):
    pair_sum = value(0) + value(1)
    for rank, out in enumerate(collectives):
        if rank < 2:
            assert out["group_ranks"] == [rank, 2]
            assert out["group_process_ranks"] == [0, 1]
            close(out["group_all_reduce"], pair_sum)
            assert out["group_warning"] == []
        else:
            assert out["group_ranks"] == [-1, -1]
            close(out["group_all_reduce"], value(rank))
            assert out["group_warning"] == [f"Running all_reduce on global rank {rank} which "
                                            "does not belong to the given group."]


def test_disagreeing_ranks_get_a_clear_error(collectives):
    world = len(collectives)
    shapes = "\n  ".join(f"rank {r}: all_reduce(shape=[{r + 1}], dtype=torch.float32)"
                         for r in range(world))
    for out in collectives:
        assert out["shape_mismatch"] == (
            "RuntimeError: ember.distributed.all_reduce: the ranks of the group disagree on the "
            "collective; every rank must call the same one with a tensor of the same shape and "
            f"dtype:\n  {shapes}")
        assert "rank 1: broadcast(shape=[3], dtype=torch.float64, root=0)" in \
            out["dtype_mismatch"]
        assert "rank 0: all_reduce(shape=[3], dtype=torch.float32)\n  rank 1: broadcast(" in \
            out["op_mismatch"]
        # No rank started the collective, so the group still works.
        assert out["after_errors"] == [float(world)] * 3


def test_timeout_and_failure_stop_the_job(tmp_path):
    start = time.monotonic()
    done = _launch("timeout.py", 2, tmp_path)
    assert time.monotonic() - start < 30
    assert done.returncode != 0
    assert ("RuntimeError: ember.distributed: all_reduce timed out after 0:00:03 on rank 0: "
            "not every rank of the group reached it") in done.stderr


# -- DistributedDataParallel -----------------------------------------------------------------
def _data():
    rng = np.random.default_rng(0)
    return (rng.standard_normal((16, 5)).astype(np.float32),
            rng.standard_normal((16, 2)).astype(np.float32))


def _model(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(5, 8), lib.nn.ReLU(), lib.nn.Linear(8, 2))


def _grads(lib, model, x, y):
    model.zero_grad()
    lib.nn.MSELoss()(model(lib.tensor(x)), lib.tensor(y)).backward()
    return [p.grad.numpy().copy() for p in model.parameters()]


def _assert_params(got, expected):
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(np.asarray(g, np.float32), e, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_ddp_training_equals_one_process_on_the_full_batch(ddp, lib):
    x, y = _data()
    model = _model(lib)
    optimizer = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(5):
        optimizer.zero_grad()
        lib.nn.MSELoss()(model(lib.tensor(x)), lib.tensor(y)).backward()
        optimizer.step()
    expected = [p.detach().numpy() for p in model.parameters()]
    for out in ddp:
        assert out["train_buckets"] == 1 and out["train_small_buckets_buckets"] == 3
        _assert_params(out["train"], expected)
        _assert_params(out["train_small_buckets"], expected)


def test_no_sync_accumulation_equals_one_big_batch(ddp):
    x, y = _data()
    world = len(ddp)
    share, half = 16 // world, 16 // world // 2
    model = _model(ember)
    big_batch = _grads(ember, model, x, y)
    for rank, out in enumerate(ddp):
        start = rank * share
        # Inside no_sync the gradient is this rank's own, not averaged.
        _assert_params(out["no_sync_local"],
                       _grads(ember, model, x[start:start + half], y[start:start + half]))
        # Two accumulated micro-batch means, averaged over ranks: twice the full-batch mean.
        _assert_params(out["no_sync_synced"], [2 * g for g in big_batch])


def test_find_unused_parameters(ddp):
    x, y = _data()
    world = len(ddp)
    share = 16 // world
    ember.manual_seed(0)
    a, b = ember.nn.Linear(5, 2), ember.nn.Linear(5, 2)
    grads_a, grads_b = [], []
    for rank in range(world):
        mine = slice(rank * share, (rank + 1) * share)
        xs, ys = ember.tensor(x[mine]), ember.tensor(y[mine])
        a.zero_grad()
        b.zero_grad()
        out = a(xs) + b(xs) if rank == 0 else a(xs)
        ember.nn.MSELoss()(out, ys).backward()
        grads_a.append([p.grad.numpy().copy() for p in a.parameters()])
        if rank == 0:
            grads_b = [p.grad.numpy() / world for p in b.parameters()]
    mean_a = [np.mean([g[i] for g in grads_a], axis=0) for i in range(2)]
    for out in ddp:
        _assert_params(out["unused"][:4], mean_a + grads_b)  # b: rank 0's, zeros elsewhere
        assert out["unused"][4:] == [None, None]  # c: unused on every rank, grad stays None


def test_unfinished_reduction_error(ddp):
    for rank, out in enumerate(ddp):
        message = out["unfinished"]
        assert message.startswith("RuntimeError: Expected to have finished reduction in the "
                                  "prior iteration before starting a new one.")
        assert f"Parameter indices which did not receive grad for rank {rank}: 4 5\n" in message


def test_state_dict_prefix_and_checkpoint_from_rank_0(ddp):
    for out in ddp:
        assert out["state_dict_keys"] == ["module.0.weight", "module.0.bias",
                                          "module.2.weight", "module.2.bias"]
        trained, into_wrapper, into_bare = out["checkpoint"]
        assert trained == into_wrapper == into_bare == ddp[0]["checkpoint"][0]


def test_buffers_are_broadcast_from_rank_0(ddp):
    for out in ddp:
        assert out["buffer_at_init"] == [0.0] * 3
        assert out["buffer_after_forward"] == [1.0] * 3


def test_ddp_model_mismatch_is_a_clear_error(ddp):
    for out in ddp:
        assert out["model_mismatch"] == (
            "RuntimeError: DistributedDataParallel: the model differs across ranks (every rank "
            "must wrap the same parameters). Rank 0 has 2 parameters, rank 1 has 2; the first "
            "difference is parameter 0: 'weight' of shape [3, 3] and dtype torch.float32 on "
            "rank 0, 'weight' of shape [4, 3] and dtype torch.float32 on rank 1.")


# -- in one process ------------------------------------------------------------------------
class _FakeDataset:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i


@pytest.mark.parametrize("size", [0, 1, 7, 10, 33])
@pytest.mark.parametrize("replicas", [1, 3, 4])
@pytest.mark.parametrize("shuffle,drop_last", [(True, False), (True, True), (False, False),
                                               (False, True)])
def test_distributed_sampler_matches_torch(size, replicas, shuffle, drop_last):
    from torch.utils.data.distributed import DistributedSampler as TorchSampler

    from ember.utils.data.distributed import DistributedSampler
    data = _FakeDataset(size)
    for seed, epoch in [(0, 0), (0, 3), (1234, 1)]:
        for rank in range(replicas):
            kwargs = dict(num_replicas=replicas, rank=rank, shuffle=shuffle, seed=seed,
                          drop_last=drop_last)
            ours, theirs = DistributedSampler(data, **kwargs), TorchSampler(data, **kwargs)
            ours.set_epoch(epoch)
            theirs.set_epoch(epoch)
            assert list(ours) == list(theirs)
            assert len(ours) == len(theirs)


def test_distributed_sampler_errors_and_dataloader():
    import ember.utils.data.distributed  # noqa: F401  (torch.utils.data imports it itself)
    oracle.check_error(lambda lib: lib.utils.data.distributed.DistributedSampler(
        _FakeDataset(4), num_replicas=2, rank=2))

    def batches(lib):
        data = list(range(10))
        sampler = lib.utils.data.distributed.DistributedSampler(data, num_replicas=2, rank=1,
                                                                seed=7)
        sampler.set_epoch(2)
        return [b.tolist() for b in lib.utils.data.DataLoader(data, 3, sampler=sampler)]
    assert batches(ember) == batches(torch)


def test_uninitialized_errors_match_torch():
    oracle.check_error(lambda lib: lib.distributed.get_rank())
    oracle.check_error(lambda lib: lib.distributed.all_reduce(lib.ones(2)))
    oracle.check_error(lambda lib: lib.nn.parallel.DistributedDataParallel(lib.nn.Linear(2, 2)))
    assert not ember.distributed.is_initialized()


def test_init_arguments_without_mpi():
    from ember import distributed as dist
    with pytest.raises(NotImplementedError, match="init_method='tcp://10.0.0.1:23456'"):
        dist.init_process_group("gloo", init_method="tcp://10.0.0.1:23456")
    with pytest.raises(NotImplementedError, match="backend 'nccl'"):
        dist.init_process_group("nccl")
    with pytest.raises(TypeError, match="Expected timeout argument to be of type "
                                        "datetime.timedelta, got 5"):
        dist.init_process_group("gloo", timeout=5)
    assert dist.Backend("GLOO") == "gloo" and dist.Backend("cpu:gloo,cuda:nccl") == "gloo"
    assert [int(getattr(dist.ReduceOp, n)) for n in ("SUM", "AVG", "PRODUCT", "MIN", "MAX")] \
        == [int(getattr(torch.distributed.ReduceOp, n)) for n in ("SUM", "AVG", "PRODUCT",
                                                                 "MIN", "MAX")]


def test_missing_mpi4py_says_how_to_install(monkeypatch):
    from ember.distributed import _mpi
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    assert not ember.distributed.is_available()
    with pytest.raises(ModuleNotFoundError, match=r'pip install -e "\.\[distributed\]"'):
        _mpi.mpi()


def test_consume_prefix_matches_torch():
    from torch.nn.modules.utils import consume_prefix_in_state_dict_if_present as theirs

    from ember.nn.parallel import consume_prefix_in_state_dict_if_present as ours
    ember.manual_seed(0)
    wrapped = ember.nn.Module()
    wrapped.module = ember.nn.Sequential(ember.nn.Linear(2, 3), ember.nn.Linear(3, 1))
    torch_wrapped = torch.nn.Module()
    torch_wrapped.module = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(3, 1))
    mine, reference = wrapped.state_dict(), torch_wrapped.state_dict()
    ours(mine, "module.")
    theirs(reference, "module.")
    assert list(mine) == list(reference)
    assert dict(mine._metadata) == dict(reference._metadata)
    bare = ember.nn.Sequential(ember.nn.Linear(2, 3), ember.nn.Linear(3, 1))
    bare.load_state_dict(mine)


def test_buckets_are_in_reverse_parameter_order():
    from ember.nn.parallel._reducer import assign_buckets
    params = [ember.nn.Parameter(ember.zeros(n)) for n in (300_000, 10, 300_000, 20, 5)]
    params.append(ember.nn.Parameter(ember.zeros(3, dtype=ember.float64)))
    # Last parameter first; one dtype per bucket; a bucket closes once it reaches its cap
    # (1 MiB for a dtype's first bucket, 25 MiB after).
    assert assign_buckets(params, [1 << 20, 25 << 20]) == [[5], [4, 3, 2], [1, 0]]
    assert assign_buckets(params, [100, 1000]) == [[5], [4, 3], [2], [1, 0]]


def test_launch_command():
    from ember.distributed.launch import find_mpiexec, launch_command
    _require_mpi()
    command = launch_command(4, "train.py", ["--lr", "0.1"], hostfile="hosts",
                             mpiexec_args=["-iface", "eth0"])
    assert command[0] == find_mpiexec() and os.access(command[0], os.X_OK)
    assert command[1:7] == ["-n", "4", "-f", "hosts", "-iface", "eth0"]
    assert command[7:10] == [sys.executable, "-m", "ember.distributed._worker"]
    assert command[10:] == [os.path.abspath("train.py"), "--lr", "0.1"]


SINGLE_PROCESS_SCRIPT = """
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
dist.init_process_group("gloo", init_method="env://")
t = torch.arange(3.)
dist.all_reduce(t, op=dist.ReduceOp.AVG)
model = DistributedDataParallel(torch.nn.Linear(3, 1))
model(t).sum().backward()
print(dist.get_rank(), dist.get_world_size(), t.tolist(), model.module.weight.grad.tolist())
"""


def test_without_launcher_the_world_is_this_process(tmp_path):
    _require_mpi()
    script = tmp_path / "script.py"
    script.write_text(SINGLE_PROCESS_SCRIPT)
    command = [sys.executable, "-m", "ember", "run", str(script)]
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE")}
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    assert done.stdout == "0 1 [0.0, 1.0, 2.0] [[0.0, 1.0, 2.0]]\n", done.stderr
    done = subprocess.run(command, capture_output=True, text=True, timeout=60,
                          env=dict(env, WORLD_SIZE="2"))
    assert done.returncode == 1
    assert ("RuntimeError: init_process_group: WORLD_SIZE is 2 but MPI started this process as "
            "rank 0 of 1. Start every rank with `ember launch -n N script.py`") in done.stderr


def test_launch_usage_errors(capsys):
    from ember.cli import main
    with pytest.raises(SystemExit) as exit:
        main(["launch", "-n", "2", "no_such_script.py"])
    assert exit.value.code == 2
    assert "no such file: no_such_script.py" in capsys.readouterr().err
