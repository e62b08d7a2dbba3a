"""Deterministic synthetic A-share markets and the bundled sample market.

``generate_market(symbols, sessions, seed)`` builds a normalized bars frame with
limit-up relay dynamics (themed waves, consecutive boards, one-word boards,
broken boards, sealed limit-downs, suspensions, ST names, IPOs, all four boards);
``load_bundled_sample()`` returns the sample market shipped with the package;
``tape_stats(bars)`` measures any tape the way the generator is calibrated
(:mod:`dragon_compat.sample.calibration`: the real numbers and the tolerances).
"""

from dragon_compat.sample.bundled import (
    BUNDLED_SAMPLE,
    BUNDLED_SAMPLE_FILE,
    SampleSpec,
    bundled_sample_path,
    load_bundled_sample,
)
from dragon_compat.sample.config import DEFAULT_MARKET_CONFIG, MarketConfig, Regime
from dragon_compat.sample.generator import generate_market
from dragon_compat.sample.tape_stats import TapeStats, tape_stats

__all__ = [
    "BUNDLED_SAMPLE",
    "BUNDLED_SAMPLE_FILE",
    "DEFAULT_MARKET_CONFIG",
    "MarketConfig",
    "Regime",
    "SampleSpec",
    "TapeStats",
    "bundled_sample_path",
    "generate_market",
    "load_bundled_sample",
    "tape_stats",
]
