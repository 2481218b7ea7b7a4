"""Read civsim run files (HDF5) into pandas and plot them.

Run with Debian's interpreter, ``/usr/bin/python3``, which sees Debian's h5py, pandas and
matplotlib::

    from civsim_analysis import open_run, plot_series
    run = open_run("results/default.h5")
    df = run.series()            # one column per outcome, indexed by simulated hours
    plot_series(run, "results/default.png")
"""
from __future__ import annotations

from .reader import FormatError, Run, SUPPORTED_MAJOR, open_run
from .plot import plot_series

__all__ = ["FormatError", "Run", "SUPPORTED_MAJOR", "open_run", "plot_series"]
__version__ = "0.1.0"
