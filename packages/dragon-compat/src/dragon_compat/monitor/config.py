"""RC1 monitor thresholds: the one place they live.

Every number the monitor compares against is a field of :data:`RC1_MONITOR`, a
frozen :class:`MonitorConfig`. Conditions, divergence levels and tests import it;
nothing repeats a threshold. The README's monitor tables are generated from it
(``conditions.conditions_markdown``, ``divergence.divergence_markdown``). RC1 is
frozen behaviour: v2 does not retune these values (docs/strategy.md), so there is
exactly one instance.

Units: drawdowns, returns, gaps, hit rates and Jaccard ratios are plain ratios
(0.05 = 5%, 5 percentage points for a gap); windows are counted in sessions or
in closed trades as their names say.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True, slots=True)
class DivergenceBand:
    """A divergence level and the inclusive bounds a run must meet to sit in it.

    A run is at ``level`` when ``entry_jaccard >= min_entry_jaccard`` and
    ``abs(return_gap) <= max_abs_return_gap``; bands are tried from the calmest.
    """

    level: str
    min_entry_jaccard: float
    max_abs_return_gap: float


@dataclass(frozen=True, slots=True)
class MonitorConfig:
    """The monitor's thresholds and windows (this package's README, "Monitor").

    Attributes:
        hard_drawdown: H1_DRAWDOWN is active when drawdown > this (strict).
        warning_drawdown: W1_DRAWDOWN is active when drawdown > this (strict).
        return_window_sessions: sessions spanned by the trailing return used by
            W2_RETURN_GAP_20D and ``divergence.return_gap``.
        return_gap_floor: W2 is active when candidate − reference trailing return
            < this (strict).
        hit_rate_window_trades: closed trades looked at by W3_HIT_RATE_20.
        hit_rate_min_trades: W3 needs at least this many closed trades in its window.
        hit_rate_floor: W3 is active when the window's win share < this (strict).
        idle_window_sessions: W4_IDLE is active when this many consecutive sessions
            ending at the evaluated one have no ENTRY_FILLED.
        comparison_window_sessions: sessions (ending at ``as_of``) over which the
            divergence and refined-control Jaccard ratios are taken.
        divergence_bands: calm-to-rough bands; a run meeting none is ``fallback_level``.
        divergence_fallback_level: the level when no band holds.
        control_aligned: refined control is ``aligned`` when alignment ≥ this.
        control_drifting: ``drifting`` when alignment ≥ this (and not aligned),
            else ``misaligned``.
        decimals: every ratio is rounded to this many decimals before it is compared
            or published, so a file's ``active`` always follows from its own
            ``value`` and ``threshold``.
    """

    hard_drawdown: float
    warning_drawdown: float
    return_window_sessions: int
    return_gap_floor: float
    hit_rate_window_trades: int
    hit_rate_min_trades: int
    hit_rate_floor: float
    idle_window_sessions: int
    comparison_window_sessions: int
    divergence_bands: tuple[DivergenceBand, ...]
    divergence_fallback_level: str
    control_aligned: float
    control_drifting: float
    decimals: int

    def rounded(self, ratios: ArrayLike) -> np.ndarray:
        """``ratios`` at the published precision (``decimals``); NaN stays NaN, −0.0 is 0.0.

        A scalar in gives a 0-d result; callers take ``float()`` of it.
        """
        return np.round(np.asarray(ratios, dtype=float), self.decimals) + 0.0


RC1_MONITOR = MonitorConfig(
    hard_drawdown=0.20,
    warning_drawdown=0.10,
    return_window_sessions=20,
    return_gap_floor=-0.05,
    hit_rate_window_trades=20,
    hit_rate_min_trades=5,
    hit_rate_floor=0.35,
    idle_window_sessions=10,
    comparison_window_sessions=20,
    divergence_bands=(
        DivergenceBand("none", min_entry_jaccard=0.8, max_abs_return_gap=0.01),
        DivergenceBand("low", min_entry_jaccard=0.6, max_abs_return_gap=0.03),
        DivergenceBand("medium", min_entry_jaccard=0.4, max_abs_return_gap=0.06),
    ),
    divergence_fallback_level="high",
    control_aligned=0.9,
    control_drifting=0.7,
    decimals=6,
)
"""The frozen RC1 monitor configuration."""
