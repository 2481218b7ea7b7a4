"""Running scenarios and comparing arms from Python; results as numpy arrays and pandas frames."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import _civsim
from ._scenario import Scenario

Progress = Callable[[int, int], Any] | None

_SPECS = _civsim.series_specs()  # (name, units, description, per_region), in file order
SERIES: list[str] = [s[0] for s in _SPECS]
UNITS: dict[str, str] = {s[0]: s[1] for s in _SPECS}
DESCRIPTIONS: dict[str, str] = {s[0]: s[2] for s in _SPECS}
TIDY_COLUMNS = ["arm", "replicate", "step", "time_hours", "series", "value"]
STATS = ("mean", "ci_low", "ci_high", "n", "diff_mean", "diff_ci_low", "diff_ci_high", "diff_n")


def _threads(threads: int | None) -> int:
    if threads is None:
        return 0
    if int(threads) < 1:
        raise ValueError(f"threads must be at least 1 (got {threads})")
    return int(threads)


def _scenario(scenario: Scenario | str | os.PathLike) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, (str, os.PathLike)):
        return Scenario.load(scenario)
    raise TypeError(f"expected a civsim.Scenario or a scenario file, got {type(scenario).__name__}")


def _names(series: Iterable[str] | None, available: Sequence[str], where: str) -> list[str]:
    # All series in name order: the order in which the analysis package reads them from a file.
    names = list(series) if series is not None else sorted(available)
    missing = [n for n in names if n not in available]
    if missing:
        raise KeyError(f"series not in {where}: {missing}; available: {list(available)}")
    return names


def _check_target(path: str | os.PathLike, force: bool) -> Path:
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"output '{path}' already exists; choose another path or pass "
                              "force=True to overwrite it")
    return path


def _build_attrs(core: Any) -> dict[str, Any]:
    info = _civsim.build_info
    return {"civsim_version": info["version"], "git_sha": info["git_sha"],
            "git_dirty": info["git_dirty"], "build_type": info["build_type"],
            "compiler": info["compiler"], "seed": core.seed, "threads": core.threads,
            "run_seconds": core.run_seconds, "scenario_name": core.scenario_name,
            "step_hours": core.step_hours}


class RunResult:
    """One run of a scenario (:func:`civsim.run`): what ``civsim run`` writes, in memory.

    Attributes:
        series: ``{name: array}`` for every outcome (docs/output-format.md), float64 over
            steps; the arrays are read-only and own the buffers the simulation filled.
        by_region: ``{name: array[step, region]}`` for the per-region outcomes.
        step, time_hours: the step index and the simulated time at the end of each step.
        regions: region names (the second axis of ``by_region``).
        summary: ``{name: float}``, the run's scalars (key outcomes first, then the model's
            own), as written under /summary; ``summary_units``, ``summary_descriptions``.
        key_outcomes: the names of the key outcomes (the table of ``civsim compare``).
        network: statistics of the network the run used, as under /network.
        units, descriptions: of each series.
        scenario: the resolved scenario as TOML (what the file stores under /scenario).
        attrs: provenance: seed, replicate, threads, run_seconds, strategy, civsim_version, ...
    """

    def __init__(self, core: _civsim.RunCore, origin: str):
        self._core = core
        self._origin = origin
        series = core.series()
        self.step: np.ndarray = series.pop("step")
        self.time_hours: np.ndarray = series.pop("time_hours")
        self.series: dict[str, np.ndarray] = series
        self.by_region: dict[str, np.ndarray] = core.by_region()
        self.regions: list[str] = core.regions
        self.units, self.descriptions = dict(UNITS), dict(DESCRIPTIONS)
        scalars = core.scalars()
        self.summary: dict[str, float] = {s[0]: s[1] for s in scalars}
        self.summary_units: dict[str, str] = {s[0]: s[2] for s in scalars}
        self.summary_descriptions: dict[str, str] = {s[0]: s[3] for s in scalars}
        self.key_outcomes: list[str] = [s[0] for s in scalars if s[4]]
        self.network: dict[str, Any] = core.network()
        self.account_followers: list[int] = core.account_followers
        self.cascade_size_hist: np.ndarray = core.cascade_size_hist
        self.cascade_depth_hist: np.ndarray = core.cascade_depth_hist
        self.scenario: str = core.scenario_toml
        self.attrs: dict[str, Any] = {**_build_attrs(core), "replicate": core.replicate,
                                      "strategy": core.strategy,
                                      "network_seconds": core.network_seconds}
        self.path: Path | None = None

    def __getitem__(self, name: str) -> np.ndarray:
        """``result["reach"]`` is ``result.series["reach"]``."""
        return self.series[name]

    @property
    def series_names(self) -> list[str]:
        return list(self.series)

    def to_dataframe(self, series: Iterable[str] | None = None):
        """The tidy frame of the analysis package: one row per step x series, columns arm (the
        government strategy, as the run file's ``strategy``), replicate, step, time_hours,
        series, value — the layout of ``civsim_analysis.open_compare(F).tidy()``."""
        import pandas as pd

        names = _names(series, self.series_names, "the run")
        arm = self.attrs["strategy"]
        t = len(self.time_hours)
        frames = [pd.DataFrame({
            "arm": np.repeat(np.array([arm], dtype=object), t),
            "replicate": np.full(t, self.attrs["replicate"], dtype=np.int64),
            "step": np.arange(t),
            "time_hours": self.time_hours,
            "series": name,
            "value": self.series[name],
        }) for name in names]
        df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=TIDY_COLUMNS)
        df["arm"] = pd.Categorical(df["arm"], categories=[arm])
        df["series"] = df["series"].astype("category")
        return df

    def series_frame(self):
        """Every series as a column, indexed by ``time_hours`` (``civsim_analysis.open_run(F)
        .series()``)."""
        import pandas as pd

        df = pd.DataFrame(dict(self.series, step=self.step),
                          index=pd.Index(self.time_hours, name="time_hours"))
        df = df[["step", *self.series]]
        df.attrs["units"] = dict(self.units)
        return df

    def region_frame(self, name: str):
        """A per-region series: rows indexed by ``time_hours``, one column per region."""
        import pandas as pd

        if name not in self.by_region:
            raise KeyError(f"no per-region series {name!r}; available: {sorted(self.by_region)}")
        df = pd.DataFrame(self.by_region[name], columns=self.regions,
                          index=pd.Index(self.time_hours, name="time_hours"))
        df.columns.name = "region"
        return df

    def save(self, path: str | os.PathLike, force: bool = False) -> Path:
        """Writes the run file (``civsim-run`` 2.0) with the writer of ``civsim run``: the same
        datasets and attributes; ``command_line`` records the Python call. An existing file is
        replaced only with ``force=True`` (FileExistsError otherwise). Returns the path."""
        path = _check_target(path, force)
        self._core.save(os.fspath(path), force, f"python: civsim.run({self._origin})")
        self.path = path
        return path

    def __repr__(self) -> str:
        return (f"<civsim.RunResult {self.attrs['scenario_name']!r} ({self.attrs['strategy']}), "
                f"{len(self.step)} steps, final reach {self.summary.get('final_reach')}>")


class CompareResult:
    """A comparison of arms (:func:`civsim.compare`): what ``civsim compare`` writes, in
    memory. Its methods are those of ``civsim_analysis.Comparison`` (the reader of comparison
    files), so code and figures work on either — e.g. ``civsim_analysis.plot_compare(result)``.

    Attributes:
        arms: arm names; the first is the reference of every paired difference.
        replicates: replicates per arm (replicate r of every arm shares its random numbers).
        series: ``{name: array[arm, replicate, step]}``, float64, read-only, owning the buffers
            filled from the runs; ``by_region``: ``{name: array[arm, replicate, step, region]}``.
        time_hours, regions, units, descriptions: as for a run.
        summary: ``{outcome: array[arm, replicate]}``, each run's scalars; the per-arm means,
            CIs and paired differences are in :meth:`summary_table`.
        outcomes, key_outcomes: the per-run scalars in table order, and the key ones.
        network: statistics of the one network every run used.
        scenario, arm_scenarios: the base scenario and each arm's, as resolved TOML.
        attrs: provenance: seed, threads, run_seconds, arms, replicates, parallelism, ...
    """

    def __init__(self, core: _civsim.CompareCore, origin: str):
        self._core = core
        self._origin = origin
        self.arms: list[str] = list(core.arms)
        self.replicates: int = core.replicates
        self.time_hours: np.ndarray = core.time_hours
        self.regions: list[str] = core.regions
        self.series: dict[str, np.ndarray] = core.series()
        self.by_region: dict[str, np.ndarray] = core.by_region()
        self.units, self.descriptions = dict(UNITS), dict(DESCRIPTIONS)
        self._stats: dict[str, dict[str, np.ndarray]] = core.stats()
        scalars = core.scalars()
        self._scalars = {s["name"]: s for s in scalars}
        self.outcomes: list[str] = [s["name"] for s in scalars]
        self.key_outcomes: list[str] = [s["name"] for s in scalars if s["key"]]
        self.summary: dict[str, np.ndarray] = {s["name"]: s["values"] for s in scalars}
        self.summary_units = {s["name"]: s["units"] for s in scalars}
        self.summary_descriptions = {s["name"]: s["description"] for s in scalars}
        self.network: dict[str, Any] = core.network()
        self.account_followers: list[int] = core.account_followers
        self.scenario: str = core.scenario_toml
        self.arm_scenarios: dict[str, str] = core.arm_scenarios()
        self.attrs: dict[str, Any] = {**_build_attrs(core), "arms": list(self.arms),
                                      "replicates": self.replicates,
                                      "parallelism": core.parallelism,
                                      "network_seconds": core.network_seconds}
        self.path: Path | None = None

    @property
    def series_names(self) -> list[str]:
        return list(self.series)

    def array(self, name: str) -> np.ndarray:
        """One outcome series of every run, shape [arm, replicate, step]."""
        self._check_series(name)
        return self.series[name]

    def region_array(self, name: str) -> np.ndarray:
        """A per-region series of every run, shape [arm, replicate, step, region]."""
        if name not in self.by_region:
            raise KeyError(f"no per-region series {name!r}; available: {sorted(self.by_region)}")
        return self.by_region[name]

    def to_dataframe(self, series: Iterable[str] | None = None):
        """The tidy frame: one row per arm x replicate x step x series, columns arm, replicate,
        step, time_hours, series, value (all series in name order unless ``series`` names some)
        — equal to ``civsim_analysis.open_compare(F).tidy()`` of the saved file."""
        import pandas as pd

        names = _names(series, self.series_names, "the comparison")
        a, r, t = len(self.arms), self.replicates, len(self.time_hours)
        frames = [pd.DataFrame({
            "arm": np.repeat(np.array(self.arms, dtype=object), r * t),
            "replicate": np.tile(np.repeat(np.arange(r), t), a),
            "step": np.tile(np.arange(t), a * r),
            "time_hours": np.tile(self.time_hours, a * r),
            "series": name,
            "value": self.series[name].reshape(-1),
        }) for name in names]
        df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=TIDY_COLUMNS)
        df["arm"] = pd.Categorical(df["arm"], categories=self.arms)
        df["series"] = df["series"].astype("category")
        return df

    tidy = to_dataframe

    def stats(self, name: str):
        """Per-arm, per-step statistics of one series (computed by the core, as written under
        /stats): columns arm, step, time_hours, mean, ci_low, ci_high, n, diff_mean, diff_ci_low,
        diff_ci_high, diff_n (differences vs the first arm, paired by replicate)."""
        import pandas as pd

        self._check_series(name)
        a, t = len(self.arms), len(self.time_hours)
        data = {"arm": pd.Categorical(np.repeat(np.array(self.arms, dtype=object), t),
                                      categories=self.arms),
                "step": np.tile(np.arange(t), a), "time_hours": np.tile(self.time_hours, a)}
        data.update({s: self._stats[name][s].reshape(-1) for s in STATS})
        return pd.DataFrame(data)

    def stats_arrays(self, name: str) -> dict[str, np.ndarray]:
        """The statistics of one series as arrays [arm, step]: mean, ci_low, ci_high, n,
        diff_mean, diff_ci_low, diff_ci_high, diff_n."""
        self._check_series(name)
        return dict(self._stats[name])

    def run_scalars(self):
        """Per-run scalars: columns arm, replicate, outcome, value."""
        import pandas as pd

        rows = [(arm, rep, name, self.summary[name][i, rep]) for name in self.outcomes
                for i, arm in enumerate(self.arms) for rep in range(self.replicates)]
        return pd.DataFrame(rows, columns=["arm", "replicate", "outcome", "value"])

    def summary_table(self, key_only: bool = False):
        """Per outcome and arm: units, mean, 95% CI, replicates used, and the paired difference
        vs the first arm with its CI (the table ``civsim compare`` prints)."""
        import pandas as pd

        rows = []
        for name in (self.key_outcomes if key_only else self.outcomes):
            s = self._scalars[name]
            for i, arm in enumerate(self.arms):
                rows.append({"outcome": name, "units": s["units"], "arm": arm,
                             **{k: s[k][i].item() for k in STATS}})
        return pd.DataFrame(rows, columns=["outcome", "units", "arm", *STATS])

    def save(self, path: str | os.PathLike, force: bool = False) -> Path:
        """Writes the comparison file (``civsim-compare`` 1.0) with the writer of ``civsim
        compare``. An existing file is replaced only with ``force=True`` (FileExistsError
        otherwise). Returns the path."""
        path = _check_target(path, force)
        self._core.save(os.fspath(path), force, f"python: civsim.compare({self._origin})")
        self.path = path
        return path

    def _check_series(self, name: str) -> None:
        if name not in self.series:
            raise KeyError(f"series not in the comparison: {name!r}; available: "
                           f"{self.series_names}")

    def __repr__(self) -> str:
        return (f"<civsim.CompareResult {self.attrs['scenario_name']!r}: arms {self.arms}, "
                f"{self.replicates} replicates, {len(self.time_hours)} steps>")


def run(scenario: Scenario | str | os.PathLike, seed: int | None = None,
        threads: int | None = None, progress: Progress = None, replicate: int = 0) -> RunResult:
    """Builds the scenario's network and runs it, as ``civsim run`` does (same series for the
    same scenario and seed, whatever the thread count).

    Args:
        scenario: a :class:`Scenario` (or the path of a scenario file).
        seed: overrides the scenario's seed, as ``--seed``.
        threads: OpenMP threads (default: ``OMP_NUM_THREADS`` or every core).
        progress: called as ``progress(steps_done, steps)`` after each step, on the calling
            thread with the GIL held; an exception it raises stops the run and propagates.
        replicate: the replicate index (random numbers depend on seed and replicate; replicate
            r is what :func:`compare` runs as replicate r of each arm).

    The simulation runs with the GIL released. Ctrl-C (KeyboardInterrupt) stops it between two
    steps (during the network build: as soon as the build is done).
    """
    scenario = _scenario(scenario)
    if seed is not None:
        scenario = scenario.copy()
        scenario.set("seed", int(seed))
    if int(replicate) < 0:
        raise ValueError(f"replicate must be at least 0 (got {replicate})")
    core = _civsim.run(scenario._core, _threads(threads), int(replicate), progress)
    origin = scenario._describe() + (f", replicate={int(replicate)}" if replicate else "")
    return RunResult(core, origin)


def compare(scenario: Scenario | str | os.PathLike, arms: Sequence[str] | None = None,
            replicates: int = 5, seed: int | None = None, threads: int | None = None,
            progress: Progress = None) -> CompareResult:
    """Runs every arm ``replicates`` times on one network and compares them, as ``civsim
    compare`` does: replicate r of every arm uses the same random numbers (common random
    numbers), so the differences vs the first arm are paired by replicate.

    Args:
        scenario: a :class:`Scenario` (or the path of a scenario file).
        arms: names of the scenario's ``[[arms]]`` or strategies (``"broadcast"``,
            ``"reactive"``, ``"dialogue"``: that strategy for every government account);
            default: the scenario's ``[[arms]]``, else the three strategies. The first is the
            reference.
        replicates: replicates per arm.
        seed: overrides the scenario's seed, as ``--seed``.
        threads: OpenMP threads (default: ``OMP_NUM_THREADS`` or every core).
        progress: called as ``progress(runs_done, runs)`` after each finished run, on the
            calling thread with the GIL held; an exception it raises stops the comparison.

    Unknown arms and arms that would change the network raise :class:`civsim.InputError` /
    :class:`civsim.ConfigError` before any work is done. Ctrl-C stops every run between steps
    and raises KeyboardInterrupt.
    """
    scenario = _scenario(scenario)
    if seed is not None:
        scenario = scenario.copy()
        scenario.set("seed", int(seed))
    if isinstance(arms, str):
        arms = [a.strip() for a in arms.split(",")]
    names = None if arms is None else [str(a) for a in arms]
    core = _civsim.compare(scenario._core, names, int(replicates), _threads(threads), progress)
    origin = f"{scenario._describe()}, arms={core.arms}, replicates={int(replicates)}"
    return CompareResult(core, origin)
