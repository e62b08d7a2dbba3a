"""What the synthetic market is calibrated against: the real tape's statistics and how
close the sample must come (one place for both).

:data:`REAL_TAPE` is :func:`~dragon_compat.sample.tape_stats.tape_stats` of a real
A-share cross-section: 3,588 Shanghai and Shenzhen main-board and ChiNext symbols,
59 sessions from 2020-06-01 to 2020-08-24, unadjusted daily bars (baostock
``query_history_k_data_plus`` exports, as published in GitHub ``hamger/stock-lab``
at commit 5e075a8307a60a9bd3b800b083341a1a4fa49bcb), ``preclose`` as ``pre_close``,
``isST`` as ``is_st``, with industry (legacy Tushare ``stock_basic``, via
``foamliu/Auto-Trade``) as sector and name / list_date from zvt 0.13.5. The one
turnover above 100 % (603733.SH on 2020-08-05, 106.48) was set to unreported. A
small extract of the same tape ships with the tests
(``tests/compat/fixtures/real/``; its README names the sources).

Reading the numbers: limit-up closes are 2.8 % of limited bars, 2.3 % without ST
names; limit-down closes 0.74 %, 0.46 % without ST names (ST names, 5 % limits, close
on a limit several times as often). Daily returns have a 3.1 % standard deviation.

:data:`STATISTICS` names every compared statistic with its tolerance;
:func:`compare` sets a sample's statistics beside a reference's.
``dragon sample --compare-to FILE`` prints that comparison, and the tests pin the
bundled sample within these tolerances of :data:`REAL_TAPE`.

The tolerances allow for what a 300-symbol, 250-session synthetic market in 2023
cannot share with 3,588 real symbols in summer 2020: its board mix has STAR and
BSE names (20 % / 30 % limits), and extremes (the highest close, the tallest chain)
grow with the number of symbol-sessions, so those two are compared within a factor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

from dragon_compat.sample.tape_stats import TapeStats

__all__ = [
    "REAL_TAPE",
    "REAL_TAPE_SOURCE",
    "STATISTICS",
    "Comparison",
    "Statistic",
    "Tolerance",
    "compare",
]

REAL_TAPE_SOURCE: Final = (
    "real A-share cross-section, 3,588 symbols, 2020-06-01 .. 2020-08-24, unadjusted "
    "(baostock exports via GitHub hamger/stock-lab)"
)

REAL_TAPE: Final = TapeStats(
    rows=175377,
    symbols=3588,
    sessions=59,
    close_p1=1.39,
    close_p10=3.37,
    close_p50=9.37,
    close_p90=33.55,
    close_p99=123.26,
    close_max=1781.99,
    return_std=0.031257,
    return_mad=0.015752,
    limit_up_share=0.028192,
    limit_down_share=0.007415,
    limit_up_share_non_st=0.023224,
    limit_down_share_non_st=0.004551,
    height2_share=0.258117,
    height3_share=0.102512,
    max_height=15,
    broken_rate=0.334827,
    suspension_rate=0.009557,
    st_share=0.069074,
    relay_continuation=0.403537,
    relay_gap=0.036609,
    relay_open_to_close=-0.011706,
)
"""The real tape's statistics (module docstring), rounded to 6 decimals."""

Unit = Literal["CNY", "percent", "count"]


@dataclass(frozen=True)
class Tolerance:
    """How far a sample may be from the reference value ``r``.

    ``relative``: within ``r × (1 ± amount)``; ``absolute``: within ``r ± amount``
    (fractions: 0.003 = 0.3 percentage points); ``factor``: within
    ``r / amount .. r × amount``. Bounds are inclusive.
    """

    kind: Literal["relative", "absolute", "factor"]
    amount: float

    def bounds(self, reference: float) -> tuple[float, float]:
        """Inclusive ``(low, high)`` around ``reference``."""
        if self.kind == "relative":
            return reference * (1.0 - self.amount), reference * (1.0 + self.amount)
        if self.kind == "absolute":
            return reference - self.amount, reference + self.amount
        return reference / self.amount, reference * self.amount

    def describe(self, unit: Unit) -> str:
        """The tolerance for a person: ``±20 %``, ``±0.40 pp``, ``×/÷ 2``."""
        if self.kind == "relative":
            return f"±{self.amount * 100:g} %"
        if self.kind == "factor":
            return f"×/÷ {self.amount:g}"
        if unit == "percent":
            return f"±{self.amount * 100:.2f} pp"
        return f"±{self.amount:g}"


@dataclass(frozen=True)
class Statistic:
    """A compared field of :class:`TapeStats`: how to show it and its tolerance."""

    field: str
    label: str
    unit: Unit
    tolerance: Tolerance


_REL: Final = "relative"
_ABS: Final = "absolute"
_FACTOR: Final = "factor"

STATISTICS: Final[tuple[Statistic, ...]] = (
    Statistic("close_p1", "close, 1st percentile", "CNY", Tolerance(_REL, 0.35)),
    Statistic("close_p10", "close, 10th percentile", "CNY", Tolerance(_REL, 0.20)),
    Statistic("close_p50", "close, median", "CNY", Tolerance(_REL, 0.15)),
    Statistic("close_p90", "close, 90th percentile", "CNY", Tolerance(_REL, 0.20)),
    Statistic("close_p99", "close, 99th percentile", "CNY", Tolerance(_REL, 0.30)),
    Statistic("close_max", "close, highest", "CNY", Tolerance(_FACTOR, 2.5)),
    Statistic("return_std", "daily return, std", "percent", Tolerance(_ABS, 0.003)),
    Statistic("return_mad", "daily return, MAD", "percent", Tolerance(_ABS, 0.002)),
    Statistic("limit_up_share", "limit-up closes", "percent", Tolerance(_ABS, 0.004)),
    Statistic("limit_down_share", "limit-down closes", "percent", Tolerance(_ABS, 0.0025)),
    Statistic(
        "limit_up_share_non_st", "limit-up closes, non-ST", "percent", Tolerance(_ABS, 0.004)
    ),
    Statistic(
        "limit_down_share_non_st",
        "limit-down closes, non-ST",
        "percent",
        Tolerance(_ABS, 0.002),
    ),
    Statistic("height2_share", "limit-ups at height ≥ 2", "percent", Tolerance(_ABS, 0.05)),
    Statistic("height3_share", "limit-ups at height ≥ 3", "percent", Tolerance(_ABS, 0.04)),
    Statistic("max_height", "tallest chain", "count", Tolerance(_FACTOR, 2.0)),
    Statistic("broken_rate", "broken-board rate", "percent", Tolerance(_ABS, 0.05)),
    Statistic("suspension_rate", "suspended sessions", "percent", Tolerance(_ABS, 0.004)),
    Statistic("st_share", "ST rows", "percent", Tolerance(_ABS, 0.015)),
    Statistic(
        "relay_continuation", "relay: next session limit-up", "percent", Tolerance(_ABS, 0.08)
    ),
    Statistic("relay_gap", "relay: next open vs close", "percent", Tolerance(_ABS, 0.015)),
    Statistic("relay_open_to_close", "relay: next open to close", "percent", Tolerance(_ABS, 0.01)),
)
"""Every compared statistic, in display order (definitions: :mod:`.tape_stats`)."""


@dataclass(frozen=True)
class Comparison:
    """One statistic of a sample beside the reference's, with the verdict."""

    statistic: Statistic
    reference: float
    sample: float
    low: float
    high: float

    @property
    def within(self) -> bool:
        """The sample lies inside ``[low, high]`` (never for a NaN on either side)."""
        return not math.isnan(self.sample) and self.low <= self.sample <= self.high


def compare(reference: TapeStats, sample: TapeStats) -> list[Comparison]:
    """Each of :data:`STATISTICS`: the sample's value beside the reference's, with the
    reference's tolerance bounds."""
    out = []
    for statistic in STATISTICS:
        ref = float(getattr(reference, statistic.field))
        low, high = (math.nan, math.nan) if math.isnan(ref) else statistic.tolerance.bounds(ref)
        out.append(Comparison(statistic, ref, float(getattr(sample, statistic.field)), low, high))
    return out
