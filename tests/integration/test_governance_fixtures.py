"""The run directories shipped in tests/governance/fixtures are real daily runs.

They are exactly what :mod:`tests.integration.governance_fixtures` builds today (a
tiny ``run_daily``, plus the rollback scenario's documented edit), apart from the
Dragon versions the manifest records, which change with every release.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dragon_compat.dragon_strategy import BRANCH_NAMES
from dragon_compat.rundir import (
    BRANCH_FILES,
    MANIFEST_FILE,
    MONITOR_FILES,
    RUN_MARKER_FILE,
    branch_file,
)
from tests.integration.builders import snapshot
from tests.integration.governance_fixtures import FIXTURES, HEALTHY, ROLLBACK, build_fixtures


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fixtures")
    build_fixtures(root)
    return root


def _without_versions(manifest: bytes) -> dict:
    document = json.loads(manifest)
    document.pop("versions")
    return document


@pytest.mark.parametrize("name", [HEALTHY, ROLLBACK])
def test_shipped_fixture_is_what_the_builder_writes(rebuilt: Path, name: str):
    shipped, fresh = snapshot(FIXTURES / name), snapshot(rebuilt / name)
    assert set(shipped) == set(fresh)
    assert _without_versions(shipped.pop(MANIFEST_FILE)) == _without_versions(
        fresh.pop(MANIFEST_FILE)
    )
    differing = [path for path in shipped if shipped[path] != fresh[path]]
    assert differing == [], "regenerate: hatch run python -m tests.integration.governance_fixtures"


@pytest.mark.parametrize("name", [HEALTHY, ROLLBACK])
def test_shipped_fixture_has_the_run_directory_layout(name: str):
    expected = {
        RUN_MARKER_FILE,
        MANIFEST_FILE,
        *MONITOR_FILES,
        *(branch_file(branch, file) for branch in BRANCH_NAMES for file in BRANCH_FILES),
    }
    assert set(snapshot(FIXTURES / name)) == expected


def test_rollback_fixture_differs_from_healthy_only_in_the_edited_files():
    healthy, rollback = snapshot(FIXTURES / HEALTHY), snapshot(FIXTURES / ROLLBACK)
    changed = {path for path in healthy if healthy[path] != rollback[path]}
    assert changed == {"monitor_health.json", "monitor_history.csv", MANIFEST_FILE}
