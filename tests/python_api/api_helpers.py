"""Shared by the Python API tests: paths, the small crisis scenario, and HDF5 comparisons."""
from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "default.toml"
# The default crisis (two regions, a shock and a rumour), cut to 20 000 citizens and two days.
CRISIS_SET = {"population": 20000, "time.duration": "2d"}
CRISIS_CLI = ["--set", "population=20000", "--set", "time.duration=2d"]
# What describes the run rather than the model (docs/output-format.md, reproducibility contract;
# the git revision differs when the module and the executable were built at different commits).
RUN_ATTRIBUTES = {"created", "host", "command_line", "threads", "run_seconds", "git_sha", "git_dirty"}


def datasets(path: Path) -> dict[str, np.ndarray]:
    """Every dataset of a file, by path."""
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.update(
            {name: obj[()]} if isinstance(obj, h5py.Dataset) else {}))
    return out


def attributes(path: Path) -> dict[str, object]:
    """Every attribute of a file, as "group@name"."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            for k, v in obj.attrs.items():
                out[f"{name}@{k}"] = v
        visit("", f)
        f.visititems(visit)
    return out


def assert_same(a, b, what: str) -> None:
    """Equal values, NaN equal to NaN (strings and arrays of strings compared as such)."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    if a.dtype.kind in "fc" or b.dtype.kind in "fc":
        np.testing.assert_array_equal(a, b, err_msg=what)  # NaN == NaN here
    else:
        assert np.array_equal(a, b), f"{what}: {a!r} != {b!r}"


def assert_same_files(ours: Path, theirs: Path) -> None:
    """Same datasets and the same model attributes (everything but when/where/how fast)."""
    da, db = datasets(ours), datasets(theirs)
    assert sorted(da) == sorted(db)
    for name in da:
        if name.endswith("scenario"):
            continue  # the resolved scenario: compared as text below
        assert_same(da[name], db[name], name)
    with h5py.File(ours) as f, h5py.File(theirs) as g:
        assert f["scenario"].asstr()[()] == g["scenario"].asstr()[()]
    aa, ab = attributes(ours), attributes(theirs)
    assert sorted(aa) == sorted(ab)
    for key in aa:
        if key.startswith("@") and key[1:] in RUN_ATTRIBUTES:
            continue
        assert_same(aa[key], ab[key], key)
