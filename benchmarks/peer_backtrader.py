"""The backtrader peer: :mod:`peer_rule` on the first N symbols, in one fresh process.

Usage (``peers.py`` starts it; runs only where backtrader is installed, i.e. the
``bench`` hatch env)::

    python benchmarks/peer_backtrader.py --parquet bars.parquet --result out.json [--symbols 200]

Steps, each a :class:`bench_meter.Meter` segment:

1. ``imports``: numpy, pandas, pyarrow, backtrader, the runtime's limit rule;
2. ``read``: the :data:`peer_rule.RULE_COLUMNS` of the Parquet file;
3. ``feeds``: the first ``--symbols`` symbols in string order, their trading rows
   only (suspended rows and missing sessions are simply absent from a feed), one
   ``PandasData`` feed per symbol with three extra lines — the exact up-limit in
   cents (:func:`dragon_runtime.market.limit_prices_cents`, vectorized, so the
   limit is Dragon's to the cent), whether the row has a limit (not an IPO day) and
   the session number of the calendar;
4. ``run``: ``cerebro.run()`` with cheat-on-open: at each close the strategy feeds
   the symbol's row to a :class:`peer_rule.TwoBoardTracker` (board height, entry
   and exit signals); at the next bar's open (``next_open``) it buys 100 shares or
   closes the position if that bar is the very next session, else the signal
   lapses. One account with 1e9 of cash (no order is ever refused), no commission,
   no slippage, no observers (``stdstats=False``: less work than backtrader's
   default).

``bars`` is the number of rows in the feeds; the peer's bars/s is ``bars`` over the
``run`` seconds (its own engine time: the table's extrapolation to the whole market
uses that rate, which flatters backtrader, not Dragon).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bench_meter import Meter

DEFAULT_SYMBOLS = 200
CASH = 1e9
STAKE = 100


def measure(parquet: Path, n_symbols: int = DEFAULT_SYMBOLS) -> dict[str, Any]:
    """Run the peer on the first ``n_symbols`` of ``parquet`` (module docstring)."""
    meter = Meter()
    meter.switch("imports")
    import backtrader as bt
    import numpy as np
    import pandas as pd
    import peer_rule

    meter.switch("read")
    table = peer_rule.read_rule_table(parquet)
    meter.count(table.num_rows)

    meter.switch("feeds", table.num_rows)
    bars = peer_rule.long_bars(table)
    del table
    keep = bars.trading & (bars.symbol < n_symbols)
    frame = pd.DataFrame(
        {
            "symbol": bars.symbol[keep],
            "open": bars.open_c[keep] / 100.0,
            "high": bars.high_c[keep] / 100.0,
            "low": bars.low_c[keep] / 100.0,
            "close": bars.close_c[keep] / 100.0,
            "volume": np.ones(int(keep.sum())),
            "up_c": bars.up_c[keep].astype(np.float64),
            "has_limit": bars.has_limit[keep].astype(np.float64),
            "session": bars.session[keep].astype(np.float64),
        },
        index=pd.DatetimeIndex(bars.dates[bars.session[keep]].astype("datetime64[ns]")),
    )
    feed_class = _feed_class(bt)
    cerebro = bt.Cerebro(stdstats=False, cheat_on_open=True)
    cerebro.broker.setcash(CASH)
    fed = 0
    for code, rows in frame.groupby("symbol", sort=True):
        cerebro.adddata(feed_class(dataname=rows.drop(columns="symbol")), name=str(code))
        fed += len(rows)
    cerebro.addstrategy(_strategy_class(bt, peer_rule.TwoBoardTracker))
    meter.count(fed)

    meter.switch("run", fed)
    strategy = cerebro.run()[0]
    meter.switch(None)
    return {
        "segments": [segment.as_json() for segment in meter.segments],
        "peak_is_cumulative": meter.peak_is_cumulative,
        "rows": len(bars),
        "bars": fed,
        "symbols_fed": len(cerebro.datas),
        "entry_signals": strategy.entry_signals,
        "buys": strategy.buys,
        "sells": strategy.sells,
        "final_value": float(cerebro.broker.getvalue()),
        "versions": _versions(),
    }


def _feed_class(bt: Any) -> Any:
    class LimitFeed(bt.feeds.PandasData):
        """OHLCV plus the exact up-limit (cents), the has-limit flag and the session."""

        lines = ("up_c", "has_limit", "session")
        params = (("openinterest", None), ("up_c", -1), ("has_limit", -1), ("session", -1))

    return LimitFeed


def _strategy_class(bt: Any, tracker: Any) -> Any:
    class TwoBoard(bt.Strategy):
        """The :mod:`peer_rule` rule per data feed (see the module docstring)."""

        def __init__(self) -> None:
            self.trackers = [tracker() for _ in self.datas]
            self.seen = [0] * len(self.datas)
            self.pending: list[tuple[str, int] | None] = [None] * len(self.datas)
            self.entry_signals = self.buys = self.sells = 0

        def _new_bars(self) -> list[int]:
            return [i for i, data in enumerate(self.datas) if len(data) > self.seen[i]]

        def next_open(self) -> None:
            for i in self._new_bars():
                pending, self.pending[i] = self.pending[i], None
                data = self.datas[i]
                if pending is None or int(data.session[0]) != pending[1] + 1:
                    continue
                if pending[0] == "buy":
                    self.buy(data=data, size=STAKE)
                    self.buys += 1
                else:
                    self.close(data=data)
                    self.sells += 1

        prenext_open = next_open

        def next(self) -> None:
            for i in self._new_bars():
                data = self.datas[i]
                self.seen[i] = len(data)
                close_c = round(data.close[0] * 100)
                entry, exit_ = self.trackers[i].close(
                    close_c, int(data.up_c[0]), bool(data.has_limit[0])
                )
                self.entry_signals += entry
                held = self.getposition(data).size > 0
                if entry and not held:
                    self.pending[i] = ("buy", int(data.session[0]))
                elif exit_ and held:
                    self.pending[i] = ("sell", int(data.session[0]))

        prenext = next

    return TwoBoard


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {dist: version(dist) for dist in ("backtrader", "numpy", "pandas", "pyarrow")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="peer_backtrader", description=__doc__.splitlines()[0])
    parser.add_argument("--parquet", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--symbols", type=int, default=DEFAULT_SYMBOLS)
    args = parser.parse_args(argv)
    result = measure(args.parquet, args.symbols)
    args.result.write_text(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
