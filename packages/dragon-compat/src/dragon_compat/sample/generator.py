"""A deterministic synthetic A-share market with limit-up relay dynamics.

One loop over sessions; within a session everything is vectorized over symbols
(plus a short loop over sectors when a themed wave starts). Each session:

1. **Regime** (normal, hot, 炸板潮, panic, 冰点; kept from the previous session with
   probability ``regime_persistence``) and a common market return.
2. **Themed waves**: in each sector, with a regime-dependent probability, a wave
   starts: a leader planned to chain 2–``max_height`` consecutive limit-up closes and
   0–4 followers planned for 1–3 (some a session late). The expensive name leads
   now and then, so unaffordable one-lot entries occur; 20 % / 30 % board names
   board less often.
3. **Day shapes** per symbol, first match wins: no row (not yet listed, delisted or
   suspended without rows) · zero-volume row (suspended with rows) · IPO day (no
   limit) · forced sealed limit-down (after a chain's collapse, before delisting) ·
   a planned board (plain, T-shaped, or one-word; the regime may break it: 炸板 on
   broken-wave days, a fall on panic days, a fade on ice days for height ≥ 2) ·
   a chain's end day (broken board, fade, 大面 open-high-close-low, sealed or
   opened limit-down) · background (a stray first board, a stray broken board, a
   limit-down — many on panic days, often for ST names — or an ordinary day with
   drift, mean reversion toward the symbol's price level, bell-shaped noise and
   occasional fat tails).
4. **Aftermath**: sealed limit-downs follow some ends of tall chains, suspensions
   (1–10 sessions, as missing rows or volume == 0 rows) some chain ends;
   verification suspensions interrupt some tall chains; new listings often chain
   boards after their IPO day.

Prices are integer cents; limit closes equal ``dragon_runtime.market``'s limit price
exactly; every day satisfies low ≤ min(open, close) ≤ max(open, close) ≤ high.
Volume is whole lots (suspended rows: 0), turnover_rate = volume / free float in
percent with 4 decimals (NaN on a few rows: "not reported"), amount = volume ×
(open + high + low + close) / 4 in whole cents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import IntEnum
from typing import NamedTuple

import numpy as np
import pandas as pd

from dragon_compat.sample.bitstream import BitStream, bell, between, index_below, weighted_index
from dragon_compat.sample.config import DEFAULT_MARKET_CONFIG, MarketConfig, Regime
from dragon_compat.sample.universe import Universe, build_universe
from dragon_compat.sample.window import session_window


class Day(IntEnum):
    """Shape of one symbol's session."""

    NO_ROW = 0
    ZERO_VOLUME = 1
    IPO = 2
    NORMAL = 3
    FADE = 4
    BOARD = 5
    T_BOARD = 6
    ONE_WORD = 7
    BROKEN = 8
    BIG_FACE = 9
    SEALED_DOWN = 10
    LIMIT_DOWN = 11


_END_DAYS = np.array([Day.BROKEN, Day.FADE, Day.BIG_FACE, Day.SEALED_DOWN, Day.LIMIT_DOWN], np.int8)

# Per-session draws: market-level, per sector, per symbol (rows of the block).
_MARKET_DRAWS = 8
_SECTOR_DRAWS = 16
_MAX_FOLLOWERS = 4
(
    _SELECT,
    _BREAK,
    _NOISE1,
    _NOISE2,
    _NOISE3,
    _OPEN,
    _HIGH,
    _LOW,
    _TURNOVER,
    _TURNOVER_MISSING,
    _TAIL,
    _SUSPEND,
    _SPELL,
    _MODE,
    _AFTER,
    _CHAIN,
    _CLOSE,
    _OPEN_AT_LIMIT,
) = range(18)
_SYMBOL_DRAWS = 18

# Turnover multiplier ranges (× the symbol's base turnover) per day shape.
_TURNOVER_MULTIPLIER: dict[Day, tuple[float, float]] = {
    Day.NO_ROW: (0.0, 0.0),
    Day.ZERO_VOLUME: (0.0, 0.0),
    Day.IPO: (0.0, 0.0),
    Day.NORMAL: (0.6, 1.4),
    Day.FADE: (1.0, 2.5),
    Day.BOARD: (1.5, 6.0),
    Day.T_BOARD: (0.8, 2.5),
    Day.ONE_WORD: (0.1, 0.4),
    Day.BROKEN: (3.0, 8.0),
    Day.BIG_FACE: (2.5, 6.0),
    Day.SEALED_DOWN: (0.1, 0.4),
    Day.LIMIT_DOWN: (1.0, 3.0),
}
_TURNOVER_LOW = np.array([_TURNOVER_MULTIPLIER[d][0] for d in Day])
_TURNOVER_HIGH = np.array([_TURNOVER_MULTIPLIER[d][1] for d in Day])
_IPO_TURNOVER = (45.0, 85.0)
_MAX_TURNOVER = 95.0


def generate_market(
    symbols: int,
    sessions: int,
    seed: int,
    end: dt.date | None = None,
    *,
    config: MarketConfig = DEFAULT_MARKET_CONFIG,
) -> pd.DataFrame:
    """A synthetic market of ``symbols`` × ``sessions`` XSHG sessions, in the normalized
    bars schema (:data:`dragon_compat.data.NORMALIZED_COLUMNS`).

    Deterministic: the same arguments give a bit-identical frame on every platform
    and numpy version (draws come only from ``PCG64(seed).random_raw()``; see
    :mod:`dragon_compat.sample.bitstream`). ``end`` None picks the default window
    around 2023-08-28 (:mod:`dragon_compat.sample.window`). Some symbols list
    mid-sample or stop trading (delisting), so rows < symbols × sessions. Raises
    ValueError for out-of-range arguments.
    """
    if sessions < 1:
        raise ValueError(f"sessions must be >= 1, not {sessions}")
    window = session_window(sessions, end)
    stream = BitStream(seed)
    universe = build_universe(symbols, window, stream, config)
    market = _Market(universe, window, config)
    for t in range(sessions):
        market.step(t, stream)
    return market.frame()


class _Prices(NamedTuple):
    """One session's prices in cents, per symbol."""

    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray


class _Activity(NamedTuple):
    """One session's volume (shares), amount (CNY) and turnover (percent), per symbol."""

    volume: np.ndarray
    amount: np.ndarray
    turnover: np.ndarray


class _Masks(NamedTuple):
    """Which symbols did what this session."""

    trading: np.ndarray
    ipo_day: np.ndarray
    forced: np.ndarray
    boarding: np.ndarray
    broken_by_regime: np.ndarray
    ending: np.ndarray


class _Market:
    """Per-symbol state carried from session to session, and the rows emitted."""

    def __init__(self, universe: Universe, window: np.ndarray, config: MarketConfig) -> None:
        from dragon_runtime import CHINEXT_REFORM_DATE

        n = len(universe)
        self.u = universe
        self.window = window
        self.config = config
        self.reform = np.datetime64(CHINEXT_REFORM_DATE, "ns")
        self.last_c = universe.start_c.copy()
        self.height = np.zeros(n, dtype=np.int64)
        self.chain_left = np.zeros(n, dtype=np.int64)
        self.start_in = np.zeros(n, dtype=np.int64)
        self.after_chain = np.zeros(n, dtype=bool)
        self.down_left = np.zeros(n, dtype=np.int64)
        self.suspend_left = np.zeros(n, dtype=np.int64)
        self.zero_volume_spell = np.zeros(n, dtype=bool)
        self.regime_weights = np.array([r.weight for r in config.regimes])
        self.regime = Regime.NORMAL
        self.rows: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []

    # -- one session ----------------------------------------------------------
    def step(self, t: int, stream: BitStream) -> None:
        u, config = self.u, self.config
        market_u = stream.uniform(_MARKET_DRAWS)
        sector_u = stream.uniform(len(u.members), _SECTOR_DRAWS)
        s = stream.uniform(_SYMBOL_DRAWS, len(u))
        regime = Regime(int(weighted_index(market_u[0], self.regime_weights)))
        if t > 0 and market_u[5] < config.regime_persistence:
            regime = self.regime
        if t >= len(self.window) - config.final_regime_sessions:
            regime = config.final_regime
        self.regime = regime
        params = config.regimes[regime]
        market_return = float(params.market_drift + config.market_vol * bell(*market_u[1:4]))

        self._start_delistings(t)
        listed = (t >= u.listed_from) & (t < u.delist_at)
        suspended = listed & (self.suspend_left > 0)
        trading = listed & ~suspended
        ipo_day = trading & u.is_ipo & (t == u.listed_from)
        self._start_waves(t, trading & ~ipo_day, sector_u, params.wave_start)

        day = np.full(len(u), Day.NO_ROW, dtype=np.int8)
        day[suspended & self.zero_volume_spell] = Day.ZERO_VOLUME
        day[trading] = Day.NORMAL
        day[ipo_day] = Day.IPO
        regular = trading & ~ipo_day
        forced = regular & (self.down_left > 0)
        day[forced] = np.where(s[_SELECT][forced] < 0.85, Day.SEALED_DOWN, Day.LIMIT_DOWN)
        boarding = regular & ~forced & (self.chain_left > 0) & (self.start_in == 0)
        day[boarding] = self._board_shapes(s[_SELECT])[boarding]
        broken_by_regime = self._regime_breaks(regime, params.chain_break, boarding, s, day)
        ending = regular & ~forced & ~boarding & self.after_chain
        end_day = _END_DAYS[weighted_index(s[_SELECT], config.end_kinds)]
        if regime in (Regime.ICE, Regime.PANIC):  # failing boards do not touch the limit
            end_day = np.where(end_day == Day.BROKEN, Day.FADE, end_day).astype(np.int8)
        day[ending] = end_day[ending]
        background = regular & ~forced & ~boarding & ~ending
        noise_board = self._background(regime, market_u[4], background, s, day)
        second = s[_CHAIN][noise_board] < config.stray_second_board
        self.chain_left[noise_board] = np.where(second, 2, 1)
        boarding |= noise_board

        pct = u.pct_after_reform if self.window[t] >= self.reform else u.pct_before_reform
        prices = self._prices(day, pct, market_return, s)
        activity = self._activity(day, prices, boarding, s)
        self._emit(t, day, prices, activity)
        masks = _Masks(trading, ipo_day, forced, boarding, broken_by_regime, ending)
        self._update(day, pct, prices.close, masks, s)
        self.suspend_left[suspended] -= 1

    def _start_delistings(self, t: int) -> None:
        """Four sealed limit-downs lead into a delisting (the rows then stop)."""
        run_in = self.u.delist_at - 4 == t
        self.down_left[run_in] = 4
        self.chain_left[run_in] = 0
        self.start_in[run_in] = 0
        self.after_chain[run_in] = False

    def _start_waves(
        self, t: int, eligible: np.ndarray, sector_u: np.ndarray, chance: float
    ) -> None:
        config = self.config
        free = (
            eligible
            & (self.chain_left == 0)
            & (self.start_in == 0)
            & ~self.after_chain
            & (self.down_left == 0)
            & (self.height == 0)
            & (self.u.delist_at - 6 > t)
        )
        for sector in np.flatnonzero(sector_u[:, 0] < chance):
            members, draws = self.u.members[sector], sector_u[sector]
            pool = members[free[members]]
            if len(pool) == 0:
                continue
            pick = int(weighted_index(draws[1], self.u.leader_weight[pool]))
            leader = pool[pick]
            height = int(weighted_index(draws[2], config.leader_heights))
            self.chain_left[leader] = height
            pool = np.delete(pool, pick)
            followers = int(weighted_index(draws[3], config.follower_counts))
            for j in range(min(followers, _MAX_FOLLOWERS)):
                if len(pool) == 0:
                    break
                pick = int(weighted_index(draws[4 + 3 * j], self.u.board_weight[pool]))
                follower = pool[pick]
                planned = int(weighted_index(draws[5 + 3 * j], config.follower_heights))
                self.chain_left[follower] = max(1, min(planned, height - 1))
                self.start_in[follower] = int(draws[6 + 3 * j] < config.follower_delay)
                pool = np.delete(pool, pick)

    def _board_shapes(self, select: np.ndarray) -> np.ndarray:
        config = self.config
        first = self.height == 0
        one_word = np.where(first, config.first_board_one_word, config.one_word)
        t_board = np.where(first, config.t_board / 2, config.t_board)
        shape = np.where(select < one_word, Day.ONE_WORD, Day.BOARD)
        shape = np.where((select >= one_word) & (select < one_word + t_board), Day.T_BOARD, shape)
        return shape.astype(np.int8)

    def _regime_breaks(
        self, regime: Regime, chance: float, boarding: np.ndarray, s: np.ndarray, day: np.ndarray
    ) -> np.ndarray:
        """Planned boards the session's regime turns into a chain's end (in ``day``)."""
        if regime is Regime.ICE:
            broken = boarding & (self.height >= 2)
            day[broken] = Day.FADE
        elif regime is Regime.BROKEN_WAVE:
            broken = boarding & (s[_BREAK] < chance)
            day[broken] = Day.BROKEN
        elif regime is Regime.PANIC:
            broken = boarding & (s[_BREAK] < chance)
            day[broken] = np.where(s[_CLOSE][broken] < 0.5, Day.BIG_FACE, Day.LIMIT_DOWN)
        else:
            broken = np.zeros_like(boarding)
        return broken

    def _background(
        self, regime: Regime, panic_u: float, background: np.ndarray, s: np.ndarray, day: np.ndarray
    ) -> np.ndarray:
        """Stray boards, stray broken boards and limit-downs among ordinary days;
        returns the stray boards (each starts a 1–2 board chain)."""
        params = self.config.regimes[regime]
        config = self.config
        st_factor = np.where(self.u.is_st, config.st_noise_factor, 1.0)
        noise = params.noise_board * self.u.board_weight * st_factor
        down = params.limit_down + np.where(self.u.is_st, config.st_limit_down, 0.0)
        if regime is Regime.PANIC:
            down += config.panic_limit_down_span * panic_u
        down = down * self.u.board_weight
        select = s[_SELECT]
        board = background & (self.start_in == 0) & (select < noise)
        broken = background & ~board & (select >= noise) & (select < noise + params.noise_broken)
        falling = background & (select >= noise + params.noise_broken)
        falling &= select < noise + params.noise_broken + down
        day[board] = Day.BOARD
        day[broken] = Day.BROKEN
        day[falling] = np.where(s[_CLOSE][falling] < 0.5, Day.SEALED_DOWN, Day.LIMIT_DOWN)
        return board

    # -- prices and activity -----------------------------------------------------
    def _prices(
        self, day: np.ndarray, pct: np.ndarray, market_return: float, s: np.ndarray
    ) -> _Prices:
        """Open, high, low, close in cents (int64) for every symbol's day shape."""
        from dragon_runtime import limit_prices_cents

        u = self.u
        pre_c = self.last_c
        up_c, down_c = limit_prices_cents(pre_c, pct)
        pre = pre_c.astype(np.float64)
        p = pct.astype(np.float64) / 100.0
        up, down = up_c.astype(np.float64), down_c.astype(np.float64)
        lo_in, hi_in = down + 1.0, up - 1.0

        # ordinary days (all rows first; other shapes overwrite their rows below):
        # drift, reversion to the price level, bell noise, rare tails; never at a limit
        noise = u.volatility * bell(s[_NOISE1], s[_NOISE2], s[_NOISE3])
        config = self.config
        half = config.tail_share / 2.0
        tail = np.where(s[_TAIL] < half, 1.0, np.where(s[_TAIL] < config.tail_share, -1.0, 0.0))
        tail = tail * config.tail_size * u.volatility
        drift = market_return + config.mean_reversion * (u.fair_c / pre - 1.0)
        ret = drift + noise + tail
        gap = 0.5 * u.volatility * (2.0 * s[_OPEN] - 1.0)
        close = _clip(_cents(pre * (1.0 + ret)), lo_in, hi_in)
        open_ = _clip(_cents(pre * (1.0 + 0.4 * ret + gap)), lo_in, hi_in)
        top = np.maximum(open_, close)
        bottom = np.minimum(open_, close)
        high = _clip(_cents(top * (1.0 + 0.6 * u.volatility * s[_HIGH])), top, hi_in)
        low = _clip(_cents(bottom * (1.0 - 0.6 * u.volatility * s[_LOW])), lo_in, bottom)

        for shape, rule in _SHAPE_RULES.items():
            rows = np.flatnonzero(day == shape)
            if rows.size:
                q = _Rows(
                    pre[rows], p[rows], up[rows], down[rows], u.volatility[rows], s[:, rows], config
                )
                open_[rows], high[rows], low[rows], close[rows] = rule(q)
        return _Prices(
            open_.astype(np.int64),
            high.astype(np.int64),
            low.astype(np.int64),
            close.astype(np.int64),
        )

    def _activity(
        self, day: np.ndarray, prices: _Prices, boarding: np.ndarray, s: np.ndarray
    ) -> _Activity:
        """Volume (shares, whole lots), amount (CNY, whole cents), turnover (percent, 4 dp)."""
        u, config = self.u, self.config
        open_c, high_c, low_c, close_c = prices
        low_mult, high_mult = _TURNOVER_LOW[day], _TURNOVER_HIGH[day]
        move = np.abs(close_c - self.last_c) / self.last_c
        rate = u.base_turnover * between(s[_TURNOVER], low_mult, high_mult)
        rate = np.where(day == Day.NORMAL, rate * (1.0 + 8.0 * move), rate)
        rate = np.where(day == Day.IPO, between(s[_TURNOVER], *_IPO_TURNOVER), rate)
        rate = np.minimum(rate, _MAX_TURNOVER)
        volume = np.maximum(np.floor(u.float_shares * rate / 10_000.0) * 100.0, 100.0)
        volume = np.where(day == Day.ZERO_VOLUME, 0.0, volume)
        turnover = np.floor(volume / u.float_shares * 1_000_000.0 + 0.5) / 10_000.0
        vwap_c = (((open_c + high_c) + low_c) + close_c) / 4.0
        amount = np.floor(volume * vwap_c + 0.5) / 100.0
        missing = np.where(
            boarding & (self.height > 0),
            s[_TURNOVER_MISSING] < config.turnover_missing,
            s[_TURNOVER_MISSING] < config.turnover_missing_background,
        )
        turnover = np.where(missing & (day != Day.ZERO_VOLUME), np.nan, turnover)
        return _Activity(volume, amount, turnover)

    # -- state -----------------------------------------------------------------
    def _update(
        self, day: np.ndarray, pct: np.ndarray, close_c: np.ndarray, masks: _Masks, s: np.ndarray
    ) -> None:
        from dragon_runtime import limit_prices_cents

        config = self.config
        trading, ipo_day, forced, boarding, broken_by_regime, ending = masks
        up_c, _ = limit_prices_cents(self.last_c, pct)
        sealed_up = trading & ~ipo_day & (close_c == up_c)
        tall = self.height >= config.down_after_height  # the chain before today
        self.height[trading] = np.where(sealed_up, self.height + 1, 0)[trading]
        self.last_c[trading] = close_c[trading]

        boarded = boarding & ~broken_by_regime & (day >= Day.BOARD) & (day <= Day.ONE_WORD)
        self.chain_left[boarded] -= 1
        self.chain_left[broken_by_regime] = 0
        topped = boarded & (self.height >= config.max_height)
        self.chain_left[topped] = 0
        self.after_chain[boarded & (self.chain_left == 0)] = True
        collapsed = ending | broken_by_regime
        self.after_chain[collapsed] = False
        self.down_left[forced] -= 1

        after = s[_AFTER]
        falls = collapsed & tall & (after < config.down_after_end)
        self.down_left[falls] = np.where(s[_MODE][falls] < config.two_downs, 2, 1)
        halted_after_end = collapsed & (after >= config.down_after_end)
        halted_after_end &= after < config.down_after_end + config.suspend_after_end
        halted_mid_chain = boarded & (self.chain_left > 0) & (self.height >= 2)
        halted_mid_chain &= after < config.suspend_mid_chain
        halted_background = trading & ~ipo_day & ~boarding & ~collapsed
        halted_background &= s[_SUSPEND] < config.suspension_background
        self._suspend(halted_after_end, 6, s)
        self._suspend(halted_mid_chain, 5, s)
        self._suspend(halted_background, config.suspension_max, s)

        chains_after_ipo = ipo_day & (s[_CHAIN] < config.ipo_chain)
        self.chain_left[chains_after_ipo] = 1 + index_below(s[_MODE][chains_after_ipo], 5)
        waiting = trading & (self.start_in > 0) & ~boarding
        self.start_in[waiting] -= 1

    def _suspend(self, mask: np.ndarray, longest: int, s: np.ndarray) -> None:
        fresh = mask & (self.suspend_left == 0)
        self.suspend_left[fresh] = 1 + index_below(s[_SPELL][fresh], longest)
        self.zero_volume_spell[fresh] = s[_MODE][fresh] < self.config.zero_volume_suspension

    # -- output ------------------------------------------------------------------
    def _emit(self, t: int, day: np.ndarray, prices: _Prices, activity: _Activity) -> None:
        rows = np.flatnonzero(day != Day.NO_ROW)
        open_c, high_c, low_c, close_c = prices
        volume, amount, turnover = activity
        price_rows = np.stack(
            [open_c[rows], high_c[rows], low_c[rows], close_c[rows], self.last_c[rows]]
        )
        activity_rows = np.stack([volume[rows], amount[rows], turnover[rows]])
        self.rows.append((t, rows, price_rows, activity_rows))

    def frame(self) -> pd.DataFrame:
        """The emitted rows as a normalized bars frame."""
        from dragon_compat.data.schema import NORMALIZED_COLUMNS

        u = self.u
        session = np.concatenate([np.full(len(r[1]), r[0], dtype=np.int64) for r in self.rows])
        index = np.concatenate([r[1] for r in self.rows])
        prices = np.concatenate([r[2] for r in self.rows], axis=1).astype(np.float64) / 100.0
        activity = np.concatenate([r[3] for r in self.rows], axis=1)
        by_name = np.argsort(np.array(u.sector_names, dtype=str), kind="stable")
        rank = np.empty(len(by_name), dtype=np.int64)
        rank[by_name] = np.arange(len(by_name))
        sectors = pd.Categorical.from_codes(
            rank[u.sector_of[index]],
            categories=pd.Index([u.sector_names[i] for i in by_name], dtype=str),
        )
        frame = pd.DataFrame(
            {
                "trade_date": self.window[session],
                "symbol": pd.Categorical.from_codes(
                    index, categories=pd.Index(u.symbols, dtype=str)
                ),
                "open": prices[0],
                "high": prices[1],
                "low": prices[2],
                "close": prices[3],
                "pre_close": prices[4],
                "volume": activity[0],
                "amount": activity[1],
                "turnover_rate": activity[2],
                "sector": sectors,
                "is_st": u.is_st[index],
                "name": _names(u.names, index),
                "list_date": u.list_date[index],
                "up_limit": np.full(len(index), np.nan),
                "down_limit": np.full(len(index), np.nan),
            },
            columns=list(NORMALIZED_COLUMNS),
        )
        return frame


def _names(names: tuple[str, ...], index: np.ndarray) -> pd.Series:
    """Per-row names in pandas' default string dtype (built by an Arrow take: fast)."""
    import pyarrow as pa

    string_dtype = pd.Series([""]).astype(str).dtype
    taken = pa.array(names, type=pa.string()).take(pa.array(index))
    return pd.Series(taken, dtype=string_dtype)


def _cents(values: np.ndarray) -> np.ndarray:
    """Round half up to whole cents (values already in cents)."""
    return np.floor(values + 0.5)


def _clip(values: np.ndarray, low: np.ndarray | float, high: np.ndarray | float) -> np.ndarray:
    """``min(max(values, low), high)`` (``high`` wins when the bounds cross)."""
    return np.minimum(np.maximum(values, low), high)


class _Rows(NamedTuple):
    """The rows of one day shape: pre_close, limit fraction, limits (cents), draws."""

    pre: np.ndarray
    p: np.ndarray
    up: np.ndarray
    down: np.ndarray
    vol: np.ndarray
    s: np.ndarray
    config: MarketConfig

    @property
    def inside(self) -> tuple[np.ndarray, np.ndarray]:
        """The tightest prices strictly between the limits (one tick inside)."""
        return self.down + 1.0, self.up - 1.0

    def at(self, factor: np.ndarray) -> np.ndarray:
        """pre_close × factor, in whole cents."""
        return _cents(self.pre * factor)


Prices = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _fade(q: _Rows) -> Prices:
    """A chain's quiet end: close from +0.25 to −0.7 of the limit move, inside the limits."""
    lo_in, hi_in = q.inside
    ret = -q.p * between(q.s[_CLOSE], -0.25, 0.7)
    close = _clip(q.at(1.0 + ret), lo_in, hi_in)
    open_ = _clip(q.at(1.0 + 0.4 * ret + 0.5 * q.vol * (2.0 * q.s[_OPEN] - 1.0)), lo_in, hi_in)
    top, bottom = np.maximum(open_, close), np.minimum(open_, close)
    high = _clip(_cents(top * (1.0 + 0.6 * q.vol * q.s[_HIGH])), top, hi_in)
    low = _clip(_cents(bottom * (1.0 - 0.6 * q.vol * q.s[_LOW])), lo_in, bottom)
    return open_, high, low, close


def _board(q: _Rows) -> Prices:
    """Opens below the limit (``board_open``), dips, closes sealed at the up limit."""
    lo_in, hi_in = q.inside
    low_open, high_open = q.config.board_open
    open_ = _clip(q.at(1.0 + between(q.s[_OPEN], low_open * q.p, high_open * q.p)), lo_in, hi_in)
    low = _clip(_cents(open_ * (1.0 - between(q.s[_LOW], 0.0, 0.5 * q.p))), q.down, open_)
    return open_, q.up, low, q.up


def _t_board(q: _Rows) -> Prices:
    """Opens at the limit, the seal breaks intraday, closes sealed again."""
    low = _clip(_cents(q.up * (1.0 - between(q.s[_LOW], 0.005, 0.4 * q.p))), q.down, q.up - 1.0)
    return q.up, q.up, low, q.up


def _one_word(q: _Rows) -> Prices:
    """Sealed at the up limit all day: open = high = low = close."""
    return q.up, q.up, q.up, q.up


def _broken(q: _Rows) -> Prices:
    """炸板: touches the up limit, closes below it (a quarter open at the limit)."""
    lo_in, hi_in = q.inside
    close = _clip(q.at(1.0 + between(q.s[_CLOSE], -0.4 * q.p, 0.85 * q.p)), lo_in, hi_in)
    below = _clip(q.at(1.0 + between(q.s[_OPEN], -0.02, 0.7 * q.p)), lo_in, hi_in)
    open_ = np.where(q.s[_OPEN_AT_LIMIT] < 0.25, q.up, below)
    bottom = np.minimum(open_, close)
    low = _clip(_cents(bottom * (1.0 - between(q.s[_LOW], 0.0, 0.3 * q.p))), q.down, bottom)
    return open_, q.up, low, close


def _big_face(q: _Rows) -> Prices:
    """大面: opens high, closes 45–100 % of the limit move down (maybe at the limit)."""
    lo_in, hi_in = q.inside
    open_ = _clip(q.at(1.0 + between(q.s[_OPEN], 0.02, 0.6 * q.p)), lo_in, hi_in)
    close = _clip(q.at(1.0 - q.p * between(q.s[_CLOSE], 0.45, 1.0)), q.down, open_)
    high = _clip(_cents(open_ * (1.0 + between(q.s[_HIGH], 0.0, 0.02))), open_, hi_in)
    low = _clip(_cents(close * (1.0 - between(q.s[_LOW], 0.0, 0.01))), q.down, close)
    return open_, high, low, close


def _sealed_down(q: _Rows) -> Prices:
    """Sealed at the down limit all day (a seller cannot get out)."""
    return q.down, q.down, q.down, q.down


def _limit_down(q: _Rows) -> Prices:
    """Opens above the down limit and closes on it."""
    lo_in, hi_in = q.inside
    open_ = _clip(q.at(1.0 - q.p * between(q.s[_OPEN], 0.0, 0.8)), lo_in, hi_in)
    high = _clip(_cents(open_ * (1.0 + between(q.s[_HIGH], 0.0, 0.02))), open_, hi_in)
    return open_, high, q.down, q.down


def _zero_volume(q: _Rows) -> Prices:
    """Suspended with a row: every price at the previous close."""
    return q.pre, q.pre, q.pre, q.pre


def _ipo(q: _Rows) -> Prices:
    """IPO day, no limit: closes 30–250 % above the issue price (pre_close)."""
    close = q.at(1.0 + between(q.s[_CLOSE], 0.3, 2.5))
    open_ = q.at(1.0 + between(q.s[_OPEN], 0.2, 1.2))
    high = _cents(np.maximum(open_, close) * (1.0 + between(q.s[_HIGH], 0.0, 0.2)))
    bottom = np.minimum(open_, close)
    low = np.maximum(_cents(bottom * (1.0 - between(q.s[_LOW], 0.0, 0.15))), q.pre)
    return open_, high, low, close


_SHAPE_RULES: dict[Day, Callable[[_Rows], Prices]] = {
    Day.FADE: _fade,
    Day.BOARD: _board,
    Day.T_BOARD: _t_board,
    Day.ONE_WORD: _one_word,
    Day.BROKEN: _broken,
    Day.BIG_FACE: _big_face,
    Day.SEALED_DOWN: _sealed_down,
    Day.LIMIT_DOWN: _limit_down,
    Day.ZERO_VOLUME: _zero_volume,
    Day.IPO: _ipo,
}
"""Prices of every day shape other than NORMAL (computed for all rows first)."""
