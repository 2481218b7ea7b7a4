"""civsim sweep on cluster stacks (issue 6): 1 vs 2 vs 4 MPI ranks give the same sweep file, and
a real single-node Slurm runs the shipped array template and merge job to the same file as one
process. Skipped, with the reason, only where MPI or Slurm cannot be had."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import h5py
import pytest
from sweep_compare import differences

ROOT = Path(__file__).resolve().parents[2]
SWEEPS = ROOT / "tests" / "data" / "sweeps"
GRID = SWEEPS / "grid.toml"
SLURM = ROOT / "scripts" / "slurm"


@pytest.fixture(scope="module")
def reference(run_civsim, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cluster") / "reference.h5"
    run_civsim("sweep", "run", GRID, "-o", out, "--threads", "1", "-q", check=True)
    return out


def _mpirun() -> list[str]:
    exe = shutil.which("mpirun")
    if not exe:
        pytest.skip("mpirun not found (scripts/install-deps installs openmpi-bin)")
    # Test-only flags: more ranks than this machine's 2 cores, and root in CI containers.
    flags = ["--oversubscribe"]
    if os.geteuid() == 0:
        flags.append("--allow-run-as-root")
    return [exe, *flags]


def test_mpi_ranks_give_identical_files(civsim_exe, reference, tmp_path):
    with_mpi = subprocess.run(["ldd", str(civsim_exe)], capture_output=True, text=True).stdout
    if "libmpi" not in with_mpi:
        pytest.skip("this civsim was built without MPI (CIVSIM_WITH_MPI=OFF or no MPI installed)")
    mpirun = _mpirun()
    for ranks in (1, 2, 4):
        out = tmp_path / f"ranks-{ranks}.h5"
        proc = subprocess.run([*mpirun, "-n", str(ranks), str(civsim_exe), "sweep", "run",
                               str(GRID), "-o", str(out), "--threads", "1", "-q"],
                              capture_output=True, text=True, timeout=600,
                              env={**os.environ, "OMP_NUM_THREADS": "1"})
        assert proc.returncode == 0, f"{ranks} ranks:\n{proc.stdout}\n{proc.stderr}"
        if ranks > 1:
            assert f"{ranks} MPI ranks" in proc.stderr + proc.stdout
        with h5py.File(out, "r") as f:
            hosts = set(f["runs/host"].asstr()[()])
            assert len(hosts) >= 1
        assert differences(reference, out) == [], f"{ranks} ranks"


@pytest.fixture
def slurm_cluster(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("a local Slurm needs root (to run slurmd and munged as their users)")
    # Not under tmp_path: pytest makes that private to root, and slurmctld runs as user slurm.
    state = Path(tempfile.mkdtemp(prefix="civsim-slurm-"))
    state.chmod(0o755)
    start = time.monotonic()
    proc = subprocess.run([str(SLURM / "local-cluster"), "start", str(state)],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode == 4:
        pytest.skip("Slurm cannot be installed here: " + proc.stderr[-500:])
    assert proc.returncode == 0, proc.stderr
    env = {**os.environ, "SLURM_CONF": str(state / "slurm.conf")}
    try:
        yield env, start
    finally:
        subprocess.run([str(SLURM / "local-cluster"), "stop", str(state)], timeout=60)
        for name in ("slurmd", "slurmctld"):
            assert not (state / f"{name}.pid").exists()
        shutil.rmtree(state, ignore_errors=True)


def test_real_slurm_array_and_merge_equal_one_process(civsim_exe, reference, slurm_cluster,
                                                      tmp_path):
    env, started = slurm_cluster
    env["CIVSIM"] = str(civsim_exe)
    out = tmp_path / "results" / "slurm.h5"
    out.parent.mkdir()
    proc = subprocess.run([str(SLURM / "submit"), str(GRID), str(out), "3", "--cpus-per-task=1",
                           "--mem=500M", f"--chdir={tmp_path}"], capture_output=True, text=True,
                          env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        queue = subprocess.run(["squeue", "-h"], capture_output=True, text=True, env=env).stdout
        if not queue.strip():
            break
        time.sleep(0.5)
    logs = "".join(p.read_text() for p in tmp_path.glob("civsim-*.out"))
    assert out.exists(), f"no merged file; job logs:\n{logs}"
    assert differences(reference, out) == []
    for i in range(3):
        assert (out.parent / f"slurm.shard-{i}-of-3.h5").exists()
    print(f"real-Slurm test: {time.monotonic() - started:.1f}s from starting the daemons")
