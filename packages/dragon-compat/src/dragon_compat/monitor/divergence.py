"""Candidate-vs-reference divergence and candidate-vs-control alignment.

Both compare (session, symbol) sets over the last ``comparison_window_sessions``
sessions ending at ``as_of`` (fewer at the start of history): ENTRY_FILLED pairs
for divergence, ENTER_SIGNAL pairs for the refined control. The Jaccard ratio of
two empty sets is 1.0 (two branches that both stayed out agree). Ratios and gaps
are rounded to the published precision before they are compared, and every
bound is inclusive, exactly as the compat README's divergence table states:

- divergence: the calmest of ``config.divergence_bands`` whose bounds hold, else
  ``config.divergence_fallback_level``;
- control: ``aligned`` if alignment ≥ ``config.control_aligned``, ``drifting`` if
  ≥ ``config.control_drifting``, else ``misaligned``.

The numbers live only in :data:`~dragon_compat.monitor.config.RC1_MONITOR`;
:func:`divergence_markdown` tables them for the package README.
"""

from __future__ import annotations

from collections.abc import Set

from dragon_compat.monitor.config import RC1_MONITOR, MonitorConfig

CONTROL_STATUSES: tuple[tuple[str, str], ...] = (
    ("aligned", "control_aligned"),
    ("drifting", "control_drifting"),
)
"""Control statuses from the most aligned, each with the config field of its
inclusive lower bound; below every bound the status is :data:`CONTROL_FALLBACK`."""

CONTROL_FALLBACK = "misaligned"


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
    for status, bound in CONTROL_STATUSES:
        if alignment >= getattr(config, bound):
            return status
    return CONTROL_FALLBACK


def divergence_markdown(config: MonitorConfig = RC1_MONITOR) -> str:
    """The divergence levels and control statuses with their bounds, as Markdown.

    A line stating the window and the precision, then one table. Numbers are
    ``config``'s, each followed by its field name. The package README embeds this
    text between ``generated:monitor-divergence`` markers;
    ``dragon_compat.docs_tables`` checks and rewrites it.
    """
    lines = [
        f"Window: the last {config.comparison_window_sessions} sessions "
        f"(`comparison_window_sessions`) ending at `as_of`, all sessions when fewer; every "
        f"ratio at {config.decimals} decimals (`decimals`) before it is compared; all "
        "bounds inclusive, tried from the top.",
        "",
        "| result | when |",
        "|---|---|",
    ]
    lines += [
        f"| divergence `{band.level}` | entry_jaccard ≥ {band.min_entry_jaccard} and "
        f"abs(return_gap) ≤ {band.max_abs_return_gap} (`divergence_bands`) |"
        for band in config.divergence_bands
    ]
    lines.append(
        f"| divergence `{config.divergence_fallback_level}` | otherwise "
        "(`divergence_fallback_level`) |"
    )
    lines += [
        f"| control `{status}` | alignment_ratio ≥ {getattr(config, bound)} (`{bound}`) |"
        for status, bound in CONTROL_STATUSES
    ]
    lines.append(f"| control `{CONTROL_FALLBACK}` | otherwise |")
    return "\n".join(lines) + "\n"
