"""Small fixture builders for hand-made markets and a scriptable fake strategy.

A market is a dict ``{symbol: [bar or None, ...]}`` with one entry per session
(consecutive weekdays from ``START``); ``None`` = no row that session. Prices are
CNY floats on the cent grid; ``pre_close`` defaults to the symbol's previous close
(first row: its open). ``bar(...)`` with ``volume=0`` makes a suspended row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from dragon_runtime.hooks import Book, PositionView, SessionContext, Signal, Verdict
from dragon_runtime.loop import LoopConfig, LoopResult, run_loop
from dragon_runtime.market import annotate_limits, limit_prices_cents
from dragon_runtime.panel import MarketPanel
from dragon_runtime.reasons import EventType, ReasonCode

START = dt.date(2024, 1, 2)
PASSING = "S1_HEIGHT_CAP=P"


class Bar(NamedTuple):
    open: float
    high: float
    low: float
    close: float
    volume: float = 1_000_000.0
    pre_close: float | None = None


def bar(
    open: float,
    high: float | None = None,
    low: float | None = None,
    close: float | None = None,
    *,
    volume: float = 1_000_000.0,
    pre_close: float | None = None,
) -> Bar:
    """A bar; missing high/low/close default to a flat bar at ``open``."""
    close = open if close is None else close
    high = max(open, close) if high is None else high
    low = min(open, close) if low is None else low
    return Bar(open, high, low, close, volume, pre_close)


def flat(price: float, **kwargs: float) -> Bar:
    """A one-price bar (open = high = low = close)."""
    return bar(price, price, price, price, **kwargs)


def up_of(pre_close: float, pct: int = 10) -> float:
    """The up limit (CNY) of a main-board symbol with this pre_close."""
    up, _ = limit_prices_cents([round(pre_close * 100)], [pct])
    return int(up[0]) / 100


def down_of(pre_close: float, pct: int = 10) -> float:
    """The down limit (CNY) of a main-board symbol with this pre_close."""
    _, down = limit_prices_cents([round(pre_close * 100)], [pct])
    return int(down[0]) / 100


def up_bar(pre_close: float, open: float | None = None) -> Bar:
    """A bar that opens at ``open`` (default pre_close), trades below the limit and
    closes limit-up."""
    up = up_of(pre_close)
    start = pre_close if open is None else open
    return bar(start, up, min(start, pre_close), up)


def sessions(count: int, start: dt.date = START) -> list[dt.date]:
    return [d.date() for d in pd.bdate_range(start, periods=count)]


def make_bars(
    market: Mapping[str, Sequence[Bar | None]],
    *,
    start: dt.date = START,
    st: Sequence[str] = (),
    list_dates: Mapping[str, dt.date] | None = None,
    published: Mapping[tuple[int, str], tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """The normalized bars frame of a hand-made market, sorted (trade_date, symbol)."""
    count = max(len(v) for v in market.values())
    days = sessions(count, start)
    rows = []
    for symbol, bars in market.items():
        prev_close = None
        for t, b in enumerate(bars):
            if b is None:
                continue
            pre_close = b.pre_close if b.pre_close is not None else (prev_close or b.open)
            up, down = (published or {}).get((t, symbol), (np.nan, np.nan))
            rows.append(
                {
                    "trade_date": pd.Timestamp(days[t]),
                    "symbol": symbol,
                    "open": b.open,
                    "high": b.high,
                    "low": b.low,
                    "close": b.close,
                    "pre_close": pre_close,
                    "volume": b.volume,
                    "amount": b.volume * b.close,
                    "turnover_rate": 5.0,
                    "sector": "tech",
                    "is_st": symbol in st,
                    "list_date": pd.Timestamp((list_dates or {}).get(symbol, dt.date(2000, 1, 1))),
                    "up_limit": up,
                    "down_limit": down,
                }
            )
            prev_close = b.close
    frame = pd.DataFrame(rows)
    frame["trade_date"] = frame["trade_date"].astype("datetime64[ns]")
    frame["list_date"] = frame["list_date"].astype("datetime64[ns]")
    return frame.sort_values(["trade_date", "symbol"], ignore_index=True)


def make_panel(
    market: Mapping[str, Sequence[Bar | None]],
    *,
    heights: Mapping[str, Sequence[float]] | None = None,
    **kwargs: object,
) -> MarketPanel:
    """Panel of a hand-made market; ``heights`` gives per-session board_height."""
    frame = annotate_limits(make_bars(market, **kwargs))  # type: ignore[arg-type]  # kwargs forwarded as given; make_bars checks them
    days = {d: i for i, d in enumerate(sessions(len(next(iter(market.values())))))}
    if heights is None:
        height = np.full(len(frame), 2.0)
    else:
        height = np.array(
            [
                heights[s][days[d.date()]]
                for s, d in zip(frame["symbol"], frame["trade_date"], strict=True)
            ],
            dtype=float,
        )
    annotations = {"board_height": height, "alpha_score": height + 0.5}
    return MarketPanel.from_frame(frame, annotations, carry_forward=("board_height",))


@dataclass
class FakeHooks:
    """A scriptable strategy.

    ``picks[t]`` lists candidate symbols of session ``t`` in rank order. Verdicts
    come from ``outcomes[(t, symbol)]`` (VETO/SKIP, code), else pass. ``select``
    gives outcomes first, then ALREADY_HELD, then ENTER while slots last, then
    NO_FREE_SLOT. ``exits[(t, symbol)]`` is the exit reason at that close, or
    ``exit_fn`` decides when given.
    """

    picks: Mapping[int, Sequence[str]] = field(default_factory=dict)
    outcomes: Mapping[tuple[int, str], tuple[EventType, str]] = field(default_factory=dict)
    exits: Mapping[tuple[int, str], str] = field(default_factory=dict)
    exit_fn: Callable[[SessionContext, PositionView], str | None] | None = None
    exit_calls: list[tuple[int, str, int]] = field(default_factory=list)
    books: dict[int, Book] = field(default_factory=dict)

    def candidates(self, ctx: SessionContext) -> np.ndarray:
        names = self.picks.get(ctx.index, ())
        return np.array([ctx.panel.symbol_index(n) for n in names], dtype=np.int64)

    def evaluate_predicates(self, ctx: SessionContext, candidates: np.ndarray) -> list[Verdict]:
        return [
            Verdict(PASSING, self.outcomes.get((ctx.index, str(ctx.panel.symbols[c]))))
            for c in candidates.tolist()
        ]

    def select(
        self,
        ctx: SessionContext,
        candidates: np.ndarray,
        verdicts: Sequence[Verdict],
        book: Book,
    ) -> list[Signal]:
        self.books[ctx.index] = book
        free = book.free_slots
        out = []
        for rank, (symbol, verdict) in enumerate(
            zip(candidates.tolist(), verdicts, strict=True), start=1
        ):
            if verdict.outcome is not None:
                event, code = verdict.outcome
            elif symbol in book.held:
                event, code = EventType.SKIP, ReasonCode.ALREADY_HELD
            elif free > 0:
                event, code = EventType.ENTER_SIGNAL, ReasonCode.SELECTED
                free -= 1
            else:
                event, code = EventType.SKIP, ReasonCode.NO_FREE_SLOT
            out.append(Signal(symbol, rank, event, code, verdict.predicates))
        return out

    def exit_rule(self, ctx: SessionContext, position: PositionView) -> str | None:
        name = str(ctx.panel.symbols[position.symbol])
        self.exit_calls.append((ctx.index, name, position.hold_sessions))
        if self.exit_fn is not None:
            return self.exit_fn(ctx, position)
        return self.exits.get((ctx.index, name))


def rc1_exit(ctx: SessionContext, position: PositionView) -> str | None:
    """The RC1 exit rule on the panel: STOP_LOSS, BOARD_BROKEN, NOT_LIMIT_UP, MAX_HOLD."""
    panel, t, n = ctx.panel, ctx.index, position.symbol
    close, high, up = int(panel.close_c[t, n]), int(panel.high_c[t, n]), int(panel.up_limit_c[t, n])
    if close * 100 <= 93 * position.entry_price_c:
        return "STOP_LOSS"
    if high >= up > close:
        return "BOARD_BROKEN"
    if close < up:
        return "NOT_LIMIT_UP"
    if position.hold_sessions >= 5:
        return "MAX_HOLD"
    return None


def run(
    market: Mapping[str, Sequence[Bar | None]],
    hooks: FakeHooks,
    *,
    config: LoopConfig | None = None,
    branch: str = "test",
    **panel_kwargs: object,
) -> LoopResult:
    """Run the loop on a hand-made market."""
    panel = make_panel(market, **panel_kwargs)  # type: ignore[arg-type]  # forwarded as given; make_panel checks them
    return run_loop(panel, hooks, branch=branch, config=config or LoopConfig())


def _plain(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value


def rows(frame: pd.DataFrame, *columns: str, **where: object) -> list[tuple[object, ...]]:
    """Rows of ``frame`` as plain tuples of ``columns`` (dates ISO, nulls None),
    filtered by ``column=value`` pairs (dates compared as ISO strings)."""
    out = []
    for record in frame.astype(object).to_dict("records"):
        plain = {k: _plain(v) for k, v in record.items()}
        if all(plain[k] == v for k, v in where.items()):
            out.append(tuple(plain[c] for c in columns))
    return out


def day(index: int) -> str:
    """ISO date of session ``index`` of the default calendar."""
    return sessions(index + 1)[index].isoformat()
