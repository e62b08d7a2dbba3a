"""``dragon sample [--out FILE] [--compare-to FILE [--side-table FILE]] [--symbols N
--sessions N --seed S --end DATE]``.

Writes a deterministic synthetic market (CSV, CSV.gz or Parquet by suffix). The
defaults are the bundled sample's arguments, so ``dragon sample --out x.parquet``
reproduces the bundled sample's content. ``--compare-to FILE`` loads a real tape (any
layout ``dragon validate`` accepts, completed by side tables) and prints its tape
statistics beside the generated market's, each with its tolerance and whether the
sample is within it (:mod:`dragon_compat.sample.calibration`). At least one of
``--out`` and ``--compare-to`` is needed.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from dragon_compat.commands.market_args import iso_date

if TYPE_CHECKING:
    import pandas as pd

    from dragon_compat.data.load import SideTables


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="FILE", help="output: .csv, .csv.gz, .parquet or .pq")
    parser.add_argument(
        "--compare-to",
        metavar="FILE",
        help="a real bars file: print its tape statistics beside the sample's",
    )
    parser.add_argument(
        "--side-table", action="append", metavar="FILE", help="side table(s) for --compare-to"
    )
    same = "(default: the bundled sample's)"
    parser.add_argument("--symbols", type=int, metavar="N", help=f"number of symbols {same}")
    parser.add_argument("--sessions", type=int, metavar="N", help=f"XSHG sessions {same}")
    parser.add_argument("--seed", type=int, metavar="S", help=f"random seed, >= 0 {same}")
    parser.add_argument(
        "--end",
        type=iso_date,
        metavar="DATE",
        help="last session on or before this ISO date (default: a window around 2023-08-28)",
    )


def run(args: argparse.Namespace) -> int:
    from dragon_compat.data.write import write_bars
    from dragon_compat.errors import EXIT_OK, DragonUserError
    from dragon_compat.render import print_sample, stdout
    from dragon_compat.sample.bundled import BUNDLED_SAMPLE
    from dragon_compat.sample.generator import generate_market

    if args.out is None and args.compare_to is None:
        raise DragonUserError("nothing to do: give --out FILE, --compare-to FILE, or both")
    if args.side_table and args.compare_to is None:
        raise DragonUserError("--side-table completes the --compare-to file; give --compare-to")
    symbols = BUNDLED_SAMPLE.symbols if args.symbols is None else args.symbols
    sessions = BUNDLED_SAMPLE.sessions if args.sessions is None else args.sessions
    seed = BUNDLED_SAMPLE.seed if args.seed is None else args.seed
    end = BUNDLED_SAMPLE.end if args.end is None else args.end
    try:
        bars = generate_market(symbols, sessions, seed, end)
    except ValueError as err:
        raise DragonUserError(f"cannot generate that market: {err}") from None
    if args.out is not None:
        path = write_bars(bars, args.out)
        print_sample(stdout(), path, bars, seed)
    if args.compare_to is not None:
        _print_comparison(bars, args.compare_to, args.side_table, seed)
    return EXIT_OK


def _print_comparison(
    bars: pd.DataFrame, compare_to: str, side_table: SideTables, seed: int
) -> None:
    from dragon_compat.market_input import load_market
    from dragon_compat.render import print_table, stdout, tape_comparison_table
    from dragon_compat.sample.calibration import compare
    from dragon_compat.sample.tape_stats import tape_stats

    real = tape_stats(load_market(compare_to, side_table=side_table).bars)
    sample = tape_stats(bars)
    shape = "{0.symbols:,} symbols × {0.sessions} sessions, {0.rows:,} rows"
    table = tape_comparison_table(
        compare(real, sample),
        reference="real",
        sample="sample",
        title=f"real: {compare_to} ({shape.format(real)})\n"
        f"sample: seed {seed} ({shape.format(sample)})",
    )
    print_table(stdout(), table)
