"""Reading civsim comparison files (``civsim compare``; docs/output-format.md)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import h5py
import numpy as np
import pandas as pd

from .reader import _scalar, _text, check_format, read_network

FILETYPE = "civsim-compare"
SUPPORTED_MAJOR = 1
STATS = ("mean", "ci_low", "ci_high", "n", "diff_mean", "diff_ci_low", "diff_ci_high", "diff_n")


@dataclass
class Comparison:
    """One comparison file, read eagerly: every arm x replicate x step series, the per-step
    statistics and the per-run scalars."""

    path: Path
    attrs: dict[str, Any]
    scenario: str                   # the base scenario (TOML)
    arm_scenarios: dict[str, str]   # each arm's resolved scenario (TOML)
    arms: list[str]                 # in file order; the first is the reference of differences
    replicates: int
    network: dict[str, Any]
    time_hours: np.ndarray          # [step]
    regions: list[str]
    units: dict[str, str]
    descriptions: dict[str, str]
    outcomes: list[str]             # per-run scalars, in table order
    key_outcomes: list[str]         # those the summary table shows
    summary_units: dict[str, str]
    summary_descriptions: dict[str, str]
    _series: dict[str, np.ndarray] = field(repr=False)      # [arm, replicate, step]
    _by_region: dict[str, np.ndarray] = field(repr=False)   # [arm, replicate, step, region]
    _stats: dict[str, dict[str, np.ndarray]] = field(repr=False)    # [arm, step]
    _summary: dict[str, dict[str, np.ndarray]] = field(repr=False)  # values [arm, replicate]

    @property
    def format_version(self) -> str:
        return self.attrs["format_version"]

    @property
    def series_names(self) -> list[str]:
        return list(self._series)

    def array(self, name: str) -> np.ndarray:
        """One outcome series of every run, shape [arm, replicate, step]."""
        self._check_series(name)
        return self._series[name]

    def region_array(self, name: str) -> np.ndarray:
        """A per-region series of every run, shape [arm, replicate, step, region]."""
        if name not in self._by_region:
            raise KeyError(f"no per-region series {name!r} in {self.path}; "
                           f"available: {sorted(self._by_region)}")
        return self._by_region[name]

    def tidy(self, series: Iterable[str] | None = None) -> pd.DataFrame:
        """One row per arm x replicate x step x series: columns arm, replicate, step, time_hours,
        series, value (all series unless `series` names some)."""
        names = list(series) if series is not None else self.series_names
        for name in names:
            self._check_series(name)
        a, r, t = len(self.arms), self.replicates, len(self.time_hours)
        frames = []
        for name in names:
            frames.append(pd.DataFrame({
                "arm": np.repeat(np.array(self.arms, dtype=object), r * t),
                "replicate": np.tile(np.repeat(np.arange(r), t), a),
                "step": np.tile(np.arange(t), a * r),
                "time_hours": np.tile(self.time_hours, a * r),
                "series": name,
                "value": self._series[name].reshape(-1),
            }))
        df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["arm", "replicate", "step", "time_hours", "series", "value"])
        df["arm"] = pd.Categorical(df["arm"], categories=self.arms)
        df["series"] = df["series"].astype("category")
        return df

    def stats(self, name: str) -> pd.DataFrame:
        """Per-arm, per-step statistics of one series: columns arm, step, time_hours, mean,
        ci_low, ci_high, n, diff_mean, diff_ci_low, diff_ci_high, diff_n (differences vs the
        first arm, paired by replicate)."""
        self._check_series(name)
        a, t = len(self.arms), len(self.time_hours)
        data = {"arm": pd.Categorical(np.repeat(np.array(self.arms, dtype=object), t),
                                      categories=self.arms),
                "step": np.tile(np.arange(t), a), "time_hours": np.tile(self.time_hours, a)}
        data.update({s: self._stats[name][s].reshape(-1) for s in STATS})
        return pd.DataFrame(data)

    def run_scalars(self) -> pd.DataFrame:
        """Per-run scalars: columns arm, replicate, outcome, value."""
        rows = []
        for name in self.outcomes:
            values = self._summary[name]["values"]
            for i, arm in enumerate(self.arms):
                for rep in range(self.replicates):
                    rows.append((arm, rep, name, values[i, rep]))
        return pd.DataFrame(rows, columns=["arm", "replicate", "outcome", "value"])

    def summary_table(self, key_only: bool = False) -> pd.DataFrame:
        """Per outcome and arm: units, mean, 95% CI, replicates used, and the paired difference
        vs the first arm with its CI (the table `civsim compare` prints)."""
        rows = []
        for name in (self.key_outcomes if key_only else self.outcomes):
            s = self._summary[name]
            for i, arm in enumerate(self.arms):
                rows.append({"outcome": name, "units": self.summary_units.get(name, ""),
                             "arm": arm, **{k: s[k][i].item() for k in STATS}})
        return pd.DataFrame(rows, columns=["outcome", "units", "arm", *STATS])

    def _check_series(self, name: str) -> None:
        if name not in self._series:
            raise KeyError(f"series not in {self.path}: {name!r}; "
                           f"available: {self.series_names}")


def open_compare(path: str | Path) -> Comparison:
    """Reads a comparison file; raises FormatError for another kind of file or an unknown major
    version."""
    path = Path(path)
    with h5py.File(path, "r") as f:
        attrs = check_format(f, path, FILETYPE, SUPPORTED_MAJOR, "comparison file")
        arms = list(attrs["arms"])
        series, by_region, units, descriptions, regions = {}, {}, {}, {}, []
        time_hours = f["series/time_hours"][()]
        for name, ds in f["series"].items():
            if isinstance(ds, h5py.Group) or name in ("step", "time_hours"):
                continue
            series[name] = ds[()]
            units[name] = _text(ds.attrs.get("units", ""))
            descriptions[name] = _text(ds.attrs.get("description", ""))
        for name, ds in f["series/by_region"].items():
            by_region[name] = ds[()]
            regions = _scalar(ds.attrs["regions"])
        stats = {name: {s: g[s][()] for s in STATS} for name, g in f["stats"].items()}
        outcomes = _scalar(f["summary"].attrs["outcomes"])
        summary, summary_units, summary_descriptions, key = {}, {}, {}, []
        for name in outcomes:
            g = f["summary"][name]
            summary[name] = {k: ds[()] for k, ds in g.items()}
            summary_units[name] = _text(g.attrs.get("units", ""))
            summary_descriptions[name] = _text(g.attrs.get("description", ""))
            if g.attrs.get("key", 0):
                key.append(name)
        arm_scenarios = {arm: f[f"arms/{arm}/scenario"].asstr()[()] for arm in arms}
        return Comparison(
            path=path, attrs=attrs, scenario=f["scenario"].asstr()[()],
            arm_scenarios=arm_scenarios, arms=arms, replicates=int(attrs["replicates"]),
            network=read_network(f), time_hours=time_hours, regions=regions, units=units,
            descriptions=descriptions, outcomes=outcomes, key_outcomes=key,
            summary_units=summary_units, summary_descriptions=summary_descriptions,
            _series=series, _by_region=by_region, _stats=stats, _summary=summary)
