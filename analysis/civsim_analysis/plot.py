"""Figures from run files and comparison files."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")  # files only; no display needed on clusters or CI
import matplotlib.pyplot as plt  # noqa: E402

import numpy as np  # noqa: E402
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


def informative_outcomes(cmp: Comparison, outcomes: Sequence[str] | None = None) -> list[str]:
    """The key outcomes (or `outcomes`) that are not the same constant in every run (a
    constant, e.g. rumour believers in a scenario without rumours, says nothing in a figure)."""
    names = list(outcomes) if outcomes is not None else list(cmp.key_outcomes)
    out = []
    for name in names:
        if name not in cmp.outcomes:
            raise KeyError(f"no per-run scalar {name!r} in {cmp.path}; available: {cmp.outcomes}")
        v = cmp._summary[name]["values"]
        finite = v[np.isfinite(v)]
        if finite.size and not np.all(finite == finite[0]):
            out.append(name)
    return out


def _grid(n: int, columns: int, width: float = 3.6, height: float = 3.0):
    ncols = max(1, min(columns, n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False)
    for j in range(n, nrows * ncols):
        axes[j // ncols, j % ncols].set_visible(False)
    return fig, [axes[i // ncols, i % ncols] for i in range(n)]


def plot_outcome_distributions(cmp: Comparison, outcomes: Sequence[str] | None = None,
                               out: str | Path | None = None, columns: int = 3) -> Figure:
    """One panel per outcome: the final value of every replicate run of each arm (points, the
    replicates of one arm side by side), a box of their spread, and the arm's mean with its 95%
    CI (black bar). Default outcomes: the key outcomes that vary. Writes to `out` when given;
    returns the figure."""
    names = informative_outcomes(cmp, outcomes)
    if not names:
        raise ValueError(f"no outcome in {cmp.path} varies between runs")
    fig, axes = _grid(len(names), columns)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    offsets = np.linspace(-0.18, 0.18, cmp.replicates) if cmp.replicates > 1 else np.zeros(1)
    for ax, name in zip(axes, names):
        s = cmp._summary[name]
        values = s["values"]
        ax.boxplot([v[np.isfinite(v)] for v in values], positions=range(len(cmp.arms)),
                   widths=0.5, showfliers=False, medianprops={"color": "0.4"})
        for a in range(len(cmp.arms)):
            ax.scatter(a + offsets, values[a], s=14, color=colours[a % len(colours)], zorder=3,
                       alpha=0.8, lw=0)
            if s["n"][a] >= 2:
                ax.errorbar(a + 0.32, s["mean"][a],
                            yerr=[[s["mean"][a] - s["ci_low"][a]], [s["ci_high"][a] - s["mean"][a]]],
                            fmt="o", color="black", ms=3, capsize=3, lw=1)
        ax.set_xticks(range(len(cmp.arms)), cmp.arms, rotation=20, fontsize=8, ha="right")
        ax.set_title(name, fontsize=9)
        ax.set_ylabel(cmp.summary_units.get(name, ""), fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle(f"{cmp.attrs.get('scenario_name', '')}: final outcomes of {cmp.replicates} "
                 f"replicates per arm (box: spread; bar: mean and 95% CI)", fontsize=10)
    fig.tight_layout()
    if out is not None:
        _save(fig, out)
    return fig


def plot_paired_differences(cmp: Comparison, outcomes: Sequence[str] | None = None,
                            out: str | Path | None = None, columns: int = 3) -> Figure:
    """One panel per outcome: each arm's mean paired difference from the first (reference) arm
    with its 95% CI, paired by replicate (common random numbers). A bar that does not cross zero
    is a difference the replicates resolve. Writes to `out` when given; returns the figure."""
    if len(cmp.arms) < 2:
        raise ValueError(f"{cmp.path} has one arm: nothing to compare")
    names = informative_outcomes(cmp, outcomes)
    if not names:
        raise ValueError(f"no outcome in {cmp.path} varies between runs")
    fig, axes = _grid(len(names), columns, height=0.9 + 0.45 * len(cmp.arms))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    others = list(range(1, len(cmp.arms)))
    for ax, name in zip(axes, names):
        s = cmp._summary[name]
        for y, a in enumerate(others):
            mean, low, high = s["diff_mean"][a], s["diff_ci_low"][a], s["diff_ci_high"][a]
            colour = colours[a % len(colours)]
            if np.isfinite(low) and np.isfinite(high):
                ax.errorbar(mean, y, xerr=[[mean - low], [high - mean]], fmt="o", color=colour,
                            capsize=3, ms=4)
            else:
                ax.plot(mean, y, "o", color=colour, ms=4)
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_yticks(range(len(others)), [cmp.arms[a] for a in others], fontsize=8)
        ax.set_ylim(-0.6, len(others) - 0.4)
        ax.invert_yaxis()
        ax.set_title(name, fontsize=9)
        ax.set_xlabel(f"difference vs {cmp.arms[0]} [{cmp.summary_units.get(name, '')}]",
                      fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle(f"{cmp.attrs.get('scenario_name', '')}: paired differences vs {cmp.arms[0]}, "
                 f"mean and 95% CI over {cmp.replicates} replicates", fontsize=10)
    fig.tight_layout()
    if out is not None:
        _save(fig, out)
    return fig


def degree_distribution(network: dict) -> dict[str, tuple[np.ndarray, np.ndarray, int]]:
    """From a file's /network bins (`open_run(F).network` or `open_compare(F).network`): for
    'followers' and 'followees', (counts k, share of citizens per unit of k, citizens with 0).
    Bin k >= 1 holds counts in [2^(k-1), 2^k); its share is divided by its width and placed at
    its geometric centre, so a power law shows as a straight line on log-log axes."""
    out = {}
    citizens = float(network.get("citizens", 0)) or 1.0
    for what in ("followers", "followees"):
        bins = np.asarray(network[f"{what[:-1]}_bins"], dtype=float)
        counts = np.asarray(network[f"{what[:-1]}_counts"], dtype=float)
        zero = int(counts[bins == 0].sum())
        keep = (bins >= 1) & (counts > 0)
        lower = bins[keep]
        width = lower  # [2^(k-1), 2^k) has width 2^(k-1), its lower edge
        centre = np.sqrt(lower * (2 * lower - 1)) if lower.size else lower
        out[what] = (centre, counts[keep] / citizens / width, zero)
    return out


def plot_degree_distribution(data: Run | Comparison, out: str | Path | None = None) -> Figure:
    """The network's follower (in-degree) and followee (out-degree) distributions on log-log
    axes, from the logarithmic bins under /network. Writes to `out` when given; returns the
    figure."""
    net = data.network
    if "follower_bins" not in net:
        raise KeyError(f"{data.path}: /network has no degree bins")
    dist = degree_distribution(net)
    fig, ax = plt.subplots(figsize=(5.5, 4.0))
    for what, marker in (("followers", "o"), ("followees", "s")):
        k, p, zero = dist[what]
        ax.loglog(k, p, marker=marker, ms=4, lw=1, label=f"{what} ({zero} citizens with 0)")
    ax.set_xlabel("count k (followers or accounts followed)")
    ax.set_ylabel("share of citizens per unit of k")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    ax.set_title(f"{data.attrs.get('scenario_name', '')}: degree distributions, "
                 f"{net.get('citizens')} citizens, {net.get('edges')} follows", fontsize=9)
    fig.tight_layout()
    if out is not None:
        _save(fig, out)
    return fig


def plot_calibration(cal, out: str | Path | None = None) -> Figure:
    """A calibration log: the distance of every evaluation (log scale; the final check at the
    fitted values marked) and each parameter's path. Writes to `out` when given."""
    ev = cal.evaluations
    params = list(cal.parameters["name"])
    fig, axes = plt.subplots(1 + len(params), 1, figsize=(6.5, 2.0 + 1.3 * len(params)),
                             sharex=True, squeeze=False)
    axes = axes[:, 0]
    search = ev[~ev["final"]]
    final = ev[ev["final"]]
    axes[0].semilogy(search["evaluation"], search["distance"].clip(lower=1e-12), ".-", lw=0.8,
                     ms=3)
    axes[0].semilogy(final["evaluation"], final["distance"].clip(lower=1e-12), "r*", ms=9,
                     label="fitted values (rounded), as written")
    axes[0].set_ylabel("distance", fontsize=8)
    axes[0].legend(fontsize=7)
    for ax, (_, p) in zip(axes[1:], cal.parameters.iterrows()):
        ax.plot(ev["evaluation"], ev[p["name"]], ".-", lw=0.8, ms=3)
        if p["scale"] == "log":
            ax.set_yscale("log")
        ax.set_ylabel(p["name"], fontsize=8)
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    axes[-1].set_xlabel("evaluation")
    fig.suptitle(f"calibration of {cal.attrs.get('scenario_name', '')}: "
                 f"{len(ev)} evaluations, {cal.attrs.get('replicates')} replicates each",
                 fontsize=10)
    fig.tight_layout()
    if out is not None:
        _save(fig, out)
    return fig
