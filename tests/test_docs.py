"""The docs show real output: the graph and chain-rule texts in docs/learner-tools.md are
what ember prints for the same code, and every page the README links to exists."""

import contextlib
import io
import os
import re

import ember

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _read(*path):
    with open(os.path.join(ROOT, *path)) as f:
        return f.read()


def test_learner_tools_page_shows_what_ember_prints():
    page = _read("docs", "learner-tools.md")
    w = ember.tensor(2.0, requires_grad=True)
    x, y = ember.tensor(1.0), ember.tensor(3.0)
    loss = (w * x - y) ** 2
    assert str(ember.viz.graph(loss)) in page
    # explain names tensors after the caller's variables: the same names as the page's.
    loss = (w * x - y) ** 2
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        ember.autograd.explain(loss)
    assert printed.getvalue().strip() in page


def test_readme_links_resolve():
    readme = _read("README.md")
    links = re.findall(r"\]\(((?:docs|examples)/[^)#]+)\)", readme)
    assert links
    for link in links:
        assert os.path.exists(os.path.join(ROOT, link)), link


def test_every_documented_example_exists():
    page = _read("docs", "index.md")
    for name in re.findall(r"`(\w+\.(?:py|ipynb))`", page):
        assert os.path.exists(os.path.join(ROOT, "examples", name)), name


def test_supported_api_page_is_what_the_tool_prints():
    from ember.tools.coverage import markdown, report
    assert _read("docs", "supported-api.md") == markdown(report())
