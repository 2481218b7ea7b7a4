"""The analysis package's readers, statistics, figures and reports on files the real executable
wrote: run files, comparison files and calibration logs."""
from __future__ import annotations

import shutil
import struct
import subprocess
import sys
from pathlib import Path

import h5py
import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy import stats

from civsim_analysis import (Calibration, Comparison, FormatError, Run, evaluate_statistic,
                             mean_ci, open_calibration, open_compare, open_file, open_run,
                             paired_difference, plot_degree_distribution,
                             plot_outcome_distributions, plot_paired_differences, write_report)
from civsim_analysis.cases import parse_duration_hours
from civsim_analysis.plot import degree_distribution, informative_outcomes

TARGETS = """
[targets.likes_per_post]
statistic = "total_likes / total_posts"
value = 12
[params.like]
keys = ["reactions.information.like"]
lower = 0.001
upper = 0.5
scale = "log"
[calibration]
replicates = 1
max_evaluations = 8
"""


@pytest.fixture(scope="module")
def small_calibration(run_civsim, small_scenario, tmp_path_factory) -> Path:
    """A calibration log of the small scenario: one parameter, a budget of 8 evaluations."""
    d = tmp_path_factory.mktemp("calibration")
    (d / "targets.toml").write_text(TARGETS)
    run_civsim("calibrate", small_scenario, "--targets", d / "targets.toml", "-o",
               d / "fitted.toml", "-q", check=True)
    return d / "fitted.calibration.h5"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_open_file_reads_each_kind(small_run, small_compare, small_calibration):
    assert isinstance(open_file(small_run), Run)
    assert isinstance(open_file(small_compare), Comparison)
    cal = open_file(small_calibration)
    assert isinstance(cal, Calibration) and cal.format_version == "1.0"
    assert list(cal.parameters["name"]) == ["like"]
    assert list(cal.targets["name"]) == ["likes_per_post"]
    assert cal.targets["statistic"][0] == "total_likes / total_posts"
    assert len(cal.evaluations) == 9  # the budget of 8 plus the check at the rounded values
    assert cal.evaluations["final"].tolist() == [False] * 8 + [True]
    assert cal.replicate_values.shape == (9, 1, 1)
    assert cal.network["citizens"] == 20000
    assert "likes_per_post" in cal.targets_file and "[reactions" in cal.fitted_scenario


@pytest.mark.parametrize("kind", ["run", "compare", "calibration"])
def test_readers_reject_an_unknown_major_version(small_run, small_compare, small_calibration,
                                                 tmp_path, kind):
    source = {"run": small_run, "compare": small_compare, "calibration": small_calibration}[kind]
    opener = {"run": open_run, "compare": open_compare, "calibration": open_calibration}[kind]
    copy = tmp_path / f"{kind}.h5"
    shutil.copy(source, copy)
    with h5py.File(copy, "r+") as f:
        f.attrs["format_version"] = "99.0"
    with pytest.raises(FormatError, match="99.0"):
        opener(copy)
    with pytest.raises(FormatError, match="99.0"):
        open_file(copy)
    # A minor version is compatible.
    with h5py.File(copy, "r+") as f:
        major = {"run": "2", "compare": "1", "calibration": "1"}[kind]
        f.attrs["format_version"] = f"{major}.7"
    assert opener(copy).format_version == f"{major}.7"


def test_readers_reject_the_wrong_kind_of_file(small_run, small_calibration):
    with pytest.raises(FormatError, match="not a civsim calibration log"):
        open_calibration(small_run)
    with pytest.raises(FormatError, match="not a civsim comparison file"):
        open_compare(small_calibration)


def test_mean_ci_matches_scipy_on_known_data():
    rng = np.random.default_rng(7)
    for n in (2, 3, 5, 30):
        x = rng.normal(10, 3, n)
        iv = mean_ci(x)
        low, high = stats.t.interval(0.95, n - 1, loc=x.mean(), scale=stats.sem(x))
        assert iv.n == n and iv.mean == pytest.approx(x.mean(), rel=1e-14)
        assert iv.low == pytest.approx(low, rel=1e-12)
        assert iv.high == pytest.approx(high, rel=1e-12)
    # Known values: 1..5 -> mean 3, half-width t(0.975, 4) * sqrt(2.5) / sqrt(5).
    iv = mean_ci([1, 2, 3, 4, 5])
    assert iv.half_width == pytest.approx(2.7764451051977934 * np.sqrt(0.5), rel=1e-12)
    assert mean_ci([1, 2, 3, 4, 5], level=0.9).half_width < iv.half_width
    assert mean_ci([1.0, np.nan, 3.0]).n == 2
    assert np.isnan(mean_ci([4.0]).low) and mean_ci([4.0]).mean == 4.0
    assert mean_ci([]).n == 0
    d = paired_difference([3.1, 4, 5.2], [1, 2, 3])
    assert d.mean == pytest.approx(2.1) and d.excludes_zero()
    assert not paired_difference([1, 2], [2, 1]).excludes_zero()
    with pytest.raises(ValueError):
        paired_difference([1, 2], [1])


def test_comparison_file_cis_agree_with_scipy(small_compare):
    """The intervals civsim writes and mean_ci both equal scipy's t interval on the file's own
    per-run values."""
    cmp = open_compare(small_compare)
    for name in ("final_reach", "total_impressions"):
        s = cmp._summary[name]
        for a in range(len(cmp.arms)):
            x = s["values"][a]
            low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
            if np.isfinite(low):
                assert s["ci_low"][a] == pytest.approx(low, rel=1e-9)
                assert s["ci_high"][a] == pytest.approx(high, rel=1e-9)
                assert mean_ci(x).low == pytest.approx(low, rel=1e-12)


def test_statistics_evaluate_per_run():
    s = {"total_likes": np.array([[10.0, 20.0]]), "total_posts": np.array([[5.0, 5.0]])}
    np.testing.assert_allclose(evaluate_statistic("total_likes / total_posts", s), [[2, 4]])
    assert evaluate_statistic("-(1 + 2) * 3", {}) == -9
    with pytest.raises(KeyError, match="nope"):
        evaluate_statistic("nope + 1", s)
    for bad in ("__import__('os')", "total_likes ** 2", "a if b else c", "1 +"):
        with pytest.raises(ValueError):
            evaluate_statistic(bad, s)
    assert parse_duration_hours("2d 3h 50m") == pytest.approx(51 + 50 / 60)
    assert parse_duration_hours("1w") == 168 and parse_duration_hours("10m") == pytest.approx(1 / 6)
    with pytest.raises(ValueError):
        parse_duration_hours("3 days")


def test_degree_distribution_from_the_network_bins(small_run):
    run = open_run(small_run)
    dist = degree_distribution(run.network)
    for what in ("followers", "followees"):
        k, p, zero = dist[what]
        assert np.all(np.diff(k) > 0) and np.all(p > 0)
        # share per unit of k times the bin width gives back the citizens with k >= 1
        counts = run.network[f"{what[:-1]}_counts"]
        bins = run.network[f"{what[:-1]}_bins"]
        widths = bins[(bins >= 1) & (counts > 0)]
        assert (p * widths).sum() * run.network["citizens"] == pytest.approx(
            counts[bins >= 1].sum())
        assert zero == counts[bins == 0].sum()


def test_figures_are_written(small_compare, small_run, tmp_path):
    cmp = open_compare(small_compare)
    assert "final_reach" in informative_outcomes(cmp)
    for name, fig_of in (("outcomes", plot_outcome_distributions),
                         ("differences", plot_paired_differences)):
        out = tmp_path / f"{name}.png"
        plt.close(fig_of(cmp, out=out))
        width, height = png_size(out)
        assert out.stat().st_size > 10_000 and width >= 400 and height >= 300, name
    out = tmp_path / "network.png"
    plt.close(plot_degree_distribution(open_run(small_run), out=out))
    assert png_size(out) == (660, 480)  # 5.5 x 4 inches at 120 dpi


def test_report_of_a_comparison(small_compare, tmp_path):
    rep = write_report(small_compare, tmp_path / "r")
    text = rep.markdown.read_text()
    assert text.startswith("# small")
    assert "| final_reach | citizens | broadcast |" in text
    assert "difference vs broadcast [95% CI]" in text and "(reference)" in text
    cmp = open_compare(small_compare)
    s = cmp._summary["final_reach"]
    assert f"{s['mean'][0]:,.0f}" in text  # the numbers come from the file
    assert set(rep.figures) == {"series", "outcomes", "differences", "network"}
    for key, path in rep.figures.items():
        assert f"]({path.name})" in text, key
        assert path.stat().st_size > 10_000 and png_size(path)[0] >= 400, key


def test_report_command_on_each_kind(small_run, small_compare, small_calibration, tmp_path):
    for path, figures in ((small_run, {"series.png", "network.png"}),
                          (small_compare, {"series.png", "outcomes.png", "differences.png",
                                           "network.png"}),
                          (small_calibration, {"calibration.png"})):
        out = tmp_path / path.stem
        proc = subprocess.run([sys.executable, "-m", "civsim_analysis", "report", str(path),
                               "-o", str(out)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert (out / "report.md").exists() and "report       " in proc.stdout
        assert {p.name for p in out.glob("*.png")} == figures
        md = (out / "report.md").read_text()
        for fig in figures:
            assert f"]({fig})" in md
    cal_md = (tmp_path / small_calibration.stem / "report.md").read_text()
    assert "| likes_per_post | `total_likes / total_posts` | 12 |" in cal_md
    proc = subprocess.run([sys.executable, "-m", "civsim_analysis", "report", str(tmp_path),
                           "-o", str(tmp_path / "x")], capture_output=True, text=True)
    assert proc.returncode == 2 and "error" in proc.stderr
