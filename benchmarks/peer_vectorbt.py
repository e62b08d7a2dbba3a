"""The vectorbt peer: one fresh process running :mod:`peer_rule` through vectorbt.

Usage (``peers.py`` starts it; runs only where vectorbt is installed, i.e. the
``bench`` hatch env)::

    python benchmarks/peer_vectorbt.py --parquet bars.parquet --result out.json

Steps, each a :class:`bench_meter.Meter` segment:

1. ``imports``: numpy, pandas, pyarrow, vectorbt (and numba), the runtime's limit rule;
2. ``read``: the :data:`peer_rule.VECTORBT_COLUMNS` of the Parquet file (pyarrow);
3. ``pivot``: exact cents, board % and limit prices per row, scattered onto the
   dense ``[session, symbol]`` grid (:func:`peer_rule.widen`, a numpy scatter —
   faster than ``DataFrame.pivot``, so the peer is not handicapped by it);
4. ``signals``: limit-up closes, board heights, entry/exit signals moved to the
   next session; prices and signals as wide pandas frames;
5. ``portfolio``: ``vbt.Portfolio.from_signals`` — one column per symbol, each its
   own account (vectorbt's defaults: 100 of cash, all-in, fractional shares, no
   fees, no slippage), orders at the next session's open (NaN open where the
   symbol does not trade, so the order lapses), positions marked at the close
   (carried forward over gaps);
6. ``total_return``: the whole book's total return (every column's value summed).

Numba compiles vectorbt's kernels the first time they run in a fresh process
unless its on-disk cache (``NUMBA_CACHE_DIR``) already holds them: ``peers.py``
runs this worker both cold (empty cache directory) and warm (the same directory,
filled by the cold run).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from bench_meter import Meter

FIRST_SYMBOLS = 200
"""Buy orders are also counted over the first this-many symbols (string order),
the ones the backtrader peer trades, as a cross-check between the two peers."""


def measure(parquet: Path, first_symbols: int = FIRST_SYMBOLS) -> dict[str, Any]:
    """Run the peer on ``parquet``; its segments and checksums (module docstring)."""
    meter = Meter()
    meter.switch("imports")
    import numpy as np
    import pandas as pd
    import peer_rule
    import vectorbt as vbt

    meter.switch("read")
    table = peer_rule.read_rule_table(parquet, peer_rule.VECTORBT_COLUMNS)
    rows = table.num_rows
    meter.count(rows)

    meter.switch("pivot", rows)
    wide = peer_rule.widen(peer_rule.long_bars(table))
    del table

    meter.switch("signals", rows)
    entry, exit_ = peer_rule.signals_at_close(wide)
    index = pd.DatetimeIndex(wide.dates.astype("datetime64[ns]"), name="trade_date")
    columns = pd.Index(wide.symbols, name="symbol")

    def frame(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values, index=index, columns=columns, copy=False)

    open_price = np.where(wide.trading, wide.open_c / 100.0, np.nan)
    marked = np.where(wide.trading | (wide.close_c > 0), wide.close_c / 100.0, np.nan)
    close = frame(marked).ffill().bfill()
    entries = frame(peer_rule.next_session(entry))
    exits = frame(peer_rule.next_session(exit_))

    meter.switch("portfolio", rows)
    portfolio = vbt.Portfolio.from_signals(close, entries, exits, price=frame(open_price))

    meter.switch("total_return", rows)
    total_return = float(portfolio.total_return(group_by=True))
    records = portfolio.orders.records_arr
    buys = records["side"] == 0
    meter.switch(None)
    return {
        "segments": [segment.as_json() for segment in meter.segments],
        "peak_is_cumulative": meter.peak_is_cumulative,
        "rows": rows,
        "sessions": len(wide.dates),
        "symbols": len(wide.symbols),
        "entry_signals": int(np.count_nonzero(entry)),
        "orders": len(records),
        "buys": int(np.count_nonzero(buys)),
        "buys_first_symbols": int(np.count_nonzero(buys & (records["col"] < first_symbols))),
        "first_symbols": first_symbols,
        "total_return": total_return,
        "numba_cache_dir": os.environ.get("NUMBA_CACHE_DIR", ""),
        "versions": _versions(),
    }


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {dist: version(dist) for dist in ("vectorbt", "numba", "numpy", "pandas", "pyarrow")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="peer_vectorbt", description=__doc__.splitlines()[0])
    parser.add_argument("--parquet", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--first-symbols", type=int, default=FIRST_SYMBOLS)
    args = parser.parse_args(argv)
    result = measure(args.parquet, args.first_symbols)
    args.result.write_text(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
