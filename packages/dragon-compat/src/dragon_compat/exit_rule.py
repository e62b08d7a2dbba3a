"""The RC1 exit rule (rc1-strategy.md §6 step 3): which held position leaves.

Evaluated at the close for a held, trading position without a pending exit; the
first reason that applies wins, in this priority order:

1. ``STOP_LOSS`` — close ≤ 0.93 × entry price (the entry fill price per share);
   compared exactly in integer cents: ``close_c * 100 <= 93 * entry_price_c``.
2. ``BOARD_BROKEN`` — the symbol touched its up-limit and closed below it.
3. ``NOT_LIMIT_UP`` — the symbol did not close at its up-limit.
4. ``MAX_HOLD`` — the position has been held for 5 of the symbol's trading sessions.

Otherwise the position is held (``HOLD_POSITION CONTINUES_LIMIT_UP``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from dragon_runtime import ReasonCode

__all__ = ["RC1_EXIT_POLICY", "ExitPolicy", "exit_reason"]


@dataclass(frozen=True, slots=True)
class ExitPolicy:
    """Exit thresholds: stop-loss at ``stop_loss_percent`` of the entry price (93 =
    a 7% loss) and the maximum holding time in trading sessions."""

    stop_loss_percent: int = 93
    max_hold_sessions: int = 5


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
