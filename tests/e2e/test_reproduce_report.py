"""End-to-end: `scripts/reproduce-report --quick` on the real executable writes the results page
and its figures (a few minutes at most on the 2-core machine; about 30 s unloaded)."""
from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import h5py

ROOT = Path(os.environ.get("CIVSIM_SOURCE_DIR", Path(__file__).resolve().parents[2]))
CASES = ["timmermans-facebook", "groningen-quake", "municipal-webcare"]


def test_reproduce_report_quick_writes_the_results_page(civsim_exe, tmp_path):
    out = tmp_path / "report"
    env = dict(os.environ, CIVSIM_EXE=str(civsim_exe), PYTHONPATH=str(ROOT / "analysis"))
    start = time.monotonic()
    proc = subprocess.run([str(ROOT / "scripts" / "reproduce-report"), "--quick", "-o", str(out)],
                          capture_output=True, text=True, env=env, timeout=900)
    elapsed = time.monotonic() - start
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert elapsed < 600, f"quick mode took {elapsed:.0f} s"
    readme = (out / "README.md").read_text()
    assert readme.startswith("# civsim report cases: results")
    assert "**Quick mode**" in readme and "nothing is written by hand" in readme
    for case in CASES:
        with h5py.File(out / f"{case}.h5") as f:
            assert f.attrs["filetype"] == "civsim-compare"
        assert f"({case}/report.md)" in readme
        assert (out / case / "report.md").stat().st_size > 1000
    # Every figure the page shows exists, is a PNG and is not empty.
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", readme)
    assert len(figures) == 6
    for fig in figures:
        data = (out / fig).read_bytes()
        assert data[:4] == b"\x89PNG" and len(data) > 10_000, fig
    # The published figures are there, next to the simulated ones.
    assert "| likes_per_post | 74,260 likes on 75 posts | 990 |" in readme
    assert "first 12 hours (by the afternoon) | ~7,000 | 70 |" in readme
    assert "| *published* |" in readme and "21 (2015) [S]" in readme
    assert readme.count("compared with") >= 7
