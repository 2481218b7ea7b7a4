"""civsim from Python: build scenarios, run and compare them, and get the results as numpy
arrays and pandas frames — on the same C++ core and file writers as the ``civsim`` command line
(docs/python.md).

    import civsim
    s = civsim.Scenario.load("scenarios/default.toml")
    s.set("population", 20000)
    cmp = civsim.compare(s, arms=["broadcast", "dialogue"], replicates=5)
    cmp.series["trust_mean"]          # numpy array [arm, replicate, step]
    cmp.to_dataframe(["trust_mean"])  # tidy: arm, replicate, step, time_hours, series, value
    cmp.summary_table(key_only=True)  # the table civsim compare prints
    cmp.save("results/compare.h5")    # the comparison file civsim compare writes

Built with the rest of civsim (``scripts/build``) into ``build/python``: run Debian's
interpreter with ``PYTHONPATH=build/python`` (which also holds ``civsim_analysis``), or install
with ``cmake --install build``.
"""
from __future__ import annotations

from . import _civsim, network
from ._errors import ConfigError, InputError
from ._results import SERIES, CompareResult, RunResult, compare, run
from ._scenario import Scenario

build_info: dict[str, str] = dict(_civsim.build_info)
__version__: str = build_info["version"]
KEY_OUTCOMES: list[str] = _civsim.key_outcomes()


def schema() -> list[dict[str, str]]:
    """Every scenario key with its default, unit, valid values and meaning (``civsim schema``)."""
    return _civsim.schema()


__all__ = ["CompareResult", "ConfigError", "InputError", "KEY_OUTCOMES", "RunResult", "SERIES",
           "Scenario", "build_info", "compare", "network", "run", "schema"]
