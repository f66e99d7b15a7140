"""Time ember against PyTorch, side by side, and print the ratios.

    python benchmarks/run.py [--repeats 15] [--only TEXT] [--json out.json]
                             [--plot ratios.png] [--memory] [--threads N]

For each workload both libraries run in this one process, in interleaved repeats (ember,
torch, ember, torch, ...); each repeat times a batch of iterations sized to take ~50 ms.
The table shows the median time per iteration, min..max over repeats, and the ratio
ember / PyTorch (below 1 means ember is faster), against the target from the performance
issue. ``--memory`` also measures each training workload's peak memory, each library in a
fresh process (``memory.py``). A workload ember cannot run yet is reported, not hidden.
Import time and installed size are measured in fresh processes (``imports.py``).

Threads: both libraries get the same number, ``--threads`` (default 1): PyTorch through
``torch.set_num_threads``, NumPy's BLAS (ember's) through ``OPENBLAS_NUM_THREADS`` and
friends, set before NumPy loads. Sharing one process, the two thread pools otherwise
compete: BLAS threads left spinning after an ember GEMM slow PyTorch's next step, and the
other way round, so with more than one thread the ratios depend on who ran last. One
thread each is the comparison that is both fair and repeatable on a small machine.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def _threads_from_argv(argv):
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return "1"


# Before NumPy (and so its BLAS) is imported: its thread pool is sized at load.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, _threads_from_argv(sys.argv[1:]))

import torch  # noqa: E402
from workloads import TARGETS, WORKLOADS  # noqa: E402

import ember  # noqa: E402


def _batch_size(step, target=0.05):
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
    """Per-iteration times of both libraries, interleaved: ``{"ember": [...], "torch": [...]}``."""
    steps = {"ember": make(ember), "torch": make(torch)}
    sizes = {name: _batch_size(step) for name, step in steps.items()}
    times = {"ember": [], "torch": []}
    for _ in range(repeats):
        for name in ("ember", "torch"):
            times[name].append(_time(steps[name], sizes[name]))
    extras = {}
    for name, step in steps.items():
        if hasattr(step, "accuracy"):
            extras[f"{name}_accuracy"] = step.accuracy()
    return times, extras


def _fmt(seconds):
    return f"{seconds * 1e6:8.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:8.2f} ms"


def describe_machine():
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    return (f"{time.strftime('%Y-%m-%d')}, {cpu}, {os.cpu_count()} cores, threads: torch "
            f"{torch.get_num_threads()}, BLAS {os.environ.get('OPENBLAS_NUM_THREADS')}, "
            f"numpy {__import__('numpy').__version__}, "
            f"ember {ember.__version__}, torch {torch.__version__}, Python "
            f"{platform.python_version()}")


def run(options):
    results = {"machine": describe_machine(), "workloads": {}}
    print(results["machine"])
    print(f"{'workload':30} {'ember':>11} {'torch':>11} {'ratio':>6} {'target':>7}")
    for name, make in WORKLOADS.items():
        if options.only and options.only.lower() not in name.lower():
            continue
        try:
            times, extras = measure(make, options.repeats)
        except (AttributeError, NotImplementedError, ImportError) as error:
            print(f"{name:30} ember cannot run it yet: {error}")
            results["workloads"][name] = {"error": str(error)}
            continue
        med = {k: statistics.median(v) for k, v in times.items()}
        ratio = med["ember"] / med["torch"]
        target = TARGETS.get(name)
        verdict = "" if target is None else ("ok" if ratio <= target else "MISS")
        print(f"{name:30} {_fmt(med['ember'])} {_fmt(med['torch'])} {ratio:6.2f} "
              f"{target if target else '':>5} {verdict}")
        spread = "  ".join(f"{lib} {_fmt(min(v)).strip()}..{_fmt(max(v)).strip()}"
                           for lib, v in times.items())
        extra = "  ".join(f"{k} {v:.3f}" for k, v in extras.items())
        print(f"{'':30} min..max: {spread}  {extra}")
        results["workloads"][name] = {"ember_s": times["ember"], "torch_s": times["torch"],
                                      "ember_median_s": med["ember"],
                                      "torch_median_s": med["torch"], "ratio": ratio,
                                      "target": target, **extras}
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--only", help="run only workloads whose name contains this text")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--plot", help="save a bar chart of the ratios (needs matplotlib)")
    parser.add_argument("--memory", action="store_true", help="also measure peak memory")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for each library (default 1; see the module docstring)")
    options = parser.parse_args(argv)
    torch.set_num_threads(options.threads)
    results = run(options)
    if options.memory:
        from memory import measure_all
        results["memory"] = measure_all(options.only)
    if options.json:
        with open(options.json, "w") as f:
            json.dump(results, f, indent=2)
    if options.plot:
        from plot import plot_ratios
        plot_ratios(results, options.plot)
    return results


if __name__ == "__main__":
    main()
