"""The analysis package on comparison files that the real executable wrote."""
from __future__ import annotations

import subprocess
import sys

import h5py
import matplotlib.pyplot as plt
import numpy as np
import pytest

from civsim_analysis import (Comparison, FormatError, Run, open_compare, open_file, open_run,
                             plot_compare)

ARMS = ["broadcast", "reactive"]


def test_open_compare_reads_the_file(small_compare):
    cmp = open_compare(small_compare)
    assert isinstance(cmp, Comparison)
    assert cmp.arms == ARMS and cmp.replicates == 3
    assert cmp.format_version == "1.0"
    assert len(cmp.time_hours) == 72 and cmp.regions == ["all"]
    assert "population = 20000" in cmp.scenario
    assert 'strategy = "reactive"' in cmp.arm_scenarios["reactive"]
    assert cmp.network["citizens"] == 20000
    assert cmp.units["reach"] == "citizens"
    with h5py.File(small_compare) as f:
        np.testing.assert_array_equal(cmp.array("reach"), f["series/reach"][()])
        np.testing.assert_array_equal(cmp.region_array("trust_mean"),
                                      f["series/by_region/trust_mean"][()])
    assert cmp.outcomes[0] == "final_reach" and "total_staff_hours" in cmp.key_outcomes
    with pytest.raises(KeyError, match="no_such_series"):
        cmp.array("no_such_series")


def test_tidy_frame_has_one_row_per_arm_replicate_step_and_series(small_compare):
    cmp = open_compare(small_compare)
    df = cmp.tidy()
    assert list(df.columns) == ["arm", "replicate", "step", "time_hours", "series", "value"]
    assert len(df) == 2 * 3 * 72 * len(cmp.series_names)
    assert list(df["arm"].cat.categories) == ARMS
    reach = cmp.tidy(["reach"])
    assert len(reach) == 2 * 3 * 72
    row = reach[(reach["arm"] == "reactive") & (reach["replicate"] == 2) & (reach["step"] == 71)]
    assert row["value"].item() == cmp.array("reach")[1, 2, 71]
    assert row["time_hours"].item() == 72.0
    # The per-step statistics agree with the tidy frame.
    means = reach.groupby(["arm", "step"], observed=True)["value"].mean()
    st = cmp.stats("reach").set_index(["arm", "step"])
    np.testing.assert_allclose(st["mean"].to_numpy(), means.to_numpy(), rtol=1e-14)


def test_summary_table_has_means_cis_and_paired_differences(small_compare):
    cmp = open_compare(small_compare)
    table = cmp.summary_table()
    assert list(table.columns) == ["outcome", "units", "arm", "mean", "ci_low", "ci_high", "n",
                                   "diff_mean", "diff_ci_low", "diff_ci_high", "diff_n"]
    assert len(table) == 2 * len(cmp.outcomes)
    key = cmp.summary_table(key_only=True)
    assert set(key["outcome"]) == set(cmp.key_outcomes)
    reach = table[table["outcome"] == "final_reach"].set_index("arm")
    values = cmp.run_scalars()
    final = values[values["outcome"] == "final_reach"]
    for i, arm in enumerate(ARMS):
        v = final[final["arm"] == arm]["value"].to_numpy()
        np.testing.assert_array_equal(v, cmp.array("reach")[i, :, -1])
        assert reach.loc[arm, "mean"] == pytest.approx(v.mean(), rel=1e-14)
        assert reach.loc[arm, "ci_low"] <= reach.loc[arm, "mean"] <= reach.loc[arm, "ci_high"]
        assert reach.loc[arm, "n"] == 3
    assert reach.loc["broadcast", "diff_mean"] == 0.0
    assert reach.loc["broadcast", "diff_ci_low"] == 0.0 == reach.loc["broadcast", "diff_ci_high"]


def test_plot_compare_writes_png(small_compare, tmp_path):
    cmp = open_compare(small_compare)
    out = tmp_path / "fig" / "compare.png"
    fig = plot_compare(cmp, ["reach", "impressions", "trust_mean", "posts"], out=out)
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 8  # value and difference panels
    plt.close(fig)
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    with pytest.raises(KeyError, match="no_such_series"):
        plot_compare(cmp, ["no_such_series"])
    with pytest.raises(ValueError):
        plot_compare(cmp, [])


def test_open_file_tells_run_and_comparison_files_apart(small_run, small_compare, tmp_path):
    assert isinstance(open_file(small_run), Run)
    assert isinstance(open_file(small_compare), Comparison)
    with pytest.raises(FormatError, match="not a civsim comparison file"):
        open_compare(small_run)
    with pytest.raises(FormatError, match="not a civsim run file"):
        open_run(small_compare)
    future = tmp_path / "future.h5"
    future.write_bytes(small_compare.read_bytes())
    with h5py.File(future, "a") as f:
        f.attrs["format_version"] = "2.0"
    with pytest.raises(FormatError, match="comparison file format version '2.0'"):
        open_compare(future)


def test_command_line_plot_and_summary_of_a_comparison(small_compare, tmp_path):
    out = tmp_path / "cli-compare.png"
    proc = subprocess.run([sys.executable, "-m", "civsim_analysis", "plot", str(small_compare),
                           "-o", str(out)], capture_output=True, text=True, check=True)
    assert out.read_bytes()[:4] == b"\x89PNG" and str(out) in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "civsim_analysis", "summary", str(small_compare)],
                          capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines()[0].startswith("outcome,units,arm,mean,ci_low,ci_high")
    bad = subprocess.run([sys.executable, "-m", "civsim_analysis", "plot", str(small_compare),
                          "-o", str(tmp_path / "x.png"), "--series", "nope"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "nope" in bad.stderr
