"""As-of sessions of the bundled sample where the rollout decision takes each value.

``dragon daily --as-of DATE`` on the bundled sample followed by
``dragon-governance check RUN_DIR --as-of DATE`` gives:

- ``PROCEED`` on 2023-04-20 — no monitor condition active, divergence none, control
  aligned;
- ``HOLD`` on 2023-02-17 — W1_DRAWDOWN (drawdown above ``warning_drawdown``) active
  with streak 1;
- ``ROLLBACK_REVIEW_REQUIRED`` on 2023-12-29 (the sample's last session, so also the
  default demo) — H1_DRAWDOWN (drawdown above ``hard_drawdown``) active; the
  recommended branch is the fallback ``alpha_first_selective_veto``.

``dragon demo --scenario proceed|hold|rollback`` runs the demo at these dates.
``tests/integration/test_scenarios.py`` proves each one end to end.
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType
from typing import Final

__all__ = ["SAMPLE_SCENARIOS"]

SAMPLE_SCENARIOS: Final = MappingProxyType(
    {
        "PROCEED": dt.date(2023, 4, 20),
        "HOLD": dt.date(2023, 2, 17),
        "ROLLBACK_REVIEW_REQUIRED": dt.date(2023, 12, 29),
    }
)
"""Decision -> the bundled sample's as-of session that produces it."""
