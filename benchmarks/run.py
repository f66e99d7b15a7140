"""Time ember against PyTorch, side by side in one process, and print the ratios.

    python benchmarks/run.py [--repeats 15] [--json out.json]

For each workload both libraries run interleaved repeats (ember, torch, ember, torch...);
each repeat times a batch of iterations sized to take ~20 ms. The table shows the median
time per iteration, min..max, and the ratio ember / PyTorch (below 1 means ember is faster).
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
from workloads import WORKLOADS  # noqa: E402

import ember  # noqa: E402


def _batch_size(step, target=0.02):
    step()
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            step()
        elapsed = time.perf_counter() - start
        if elapsed >= target / 4 or n >= 1 << 20:
            return max(1, int(n * target / max(elapsed, 1e-9)))
        n *= 4


def _time(step, n):
    start = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - start) / n


def measure(make, repeats):
    steps = {"ember": make(ember), "torch": make(torch)}
    sizes = {name: _batch_size(step) for name, step in steps.items()}
    times = {"ember": [], "torch": []}
    for _ in range(repeats):
        for name in ("ember", "torch"):
            times[name].append(_time(steps[name], sizes[name]))
    return times


def _fmt(seconds):
    return f"{seconds * 1e6:9.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:9.2f} ms"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--only", help="run only workloads whose name contains this text")
    options = parser.parse_args(argv)
    torch.set_num_threads(1)
    results = {}
    print(f"ember {ember.__version__} vs torch {torch.__version__}; {options.repeats} "
          f"interleaved repeats; torch threads = {torch.get_num_threads()}")
    print(f"{'workload':40} {'ember':>12} {'torch':>12} {'ratio':>7}")
    for name, make in WORKLOADS.items():
        if options.only and options.only not in name:
            continue
        times = measure(make, options.repeats)
        med = {k: statistics.median(v) for k, v in times.items()}
        ratio = med["ember"] / med["torch"]
        results[name] = {"ember_s": times["ember"], "torch_s": times["torch"],
                         "median_ratio": ratio}
        print(f"{name:40} {_fmt(med['ember'])} {_fmt(med['torch'])} {ratio:7.2f}")
        print(f"{'':40} {'min..max':>12}  ember {_fmt(min(times['ember'])).strip()}.."
              f"{_fmt(max(times['ember'])).strip()}  torch {_fmt(min(times['torch'])).strip()}.."
              f"{_fmt(max(times['torch'])).strip()}")
    if options.json:
        with open(options.json, "w") as f:
            json.dump(results, f, indent=2)
    return results


if __name__ == "__main__":
    main()
