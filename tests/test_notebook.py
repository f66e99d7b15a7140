"""Notebooks: the seed tutorial as a real .ipynb prints on ember what PyTorch prints for
the same cells; the runner displays values as a notebook does; ``%load_ext ember``.

Anything that maps ``torch`` to ember runs in a subprocess, so this process keeps the
real PyTorch the other tests compare against.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

import ember
from ember.notebook import code_cells, run_cell

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOK = os.path.join(ROOT, "examples", "autograd_tutorial.ipynb")
SEED = os.path.join(os.path.dirname(ROOT), "shared", "seed", "000_ff4b16eb86765982.txt")

# PyTorch's side: a plain exec of the same cells, showing a final expression's repr.
TORCH_RUN = """
import ast, json, sys
import torch
torch.manual_seed(0)
namespace = {"__name__": "__main__"}
for cell in json.load(open(sys.argv[1]))["cells"]:
    if cell["cell_type"] != "code":
        continue
    tree = ast.parse("".join(cell["source"]))
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), namespace)
    if last is not None:
        value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
        if value is not None:
            print(repr(value))
"""

EMBER_RUN = """
import sys
from ember import compat
compat.install()
import torch
torch.manual_seed(0)
from ember.notebook import run_notebook
run_notebook(sys.argv[1])
"""


def python(code, *args, cwd=None):
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout


def ember_run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "ember", "run", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


def test_the_notebook_is_the_seed_tutorial():
    with open(NOTEBOOK, encoding="utf-8") as f:
        notebook = json.load(f)
    assert notebook["nbformat"] == 4
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == [16, 17, 18, 22, None, None, None, 26, 28,
                                                    30, 32, 33, 35, 52, 51, 12, 23]
    # Every cell's source is the seed's text, in the seed's order.
    seed = open(SEED, encoding="utf-8").read() if os.path.exists(SEED) else None
    if seed is not None:
        position = 0
        for source in code_cells(NOTEBOOK):
            found = seed.find(source, position)
            assert found >= position, source
            position = found + len(source)


def test_the_tutorial_prints_what_pytorch_prints():
    torch_out = python(TORCH_RUN, NOTEBOOK)
    ember_out = python(EMBER_RUN, NOTEBOOK)
    assert ember_out.splitlines() == torch_out.splitlines()
    # Displayed values (a cell ending in `x.grad`) are there, not only what was printed.
    assert "tensor([1., 1., 1.])\n" in ember_out and "tensor(-1.)\n" in ember_out
    assert "epoch 10: w = 1.606,loss=1.60939169" in ember_out


def test_run_cell_displays_like_a_notebook(capsys):
    namespace = {}
    assert run_cell("x = 2\nx * 3", namespace) == 6
    run_cell("x = 4\nx;  # silenced", namespace)
    run_cell("print('printed')\nNone", namespace)
    run_cell("for i in range(2):\n    i", namespace)
    run_cell("ember.tensor([1.0, 2.0]) * x", {"ember": ember, "x": 2})
    assert capsys.readouterr().out == "6\nprinted\ntensor([2., 4.])\n"
    assert namespace["_"] == 6 and namespace["x"] == 4


def test_ipython_lines_are_skipped_with_a_note(capsys):
    namespace = {}
    run_cell("%matplotlib inline\nif True:\n    !ls\n    y = 1\ny", namespace, "nb cell 1")
    run_cell("%%time\nprint('never')", namespace, "nb cell 2")
    captured = capsys.readouterr()
    assert captured.out == "1\n"
    assert "skipped IPython line in nb cell 1: %matplotlib inline" in captured.err
    assert "skipped IPython line in nb cell 1: !ls" in captured.err
    assert "skipped nb cell 2: a %% cell magic needs IPython" in captured.err


def test_ember_run_notebook(tmp_path):
    cells = [
        "import sys\nprint(sys.argv[1:])",
        "%load_ext ember\nimport torch\ntorch.__name__",
        "t = torch.ones(2, requires_grad=True)\n(t * 2).sum()",
        "display(3, 'x')",
        "def f():\n    raise ValueError('boom')\n\nf()",
        "print('not reached')",
    ]
    notebook = {"cells": [{"cell_type": "code", "source": source, "metadata": {},
                           "outputs": [], "execution_count": None} for source in cells],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(notebook))
    done = ember_run(str(path), "a", "b", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ("['a', 'b']\n'ember'\ntensor(4., grad_fn=<SumBackward0>)\n3\n'x'\n")
    assert 'File "<nb.ipynb cell 5>", line 2, in f' in done.stderr
    assert "raise ValueError('boom')" in done.stderr


def test_the_extension_maps_torch_without_importing_ipython():
    out = python(textwrap.dedent("""
        import sys
        import torch, torch.nn
        import ember.notebook
        assert "IPython" not in sys.modules
        class Shell:
            user_ns = {"torch": torch, "nn": torch.nn, "n": 3}
        shell = Shell()
        import ember
        ember.load_ipython_extension(shell)  # what %load_ext ember calls
        import torch as again
        import ember.nn
        assert shell.user_ns["torch"] is ember and again is ember
        assert shell.user_ns["nn"] is ember.nn and shell.user_ns["n"] == 3
        ember.notebook.unload_ipython_extension(shell)
        from ember import compat
        # (Importing the real torch a second time in one process is not possible.)
        print(compat._finder in sys.meta_path, "IPython" in sys.modules)
    """))
    assert out.splitlines()[-1] == "False False"
    assert "`import torch` now gives ember" in out


def test_load_ext_in_ipython():
    pytest.importorskip("IPython", reason="IPython is optional, not a test dependency; "
                        "the extension is also tested without it")
    out = python(textwrap.dedent("""
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        shell.run_cell("%load_ext ember", silent=True)
        shell.run_cell("import torch; t = torch.ones(2)", silent=True)
        print(type(shell.user_ns["t"]).__module__)
    """))
    assert out.splitlines()[-1] == "ember._tensor"
