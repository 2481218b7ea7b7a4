"""Opening any civsim output file by its filetype."""
from __future__ import annotations

from pathlib import Path

import h5py

from . import compare, reader


def open_file(path: str | Path) -> reader.Run | compare.Comparison:
    """A run file as a Run, a comparison file as a Comparison; FormatError for anything else."""
    path = Path(path)
    with h5py.File(path, "r") as f:
        filetype = reader._scalar(f.attrs.get("filetype", ""))
    if filetype == compare.FILETYPE:
        return compare.open_compare(path)
    if filetype == reader.FILETYPE:
        return reader.open_run(path)
    raise reader.FormatError(f"{path}: not a civsim run file or comparison file "
                             f"(filetype={filetype!r})")
