"""What every example shares: a quick mode for CI, an optional progress bar, an optional
plot. Nothing here touches torch or ember, so each example runs on either.

- ``QUICK``: ``EMBER_EXAMPLE_QUICK=1`` in the environment shortens training loops;
- ``progress(iterable, ...)``: a tqdm bar when tqdm is installed, else the iterable;
- ``save_plot(path, curves, ...)``: a PNG of the curves when matplotlib is installed
  (next to the example, or in ``EMBER_EXAMPLE_OUTPUT`` if that names a directory).
"""

import os
import sys

QUICK = os.environ.get("EMBER_EXAMPLE_QUICK") == "1"


def steps(full, quick):
    """How many steps (or epochs) to run: ``quick`` in quick mode, else ``full``."""
    return quick if QUICK else full


def progress(iterable, **kwargs):
    """``iterable`` with a progress bar on stderr if tqdm is installed (and not in CI)."""
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, disable=QUICK or not sys.stderr.isatty(), **kwargs)


def save_plot(path, curves, xlabel="step", ylabel="loss", title=None):
    """Save ``curves`` ({label: [values]}) as a PNG at ``path``, if matplotlib is there."""
    try:
        import matplotlib
    except ImportError:
        print(f"(matplotlib is not installed: no plot saved to {os.path.basename(path)})")
        return
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    figure, axes = plt.subplots(figsize=(6, 4))
    for label, values in curves.items():
        axes.plot(range(1, len(values) + 1), values, label=label)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    if title:
        axes.set_title(title)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    print(f"plot saved to {os.path.basename(path)}")


def output_path(script, suffix):
    """``<script name><suffix>`` beside ``script`` (the example's file), or in the directory
    named by ``EMBER_EXAMPLE_OUTPUT``."""
    here = os.environ.get("EMBER_EXAMPLE_OUTPUT") or os.path.dirname(os.path.abspath(script))
    name = os.path.splitext(os.path.basename(script))[0]
    return os.path.join(here, name + suffix)
