"""Compare two sweep files dataset by dataset (for the sweep tests)."""
from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

# Columns that describe how a run went rather than its result: they differ between any two
# executions (docs/sweeps.md, "Reproducibility").
RUN_DEPENDENT = {"runs/wall_seconds", "runs/network_seconds", "runs/host"}


def datasets(path: Path) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = np.asarray(obj[()])
        f.visititems(visit)
    return out


def differences(a: Path, b: Path) -> list[str]:
    """Names of datasets that differ (bit for bit; NaN equals NaN), beyond the run-dependent
    columns; missing datasets count too."""
    da, db = datasets(a), datasets(b)
    diff = sorted(set(da) ^ set(db))
    for name in sorted(set(da) & set(db)):
        if name in RUN_DEPENDENT:
            continue
        x, y = da[name], db[name]
        if x.dtype.kind == "f":
            same = x.shape == y.shape and np.array_equal(x.view(np.uint64) if x.dtype == np.float64
                                                         else x, y.view(np.uint64)
                                                         if y.dtype == np.float64 else y)
        else:
            same = x.shape == y.shape and np.array_equal(x, y)
        if not same:
            diff.append(name)
    return diff
