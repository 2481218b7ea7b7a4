"""civsim sweep: results identical whatever the threads and shards, resumable after kill -9 and
SIGTERM, plans, statistics and Sobol' indices (issue 6). MPI and Slurm: test_sweeps_cluster.py."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
from sweep_compare import differences

SWEEPS = Path(__file__).resolve().parents[1] / "data" / "sweeps"
GRID = SWEEPS / "grid.toml"
SLOW = SWEEPS / "slow.toml"


@pytest.fixture(scope="module")
def grid_reference(run_civsim, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "grid.h5"
    run_civsim("sweep", "run", GRID, "-o", out, "--threads", "1", "-q", check=True)
    return out


@pytest.fixture(scope="module")
def slow_reference(run_civsim, tmp_path_factory) -> tuple[Path, float]:
    out = tmp_path_factory.mktemp("sweep") / "slow.h5"
    start = time.monotonic()
    run_civsim("sweep", "run", SLOW, "-o", out, "-q", check=True)
    return out, time.monotonic() - start


def test_sweep_file_layout(grid_reference):
    with h5py.File(grid_reference, "r") as f:
        assert f.attrs["filetype"] == "civsim-sweep"
        assert f.attrs["format_version"] == "1.0"
        assert f.attrs["runs"] == 24 and f.attrs["points"] == 6 and f.attrs["complete"] == 1
        assert list(f.attrs["arms"]) == ["broadcast", "dialogue"]
        runs = f["runs"]
        assert list(runs["run"][()]) == list(range(24))
        # Key order: point, arm, replicate (replicate fastest).
        assert list(runs["replicate"][:4]) == [0, 1, 0, 1]
        assert list(runs["arm"][:4]) == [0, 0, 1, 1]
        assert set(runs["status"].asstr()[()]) == {"ok"}
        assert (runs["wall_seconds"][()] > 0).all()
        # Replicate 0 runs on the master seed; replicate 1 on a seed derived from it.
        seeds = runs["seed"][()]
        assert set(seeds[runs["replicate"][()] == 0]) == {11}
        assert len(set(seeds[runs["replicate"][()] == 1])) == 1 and seeds[1] != 11
        assert list(f["points/diffusion.reshare_probability"][()]) == [0.01, 0.01, 0.02, 0.02,
                                                                      0.04, 0.04]
        assert list(f["points/accounts[0].capacity_fte"][()]) == [0.5, 2.0] * 3
        assert f["series/reach"].shape == (24, 24)
        assert f["series/by_region/reach"].shape == (24, 24, 1)
        assert f["summary/final_reach/values"].shape == (24,)
        assert f["stats/final_reach/mean"].shape == (6, 2)
        assert (f["stats/replicates"][()] == 2).all()
        assert "reshare_probability = 0.01" in f["sweep"].asstr()[()] or \
            "values = [0.01" in f["sweep"].asstr()[()]


def test_a_sweep_run_is_the_civsim_run_of_its_point(run_civsim, grid_reference, tmp_path):
    """Replicate 0 of point 4, arm 1 (dialogue) is `civsim run` with the point's overrides, the
    arm's strategy and the recorded seed."""
    out = tmp_path / "one.h5"
    run_civsim("run", SWEEPS.parent / "small.toml", "-o", out, "-q",
               "--set", "population=3000", "--set", "time.duration=1d",
               "--set", "diffusion.reshare_probability=0.04",
               "--set", "accounts[0].capacity_fte=0.5",
               "--set", "accounts[0].strategy=dialogue", "--seed", "11", check=True)
    with h5py.File(grid_reference, "r") as s, h5py.File(out, "r") as r:
        row = [i for i in range(24) if s["runs/point"][i] == 4 and s["runs/arm"][i] == 1
               and s["runs/replicate"][i] == 0][0]
        for name in ("reach", "trust_mean", "questions_answered", "backlog"):
            assert np.array_equal(s[f"series/{name}"][row], r[f"series/{name}"][()],
                                  equal_nan=True), name


def test_one_thread_equals_two_threads(run_civsim, grid_reference, tmp_path):
    out = tmp_path / "t2.h5"
    run_civsim("sweep", "run", GRID, "-o", out, "--threads", "2", "-q", check=True)
    assert differences(grid_reference, out) == []


def test_three_shards_merged_equal_one_process(run_civsim, grid_reference, tmp_path):
    base = tmp_path / "sharded.h5"
    for i in range(3):
        run_civsim("sweep", "run", GRID, "-o", base, "--shard", f"{i}/3", "-q", check=True)
        with h5py.File(tmp_path / f"sharded.shard-{i}-of-3.h5", "r") as f:
            assert f.attrs["complete"] == 0 and f.attrs["runs"] == 8 and "stats" not in f
    shards = [tmp_path / f"sharded.shard-{i}-of-3.h5" for i in range(3)]
    merged = tmp_path / "merged.h5"
    # Missing or repeated shards are refused, and nothing is written.
    proc = run_civsim("sweep", "merge", *shards[:2], "-o", merged)
    assert proc.returncode == 2 and "shard 2 of 3 is missing" in proc.stderr
    proc = run_civsim("sweep", "merge", shards[0], shards[0], shards[1], shards[2], "-o", merged)
    assert proc.returncode == 2 and "given twice" in proc.stderr
    assert not merged.exists()
    run_civsim("sweep", "merge", *reversed(shards), "-o", merged, check=True)
    assert differences(grid_reference, merged) == []


def test_shard_from_slurm_array_variables(run_civsim, tmp_path):
    env = {"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "4", "SLURM_ARRAY_TASK_COUNT": "4"}
    run_civsim("sweep", "run", GRID, "-o", tmp_path / "s.h5", "-q", env=env, check=True)
    with h5py.File(tmp_path / "s.shard-1-of-4.h5", "r") as f:
        assert f.attrs["shard_index"] == 1 and f.attrs["shard_count"] == 4
        assert f.attrs["runs"] == 6


def _interrupted(civsim_exe, out: Path, sig: int, after: float) -> subprocess.CompletedProcess:
    proc = subprocess.Popen([str(civsim_exe), "sweep", "run", str(SLOW), "-o", str(out), "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(after)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def test_kill_9_then_resume_equals_an_uninterrupted_sweep(civsim_exe, run_civsim, slow_reference,
                                                          tmp_path):
    reference, seconds = slow_reference
    rng = random.Random(6)  # fixed kill moments, so that a failure can be repeated
    interrupted = 0
    for trial in range(2):
        out = tmp_path / f"killed-{trial}.h5"
        first = _interrupted(civsim_exe, out, signal.SIGKILL, rng.uniform(0.2, 0.9) * seconds)
        if out.exists():  # finished, or killed between the rename and removing the journal
            assert differences(reference, out) == [], "a file at the output path is complete"
            continue
        interrupted += 1
        assert first.returncode == -signal.SIGKILL
        proc = run_civsim("sweep", "run", SLOW, "-o", out)
        assert proc.returncode == 2 and "--resume" in proc.stderr  # no silent restart
        run_civsim("sweep", "run", SLOW, "-o", out, "--resume", "-q", check=True)
        assert differences(reference, out) == []
        assert not Path(str(out) + ".journal").exists()
    assert interrupted > 0, "every sweep finished before the kill: nothing was tested"


def test_sigterm_stops_with_143_and_resume_completes(civsim_exe, run_civsim, slow_reference,
                                                     tmp_path):
    reference, seconds = slow_reference
    out = tmp_path / "term.h5"
    first = _interrupted(civsim_exe, out, signal.SIGTERM, 0.4 * seconds)
    assert first.returncode == 143, first.stderr
    assert "stopped by SIGTERM" in first.stderr and "--resume" in first.stderr
    assert not out.exists() and Path(str(out) + ".journal").exists()
    # A resumed, then again interrupted, then resumed sweep is still the same sweep.
    run_civsim("sweep", "run", SLOW, "-o", out, "--resume", "-q", check=True)
    assert differences(reference, out) == []
    proc = run_civsim("sweep", "run", SLOW, "-o", out, "--resume")
    assert proc.returncode == 0 and "complete already" in proc.stdout


def test_shipped_sweeps_plan(run_civsim):
    shipped = sorted((Path(__file__).resolve().parents[2] / "scenarios" / "sweeps").glob("*.toml"))
    assert shipped
    for sweep in shipped:
        proc = run_civsim("sweep", "plan", sweep)
        assert proc.returncode == 0, f"{sweep}: {proc.stderr}"


def test_plan_counts_runs_and_suggests_an_array(run_civsim):
    proc = run_civsim("sweep", "plan", GRID, check=True)
    assert "points       6" in proc.stdout
    assert "runs         24" in proc.stdout
    assert "core-seconds" in proc.stdout and "per run" in proc.stdout
    assert "sbatch --array=0-" in proc.stdout


def test_until_ci_adds_replicates_deterministically(run_civsim, tmp_path):
    args = ["--until-ci", "5", "--outcome", "final_reach", "--max-replicates", "6", "-q"]
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    run_civsim("sweep", "run", GRID, "-o", a, "--threads", "1", *args, check=True)
    run_civsim("sweep", "run", GRID, "-o", b, "--threads", "2", *args, check=True)
    assert differences(a, b) == []
    with h5py.File(a, "r") as f:
        reps = f["stats/replicates"][()]
        half = f["stats/final_reach/ci_high"][()] - f["stats/final_reach/mean"][()]
        assert reps.min() >= 2 and reps.max() <= 6 and reps.max() > 2
        # Every point and arm either reached the width or the cap; arms of a point stay paired.
        assert ((half <= 5) | (reps == 6)).all()
        assert (reps[:, 0] == reps[:, 1]).all()


def test_saltelli_sweep_gives_sobol_indices(run_civsim, tmp_path):
    out = tmp_path / "saltelli.h5"
    run_civsim("sweep", "run", SWEEPS / "saltelli.toml", "-o", out, "-q", check=True)
    with h5py.File(out, "r") as f:
        assert f.attrs["design"] == "saltelli" and f.attrs["points"] == 40
        pop = f["points/population"][()]
        assert (pop == np.round(pop)).all() and pop.min() >= 2000 and pop.max() <= 4000
    proc = run_civsim("sweep", "analyze", out, "--outcome", "final_reach", "--bootstrap", "100",
                      check=True)
    assert "Sobol' indices of final_reach" in proc.stdout
    assert "platform.organic_reach" in proc.stdout


def test_force_is_needed_to_replace_a_sweep(run_civsim, grid_reference, tmp_path):
    out = tmp_path / "exists.h5"
    out.write_bytes(b"keep me")
    proc = run_civsim("sweep", "run", GRID, "-o", out)
    assert proc.returncode == 2 and "--force" in proc.stderr
    assert out.read_bytes() == b"keep me"
