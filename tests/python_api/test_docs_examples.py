"""The Python examples of the README and docs/python.md run against the module as it is (on a
smaller scenario, so that they take seconds): they cannot drift from the API."""
from __future__ import annotations

import re

import pytest

from api_helpers import CRISIS_SET, ROOT


def python_block(path, heading: str) -> str:
    """The first ```python block after `heading` in a Markdown file."""
    text = (ROOT / path).read_text()
    rest = text[text.index(heading):]
    return re.search(r"```python\n(.*?)```", rest, re.S)[1]


@pytest.fixture
def small_world(civsim, tmp_path, monkeypatch):
    """A working directory with scenarios/ and results/, in which Scenario.load gives the crisis
    at 20 000 citizens and two days whatever it loads."""
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    (tmp_path / "results").mkdir()
    monkeypatch.chdir(tmp_path)
    load = civsim.Scenario.load.__func__

    def small_load(cls, path, overrides=None):
        return load(cls, path, {**CRISIS_SET, **dict(overrides or {})})

    monkeypatch.setattr(civsim.Scenario, "load", classmethod(small_load))
    return tmp_path


@pytest.mark.parametrize("path, heading, figure", [
    ("README.md", "## Python", "default-compare.png"),
    ("docs/python.md", "## Comparing strategies in a few lines", "python-compare.png"),
])
def test_comparison_example_runs_in_under_ten_lines(small_world, path, heading, figure):
    import matplotlib.pyplot as plt
    code = python_block(path, heading)
    assert len([line for line in code.splitlines() if line.strip()]) < 10
    namespace: dict = {}
    exec(compile(code, path, "exec"), namespace)
    plt.close("all")
    assert (small_world / "results" / figure).stat().st_size > 10000
    assert namespace["cmp"].replicates in (5, 10)
