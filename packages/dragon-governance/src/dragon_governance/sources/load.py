"""Load the sources of a run directory; every problem becomes a typed ``SourceProblem``.

Loading never raises for anything inside RUN_DIR: a missing, unreadable, non-JSON
or schema-breaking file yields a ``LoadedSource`` with ``model=None`` and a
``problem`` the owning gate turns into a reason. The sha256 is taken over the raw
bytes whenever the file could be read (evidence for the decision's ``inputs``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from dragon_governance.reasons import WHOLE_FILE, Evidence
from dragon_governance.sources.history import HistoryFormatError, parse_history
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

ModelT = TypeVar("ModelT", bound=BaseModel)

_MAX_VALUE_CHARS = 120


class ProblemKind(StrEnum):
    """Why a source could not be used."""

    MISSING = "missing"
    UNREADABLE = "unreadable"
    NOT_JSON = "not_json"
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


def _evidence(value: Any) -> Evidence:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= _MAX_VALUE_CHARS else value[:_MAX_VALUE_CHARS] + "…"
    if isinstance(value, dict):
        return "<object>"
    if isinstance(value, list):
        return "<array>"
    return f"<{type(value).__name__}>"


def _field_path(loc: tuple[int | str, ...]) -> str:
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


def _read(run_dir: Path, spec: SourceSpec) -> tuple[bytes | None, SourceProblem | None]:
    path = run_dir / spec.filename
    try:
        return path.read_bytes(), None
    except FileNotFoundError:
        kind, message = ProblemKind.MISSING, f"{spec.filename}: not found in {run_dir}"
    except IsADirectoryError:
        kind, message = ProblemKind.UNREADABLE, f"{spec.filename}: is a directory"
    except OSError as err:
        kind, message = ProblemKind.UNREADABLE, f"{spec.filename}: cannot read: {err.strerror}"
    return None, SourceProblem(kind, WHOLE_FILE, None, message)


def load_json_source(run_dir: Path, spec: SourceSpec, model: type[ModelT]) -> LoadedSource[ModelT]:
    """Read ``run_dir/spec.filename`` and validate it as ``model`` (strict JSON)."""
    data, problem = _read(run_dir, spec)
    if data is None:
        present = problem is not None and problem.kind is not ProblemKind.MISSING
        return LoadedSource(spec, present, None, None, problem)
    digest = hashlib.sha256(data).hexdigest()
    try:
        parsed = model.model_validate_json(data)
    except ValidationError as err:
        return LoadedSource(spec, True, digest, None, _problem_from_validation(spec, err))
    return LoadedSource(spec, True, digest, parsed, None)


def load_history_source(run_dir: Path) -> LoadedSource[MonitorHistory]:
    """Read and parse ``monitor_history.csv`` (see ``sources.history`` for the format)."""
    data, problem = _read(run_dir, HISTORY)
    if data is None:
        present = problem is not None and problem.kind is not ProblemKind.MISSING
        return LoadedSource(HISTORY, present, None, None, problem)
    digest = hashlib.sha256(data).hexdigest()
    try:
        history = parse_history(data)
    except HistoryFormatError as err:
        problem = SourceProblem(
            ProblemKind.INVALID, err.field, _evidence(err.value), f"{HISTORY.filename}: {err}"
        )
        return LoadedSource(HISTORY, True, digest, None, problem)
    return LoadedSource(HISTORY, True, digest, history, None)


def load_run_sources(run_dir: Path) -> RunSources:
    """Load all five sources of ``run_dir`` (which must be a directory)."""
    return RunSources(
        manifest=load_json_source(run_dir, MANIFEST, DailyManifest),
        health=load_json_source(run_dir, HEALTH, MonitorHealth),
        history=load_history_source(run_dir),
        divergence=load_json_source(run_dir, DIVERGENCE, Divergence),
        refined_control=load_json_source(run_dir, REFINED_CONTROL, RefinedControl),
    )
