"""The symbols of a synthetic market and everything fixed about them.

Codes are real-looking (``600123.SH``, ``300456.SZ``, ``688012.SH``, ``830799.BJ``)
drawn per code prefix in proportion to :attr:`MarketConfig.prefix_weights`, so all
four boards appear with their own limit % (taken from ``dragon_runtime.market``).
Symbols are sorted; attribute ``i`` belongs to ``symbols[i]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dragon_compat.sample.bitstream import BitStream, between, from_knots, index_below
from dragon_compat.sample.config import SECTOR_NAMES, MarketConfig

_CODES_PER_PREFIX = 1000
_UNIVERSE_DRAWS = 20
NO_SESSION = np.iinfo(np.int64).max
"""``delist_at`` of a symbol that never delists."""


@dataclass(frozen=True)
class Universe:
    """Static per-symbol attributes (arrays indexed like ``symbols``)."""

    symbols: tuple[str, ...]
    sector_names: tuple[str, ...]
    sector_of: np.ndarray
    members: tuple[np.ndarray, ...]
    """Symbol indices of each sector, ascending."""
    is_st: np.ndarray
    pct_before_reform: np.ndarray
    pct_after_reform: np.ndarray
    """Daily limit % before / from the 2020-08-24 ChiNext reform."""
    fair_c: np.ndarray
    """Price level (cents, float) the symbol's price reverts to."""
    start_c: np.ndarray
    """pre_close of the first row: last close before the window, or the IPO issue price."""
    float_shares: np.ndarray
    base_turnover: np.ndarray
    volatility: np.ndarray
    listed_from: np.ndarray
    """Session index of the first row (0, or the IPO session)."""
    is_ipo: np.ndarray
    delist_at: np.ndarray
    """Session index from which the symbol has no rows (``NO_SESSION``: never)."""
    list_date: np.ndarray
    names: tuple[str, ...]
    leader_weight: np.ndarray
    """Relative chance of being picked to lead a themed wave."""
    board_weight: np.ndarray
    """Relative propensity to board (follow a wave, stray boards, background
    limit-downs): 1, :attr:`MarketConfig.wide_limit_board_weight` on a 20 % / 30 %
    board, :attr:`MarketConfig.expensive_board_weight` for an expensive name."""

    def __len__(self) -> int:
        return len(self.symbols)


def max_symbols(config: MarketConfig) -> int:
    """The most symbols the prefix weights can place (each prefix holds 1,000 codes)."""
    total = sum(w for _, w in config.prefix_weights)
    return int(min(_CODES_PER_PREFIX * total / w for _, w in config.prefix_weights if w > 0))


def build_universe(n: int, window: np.ndarray, stream: BitStream, config: MarketConfig) -> Universe:
    """Draw ``n`` symbols and their attributes for a market over ``window`` sessions."""
    from dragon_runtime import CHINEXT_REFORM_DATE, limit_pcts

    if not 1 <= n <= max_symbols(config):
        raise ValueError(f"symbols must be within 1..{max_symbols(config)}, not {n}")
    symbols = _draw_codes(n, stream, config)
    u = stream.uniform(n, _UNIVERSE_DRAWS).T
    sessions = len(window)

    n_sectors = min(len(SECTOR_NAMES), max(2, round(n / config.symbols_per_sector)))
    rank = np.argsort(u[0], kind="stable")
    sector_of = np.empty(n, dtype=np.int64)
    sector_of[rank] = np.arange(n) % n_sectors
    members = tuple(np.flatnonzero(sector_of == s) for s in range(n_sectors))

    can_ipo = sessions >= 2
    no_one = np.zeros(n, dtype=bool)
    is_ipo = _lowest(u[2], round(n * config.ipo_share) if can_ipo else 0, no_one)
    is_st = _lowest(u[1], round(n * config.st_share), is_ipo)
    listed_from = np.where(is_ipo, 1 + index_below(u[3], max(sessions - 1, 1)), 0)

    reform = np.datetime64(CHINEXT_REFORM_DATE, "D")
    symbol_array = np.array(symbols, dtype=object)
    pct_before = limit_pcts(symbol_array, is_st, np.full(n, reform - 1))
    pct_after = limit_pcts(symbol_array, is_st, np.full(n, reform))
    growth = pct_after >= 20
    volatility = between(u[11], *config.volatility_range) * np.where(
        growth, config.growth_board_vol_factor, 1.0
    )

    expensive = _pick_expensive(n, u[16], is_st | is_ipo | growth, config)
    price = np.where(
        is_st,
        from_knots(_strata(u[6], is_st), config.st_price_levels),
        from_knots(_strata(u[6], ~is_st), config.price_levels),
    )
    price = np.where(expensive, between(u[6], *config.expensive_price_range), price)
    fair_c = np.floor(price * 100.0 + 0.5)
    issue_c = np.floor(fair_c * between(u[17], 0.35, 0.65) + 0.5)
    start_c = np.where(is_ipo, issue_c, fair_c).astype(np.int64)

    low_cap, high_cap = config.float_cap_range
    cap = np.where(
        expensive,
        between(u[7], 3.0e10, high_cap),
        low_cap + (high_cap - low_cap) * u[7] * u[7] * u[7],
    )
    float_shares = np.floor(cap / price / 100.0) * 100.0

    hot = u[9] < config.hot_turnover_share
    base_turnover = np.where(
        hot, between(u[10], *config.hot_turnover_range), between(u[8], *config.base_turnover_range)
    )
    base_turnover = np.where(expensive, between(u[8], 2.0, 3.5), base_turnover)
    base_turnover = np.where(is_ipo, between(u[8], 8.0, 20.0), base_turnover)

    delist_at = np.full(n, NO_SESSION, dtype=np.int64)
    if sessions >= 20:
        delisting = is_st & (u[15] < config.delist_share_of_st)
        half = sessions // 2
        delist_at[delisting] = half + index_below(u[18][delisting], half - 5)

    list_date = _list_dates(window, listed_from, is_ipo, (u[4], u[5]), config)
    names = _names((u[12], u[13], u[14], u[19]), is_st, config)
    board_weight = np.where(growth, config.wide_limit_board_weight, 1.0)
    board_weight = np.where(expensive, config.expensive_board_weight, board_weight)
    leader_weight = np.where(expensive, config.expensive_leader_weight, board_weight)
    return Universe(
        symbols=tuple(symbols),
        sector_names=SECTOR_NAMES[:n_sectors],
        sector_of=sector_of,
        members=members,
        is_st=is_st,
        pct_before_reform=pct_before,
        pct_after_reform=pct_after,
        fair_c=fair_c,
        start_c=start_c,
        float_shares=float_shares,
        base_turnover=base_turnover,
        volatility=volatility,
        listed_from=listed_from.astype(np.int64),
        is_ipo=is_ipo,
        delist_at=delist_at,
        list_date=list_date,
        names=names,
        leader_weight=leader_weight,
        board_weight=board_weight,
    )


def _draw_codes(n: int, stream: BitStream, config: MarketConfig) -> list[str]:
    """``n`` distinct codes, allotted to prefixes by largest remainder, sorted."""
    weights = np.array([w for _, w in config.prefix_weights], dtype=np.float64)
    quota = weights / np.cumsum(weights)[-1] * n
    counts = np.floor(quota).astype(np.int64)
    short = n - int(counts.sum())
    by_remainder = np.argsort(-(quota - counts), kind="stable")
    counts[by_remainder[:short]] += 1
    shuffles = stream.uniform(len(weights), _CODES_PER_PREFIX)
    codes: list[str] = []
    for (prefix, _), count, shuffle in zip(config.prefix_weights, counts, shuffles, strict=True):
        head, exchange = prefix.split(".")
        numbers = np.sort(np.argsort(shuffle, kind="stable")[:count])
        codes.extend(f"{head}{number:03d}.{exchange}" for number in numbers)
    return sorted(codes)


def _lowest(u: np.ndarray, count: int, excluded: np.ndarray) -> np.ndarray:
    """The ``count`` symbols with the lowest ``u`` among those not ``excluded``."""
    order = np.argsort(np.where(excluded, 2.0, u), kind="stable")
    chosen = np.zeros(len(u), dtype=bool)
    chosen[order[:count]] = True
    return chosen & ~excluded


def _strata(u: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Per member, ``(rank of its u among the members + 0.5) / members``: the members
    spread evenly over [0, 1) in random order (0.5 elsewhere). A table of price levels
    read at these points reproduces its quantiles even in a small market."""
    count = int(members.sum())
    rank = np.empty(len(u), dtype=np.float64)
    order = np.argsort(np.where(members, u, 2.0), kind="stable")
    rank[order] = np.arange(len(u), dtype=np.float64)
    return np.where(members, (rank + 0.5) / max(count, 1), 0.5)


def _pick_expensive(
    n: int, u: np.ndarray, excluded: np.ndarray, config: MarketConfig
) -> np.ndarray:
    count = round(n * config.expensive_share) or (1 if n >= 50 else 0)
    return _lowest(u, count, excluded)


def _list_dates(
    window: np.ndarray,
    listed_from: np.ndarray,
    is_ipo: np.ndarray,
    draws: tuple[np.ndarray, np.ndarray],
    config: MarketConfig,
) -> np.ndarray:
    """IPO names: their IPO session. Others: a weekday 90–6,090 days before the window
    (NaT for a share of them: listing date unknown)."""
    u_unknown, u_age = draws
    start = window[0].astype("datetime64[D]")
    seasoned = start - (90 + index_below(u_age, 6000)).astype("timedelta64[D]")
    seasoned = np.busday_offset(seasoned, 0, roll="backward").astype("datetime64[ns]")
    dates = np.where(is_ipo, window[np.minimum(listed_from, len(window) - 1)], seasoned)
    unknown = ~is_ipo & (u_unknown < config.unknown_list_date_share)
    return np.where(unknown, np.datetime64("NaT", "ns"), dates).astype("datetime64[ns]")


def _names(
    draws: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    is_st: np.ndarray,
    config: MarketConfig,
) -> tuple[str, ...]:
    """Two syllables and a suffix; ST names get ``ST`` or ``*ST`` in front."""
    u1, u2, u3, u4 = draws
    syllables, suffixes = config.names
    first = index_below(u1, len(syllables))
    second = index_below(u2, len(syllables))
    suffix = index_below(u3, len(suffixes))
    star = index_below(u4, 2)
    out = []
    for i in range(len(first)):
        name = f"{syllables[first[i]]}{syllables[second[i]]}{suffixes[suffix[i]]}"
        if is_st[i]:
            name = ("ST", "*ST")[star[i]] + name
        out.append(name)
    return tuple(out)
