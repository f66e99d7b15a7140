"""Notebooks on ember: run a ``.ipynb`` from the command line, or use ember inside IPython.

``run_notebook(path)`` (and ``ember run notebook.ipynb``) runs the code cells in order in
one namespace, with ``torch`` mapped to ember, and prints what a notebook shows: each
cell's printed output and, when its last statement is an expression that is not None
(and not silenced with ``;``), that value's ``repr``. IPython's own syntax has no kernel
to run it here: ``%load_ext ember`` is honoured, other ``%magic``/``!shell`` lines and
``%%`` cells are skipped with a note on stderr.

``%load_ext ember`` in IPython or Jupyter calls ``load_ipython_extension``: from then on
``import torch`` gives ember, and a ``torch`` already imported in the session is rebound.
Nothing here imports IPython.
"""

import ast
import builtins
import importlib
import json
import linecache
import os
import sys
import traceback

from . import compat

__all__ = ["run_notebook", "run_notebook_as_main", "run_cell", "code_cells",
           "load_ipython_extension", "unload_ipython_extension"]


def code_cells(path):
    """The source of each code cell of the notebook at ``path``, in order."""
    with open(path, encoding="utf-8") as f:
        notebook = json.load(f)
    cells = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            cells.append("".join(source) if isinstance(source, list) else source)
    return cells


def _without_magics(source, label):
    """The cell with IPython-only lines replaced by ``pass`` (line numbers kept), or None
    for a ``%%`` cell magic, which makes the whole cell something other than Python."""
    if source.lstrip().startswith("%%"):
        print(f"ember: skipped {label}: a %% cell magic needs IPython", file=sys.stderr)
        return None
    lines = source.split("\n")
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if not stripped.startswith(("%", "!")):
            continue
        words = stripped.split()
        if words[0] == "%load_ext" and words[1:] and words[1].split(".")[0] == "ember":
            load_ipython_extension(None)
        else:
            print(f"ember: skipped IPython line in {label}: {stripped}", file=sys.stderr)
        lines[i] = line[:len(line) - len(stripped)] + "pass"
    return "\n".join(lines)


def _silenced(source):
    """IPython shows no value for a cell whose last code line ends with ``;``."""
    for line in reversed(source.rstrip().split("\n")):
        code = line.split("#", 1)[0].rstrip()
        if code:
            return code.endswith(";")
    return False


def _display(*objects):
    """``display(...)`` as a notebook offers it, printing each object's repr."""
    for obj in objects:
        print(repr(obj))


def run_cell(source, namespace, label="cell"):
    """Run one cell's source in ``namespace``; print its value as a notebook would."""
    code = _without_magics(source, label)
    if code is None:
        return None
    filename = f"<{label}>"
    # Tracebacks (and ember.doctor's file:line) can then quote the cell's lines.
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    tree = ast.parse(code, filename)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr) and not _silenced(code):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, filename, "exec"), namespace)
    if last is None:
        return None
    value = eval(compile(last, filename, "eval"), namespace)
    if value is not None:
        namespace["_"] = value
        print(repr(value))
    return value


def run_notebook(path, args=(), namespace=None):
    """Run the code cells of the notebook at ``path`` in order, ``torch`` mapped to ember.

    The notebook's folder is importable, as it is for a kernel started there, and
    ``sys.argv`` is ``[path, *args]``. Returns the namespace the cells ran in.
    """
    compat.install()
    if namespace is None:
        namespace = {"__name__": "__main__", "__builtins__": builtins, "display": _display}
    sys.argv = [path, *args]
    folder = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, folder)
    name = os.path.basename(path)
    try:
        for number, source in enumerate(code_cells(path), 1):
            run_cell(source, namespace, f"{name} cell {number}")
            sys.stdout.flush()
    finally:
        if sys.path and sys.path[0] == folder:
            del sys.path[0]
    return namespace


def run_notebook_as_main(path, args=()):
    """``ember run notebook.ipynb``: like ``run_notebook``, but an error in a cell prints
    the traceback from that cell on (with the cell's lines, as a notebook shows them) and
    exits with status 1."""
    try:
        run_notebook(path, args)
    except Exception as error:
        tb = error.__traceback__
        while tb is not None and not tb.tb_frame.f_code.co_filename.startswith("<"):
            tb = tb.tb_next
        traceback.print_exception(type(error), error, tb or error.__traceback__)
        sys.exit(1)


def load_ipython_extension(ipython):
    """``%load_ext ember``: map ``torch`` to ember in this session."""
    compat.install()
    if ipython is None:
        return
    user_ns = ipython.user_ns
    for variable, value in list(user_ns.items()):
        module_name = getattr(value, "__name__", None)
        if (type(value) is type(sys) and isinstance(module_name, str)
                and (module_name == "torch" or module_name.startswith("torch."))):
            user_ns[variable] = importlib.import_module(module_name)
    print("ember: `import torch` now gives ember (PyTorch's API on NumPy)")


def unload_ipython_extension(ipython):
    """``%unload_ext ember``: ``import torch`` gives PyTorch again."""
    compat.uninstall()
