"""Data-parallel training throughput: samples/s of an MLP on scikit-learn's digits, on 1 and
2 ranks, ember (``ember launch``, MPI) side by side with PyTorch (gloo).

    python benchmarks/distributed.py [--ranks 1 2] [--epochs 20] [--batch 128] [--json out]

Each rank trains ``DistributedDataParallel(MLP 64-256-256-10)`` with SGD on one-hot MSE,
reading its share of every global batch of ``--batch`` samples through a
``DistributedSampler``; rank 0 reports the samples all ranks processed per second over the
timed epochs (one untimed warm-up epoch first). PyTorch's ranks are started as plain
processes with torchrun's environment variables (``OMP_NUM_THREADS=1`` on several ranks, as
torchrun sets); ember's through ``ember launch``, which sets the same and maps the same
``import torch`` to ember. The ratio column is ember / PyTorch throughput
(above 1 means ember is faster); "scaling" is throughput over the 1-rank run.
"""

import argparse
import json
import os
import socket
import subprocess
import sys

HERE = os.path.abspath(__file__)


def worker(epochs, batch):
    import time

    import numpy as np
    import torch
    import torch.distributed as dist
    from sklearn.datasets import load_digits
    from torch.nn.parallel import DistributedDataParallel
    from torch.utils.data import DataLoader, TensorDataset
    from torch.utils.data.distributed import DistributedSampler

    dist.init_process_group("gloo")
    world = dist.get_world_size()
    digits = load_digits()
    x = torch.tensor((digits.data / 16.0).astype(np.float32))
    y = torch.tensor(np.eye(10, dtype=np.float32)[digits.target])
    dataset = TensorDataset(x, y)
    sampler = DistributedSampler(dataset, shuffle=True, seed=0, drop_last=True)
    loader = DataLoader(dataset, batch_size=batch // world, sampler=sampler, drop_last=True)
    torch.manual_seed(0)
    model = DistributedDataParallel(torch.nn.Sequential(
        torch.nn.Linear(64, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 10)))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = torch.nn.MSELoss()

    def epoch(number):
        sampler.set_epoch(number)
        seen = 0
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss_fn(model(inputs), targets).backward()
            optimizer.step()
            seen += len(inputs)
        return seen

    epoch(0)
    dist.barrier()
    start = time.perf_counter()
    seen = sum(epoch(e) for e in range(1, epochs + 1))
    dist.barrier()
    elapsed = time.perf_counter() - start
    if dist.get_rank() == 0:
        with torch.no_grad():
            final_loss = loss_fn(model.module(x), y).item()
        print(json.dumps({"samples_per_s": seen * world / elapsed, "loss": final_loss}))
    dist.destroy_process_group()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _last_json(text):
    return json.loads([line for line in text.splitlines() if line.startswith("{")][-1])


def run(lib, ranks, epochs, batch):
    args = [HERE, "--worker", "--epochs", str(epochs), "--batch", str(batch)]
    if lib == "ember":
        done = subprocess.run([sys.executable, "-m", "ember", "launch", "-n", str(ranks), *args],
                              capture_output=True, text=True, check=True)
        return _last_json(done.stdout)
    port = str(_free_port())
    procs = []
    for rank in range(ranks):
        env = dict(os.environ, RANK=str(rank), WORLD_SIZE=str(ranks), LOCAL_RANK=str(rank),
                   MASTER_ADDR="127.0.0.1", MASTER_PORT=port)
        if ranks > 1:
            env.setdefault("OMP_NUM_THREADS", "1")  # what torchrun (and ember launch) set
        procs.append(subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.PIPE,
                                      text=True))
    outputs = [p.communicate()[0] for p in procs]
    if any(p.returncode for p in procs):
        raise RuntimeError(f"torch ranks failed: {[p.returncode for p in procs]}")
    return _last_json(outputs[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch", type=int, default=128, help="global batch size")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        worker(options.epochs, options.batch)
        return
    results = {lib: {n: run(lib, n, options.epochs, options.batch) for n in options.ranks}
               for lib in ("ember", "torch")}
    print(f"MLP 64-256-256-10 on digits, global batch {options.batch}, {options.epochs} epochs "
          f"({os.cpu_count()} CPUs)")
    print(f"{'ranks':>5}  {'ember samples/s':>16}  {'torch samples/s':>16}  {'ratio':>6}  "
          f"{'ember scaling':>13}  {'torch scaling':>13}")
    first = options.ranks[0]
    for n in options.ranks:
        e, t = (results[lib][n]["samples_per_s"] for lib in ("ember", "torch"))
        print(f"{n:>5}  {e:>16.0f}  {t:>16.0f}  {e / t:>6.2f}  "
              f"{e / results['ember'][first]['samples_per_s']:>13.2f}  "
              f"{t / results['torch'][first]['samples_per_s']:>13.2f}")
    if options.json:
        with open(options.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
