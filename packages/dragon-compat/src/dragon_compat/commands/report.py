"""``dragon report RUN_DIR [--ledger FILE | --replay DIR] [--risk-free RATE] --out FILE.html``.

Writes one self-contained HTML page of a complete daily run: every branch's equity
and drawdown, the metrics table with its definitions, monthly returns, event and
reason-code counts, the monitor's conditions over time, the rollout decision with
every gate's evidence (when the run has one) and, with ``--ledger``, the decision
timeline; with ``--replay DIR`` the decision and state timeline of a ``dragon
replay`` directory. Needs the ``report`` extra (plotly). Exit 0, or 2 for a missing
extra, an incomplete run directory, a bad ledger or replay, both given, or an
unwritable ``--out``.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def rate(text: str) -> float:
    """argparse type for an annual rate such as ``0.02`` (= 2 %)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (e.g. 0.02 for 2%)") from None
    if not -1.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"{text!r}: an annual rate in (-1, 1), e.g. 0.02")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a complete `dragon daily` run")
    parser.add_argument("--out", required=True, metavar="FILE.html", help="the page to write")
    parser.add_argument(
        "--ledger", metavar="FILE", help="a dragon-governance ledger: adds the decision timeline"
    )
    parser.add_argument(
        "--replay",
        metavar="DIR",
        help="a `dragon replay` directory: adds its decision and state timeline (first policy)",
    )
    parser.add_argument(
        "--risk-free",
        type=rate,
        default=0.0,
        metavar="RATE",
        help="annual risk-free rate for Sharpe and Sortino (default 0)",
    )


def run(args: argparse.Namespace) -> int:
    from dragon_compat.report import require_plotly

    require_plotly()
    from dragon_compat.report.build import build_report, write_report

    report = build_report(
        Path(args.run_dir),
        ledger=Path(args.ledger) if args.ledger else None,
        replay=Path(args.replay) if args.replay else None,
        risk_free=args.risk_free,
    )
    from dragon_compat import render

    render.print_report_written(render.stdout(), write_report(report, Path(args.out)))
    return 0
