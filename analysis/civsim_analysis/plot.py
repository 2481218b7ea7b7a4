"""Figures from run files and comparison files."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")  # files only; no display needed on clusters or CI
import matplotlib.pyplot as plt  # noqa: E402

from matplotlib.figure import Figure  # noqa: E402

from .compare import Comparison  # noqa: E402
from .reader import Run  # noqa: E402

DEFAULT_PANELS = ("reach", "impressions", "reshares")


def plot_series(run: Run, out: str | Path, columns: Sequence[str] = DEFAULT_PANELS) -> Path:
    """Writes one panel per series against simulated days to a PNG (or any matplotlib format)."""
    df = run.series()
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"series not in {run.path}: {missing}; available: {list(df.columns)}")
    days = df.index.to_numpy() / 24.0
    fig, axes = plt.subplots(len(columns), 1, figsize=(7, 2.2 * len(columns)), sharex=True)
    axes = [axes] if len(columns) == 1 else list(axes)
    for ax, name in zip(axes, columns):
        ax.plot(days, df[name].to_numpy(), lw=1.2)
        ax.set_ylabel(f"{name}\n[{run.units.get(name, '')}]")
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel("simulated time [days]")
    attrs = run.attrs
    fig.suptitle(
        f"{attrs.get('scenario_name', '')}: {attrs.get('strategy', '')}, seed {attrs.get('seed')}, "
        f"{run.network.get('citizens')} citizens",
        fontsize=10,
    )
    fig.tight_layout()
    try:
        return _save(fig, out)
    finally:
        plt.close(fig)


DEFAULT_COMPARE_PANELS = ("reach", "trust_mean", "rumour_believers", "questions_answered",
                          "backlog", "staff_hours")


def plot_compare(cmp: Comparison, series: Sequence[str] = DEFAULT_COMPARE_PANELS,
                 out: str | Path | None = None, columns: int = 3) -> Figure:
    """A grid with two panels per series: each arm's mean over replicates with its 95% CI as a
    shaded band, and below it the paired difference of each arm vs the first (reference) arm
    with its CI. Writes the figure to `out` (PNG or any matplotlib format) when given; returns
    the figure either way (close it with ``matplotlib.pyplot.close``)."""
    series = list(series)
    if not series:
        raise ValueError("no series to plot")
    missing = [s for s in series if s not in cmp.series_names]
    if missing:
        raise KeyError(f"series not in {cmp.path}: {missing}; available: {cmp.series_names}")
    ncols = min(columns, len(series))
    nrows = -(-len(series) // ncols)
    fig, axes = plt.subplots(2 * nrows, ncols, figsize=(4.6 * ncols, 4.4 * nrows), sharex=True,
                             squeeze=False, gridspec_kw={"height_ratios": [2, 1] * nrows})
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    reference = cmp.arms[0]
    for i, name in enumerate(series):
        top, bottom = axes[2 * (i // ncols), i % ncols], axes[2 * (i // ncols) + 1, i % ncols]
        st = cmp.stats(name)
        for a, arm in enumerate(cmp.arms):
            rows = st[st["arm"] == arm]
            days = rows["time_hours"].to_numpy() / 24.0
            colour = colours[a % len(colours)]
            top.plot(days, rows["mean"], lw=1.2, color=colour, label=arm)
            top.fill_between(days, rows["ci_low"], rows["ci_high"], color=colour, alpha=0.2,
                             lw=0)
            if a == 0:
                bottom.axhline(0, color=colour, lw=1.0, label=f"{arm} (reference)")
                continue
            bottom.plot(days, rows["diff_mean"], lw=1.2, color=colour, label=f"{arm} - {reference}")
            bottom.fill_between(days, rows["diff_ci_low"], rows["diff_ci_high"], color=colour,
                                alpha=0.2, lw=0)
        top.set_title(name, fontsize=10)
        top.set_ylabel(cmp.units.get(name, ""), fontsize=8)
        bottom.set_ylabel(f"difference vs\n{reference}", fontsize=8)
        for ax in (top, bottom):
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=8)
        if i + ncols >= len(series):  # the lowest panel of its column
            bottom.set_xlabel("simulated time [days]", fontsize=8)
            bottom.xaxis.set_tick_params(labelbottom=True)
    for j in range(len(series), nrows * ncols):  # unused cells of the last row
        axes[2 * (j // ncols), j % ncols].set_visible(False)
        axes[2 * (j // ncols) + 1, j % ncols].set_visible(False)
    axes[0, 0].legend(fontsize=8, loc="best")
    attrs = cmp.attrs
    fig.suptitle(
        f"{attrs.get('scenario_name', '')}: {', '.join(cmp.arms)}; mean and 95% CI over "
        f"{cmp.replicates} replicates (differences paired by replicate), seed {attrs.get('seed')}, "
        f"{cmp.network.get('citizens')} citizens",
        fontsize=10,
    )
    fig.tight_layout()
    if out is not None:
        _save(fig, out)
    return fig


def _save(fig: Figure, out: str | Path) -> Path:
    """Writes under a temporary name and renames, so a figure under its real name is whole."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp{out.suffix}")
    fig.savefig(tmp, dpi=120)
    tmp.replace(out)
    return out
