"""Which of PyTorch's public names ember has: ``python -m ember.tools.coverage``.

The list of ember's names comes from ember itself (what ``import ember`` exposes); the
list it is measured against comes from an installed PyTorch when there is one (the test
oracle), so the report needs no hand-kept table. Namespaces compared: ``torch``,
``torch.Tensor``, ``torch.nn``, ``torch.nn.functional``, ``torch.optim``,
``torch.linalg``, ``torch.autograd``.

    python -m ember.tools.coverage              counts per namespace
    python -m ember.tools.coverage --missing    ... and the names ember lacks
    python -m ember.tools.coverage --json       machine-readable
    python -m ember.tools.coverage --markdown   the page docs/supported-api.md is
"""

import argparse
import importlib
import json
import sys

NAMESPACES = ["", "Tensor", "nn", "nn.functional", "optim", "linalg", "autograd"]


def _resolve(root, path):
    obj = root
    for part in filter(None, path.split(".")):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def public_names(obj):
    """Public, non-module attribute names of ``obj``."""
    import types
    names = set()
    for name in dir(obj):
        if name.startswith("_"):
            continue
        try:
            value = getattr(obj, name)
        except Exception:
            continue
        if isinstance(value, types.ModuleType):
            continue
        names.add(name)
    return names


def report(namespaces=NAMESPACES):
    """``{namespace: {"ember": set, "torch": set or None}}`` for each namespace."""
    import ember
    try:
        torch = importlib.import_module("torch")
    except ImportError:
        torch = None
    result = {}
    for ns in namespaces:
        ember_obj = _resolve(ember, ns)
        ember_names = public_names(ember_obj) if ember_obj is not None else set()
        torch_names = None
        if torch is not None and getattr(torch, "__name__", "") == "torch":
            torch_obj = _resolve(torch, ns)
            torch_names = public_names(torch_obj) if torch_obj is not None else set()
        result[ns or "torch"] = {"ember": ember_names, "torch": torch_names}
    return result


def markdown(data):
    """The Markdown page of what ember has, namespace by namespace (docs/supported-api.md)."""
    lines = ["# PyTorch names ember has", "",
             "Generated from the code by `python -m ember.tools.coverage --markdown` (a test",
             "checks that this page matches it). Names are PyTorch 2.13's public names that",
             "ember also has; `--missing` lists the rest.", ""]
    total = 0
    for ns, sets in data.items():
        torch_names = sets["torch"] or set()
        covered = sorted(sets["ember"] & torch_names)
        total += len(covered)
        title = "torch" if ns == "torch" else ("torch.Tensor" if ns == "Tensor"
                                               else f"torch.{ns}")
        lines += [f"## `{title}`: {len(covered)} of {len(torch_names)}", "",
                  ", ".join(f"`{name}`" for name in covered), ""]
    lines.insert(6, f"In all: {total} names.")
    lines.insert(7, "")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="ember's coverage of PyTorch's public API")
    parser.add_argument("--missing", action="store_true", help="list names ember lacks")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--markdown", action="store_true",
                        help="print the list of supported names as a Markdown page")
    options = parser.parse_args(argv)
    data = report()
    if options.markdown:
        sys.stdout.write(markdown(data))
        return 0
    if options.json:
        out = {}
        for ns, sets in data.items():
            torch_names = sets["torch"]
            out[ns] = {"ember": sorted(sets["ember"]),
                       "covered": sorted(sets["ember"] & torch_names) if torch_names else None,
                       "missing": sorted(torch_names - sets["ember"]) if torch_names else None}
        json.dump(out, sys.stdout, indent=1)
        return 0
    total_covered = 0
    print(f"{'namespace':24} {'ember has':>10} {'of torch':>9}")
    for ns, sets in data.items():
        torch_names = sets["torch"]
        if torch_names is None:
            print(f"{ns:24} {len(sets['ember']):10d} {'(no torch)':>9}")
            continue
        covered = sets["ember"] & torch_names
        total_covered += len(covered)
        print(f"{ns:24} {len(covered):10d} {len(torch_names):9d}")
        if options.missing:
            missing = sorted(torch_names - sets["ember"])
            print("   missing: " + ", ".join(missing))
    print(f"{'total PyTorch names ember has':34} {total_covered}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
