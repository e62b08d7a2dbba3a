"""``dragon sample --out FILE [--symbols N --sessions N --seed S --end DATE]``.

Writes a deterministic synthetic market (CSV, CSV.gz or Parquet by suffix). The
defaults are the bundled sample's arguments, so ``dragon sample --out x.parquet``
reproduces the bundled sample's content.
"""

from __future__ import annotations

import argparse

from dragon_compat.commands.market_args import iso_date


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", required=True, metavar="FILE", help="output: .csv, .csv.gz, .parquet or .pq"
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

    symbols = BUNDLED_SAMPLE.symbols if args.symbols is None else args.symbols
    sessions = BUNDLED_SAMPLE.sessions if args.sessions is None else args.sessions
    seed = BUNDLED_SAMPLE.seed if args.seed is None else args.seed
    end = BUNDLED_SAMPLE.end if args.end is None else args.end
    try:
        bars = generate_market(symbols, sessions, seed, end)
    except ValueError as err:
        raise DragonUserError(f"cannot generate that market: {err}") from None
    path = write_bars(bars, args.out)
    print_sample(stdout(), path, bars, seed)
    return EXIT_OK
