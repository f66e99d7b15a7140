"""The ``ember`` command: ``ember run [--doctor] script.py|notebook.ipynb [args...]`` runs a
PyTorch script (or a notebook's code cells, in order) on ember; ``ember launch -n N
script.py [args...]`` runs it on N ranks with ``torch.distributed`` on MPI."""

import argparse
import builtins
import os
import runpy
import sys
import traceback
import types

from . import __version__, compat


def run_script(path, args=()):
    """Run ``path`` as ``__main__`` with ``torch`` mapped to ember and ``sys.argv`` set."""
    compat.install()
    sys.argv = [path, *args]
    script_dir = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, script_dir)
    try:
        if os.path.isfile(path):
            _run_file_as_main(path)
        else:  # a directory or zip file with a __main__.py
            runpy.run_path(path, run_name="__main__")
    finally:
        if sys.path and sys.path[0] == script_dir:
            del sys.path[0]


def _run_file_as_main(path):
    """Run a script file as ``python path`` does: its code and ``__file__`` carry the
    absolute path (so warnings and tracebacks name it so), ``sys.argv[0]`` what was typed."""
    full_path = os.path.abspath(path)
    with open(full_path, "rb") as file:
        code = compile(file.read(), full_path, "exec")
    main = types.ModuleType("__main__")
    main.__file__ = full_path
    main.__builtins__ = builtins
    previous = sys.modules.get("__main__")
    sys.modules["__main__"] = main
    try:
        exec(code, main.__dict__)
    finally:
        if previous is not None:
            sys.modules["__main__"] = previous


def run_script_as_main(path, args=()):
    """``ember run script.py``: like ``run_script``, but an uncaught error prints its
    traceback from the script's own frames on, as ``python script.py`` would, and exits
    with status 1."""
    try:
        run_script(path, args)
    except Exception as error:
        tb = error.__traceback__
        # Skip the frames of this command and of runpy, down to the script's module.
        while tb is not None and tb.tb_frame.f_globals.get("__name__") != "__main__":
            tb = tb.tb_next
        traceback.print_exception(type(error), error, tb or error.__traceback__)
        sys.exit(1)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="ember", description="Run PyTorch programs on ember (PyTorch on NumPy).")
    parser.add_argument("--version", action="version", version=f"ember {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a PyTorch script with torch mapped to ember")
    run.add_argument("--doctor", action="store_true",
                     help="warn about classic training-loop mistakes (ember.doctor)")
    run.add_argument("script", help="path to a .py file or a .ipynb notebook")
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    from .distributed.launch import add_launch_command
    add_launch_command(commands)
    options = parser.parse_args(argv)
    if options.command == "launch":
        return options.launch(options)
    if options.command == "run":
        if not os.path.exists(options.script):
            parser.error(f"no such file: {options.script}")
        if options.script.endswith(".ipynb"):
            from .notebook import run_notebook_as_main as runner
        else:
            runner = run_script_as_main
        if options.doctor:
            from .doctor import Doctor
            with Doctor():
                runner(options.script, options.args)
        else:
            runner(options.script, options.args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
