"""As-of sessions of the bundled sample where the rollout decision takes each value.

``dragon daily --as-of DATE`` on the bundled sample followed by
``dragon-governance check RUN_DIR --as-of DATE`` gives:

- ``PROCEED`` on 2023-08-24 — no monitor condition active, divergence none, control
  aligned (the candidate's first entry after an idle spell filled that session);
- ``HOLD`` on 2023-08-11 — W4_IDLE (10 sessions without an entry) active with
  streak 1;
- ``ROLLBACK_REVIEW_REQUIRED`` on 2023-12-29 (the sample's last session, so also the
  default demo) — W1_DRAWDOWN (drawdown > 10 %) active for the 70th session in a row
  (streak ≥ 3 escalates) and the refined control misaligned; the recommended branch
  is the fallback ``alpha_first_selective_veto``.

:data:`ROLLBACK_THEN_PROCEED` is a rollback evening followed by a PROCEED evening on
the very next session: W4_IDLE escalates from 2023-08-15 (streak 3) to 2023-08-23
(streak 9); on 2023-08-24 an entry fills and every condition clears.

``dragon demo --scenario proceed|hold|rollback`` runs the demo at these dates.
``tests/integration/test_scenarios.py`` proves each one end to end.
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType
from typing import Final

__all__ = ["ROLLBACK_THEN_PROCEED", "SAMPLE_SCENARIOS"]

SAMPLE_SCENARIOS: Final = MappingProxyType(
    {
        "PROCEED": dt.date(2023, 8, 24),
        "HOLD": dt.date(2023, 8, 11),
        "ROLLBACK_REVIEW_REQUIRED": dt.date(2023, 12, 29),
    }
)
"""Decision -> the bundled sample's as-of session that produces it."""

ROLLBACK_THEN_PROCEED: Final = (dt.date(2023, 8, 23), dt.date(2023, 8, 24))
"""Consecutive sessions of the bundled sample: ROLLBACK_REVIEW_REQUIRED, then PROCEED."""
