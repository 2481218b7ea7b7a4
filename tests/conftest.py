"""Shared fixtures: the real civsim executable (CIVSIM_EXE, set by CTest) and test scenarios."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
SANITIZER_REPORTS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


@pytest.fixture(scope="session")
def civsim_exe() -> Path:
    exe = os.environ.get("CIVSIM_EXE")
    if not exe:
        pytest.fail("CIVSIM_EXE is not set: run the tests through CTest (scripts/test)")
    return Path(exe)


@pytest.fixture(scope="session")
def small_scenario() -> Path:
    return DATA / "small.toml"


@pytest.fixture(scope="session")
def run_civsim(civsim_exe):
    def run(*args: str, env: dict[str, str] | None = None, check: bool = False):
        full_env = dict(os.environ)
        full_env.update(env or {})
        proc = subprocess.run([str(civsim_exe), *map(str, args)], capture_output=True, text=True,
                              env=full_env, timeout=600)
        # In a sanitizer build (build-asan/) a report fails the test even if the exit code
        # happens to be the expected one.
        for marker in SANITIZER_REPORTS:
            assert marker not in proc.stderr, f"sanitizer report:\n{proc.stderr[-4000:]}"
        if check and proc.returncode != 0:
            raise AssertionError(f"civsim {' '.join(map(str, args))} exited {proc.returncode}:\n"
                                 f"{proc.stdout}\n{proc.stderr}")
        return proc
    return run


@pytest.fixture(scope="session")
def small_run(run_civsim, small_scenario, tmp_path_factory) -> Path:
    """One run file of the small scenario, shared by the read-only tests."""
    out = tmp_path_factory.mktemp("run") / "small.h5"
    run_civsim("run", small_scenario, "-o", out, check=True)
    return out


@pytest.fixture(scope="session")
def small_compare(run_civsim, small_scenario, tmp_path_factory) -> Path:
    """One comparison file of the small scenario (two arms, three replicates), shared by the
    read-only tests."""
    out = tmp_path_factory.mktemp("compare") / "small-compare.h5"
    run_civsim("compare", small_scenario, "--arms", "broadcast,reactive", "--replicates", "3",
               "-o", out, check=True)
    return out
