"""Opening any civsim output file by its filetype."""
from __future__ import annotations

from pathlib import Path

import h5py

from . import calibration, compare, reader


def open_file(path: str | Path) -> reader.Run | compare.Comparison | calibration.Calibration:
    """A run file as a Run, a comparison file as a Comparison, a calibration log as a
    Calibration; FormatError for anything else (or an unknown major version)."""
    path = Path(path)
    with h5py.File(path, "r") as f:
        filetype = reader._scalar(f.attrs.get("filetype", ""))
    if filetype == compare.FILETYPE:
        return compare.open_compare(path)
    if filetype == reader.FILETYPE:
        return reader.open_run(path)
    if filetype == calibration.FILETYPE:
        return calibration.open_calibration(path)
    raise reader.FormatError(f"{path}: not a civsim run file, comparison file or calibration "
                             f"log (filetype={filetype!r})")
