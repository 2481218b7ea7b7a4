"""Reading civsim run files (format documented in docs/output-format.md)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pandas as pd

FILETYPE = "civsim-run"
SUPPORTED_MAJOR = 2


class FormatError(ValueError):
    """The file is not a civsim file of the expected type, or has a format version this reader
    does not know."""


def _text(value: Any) -> Any:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _scalar(value: Any) -> Any:
    value = _text(value)
    if isinstance(value, np.ndarray):  # a string-array attribute
        return [_text(v) for v in value.tolist()]
    return value.item() if hasattr(value, "item") else value


def check_format(f: h5py.File, path: Path, filetype: str, major: int, what: str) -> dict[str, Any]:
    """Root attributes of `f`, after checking its filetype and the major part of its version."""
    attrs = {k: _scalar(v) for k, v in f.attrs.items()}
    if attrs.get("filetype") != filetype:
        raise FormatError(f"{path}: not a civsim {what} (filetype={attrs.get('filetype')!r})")
    version = str(attrs.get("format_version", ""))
    file_major = version.split(".")[0]
    if not file_major.isdigit() or int(file_major) != major:
        hint = ""
        if file_major.isdigit() and int(file_major) < major:
            hint = " (written by an older civsim: run the scenario stored in it again)"
        raise FormatError(
            f"{path}: {what} format version {version!r} is not supported; "
            f"this reader knows major version {major}{hint}"
        )
    return attrs


def read_network(f: h5py.File) -> dict[str, Any]:
    """/network: scalar statistics and the binned degree distributions (arrays)."""
    network = {k: _scalar(v) for k, v in f["network"].attrs.items()}
    for name, ds in f["network"].items():
        network[name] = ds[()]
    return network


@dataclass
class Run:
    """One run file, read eagerly (series are small: one value per step)."""

    path: Path
    attrs: dict[str, Any]
    scenario: str
    network: dict[str, Any]
    summary: dict[str, float]
    summary_units: dict[str, str]
    summary_descriptions: dict[str, str]
    cascade_size_hist: np.ndarray
    cascade_depth_hist: np.ndarray
    _series: dict[str, Any] = field(repr=False)
    _by_region: dict[str, np.ndarray] = field(repr=False)
    regions: list[str]
    units: dict[str, str]
    descriptions: dict[str, str]

    @property
    def format_version(self) -> str:
        return self.attrs["format_version"]

    def series(self) -> pd.DataFrame:
        """Outcome series as a DataFrame indexed by ``time_hours``, one column per outcome."""
        data = {k: v for k, v in self._series.items() if k not in ("time_hours",)}
        df = pd.DataFrame(data, index=pd.Index(self._series["time_hours"], name="time_hours"))
        df.attrs["units"] = dict(self.units)
        return df

    def by_region(self, name: str) -> pd.DataFrame:
        """A per-region series: rows indexed by ``time_hours``, one column per region."""
        if name not in self._by_region:
            raise KeyError(f"no per-region series {name!r} in {self.path}; "
                           f"available: {sorted(self._by_region)}")
        df = pd.DataFrame(self._by_region[name], columns=self.regions,
                          index=pd.Index(self._series["time_hours"], name="time_hours"))
        df.columns.name = "region"
        return df


def open_run(path: str | Path) -> Run:
    """Reads a run file; raises FormatError for a non-civsim file or an unknown major version."""
    path = Path(path)
    with h5py.File(path, "r") as f:
        attrs = check_format(f, path, FILETYPE, SUPPORTED_MAJOR, "run file")
        scenario = f["scenario"].asstr()[()]
        network = read_network(f)
        summary = {k: _scalar(v) for k, v in f["summary"].attrs.items()}
        summary_units = {k: _text(v) for k, v in f["summary/units"].attrs.items()}
        summary_descriptions = {k: _text(v) for k, v in f["summary/descriptions"].attrs.items()}
        size_hist = f["summary/cascade_size_hist"][()]
        depth_hist = f["summary/cascade_depth_hist"][()]
        series, units, descriptions, by_region, regions = {}, {}, {}, {}, []
        for name, ds in f["series"].items():
            if isinstance(ds, h5py.Group):
                continue
            series[name] = ds[()]
            units[name] = _text(ds.attrs.get("units", ""))
            descriptions[name] = _text(ds.attrs.get("description", ""))
        for name, ds in f["series/by_region"].items():
            by_region[name] = ds[()]
            regions = _scalar(ds.attrs["regions"])
    return Run(path, attrs, scenario, network, summary, summary_units, summary_descriptions,
               size_hist, depth_hist, series, by_region, regions, units, descriptions)
