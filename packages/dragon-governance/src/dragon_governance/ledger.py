"""A tamper-evident, hash-chained JSONL ledger of decisions and reviews (format 0.2).

The lines, their hash and the optional HMAC are described in
:mod:`dragon_governance.ledger_entries`; the rollout state they imply in
:mod:`dragon_governance.rollout_state`. This module reads, verifies and appends.

Verification walks the lines in order and stops at the first broken one: not
canonical JSON, a field breaking its model, a wrong ``seq`` or ``prev_hash``, a
``hash`` that does not match the content, a review that does not name the pending
rollback (or follows none), and — given the key — a missing or wrong ``hmac``.

What the plain (unkeyed) chain proves: the lines are intact *relative to each other*
— editing, inserting, removing or reordering a line in the middle breaks a link.
What it does not prove: anyone can rewrite the last line (or drop the last lines,
or write a whole new ledger) and recompute the hashes, and the result verifies. A
keyed ledger closes the rewrite: every line carries an HMAC-SHA256 over its hash
under a key the writer holds, so rewriting any line, the last included, is detected
by ``verify-ledger --key-file``. Neither detects dropping trailing lines; compare the
head hash with one kept elsewhere (a forward plan records it).

Appends take a file lock (``<ledger>.lock``), verify the whole chain, refuse a broken
ledger (``IntegrityError``, exit 3) and replace the file atomically with the old
bytes plus the new line, so a reader never sees half a line. Appending a decision
whose ``decision_id`` and manifest sha256 equal those of the last decision line is a
no-op (:attr:`Appended.appended` is False): ``check --ledger`` then ``forward
--ledger`` on the same run record it once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dragon_governance.atomic_write import write_atomic
from dragon_governance.decision import RolloutDecision
from dragon_governance.errors import GovernanceUserError, IntegrityError
from dragon_governance.ledger_entries import (
    GENESIS_HASH,
    AnyDecisionEntry,
    DecisionEntry,
    LedgerEntry,
    LegacyDecisionEntry,
    ReviewEntry,
    chain_entry,
    decision_fields,
    entry_hash,
    entry_line,
    hmac_matches,
    manifest_sha256_of,
    review_fields,
    validate_entry,
)
from dragon_governance.outcomes import Verdict
from dragon_governance.rollout_state import (
    INITIAL,
    RolloutState,
    RolloutStatus,
    advance,
)

LOCK_TIMEOUT_SECONDS = 30.0


class NothingPendingError(GovernanceUserError):
    """A review was asked for while no rollback awaits one (exit 2)."""


@dataclass(frozen=True)
class LedgerBreak:
    """The first broken line of a ledger (1-based) and what is wrong with it."""

    line: int
    problem: str


@dataclass(frozen=True)
class LedgerReport:
    """The valid prefix of a ledger, the state it gives and its first break (None when intact)."""

    path: Path
    entries: tuple[LedgerEntry, ...]
    broken: LedgerBreak | None
    status: RolloutStatus = INITIAL
    keyed: bool = False
    """Whether the key was given and checked."""

    @property
    def intact(self) -> bool:
        return self.broken is None

    @property
    def head_hash(self) -> str:
        """``hash`` of the last valid entry (64 zeros for an empty ledger)."""
        return self.entries[-1].hash if self.entries else GENESIS_HASH

    @property
    def hmac_lines(self) -> int:
        """How many valid lines carry an ``hmac``."""
        return sum(1 for entry in self.entries if entry.hmac is not None)


def _link_problem(entry: LedgerEntry, seq: int, prev_hash: str) -> str | None:
    if entry.seq != seq:
        return f"seq is {entry.seq}, expected {seq}"
    if entry.prev_hash != prev_hash:
        if seq > 1:
            return f"prev_hash does not match the hash of line {seq - 1}"
        return "prev_hash of the first line must be 64 zeros"
    if entry_hash(entry.body()) != entry.hash:
        return "hash does not match the line's content (the line was edited)"
    return None


def _review_problem(entry: ReviewEntry, status: RolloutStatus) -> str | None:
    pending = status.pending
    if status.state is not RolloutState.ROLLED_BACK_PENDING_REVIEW or pending is None:
        return "a review but no rollback is pending review"
    named = entry.reviewed
    if (named.seq, named.decision_id, named.as_of) != (
        pending.seq,
        pending.decision_id,
        pending.as_of,
    ):
        return (
            f"the review names the rollback of line {named.seq}, but the pending "
            f"rollback is line {pending.seq}"
        )
    return None


def _key_problem(entry: LedgerEntry, key: bytes | None) -> str | None:
    if key is None:
        return None
    if entry.hmac is None:
        return "no hmac, but a key was given (a keyed ledger carries one on every line)"
    if not hmac_matches(key, entry):
        return "hmac does not match under the given key (the line was rewritten, or wrong key)"
    return None


def _check_line(raw: bytes, status: RolloutStatus, key: bytes | None) -> LedgerEntry | str:
    """The entry on a line, or what is wrong with it."""
    try:
        entry = validate_entry(raw)
    except ValueError as err:
        return str(err)
    problem = _link_problem(entry, status.seq + 1, status.head_hash)
    if problem is None and isinstance(entry, ReviewEntry):
        problem = _review_problem(entry, status)
    if problem is None:
        problem = _key_problem(entry, key)
    return entry if problem is None else problem


def inspect_ledger(data: bytes, path: Path, *, key: bytes | None = None) -> LedgerReport:
    """Verify ledger bytes line by line; stop at the first broken line.

    With ``key`` every line must carry the HMAC the key gives it.
    """
    entries: list[LedgerEntry] = []
    status = INITIAL
    lines = data.split(b"\n")
    trailing = lines.pop()  # b"" when the file ends with a newline
    keyed = key is not None
    for index, raw in enumerate(lines, start=1):
        checked = _check_line(raw, status, key)
        if isinstance(checked, str):
            return LedgerReport(path, tuple(entries), LedgerBreak(index, checked), status, keyed)
        entries.append(checked)
        status = advance(status, checked)
    if trailing:
        problem = "no trailing newline (truncated write?)"
        broken = LedgerBreak(len(lines) + 1, problem)
        return LedgerReport(path, tuple(entries), broken, status, keyed)
    return LedgerReport(path, tuple(entries), None, status, keyed)


def read_ledger(path: str | os.PathLike[str], *, key: bytes | None = None) -> LedgerReport:
    """Read and verify a ledger file; ``GovernanceUserError`` when it cannot be read."""
    ledger = Path(path)
    try:
        data = ledger.read_bytes()
    except OSError as err:
        raise GovernanceUserError(f"cannot read ledger {ledger}: {err.strerror}") from err
    return inspect_ledger(data, ledger, key=key)


def _broken(report: LedgerReport, prefix: str = "") -> IntegrityError:
    assert report.broken is not None
    return IntegrityError(
        f"{prefix}ledger {report.path} is broken at line {report.broken.line}: "
        f"{report.broken.problem}"
    )


def verify_ledger(
    path: str | os.PathLike[str], *, key: bytes | None = None
) -> tuple[LedgerEntry, ...]:
    """The ledger's entries; ``IntegrityError`` (exit 3) naming the first broken line."""
    report = read_ledger(path, key=key)
    if report.broken is not None:
        raise _broken(report)
    return report.entries


def ledger_status(path: str | os.PathLike[str], *, key: bytes | None = None) -> LedgerReport:
    """The verified ledger with its rollout status; ``IntegrityError`` when broken."""
    report = read_ledger(path, key=key)
    if report.broken is not None:
        raise _broken(report)
    return report


@dataclass(frozen=True)
class Appended:
    """What an append did: the entry (the existing one for a no-op) and the state after."""

    entry: LedgerEntry
    appended: bool
    """False when the decision was already the last decision line (nothing written)."""
    status: RolloutStatus

    @property
    def head_hash(self) -> str:
        return self.status.head_hash


def _last_decision(entries: tuple[LedgerEntry, ...]) -> AnyDecisionEntry | None:
    for entry in reversed(entries):
        if not isinstance(entry, ReviewEntry):
            return entry
    return None


def _is_repeat(last: AnyDecisionEntry | None, decision: RolloutDecision) -> bool:
    """Whether ``decision`` is the one ``last`` recorded (same id and manifest hash)."""
    if not isinstance(last, DecisionEntry):
        return False  # a 0.1 line carries no manifest hash
    return (last.decision_id, last.manifest_sha256) == (
        decision.decision_id,
        manifest_sha256_of(decision),
    )


def _check_keying(report: LedgerReport, key: bytes | None) -> None:
    """Refuse to mix keyed and unkeyed lines in one ledger."""
    if not report.entries:
        return
    if key is None and report.entries[-1].hmac is not None:
        raise GovernanceUserError(
            f"ledger {report.path} is keyed (its lines carry an hmac): give its key with "
            "--key-file FILE or DRAGON_LEDGER_KEY_FILE"
        )
    if key is not None:
        unkeyed = next((e.seq for e in report.entries if e.hmac is None), None)
        if unkeyed is not None:
            raise GovernanceUserError(
                f"ledger {report.path} has unkeyed lines (line {unkeyed}): a keyed ledger "
                "carries an hmac on every line, so start a new ledger to use a key"
            )


@contextmanager
def _locked(ledger: Path) -> Iterator[None]:
    from filelock import FileLock, Timeout

    try:
        with FileLock(f"{ledger}.lock", timeout=LOCK_TIMEOUT_SECONDS):
            yield
    except Timeout as err:
        raise GovernanceUserError(
            f"could not lock ledger {ledger} within {LOCK_TIMEOUT_SECONDS:.0f} s"
        ) from err


def _append(
    path: str | os.PathLike[str],
    make_fields: Callable[[LedgerReport], Mapping[str, Any] | LedgerEntry],
    *,
    recorded_at: datetime | None,
    key: bytes | None,
) -> Appended:
    """Lock, verify, ask ``make_fields`` for the new entry's fields (or an existing
    entry: a no-op), append atomically."""
    ledger = Path(path)
    moment = datetime.now(UTC) if recorded_at is None else recorded_at
    try:
        with _locked(ledger):
            try:
                existing = ledger.read_bytes()
            except FileNotFoundError:
                existing = b""
            report = inspect_ledger(existing, ledger)
            if report.broken is None:
                _check_keying(report, key)
                if key is not None:
                    report = inspect_ledger(existing, ledger, key=key)
            if report.broken is not None:
                raise _broken(report, "refusing to append: ") from None
            fields = make_fields(report)
            if isinstance(fields, LegacyDecisionEntry | DecisionEntry | ReviewEntry):
                return Appended(fields, False, report.status)
            previous = report.entries[-1] if report.entries else None
            entry = chain_entry(previous, fields, recorded_at=moment, key=key)
            write_atomic(ledger, existing + entry_line(entry))
    except OSError as err:
        raise GovernanceUserError(f"cannot write ledger {ledger}: {err}") from err
    return Appended(entry, True, advance(report.status, entry))


def append_to_ledger(
    path: str | os.PathLike[str],
    decision: RolloutDecision,
    *,
    run_dir: str | os.PathLike[str],
    rollback_requires_review: bool = True,
    recorded_at: datetime | None = None,
    key: bytes | None = None,
) -> Appended:
    """Append ``decision`` (made over ``run_dir``, as given) to the ledger at ``path``.

    The file is created if missing. ``rollback_requires_review`` is the policy's key
    of that name (recorded in the line). ``recorded_at`` defaults to now (UTC); with
    ``key`` the line carries its HMAC. When the last decision line has the same
    ``decision_id`` and manifest sha256, nothing is written (``appended`` False).

    Raises ``IntegrityError`` when the existing ledger is broken (nothing is written)
    and ``GovernanceUserError`` when the lock is not obtained within
    ``LOCK_TIMEOUT_SECONDS``, keyed and unkeyed lines would mix, or the file cannot
    be written.
    """
    shown = os.fspath(run_dir)

    def fields(report: LedgerReport) -> Mapping[str, Any] | LedgerEntry:
        last = _last_decision(report.entries)
        if last is not None and _is_repeat(last, decision):
            return last
        return decision_fields(
            decision, run_dir=shown, rollback_requires_review=rollback_requires_review
        )

    if recorded_at is not None and recorded_at.tzinfo is None:
        raise ValueError("recorded_at must be timezone-aware")
    return _append(path, fields, recorded_at=recorded_at, key=key)


def append_review(
    path: str | os.PathLike[str],
    *,
    verdict: Verdict,
    by: str,
    reason: str,
    recorded_at: datetime | None = None,
    key: bytes | None = None,
) -> Appended:
    """Append a review of the pending rollback; ``NothingPendingError`` (exit 2) when
    no rollback awaits review (nothing is written)."""

    def fields(report: LedgerReport) -> Mapping[str, Any]:
        status = report.status
        pending = status.pending
        if pending is None or status.latest_as_of is None:
            shown = "no decisions" if status.state is None else f"the state is {status.state}"
            raise NothingPendingError(
                f"nothing to review in ledger {report.path}: no rollback is pending review "
                f"({shown})"
            )
        reviewed = next(e for e in report.entries if e.seq == pending.seq)
        assert not isinstance(reviewed, ReviewEntry)
        return review_fields(
            verdict=verdict, by=by, reason=reason, reviewed=reviewed, as_of=status.latest_as_of
        )

    if not by.strip() or not reason.strip():
        raise GovernanceUserError("a review needs a non-blank --by and --reason")
    return _append(path, fields, recorded_at=recorded_at, key=key)


__all__ = [
    "GENESIS_HASH",
    "LOCK_TIMEOUT_SECONDS",
    "Appended",
    "LedgerBreak",
    "LedgerEntry",
    "LedgerReport",
    "NothingPendingError",
    "append_review",
    "append_to_ledger",
    "inspect_ledger",
    "ledger_status",
    "read_ledger",
    "verify_ledger",
]
