"""A report of one civsim file: PNG figures and a Markdown page with its tables
(``python3 -m civsim_analysis report FILE.h5 -o DIR``). Works on run files, comparison files and
calibration logs; every number in the page is read from the file."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np

from .calibration import Calibration
from .compare import Comparison
from .files import open_file
from .plot import (informative_outcomes, plot_calibration, plot_compare, plot_degree_distribution,
                   plot_outcome_distributions, plot_paired_differences, plot_series)
from .reader import Run
from .stats import _num

# Series shown in a comparison report, in this order, when they vary between runs: stocks first
# (smooth at any step length), then flows.
REPORT_SERIES = ("reach", "unique_engagers", "rumour_believers", "correction_reach", "backlog",
                 "trust_mean", "gov_followers", "questions_asked", "questions_answered",
                 "likes", "comments", "staff_hours")


@dataclass
class Report:
    """What write_report wrote: the Markdown page and the figures (name -> path)."""

    markdown: Path
    figures: dict[str, Path] = field(default_factory=dict)


def varying_series(cmp: Comparison, candidates: Sequence[str] = REPORT_SERIES,
                   limit: int = 6) -> list[str]:
    """Up to `limit` of `candidates` whose values differ somewhere (a flat series says nothing)."""
    out = []
    for name in candidates:
        if name in cmp.series_names:
            v = cmp.array(name)
            finite = v[np.isfinite(v)]
            if finite.size and not np.all(finite == finite[0]):
                out.append(name)
        if len(out) == limit:
            break
    return out


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]],
                   align: Sequence[str] | None = None) -> str:
    """A GitHub-flavoured Markdown table; `align` holds 'l' or 'r' per column."""
    align = align or ["l"] * len(header)
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def ci_text(mean: float, low: float, high: float, n: int, digits: int = 3) -> str:
    if n < 2 or not np.isfinite(low):
        return _num(mean, digits)
    return f"{_num(mean, digits)} [{_num(low, digits)}, {_num(high, digits)}]"


def outcome_rows(cmp: Comparison, names: Sequence[str]) -> list[list[str]]:
    """Rows outcome, units, arm, mean [95% CI], paired difference vs the first arm [95% CI]."""
    rows = []
    for name in names:
        s = cmp._summary[name]
        for a, arm in enumerate(cmp.arms):
            if a == 0:
                diff = "(reference)"
            else:
                diff = ci_text(s["diff_mean"][a], s["diff_ci_low"][a], s["diff_ci_high"][a],
                               int(s["diff_n"][a]))
                low, high = s["diff_ci_low"][a], s["diff_ci_high"][a]
                if s["diff_n"][a] >= 2 and np.isfinite(low) and (low > 0 or high < 0):
                    diff += " *"
            rows.append([name if a == 0 else "", cmp.summary_units.get(name, "") if a == 0 else "",
                         arm, ci_text(s["mean"][a], s["ci_low"][a], s["ci_high"][a],
                                      int(s["n"][a])), diff])
    return rows


def provenance_lines(attrs: dict) -> list[str]:
    keys = ("scenario_name", "seed", "civsim_version", "git_sha", "git_dirty", "created",
            "command_line")
    return [f"- `{k}`: {attrs[k]}" for k in keys if k in attrs]


def _close(fig) -> None:
    plt.close(fig)


def _report_compare(cmp: Comparison, outdir: Path, title: str) -> Report:
    rep = Report(outdir / "report.md")
    series = varying_series(cmp)
    if series:
        _close(plot_compare(cmp, series, out=outdir / "series.png"))
        rep.figures["series"] = outdir / "series.png"
    outcomes = informative_outcomes(cmp)
    if outcomes:
        _close(plot_outcome_distributions(cmp, outcomes, out=outdir / "outcomes.png"))
        rep.figures["outcomes"] = outdir / "outcomes.png"
        if len(cmp.arms) > 1:
            _close(plot_paired_differences(cmp, outcomes, out=outdir / "differences.png"))
            rep.figures["differences"] = outdir / "differences.png"
    _close(plot_degree_distribution(cmp, out=outdir / "network.png"))
    rep.figures["network"] = outdir / "network.png"

    others = [o for o in informative_outcomes(cmp, cmp.outcomes) if o not in cmp.key_outcomes]
    md = [f"# {title}\n",
          f"Comparison of {len(cmp.arms)} arms ({', '.join(cmp.arms)}) with {cmp.replicates} "
          f"paired replicates each on one network of {cmp.network.get('citizens')} citizens "
          f"(`{cmp.path.name}`). Means with their 95% confidence intervals in brackets; "
          f"differences are paired by replicate (common random numbers) against "
          f"**{cmp.arms[0]}**; * marks a difference whose 95% CI excludes 0.\n",
          "## Key outcomes\n",
          markdown_table(["outcome", "units", "arm", "mean [95% CI]",
                          f"difference vs {cmp.arms[0]} [95% CI]"],
                         outcome_rows(cmp, cmp.key_outcomes), ["l", "l", "l", "r", "r"])]
    if others:
        md += ["\n## Other per-run outcomes that vary\n",
               markdown_table(["outcome", "units", "arm", "mean [95% CI]",
                               f"difference vs {cmp.arms[0]} [95% CI]"],
                              outcome_rows(cmp, others), ["l", "l", "l", "r", "r"])]
    md.append("\n## Figures\n")
    captions = {
        "series": "Series over time: each arm's mean with its 95% CI band (top) and the paired "
                  "difference from the reference arm (bottom).",
        "outcomes": "Final outcomes: every replicate run per arm, with the mean and its 95% CI.",
        "differences": "Paired differences of the final outcomes from the reference arm, 95% "
                       "CIs.",
        "network": "Degree distributions of the follower network (log-binned, /network).",
    }
    for key, path in rep.figures.items():
        md.append(f"![{key}]({path.name})\n\n{captions[key]}\n")
    md += ["\n## Provenance\n", *provenance_lines(cmp.attrs), ""]
    rep.markdown.write_text("\n".join(md))
    return rep


def _report_run(run: Run, outdir: Path, title: str) -> Report:
    rep = Report(outdir / "report.md")
    df = run.series()
    series = [s for s in REPORT_SERIES if s in df.columns and df[s].nunique(dropna=True) > 1][:6]
    if series:
        plot_series(run, outdir / "series.png", series)
        rep.figures["series"] = outdir / "series.png"
    _close(plot_degree_distribution(run, out=outdir / "network.png"))
    rep.figures["network"] = outdir / "network.png"
    rows = [[k, _num(float(v), 4), run.summary_units.get(k, "")]
            for k, v in run.summary.items()]
    md = [f"# {title}\n", f"One run (`{run.path.name}`), {run.network.get('citizens')} citizens.\n",
          "## Summary\n", markdown_table(["outcome", "value", "units"], rows, ["l", "r", "l"]),
          "\n## Figures\n"]
    for key, path in rep.figures.items():
        md.append(f"![{key}]({path.name})\n")
    md += ["\n## Provenance\n", *provenance_lines(run.attrs), ""]
    rep.markdown.write_text("\n".join(md))
    return rep


def calibration_rows(cal: Calibration) -> list[list[str]]:
    rows = []
    for _, t in cal.targets.iterrows():
        within = abs(t["relative_error"]) <= t["tolerance"]
        rows.append([t["name"], f"`{t['statistic']}`", _num(t["value"], 4),
                     ci_text(t["simulated"], t["ci_low"], t["ci_high"],
                             int(cal.attrs.get("replicates", 0)), 4),
                     f"{100 * t['relative_error']:+.1f}%", f"{100 * t['tolerance']:g}%",
                     "yes" if within else "**no**"])
    return rows


def _report_calibration(cal: Calibration, outdir: Path, title: str) -> Report:
    rep = Report(outdir / "report.md")
    _close(plot_calibration(cal, out=outdir / "calibration.png"))
    rep.figures["calibration"] = outdir / "calibration.png"
    prows = [[p["name"], p["keys"], _num(p["start"], 4), _num(p["fitted"], 4),
              f"[{_num(p['lower'], 3)}, {_num(p['upper'], 3)}] {p['scale']}"]
             for _, p in cal.parameters.iterrows()]
    a = cal.attrs
    md = [f"# {title}\n",
          f"Nelder–Mead over {a.get('evaluations')} evaluations of {a.get('replicates')} "
          f"replicates each ({a.get('stop_reason')}); distance at the fitted values "
          f"{_num(float(a.get('final_distance', float('nan'))), 3)}. Simulated values are means "
          f"over the replicates with their 95% CI.\n",
          "## Targets\n",
          markdown_table(["target", "statistic", "value", "simulated [95% CI]", "error",
                          "tolerance", "within"], calibration_rows(cal),
                         ["l", "l", "r", "r", "r", "r", "l"]),
          "\n## Parameters\n",
          markdown_table(["parameter", "keys", "start", "fitted", "bounds"], prows,
                         ["l", "l", "r", "r", "l"]),
          "\n## Figures\n", "![calibration](calibration.png)\n",
          "\n## Provenance\n", *provenance_lines(a), ""]
    rep.markdown.write_text("\n".join(md))
    return rep


def write_report(path: str | Path, outdir: str | Path, title: str | None = None) -> Report:
    """Writes figures and report.md for a run file, comparison file or calibration log into
    `outdir` (created if needed). Returns what it wrote."""
    data = open_file(path)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    title = title or f"{data.attrs.get('scenario_name', Path(path).stem)}"
    if isinstance(data, Comparison):
        return _report_compare(data, outdir, title)
    if isinstance(data, Calibration):
        return _report_calibration(data, outdir, title)
    return _report_run(data, outdir, title)
