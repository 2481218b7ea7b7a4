"""scripts/fuzz-triage, which decides in scripts/test whether a failed fuzz_run_file run is a known
HDF5 1.10 finding (reported) or civsim's own bug (fails CI), on stored libFuzzer logs.

The hdf5-* logs are real: the out-of-memory stop of the CI fuzz step of 2026-12-06 (a 4 GiB malloc
inside H5Fopen) and the overlapping memcpy in H5HG_read from a local scripts/test run. The
civsim-* logs are those two with the libhdf5 frames taken out, so that civsim's code is innermost:
the same report shapes must then fail."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(os.environ.get("CIVSIM_SOURCE_DIR", Path(__file__).resolve().parents[2]))
LOGS = ROOT / "tests" / "fuzz" / "known" / "logs"
TRIAGE = ROOT / "scripts" / "fuzz-triage"


def triage(log: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(TRIAGE), str(log)], capture_output=True, text=True, timeout=60)


# Exit 0: a known HDF5 finding, reported; exit 1: civsim's own code innermost, fails CI.
@pytest.mark.parametrize("name, exit_code, frame", [
    ("hdf5-open-oom.log", 0, "in H5C_protect "),
    ("hdf5-heap-memcpy-overlap.log", 0, "in H5HG_read "),
    ("civsim-oom.log", 1, "in civsim::io::read_run_info("),
    ("civsim-heap-overflow.log", 1, "in civsim::io::h5::Reader::attribute("),
])
def test_the_innermost_frame_outside_the_machinery_decides(name, exit_code, frame):
    proc = triage(LOGS / name)
    assert proc.returncode == exit_code, proc.stdout + proc.stderr
    assert frame in proc.stdout
    assert ("libhdf5" in proc.stdout) == (exit_code == 0)


def test_a_log_without_a_stack_fails(tmp_path):
    log = tmp_path / "no-stack.log"
    log.write_text("#5\tINITED cov: 662 ft: 791 corp: 2/59Kb exec/s: 0 rss: 60Mb\n"
                   "==1== ERROR: libFuzzer: deadly signal\n")
    proc = triage(log)
    assert proc.returncode == 1
    assert "no stack frame" in proc.stdout


def test_bad_usage_exits_2(tmp_path):
    proc = subprocess.run([str(TRIAGE), str(tmp_path / "missing.log")], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    assert "usage: scripts/fuzz-triage LOG" in proc.stderr
