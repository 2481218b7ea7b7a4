"""Figures from run files."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")  # files only; no display needed on clusters or CI
import matplotlib.pyplot as plt  # noqa: E402

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
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp{out.suffix}")
    fig.savefig(tmp, dpi=120)
    plt.close(fig)
    tmp.replace(out)
    return out
