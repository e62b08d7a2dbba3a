"""Load the sources of a run directory; every problem becomes a typed ``SourceProblem``.

Loading never raises for anything inside RUN_DIR: a missing, unreadable, special
(FIFO, device, socket), over-size, out-of-RUN_DIR (symlink), non-JSON, non-strict
(a non-finite number or a duplicate key anywhere) or schema-breaking file yields a
``LoadedSource`` with ``model=None`` and a ``problem`` the owning gate turns into a
reason. Files are read through :mod:`dragon_governance.regular_file` (confined to
RUN_DIR, never blocking, capped at the spec's ``max_bytes``). The sha256 is taken
over the raw bytes whenever the file could be read (evidence for the decision's
``inputs``). A problem's ``value`` is always JSON-safe: a non-finite number becomes
its text (``"NaN"``, ``"1e309"``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from dragon_governance.reasons import WHOLE_FILE, Evidence
from dragon_governance.regular_file import Refusal, RefusalKind, describe_size, read_bytes
from dragon_governance.sources.history import HistoryFormatError, HistoryParses, parse_history
from dragon_governance.sources.models import (
    DailyManifest,
    Divergence,
    MonitorHealth,
    MonitorHistory,
    RefinedControl,
)
from dragon_governance.sources.registry import (
    DIVERGENCE,
    HEALTH,
    HISTORY,
    MANIFEST,
    REFINED_CONTROL,
    SourceSpec,
)
from dragon_governance.sources.strict_json import Location, Violation, first_violation

ModelT = TypeVar("ModelT", bound=BaseModel)

_MAX_VALUE_CHARS = 120


class ProblemKind(StrEnum):
    """Why a source could not be used."""

    MISSING = "missing"
    UNREADABLE = "unreadable"
    NOT_REGULAR = "not_regular"
    """A FIFO, a device, a socket or a symlink loop: never opened."""
    TOO_LARGE = "too_large"
    """Over the source's size cap: not read."""
    OUTSIDE_RUN = "outside_run"
    """Resolves (through a symlink) outside RUN_DIR: not opened."""
    NOT_JSON = "not_json"
    NON_FINITE = "non_finite"
    """``NaN``, ``Infinity``, ``-Infinity`` or an overflowing literal such as ``1e309``."""
    DUPLICATE_KEY = "duplicate_key"
    WRONG_SCHEMA = "wrong_schema"
    INVALID = "invalid"


@dataclass(frozen=True)
class SourceProblem:
    """A typed finding about a source file: what kind, where (``field``), which value."""

    kind: ProblemKind
    field: str
    value: Evidence
    message: str


@dataclass(frozen=True)
class LoadedSource(Generic[ModelT]):
    """One source file of RUN_DIR: the validated model, or the problem that prevented it."""

    spec: SourceSpec
    present: bool
    sha256: str | None
    model: ModelT | None
    problem: SourceProblem | None

    @property
    def ok(self) -> bool:
        """True when the file was read and validated."""
        return self.model is not None


@dataclass(frozen=True)
class RunSources:
    """The five sources of one run directory."""

    manifest: LoadedSource[DailyManifest]
    health: LoadedSource[MonitorHealth]
    history: LoadedSource[MonitorHistory]
    divergence: LoadedSource[Divergence]
    refined_control: LoadedSource[RefinedControl]

    def all(self) -> tuple[LoadedSource[Any], ...]:
        """In the order of ``registry.SOURCES``."""
        return (self.manifest, self.health, self.history, self.divergence, self.refined_control)


def non_finite_text(value: float) -> str:
    """``NaN``, ``Infinity`` or ``-Infinity``: how JSON-with-extensions spells ``value``."""
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def _evidence(value: Any) -> Evidence:
    if isinstance(value, float) and not math.isfinite(value):
        return non_finite_text(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= _MAX_VALUE_CHARS else value[:_MAX_VALUE_CHARS] + "…"
    if isinstance(value, dict):
        return "<object>"
    if isinstance(value, list):
        return "<array>"
    return f"<{type(value).__name__}>"


def _field_path(loc: Location) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or WHOLE_FILE


def _problem_from_validation(spec: SourceSpec, err: ValidationError) -> SourceProblem:
    errors = err.errors(include_url=False)
    schema_errors = [e for e in errors if e["loc"][:1] == ("schema",)]
    first = schema_errors[0] if schema_errors else errors[0]
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    if first["type"] == "json_invalid":
        detail = first.get("ctx", {}).get("error", first["msg"])
        return SourceProblem(
            ProblemKind.NOT_JSON, WHOLE_FILE, None, f"{spec.filename}: not valid JSON: {detail}"
        )
    field = _field_path(first["loc"])
    value = None if first["type"] == "missing" else _evidence(first["input"])
    message = first["msg"].removeprefix("Value error, ")
    if schema_errors:
        return SourceProblem(
            ProblemKind.WRONG_SCHEMA,
            "schema",
            value,
            f"{spec.filename}: schema: {message}, got {value!r}{more}",
        )
    shown = "" if first["type"] == "missing" else f" (got {value!r})"
    return SourceProblem(
        ProblemKind.INVALID, field, value, f"{spec.filename}: {field}: {message}{shown}{more}"
    )


_REFUSAL_KINDS = {
    RefusalKind.MISSING: ProblemKind.MISSING,
    RefusalKind.DIRECTORY: ProblemKind.UNREADABLE,
    RefusalKind.UNREADABLE: ProblemKind.UNREADABLE,
    RefusalKind.NOT_REGULAR: ProblemKind.NOT_REGULAR,
    RefusalKind.TOO_LARGE: ProblemKind.TOO_LARGE,
    RefusalKind.OUTSIDE: ProblemKind.OUTSIDE_RUN,
}


def _refusal_problem(run_dir: Path, spec: SourceSpec, refusal: Refusal) -> SourceProblem:
    kind = _REFUSAL_KINDS[refusal.kind]
    if kind is ProblemKind.MISSING:
        message = f"{spec.filename}: not found in {run_dir}"
    elif refusal.kind is RefusalKind.UNREADABLE:
        message = f"{spec.filename}: cannot read: {refusal.reason}"
    else:
        message = f"{spec.filename}: {refusal.detail}"
    value: Evidence = refusal.target if refusal.target is not None else refusal.size
    return SourceProblem(kind, WHOLE_FILE, value, message)


def _read(run_dir: Path, spec: SourceSpec) -> tuple[bytes | None, SourceProblem | None]:
    try:
        data = read_bytes(run_dir / spec.filename, limit=spec.max_bytes, confine_to=run_dir)
    except Refusal as refusal:
        return None, _refusal_problem(run_dir, spec, refusal)
    return data, None


def _violation_problem(spec: SourceSpec, violation: Violation) -> SourceProblem:
    field = _field_path(violation.location)
    if violation.kind == "non_finite":
        return SourceProblem(
            ProblemKind.NON_FINITE,
            field,
            violation.text,
            f"{spec.filename}: {field}: {violation.text} is not a finite number "
            "(NaN, Infinity and overflowing literals are not allowed anywhere in a source)",
        )
    return SourceProblem(
        ProblemKind.DUPLICATE_KEY,
        field,
        violation.text,
        f"{spec.filename}: {field}: duplicate key {violation.text!r} (each key may appear "
        "once per object: which value counts would otherwise be a parser's accident)",
    )


def _strict_problem(spec: SourceSpec, data: bytes) -> SourceProblem | None:
    """A non-finite number or duplicate key anywhere in ``data`` (JSON pydantic parsed)."""
    try:
        violation = first_violation(data)
    except ValueError as err:
        return SourceProblem(
            ProblemKind.NOT_JSON, WHOLE_FILE, None, f"{spec.filename}: not valid JSON: {err}"
        )
    return None if violation is None else _violation_problem(spec, violation)


def _absent(problem: SourceProblem | None) -> bool:
    return problem is not None and problem.kind is ProblemKind.MISSING


def load_json_source(run_dir: Path, spec: SourceSpec, model: type[ModelT]) -> LoadedSource[ModelT]:
    """Read ``run_dir/spec.filename`` and validate it as ``model`` (strict JSON).

    Order: pydantic's JSON parse (its syntax errors are ``NOT_JSON``), then the strict
    scan (``NON_FINITE``/``DUPLICATE_KEY`` anywhere, even in ignored fields), then the
    model's field rules.
    """
    data, problem = _read(run_dir, spec)
    return json_source(spec, model, data, problem)


def json_source(
    spec: SourceSpec, model: type[ModelT], data: bytes | None, problem: SourceProblem | None
) -> LoadedSource[ModelT]:
    """``data`` (the file's bytes, or None with the ``problem`` that kept it unread)
    validated as ``model`` — the rules of :func:`load_json_source`."""
    if data is None:
        return LoadedSource(spec, not _absent(problem), None, None, problem)
    digest = hashlib.sha256(data).hexdigest()
    try:
        parsed: ModelT | None = model.model_validate_json(data)
        error: ValidationError | None = None
    except ValidationError as err:
        parsed, error = None, err
    if error is not None and _is_json_syntax_error(error):
        return LoadedSource(spec, True, digest, None, _problem_from_validation(spec, error))
    strict = _strict_problem(spec, data)
    if strict is not None:
        return LoadedSource(spec, True, digest, None, strict)
    if error is not None:
        return LoadedSource(spec, True, digest, None, _problem_from_validation(spec, error))
    return LoadedSource(spec, True, digest, parsed, None)


def _is_json_syntax_error(err: ValidationError) -> bool:
    return any(error["type"] == "json_invalid" for error in err.errors(include_url=False))


def load_history_source(run_dir: Path) -> LoadedSource[MonitorHistory]:
    """Read and parse ``monitor_history.csv`` (see ``sources.history`` for the format)."""
    data, problem = _read(run_dir, HISTORY)
    return history_source(data, problem)


def history_source(
    data: bytes | None, problem: SourceProblem | None, parses: HistoryParses | None = None
) -> LoadedSource[MonitorHistory]:
    """``monitor_history.csv``'s bytes (or None with its ``problem``) parsed — the rules
    of :func:`load_history_source` (through ``parses`` when given: see
    :class:`~dragon_governance.sources.history.HistoryParses`)."""
    if data is None:
        return LoadedSource(HISTORY, not _absent(problem), None, None, problem)
    digest = hashlib.sha256(data).hexdigest()
    try:
        history = parse_history(data) if parses is None else parses.parse(data)
    except HistoryFormatError as err:
        problem = SourceProblem(
            ProblemKind.INVALID, err.field, _evidence(err.value), f"{HISTORY.filename}: {err}"
        )
        return LoadedSource(HISTORY, True, digest, None, problem)
    return LoadedSource(HISTORY, True, digest, history, None)


def _in_memory(
    files: Mapping[str, bytes], spec: SourceSpec, label: str
) -> tuple[bytes | None, SourceProblem | None]:
    data = files.get(spec.filename)
    if data is None:
        message = f"{spec.filename}: not found in {label}"
        return None, SourceProblem(ProblemKind.MISSING, WHOLE_FILE, None, message)
    if len(data) > spec.max_bytes:
        size = f"{describe_size(spec.max_bytes)} ({len(data):,} bytes)"
        message = f"{spec.filename}: is larger than {size}"
        return None, SourceProblem(ProblemKind.TOO_LARGE, WHOLE_FILE, len(data), message)
    return data, None


def sources_from_bytes(
    files: Mapping[str, bytes], *, label: str, parses: HistoryParses | None = None
) -> RunSources:
    """The five sources from their bytes, keyed by file name (a name absent from
    ``files`` is a missing source; ``label`` names where they came from in messages).

    Exactly the models, problems and sha256 :func:`load_run_sources` gives for a run
    directory holding these bytes: an in-process caller (``dragon replay``) evaluates
    a session it never wrote to disk. ``parses`` carries the history's parse from one
    call to the next (a replay's histories extend each other).
    """
    return RunSources(
        manifest=json_source(MANIFEST, DailyManifest, *_in_memory(files, MANIFEST, label)),
        health=json_source(HEALTH, MonitorHealth, *_in_memory(files, HEALTH, label)),
        history=history_source(*_in_memory(files, HISTORY, label), parses),
        divergence=json_source(DIVERGENCE, Divergence, *_in_memory(files, DIVERGENCE, label)),
        refined_control=json_source(
            REFINED_CONTROL, RefinedControl, *_in_memory(files, REFINED_CONTROL, label)
        ),
    )


def load_run_sources(run_dir: Path) -> RunSources:
    """Load all five sources of ``run_dir`` (which must be a directory)."""
    return RunSources(
        manifest=load_json_source(run_dir, MANIFEST, DailyManifest),
        health=load_json_source(run_dir, HEALTH, MonitorHealth),
        history=load_history_source(run_dir),
        divergence=load_json_source(run_dir, DIVERGENCE, Divergence),
        refined_control=load_json_source(run_dir, REFINED_CONTROL, RefinedControl),
    )
