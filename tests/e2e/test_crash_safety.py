"""Crash safety: a killed or failing command never leaves a file at the final output path
unless it is complete (issue 8). The output is written under a temporary name and renamed."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import h5py
import pytest

# Big enough that the run takes a noticeable time, so kills land in every phase: network
# build, simulation and writing. Sanitizer builds are ~5x slower: a smaller run does the same.
POPULATION = 30000 if "ASAN_OPTIONS" in os.environ else 150000
SCENARIO_ARGS = ["--set", f"population={POPULATION}", "--set", "time.duration=10d", "--quiet"]


SMALL = Path(__file__).parent.parent / "data/small.toml"
EXTRA = {"run": [], "compare": ["--arms", "broadcast,dialogue", "--replicates", "1"]}


def command_line(civsim_exe: Path, command: str, out: Path) -> list[str]:
    return [str(civsim_exe), command, str(SMALL), "-o", str(out), *SCENARIO_ARGS, *EXTRA[command]]


def timed_run(civsim_exe: Path, out: Path, command: str) -> float:
    start = time.monotonic()
    subprocess.run(command_line(civsim_exe, command, out), check=True, capture_output=True)
    return time.monotonic() - start


def assert_complete_or_absent(path: Path, command: str) -> bool:
    if not path.exists():
        return False
    with h5py.File(path, "r") as f:  # a partial file would fail to open or lack the series
        assert f.attrs["filetype"] == f"civsim-{command}"
        assert f["series/reach"].shape[-1] == 240
        assert "summary" in f
    return True


@pytest.mark.parametrize("command", ["run", "compare"])
def test_kill_9_never_leaves_a_partial_output(civsim_exe, tmp_path, command):
    full = timed_run(civsim_exe, tmp_path / "reference.h5", command)
    rng = random.Random(8)  # fixed kill moments, so a failure can be repeated
    completed = 0
    for trial in range(6):
        out = tmp_path / f"killed-{trial}.h5"
        proc = subprocess.Popen(command_line(civsim_exe, command, out),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 1.1) * full)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        completed += assert_complete_or_absent(out, command)
        # Whatever the kill left behind, the same output path can be written afterwards
        # without --force when nothing is there, and never holds a partial file.
        if not out.exists():
            subprocess.run([str(civsim_exe), command, str(SMALL), "-o", str(out),
                            "--set", "population=2000", "--set", "time.duration=1d", "--quiet"],
                           check=True, capture_output=True)
            assert out.exists()
    assert completed < 6, "every run finished before the kill: the test did not test anything"


def test_disk_full_gives_a_clear_error_and_no_output(run_civsim, small_scenario, tmp_path):
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(tiny)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tiny tmpfs here (needs root): " + mounted.stderr.decode())
    try:
        out = tiny / "out.h5"
        proc = run_civsim("run", small_scenario, "-o", out)
        assert proc.returncode == 2, proc.stderr
        assert "No space left on device" in proc.stderr or "disk" in proc.stderr.lower()
        assert str(out) in proc.stderr
        assert not out.exists()
        assert list(tiny.iterdir()) == [], "temporary files left behind on a failed write"
    finally:
        subprocess.run(["umount", str(tiny)], check=False)


def test_unwritable_output_folder_is_a_clear_error(run_civsim, small_scenario, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    proc = run_civsim("run", small_scenario, "-o", blocker / "out.h5")
    assert proc.returncode == 2
    assert "cannot create output folder" in proc.stderr and "Not a directory" in proc.stderr
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        proc = run_civsim("run", small_scenario, "-o", locked / "out.h5")
        assert proc.returncode == 2 and "not writable" in proc.stderr
