"""The RC1 exit rule (docs/strategy.md, Exit rule): which held position leaves.

Evaluated at the close for a held, trading position without a pending exit; the
first reason that applies wins, in the priority order of
:data:`dragon_runtime.reasons.EXIT_REASONS`:

1. ``STOP_LOSS`` — the close is at or below ``stop_loss_percent`` percent of the
   entry price (the entry fill price per share), compared exactly in integer
   cents: ``close_c * 100 <= stop_loss_percent * entry_price_c``.
2. ``BOARD_BROKEN`` — the symbol touched its up-limit and closed below it.
3. ``NOT_LIMIT_UP`` — the symbol did not close at its up-limit.
4. ``MAX_HOLD`` — the position has been held for ``max_hold_sessions`` of the
   symbol's trading sessions.

Otherwise the position is held (``HOLD_POSITION CONTINUES_LIMIT_UP``). The two
numbers live only in :data:`RC1_EXIT_POLICY`; :func:`exit_rule_markdown` tables
them for the package README.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from dragon_runtime import EXIT_REASONS, ReasonCode

__all__ = ["EXIT_INPUTS", "RC1_EXIT_POLICY", "ExitPolicy", "exit_reason", "exit_rule_markdown"]

EXIT_INPUTS: Final[tuple[str, str]] = ("is_broken", "is_limit_up")
"""The feature columns :func:`exit_reason` reads, as its ``is_broken`` and ``is_limit_up``."""


@dataclass(frozen=True, slots=True)
class ExitPolicy:
    """Exit thresholds.

    Attributes:
        stop_loss_percent: STOP_LOSS when the close is at or below this percent of
            the entry price (an integer, so the comparison is exact in cents).
        max_hold_sessions: MAX_HOLD once the position has been held this many of
            the symbol's trading sessions.
    """

    stop_loss_percent: int = 93
    max_hold_sessions: int = 5

    def exits_when(self) -> dict[ReasonCode, str]:
        """Each exit reason's condition in words, with this policy's numbers.

        Keys in :data:`~dragon_runtime.reasons.EXIT_REASONS` (priority) order.
        """
        texts = {
            ReasonCode.STOP_LOSS: (
                f"close ≤ {self.stop_loss_percent}% of the entry price "
                f"(`close_c * 100 <= {self.stop_loss_percent} * entry_price_c`, "
                "exact in cents; entry price = the entry fill price per share)"
            ),
            ReasonCode.BOARD_BROKEN: "touched the up-limit and closed below it",
            ReasonCode.NOT_LIMIT_UP: "did not close at the up-limit",
            ReasonCode.MAX_HOLD: (
                f"held for ≥ {self.max_hold_sessions} of the symbol's trading sessions "
                "(`hold_sessions`)"
            ),
        }
        return {code: texts[code] for code in EXIT_REASONS}


RC1_EXIT_POLICY: Final = ExitPolicy()
"""RC1's frozen exit thresholds."""


def exit_reason(
    *,
    close_c: int,
    entry_price_c: int,
    is_broken: bool,
    is_limit_up: bool,
    hold_sessions: int,
    policy: ExitPolicy = RC1_EXIT_POLICY,
) -> ReasonCode | None:
    """The exit reason of a held position at this close, or None to keep holding."""
    if close_c * 100 <= policy.stop_loss_percent * entry_price_c:
        return ReasonCode.STOP_LOSS
    if is_broken:
        return ReasonCode.BOARD_BROKEN
    if not is_limit_up:
        return ReasonCode.NOT_LIMIT_UP
    if hold_sessions >= policy.max_hold_sessions:
        return ReasonCode.MAX_HOLD
    return None


def exit_rule_markdown(policy: ExitPolicy = RC1_EXIT_POLICY) -> str:
    """The exit rule (priority, reason, exits when) as a Markdown table.

    The package README embeds this text between ``generated:exit-rule`` markers;
    ``dragon_compat.docs_tables`` checks and rewrites it.
    """
    lines = ["| priority | reason | exits when |", "|---|---|---|"]
    lines += [
        f"| {priority} | `{code}` | {text} |"
        for priority, (code, text) in enumerate(policy.exits_when().items(), start=1)
    ]
    lines.append("| — | hold (`HOLD_POSITION CONTINUES_LIMIT_UP`) | none of the above |")
    return "\n".join(lines) + "\n"
