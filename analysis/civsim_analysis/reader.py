"""Reading civsim run files (format documented in docs/output-format.md)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import pandas as pd

FILETYPE = "civsim-run"
SUPPORTED_MAJOR = 1


class FormatError(ValueError):
    """The file is not a civsim run file, or has a format version this reader does not know."""


def _text(value: Any) -> Any:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _scalar(value: Any) -> Any:
    value = _text(value)
    return value.item() if hasattr(value, "item") else value


@dataclass
class Run:
    """One run file, read eagerly (series are small: one value per step)."""

    path: Path
    attrs: dict[str, Any]
    scenario: str
    network: dict[str, Any]
    summary: dict[str, Any]
    _series: dict[str, Any] = field(repr=False)
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


def open_run(path: str | Path) -> Run:
    """Reads a run file; raises FormatError for a non-civsim file or an unknown major version."""
    path = Path(path)
    with h5py.File(path, "r") as f:
        attrs = {k: _scalar(v) for k, v in f.attrs.items()}
        if attrs.get("filetype") != FILETYPE:
            raise FormatError(f"{path}: not a civsim run file (filetype={attrs.get('filetype')!r})")
        version = str(attrs.get("format_version", ""))
        major = version.split(".")[0]
        if not major.isdigit() or int(major) != SUPPORTED_MAJOR:
            raise FormatError(
                f"{path}: run-file format version {version!r} is not supported; "
                f"this reader knows major version {SUPPORTED_MAJOR}"
            )
        scenario = f["scenario"].asstr()[()]
        network = {k: _scalar(v) for k, v in f["network"].attrs.items()}
        # Binned degree distributions (format 1.1): arrays beside the scalar statistics.
        for name, ds in f["network"].items():
            network[name] = ds[()]
        summary = {k: _scalar(v) for k, v in f["summary"].attrs.items()} if "summary" in f else {}
        series, units, descriptions = {}, {}, {}
        for name, ds in f["series"].items():
            series[name] = ds[()]
            units[name] = _text(ds.attrs.get("units", ""))
            descriptions[name] = _text(ds.attrs.get("description", ""))
    return Run(path, attrs, scenario, network, summary, series, units, descriptions)
