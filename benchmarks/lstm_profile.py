"""LSTM training step, ember against PyTorch single-threaded, and a cProfile of ember's step.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/lstm_profile.py
        [--repeats 15] [--profile] [--batch-first]

LSTM(64, 128), sequence 32, batch 32: forward, ``sum`` of the output as the loss, backward
and an SGD step. Both libraries run in this one process on the same data, in interleaved
repeats; the medians and their ratio (ember / torch) are printed.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import time

import numpy as np
import torch

import ember


def make(lib, batch_first):
    lib.manual_seed(0)
    rng = np.random.default_rng(0)
    model = lib.nn.LSTM(64, 128, batch_first=batch_first)
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01)
    x = lib.tensor(rng.standard_normal((32, 32, 64)).astype(np.float32))

    def step():
        optimizer.zero_grad()
        out, _ = model(x)
        out.sum().backward()
        optimizer.step()
    return step


def per_step(step, n):
    start = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - start) / n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--batch-first", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    steps = {name: make(lib, args.batch_first) for name, lib in (("ember", ember),
                                                                 ("torch", torch))}
    for step in steps.values():
        per_step(step, 3)
    times = {name: [] for name in steps}
    for _ in range(args.repeats):
        for name, step in steps.items():
            times[name].append(per_step(step, args.iters))
    med = {name: statistics.median(t) for name, t in times.items()}
    print(f"threads: OMP={os.environ.get('OMP_NUM_THREADS')} "
          f"OPENBLAS={os.environ.get('OPENBLAS_NUM_THREADS')} torch={torch.get_num_threads()}")
    for name, t in times.items():
        print(f"{name:6s} median {med[name] * 1e3:7.3f} ms  (min {min(t) * 1e3:.3f}, "
              f"max {max(t) * 1e3:.3f})")
    print(f"ratio ember/torch: {med['ember'] / med['torch']:.2f}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(per_step, steps["ember"], 50)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
