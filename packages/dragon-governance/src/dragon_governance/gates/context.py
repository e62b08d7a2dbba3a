"""What every gate sees: the run's sources, the dates, the calendar and the policy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dragon_governance.policy import PolicyValues
from dragon_governance.session_calendar import SessionCalendar
from dragon_governance.sources.load import RunSources


@dataclass(frozen=True)
class GateContext:
    """Inputs of one evaluation.

    ``as_of`` is the evaluation date ("after its close"); ``expected_session`` is the
    latest XSHG session ``<= as_of``, None when ``as_of`` lies outside the calendar.
    ``output_digests`` (run-relative path → sha256 of the bytes the run holds there)
    replaces reading the manifest's outputs from ``run_dir`` when the run was never
    written to disk (an in-process evaluation, ``evaluate_artifacts``).
    """

    run_dir: Path
    as_of: date
    expected_session: date | None
    calendar: SessionCalendar
    policy: PolicyValues
    sources: RunSources
    output_digests: Mapping[str, str] | None = None
