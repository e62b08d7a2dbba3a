"""Every knob of the synthetic market, in one frozen config (retune here, nowhere else).

Probabilities are per symbol per session unless said otherwise; weights are
relative. Changing any value changes the generated market and therefore the
bundled sample and golden outputs: regenerate both deliberately (README, "Data").
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
        ("600.SH", 0.10), ("601.SH", 0.05), ("603.SH", 0.10), ("605.SH", 0.04),
        ("000.SZ", 0.07), ("001.SZ", 0.03), ("002.SZ", 0.13), ("003.SZ", 0.03),
        ("300.SZ", 0.12), ("301.SZ", 0.06),
        ("688.SH", 0.10), ("689.SH", 0.02),
        ("830.BJ", 0.01), ("831.BJ", 0.01), ("832.BJ", 0.01), ("833.BJ", 0.01),
        ("834.BJ", 0.01), ("835.BJ", 0.01), ("836.BJ", 0.01), ("837.BJ", 0.01),
        ("838.BJ", 0.01), ("839.BJ", 0.01), ("870.BJ", 0.01), ("871.BJ", 0.01),
        ("872.BJ", 0.01), ("873.BJ", 0.005), ("430.BJ", 0.005), ("920.BJ", 0.01),
    )  # fmt: skip
    """Code prefix (first three digits + exchange) → share of symbols (≤ 1000 each)."""
    symbols_per_sector: int = 12
    st_share: float = 0.05
    ipo_share: float = 0.07
    """Share of symbols that list (IPO) inside the sample window."""
    unknown_list_date_share: float = 0.05
    expensive_share: float = 0.01
    """Share of names priced 2,600–3,800 CNY: one lot costs more than a 1/5 slot."""
    delist_share_of_st: float = 0.15
    """Share of ST names whose rows end before the sample does (delisted)."""
    price_range: tuple[float, float] = (3.0, 60.0)
    st_price_range: tuple[float, float] = (1.5, 6.0)
    expensive_price_range: tuple[float, float] = (2600.0, 3800.0)
    float_cap_range: tuple[float, float] = (6.0e8, 8.0e10)
    """Free-float market cap (CNY), drawn as low + span × u³ (mostly small caps)."""
    base_turnover_range: tuple[float, float] = (0.8, 4.5)
    hot_turnover_share: float = 0.12
    hot_turnover_range: tuple[float, float] = (5.0, 9.0)
    volatility_range: tuple[float, float] = (0.012, 0.028)
    growth_board_vol_factor: float = 1.3
    mean_reversion: float = 0.02
    """Daily pull of the price toward the symbol's fair level (fraction of the gap)."""

    # -- sessions ---------------------------------------------------------------
    regimes: tuple[RegimeParams, ...] = (
        RegimeParams(0.67, 0.0005, 0.07, 0.004, 0.003, 0.002, 0.0),
        RegimeParams(0.12, 0.006, 0.2, 0.008, 0.004, 0.001, 0.0),
        RegimeParams(0.08, -0.006, 0.04, 0.004, 0.03, 0.004, 0.5),
        RegimeParams(0.07, -0.035, 0.0, 0.001, 0.002, 0.08, 0.5),
        RegimeParams(0.06, -0.012, 0.03, 0.002, 0.001, 0.004, 0.0),
    )
    """Indexed by :class:`Regime`."""
    final_regime: Regime = Regime.HOT
    final_regime_sessions: int = 3
    """The last sessions get ``final_regime`` (0: all drawn), so that orders are still
    pending when the data ends (ORDER_EXPIRED END_OF_DATA)."""
    market_vol: float = 0.008
    panic_limit_down_span: float = 0.08
    """PANIC days: limit-down probability = limit_down + span × u (per day)."""

    # -- themed waves -----------------------------------------------------------
    leader_heights: tuple[float, ...] = (0.0, 0.0, 0.4, 0.22, 0.13, 0.09, 0.07, 0.09)
    """Weight of a wave leader's planned chain height 0..7."""
    follower_counts: tuple[float, ...] = (0.18, 0.25, 0.25, 0.18, 0.14)
    """Weight of 0..4 followers per wave (0: a lone board, fails L2_SECTOR_HEAT)."""
    follower_heights: tuple[float, ...] = (0.0, 0.5, 0.3, 0.2)
    """Weight of a follower's planned height 1..3 (capped below the leader's)."""
    follower_delay: float = 0.35
    """Probability a follower starts one session after the leader."""
    expensive_leader_weight: float = 6.0
    """Leader pick weight of an expensive name (others 1)."""
    max_height: int = 7

    # -- board-day shapes -------------------------------------------------------
    first_board_one_word: float = 0.04
    one_word: float = 0.22
    """A continuing board is one-word (sealed all day: entries blocked)."""
    t_board: float = 0.14
    """A board opens at the limit, dips, and closes sealed."""
    ipo_chain: float = 0.6
    """A new listing starts a chain of 1–5 boards after its IPO day."""
    turnover_missing: float = 0.03
    """A continuing board's turnover_rate is not reported (NaN)."""
    turnover_missing_background: float = 0.001

    # -- how chains end ---------------------------------------------------------
    end_kinds: tuple[float, ...] = (0.30, 0.29, 0.18, 0.13, 0.10)
    """Weights of BROKEN, FADE, BIG_FACE, SEALED_DOWN, LIMIT_DOWN on a chain's end day."""
    down_after_end: float = 0.25
    """After an end day: 1–2 sealed limit-downs follow (2 with ``two_downs``)."""
    two_downs: float = 0.4
    suspend_after_end: float = 0.10
    suspend_mid_chain: float = 0.05
    """After a board at height ≥ 2 with more to come: a verification suspension."""
    suspension_background: float = 0.0015
    suspension_max: int = 10
    zero_volume_suspension: float = 0.3
    """Share of suspension spells written as volume == 0 rows (else: no rows)."""
    st_noise_factor: float = 3.0

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
