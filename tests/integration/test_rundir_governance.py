"""Where compat's run-directory contract meets dragon-governance's own models.

Governance stays independent (it imports neither runtime nor compat) and keeps its own
``DailyManifest`` model and file names; this module proves the two agree: the same
file names and schema ids, every manifest compat writes validates in governance, and
compat's strict reader never accepts a manifest governance rejects.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dragon_compat import rundir
from dragon_compat.errors import DragonUserError
from dragon_compat.pipelines.daily import DailyRun
from dragon_compat.rundir import ManifestDocument
from dragon_governance.decision import DECISION_FILENAME, DECISION_SCHEMA
from dragon_governance.sources.models import DailyManifest
from dragon_governance.sources.registry import (
    DIVERGENCE,
    DIVERGENCE_SCHEMA,
    HEALTH,
    HEALTH_SCHEMA,
    HISTORY,
    HISTORY_COLUMNS,
    MANIFEST,
    MANIFEST_SCHEMA,
    REFINED_CONTROL,
    REFINED_CONTROL_SCHEMA,
)


def test_file_names_are_governances():
    assert (
        MANIFEST.filename,
        HEALTH.filename,
        HISTORY.filename,
        DIVERGENCE.filename,
        REFINED_CONTROL.filename,
        DECISION_FILENAME,
    ) == (
        rundir.MANIFEST_FILE,
        rundir.MONITOR_HEALTH_FILE,
        rundir.MONITOR_HISTORY_FILE,
        rundir.DIVERGENCE_FILE,
        rundir.REFINED_CONTROL_FILE,
        rundir.DECISION_FILE,
    )


def test_schema_ids_and_history_header_are_governances():
    assert (
        MANIFEST_SCHEMA,
        HEALTH_SCHEMA,
        DIVERGENCE_SCHEMA,
        REFINED_CONTROL_SCHEMA,
        DECISION_SCHEMA,
        HISTORY_COLUMNS,
    ) == (
        rundir.MANIFEST_SCHEMA,
        rundir.MONITOR_HEALTH_SCHEMA,
        rundir.DIVERGENCE_SCHEMA,
        rundir.REFINED_CONTROL_SCHEMA,
        rundir.DECISION_SCHEMA,
        rundir.MONITOR_HISTORY_HEADER,
    )


def _manifest_file(run: DailyRun) -> Path:
    return run.run_dir / rundir.MANIFEST_FILE


def test_the_manifest_compat_writes_validates_in_governance(eve_run: DailyRun):
    text = _manifest_file(eve_run).read_text(encoding="utf-8")
    governance = DailyManifest.model_validate_json(text)
    compat = ManifestDocument.from_document(json.loads(text), source=_manifest_file(eve_run))
    assert compat == eve_run.manifest
    assert governance.as_of == compat.as_of
    assert tuple(governance.branches) == compat.branches
    assert [(o.path, o.sha256) for o in governance.outputs] == [
        (o.path, o.sha256) for o in compat.outputs
    ]


def test_governance_accepts_the_manifests_data_quality(eve_run: DailyRun):
    document = json.loads(_manifest_file(eve_run).read_text(encoding="utf-8"))
    document["data_quality"] = {
        "errors": 0,
        "warnings": 1,
        "rules": {"TURNOVER_OUT_OF_RANGE": 1},
        "examples": [
            {
                "source": "bars.csv",
                "row": 7,
                "symbol": "603733.SH",
                "column": "turnover_rate",
                "rule": "TURNOVER_OUT_OF_RANGE",
                "value": "106.4833",
                "count": 1,
            }
        ],
    }
    governance = DailyManifest.model_validate_json(json.dumps(document))  # the key is ignored
    compat = ManifestDocument.from_document(document, source="manifest")
    assert governance.as_of == compat.as_of
    assert compat.data_quality is not None and compat.data_quality.warnings == 1


# --- compat's reader is never looser than governance's --------------------------------------

FIELDS = (
    "schema",
    "as_of",
    "data_latest_date",
    "candidate_branch",
    "reference_branch",
    "control_branch",
    "branches",
    "branches.0",
    "versions",
    "versions.dragon-compat",
    "inputs",
    "inputs.0",
    "inputs.0.path",
    "inputs.0.sha256",
    "outputs",
    "outputs.0",
    "outputs.0.path",
    "outputs.0.sha256",
)
"""Where a mutation lands: a key, a list item (``.0``) or a nested key."""

TRICKY_TEXT = st.sampled_from(
    [
        "",
        "2024-09-30",
        "2024-9-30",
        "30/09/2024",
        "alpha_first",
        "alpha first",
        "../outside",
        "/etc/passwd",
        "branches/alpha_first/events.csv",
        "branches/alpha_first\x00/events.csv",
        "branches/\ud800/events.csv",
        "a\\b",
        "ab" * 32,
        "AB" * 32,
        "dragon.daily_manifest/1",
    ]
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TRICKY_TEXT
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TRICKY_TEXT, inner, max_size=3),
    max_leaves=6,
)


def _mutated(document: dict[str, Any], field: str, value: object, delete: bool) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    *parents, last = field.split(".")
    target: Any = changed
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    key: Any = int(last) if last.isdigit() else last
    if delete:
        del target[key]
    else:
        target[key] = value
    return changed


def _governance_accepts(document: dict[str, Any]) -> bool:
    try:
        DailyManifest.model_validate_json(json.dumps(document))
    except ValueError:  # pydantic's ValidationError is a ValueError
        return False
    return True


def _compat_accepts(document: dict[str, Any]) -> bool:
    try:
        ManifestDocument.from_document(document, source="daily_manifest.json")
    except DragonUserError:
        return False
    return True


@settings(max_examples=300)
@given(field=st.sampled_from(FIELDS), value=JSON_VALUES, delete=st.booleans())
def test_compat_rejects_every_manifest_governance_rejects(
    eve_run: DailyRun, field: str, value: object, delete: bool
):
    original = json.loads(_manifest_file(eve_run).read_text(encoding="utf-8"))
    document = _mutated(original, field, value, delete)
    if _compat_accepts(document):
        assert _governance_accepts(document), (field, value, delete)
        rewritten = ManifestDocument.from_document(document, source="m").to_document()
        assert _governance_accepts(rewritten)
