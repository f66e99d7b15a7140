"""The ``ember`` command: ``ember run script.py [args...]`` runs a PyTorch script on ember."""

import argparse
import os
import runpy
import sys

from . import __version__, compat


def run_script(path, args=()):
    """Run ``path`` as ``__main__`` with ``torch`` mapped to ember and ``sys.argv`` set."""
    compat.install()
    sys.argv = [path, *args]
    script_dir = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, script_dir)
    try:
        runpy.run_path(path, run_name="__main__")
    finally:
        if sys.path and sys.path[0] == script_dir:
            del sys.path[0]


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="ember", description="Run PyTorch programs on ember (PyTorch on NumPy).")
    parser.add_argument("--version", action="version", version=f"ember {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a PyTorch script with torch mapped to ember")
    run.add_argument("script", help="path to a .py file")
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    options = parser.parse_args(argv)
    if options.command == "run":
        if not os.path.exists(options.script):
            parser.error(f"no such file: {options.script}")
        run_script(options.script, options.args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
