"""The bad-input corpus (tests/bad-inputs/cases.toml) through the real executable.

Each case must end with its exit code (2 for bad input), print its message fragment and name
the file (and line where it has one), never crash, and leave nothing in the output folder.
"""
from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import h5py
import numpy as np
import pytest
from conftest import SANITIZER_REPORTS

CORPUS = Path(__file__).resolve().parents[1] / "bad-inputs"
CASES = tomllib.loads((CORPUS / "cases.toml").read_text())["case"]


def _arg(text: str) -> str:
    """`<0xNN>` in cases.toml stands for a raw byte (e.g. invalid UTF-8 in a --set value)."""
    return re.sub(r"<0x([0-9a-fA-F]{2})>",
                  lambda m: bytes([int(m.group(1), 16)]).decode("utf-8", "surrogateescape"), text)


# --- HDF5 inputs made at test time (`make = "..."` in cases.toml) -----------------------------

def _run_file(path: Path, **root) -> None:
    """A small file with the layout of a civsim run file (docs/output-format.md)."""
    with h5py.File(path, "w") as f:
        attrs = {"filetype": "civsim-run", "format_version": "2.0", "seed": 1}
        attrs.update(root)
        for k, v in attrs.items():
            if v is not None:
                f.attrs[k] = v
        f.create_dataset("scenario", data='name = "x"\n')
        for name in ("step", "reach"):
            ds = f.create_dataset(f"series/{name}", data=np.arange(1000, dtype=np.int64),
                                  chunks=(100,), compression="gzip")
            ds.attrs["units"], ds.attrs["description"] = "x", "x"
        f.create_group("summary").attrs["final_reach"] = 999


def _network_file(path: Path, n_citizens=3, n_accounts=1, offsets=None, followers=None,
                  filetype="civsim-network", version="1.0") -> None:
    with h5py.File(path, "w") as f:
        f.attrs["filetype"], f.attrs["format_version"] = filetype, version
        f.attrs["n_citizens"], f.attrs["n_accounts"] = n_citizens, n_accounts
        if offsets is not False:
            f.create_dataset("offsets", data=np.array([0, 1, 1, 2, 3] if offsets is None
                                                      else offsets, dtype=np.uint64))
        f.create_dataset("followers", data=np.array([1, 0, 0] if followers is None
                                                    else followers, dtype=np.uint32))


def _huge(f: h5py.File, name: str, dtype) -> None:
    """A dataset that declares 2^40 entries but stores none (reads return the fill value)."""
    f.create_dataset(name, shape=(1 << 40,), dtype=dtype, chunks=(1 << 16,))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def make_truncated_run(p):
    _run_file(p)
    _truncate(p)


def make_wrong_filetype(p): _run_file(p, filetype="something-else")
def make_wrong_major_version(p): _run_file(p, format_version="3.0")
def make_run_format_1(p): _run_file(p, format_version="1.1")
def make_no_format_version(p): _run_file(p, format_version=None)
def make_filetype_integer(p): _run_file(p, filetype=7)
def make_network_file_given_to_info(p): _network_file(p)


def make_filetype_array(p):
    _run_file(p, filetype=None)
    with h5py.File(p, "a") as f:
        f.attrs["filetype"] = ["civsim-run"] * 64


def make_missing_series(p):
    _run_file(p)
    with h5py.File(p, "a") as f:
        del f["series"]


def make_series_without_units(p):
    _run_file(p)
    with h5py.File(p, "a") as f:
        del f["series/reach"].attrs["units"]


def make_series_of_strings(p):
    _run_file(p)
    with h5py.File(p, "a") as f:
        del f["series/reach"]
        ds = f.create_dataset("series/reach", data=["a", "b"])
        ds.attrs["units"], ds.attrs["description"] = "x", "x"


def make_series_2d(p):
    _run_file(p)
    with h5py.File(p, "a") as f:
        del f["series/reach"]
        ds = f.create_dataset("series/reach", data=np.zeros((3, 4)))
        ds.attrs["units"], ds.attrs["description"] = "x", "x"


def _compare_file(path: Path, **root) -> None:
    """A small file with the layout of a civsim comparison file (docs/output-format.md)."""
    with h5py.File(path, "w") as f:
        attrs = {"filetype": "civsim-compare", "format_version": "1.0", "seed": 1,
                 "arms": ["broadcast", "dialogue"], "replicates": 2}
        attrs.update(root)
        for k, v in attrs.items():
            if v is not None:
                f.attrs[k] = v
        f.create_dataset("series/time_hours", data=np.arange(1.0, 5.0))
        f.create_dataset("series/reach", data=np.zeros((2, 2, 4)))
        g = f.create_group("summary/final_reach")
        f["summary"].attrs["outcomes"] = ["final_reach"]
        g.attrs["units"], g.attrs["description"], g.attrs["key"] = "citizens", "x", 1
        for name in ("mean", "ci_low", "ci_high", "diff_mean", "diff_ci_low", "diff_ci_high"):
            g.create_dataset(name, data=np.zeros(2))
        for name in ("n", "diff_n"):
            g.create_dataset(name, data=np.full(2, 2, dtype=np.int64))


def make_compare_wrong_major(p): _compare_file(p, format_version="2.0")
def make_compare_arms_not_a_list(p): _compare_file(p, arms="broadcast,dialogue")


def make_compare_without_outcomes(p):
    _compare_file(p)
    with h5py.File(p, "a") as f:
        del f["summary"].attrs["outcomes"]


def make_compare_short_table(p):
    _compare_file(p)
    with h5py.File(p, "a") as f:
        del f["summary/final_reach/mean"]
        f.create_dataset("summary/final_reach/mean", data=np.zeros(1))


def make_run_file_given_to_stats(p): _run_file(p)
def make_network_wrong_major(p): _network_file(p, version="9.0")
def make_network_missing_offsets(p): _network_file(p, offsets=False)
def make_network_negative_citizens(p): _network_file(p, n_citizens=-3)
def make_network_offsets_short(p): _network_file(p, offsets=[0, 1, 2])
def make_network_unsorted(p): _network_file(p, offsets=[0, 2, 2, 2, 2], followers=[2, 1])


def make_network_offsets_float(p):
    _network_file(p, offsets=False)
    with h5py.File(p, "a") as f:
        f.create_dataset("offsets", data=np.array([0, 1, 1, 2, 3], dtype=np.float64))


def make_network_offsets_huge(p):
    _network_file(p, offsets=False)
    with h5py.File(p, "a") as f:
        _huge(f, "offsets", np.uint64)


def make_network_followers_huge(p):
    _network_file(p)
    with h5py.File(p, "a") as f:
        del f["followers"]
        _huge(f, "followers", np.uint32)


def make_network_truncated(p):
    with h5py.File(p, "w") as f:
        f.attrs["filetype"], f.attrs["format_version"] = "civsim-network", "1.0"
        f.attrs["n_citizens"], f.attrs["n_accounts"] = 20000, 0
        f.create_dataset("offsets", data=np.arange(20001, dtype=np.uint64) * 2, chunks=(1000,),
                         compression="gzip")
        f.create_dataset("followers", data=np.random.default_rng(1).integers(
            0, 20000, 40000, dtype=np.uint32), chunks=(1000,), compression="gzip")
    _truncate(p)


# --- the test ---------------------------------------------------------------------------------

def _commands(kind: str, path: str, overrides: list[str], out: Path) -> list[list[str]]:
    sets = [a for o in overrides for a in ("--set", _arg(o))]
    if kind == "scenario":
        commands = [["validate", path, *sets], ["run", path, "-o", str(out), *sets],
                    ["compare", path, "-o", str(out), "--replicates", "1", *sets]]
        if path.endswith(".toml"):
            commands.append(["network", "stats", path, *sets])
        return commands
    if kind == "edges":
        return [["network", "stats", path, "--account", "gov"]]
    if kind == "info":
        return [["info", path]]
    if kind == "network":
        return [["network", "stats", path]]
    if kind == "sweep":
        return [["sweep", "plan", path], ["sweep", "run", path, "-o", str(out)]]
    raise ValueError(kind)


@pytest.mark.parametrize("case", CASES, ids=[f"{c['kind']}/{c['name']}" for c in CASES])
def test_bad_input(case, civsim_exe, tmp_path):
    if case.get("sanitizer") is False and os.environ.get("CIVSIM_SANITIZED") == "1":
        pytest.skip("the input makes a library stop the sanitizer itself (see its note)")
    inputs, out_dir = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    out_dir.mkdir()
    if "make" in case:
        path = inputs / f"{case['name']}.h5"
        globals()[f"make_{case['make']}"](path)
    else:
        path = CORPUS / case["input"]
    where = case.get("where", "").format(input=path, dir=CORPUS)
    commands = _commands(case["kind"], str(path), case.get("set", []), out_dir / "out.h5")
    if "commands" in case:  # e.g. a network file's content is read by run, not by validate
        commands = [c for c in commands if " ".join(c[:2]).startswith(tuple(case["commands"]))]
        assert commands, case["commands"]
    for args in commands:
        proc = subprocess.run([str(civsim_exe), *args], capture_output=True, timeout=300,
                              env={**os.environ, "OMP_NUM_THREADS": "1", **case.get("env", {})})
        stderr = proc.stderr.decode("utf-8", "backslashreplace")
        shown = f"civsim {' '.join(args)[:200]} exited {proc.returncode}:\n{stderr[-3000:]}"
        assert 0 <= proc.returncode < 128, "crashed: " + shown
        for marker in SANITIZER_REPORTS:
            assert marker not in stderr, "sanitizer report: " + shown
        assert "internal error" not in stderr, shown
        assert proc.returncode == case["exit"], shown
        assert case.get("message", "") in stderr, shown
        assert where in stderr, shown
        assert list(out_dir.iterdir()) == [], f"left files behind: {shown}"
    if case["kind"] == "sweep":  # an existing sweep file survives a bad sweep, even with --force
        keep = out_dir / "keep.h5"
        keep.write_bytes(b"precious")
        proc = subprocess.run([str(civsim_exe), "sweep", "run", str(path), "-o", str(keep),
                               "--force"], capture_output=True, timeout=300)
        assert proc.returncode == case["exit"]
        assert keep.read_bytes() == b"precious"
        assert sorted(p.name for p in out_dir.iterdir()) == ["keep.h5"]
    if case["kind"] != "scenario":
        return
    # Bad input loses nothing: the scenario file is untouched (a corpus file), and an existing
    # output survives a failed run even with --force.
    if path.is_file():
        keep = out_dir / "keep.h5"
        keep.write_bytes(b"precious")
        sets = [a for o in case.get("set", []) for a in ("--set", _arg(o))]
        proc = subprocess.run([str(civsim_exe), "run", str(path), "-o", str(keep), "--force",
                               *sets], capture_output=True, timeout=300)
        assert proc.returncode == case["exit"]
        assert keep.read_bytes() == b"precious"
        assert sorted(p.name for p in out_dir.iterdir()) == ["keep.h5"]


def test_corpus_is_large_and_documented():
    assert len(CASES) >= 50
    names = [(c["kind"], c["name"]) for c in CASES]
    assert len(names) == len(set(names)), "case names are unique within a kind"
    for c in CASES:
        assert ("input" in c) != ("make" in c), c["name"]
        assert "input" not in c or (CORPUS / c["input"]).exists() or "missing" in c["name"] \
            or "no-such" in c["input"], c["name"]
        assert "make" not in c or f"make_{c['make']}" in globals(), c["name"]
    assert (CORPUS / "README.md").exists()
