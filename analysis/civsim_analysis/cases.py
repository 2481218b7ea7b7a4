"""The report cases (scenarios/report/): a results page that compares each case's comparison
file with the published figures it was built from and states the paired differences between
its arms, every number computed from the files (``python3 -m civsim_analysis cases DIR``, run by
``scripts/reproduce-report``)."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .calibration import evaluate_statistic, read_targets
from .compare import Comparison, open_compare
from .report import markdown_table, write_report
from .stats import Interval, format_interval, mean_ci, paired_difference, _num

DUTCH_TWITTER_USERS = 2_600_000  # 2016 (calibration.md: 3.5M in 2014 -> 2.6M in 2016)


def parse_duration_hours(text: str) -> float:
    """A scenario duration ("2d 3h 50m", "1w", "90m") in hours."""
    units = {"w": 168.0, "d": 24.0, "h": 1.0, "m": 1 / 60, "s": 1 / 3600}
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([wdhms])", text)
    if not parts or re.sub(r"[\d.\swdhms]", "", text):
        raise ValueError(f"not a duration: {text!r}")
    return sum(float(n) * units[u] for n, u in parts)


def per_run(cmp: Comparison, statistic: str) -> np.ndarray:
    """A statistic ("total_likes / total_posts") of every run, [arm, replicate]."""
    scalars = {name: cmp._summary[name]["values"] for name in cmp.outcomes}
    return np.broadcast_to(evaluate_statistic(statistic, scalars),
                           (len(cmp.arms), cmp.replicates)).astype(float)


@dataclass
class Finding:
    """A statistic whose paired differences between arms the results page states."""

    label: str
    statistic: str
    units: str = ""
    digits: int = 3


@dataclass
class Case:
    key: str                  # file stem: results/report/<key>.h5
    title: str
    scenario: str             # path in the repository
    summary: str              # one paragraph: what the case asks
    findings: list[Finding] = field(default_factory=list)
    published: Callable[[Comparison, Path], str] | None = None  # section vs published figures
    # (arm, reference) pairs whose differences are stated; default: every arm vs the first.
    pairs: list[tuple[str, str]] | None = None


def _setup(cmp: Comparison) -> str:
    return (f"{cmp.network.get('citizens'):,} citizens, {len(cmp.time_hours)} steps, arms "
            f"{', '.join(f'**{a}**' for a in cmp.arms)} (reference: {cmp.arms[0]}), "
            f"{cmp.replicates} paired replicates each, seed {cmp.attrs.get('seed')}")


def differences_text(cmp: Comparison, findings: Sequence[Finding],
                     pairs: Sequence[tuple[str, str]] | None = None) -> str:
    """One bullet per (arm, reference) pair and finding: both means, the paired difference with
    its 95% CI, and whether the replicates resolve it. Default pairs: every arm vs the first."""
    pairs = pairs or [(arm, cmp.arms[0]) for arm in cmp.arms[1:]]
    lines = []
    for arm, ref in pairs:
        a, r = cmp.arms.index(arm), cmp.arms.index(ref)
        parts = []
        for f in findings:
            values = per_run(cmp, f.statistic)
            d = paired_difference(values[a], values[r])
            arm_iv, ref_iv = mean_ci(values[a]), mean_ci(values[r])
            if d.n == 0:
                verdict = f"no difference to state: {ref if ref_iv.n == 0 else arm} has no value"
            elif d.n < 2:
                verdict = "one replicate: no CI"
            elif d.half_width == 0 and d.mean == 0:
                verdict = "identical in every replicate"
            elif d.excludes_zero():
                verdict = "the CI excludes 0"
            else:
                verdict = "not resolved at this number of replicates"
            units = f" {f.units}" if f.units else ""
            diff = f"difference {_signed(d, f.digits)}: " if d.n else ""
            parts.append(f"  - {f.label}: {_num(arm_iv.mean, f.digits)}{units} vs "
                         f"{_num(ref_iv.mean, f.digits)}; {diff}{verdict}")
        lines.append(f"- **{arm}** compared with **{ref}**:\n" + "\n".join(parts))
    return "\n".join(lines) + "\n"


def _signed(iv: Interval, digits: int) -> str:
    text = format_interval(iv, digits)
    return text if text.startswith("-") or text == "n/a" else "+" + text


# --- the published figures of each case -------------------------------------------------------

def timmermans_published(cmp: Comparison, root: Path) -> str:
    targets = read_targets(root / "scenarios/report/timmermans-targets.toml")
    arm = "personal" if "personal" in cmp.arms else cmp.arms[0]
    a = cmp.arms.index(arm)
    rows, within = [], 0
    for t in targets:
        iv = mean_ci(per_run(cmp, t["statistic"])[a])
        err = iv.mean / t["value"] - 1
        ok = abs(err) <= t["tolerance"]
        within += ok
        rows.append([t["name"], t["source"], _num(t["value"], 4), format_interval(iv, 4),
                     f"{100 * err:+.1f}%", "yes" if ok else "**no**"])
    return (f"The factsheet figures against the **{arm}** arm (the page as it was run), each "
            f"statistic computed per replicate and averaged; {within} of {len(targets)} within "
            f"their {100 * targets[0]['tolerance']:g}% tolerance. The fit itself: "
            f"`civsim calibrate scenarios/report/timmermans-facebook.toml --targets "
            f"scenarios/report/timmermans-targets.toml -o FITTED.toml` (docs/calibration.md).\n\n"
            + markdown_table(["target", "published", "value", "simulated (95% CI)", "error",
                              "within 10%"], rows, ["l", "l", "r", "r", "r", "l"]))


def quake_volumes(cmp: Comparison) -> dict[str, np.ndarray]:
    """Questions in the first 10 minutes and the first 12 hours after the first shock, per run
    [arm, replicate], and the scale factor f = citizens / Dutch Twitter users."""
    scenario = tomllib.loads(cmp.scenario)
    step = parse_duration_hours(scenario["time"]["step"])
    shock = next(e for e in scenario.get("events", []) if e["type"] == "shock")
    s = int(round(parse_duration_hours(shock["at"]) / step))
    q = cmp.array("questions_asked")
    first = q[:, :, s:s + max(1, int(round((10 / 60) / step)))].sum(axis=2)
    half_day = q[:, :, s:s + int(round(12 / step))].sum(axis=2)
    return {"first_10min": first, "first_12h": half_day,
            "f": np.array(cmp.network["citizens"] / DUTCH_TWITTER_USERS)}


def groningen_published(cmp: Comparison, root: Path) -> str:
    v = quake_volumes(cmp)
    f = float(v["f"])
    rows = []
    for key, label, published in (("first_10min", "first 10 minutes", 200),
                                  ("first_12h", "first 12 hours (by the afternoon)", 7000)):
        iv = mean_ci(v[key][0])
        rows.append([label, f"~{published:,}", _num(published * f, 3), format_interval(iv, 3),
                     f"{iv.mean / (published * f):.2f}"])
    return (f"Westerwijtwerd 2019 (NRC): ~200 tweets in the first 10 minutes and ~7,000 by the "
            f"afternoon, scaled by f = {cmp.network['citizens']:,} / 2.6M Dutch Twitter users = "
            f"{f:.3g}. The model's citizen messages to compare are public questions to the "
            f"government accounts (the model has no general tweet about the quake); "
            f"**{cmp.arms[0]}** arm:\n\n"
            + markdown_table(["after the quake", "published tweets", "scaled", "simulated "
                              "questions (95% CI)", "simulated / scaled"], rows,
                             ["l", "r", "r", "r", "r"]))


def webcare_days(cmp: Comparison) -> dict[str, np.ndarray]:
    """Questions per day of every run [arm, replicate]: on ordinary days (all but the day of
    the first shock event and the next) and on the day of the shock (the announcement)."""
    scenario = tomllib.loads(cmp.scenario)
    step = parse_duration_hours(scenario["time"]["step"])
    per_day = int(round(24 / step))
    q = cmp.array("questions_asked")
    days = q.shape[2] // per_day
    daily = q[:, :, :days * per_day].reshape(q.shape[0], q.shape[1], days, per_day).sum(axis=3)
    shock = next((e for e in scenario.get("events", []) if e["type"] == "shock"), None)
    if shock is None:
        return {"ordinary": daily.mean(axis=2), "announcement": np.full(daily.shape[:2], np.nan)}
    day = int(parse_duration_hours(shock["at"]) // 24)
    ordinary = np.delete(daily, [d for d in (day, day + 1) if d < days], axis=2)
    return {"ordinary": ordinary.mean(axis=2), "announcement": daily[:, :, day]}


def webcare_published(cmp: Comparison, root: Path) -> str:
    days = webcare_days(cmp)
    rows = []
    for a, arm in enumerate(cmp.arms):
        cells = [arm, format_interval(mean_ci(days["ordinary"][a]), 3),
                 format_interval(mean_ci(days["announcement"][a]), 3)]
        for stat, digits in (("reply_rate", 2), ("mean_response_time", 3),
                             ("answered_within_2h", 2)):
            cells.append(format_interval(mean_ci(per_run(cmp, stat)[a]), digits))
        rows.append(cells)
    rows.append(["*published*", "about 1 (5% of municipalities reply more than once a day, "
                 "2013)", "Breda x0.36: ~18 to >36", "0.88 within a week (Overijssel 2017); "
                 "0.38 (US cities)", "21 (2015) [S]", "0.40 [S]"])
    return ("Responsiveness per arm over the four weeks (reply rate: answered publicly or "
            "privately over asked; response times over the questions answered), against the "
            "2013-2015 Dutch figures ([S]: from a secondary summary):\n\n"
            + markdown_table(["arm", "questions / ordinary day", "questions on the "
                              "announcement day", "reply rate", "mean response time [h]",
                              "answered within 2 h"], rows, ["l", "r", "r", "r", "r", "r"]))


CASES = [
    Case("timmermans-facebook", "Timmermans' Facebook page, January–March 2014",
         "scenarios/report/timmermans-facebook.toml",
         "A minister's page with 37,523 followers and 75 posts in a quarter, written by the "
         "minister himself (personal: dialogue, every fourth post inviting reactions, "
         "contributors thanked) or by a press office (broadcast, 75 information posts). Calibrated "
         "to the factsheet's likes and comments per post and unique engagers.",
         [Finding("likes per post", "total_likes / total_posts"),
          Finding("comments per post", "total_comments / total_posts"),
          Finding("unique engagers", "unique_engagers", "citizens"),
          Finding("followers at the end", "final_gov_followers")],
         timmermans_published),
    Case("groningen-quake", "An earthquake in Groningen, a night-time shock and a distrust "
         "rumour", "scenarios/report/groningen-quake.toml",
         "A quake at 03:50 on a Wednesday raises concern and a burst of questions in the "
         "province; an hour later a rumour (\"the institute consulted the gas company first\") "
         "starts there. The ministry and the province broadcast, answer questions (reactive) or "
         "also correct the rumour and consult (dialogue).",
         [Finding("questions answered", "total_questions_answered"),
          Finding("questions given up", "questions_unanswered"),
          Finding("complaints", "complaints", "posts"),
          Finding("peak rumour believers", "peak_rumour_believers", "citizens"),
          Finding("citizens who saw a correction", "final_correction_reach", "citizens"),
          Finding("final mean trust", "final_trust_mean", digits=3),
          Finding("staff hours", "total_staff_hours", "h")],
         groningen_published),
    Case("municipal-webcare", "Webcare of a Dutch municipality, 0.2 to 3 FTE",
         "scenarios/report/municipal-webcare.toml",
         "A municipality of ~65,000 inhabitants (10,000 platform users) receives about one "
         "question a day, and tens on the day after an announcement. No webcare (broadcast), "
         "reactive webcare with 0.2, 1 or 3 FTE in office hours, or dialogue with 1 FTE.",
         [Finding("reply rate", "reply_rate", digits=2),
          Finding("mean response time", "mean_response_time", "h"),
          Finding("answered within 2 h", "answered_within_2h", digits=2),
          Finding("complaints", "complaints", "posts"),
          Finding("final mean trust", "final_trust_mean", digits=3),
          Finding("staff hours", "total_staff_hours", "h")],
         webcare_published,
         [("webcare-0.2fte", "broadcast"), ("webcare-1fte", "webcare-0.2fte"),
          ("webcare-3fte", "webcare-1fte"), ("dialogue-1fte", "webcare-1fte")]),
]


def write_cases(results: str | Path, root: str | Path, mode: str = "full",
                seconds: float | None = None) -> Path:
    """Writes results/README.md (and each case's report into results/<case>/) from the
    comparison files results/<case>.h5 of the report cases; `root` is the repository (for the
    targets file and scenario links). Returns the README's path."""
    results, root = Path(results), Path(root)
    sections, provenance = [], None
    for case in CASES:
        path = results / f"{case.key}.h5"
        if not path.exists():
            raise FileNotFoundError(f"{path}: run scripts/reproduce-report first")
        cmp = open_compare(path)
        provenance = provenance or cmp.attrs
        rep = write_report(path, results / case.key, title=case.title)
        figs = rep.figures
        text = [f"## {case.title}\n", f"{case.summary}\n",
                f"Scenario [`{case.scenario}`](../../{case.scenario}); run: {_setup(cmp)}. Full "
                f"tables: [{case.key}/report.md]({case.key}/report.md).\n"]
        if case.published:
            text += ["### Against the published figures\n", case.published(cmp, root)]
        text += ["\n### Differences between the arms\n",
                 "Means over replicates; differences paired by replicate (common random "
                 "numbers), with 95% Student-t CIs.\n",
                 differences_text(cmp, case.findings, case.pairs)]
        for key in ("differences", "outcomes"):
            if key in figs:
                text.append(f"\n![{case.key} {key}]({case.key}/{figs[key].name})\n")
        sections.append("\n".join(text))
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    p = provenance or {}
    head = [
        "# civsim report cases: results\n",
        f"Generated by `scripts/reproduce-report{' --quick' if mode == 'quick' else ''}` on "
        f"{when} with civsim {p.get('civsim_version', '?')} (git {p.get('git_sha', '?')}"
        f"{', dirty' if p.get('git_dirty') == 'true' else ''})"
        + (f"; the simulations took {seconds:.0f} s" if seconds is not None else "")
        + ". Every number below is "
        "computed from the comparison files in this folder; nothing is written by hand.\n",
    ]
    if mode == "quick":
        head.append("**Quick mode**: fewer replicates and a smaller Groningen population (the "
                    "published volumes are scaled to it), for a first look and for CI; the "
                    "intervals are wide. Run `scripts/reproduce-report` for the full version.\n")
    head.append("The scenarios, the figures they use and how they were scaled: "
                "[docs/report-cases.md](../../docs/report-cases.md).\n")
    out = results / "README.md"
    tmp = results / ".README.md.tmp"
    tmp.write_text("\n".join(head) + "\n" + "\n\n".join(sections))
    tmp.replace(out)
    return out
