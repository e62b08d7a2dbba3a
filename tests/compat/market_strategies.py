"""Random normalized bars frames that walk every path of the RC1 session loop.

One generator, two sources of randomness:

- :func:`normalized_bars` — a hypothesis strategy (2–8 symbols, 5–30 sessions by
  default) for property and parity tests. The market's structure is drawn —
  symbol traits, market moods, each session's kind (limit-up, sealed, broken,
  limit-down, suspended, …) — so failures shrink to small, simple markets; each
  symbol's intraday prices, amounts and turnovers come from a drawn seed, which
  keeps generation fast.
- :func:`random_market` — the same generator driven by ``random.Random(seed)``, for
  markets too large for hypothesis (parity at scale, timing a 300 × 250 panel).

The frames are *normalized bars* as the loaders produce them: sorted by
``(trade_date, symbol)``, one row per pair, columns ``trade_date`` (datetime64[ns]),
``symbol`` (``NNNNNN.SH|SZ|BJ``, str or categorical), ``open high low close
pre_close`` (float64, whole cents, ``low <= min(open, close)``, ``high >=
max(open, close)``), ``volume`` (float64 shares), ``amount`` (float64 CNY),
``turnover_rate`` (float64 percent), ``sector`` (str), ``is_st`` (bool), ``name``
(str), ``list_date`` (datetime64[ns], NaT unknown), ``up_limit``/``down_limit``
(float64, NaN = not published).

What the markets contain, so that the loop's paths are exercised: limit-up chains
(per-symbol "dragon" regimes make consecutive limit-up closes likely, so board
heights reach 2–6 and sectors heat up), one-word sealed boards (entries blocked),
opened boards and boards opened at the limit (entry base = up_limit), broken boards,
limit-down closes and sealed limit-downs (exits blocked, stop losses), suspensions
both as missing rows and as ``volume == 0`` rows, symbols that stop trading before the
end, ST names (5 % limits), ChiNext / STAR / BSE boards, IPO days (``list_date`` equal
to the symbol's first session: no limit), late listings without ``list_date``,
published limits on some symbols, amounts and turnovers straddling the predicate
thresholds, and calendars that straddle 2020-08-24 (ChiNext 20 %) and 2023-08-28
(stamp duty cut).

Every limit close is exactly the limit price of its ``pre_close``:
``Decimal(str(pre_close)) × (1 ± pct)`` rounded ROUND_HALF_UP to 0.01, with the
board percentage from :func:`dragon_runtime.market.limit_pct`. ``pre_close`` is the
symbol's previous close (a ``volume == 0`` row keeps it; a missing row does not
change it); on an IPO day it is the issue price.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

import pandas as pd
from hypothesis import strategies as st

from dragon_runtime.market import limit_pct

T = TypeVar("T")

SECTORS = ("半导体", "医药", "汽车", "银行")
"""Few sectors (a small market uses 1–4 of them), so that limit-ups meet in a sector
(heat, leadership) often."""

CALENDAR_ANCHORS = (dt.date(2024, 1, 2), dt.date(2023, 8, 14), dt.date(2020, 8, 10))
"""First sessions: a plain one, one before the stamp-duty cut (2023-08-28) and one
before ChiNext's move to 20 % limits (2020-08-24); each is 10 business days ahead."""

BOARDS = (("600", "SH"), ("000", "SZ"), ("002", "SZ"), ("300", "SZ"), ("688", "SH"), ("830", "BJ"))
"""Code prefix and exchange: SH/SZ main boards, ChiNext, STAR, BSE."""

TRADING_KINDS = (
    "up_opened",  # closes at up_limit, the board opened during the day
    "up_sealed",  # one-word board: open = high = low = close = up_limit
    "broken",  # touched up_limit, closed below it
    "normal",  # stays strictly inside the limits
    "down",  # closes at down_limit
    "down_sealed",  # one-word limit-down
)
SUSPENDED_KINDS = ("missing", "zero_volume")

REGIME_KINDS = {
    "dragon": (
        "up_opened", "up_opened", "up_sealed", "up_opened", "broken", "up_opened",
        "normal", "down", "missing", "zero_volume", "down_sealed", "up_opened",
    ),
    "normal": (
        "normal", "normal", "up_opened", "broken", "down", "normal", "up_opened",
        "missing", "zero_volume", "up_sealed", "down_sealed", "normal",
    ),
    "weak": (
        "normal", "down", "down_sealed", "normal", "broken", "zero_volume", "missing",
        "down", "up_opened",
    ),
    "quiet": ("normal",) * 16 + ("up_opened", "missing", "zero_volume", "broken", "down"),
}  # fmt: skip
"""Session kinds per symbol regime; repetition is weight."""

MOODS = ("normal", "hot", "normal", "cold")
"""Market mood per session, shared by all symbols: on a hot day dragon and normal
symbols mostly close limit-up together (many candidates at once: top-k cutoffs, full
portfolios), on a cold day they mostly fall (stop losses, sealed limit-downs)."""

MOOD_KINDS = {
    "hot": ("up_opened", "up_opened", "up_opened", "up_sealed", "broken", "up_opened"),
    "cold": ("down", "normal", "down_sealed", "broken", "down"),
}
MOOD_REGIMES = ("dragon", "normal")
"""Regimes that follow the market mood; the others keep their own kinds."""


AMOUNTS = (2.0e8, 5.0e7, 1.2e8, 4.0e8, 1.0e8, 9.0e7, 1.5e9)
"""CNY; straddles Q1's 1e8 threshold (both sides and exactly on it)."""

TURNOVERS = (8.0, 4.5, 2.0, 16.0, 3.0, 35.0, 28.0, 42.0, 0.8, float("nan"))
"""Percent; straddles Q2's band [3, 35] (both ends included) and V1's spike ratio.
NaN (rare: turnover not reported) makes Q2/V1 UNAVAILABLE and alpha_score NaN."""

PRICE_BANDS = ((500, 6000),) * 7 + ((190_000, 250_000),)
"""Start prices in cents: ordinary names, and rarely a 1,900–2,500 CNY one that one
entry's target value cannot buy a lot of (INSUFFICIENT_CASH)."""


@dataclass(frozen=True)
class _Profile:
    """What a market's symbols are drawn from (repetition in a tuple is weight)."""

    regimes: tuple[str, ...]
    st: tuple[bool, ...] = (False, False, False, True)
    listings: tuple[str, ...] = ("seasoned", "seasoned", "old", "ipo", "late")
    amounts: tuple[float, ...] = AMOUNTS
    turnovers: tuple[float, ...] = TURNOVERS
    sectors_round_robin: bool = False
    moods: tuple[str, ...] = MOODS


MIXED = _Profile(regimes=("dragon", "normal", "dragon", "weak"))
"""Small markets: mostly hot symbols of every kind, so that every path shows up."""

CROWDED = _Profile(
    regimes=("dragon",),
    st=(False,),
    listings=("seasoned",),
    amounts=(2.0e8, 4.0e8, 1.5e9),
    turnovers=(8.0, 4.5, 16.0),
    sectors_round_robin=True,
    moods=("hot", "hot", "hot", "normal", "cold"),
)
"""Small markets where every symbol is an eligible dragon, two per sector: on a hot
day several sector leaders are eligible at once (top-k cutoff, no free slot, full
portfolio at the open)."""

LARGE = _Profile(regimes=("quiet",) * 12 + ("dragon", "normal", "weak"))
"""Large markets: mostly quiet symbols, so that market-wide sentiment (broken rate,
limit-down count) straddles its thresholds instead of always failing."""


class _Chooser:
    """The generator's only source of randomness: pick one of, or an int in a range."""

    def __init__(
        self, pick: Callable[[Sequence[Any]], Any], integer: Callable[[int, int], int]
    ) -> None:
        self.pick = pick
        self.integer = integer


def _limit_cents(pre_close_c: int, pct: int, side: str) -> int:
    pre_close = Decimal(str(pre_close_c / 100))
    factor = 1 + Decimal(pct) / 100 if side == "up" else 1 - Decimal(pct) / 100
    return int((pre_close * factor).quantize(Decimal("0.01"), ROUND_HALF_UP) * 100)


def _trading_prices(
    detail: random.Random, kind: str, up: int, down: int
) -> tuple[int, int, int, int]:
    """(open, high, low, close) in cents for one trading session of ``kind``."""

    def between(lo: int, hi: int) -> int:
        return detail.randint(lo, hi)

    if kind == "up_sealed":
        return up, up, up, up
    if kind == "down_sealed":
        return down, down, down, down
    if kind == "up_opened":
        open_ = between(down, up)
        low = between(down, min(open_, up - 1))
        return open_, up, low, up
    if kind == "broken":
        close = between(down, up - 1)
        open_ = between(down, up)
        low = between(down, min(open_, close))
        return open_, up, low, close
    if kind == "down":
        open_ = between(down, up - 1)
        high = between(open_, up - 1)
        return open_, high, down, down
    # normal: strictly inside the limits
    close = between(down + 1, up - 1)
    open_ = between(down + 1, up - 1)
    high = between(max(open_, close), up - 1)
    low = between(down + 1, min(open_, close))
    return open_, high, low, close


def _ipo_prices(detail: random.Random, issue: int) -> tuple[int, int, int, int]:
    """(open, high, low, close) in cents on an IPO day: no limit, up to +44 %."""
    open_ = detail.randint(issue, issue * 120 // 100)
    close = detail.randint(issue, issue * 144 // 100)
    high = max(open_, close) + detail.randint(0, 50)
    low = min(open_, close) - detail.randint(0, min(50, min(open_, close) - 1))
    return open_, high, low, close


def _symbol_rows(
    choose: _Chooser,
    k: int,
    calendar: list[dt.date],
    *,
    moods: list[str],
    sectors: Sequence[str],
    profile: _Profile,
) -> list[dict[str, Any]]:
    """All rows of the k-th symbol: its traits, then one draw per session."""
    n_sessions = len(calendar)
    prefix, exchange = choose.pick(BOARDS)
    symbol = f"{prefix}{k:03d}.{exchange}"
    is_st = choose.pick(profile.st)
    sector = sectors[k % len(sectors)] if profile.sectors_round_robin else choose.pick(sectors)
    regime = choose.pick(profile.regimes)
    listing = choose.pick(profile.listings)
    publishes_limits = choose.pick((False, False, False, True))
    start = (
        choose.integer(1, n_sessions - 1) if listing in ("ipo", "late") and n_sessions > 1 else 0
    )
    stops_early = choose.pick((False, False, False, True))
    stop = choose.integer(start, n_sessions - 1) if stops_early else n_sessions - 1
    list_date = {"old": pd.Timestamp("2010-01-04"), "ipo": pd.Timestamp(calendar[start])}
    traits = {
        "symbol": symbol,
        "sector": sector,
        "is_st": is_st,
        "name": f"{'ST' if is_st else ''}龙{k}",
        "list_date": list_date.get(listing, pd.NaT),
    }
    low_price, high_price = choose.pick(PRICE_BANDS)
    pre_close = choose.integer(low_price, high_price)  # cents; the issue price on an IPO day
    detail = random.Random(choose.integer(0, 2**32 - 1))  # intraday prices, amount, turnover
    rows: list[dict[str, Any]] = []
    for t in range(start, stop + 1):
        if regime in MOOD_REGIMES and moods[t] in MOOD_KINDS:
            kind = choose.pick(MOOD_KINDS[moods[t]])
        else:
            kind = choose.pick(REGIME_KINDS[regime])
        if t == start and kind in SUSPENDED_KINDS:
            kind = "normal"  # a symbol's first row trades
        if kind == "missing":
            continue
        day = calendar[t]
        up_published = down_published = float("nan")
        if kind == "zero_volume":
            open_ = high = low = close = pre_close
            volume = amount = turnover = 0.0
        else:
            if listing == "ipo" and t == start:
                open_, high, low, close = _ipo_prices(detail, pre_close)
            else:
                pct = limit_pct(symbol, is_st, day)
                up = _limit_cents(pre_close, pct, "up")
                down = _limit_cents(pre_close, pct, "down")
                if pre_close < 300 and kind not in ("up_opened", "up_sealed"):
                    kind = "up_opened"  # keep prices well above the tick
                if pre_close > 500_000 and kind in ("up_opened", "up_sealed"):
                    kind = "down"  # and below 5,000 CNY
                open_, high, low, close = _trading_prices(detail, kind, up, down)
                if publishes_limits:
                    up_published, down_published = up / 100, down / 100
            amount = detail.choice(profile.amounts)
            turnover = detail.choice(profile.turnovers)
            volume = float(max(100, round(amount / (close / 100) / 100) * 100))
        rows.append(
            {
                "trade_date": pd.Timestamp(day),
                "open": open_ / 100,
                "high": high / 100,
                "low": low / 100,
                "close": close / 100,
                "pre_close": pre_close / 100,
                "volume": volume,
                "amount": amount,
                "turnover_rate": turnover,
                "up_limit": up_published,
                "down_limit": down_published,
                **traits,
            }
        )
        pre_close = close
    return rows


COLUMNS = (
    "trade_date", "symbol", "open", "high", "low", "close", "pre_close", "volume", "amount",
    "turnover_rate", "sector", "is_st", "name", "list_date", "up_limit", "down_limit",
)  # fmt: skip
"""Column order of the generated frames."""


def _build_market(
    choose: _Chooser,
    n_symbols: int,
    n_sessions: int,
    *,
    sectors: Sequence[str],
    profile: _Profile,
    categorical: bool,
) -> pd.DataFrame:
    anchor = choose.pick(CALENDAR_ANCHORS)
    calendar = [ts.date() for ts in pd.bdate_range(anchor, periods=n_sessions)]
    moods = [choose.pick(profile.moods) for _ in calendar]
    rows = [
        row
        for k in range(n_symbols)
        for row in _symbol_rows(choose, k, calendar, moods=moods, sectors=sectors, profile=profile)
    ]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame = frame.sort_values(["trade_date", "symbol"], ignore_index=True)
    frame["trade_date"] = frame["trade_date"].astype("datetime64[ns]")
    frame["list_date"] = pd.to_datetime(frame["list_date"]).astype("datetime64[ns]")
    frame["is_st"] = frame["is_st"].astype(bool)
    if categorical:
        frame["symbol"] = frame["symbol"].astype("category")
    return frame


@st.composite
def normalized_bars(
    draw: st.DrawFn,
    min_symbols: int = 2,
    max_symbols: int = 8,
    min_sessions: int = 5,
    max_sessions: int = 30,
) -> pd.DataFrame:
    """Hypothesis strategy: a random normalized bars frame (see the module docstring).

    Sessions without any row drop out of the calendar, so a frame may have fewer
    distinct trade dates than drawn; symbols' first sessions always trade, so it is
    never empty.
    """
    samplers: dict[tuple[Any, ...], st.SearchStrategy[Any]] = {}

    def pick(options: tuple[Any, ...]) -> Any:
        if options not in samplers:
            samplers[options] = st.sampled_from(options)
        return draw(samplers[options])

    choose = _Chooser(pick=pick, integer=lambda lo, hi: draw(st.integers(lo, hi)))
    n_symbols = draw(st.integers(min_symbols, max_symbols))
    n_sessions = draw(st.integers(min_sessions, max_sessions))
    profile = draw(st.sampled_from((MIXED, MIXED, CROWDED)))
    if profile.sectors_round_robin:
        sectors = SECTORS[: max(1, min(len(SECTORS), n_symbols // 2))]
    else:
        sectors = SECTORS[: draw(st.integers(1, len(SECTORS)))]
    categorical = draw(st.booleans())
    return _build_market(
        choose, n_symbols, n_sessions, sectors=sectors, profile=profile, categorical=categorical
    )


def random_market(seed: int, n_symbols: int = 300, n_sessions: int = 250) -> pd.DataFrame:
    """The same generator driven by ``random.Random(seed)``: deterministic per seed,
    for markets too large for hypothesis (symbol codes have 3 digits: ≤ 1000 symbols).

    Large markets are mostly quiet symbols spread over ``n_symbols // 10`` sectors,
    so that leaders, sector heat and market sentiment vary from session to session.
    """
    if not 1 <= n_symbols <= 1000:
        raise ValueError(f"n_symbols must be within 1..1000, not {n_symbols}")
    rng = random.Random(seed)
    choose = _Chooser(pick=rng.choice, integer=rng.randint)
    sectors = tuple(f"行业{j:02d}" for j in range(max(len(SECTORS), n_symbols // 10)))
    return _build_market(
        choose,
        n_symbols,
        n_sessions,
        sectors=sectors,
        profile=LARGE,
        categorical=False,
    )
