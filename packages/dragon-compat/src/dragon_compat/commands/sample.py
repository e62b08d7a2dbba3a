"""``dragon sample --out FILE [--symbols N --sessions N --seed S --end DATE]``.

Writes a deterministic synthetic market (CSV, CSV.gz or Parquet by suffix). The
defaults are the bundled sample's arguments, so ``dragon sample --out x.parquet``
reproduces the bundled sample's content.
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    from dragon_compat.sample.bundled import BUNDLED_SAMPLE

    parser.add_argument(
        "--out", required=True, metavar="FILE", help="output: .csv, .csv.gz, .parquet or .pq"
    )
    parser.add_argument(
        "--symbols", type=int, default=BUNDLED_SAMPLE.symbols, metavar="N",
        help=f"number of symbols (default {BUNDLED_SAMPLE.symbols})",
    )  # fmt: skip
    parser.add_argument(
        "--sessions", type=int, default=BUNDLED_SAMPLE.sessions, metavar="N",
        help=f"number of XSHG sessions (default {BUNDLED_SAMPLE.sessions})",
    )  # fmt: skip
    parser.add_argument(
        "--seed", type=int, default=BUNDLED_SAMPLE.seed, metavar="S",
        help=f"random seed, >= 0 (default {BUNDLED_SAMPLE.seed})",
    )  # fmt: skip
    parser.add_argument(
        "--end", metavar="DATE",
        help="last session on or before this ISO date (default: a window around 2023-08-28)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    import datetime as dt

    from dragon_compat.console import stdout
    from dragon_compat.data.write import write_bars
    from dragon_compat.errors import EXIT_OK, DragonUserError
    from dragon_compat.sample.generator import generate_market

    end = None
    if args.end is not None:
        try:
            end = dt.date.fromisoformat(args.end)
        except ValueError:
            raise DragonUserError(f"--end {args.end!r} is not an ISO date (YYYY-MM-DD)") from None
    try:
        bars = generate_market(args.symbols, args.sessions, args.seed, end)
    except ValueError as err:
        raise DragonUserError(f"cannot generate that market: {err}") from None
    path = write_bars(bars, args.out)
    first, last = bars["trade_date"].iloc[0].date(), bars["trade_date"].iloc[-1].date()
    stdout().print(
        f"{path}: {len(bars)} rows, {bars['symbol'].nunique()} symbols, "
        f"{bars['trade_date'].nunique()} sessions {first} .. {last} (seed {args.seed})",
        markup=False,
    )
    return EXIT_OK
