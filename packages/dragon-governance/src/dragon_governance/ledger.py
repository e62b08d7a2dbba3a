"""A tamper-evident, hash-chained JSONL ledger of decisions.

Each line is the canonical JSON of ``{seq, prev_hash, decision_id, as_of, decision,
recommended_branch, recorded_at, hash}`` where ``hash`` = sha256 of the canonical
JSON of the line without ``hash`` (so ``prev_hash`` is covered), ``seq`` starts at 1
and the first ``prev_hash`` is 64 zeros. ``recorded_at`` (UTC, ISO 8601, second
precision, ``Z`` suffix) is the one documented wall-clock timestamp.

Appends take a file lock (``<ledger>.lock``), verify the whole chain, refuse a broken
ledger (``IntegrityError``, exit 3) and replace the file atomically with the old
bytes plus the new line, so a reader never sees half a line.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from dragon_governance.atomic_write import write_atomic
from dragon_governance.canonical import canonical_bytes, sha256_hex
from dragon_governance.decision import RolloutDecision
from dragon_governance.errors import GovernanceUserError, IntegrityError
from dragon_governance.outcomes import Decision
from dragon_governance.sources.models import Sha256Hex

GENESIS_HASH = "0" * 64
LOCK_TIMEOUT_SECONDS = 30.0
_RECORDED_AT_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"


class LedgerEntry(BaseModel):
    """One ledger line."""

    model_config = ConfigDict(defer_build=True, strict=True, frozen=True, extra="forbid")

    seq: StrictInt = Field(ge=1)
    prev_hash: Sha256Hex
    decision_id: Sha256Hex
    as_of: date
    decision: Decision
    recommended_branch: str
    recorded_at: str = Field(pattern=_RECORDED_AT_PATTERN, description="UTC, e.g. ...T07:05:00Z")
    hash: Sha256Hex

    def body(self) -> dict[str, Any]:
        """The line's JSON content without ``hash`` (what ``hash`` is taken over)."""
        return self.model_dump(mode="json", exclude={"hash"})


def entry_hash(body: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of a line without ``hash``."""
    return sha256_hex(canonical_bytes(body))


@dataclass(frozen=True)
class LedgerBreak:
    """The first broken line of a ledger (1-based) and what is wrong with it."""

    line: int
    problem: str


@dataclass(frozen=True)
class LedgerReport:
    """The valid prefix of a ledger and its first break (None when intact)."""

    path: Path
    entries: tuple[LedgerEntry, ...]
    broken: LedgerBreak | None

    @property
    def intact(self) -> bool:
        return self.broken is None

    @property
    def head_hash(self) -> str:
        """``hash`` of the last valid entry (64 zeros for an empty ledger)."""
        return self.entries[-1].hash if self.entries else GENESIS_HASH


def _check_line(raw: bytes, seq: int, prev_hash: str) -> LedgerEntry | str:
    """The entry on a line, or what is wrong with it."""
    try:
        entry = LedgerEntry.model_validate_json(raw)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        if first["type"] == "json_invalid":
            return "not valid JSON"
        where = ".".join(str(part) for part in first["loc"]) or "line"
        return f"{where}: {first['msg']}"
    if entry.seq != seq:
        return f"seq is {entry.seq}, expected {seq}"
    if entry.prev_hash != prev_hash:
        return (
            f"prev_hash does not match the hash of line {seq - 1}"
            if seq > 1
            else ("prev_hash of the first line must be 64 zeros")
        )
    if entry_hash(entry.body()) != entry.hash:
        return "hash does not match the line's content (the line was edited)"
    return entry


def inspect_ledger(data: bytes, path: Path) -> LedgerReport:
    """Verify ledger bytes line by line; stop at the first broken line."""
    entries: list[LedgerEntry] = []
    lines = data.split(b"\n")
    trailing = lines.pop()  # b"" when the file ends with a newline
    for index, raw in enumerate(lines, start=1):
        checked = _check_line(raw, index, entries[-1].hash if entries else GENESIS_HASH)
        if isinstance(checked, str):
            return LedgerReport(path, tuple(entries), LedgerBreak(index, checked))
        entries.append(checked)
    if trailing:
        problem = "no trailing newline (truncated write?)"
        return LedgerReport(path, tuple(entries), LedgerBreak(len(lines) + 1, problem))
    return LedgerReport(path, tuple(entries), None)


def read_ledger(path: str | os.PathLike[str]) -> LedgerReport:
    """Read and verify a ledger file; ``GovernanceUserError`` when it cannot be read."""
    ledger = Path(path)
    try:
        data = ledger.read_bytes()
    except OSError as err:
        raise GovernanceUserError(f"cannot read ledger {ledger}: {err.strerror}") from err
    return inspect_ledger(data, ledger)


def verify_ledger(path: str | os.PathLike[str]) -> tuple[LedgerEntry, ...]:
    """The ledger's entries; ``IntegrityError`` (exit 3) naming the first broken line."""
    report = read_ledger(path)
    if report.broken is not None:
        raise IntegrityError(
            f"ledger {report.path} is broken at line {report.broken.line}: {report.broken.problem}"
        )
    return report.entries


def _format_recorded_at(recorded_at: datetime | None) -> str:
    moment = datetime.now(UTC) if recorded_at is None else recorded_at
    if moment.tzinfo is None:
        raise ValueError("recorded_at must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def append_to_ledger(
    path: str | os.PathLike[str],
    decision: RolloutDecision,
    *,
    recorded_at: datetime | None = None,
) -> LedgerEntry:
    """Append ``decision`` to the ledger at ``path`` (created if missing); return the entry.

    ``recorded_at`` defaults to now (UTC). Raises ``IntegrityError`` when the existing
    ledger is broken (nothing is written) and ``GovernanceUserError`` when the lock is
    not obtained within ``LOCK_TIMEOUT_SECONDS`` or the file cannot be written.
    """
    from filelock import FileLock, Timeout

    ledger = Path(path)
    stamp = _format_recorded_at(recorded_at)
    try:
        with FileLock(f"{ledger}.lock", timeout=LOCK_TIMEOUT_SECONDS):
            try:
                existing = ledger.read_bytes()
            except FileNotFoundError:
                existing = b""
            report = inspect_ledger(existing, ledger)
            if report.broken is not None:
                raise IntegrityError(
                    f"refusing to append: ledger {ledger} is broken at line "
                    f"{report.broken.line}: {report.broken.problem}"
                )
            body = {
                "seq": len(report.entries) + 1,
                "prev_hash": report.head_hash,
                "decision_id": decision.decision_id,
                "as_of": decision.as_of.isoformat(),
                "decision": decision.decision.value,
                "recommended_branch": decision.recommended_branch,
                "recorded_at": stamp,
            }
            entry = LedgerEntry.model_validate_json(json.dumps({**body, "hash": entry_hash(body)}))
            write_atomic(ledger, existing + canonical_bytes(entry.model_dump(mode="json")) + b"\n")
    except Timeout as err:
        raise GovernanceUserError(
            f"could not lock ledger {ledger} within {LOCK_TIMEOUT_SECONDS:.0f} s"
        ) from err
    except OSError as err:
        raise GovernanceUserError(f"cannot write ledger {ledger}: {err}") from err
    return entry
