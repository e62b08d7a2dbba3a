"""The decision and state timeline: its input records, the ledger reader, the bands.

The timeline section is built from a list of :class:`TimelineRecord` — one per
decision, in the order they were taken. Any history of decisions can feed it; today
it is read from a dragon-governance ledger (``--ledger FILE``), whose JSONL lines are
``{seq, prev_hash, decision_id, as_of, decision, recommended_branch, recorded_at,
hash}``. A ledger line carries no lifecycle state and no review, so a ledger record's
``state`` is the recommended branch and its ``review`` is ``None``.

A replay directory (``dragon replay --out DIR``, ``--replay DIR``) feeds it too: its
``decisions.csv`` (:mod:`dragon_compat.replaydir`) gives one record per session of the
first policy listed (the first ``--policy`` of the replay), whose ``state`` is the
rollout state and the active branch after that session (``ROLLED_BACK_PENDING_REVIEW ·
alpha_first_selective_veto``).

The ledger is read with the standard library (dragon-governance is an optional
extra of compat): each line must be a JSON object with those fields, ``seq`` must
count up from 1 and each ``prev_hash`` must be the previous line's ``hash``. The
hashes themselves are not recomputed here — ``dragon-governance verify-ledger``
does that.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dragon_compat.errors import DragonUserError
from dragon_compat.replaydir import DECISION_COLUMNS, DECISIONS_FILE

DECISIONS: tuple[str, ...] = ("PROCEED", "HOLD", "ROLLBACK_REVIEW_REQUIRED")
"""The rollout decisions, calm to severe (dragon-governance's values)."""

LEDGER_FIELDS: tuple[str, ...] = (
    "seq",
    "prev_hash",
    "decision_id",
    "as_of",
    "decision",
    "recommended_branch",
    "recorded_at",
    "hash",
)
"""The fields of one ledger line."""

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of a ledger's first line."""


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


def _ledger_error(path: Path, line: int, message: str) -> DragonUserError:
    return DragonUserError(f"{path}: line {line}: {message}")


def read_ledger(path: Path) -> list[TimelineRecord]:
    """The ledger's decisions as :class:`TimelineRecord`, in ledger order."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DragonUserError(f"{path}: no such ledger file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise DragonUserError(f"{path}: cannot read the ledger ({err})") from err
    records: list[TimelineRecord] = []
    previous_hash = GENESIS_HASH
    for number, raw in enumerate(text.splitlines(), start=1):
        try:
            entry = json.loads(raw)
        except ValueError as err:
            raise _ledger_error(path, number, f"not JSON ({err})") from None
        if not isinstance(entry, dict):
            raise _ledger_error(path, number, "not a JSON object")
        missing = [name for name in LEDGER_FIELDS if name not in entry]
        if missing:
            raise _ledger_error(path, number, f"field {missing[0]!r} is missing")
        if entry["seq"] != number:
            raise _ledger_error(path, number, f"field 'seq' is {entry['seq']!r}, expected {number}")
        if entry["prev_hash"] != previous_hash:
            raise _ledger_error(
                path, number, "field 'prev_hash' is not the previous line's hash (broken chain)"
            )
        if entry["decision"] not in DECISIONS:
            raise _ledger_error(
                path, number, f"field 'decision' {entry['decision']!r} is not one of {DECISIONS}"
            )
        try:
            session = dt.date.fromisoformat(str(entry["as_of"]))
        except ValueError:
            raise _ledger_error(path, number, "field 'as_of' is not a YYYY-MM-DD date") from None
        records.append(
            TimelineRecord(
                session=session,
                decision=str(entry["decision"]),
                state=str(entry["recommended_branch"]),
            )
        )
        previous_hash = entry["hash"]
    return records


def replay_records(rows: Sequence[Mapping[str, str]]) -> list[TimelineRecord]:
    """The first policy's rows (``decisions.csv`` columns) as :class:`TimelineRecord`."""
    if not rows:
        return []
    policy = rows[0]["policy"]
    return [
        TimelineRecord(
            session=dt.date.fromisoformat(row["session"]),
            decision=row["decision"],
            state=f"{row['state']} · {row['active_branch']}",
        )
        for row in rows
        if row["policy"] == policy
    ]


def read_replay(replay_dir: Path) -> list[TimelineRecord]:
    """The timeline of a replay directory (its ``decisions.csv``, first policy)."""
    path = Path(replay_dir) / DECISIONS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DragonUserError(f"{path}: no such file (not a replay directory?)") from None
    except (OSError, UnicodeDecodeError) as err:
        raise DragonUserError(f"{path}: cannot read the replay ({err})") from err
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != DECISION_COLUMNS:
        raise DragonUserError(f"{path}: line 1: the header must be {','.join(DECISION_COLUMNS)}")
    rows = list(reader)
    for number, row in enumerate(rows, start=2):
        if row["decision"] not in DECISIONS:
            raise _ledger_error(
                path, number, f"column 'decision' {row['decision']!r} is not one of {DECISIONS}"
            )
        try:
            dt.date.fromisoformat(row["session"])
        except (TypeError, ValueError):
            raise _ledger_error(path, number, "column 'session' is not a YYYY-MM-DD date") from None
    return replay_records(rows)
