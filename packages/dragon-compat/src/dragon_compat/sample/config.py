"""Every knob of the synthetic market, in one frozen config (retune here, nowhere else).

Probabilities are per symbol per session unless said otherwise; weights are
relative. Changing any value changes the generated market and therefore the
bundled sample: regenerate it deliberately (README, "The bundled sample"). Golden
keeps its own pinned input and does not move.

The defaults are calibrated so that the bundled sample's tape statistics lie within
the stated tolerances of a real A-share cross-section
(:mod:`dragon_compat.sample.calibration` holds the real numbers and the
tolerances; ``dragon sample --compare-to FILE`` prints the comparison). What each
group of knobs is tuned to:

- price levels: ``price_levels`` / ``st_price_levels`` start from the real tape's
  per-symbol median closes; the upper knots are lowered so that the realized closes
  (which run above their level in chains, plus one Moutai-like name) match the real
  close quantiles;
- return dispersion: ``volatility_range``, ``tail_*``, ``growth_board_vol_factor``
  and ``wide_limit_board_weight`` (20 % / 30 % boards are hit less often);
- limit-up and limit-down closes, chains, broken boards: the regimes' wave and
  noise rates, ``leader_heights``, ``follower_*``, ``stray_second_board``,
  ``st_noise_factor``, ``st_limit_down``, ``end_kinds`` and ``down_after_*``;
- the relay (what buying a height-2+ board at the next open meets): ``board_open``
  and ``end_kinds``;
- suspensions and ST rows: ``suspension_*``, ``suspend_*`` and ``st_share``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Final


class Regime(IntEnum):
    """Market mood of a session; drives waves, breaks and limit-downs."""

    NORMAL = 0
    HOT = 1
    """Many themed waves start; chains extend."""
    BROKEN_WAVE = 2
    """炸板潮: many boards fail intraday (market broken_rate > 0.35)."""
    PANIC = 3
    """Sell-off: a large share of the market closes limit-down (> 15 on 300 names)."""
    ICE = 4
    """冰点: every chain taller than 1 ends; the day's highest board is at most 2."""


@dataclass(frozen=True)
class RegimeParams:
    """Per-regime session behaviour."""

    weight: float
    market_drift: float
    """Mean of the common return factor (fraction)."""
    wave_start: float
    """Per sector without an active wave: probability a themed wave starts."""
    noise_board: float
    noise_broken: float
    limit_down: float
    """Background limit-down probability (PANIC: lower bound of a per-day draw)."""
    chain_break: float
    """Probability a continuing chain fails today (BROKEN_WAVE: breaks, PANIC: falls)."""


@dataclass(frozen=True)
class MarketConfig:
    """Parameters of :func:`dragon_compat.sample.generate_market`."""

    # -- universe ---------------------------------------------------------------
    prefix_weights: tuple[tuple[str, float], ...] = (
        ("600.SH", 0.18), ("601.SH", 0.07), ("603.SH", 0.09), ("605.SH", 0.02),
        ("000.SZ", 0.08), ("001.SZ", 0.02), ("002.SZ", 0.13), ("003.SZ", 0.01),
        ("300.SZ", 0.19), ("301.SZ", 0.06),
        ("688.SH", 0.10), ("689.SH", 0.002),
        ("830.BJ", 0.01), ("831.BJ", 0.01), ("832.BJ", 0.005), ("833.BJ", 0.005),
        ("835.BJ", 0.004), ("836.BJ", 0.004), ("837.BJ", 0.003), ("838.BJ", 0.003),
        ("839.BJ", 0.002), ("870.BJ", 0.002), ("871.BJ", 0.002), ("873.BJ", 0.002),
        ("430.BJ", 0.001), ("920.BJ", 0.005),
    )  # fmt: skip
    """Code prefix (first three digits + exchange) → share of symbols (≤ 1000 each).
    Board mix as listed at the end of 2023: main board ≈ 60 %, ChiNext ≈ 25 %, STAR
    ≈ 10 %, BSE ≈ 5 %."""
    symbols_per_sector: int = 12
    st_share: float = 0.07
    """Share of symbols that are ST (exactly ``round(symbols × share)`` of them)."""
    ipo_share: float = 0.07
    """Share of symbols that list (IPO) inside the sample window (exact count too)."""
    unknown_list_date_share: float = 0.05
    expensive_share: float = 0.003
    """Share of names priced like Kweichow Moutai (``expensive_price_range``): one lot
    costs more than a 1/5 slot (at least one name in a market of 50 or more)."""
    delist_share_of_st: float = 0.15
    """Share of ST names whose rows end before the sample does (delisted)."""
    price_levels: tuple[tuple[float, float], ...] = (
        (0.0, 1.5), (0.01, 2.07), (0.05, 3.17), (0.10, 3.99), (0.25, 5.85), (0.50, 9.6),
        (0.75, 17.6), (0.90, 33.0), (0.95, 50.0), (0.99, 110.0), (0.995, 140.0),
        (1.0, 220.0),
    )  # fmt: skip
    """Price level (CNY) of a non-ST name: ``(cumulative share, CNY)`` knots of a
    piecewise-linear CDF, read at evenly spread points (the i-th cheapest of m names
    at ``(i + 0.5) / m``). Up to the 25th percentile these are the real tape's
    per-symbol median closes; above, lowered (module docstring)."""
    st_price_levels: tuple[tuple[float, float], ...] = (
        (0.0, 1.0), (0.10, 1.36), (0.25, 1.73), (0.50, 2.83), (0.75, 4.63), (0.90, 6.55),
        (1.0, 15.0),
    )  # fmt: skip
    """Price level (CNY) of an ST name, likewise (the real tape's ST names' median
    closes)."""
    expensive_price_range: tuple[float, float] = (2300.0, 2600.0)
    """A main-board name at 2,300–2,600 CNY (Kweichow Moutai closed at 1,782 in August
    2020 and above 2,500 in early 2021): one lot exceeds a fifth of 1,000,000 CNY."""
    float_cap_range: tuple[float, float] = (6.0e8, 8.0e10)
    """Free-float market cap (CNY), drawn as low + span × u³ (mostly small caps)."""
    base_turnover_range: tuple[float, float] = (0.8, 4.5)
    hot_turnover_share: float = 0.12
    hot_turnover_range: tuple[float, float] = (5.0, 9.0)
    volatility_range: tuple[float, float] = (0.009, 0.022)
    """Ordinary-day volatility of a 10 % board name (fraction, uniform in the range)."""
    growth_board_vol_factor: float = 1.1
    """Volatility factor of a 20 % / 30 % board name."""
    wide_limit_board_weight: float = 0.15
    """Board propensity of a 20 % / 30 % board name relative to a 10 % one (leader and
    follower picks, stray boards, background limit-downs): wide limits are hit less
    often."""
    tail_share: float = 0.05
    tail_size: float = 3.0
    """An ordinary day gets an extra ± ``tail_size`` × volatility move with probability
    ``tail_share`` (half up, half down): fat tails."""
    mean_reversion: float = 0.04
    """Daily pull of the price toward the symbol's fair level (fraction of the gap)."""

    # -- sessions ---------------------------------------------------------------
    regimes: tuple[RegimeParams, ...] = (
        RegimeParams(0.72, 0.0005, 0.008, 0.015, 0.006, 0.0001, 0.0),
        RegimeParams(0.11, 0.006, 0.20, 0.018, 0.008, 0.0005, 0.0),
        RegimeParams(0.07, -0.006, 0.015, 0.008, 0.04, 0.002, 0.5),
        RegimeParams(0.02, -0.035, 0.03, 0.001, 0.001, 0.09, 0.1),
        RegimeParams(0.08, -0.012, 0.008, 0.004, 0.004, 0.002, 0.0),
    )
    """Indexed by :class:`Regime`."""
    regime_persistence: float = 0.5
    """Probability a session keeps the previous session's regime (else it is drawn by
    weight; the long-run shares stay the weights): hot streaks and sell-off spells."""
    final_regime: Regime = Regime.HOT
    final_regime_sessions: int = 3
    """The last sessions get ``final_regime`` (0: all drawn), so that orders are still
    pending when the data ends (ORDER_EXPIRED END_OF_DATA)."""
    market_vol: float = 0.008
    panic_limit_down_span: float = 0.06
    """PANIC days: limit-down probability = limit_down + span × u (per day)."""

    # -- themed waves -----------------------------------------------------------
    leader_heights: tuple[float, ...] = (
        0.0, 0.0, 0.5, 0.2, 0.1, 0.07, 0.05, 0.03, 0.02, 0.015, 0.015,
    )  # fmt: skip
    """Weight of a wave leader's planned chain height 0..max_height."""
    follower_counts: tuple[float, ...] = (0.18, 0.25, 0.25, 0.18, 0.14)
    """Weight of 0..4 followers per wave (0: a lone board, fails L2_SECTOR_HEAT)."""
    follower_heights: tuple[float, ...] = (0.0, 0.65, 0.25, 0.1)
    """Weight of a follower's planned height 1..3 (capped below the leader's)."""
    follower_delay: float = 0.35
    """Probability a follower starts one session after the leader."""
    expensive_leader_weight: float = 2.0
    """Leader pick weight of an expensive name (others: their board weight)."""
    expensive_board_weight: float = 0.15
    """Board weight of an expensive name (followers, stray boards, limit-downs): large
    caps rarely board by chance, but lead a wave now and then."""
    max_height: int = 10

    # -- board-day shapes -------------------------------------------------------
    first_board_one_word: float = 0.04
    one_word: float = 0.22
    """A continuing board is one-word (sealed all day: entries blocked)."""
    board_open: tuple[float, float] = (0.1, 0.8)
    """A plain board's open, as a range of multiples of the limit move (0.1 to 0.8:
    +1 % to +8 % on a 10 % board)."""
    t_board: float = 0.14
    """A board opens at the limit, dips, and closes sealed."""
    ipo_chain: float = 0.6
    """A new listing starts a chain of 1–5 boards after its IPO day."""
    turnover_missing: float = 0.03
    """A continuing board's turnover_rate is not reported (NaN)."""
    turnover_missing_background: float = 0.001

    # -- how chains end ---------------------------------------------------------
    end_kinds: tuple[float, ...] = (0.33, 0.37, 0.22, 0.04, 0.04)
    """Weights of BROKEN, FADE, BIG_FACE, SEALED_DOWN, LIMIT_DOWN on a chain's end day."""
    down_after_end: float = 0.25
    """After the end day of a chain of ``down_after_height`` boards or more: 1–2 sealed
    limit-downs follow (2 with ``two_downs``)."""
    down_after_height: int = 2
    two_downs: float = 0.4
    suspend_after_end: float = 0.06
    suspend_mid_chain: float = 0.05
    """After a board at height ≥ 2 with more to come: a verification suspension."""
    suspension_background: float = 0.0009
    suspension_max: int = 10
    zero_volume_suspension: float = 0.3
    """Share of suspension spells written as volume == 0 rows (else: no rows)."""
    st_noise_factor: float = 8.0
    """An ST name's stray-board probability, × the regime's ``noise_board``."""
    st_limit_down: float = 0.03
    """An ST name's extra background limit-down probability (5 % limits are hit often)."""
    stray_second_board: float = 0.1
    """A stray first board is followed by a second one (a 2-board chain)."""

    # -- derived ----------------------------------------------------------------
    names: tuple[tuple[str, ...], tuple[str, ...]] = field(
        default=(
            tuple("华中天金新东海宏瑞恒远光安泰信达通科智盛"),
            ("科技", "股份", "电子", "材料", "医药", "能源", "智能", "控股", "精工", "新材"),
        )
    )
    """Name syllables and suffixes for synthetic security names."""


DEFAULT_MARKET_CONFIG: Final = MarketConfig()

SECTOR_NAMES: Final[tuple[str, ...]] = (
    "半导体", "人工智能", "光伏", "储能", "锂电池", "机器人", "汽车整车", "汽车零部件",
    "医药生物", "中药", "白酒", "食品饮料", "银行", "证券", "保险", "房地产",
    "建筑材料", "钢铁", "煤炭", "有色金属", "化工", "军工", "通信设备", "消费电子",
    "传媒游戏", "电力", "环保", "农业", "旅游酒店", "航运港口", "低空经济",
)  # fmt: skip
"""Sector (theme) names, used in order: ``round(symbols / symbols_per_sector)`` of them
(at least 2, at most all)."""
