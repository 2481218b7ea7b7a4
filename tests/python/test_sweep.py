"""civsim_analysis.sweep on sweep files the executable wrote, and its Sobol' estimator on the
Ishigami function."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from civsim_analysis.sweep import open_sweep, plot_sobol, plot_sweep_heatmap, sobol_indices

SWEEPS = Path(__file__).resolve().parents[1] / "data" / "sweeps"


def _run(sweep: Path, out: Path) -> Path:
    exe = os.environ.get("CIVSIM_EXE")
    if not exe:
        pytest.fail("CIVSIM_EXE is not set: run the tests through CTest")
    subprocess.run([exe, "sweep", "run", str(sweep), "-o", str(out), "-q"], check=True,
                   capture_output=True)
    return out


def test_open_sweep_table_and_heatmap(tmp_path):
    sw = open_sweep(_run(SWEEPS / "grid.toml", tmp_path / "grid.h5"))
    assert sw.axes == ["diffusion.reshare_probability", "accounts[0].capacity_fte"]
    assert sw.arms == ["broadcast", "dialogue"]
    assert len(sw.runs) == 24 and len(sw.points) == 6
    assert sw.series("reach").shape == (24, 24)
    t = sw.table("final_reach")
    assert len(t) == 12 and (t["n"] == 2).all()
    # The same statistics as the file's /stats (written by civsim).
    import h5py
    with h5py.File(sw.path, "r") as f:
        mean = f["stats/final_reach/mean"][()]
    for _, row in t.iterrows():
        assert row["mean"] == pytest.approx(mean[row["point"], sw.arms.index(row["arm"])])
    png = plot_sweep_heatmap(sw, "final_reach", arm="dialogue", out=tmp_path / "heat.png")
    assert (tmp_path / "heat.png").stat().st_size > 1000 and png is not None


def test_sobol_of_a_saltelli_sweep(tmp_path):
    sw = open_sweep(_run(SWEEPS / "saltelli.toml", tmp_path / "s.h5"))
    s = sw.sobol("final_reach", bootstrap=50)
    assert list(s.index) == sw.axes and {"S1", "ST", "ST_low", "ST_high"} <= set(s.columns)
    plot_sobol(sw, "final_reach", out=tmp_path / "sobol.png", bootstrap=50)
    assert (tmp_path / "sobol.png").stat().st_size > 1000


def test_sobol_indices_of_the_ishigami_function():
    from scipy.stats import qmc
    a, b, d, n = 7.0, 0.1, 3, 4096
    base = qmc.Sobol(2 * d, scramble=False).random(n + 1)[1:]
    rows = []
    for r in base:
        A, B = r[:d], r[d:]
        rows.append(A)
        for i in range(d):
            ab = A.copy()
            ab[i] = B[i]
            rows.append(ab)
        rows.append(B)
    x = -np.pi + 2 * np.pi * np.array(rows)
    y = np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])
    s = sobol_indices(y, d, bootstrap=100)
    v = a * a / 8 + b * np.pi ** 4 / 5 + b * b * np.pi ** 8 / 18 + 0.5
    v1, v2 = 0.5 * (1 + b * np.pi ** 4 / 5) ** 2, a * a / 8
    v13 = b * b * np.pi ** 8 * (1 / 18 - 1 / 50)
    assert s["S1"].to_numpy() == pytest.approx([v1 / v, v2 / v, 0], abs=0.03)
    assert s["ST"].to_numpy() == pytest.approx([(v1 + v13) / v, v2 / v, v13 / v], abs=0.03)
