"""The coverage report is computed from ember's and PyTorch's own namespaces."""

import ember
from ember.tools import coverage


def test_coverage_counts_real_names():
    data = coverage.report()
    top = data["torch"]
    assert "tensor" in top["ember"] and "tensor" in top["torch"]
    # Every name counted as covered is present in both libraries.
    covered = top["ember"] & top["torch"]
    for name in list(covered)[:50]:
        assert hasattr(ember, name)
    assert "backward" in data["Tensor"]["ember"] & data["Tensor"]["torch"]


def test_coverage_cli_prints_a_total(capsys):
    coverage.main([])
    out = capsys.readouterr().out
    assert "total PyTorch names ember has" in out
