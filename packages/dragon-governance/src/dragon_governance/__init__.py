"""Deterministic rollout gates over a Dragon daily run's artifacts.

``import dragon_governance`` stays light (standard library only); the pipeline API
is loaded on first use::

    from dragon_governance import evaluate_run

    decision = evaluate_run("runs/2024-10-08", as_of=date(2024, 10, 8))
    decision.decision            # Decision.PROCEED | HOLD | ROLLBACK_REVIEW_REQUIRED
    decision.recommended_branch  # the branch the forward pipeline should activate

The XSHG calendar a pipeline plans with (the library's sessions, extended by an
operator's sessions file)::

    from dragon_governance import load_calendar

    calendar = load_calendar(sessions="sessions-2027.txt")   # or sessions=None
    calendar.next_session_after(date(2026, 12, 31))          # date(2027, 1, 4)
    calendar.end_notice(date(2026, 12, 10))                  # CalendarEnd | None

The rollout state a ledger implies (a pure function of its lines)::

    from dragon_governance import derive_state, ledger_status

    status = ledger_status("governance/ledger.jsonl").status
    status.state           # RolloutState.ROLLED_BACK_PENDING_REVIEW, ...
    status.active_branch   # the branch a governed forward plan activates

This distribution imports nothing from ``dragon_runtime`` or ``dragon_compat``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dragon_governance.__about__ import __version__
from dragon_governance.lazy import lazy_exports

if TYPE_CHECKING:
    from dragon_governance.decision import RolloutDecision, read_decision, write_decision
    from dragon_governance.errors import GovernanceUserError
    from dragon_governance.evaluation import evaluate_run
    from dragon_governance.ledger import (
        Appended,
        LedgerEntry,
        append_review,
        append_to_ledger,
        ledger_status,
        verify_ledger,
    )
    from dragon_governance.outcomes import Decision, Status
    from dragon_governance.policy import Policy, builtin_policy, load_policy
    from dragon_governance.rollout_state import RolloutState, RolloutStatus, derive_state
    from dragon_governance.session_calendar import SessionCalendar, load_calendar
    from dragon_governance.sessions_file import read_sessions_file

__all__ = [
    "Appended",
    "Decision",
    "GovernanceUserError",
    "LedgerEntry",
    "Policy",
    "RolloutDecision",
    "RolloutState",
    "RolloutStatus",
    "SessionCalendar",
    "Status",
    "__version__",
    "append_review",
    "append_to_ledger",
    "builtin_policy",
    "derive_state",
    "evaluate_run",
    "ledger_status",
    "load_calendar",
    "load_policy",
    "read_decision",
    "read_sessions_file",
    "verify_ledger",
    "write_decision",
]

#: public name -> module that defines it (imported on first attribute access).
_LAZY: dict[str, str] = {
    "Appended": "dragon_governance.ledger",
    "Decision": "dragon_governance.outcomes",
    "GovernanceUserError": "dragon_governance.errors",
    "LedgerEntry": "dragon_governance.ledger",
    "Policy": "dragon_governance.policy",
    "RolloutDecision": "dragon_governance.decision",
    "RolloutState": "dragon_governance.rollout_state",
    "RolloutStatus": "dragon_governance.rollout_state",
    "SessionCalendar": "dragon_governance.session_calendar",
    "Status": "dragon_governance.outcomes",
    "append_review": "dragon_governance.ledger",
    "append_to_ledger": "dragon_governance.ledger",
    "builtin_policy": "dragon_governance.policy",
    "derive_state": "dragon_governance.rollout_state",
    "evaluate_run": "dragon_governance.evaluation",
    "ledger_status": "dragon_governance.ledger",
    "load_calendar": "dragon_governance.session_calendar",
    "load_policy": "dragon_governance.policy",
    "read_decision": "dragon_governance.decision",
    "read_sessions_file": "dragon_governance.sessions_file",
    "verify_ledger": "dragon_governance.ledger",
    "write_decision": "dragon_governance.decision",
}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
