"""The run directory's contract: every file name, the branch layout, schema ids, and the
typed documents of ``daily_manifest.json`` and ``forward_plan.json``.

One source of truth: the daily and forward pipelines, the monitor and the demo take
every run-directory name from here, and the README's layout table is
:func:`layout_markdown` (a test keeps the two equal). The four per-branch file names
are dragon-runtime's :data:`~dragon_runtime.OUTPUT_FILES` (runtime's ``canonical``
module writes them); ``rollout_decision.json`` and its schema id belong to
dragon-governance, spelled here because compat never imports governance at runtime
(an integration test proves the spellings agree).

Documents are frozen pydantic models. ``to_document()`` gives the JSON value the file
holds (written with ``dragon_runtime.canonical_json``: sorted keys, 2-space indent);
``from_document(value, source=...)`` is strict and raises :class:`DragonUserError`
(exit 2) naming the file and the field for anything else: a missing key, a wrong JSON
type (an integer is never a string, a boolean never an integer, a string never a
list), a date that is not an ISO ``YYYY-MM-DD`` string, a wrong ``schema`` id, a
non-finite number, and path text that is empty, holds a NUL or another control
character, is not valid Unicode (a lone surrogate), or leaves the run directory.
Unknown extra keys are ignored (a newer writer may add some).

A run is identified by all its inputs: :class:`RunMarker` (``.dragon-run.json``, written
first) holds the session and every input file — the bars, each side table, the branch
file and the governance policy when the run has them — with its role and sha256; the
manifest's ``inputs`` list the same entries. :func:`marker_changes` says, in words,
what differs between two markers (the daily pipeline refuses a directory that holds a
run with other inputs unless forced).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ClassVar, Final, NamedTuple, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    field_validator,
)

from dragon_compat.errors import DragonUserError
from dragon_compat.writes import write_file
from dragon_runtime import OUTPUT_FILES, RC1_SCHEMA_VERSION, canonical_json

__all__ = [
    "BRANCHES_DIR",
    "BRANCH_FILES",
    "DECISION_FILE",
    "DECISION_SCHEMA",
    "DERIVED_FILES",
    "DIVERGENCE_FILE",
    "DIVERGENCE_SCHEMA",
    "EQUITY_FILE",
    "EVENTS_FILE",
    "FORWARD_PLAN_FILE",
    "FORWARD_PLAN_SCHEMA",
    "LAYOUT",
    "MANIFEST_FILE",
    "MANIFEST_SCHEMA",
    "MONITOR_FILES",
    "MONITOR_HEALTH_FILE",
    "MONITOR_HEALTH_SCHEMA",
    "MONITOR_HISTORY_FILE",
    "MONITOR_HISTORY_HEADER",
    "PRICE_DECIMALS",
    "REFINED_CONTROL_FILE",
    "REFINED_CONTROL_SCHEMA",
    "RUN_MARKER_FILE",
    "RUN_MARKER_SCHEMA",
    "SCORE_DECIMALS",
    "SUMMARY_FILE",
    "TRADES_FILE",
    "BookSource",
    "BranchHolding",
    "DeskHolding",
    "EntryOrder",
    "ExitOrder",
    "FileDigest",
    "ForwardPlanDocument",
    "GovernanceMode",
    "HoldingAction",
    "InputRole",
    "ManifestDocument",
    "PlanBook",
    "PlanGovernance",
    "PlanOrders",
    "PlanPendingRollback",
    "PlanRollout",
    "Reconciliation",
    "RunFile",
    "RunMarker",
    "SharedHolding",
    "branch_dir",
    "branch_file",
    "layout_markdown",
    "marker_changes",
    "read_manifest",
    "read_marker",
    "write_document",
]

# --- file names ------------------------------------------------------------------------

RUN_MARKER_FILE: Final = ".dragon-run.json"
MANIFEST_FILE: Final = "daily_manifest.json"
DECISION_FILE: Final = "rollout_decision.json"
FORWARD_PLAN_FILE: Final = "forward_plan.json"
MONITOR_HEALTH_FILE: Final = "monitor_health.json"
MONITOR_HISTORY_FILE: Final = "monitor_history.csv"
DIVERGENCE_FILE: Final = "divergence.json"
REFINED_CONTROL_FILE: Final = "refined_control.json"
MONITOR_FILES: Final = (
    MONITOR_HEALTH_FILE,
    MONITOR_HISTORY_FILE,
    DIVERGENCE_FILE,
    REFINED_CONTROL_FILE,
)
"""The monitor's four files, in the order the monitor writes them."""

BRANCHES_DIR: Final = "branches"
"""Each branch's RC1 files live in ``RUN_DIR/branches/<branch>/``."""
BRANCH_FILES: Final[tuple[str, ...]] = OUTPUT_FILES
"""The files of one branch directory (dragon-runtime's ``OUTPUT_FILES``)."""
EVENTS_FILE, TRADES_FILE, EQUITY_FILE, SUMMARY_FILE = OUTPUT_FILES

DERIVED_FILES: Final = (MANIFEST_FILE, DECISION_FILE, FORWARD_PLAN_FILE)
"""Files of an earlier run of the directory that a new daily run removes first: each is
derived from the whole run, so none may outlive the files it describes."""

# --- schema ids ------------------------------------------------------------------------

RUN_MARKER_SCHEMA: Final = "dragon.run_marker/1"
MANIFEST_SCHEMA: Final = "dragon.daily_manifest/1"
FORWARD_PLAN_SCHEMA: Final = "dragon.forward_plan/2"
MONITOR_HEALTH_SCHEMA: Final = "dragon.monitor_health/1"
DIVERGENCE_SCHEMA: Final = "dragon.divergence/1"
REFINED_CONTROL_SCHEMA: Final = "dragon.refined_control/1"
DECISION_SCHEMA: Final = "dragon.rollout_decision/1"
"""dragon-governance's decision schema (it writes the file; compat only names it)."""
MONITOR_HISTORY_HEADER: Final = ("as_of", "condition_id", "active")
"""The exact header row of ``monitor_history.csv`` (a CSV has no schema id)."""

PRICE_DECIMALS: Final = 2
"""Decimals of a plan's ``close``: events.csv prices are exact cents, printed ``%.2f``."""
SCORE_DECIMALS: Final = 6
"""Decimals of a plan's ``alpha_score``: events.csv ratios are printed ``%.6f``."""


def branch_dir(run_dir: Path, branch: str) -> Path:
    """The directory of one branch's RC1 files: ``RUN_DIR/branches/<branch>``."""
    return run_dir / BRANCHES_DIR / branch


def branch_file(branch: str, name: str) -> str:
    """The run-relative POSIX path of a branch's file, as the manifest lists it
    (``branches/<branch>/<name>``)."""
    return f"{BRANCHES_DIR}/{branch}/{name}"


# --- the layout, as the README shows it --------------------------------------------------


class RunFile(NamedTuple):
    """One entry of the run directory's layout."""

    path: str
    writer: str
    schema: str
    contents: str


LAYOUT: Final = (
    RunFile(
        RUN_MARKER_FILE,
        "`dragon daily`, first",
        f"`{RUN_MARKER_SCHEMA}`",
        "identity of the run that owns the directory: `as_of` and every input (path, role, sha256)",
    ),
    RunFile(
        branch_file("<branch>", "{" + ",".join(BRANCH_FILES) + "}"),
        "`dragon daily` (dragon-runtime canonical output)",
        f"RC1 columns; `{SUMMARY_FILE}`: `rc1_schema_version` {RC1_SCHEMA_VERSION}",
        "each branch's RC1 output",
    ),
    RunFile(
        MONITOR_HEALTH_FILE,
        "`dragon daily` (monitor)",
        f"`{MONITOR_HEALTH_SCHEMA}`",
        "the candidate's monitor conditions at `as_of`",
    ),
    RunFile(
        MONITOR_HISTORY_FILE,
        "`dragon daily` (monitor)",
        f"header `{','.join(MONITOR_HISTORY_HEADER)}`",
        "every session × condition",
    ),
    RunFile(
        DIVERGENCE_FILE,
        "`dragon daily` (monitor)",
        f"`{DIVERGENCE_SCHEMA}`",
        "candidate vs reference",
    ),
    RunFile(
        REFINED_CONTROL_FILE,
        "`dragon daily` (monitor)",
        f"`{REFINED_CONTROL_SCHEMA}`",
        "candidate vs control",
    ),
    RunFile(
        MANIFEST_FILE,
        "`dragon daily`, last",
        f"`{MANIFEST_SCHEMA}`",
        "inputs (path, role, sha256), versions, roles; every branch and monitor file "
        "with its sha256; `data_quality`",
    ),
    RunFile(
        DECISION_FILE,
        "`dragon-governance check`; `dragon forward` (enforce, shadow)",
        f"`{DECISION_SCHEMA}`",
        "the rollout decision",
    ),
    RunFile(
        FORWARD_PLAN_FILE,
        "`dragon forward`",
        f"`{FORWARD_PLAN_SCHEMA}`",
        "the next session's orders, sized; the desk's book reconciled when given",
    ),
)
"""Every file of a complete run directory, in the order they are written."""


def layout_markdown() -> str:
    """:data:`LAYOUT` as the Markdown table of the README's "Run directory" section."""
    lines = ["| file | written by | schema | contents |", "|---|---|---|---|"]
    lines += [f"| `{f.path}` | {f.writer} | {f.schema} | {f.contents} |" for f in LAYOUT]
    return "\n".join(lines) + "\n"


# --- field types -----------------------------------------------------------------------

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _iso_date(value: object) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"must be an ISO date string YYYY-MM-DD, not {value!r}")


IsoDate = Annotated[
    dt.date,
    PlainValidator(_iso_date),
    PlainSerializer(lambda day: day.isoformat(), return_type=str),
]
"""A date, written and read as an ISO ``YYYY-MM-DD`` JSON string."""


def _path_text(value: str) -> str:
    """Non-empty, valid Unicode (UTF-8 encodable) and free of NUL: any path a file system
    can hold and a JSON file can carry."""
    if not value:
        raise ValueError("must not be empty")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("is not valid Unicode text (lone surrogate)") from None
    if "\x00" in value:
        raise ValueError("must not contain a NUL byte")
    return value


def _text(value: str) -> str:
    """Path text (see :func:`_path_text`) that is also free of control characters."""
    _path_text(value)
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


def _name(value: str) -> str:
    """A branch name (also a directory name) or another identifier."""
    _text(value)
    if any(ch.isspace() for ch in value) or "/" in value or "\\" in value:
        raise ValueError("must not contain whitespace, '/' or '\\'")
    if value in (".", ".."):
        raise ValueError("must not be '.' or '..'")
    return value


def _run_relative(value: str) -> str:
    """A POSIX path relative to RUN_DIR that stays inside it."""
    _text(value)
    if value.startswith("/") or "\\" in value or re.match(r"[A-Za-z]:", value):
        raise ValueError("must be a relative POSIX path inside RUN_DIR")
    if any(part in ("", ".", "..") for part in value.split("/")):
        raise ValueError("must not contain empty, '.' or '..' path segments")
    return value


def _json_list(value: object) -> tuple[object, ...]:
    if isinstance(value, list | tuple):
        return tuple(value)
    raise ValueError(f"must be a JSON list, not {_json_type(value)}")


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(
        type(value), "an object" if isinstance(value, dict) else type(value).__name__
    )


Text = Annotated[str, AfterValidator(_text)]
InputPath = Annotated[str, AfterValidator(_path_text)]
Name = Annotated[str, AfterValidator(_name)]
RunPath = Annotated[str, AfterValidator(_run_relative)]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class _Document(BaseModel):
    """Strict JSON types, extra keys ignored, immutable, finite numbers only."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, allow_inf_nan=False)

    def to_document(self) -> dict[str, Any]:
        """The JSON value of the document (dates as ISO strings, tuples as lists)."""
        return self.model_dump(mode="json")


class _SchemaDocument(_Document):
    """A file-level document: a ``schema`` id first, then the fields."""

    SCHEMA: ClassVar[str]
    FILE: ClassVar[str]

    def to_document(self) -> dict[str, Any]:
        return {"schema": self.SCHEMA, **super().to_document()}

    @classmethod
    def from_document(cls, document: object, *, source: str | Path) -> Self:
        """Validate a parsed JSON value strictly (see the module docstring).

        ``source`` names the file in the error. Raises :class:`DragonUserError` (exit 2)
        naming the first invalid field.
        """
        if not isinstance(document, dict):
            raise DragonUserError(f"{source}: not a JSON object ({_json_type(document)})")
        if "schema" not in document:
            raise DragonUserError(f"{source}: field schema: missing (expected {cls.SCHEMA!r})")
        if document["schema"] != cls.SCHEMA:
            raise DragonUserError(
                f"{source}: field schema: {document['schema']!r} is not {cls.SCHEMA!r}"
            )
        try:
            return cls.model_validate(document)
        except ValidationError as err:
            raise DragonUserError(f"{source}: {_first_problem(err)}") from None


def _first_problem(err: ValidationError) -> str:
    problems = err.errors(include_url=False)
    first = problems[0]
    field = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]
    ).lstrip(".")
    message = "missing" if first["type"] == "missing" else first["msg"]
    message = message.removeprefix("Value error, ")
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"field {field or '(document)'}: {message}{more}"


# --- daily_manifest.json -----------------------------------------------------------------


class InputRole(StrEnum):
    """What an input file is to the run (an ``inputs`` entry's ``role``)."""

    BARS = "bars"
    """The bars file (``--data``; the bundled sample is ``bundled-sample/<name>``)."""
    SIDE_TABLE = "side_table"
    """A side table completing the bars (``--side-table``), in the order given."""
    BRANCHES = "branches"
    """The branch file the run's branches come from (``--branches``)."""
    POLICY = "policy"
    """The governance policy the run is governed by (``--policy``)."""
    POSITIONS = "positions"
    """The desk's positions file a forward plan was reconciled with (plans only)."""
    SESSIONS = "sessions"
    """The operator's XSHG session list a forward plan took its next session from
    (``--sessions``; plans only)."""


class FileDigest(_Document):
    """An ``inputs`` entry: the path as the run saw it (any file name, so control
    characters are allowed, NUL is not), its ``role`` and the file's sha256.

    ``role`` is absent from manifests written before roles were recorded; those runs
    had exactly one input, the bars, so a missing role reads as ``bars``. Governance's
    manifest model ignores the key (it reads ``path`` and ``sha256``).
    """

    path: InputPath
    role: Annotated[InputRole, Field(strict=False)] = InputRole.BARS
    sha256: Sha256Hex


Inputs = Annotated[tuple[FileDigest, ...], BeforeValidator(_json_list)]


class OutputFile(_Document):
    """An ``outputs`` entry: a run-relative path and the sha256 of the bytes written."""

    path: RunPath
    sha256: Sha256Hex


DATA_QUALITY_EXAMPLES: Final = 5
"""How many findings a manifest's ``data_quality`` shows as examples."""


class QualityExample(_Document):
    """One finding of the run's input, as ``dragon validate`` lists it: the file
    (``source``), its 1-based data row (None: the whole file), the symbol when known,
    the column, the rule, the value as written, and how many rows of the same rule
    and symbol the line stands for."""

    source: str
    row: Annotated[int, Field(ge=1)] | None
    symbol: str
    column: str
    rule: Name
    value: str
    count: Annotated[int, Field(ge=1)]


class DataQuality(_Document):
    """The data-quality summary of a run's input (``daily_manifest.json``'s
    ``data_quality``): findings per rule — only WARNINGs, since a run with an ERROR
    never starts — and the first :data:`DATA_QUALITY_EXAMPLES` listing lines."""

    errors: Annotated[int, Field(ge=0)]
    warnings: Annotated[int, Field(ge=0)]
    rules: dict[Name, Annotated[int, Field(ge=1)]]
    """Rule → findings (a whole-file finding counts 1), in catalogue order."""
    examples: Annotated[tuple[QualityExample, ...], BeforeValidator(_json_list)]


def _unique(values: tuple[str, ...], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {what} {value!r}")
        seen.add(value)


class ManifestDocument(_SchemaDocument):
    """``daily_manifest.json``: what one daily run produced, from which inputs, with which
    code. Written last by ``dragon daily``; governance's ``DailyManifest`` model reads the
    same file (an integration test proves every manifest compat writes validates there).
    """

    SCHEMA: ClassVar[str] = MANIFEST_SCHEMA
    FILE: ClassVar[str] = MANIFEST_FILE

    as_of: IsoDate
    """The session the run is for."""
    data_latest_date: IsoDate
    """The latest bar date of the input data."""
    candidate_branch: Name
    reference_branch: Name
    control_branch: Name
    branches: Annotated[tuple[Name, ...], BeforeValidator(_json_list), Field(min_length=1)]
    """Every branch the run produced (unique), in run order."""
    versions: dict[Name, Text]
    """Installed Dragon distribution -> version."""
    inputs: Inputs
    """Every input of the run (see :class:`RunMarker`), bars first."""
    outputs: Annotated[tuple[OutputFile, ...], BeforeValidator(_json_list)]
    """Every file the run wrote (paths unique), sorted by path."""
    data_quality: DataQuality | None = None
    """What validation found in the inputs (None: a manifest written before it was
    recorded). Governance's manifest model ignores the key."""

    @field_validator("branches")
    @classmethod
    def _branches_unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        _unique(value, "branch")
        return value

    @field_validator("outputs")
    @classmethod
    def _outputs_unique(cls, value: tuple[OutputFile, ...]) -> tuple[OutputFile, ...]:
        _unique(tuple(entry.path for entry in value), "output path")
        return value

    def to_document(self) -> dict[str, Any]:
        """The JSON value; ``data_quality`` only when recorded (older manifests
        round-trip byte for byte)."""
        document = super().to_document()
        if document.get("data_quality") is None:
            document.pop("data_quality", None)
        return document

    def output_sha256(self, path: str) -> str | None:
        """The sha256 recorded for the run-relative ``path``; None if not listed."""
        return next((entry.sha256 for entry in self.outputs if entry.path == path), None)

    def inputs_of(self, role: InputRole) -> tuple[FileDigest, ...]:
        """The inputs with ``role``, in the recorded order."""
        return tuple(entry for entry in self.inputs if entry.role is role)


# --- .dragon-run.json --------------------------------------------------------------------


class RunMarker(_SchemaDocument):
    """``.dragon-run.json``: the identity of the run that owns a run directory.

    Written first by ``dragon daily``: the session and every input of the run, bars
    first, then each side table in the order given, the branch file and the policy
    when the run has them. Two runs are the same run when their session and the
    ``(role, sha256)`` sequence of their inputs are equal; paths are evidence (the
    same bytes moved elsewhere are the same input) and are not compared.
    """

    SCHEMA: ClassVar[str] = RUN_MARKER_SCHEMA
    FILE: ClassVar[str] = RUN_MARKER_FILE

    as_of: IsoDate
    inputs: Annotated[Inputs, Field(min_length=1)]

    def identity(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """What makes two runs the same: the session and each input's role and sha256."""
        return self.as_of.isoformat(), tuple((str(e.role), e.sha256) for e in self.inputs)

    @classmethod
    def from_legacy(cls, document: object, *, source: str | Path) -> Self:
        """A marker of a run written before markers had a schema: ``{"as_of",
        "input_sha256"}`` (the bars were its only input; their path was not recorded)."""
        if not isinstance(document, dict) or set(document) != {"as_of", "input_sha256"}:
            raise DragonUserError(f"{source}: not a Dragon run marker")
        return cls.from_document(
            {
                "schema": cls.SCHEMA,
                "as_of": document["as_of"],
                "inputs": [{"path": "(not recorded)", "sha256": document["input_sha256"]}],
            },
            source=source,
        )


def _short(digest: str) -> str:
    return f"{digest[:12]}…"


def _role_label(role: InputRole, index: int, count: int) -> str:
    label = str(role).replace("_", " ")
    return f"{label} {index + 1}" if count > 1 else label


def marker_changes(previous: RunMarker, current: RunMarker) -> list[str]:
    """What differs between the run a directory holds (``previous``) and a new one, one
    phrase per difference (empty when they are the same run): the session, then each
    role's inputs in order — changed (old and new sha256, the new path), added, removed.
    """
    changes: list[str] = []
    if previous.as_of != current.as_of:
        changes.append(f"as_of {previous.as_of.isoformat()}, now {current.as_of.isoformat()}")
    for role in InputRole:
        before = [e for e in previous.inputs if e.role is role]
        after = [e for e in current.inputs if e.role is role]
        count = max(len(before), len(after))
        for index in range(count):
            label = _role_label(role, index, count)
            old = before[index] if index < len(before) else None
            new = after[index] if index < len(after) else None
            if old is None and new is not None:
                changes.append(f"{label} {new.path!r} added")
            elif new is None and old is not None:
                changes.append(f"{label} {old.path!r} removed")
            elif old is not None and new is not None and old.sha256 != new.sha256:
                changes.append(
                    f"{label} {new.path!r} changed (sha256 {_short(old.sha256)} then, "
                    f"{_short(new.sha256)} now)"
                )
    return changes


# --- forward_plan.json -------------------------------------------------------------------


class GovernanceMode(StrEnum):
    """How the forward pipeline uses the rollout decision (a plan's ``mode``)."""

    ENFORCE = "enforce"
    SHADOW = "shadow"
    OFF = "off"


def _decimals(places: int) -> AfterValidator:
    def check(value: float) -> float:
        if round(value, places) != value:
            raise ValueError(f"must have at most {places} decimals")
        return value

    return AfterValidator(check)


Price = Annotated[float, Field(gt=0), _decimals(PRICE_DECIMALS)]
"""A price per share, CNY, exact cents."""
Money = Annotated[float, Field(ge=0), _decimals(PRICE_DECIMALS)]
"""An amount of money, CNY, exact cents (a value, fees, cash, equity)."""
Score = Annotated[float, _decimals(SCORE_DECIMALS)]
Count = Annotated[int, Field(ge=0)]


class EntryOrder(_Document):
    """An ENTER_SIGNAL at the run's close: buy ``symbol`` at the next session's open,
    sized as the runtime will size it there.

    ``close`` (CNY, :data:`PRICE_DECIMALS` decimals) and ``alpha_score``
    (:data:`SCORE_DECIMALS` decimals; null only when events.csv records none) are JSON
    numbers equal to events.csv's text: the writer parses that text with ``float``, and
    JSON's shortest round-trip form gives it back (``38.70`` is written ``38.7``).

    Sizing (every amount CNY, exact cents): ``limit_up``/``limit_down`` are the next
    session's limits with ``close`` as their pre-close (null: no limit);
    ``price_estimate`` is the fill the runtime would pay if the stock opened at
    ``close`` (slippage added, clamped to ``limit_up``) — the real fill is at the
    open, which the plan cannot know; ``shares`` (whole lots) and ``notional``
    (``shares × price_estimate``) and ``fees_estimate`` are what the runtime's sizing
    gives at that price. ``affordable`` is false when no lot can be bought; then
    ``shares`` and both amounts are 0 and ``reason`` is the runtime's reason code
    (``INSUFFICIENT_CASH``, ``NO_FREE_SLOT``, ``ALREADY_HELD``) with ``detail`` in
    words. ``reason`` and ``detail`` are null for an affordable entry.
    """

    symbol: Name
    rank: Annotated[int, Field(ge=1)]
    board_height: Count
    alpha_score: Score | None
    close: Price
    predicates: Text
    limit_up: Price | None
    limit_down: Price | None
    price_estimate: Price
    shares: Count
    notional: Money
    fees_estimate: Money
    affordable: bool
    reason: Name | None
    detail: Text | None


class ExitOrder(_Document):
    """An exit at the run's close: sell the whole position at the next open.

    ``close`` is the position's latest close (CNY), ``limit_up``/``limit_down`` the
    next session's limits from it (null: no limit); ``price_estimate``,
    ``notional`` and ``fees_estimate`` are the sale at ``close`` as the runtime
    would fill it (slippage subtracted, clamped to ``limit_down``; stamp duty in the
    fees). A sealed limit-down session blocks the sale; the plan cannot know that.
    """

    symbol: Name
    shares: Annotated[int, Field(gt=0)]
    reason: Name
    close: Price
    limit_up: Price | None
    limit_down: Price | None
    price_estimate: Price
    notional: Money
    fees_estimate: Money


class PlanOrders(_Document):
    """The orders: entries by rank, exits by symbol (the order the runtime fills them
    in at the open: exits first, then entries)."""

    entries: Annotated[tuple[EntryOrder, ...], BeforeValidator(_json_list)]
    exits: Annotated[tuple[ExitOrder, ...], BeforeValidator(_json_list)]


class BookSource(StrEnum):
    """Whose book a plan is sized for (a plan's ``book.source``)."""

    BRANCH = "branch"
    """The active branch's own book at the close (its ``equity.csv``)."""
    DESK = "desk"
    """The desk's real book: ``--positions`` and ``--cash``."""


class PlanBook(_Document):
    """The book the orders are sized for, at the run's close (CNY, exact cents).

    ``equity`` is ``cash`` plus every holding at its latest close; ``held`` holdings,
    of which ``selling`` are exited; ``free_slots`` = ``max_positions − (held −
    selling)`` (never below 0); ``slot_target`` = ``equity / max_positions`` floored
    to cents — the value each entry aims at (the runtime's target is the smaller of
    it and the cash left); ``cash_for_entries`` is ``cash`` plus the estimated
    proceeds of the exits, which fill at the open before any entry.
    """

    source: Annotated[BookSource, Field(strict=False)]
    equity: Money
    cash: Money
    max_positions: Annotated[int, Field(ge=1)]
    held: Count
    selling: Count
    free_slots: Count
    slot_target: Money
    cash_for_entries: Money


class HoldingAction(StrEnum):
    """What the plan does with a desk holding at the next open."""

    SELL = "SELL"
    HOLD = "HOLD"


class DeskHolding(_Document):
    """One row of the desk's positions file, evaluated with the branch's exit rule at
    the run's close: ``close`` is its latest close (CNY), ``hold_sessions`` the
    symbol's trading sessions from ``entry_date`` through the run's session, ``action``
    SELL with the exit reason, or HOLD with ``CONTINUES_LIMIT_UP`` (or ``SUSPENDED``
    when it did not trade at the close: no exit can be signalled)."""

    symbol: Name
    shares: Annotated[int, Field(gt=0)]
    entry_date: IsoDate
    entry_price: Price
    close: Price
    hold_sessions: Count
    action: Annotated[HoldingAction, Field(strict=False)]
    reason: Name


class BranchHolding(_Document):
    """A position the active branch holds at the close and the desk does not."""

    symbol: Name
    shares: Annotated[int, Field(gt=0)]


class SharedHolding(_Document):
    """A symbol both the desk and the active branch hold (shares of each)."""

    symbol: Name
    desk_shares: Annotated[int, Field(gt=0)]
    branch_shares: Annotated[int, Field(gt=0)]


class Reconciliation(_Document):
    """The desk's book beside the active branch's: every desk holding evaluated
    (``holdings``, by symbol), the symbols only the desk holds (``desk_only``), the
    branch's positions the desk does not hold (``branch_only`` — the branch's orders
    for them are not in the plan) and those both hold (``in_both``)."""

    holdings: Annotated[tuple[DeskHolding, ...], BeforeValidator(_json_list)]
    desk_only: Annotated[tuple[Name, ...], BeforeValidator(_json_list)]
    branch_only: Annotated[tuple[BranchHolding, ...], BeforeValidator(_json_list)]
    in_both: Annotated[tuple[SharedHolding, ...], BeforeValidator(_json_list)]


class PlanPendingRollback(_Document):
    """The rollback a ledger's state waits on a review for."""

    seq: Annotated[int, Field(ge=1)]
    decision_id: Sha256Hex
    as_of: IsoDate


class PlanRollout(_Document):
    """The rollout state of the ledger a governed plan appended to (after the append):
    ``dragon_governance.rollout_state``. ``active_branch`` is the state's; in mode
    ``enforce`` it is the plan's active branch, in ``shadow`` only recorded."""

    ledger: Annotated[str, Field(min_length=1)]
    """The ledger's path as given (``--ledger``)."""
    state: Name
    active_branch: Name
    since: IsoDate
    pending_rollback: PlanPendingRollback | None
    entries: Annotated[int, Field(ge=1)]
    head_hash: Sha256Hex
    """The ledger's last line's hash: compare with the ledger to see lines dropped."""


class PlanGovernance(_Document):
    """The rollout decision a governed plan (enforce, shadow) was made with, and — with
    a ledger — the rollout state (``rollout``; null without a ledger: then the
    per-session rule applies, the decision's recommended branch)."""

    decision: Name
    decision_id: Sha256Hex
    recommended_branch: Name
    fallback_branch: Name
    file: RunPath
    """Where the decision was written: :data:`DECISION_FILE`."""
    rollout: PlanRollout | None = None


class ForwardPlanDocument(_SchemaDocument):
    """``forward_plan.json``: the active branch's orders for the next XSHG session,
    sized for a book.

    Schema ``dragon.forward_plan/2``: prices, amounts and scores are JSON numbers (in
    ``/1`` they were strings), ranks, board heights and shares integers.
    ``governance`` is null in mode ``off``. ``book`` is the book the orders are sized
    for (the branch's own, or the desk's with ``--positions``/``--cash``);
    ``reconciliation`` is null unless the desk's book was given. ``inputs`` are the
    files the plan read besides the run directory's own (the run's bars and side
    tables, the policy, the positions file), each with its role and sha256.
    """

    SCHEMA: ClassVar[str] = FORWARD_PLAN_SCHEMA
    FILE: ClassVar[str] = FORWARD_PLAN_FILE

    as_of: IsoDate
    next_session: IsoDate
    mode: Annotated[GovernanceMode, Field(strict=False)]  # the JSON string, or the member
    candidate_branch: Name
    active_branch: Name
    governance: PlanGovernance | None
    book: PlanBook
    orders: PlanOrders
    reconciliation: Reconciliation | None
    inputs: Inputs


# --- reading and writing -----------------------------------------------------------------


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise ValueError(f"duplicate key {key!r}")
        document[key] = value
    return document


def _not_a_number(text: str) -> float:
    raise ValueError(f"{text} is not a JSON number")


def _load_json(path: Path) -> object:
    """A JSON file's value; duplicate keys and NaN/Infinity are errors (not JSON)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise DragonUserError(f"{path}: not UTF-8 text ({err.reason})") from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_not_a_number)
    except ValueError as err:
        raise DragonUserError(f"{path}: not valid JSON ({err})") from None


def read_manifest(run_dir: Path) -> ManifestDocument:
    """The strictly validated ``daily_manifest.json`` of ``run_dir``.

    Raises :class:`DragonUserError` (exit 2) for a missing directory or manifest (the run
    is incomplete) and for a manifest that is not valid JSON or not a valid document.
    """
    if not run_dir.is_dir():
        raise DragonUserError(f"{run_dir}: no such run directory")
    path = run_dir / MANIFEST_FILE
    try:
        document = _load_json(path)
    except FileNotFoundError:
        raise DragonUserError(
            f"{path}: missing — {run_dir} is not a complete daily run (run `dragon daily` first)"
        ) from None
    except OSError as err:
        raise DragonUserError(f"{path}: cannot read ({err.strerror or err})") from None
    return ManifestDocument.from_document(document, source=path)


def read_marker(run_dir: Path) -> RunMarker | None:
    """The run marker of ``run_dir``; None when there is none, or the file is not a
    Dragon run marker (of this version or the earlier schema-less one)."""
    path = run_dir / RUN_MARKER_FILE
    try:
        document = _load_json(path)
    except (OSError, DragonUserError):
        return None
    try:
        if isinstance(document, dict) and "schema" not in document:
            return RunMarker.from_legacy(document, source=path)
        return RunMarker.from_document(document, source=path)
    except DragonUserError:
        return None


def write_document(
    run_dir: Path, document: ManifestDocument | ForwardPlanDocument | RunMarker
) -> Path:
    """Write ``document`` to its file in ``run_dir`` atomically, in canonical JSON; a
    failed write is ``cannot write PATH: REASON`` (:func:`dragon_compat.writes.write_file`)."""
    path = run_dir / document.FILE
    write_file(path, canonical_json(document.to_document()))
    return path
