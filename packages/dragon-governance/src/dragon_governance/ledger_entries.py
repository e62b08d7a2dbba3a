"""The lines of a decision ledger: their models, builders and the pure chain step.

Ledger format 0.2 has two kinds of line, each the canonical JSON of its fields:

- ``decision`` — one evening's decision with the run it came from::

    {format: "0.2", kind: "decision", seq, prev_hash, decision_id, as_of, decision,
     recommended_branch, candidate_branch, fallback_branch, failing_gates,
     rollback_requires_review, manifest_sha256, run_dir, policy_sha256, recorded_at,
     hash[, hmac]}

- ``review`` — an operator's verdict on a pending rollback::

    {format: "0.2", kind: "review", seq, prev_hash, verdict, by, reason, reviewed,
     as_of, recorded_at, hash[, hmac]}

A format 0.1 line (no ``format`` key: ``{seq, prev_hash, decision_id, as_of, decision,
recommended_branch, recorded_at, hash}``) is a decision too; 0.1 and 0.2 lines may
share one chain (a 0.1 ledger continued by this version).

``hash`` = sha256 of the canonical JSON of the line without ``hash`` and ``hmac``
(so ``prev_hash``, the previous line's ``hash``, is covered); ``seq`` starts at 1 and
the first ``prev_hash`` is 64 zeros. ``hmac`` (keyed ledgers only) = HMAC-SHA256 with
the operator's key over the line's ``hash`` — which commits to every earlier line — so
rewriting any line, the last included, needs the key.

Everything here is pure: :func:`chain_entry` turns the previous entry, an entry's
fields and a ``recorded_at`` into the next entry, and :func:`entry_line` gives its
bytes. A caller can therefore build a whole ledger in memory in one pass (see
:class:`LedgerBuilder`) with timestamps of its choosing — e.g. derived from each
session, so the same history gives byte-identical ledgers.
"""

from __future__ import annotations

import hashlib
import hmac as hmac_lib
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
)

from dragon_governance.canonical import canonical_bytes, sha256_hex
from dragon_governance.decision import RolloutDecision
from dragon_governance.outcomes import Decision, Status, Verdict
from dragon_governance.sources.models import Identifier, Sha256Hex

GENESIS_HASH = "0" * 64
FORMAT = "0.2"
"""The ledger format this version writes (0.1 lines are still read and verified)."""
_RECORDED_AT_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
_HMAC_PATTERN = r"^[0-9a-f]{64}$"
_MANIFEST = "daily_manifest"
"""The name of the manifest among a decision's ``inputs``."""

RecordedAt = Annotated[
    str, Field(pattern=_RECORDED_AT_PATTERN, description="UTC, e.g. 2024-10-08T07:05:00Z")
]

_STRICT = ConfigDict(defer_build=True, strict=True, frozen=True, extra="forbid")


class LegacyDecisionEntry(BaseModel):
    """A format 0.1 line: a decision without its run, policy or gates."""

    model_config = _STRICT

    seq: StrictInt = Field(ge=1)
    prev_hash: Sha256Hex
    decision_id: Sha256Hex
    as_of: date
    decision: Decision
    recommended_branch: str
    recorded_at: RecordedAt
    hash: Sha256Hex

    @property
    def kind(self) -> Literal["decision"]:
        return "decision"

    @property
    def hmac(self) -> None:
        """0.1 lines are never keyed."""
        return None

    @property
    def candidate_branch(self) -> str | None:
        """0.1 lines do not name it: the recommended branch unless this was a rollback."""
        if self.decision is Decision.ROLLBACK_REVIEW_REQUIRED:
            return None
        return self.recommended_branch

    @property
    def fallback_branch(self) -> str | None:
        """The recommended branch of a rollback; unknown (None) otherwise."""
        if self.decision is Decision.ROLLBACK_REVIEW_REQUIRED:
            return self.recommended_branch
        return None

    @property
    def rollback_requires_review(self) -> bool:
        """0.1 lines predate the key: its default (true) applies."""
        return True

    @property
    def failing_gates(self) -> tuple[FailingGate, ...]:
        return ()

    @property
    def manifest_sha256(self) -> str | None:
        return None

    def body(self) -> dict[str, Any]:
        """The line's JSON content without ``hash`` (what ``hash`` is taken over)."""
        return self.model_dump(mode="json", exclude={"hash"})


class FailingGate(BaseModel):
    """A gate that FAILed in a decision, with its FAIL reason codes."""

    model_config = _STRICT

    gate: Literal["G1", "G2", "G3"]
    codes: list[StrictStr] = Field(min_length=1)


class DecisionEntry(BaseModel):
    """A format 0.2 decision line: the decision, the run it came from, its policy."""

    model_config = _STRICT

    format: Literal["0.2"]
    kind: Literal["decision"]
    seq: StrictInt = Field(ge=1)
    prev_hash: Sha256Hex
    decision_id: Sha256Hex
    as_of: date
    decision: Decision
    recommended_branch: Identifier
    candidate_branch: Identifier | None = Field(description="null when no manifest was read.")
    fallback_branch: Identifier
    failing_gates: tuple[FailingGate, ...]
    rollback_requires_review: StrictBool
    manifest_sha256: Sha256Hex | None = Field(description="null when no manifest was read.")
    run_dir: StrictStr = Field(min_length=1, description="RUN_DIR as the command was given it.")
    policy_sha256: Sha256Hex
    recorded_at: RecordedAt
    hash: Sha256Hex
    hmac: Annotated[str, Field(pattern=_HMAC_PATTERN)] | None = None

    def body(self) -> dict[str, Any]:
        return _body(self)


class ReviewedRollback(BaseModel):
    """The rollback a review decides on: its line, decision id and session."""

    model_config = _STRICT

    seq: StrictInt = Field(ge=1)
    decision_id: Sha256Hex
    as_of: date


class ReviewEntry(BaseModel):
    """A format 0.2 review line: ``resume`` or ``retire`` the candidate of a rollback."""

    model_config = _STRICT

    format: Literal["0.2"]
    kind: Literal["review"]
    seq: StrictInt = Field(ge=1)
    prev_hash: Sha256Hex
    verdict: Verdict
    by: StrictStr = Field(min_length=1, description="Who reviewed.")
    reason: StrictStr = Field(min_length=1)
    reviewed: ReviewedRollback
    as_of: date = Field(description="The session of the latest decision when reviewed.")
    recorded_at: RecordedAt
    hash: Sha256Hex
    hmac: Annotated[str, Field(pattern=_HMAC_PATTERN)] | None = None

    def body(self) -> dict[str, Any]:
        return _body(self)


AnyDecisionEntry = LegacyDecisionEntry | DecisionEntry
LedgerEntry = LegacyDecisionEntry | DecisionEntry | ReviewEntry
"""One ledger line of any kind and format."""


class LedgerLine(RootModel[LegacyDecisionEntry | DecisionEntry | ReviewEntry]):
    """One ledger line (the ``ledger_entry`` JSON Schema)."""

    model_config = ConfigDict(defer_build=True)


def _body(entry: DecisionEntry | ReviewEntry) -> dict[str, Any]:
    """The line's JSON content without ``hash`` and ``hmac`` (what ``hash`` is over)."""
    return entry.model_dump(mode="json", exclude={"hash", "hmac"})


def entry_hash(body: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of a line without ``hash`` and ``hmac``."""
    return sha256_hex(canonical_bytes(dict(body)))


def entry_hmac(key: bytes, line_hash: str) -> str:
    """HMAC-SHA256 under ``key`` over a line's ``hash`` (hex)."""
    return hmac_lib.new(key, line_hash.encode("ascii"), hashlib.sha256).hexdigest()


def hmac_matches(key: bytes, entry: LedgerEntry) -> bool:
    """Whether the entry carries the HMAC ``key`` gives its hash (constant-time compare)."""
    if entry.hmac is None:
        return False
    return hmac_lib.compare_digest(entry.hmac, entry_hmac(key, entry.hash))


def format_recorded_at(moment: datetime) -> str:
    """``moment`` (timezone-aware) as a ledger ``recorded_at``: UTC, seconds, ``Z``."""
    if moment.tzinfo is None:
        raise ValueError("recorded_at must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _failing_gates(decision: RolloutDecision) -> list[dict[str, Any]]:
    return [
        {
            "gate": gate.id,
            "codes": [reason.code for reason in gate.reasons if reason.status is Status.FAIL],
        }
        for gate in decision.gates
        if gate.status is Status.FAIL
    ]


def manifest_sha256_of(decision: RolloutDecision) -> str | None:
    """The manifest's sha256 among the decision's inputs (None when it was unreadable)."""
    for record in decision.inputs:
        if record.name == _MANIFEST:
            return record.sha256
    return None


def decision_fields(
    decision: RolloutDecision, *, run_dir: str, rollback_requires_review: bool
) -> dict[str, Any]:
    """The fields of a decision line for ``decision`` (all but seq, prev_hash,
    recorded_at, hash and hmac). ``run_dir`` is RUN_DIR as the command was given it."""
    if run_dir == "":
        raise ValueError("run_dir must not be empty")
    return {
        "format": FORMAT,
        "kind": "decision",
        "decision_id": decision.decision_id,
        "as_of": decision.as_of.isoformat(),
        "decision": decision.decision.value,
        "recommended_branch": decision.recommended_branch,
        "candidate_branch": decision.candidate_branch,
        "fallback_branch": decision.fallback_branch,
        "failing_gates": _failing_gates(decision),
        "rollback_requires_review": rollback_requires_review,
        "manifest_sha256": manifest_sha256_of(decision),
        "run_dir": run_dir,
        "policy_sha256": decision.policy.sha256,
    }


def review_fields(
    *, verdict: Verdict, by: str, reason: str, reviewed: AnyDecisionEntry, as_of: date
) -> dict[str, Any]:
    """The fields of a review line deciding on the rollback ``reviewed``; ``as_of`` is
    the session of the latest decision when the review is recorded."""
    return {
        "format": FORMAT,
        "kind": "review",
        "verdict": verdict,
        "by": by,
        "reason": reason,
        "reviewed": {
            "seq": reviewed.seq,
            "decision_id": reviewed.decision_id,
            "as_of": reviewed.as_of.isoformat(),
        },
        "as_of": as_of.isoformat(),
    }


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise ValueError(f"duplicate key {key!r}")
    return dict(pairs)


def validate_entry(raw: bytes) -> LedgerEntry:
    """The entry one line's bytes (without the newline) hold.

    ``ValueError`` naming the field and rule: not JSON, a duplicate key, an unknown
    format, a field breaking its model, or bytes that are not the entry's canonical
    JSON (every writer writes canonical lines, so anything else was edited).
    """
    try:
        document = json.loads(raw, object_pairs_hook=_no_duplicate_keys)
    except ValueError as err:
        if str(err).startswith("duplicate key"):
            raise
        raise ValueError("not valid JSON") from None
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    fmt = document.get("format")
    model: type[LegacyDecisionEntry] | type[DecisionEntry] | type[ReviewEntry]
    if fmt is None:
        model = LegacyDecisionEntry
    elif fmt == FORMAT:
        model = ReviewEntry if document.get("kind") == "review" else DecisionEntry
    else:
        raise ValueError(f"format: unknown ledger format {fmt!r} (this version reads 0.1, 0.2)")
    try:
        entry: LedgerEntry = model.model_validate_json(raw)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "line"
        raise ValueError(f"{where}: {first['msg']}") from None
    if entry_line(entry) != raw + b"\n":
        raise ValueError("not canonical JSON (sorted keys, no spaces): the line was rewritten")
    return entry


def chain_entry(
    previous: LedgerEntry | None,
    fields: Mapping[str, Any],
    *,
    recorded_at: datetime | str,
    key: bytes | None = None,
) -> DecisionEntry | ReviewEntry:
    """The entry that follows ``previous`` (None: the first line) with ``fields``.

    ``fields`` come from :func:`decision_fields` or :func:`review_fields`;
    ``recorded_at`` is a timezone-aware moment or an already formatted stamp. With
    ``key`` the entry carries its ``hmac``. Pure: no clock, no file.
    """
    stamp = recorded_at if isinstance(recorded_at, str) else format_recorded_at(recorded_at)
    body = {
        **fields,
        "seq": 1 if previous is None else previous.seq + 1,
        "prev_hash": GENESIS_HASH if previous is None else previous.hash,
        "recorded_at": stamp,
    }
    line_hash = entry_hash(body)
    document = {**body, "hash": line_hash}
    if key is not None:
        document["hmac"] = entry_hmac(key, line_hash)
    entry = validate_entry(canonical_bytes(document))
    assert not isinstance(entry, LegacyDecisionEntry)  # fields always carry format 0.2
    return entry


def entry_line(entry: LedgerEntry) -> bytes:
    """The entry's line: its canonical JSON and a newline (``hmac`` only when set)."""
    document = entry.model_dump(mode="json", exclude_none=False)
    if document.get("hmac", "absent") is None:
        del document["hmac"]
    return canonical_bytes(document) + b"\n"


class LedgerBuilder:
    """A ledger built in memory, one entry at a time (for a replay of history)::

        builder = LedgerBuilder(key=None)
        for decision, moment in evenings:
            builder.add(decision_fields(decision, run_dir=..., rollback_requires_review=True),
                        recorded_at=moment)
        Path("ledger.jsonl").write_bytes(builder.data())

    The bytes are those :func:`~dragon_governance.ledger.append_to_ledger` would
    write for the same entries and stamps; ``verify-ledger`` accepts them.
    """

    def __init__(self, *, key: bytes | None = None) -> None:
        self._key = key
        self._entries: list[DecisionEntry | ReviewEntry] = []
        self._lines: list[bytes] = []

    @property
    def entries(self) -> tuple[DecisionEntry | ReviewEntry, ...]:
        return tuple(self._entries)

    def add(
        self, fields: Mapping[str, Any], *, recorded_at: datetime | str
    ) -> DecisionEntry | ReviewEntry:
        """Chain one entry after the last; return it."""
        previous = self._entries[-1] if self._entries else None
        entry = chain_entry(previous, fields, recorded_at=recorded_at, key=self._key)
        self._entries.append(entry)
        self._lines.append(entry_line(entry))
        return entry

    def data(self) -> bytes:
        """The ledger file's bytes so far."""
        return b"".join(self._lines)


__all__ = [
    "FORMAT",
    "GENESIS_HASH",
    "AnyDecisionEntry",
    "DecisionEntry",
    "FailingGate",
    "LedgerBuilder",
    "LedgerEntry",
    "LedgerLine",
    "LegacyDecisionEntry",
    "ReviewEntry",
    "ReviewedRollback",
    "chain_entry",
    "decision_fields",
    "entry_hash",
    "entry_hmac",
    "entry_line",
    "format_recorded_at",
    "hmac_matches",
    "manifest_sha256_of",
    "review_fields",
    "validate_entry",
]
