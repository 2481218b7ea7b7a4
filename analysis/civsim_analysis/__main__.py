"""Command line: ``/usr/bin/python3 -m civsim_analysis {plot,summary} FILE`` for run files and
comparison files."""
from __future__ import annotations

import argparse
import sys

import matplotlib.pyplot as plt

from . import Comparison, FormatError, open_file, plot_compare, plot_series
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
    args = parser.parse_args(argv)
    try:
        data = open_file(args.file)
        is_compare = isinstance(data, Comparison)
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
