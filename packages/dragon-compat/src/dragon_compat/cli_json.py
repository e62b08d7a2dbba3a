"""The JSON document each ``dragon`` command prints with ``--json``.

With ``--json`` a command prints exactly one JSON document on stdout — an object,
sorted keys, two-space indent, one trailing newline — and everything else (notes,
``-v`` steps, errors) on stderr. A user error that stops the command before it has
a result (a file that cannot be read, a bad flag) prints nothing on stdout and
exits 2. The documents (README "The `dragon` CLI" shows them):

- ``dragon validate`` — :func:`validation_document`, schema ``dragon.cli.validate/2``,
  also for an invalid file (``valid: false``, exit 2);
- ``dragon run`` — :func:`run_document`, ``dragon.cli.run/1``;
- ``dragon daily`` — :func:`daily_document`, ``dragon.cli.daily/1``;
- ``dragon forward`` — the plan itself, byte for byte ``forward_plan.json``
  (``dragon.forward_plan/2``, :mod:`dragon_compat.rundir`).

Numbers are JSON numbers; a NaN or infinite float becomes ``null``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dragon_compat.data.report import ValidationReport
    from dragon_compat.data.summary import BarsSummary
    from dragon_compat.pipelines.daily import DailyRun

__all__ = [
    "DAILY_SCHEMA",
    "RUN_SCHEMA",
    "VALIDATE_SCHEMA",
    "daily_document",
    "json_value",
    "run_document",
    "validation_document",
]

VALIDATE_SCHEMA = "dragon.cli.validate/2"
RUN_SCHEMA = "dragon.cli.run/1"
DAILY_SCHEMA = "dragon.cli.daily/1"


def json_value(value: Any) -> Any:
    """``value`` as plain JSON: mappings (keys as strings), lists, dates as ISO
    strings, paths as strings, numpy scalars as numbers, NaN/inf as None."""
    if isinstance(value, Mapping):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item") and callable(value.item):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def validation_document(
    report: ValidationReport, summary: BarsSummary | None, *, max_errors: int
) -> dict[str, Any]:
    """``dragon validate --json``.

    ``{schema, source, layout, rows, valid, error_count, warning_count, errors:
    [{source, row, column, rule, severity, value, note}] (every finding, ERRORs
    first, at most ``max_errors``; 0 lists all), rules: {rule: what it requires},
    counts: {rule: findings}, summary}`` — ``summary`` (the counts ``dragon validate``
    prints for a valid file: rows, symbols, st_symbols, sessions, first_session,
    last_session, symbols_by_board, missing_rows, zero_volume_rows,
    suspended_symbols, started_late, ended_early, turnover_missing) is null for an
    invalid file. ``row`` is the 1-based data row (null for a whole-column finding).
    """
    limit = None if max_errors <= 0 else max_errors
    findings = report.errors() + report.warnings()
    errors = [
        {
            "source": error.source,
            "row": error.row,
            "column": error.column,
            "rule": error.rule.value,
            "severity": error.severity.value,
            "value": error.value,
            "note": error.note,
        }
        for error in (findings if limit is None else findings[:limit])
    ]
    rules = {violation.rule for violation in report.violations}
    return json_value(
        {
            "schema": VALIDATE_SCHEMA,
            "source": report.source,
            "layout": report.layout.value,
            "rows": report.rows,
            "valid": summary is not None,
            "error_count": report.error_count,
            "warning_count": report.warning_count,
            "errors": errors,
            "counts": {rule.value: n for rule, n in report.rule_counts().items()},
            "rules": {rule.value: rule.description for rule in rules},
            "summary": None if summary is None else dataclasses.asdict(summary),
        }
    )


def run_document(
    branch: str,
    summary: Mapping[str, Any],
    hashes: Mapping[str, str],
    *,
    input_label: str,
    out: Path,
) -> dict[str, Any]:
    """``dragon run --json``: ``{schema, branch, input, out, summary, files}`` —
    ``summary`` is the branch's ``summary.json`` object, ``files`` maps each file
    written in ``out`` to its sha256."""
    return json_value(
        {
            "schema": RUN_SCHEMA,
            "branch": branch,
            "input": input_label,
            "out": out,
            "summary": dict(summary),
            "files": dict(hashes),
        }
    )


def daily_document(daily: DailyRun, *, input_label: str) -> dict[str, Any]:
    """``dragon daily --json``: ``{schema, as_of, input, run_dir, manifest, outputs,
    roles: {candidate, reference, control, fallback}, branches: {branch: summary},
    data_quality, monitor: {health, divergence, refined_control}}`` — ``data_quality``
    is the manifest's (counts per rule, first findings), ``manifest`` is the path of
    ``daily_manifest.json``, ``outputs`` the number of files it lists, the monitor
    parts the run directory's monitor documents as written."""
    from dragon_compat.rundir import MANIFEST_FILE

    monitor = daily.monitor
    return json_value(
        {
            "schema": DAILY_SCHEMA,
            "as_of": daily.as_of,
            "input": input_label,
            "run_dir": daily.run_dir,
            "manifest": daily.run_dir / MANIFEST_FILE,
            "outputs": len(daily.manifest.outputs),
            "roles": dataclasses.asdict(daily.roles),
            "branches": {name: dict(result.summary) for name, result in daily.results.items()},
            "data_quality": (
                None
                if daily.manifest.data_quality is None
                else daily.manifest.data_quality.to_document()
            ),
            "monitor": {
                "health": monitor.health.to_document(),
                "divergence": monitor.divergence.to_document(),
                "refined_control": monitor.refined_control.to_document(),
            },
        }
    )
