"""The decision and state timeline: its input records, the ledger reader, the bands.

The timeline section is built from a list of :class:`TimelineRecord` — one per
decision, in the order they were taken. Any history of decisions can feed it; today
it is read from a dragon-governance ledger (``--ledger FILE``): dragon-governance
verifies the chain (every hash and link, format 0.1 and 0.2 lines) and derives the
rollout state after every line (``dragon_governance.rollout_state``), so a record's
``state`` is the lifecycle state (CANDIDATE_ACTIVE, HELD,
ROLLED_BACK_PENDING_REVIEW, ROLLED_BACK, RETIRED) and reviews are marked. Reading a
ledger therefore needs dragon-governance (the ``governance`` extra); the rest of the
report does not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dragon_compat.errors import DragonUserError

DECISIONS: tuple[str, ...] = ("PROCEED", "HOLD", "ROLLBACK_REVIEW_REQUIRED")
"""The rollout decisions, calm to severe (dragon-governance's values)."""


@dataclass(frozen=True, slots=True)
class TimelineRecord:
    """One decision of the timeline.

    ``session`` is the session the decision was taken after (its as-of);
    ``decision`` one of :data:`DECISIONS`; ``state`` the lifecycle state the decision
    left (free text, e.g. the branch that trades next; ``None`` = not known);
    ``review`` a note when a person reviewed the decision (``None`` = no review).
    """

    session: dt.date
    decision: str
    state: str | None = None
    review: str | None = None


@dataclass(frozen=True, slots=True)
class Band:
    """Consecutive sessions under one value: ``start`` inclusive, ``end`` exclusive."""

    start: dt.date
    end: dt.date
    value: str


def latest_per_session(records: Sequence[TimelineRecord]) -> list[TimelineRecord]:
    """One record per session — the last given for it — sorted by session."""
    by_session: dict[dt.date, TimelineRecord] = {}
    for record in records:
        by_session[record.session] = record
    return [by_session[day] for day in sorted(by_session)]


def bands(
    records: Sequence[TimelineRecord], attribute: str, *, until: dt.date | None = None
) -> list[Band]:
    """Runs of equal ``attribute`` (``"decision"`` or ``"state"``) as bands.

    Each record holds from its session until the next record's session; the last
    holds until the day after ``until`` (default: its own session), so every band has
    a width. Records with the attribute ``None`` end the band before them and start
    none. ``records`` need not be sorted; a session given twice keeps its last record.
    """
    ordered = latest_per_session(records)
    if not ordered:
        return []
    last_day = max(ordered[-1].session, until or ordered[-1].session)
    stops = [record.session for record in ordered[1:]] + [last_day + dt.timedelta(days=1)]
    found: list[Band] = []
    for record, stop in zip(ordered, stops, strict=True):
        value = getattr(record, attribute)
        if value is None:
            continue
        if found and found[-1].value == value and found[-1].end == record.session:
            found[-1] = Band(found[-1].start, stop, value)
        else:
            found.append(Band(record.session, stop, value))
    return found


def read_ledger(path: Path) -> list[TimelineRecord]:
    """The ledger's entries as :class:`TimelineRecord`, in ledger order.

    Each decision line gives its session, its decision and the rollout state after it;
    a review line gives a record for the session it followed (that session's latest
    decision, the state after the review, and the review as ``verdict by NAME:
    reason``). A decision recorded later for the same session keeps the review mark.
    Raises :class:`DragonUserError`: a missing file (exit 2), a broken chain (exit 3,
    naming the line), dragon-governance not installed (exit 2, naming the extra).
    """
    try:
        from dragon_governance import GovernanceUserError, ledger_status
        from dragon_governance.ledger_entries import ReviewEntry
        from dragon_governance.rollout_state import steps
    except ImportError:
        from dragon_compat.pipelines.forward import GOVERNANCE_EXTRA_HINT

        raise DragonUserError(
            f"{path}: reading a ledger's decision and state timeline needs dragon-governance, "
            f"which is not installed: {GOVERNANCE_EXTRA_HINT}"
        ) from None
    if not path.is_file():
        raise DragonUserError(f"{path}: no such ledger file")
    try:
        entries = ledger_status(path).entries
    except GovernanceUserError as err:
        raise DragonUserError(err.message, exit_code=err.exit_code) from None
    records: list[TimelineRecord] = []
    latest: str | None = None
    for entry, step in zip(entries, steps(entries), strict=True):
        review = None
        if isinstance(entry, ReviewEntry):
            review = f"{entry.verdict} by {entry.by}: {entry.reason}"
        else:
            latest = entry.decision.value
        if review is None and records and records[-1].session == step.as_of:
            review = records[-1].review
        assert latest is not None  # a review always follows a decision (verified)
        records.append(TimelineRecord(step.as_of, latest, step.state.value, review))
    return records
