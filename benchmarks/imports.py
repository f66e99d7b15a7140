"""Import time and installed size of ember and PyTorch, each in fresh processes.

    python benchmarks/imports.py

Import time is the median of several fresh interpreters running ``import X`` (after
``import numpy``, which both need), measured inside the child with perf_counter. A first,
untimed import writes the bytecode caches, as any installed package has them (the
children run with bytecode writing allowed, whatever PYTHONDONTWRITEBYTECODE says).
Installed size is the size of the package directory (PyTorch's bundled libraries included).
"""

import os
import statistics
import subprocess
import sys

CHILD = ("import time, numpy; t = time.perf_counter(); import {name}; "
         "print(time.perf_counter() - t)")


def import_seconds(name, runs=7):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for _ in range(runs + 1):
        out = subprocess.run([sys.executable, "-c", CHILD.format(name=name)], env=env,
                             capture_output=True, text=True, check=True).stdout
        times.append(float(out.strip()))
    return statistics.median(times[1:])


def installed_mb(name):
    module = __import__(name)
    root = os.path.dirname(module.__file__)
    total = 0
    for folder, _, files in os.walk(root):
        for file in files:
            total += os.path.getsize(os.path.join(folder, file))
    return total / 2**20


def main():
    rows = {}
    for name in ("ember", "torch"):
        rows[name] = (import_seconds(name), installed_mb(name))
    print(f"{'':8} {'import (after numpy)':>22} {'installed size':>16}")
    for name, (seconds, size) in rows.items():
        print(f"{name:8} {seconds * 1e3:19.1f} ms {size:13.1f} MB")
    ratio = rows["ember"][0] / rows["torch"][0]
    print(f"import time ratio ember/torch: {ratio:.3f} (target <= 0.25)")
    return rows


if __name__ == "__main__":
    main()
