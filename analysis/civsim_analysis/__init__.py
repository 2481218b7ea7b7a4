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
    plot_outcome_distributions(cmp, out="results/outcomes.png")   # final outcomes per arm
    plot_paired_differences(cmp, out="results/differences.png")   # vs the first arm, 95% CIs
    plot_degree_distribution(cmp, out="results/network.png")      # from /network's bins

    from civsim_analysis import mean_ci, open_calibration, write_report
    mean_ci([1.0, 2.0, 4.0])     # Interval(mean, low, high, n): Student-t 95% CI
    open_calibration("results/fit.calibration.h5").targets   # target vs simulated
    write_report("results/default-compare.h5", "results/default-report")  # PNGs + report.md

or from the shell: ``/usr/bin/python3 -m civsim_analysis report FILE.h5 -o DIR``.
"""
from __future__ import annotations

from .calibration import Calibration, evaluate_statistic, open_calibration, read_targets
from .compare import Comparison, open_compare
from .reader import FormatError, Run, SUPPORTED_MAJOR, open_run
from .plot import (plot_calibration, plot_compare, plot_degree_distribution,
                   plot_outcome_distributions, plot_paired_differences, plot_series)
from .files import open_file
from .stats import Interval, mean_ci, paired_difference
from .report import Report, write_report

__all__ = ["Calibration", "Comparison", "FormatError", "Interval", "Report", "Run",
           "SUPPORTED_MAJOR", "evaluate_statistic", "mean_ci", "open_calibration", "open_compare",
           "open_file", "open_run", "paired_difference", "plot_calibration", "plot_compare",
           "plot_degree_distribution", "plot_outcome_distributions", "plot_paired_differences",
           "plot_series", "read_targets", "write_report"]
__version__ = "0.3.0"
