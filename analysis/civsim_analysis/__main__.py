"""Command line: ``/usr/bin/python3 -m civsim_analysis {plot,summary} FILE``."""
from __future__ import annotations

import argparse
import sys

from . import FormatError, open_run, plot_series
from .plot import DEFAULT_PANELS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="civsim_analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("plot", help="plot series of a run file to an image")
    p.add_argument("file")
    p.add_argument("-o", "--output", required=True, help="image to write, e.g. results/run.png")
    p.add_argument("--series", default=",".join(DEFAULT_PANELS), help="comma-separated names")
    s = sub.add_parser("summary", help="print the series table of a run file as CSV")
    s.add_argument("file")
    args = parser.parse_args(argv)
    try:
        run = open_run(args.file)
        if args.command == "plot":
            out = plot_series(run, args.output, [c for c in args.series.split(",") if c])
            print(f"figure       {out}")
        else:
            run.series().to_csv(sys.stdout)
    except (FormatError, KeyError, OSError) as e:
        print(f"civsim_analysis: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
