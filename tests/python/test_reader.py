"""The analysis package on run files that the real executable wrote."""
from __future__ import annotations

import subprocess
import sys

import h5py
import numpy as np
import pandas as pd
import pytest

from civsim_analysis import FormatError, open_run, plot_series


def test_series_as_dataframe(small_run):
    run = open_run(small_run)
    df = run.series()
    assert isinstance(df, pd.DataFrame)
    assert df.index.name == "time_hours"
    assert len(df) == 72
    assert {"reach", "impressions", "reshares", "posts", "step"} <= set(df.columns)
    with h5py.File(small_run) as f:
        np.testing.assert_array_equal(df["reach"].to_numpy(), f["series/reach"][()])
        np.testing.assert_array_equal(df.index.to_numpy(), f["series/time_hours"][()])
    assert run.units["reach"] == "citizens"
    assert run.attrs["seed"] == 4242
    assert run.network["citizens"] == 20000
    assert run.network["follower_counts"].sum() == 20000  # binned distribution, from 1.1
    assert run.summary["final_reach"] == df["reach"].iloc[-1]
    assert run.summary_units["final_reach"] == "citizens"
    assert "unique citizens" in run.summary_descriptions["final_reach"]
    assert run.cascade_size_hist.ndim == 1 and run.cascade_depth_hist.ndim == 1
    assert "population = 20000" in run.scenario
    assert df["reach"].dtype == np.float64
    regional = run.by_region("trust_mean")
    assert list(regional.columns) == ["all"] == run.regions
    with h5py.File(small_run) as f:
        np.testing.assert_array_equal(run.by_region("reach").to_numpy(),
                                      f["series/by_region/reach"][()])
    with pytest.raises(KeyError, match="per-region"):
        run.by_region("impressions")


def test_unknown_major_version_is_refused(small_run, tmp_path):
    future = tmp_path / "future.h5"
    future.write_bytes(small_run.read_bytes())
    with h5py.File(future, "a") as f:
        f.attrs["format_version"] = "3.0"
    with pytest.raises(FormatError, match="3.0"):
        open_run(future)
    with h5py.File(future, "a") as f:
        f.attrs["format_version"] = "1.1"
    with pytest.raises(FormatError, match="1.1.*older civsim"):
        open_run(future)


def test_newer_minor_version_is_read(small_run, tmp_path):
    newer = tmp_path / "newer.h5"
    newer.write_bytes(small_run.read_bytes())
    with h5py.File(newer, "a") as f:
        f.attrs["format_version"] = "2.7"
    assert open_run(newer).format_version == "2.7"


def test_non_civsim_file_is_refused(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.attrs["filetype"] = "openmc-statepoint"
    with pytest.raises(FormatError, match="not a civsim run file"):
        open_run(other)


def test_plot_writes_png(small_run, tmp_path):
    out = plot_series(open_run(small_run), tmp_path / "fig" / "small.png")
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000
    with pytest.raises(KeyError, match="no_such_series"):
        plot_series(open_run(small_run), tmp_path / "x.png", ["no_such_series"])


def test_command_line_plot_and_summary(small_run, tmp_path):
    out = tmp_path / "cli.png"
    proc = subprocess.run([sys.executable, "-m", "civsim_analysis", "plot", str(small_run), "-o",
                           str(out)], capture_output=True, text=True, check=True)
    assert out.exists() and str(out) in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "civsim_analysis", "summary", str(small_run)],
                          capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines()[0].startswith("time_hours,")
    bad = subprocess.run([sys.executable, "-m", "civsim_analysis", "summary", "/nonexistent.h5"],
                         capture_output=True, text=True)
    assert bad.returncode == 2
