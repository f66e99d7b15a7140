"""Peak memory of each training workload, each library in a fresh process.

The child imports one library, resets the kernel's high-water mark (``/proc/self/clear_refs``),
builds the workload and runs 20 steps, then reports peak resident memory minus the
resident memory after the import: the model, its activations and optimizer state, and
whatever the library keeps around for them. Linux only.
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def _status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def child(workload, library):
    import importlib
    lib = importlib.import_module(library)
    from workloads import WORKLOADS
    baseline = _status_kb("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM to the current RSS
    step = WORKLOADS[workload](lib)
    for _ in range(20):
        step()
    print(json.dumps({"peak_mb": (_status_kb("VmHWM") - baseline) / 1024}))


def measure_all(only=None):
    from workloads import WORKLOADS
    results = {}
    print(f"{'peak memory (MB above import)':34} {'ember':>8} {'torch':>8}")
    for name in WORKLOADS:
        if only and only.lower() not in name.lower():
            continue
        row = {}
        for library in ("ember", "torch"):
            done = subprocess.run([sys.executable, __file__, name, library],
                                  capture_output=True, text=True)
            row[library] = (json.loads(done.stdout.strip().splitlines()[-1])["peak_mb"]
                            if done.returncode == 0 else None)
        results[name] = row
        cells = " ".join(f"{v:8.1f}" if v is not None else "     n/a" for v in row.values())
        print(f"{name:34} {cells}")
    return results


if __name__ == "__main__":
    if len(sys.argv) == 3:
        child(sys.argv[1], sys.argv[2])
    else:
        measure_all(sys.argv[1] if len(sys.argv) > 1 else None)
