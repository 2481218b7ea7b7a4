"""Read civsim run files and comparison files (HDF5) into pandas and plot them.

Run with Debian's interpreter, ``/usr/bin/python3``, which sees Debian's h5py, pandas and
matplotlib::

    from civsim_analysis import open_run, plot_series
    run = open_run("results/default.h5")
    df = run.series()            # one column per outcome, indexed by simulated hours
    plot_series(run, "results/default.png")

    from civsim_analysis import open_compare, plot_compare
    cmp = open_compare("results/default-compare.h5")
    cmp.tidy()                   # one row per arm x replicate x step x series
    cmp.summary_table()          # per-arm means, 95% CIs, paired differences vs the first arm
    plot_compare(cmp, ["reach", "trust_mean"], out="results/compare.png")
"""
from __future__ import annotations

from .compare import Comparison, open_compare
from .reader import FormatError, Run, SUPPORTED_MAJOR, open_run
from .plot import plot_compare, plot_series
from .files import open_file

__all__ = ["Comparison", "FormatError", "Run", "SUPPORTED_MAJOR", "open_compare", "open_file",
           "open_run", "plot_compare", "plot_series"]
__version__ = "0.2.0"
