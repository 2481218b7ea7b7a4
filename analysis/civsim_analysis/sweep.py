"""Sweep files (filetype ``civsim-sweep``, docs/sweeps.md): the runs table, per-point statistics,
Sobol' indices of Saltelli designs, and their figures (a heatmap of a 2-D grid, a bar chart of
the indices)::

    from civsim_analysis.sweep import open_sweep, plot_sweep_heatmap, plot_sobol
    sw = open_sweep("results/example-sweep.h5")
    sw.runs                      # one row per run: point, arm, replicate, seed, status, parameters
    sw.table("final_reach")      # one row per point and arm: parameters, mean, ci_low, ci_high, n
    plot_sweep_heatmap(sw, "final_reach", arm="dialogue", out="results/heatmap.png")
    sw.sobol("final_reach")      # first-order and total indices with bootstrap CIs (saltelli)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import h5py
import numpy as np
import pandas as pd

from .reader import _scalar, check_format

FILETYPE = "civsim-sweep"
SUPPORTED_MAJOR = 1


@dataclass
class Sweep:
    path: Path
    attrs: dict[str, Any]
    axes: list[str]
    arms: list[str]
    points: pd.DataFrame           # one row per point, one column per axis
    runs: pd.DataFrame             # the /runs table, with the parameter columns
    summary: pd.DataFrame          # one row per run, one column per per-run scalar
    _series: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def design(self) -> str:
        return str(self.attrs["design"])

    def series(self, name: str) -> np.ndarray:
        """An outcome series of every run, [run, step] (per-region ones: 'by_region/NAME')."""
        if name not in self._series:
            with h5py.File(self.path, "r") as f:
                self._series[name] = f[f"series/{name}"][()]
        return self._series[name]

    def table(self, outcome: str) -> pd.DataFrame:
        """Mean and 95% CI over replicates of a per-run scalar, one row per point and arm
        (computed from the runs as `civsim sweep analyze` does: Student t, NaN ignored)."""
        from scipy import stats
        df = self.runs[["point", "arm_name"]].copy()
        df["value"] = self.summary[outcome].to_numpy()
        rows = []
        for (point, arm), g in df.groupby(["point", "arm_name"], sort=True):
            x = g["value"].dropna().to_numpy()
            n = len(x)
            mean = x.mean() if n else np.nan
            half = (stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
            rows.append({"point": point, "arm": arm, "mean": mean, "ci_low": mean - half,
                         "ci_high": mean + half, "n": n})
        out = pd.DataFrame(rows)
        return out.join(self.points, on="point")

    def sobol(self, outcome: str, arm: str | None = None, bootstrap: int = 1000,
              seed: int = 1) -> pd.DataFrame:
        """First-order (S1) and total (ST) Sobol' indices of a saltelli design, from the per-point
        means of `outcome`, with percentile bootstrap 95% CIs."""
        if self.design != "saltelli":
            raise ValueError(f"{self.path}: Sobol' indices need design = 'saltelli', not "
                             f"{self.design!r}")
        t = self.table(outcome)
        t = t[t["arm"] == (arm or self.arms[0])].sort_values("point")
        res = sobol_indices(t["mean"].to_numpy(), len(self.axes), bootstrap=bootstrap, seed=seed)
        res.index = self.axes
        return res


def sobol_indices(y: Sequence[float], d: int, bootstrap: int = 1000, seed: int = 1) -> pd.DataFrame:
    """Sobol' indices from outputs in Saltelli order (per base sample: f(A), f(AB^1) ...
    f(AB^d), f(B)): S1 by Saltelli et al. (2010), ST by Jansen (1999), as civsim's
    core/sobol_indices.cpp. Base samples with a non-finite output are left out."""
    y = np.asarray(y, dtype=float).reshape(-1, d + 2)
    y = y[np.isfinite(y).all(axis=1)]
    if len(y) < 2:
        raise ValueError("fewer than two base samples with finite outputs")

    def estimate(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b, ab = rows[:, 0], rows[:, -1], rows[:, 1:-1]
        var = np.concatenate([a, b]).var(ddof=1)
        if var <= 0:
            return np.zeros(d), np.zeros(d)
        s1 = (b[:, None] * (ab - a[:, None])).mean(axis=0) / var
        st = ((a[:, None] - ab) ** 2).mean(axis=0) / 2 / var
        return s1, st

    s1, st = estimate(y)
    rng = np.random.default_rng(seed)
    boots = [estimate(y[rng.integers(0, len(y), len(y))]) for _ in range(bootstrap)]
    out = pd.DataFrame({"S1": s1, "ST": st})
    if bootstrap > 1:
        b1 = np.array([b[0] for b in boots])
        bt = np.array([b[1] for b in boots])
        out["S1_low"], out["S1_high"] = np.quantile(b1, 0.025, axis=0), np.quantile(b1, 0.975, axis=0)
        out["ST_low"], out["ST_high"] = np.quantile(bt, 0.025, axis=0), np.quantile(bt, 0.975, axis=0)
    return out


def open_sweep(path: str | Path) -> Sweep:
    path = Path(path)
    with h5py.File(path, "r") as f:
        attrs = check_format(f, path, FILETYPE, SUPPORTED_MAJOR, "sweep file")
        axes = list(_scalar(f["points"].attrs["axes"]))
        arms = list(attrs["arms"]) if isinstance(attrs["arms"], list) else [attrs["arms"]]

        def column(ds: h5py.Dataset) -> np.ndarray:
            return ds.asstr()[()] if ds.dtype.kind == "O" else ds[()]

        points = pd.DataFrame({k: column(f[f"points/{k}"]) for k in axes})
        points.index.name = "point"
        g = f["runs"]
        runs = pd.DataFrame({k: column(g[k]) for k in g if isinstance(g[k], h5py.Dataset)})
        for k in axes:
            runs[k] = column(g[f"params/{k}"])
        runs["arm_name"] = [arms[a] for a in runs["arm"]]
        names = list(_scalar(f["summary"].attrs["outcomes"]))
        summary = pd.DataFrame({k: f[f"summary/{k}/values"][()] for k in names})
    return Sweep(path, attrs, axes, arms, points, runs, summary)


def plot_sweep_heatmap(sweep: Sweep, outcome: str, arm: str | None = None,
                       out: str | Path | None = None):
    """The mean of `outcome` over replicates on a 2-D grid (the sweep's two axes)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from .plot import _save

    if len(sweep.axes) != 2:
        raise ValueError(f"a heatmap needs a sweep with two axes; this one has {len(sweep.axes)}")
    arm = arm or sweep.arms[0]
    t = sweep.table(outcome)
    t = t[t["arm"] == arm]
    grid = t.pivot_table(index=sweep.axes[0], columns=sweep.axes[1], values="mean")
    fig, ax = plt.subplots(figsize=(6.5, 5))
    im = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(grid.shape[1]), [f"{v:g}" if isinstance(v, float) else str(v)
                                         for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [f"{v:g}" if isinstance(v, float) else str(v)
                                         for v in grid.index])
    ax.set_xlabel(sweep.axes[1])
    ax.set_ylabel(sweep.axes[0])
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            ax.text(j, i, f"{grid.iat[i, j]:.3g}", ha="center", va="center", color="white",
                    fontsize=8)
    fig.colorbar(im, ax=ax, label=f"{outcome} (mean over replicates)")
    ax.set_title(f"{sweep.attrs.get('sweep_name', '')}: {outcome}, arm {arm}", fontsize=10)
    fig.tight_layout()
    if out is not None:
        _save(fig, out)
    return fig


def plot_sobol(sweep: Sweep, outcome: str, arm: str | None = None, out: str | Path | None = None,
               bootstrap: int = 1000):
    """First-order and total Sobol' indices of `outcome`, with their bootstrap 95% CIs."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from .plot import _save

    s = sweep.sobol(outcome, arm, bootstrap=bootstrap)
    x = np.arange(len(s))
    fig, ax = plt.subplots(figsize=(1.6 * len(s) + 3, 4))
    for off, col, label in ((-0.2, "S1", "first-order S1"), (0.2, "ST", "total ST")):
        err = None
        if f"{col}_low" in s:
            err = [s[col] - s[f"{col}_low"], s[f"{col}_high"] - s[col]]
        ax.bar(x + off, s[col], width=0.4, yerr=err, capsize=3, label=label)
    ax.set_xticks(x, s.index, rotation=20, ha="right")
    ax.set_ylabel("Sobol' index")
    ax.axhline(0, color="black", linewidth=0.5)
    ax.legend()
    ax.set_title(f"{sweep.attrs.get('sweep_name', '')}: sensitivity of {outcome}", fontsize=10)
    fig.tight_layout()
    if out is not None:
        _save(fig, out)
    return fig
