"""Candidate-vs-reference divergence and candidate-vs-control alignment.

Both compare (session, symbol) sets over the last ``comparison_window_sessions``
sessions ending at ``as_of`` (fewer at the start of history): ENTRY_FILLED pairs
for divergence, ENTER_SIGNAL pairs for the refined control. The Jaccard ratio of
two empty sets is 1.0 (two branches that both stayed out agree). Ratios and gaps
are rounded to the published precision before they are compared, and every
bound is inclusive, exactly as monitor.md states:

- divergence ``none`` if jaccard ≥ 0.8 and |gap| ≤ 0.01, ``low`` if ≥ 0.6 and
  ≤ 0.03, ``medium`` if ≥ 0.4 and ≤ 0.06, else ``high``;
- control ``aligned`` if alignment ≥ 0.9, ``drifting`` if ≥ 0.7, else ``misaligned``.

(The numbers are :data:`~dragon_compat.monitor.config.RC1_MONITOR`'s.)
"""

from __future__ import annotations

from collections.abc import Set

from dragon_compat.monitor.config import MonitorConfig


def jaccard(left: Set[tuple[str, str]], right: Set[tuple[str, str]]) -> float:
    """|left ∩ right| / |left ∪ right|, and 1.0 when both sets are empty."""
    union = len(left | right)
    if union == 0:
        return 1.0
    return len(left & right) / union


def divergence_level(entry_jaccard: float, return_gap: float, config: MonitorConfig) -> str:
    """The calmest band whose inclusive bounds hold, else the fallback level.

    Both inputs are taken at the published precision (``config.decimals``).
    """
    similarity = float(config.rounded(entry_jaccard))
    gap = abs(float(config.rounded(return_gap)))
    for band in config.divergence_bands:
        if similarity >= band.min_entry_jaccard and gap <= band.max_abs_return_gap:
            return band.level
    return config.divergence_fallback_level


def control_status(alignment_ratio: float, config: MonitorConfig) -> str:
    """``aligned``, ``drifting`` or ``misaligned`` (inclusive lower bounds)."""
    alignment = float(config.rounded(alignment_ratio))
    if alignment >= config.control_aligned:
        return "aligned"
    if alignment >= config.control_drifting:
        return "drifting"
    return "misaligned"
