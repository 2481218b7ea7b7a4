"""Command line: ``/usr/bin/python3 -m civsim_analysis {plot,summary,report} FILE`` for run
files, comparison files and calibration logs, and ``... cases DIR`` for the report cases."""
from __future__ import annotations

import argparse
import sys

import matplotlib.pyplot as plt

from . import (Calibration, Comparison, FormatError, open_file, plot_calibration, plot_compare,
               plot_series)
from .cases import write_cases
from .report import write_report
from .plot import DEFAULT_COMPARE_PANELS, DEFAULT_PANELS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="civsim_analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("plot", help="plot series of a run or comparison file to an image")
    p.add_argument("file")
    p.add_argument("-o", "--output", required=True, help="image to write, e.g. results/run.png")
    p.add_argument("--series", help="comma-separated names (default: "
                   f"{','.join(DEFAULT_PANELS)} for a run, "
                   f"{','.join(DEFAULT_COMPARE_PANELS)} for a comparison)")
    s = sub.add_parser("summary", help="print a run's series, or a comparison's summary table, "
                       "as CSV")
    s.add_argument("file")
    r = sub.add_parser("report", help="write PNG figures and a Markdown report (report.md) of a "
                       "run, comparison or calibration file into a folder")
    r.add_argument("file")
    r.add_argument("-o", "--output", required=True, help="folder to write, e.g. results/report")
    r.add_argument("--title", help="title of the report (default: the scenario name)")
    c = sub.add_parser("cases", help="the report cases' results page (README.md) from the "
                       "comparison files DIR/<case>.h5 that scripts/reproduce-report writes")
    c.add_argument("dir")
    c.add_argument("--root", default=".", help="the repository (default: .)")
    c.add_argument("--mode", choices=("full", "quick"), default="full")
    c.add_argument("--seconds", type=float, help="wall time of the runs, to state in the page")
    args = parser.parse_args(argv)
    try:
        if args.command == "report":
            rep = write_report(args.file, args.output, args.title)
            print(f"report       {rep.markdown}")
            for path in rep.figures.values():
                print(f"figure       {path}")
            return 0
        if args.command == "cases":
            print(f"results      {write_cases(args.dir, args.root, args.mode, args.seconds)}")
            return 0
        data = open_file(args.file)
        is_compare = isinstance(data, Comparison)
        if isinstance(data, Calibration):
            if args.command == "plot":
                plt.close(plot_calibration(data, out=args.output))
                print(f"figure       {args.output}")
            else:
                data.targets.to_csv(sys.stdout, index=False)
            return 0
        if args.command == "plot":
            default = DEFAULT_COMPARE_PANELS if is_compare else DEFAULT_PANELS
            names = [c for c in args.series.split(",") if c] if args.series else list(default)
            if is_compare:
                plt.close(plot_compare(data, names, out=args.output))
            else:
                plot_series(data, args.output, names)
            print(f"figure       {args.output}")
        elif is_compare:
            data.summary_table().to_csv(sys.stdout, index=False)
        else:
            data.series().to_csv(sys.stdout)
    except (FormatError, KeyError, OSError, ValueError) as e:
        print(f"civsim_analysis: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
