"""Text a source must not hold, and inputs that must not verify vacuously (issue 9,
classes 4 and 9 for governance).

- A NUL byte or another control character in an ``outputs`` path crashed ``check``
  (``ValueError: embedded null byte`` is not an ``OSError``): now ``MANIFEST_CORRUPT``.
- Duplicate JSON keys were accepted (last wins): now the source is corrupt, wherever
  the duplicate sits.
- ``outputs: []`` verified vacuously: now FAIL ``NO_OUTPUTS`` (a real run always
  lists its branch files).
- An empty-string RUN_DIR meant the current directory: now a usage error (exit 2).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dragon_governance import evaluate_run
from dragon_governance.errors import RunDirError
from dragon_governance.sources import ProblemKind, load_run_sources
from tests.governance.builders import AS_OF, DIVERGENCE, HEALTH, MANIFEST, RunDir, sha256
from tests.governance.hostile import run_check, run_cli


@pytest.mark.parametrize(
    "path", ["alpha_first/a\x00b.csv", "a\nb.csv", "tab\there.csv", "\x7f.csv"]
)
def test_control_characters_in_an_outputs_path_are_manifest_corrupt(run: RunDir, path: str):
    run.manifest["outputs"] = [{"path": path, "sha256": sha256(b"")}]
    checked = run_check(run.build())
    (reason,) = checked.reasons("MANIFEST_CORRUPT")
    assert reason["field"] == "outputs[0].path"
    assert "control character" in reason["message"]
    assert checked.verdict == "ROLLBACK_REVIEW_REQUIRED"


def test_a_nul_byte_in_an_inputs_path_is_manifest_corrupt(run: RunDir):
    run.manifest["inputs"] = [{"path": "bars\x00.csv", "sha256": sha256(b"bars")}]
    (reason,) = run_check(run.build()).reasons("MANIFEST_CORRUPT")
    assert reason["field"] == "inputs[0].path"


@pytest.mark.parametrize("branch", ["alpha\x00first", "alpha\x1bfirst"])
def test_a_control_character_in_a_branch_name_is_corrupt(run: RunDir, branch: str):
    run.manifest["branches"] = [branch, *run.manifest["branches"][1:]]
    (reason,) = run_check(run.build()).reasons("MANIFEST_CORRUPT")
    assert reason["field"] == "branches[0]"


def test_a_duplicate_top_level_key_corrupts_the_source(run: RunDir):
    text = json.dumps(run.health)
    run.raw[HEALTH] = (text[:-1] + ', "branch": "rc1_baseline"}').encode()
    checked = run_check(run.build())
    (reason,) = checked.reasons("HEALTH_CORRUPT")
    assert (reason["field"], reason["value"]) == ("branch", "branch")
    assert "duplicate key" in reason["message"]
    assert checked.verdict == "ROLLBACK_REVIEW_REQUIRED"


def test_a_duplicate_key_deep_inside_corrupts_the_source(run: RunDir):
    text = json.dumps(run.health).replace('"active": false', '"active": false, "active": true', 1)
    run.raw[HEALTH] = text.encode()
    problem = load_run_sources(run.build()).health.problem
    assert (problem.kind, problem.field) == (ProblemKind.DUPLICATE_KEY, "conditions[0].active")


def test_a_duplicate_key_with_the_same_value_still_corrupts(run: RunDir):
    text = json.dumps(run.divergence)
    run.raw[DIVERGENCE] = (text[:-1] + ', "level": "none"}').encode()
    (reason,) = run_check(run.build()).reasons("DIVERGENCE_CORRUPT")
    assert reason["value"] == "level"


def test_a_duplicate_key_in_the_manifest_is_manifest_corrupt(run: RunDir, tmp_path: Path):
    text = (RunDir(tmp_path / "template").build() / MANIFEST).read_text()
    run.raw[MANIFEST] = text.replace('"as_of":', '"as_of": "2024-10-09", "as_of":', 1).encode()
    (reason,) = run_check(run.build()).reasons("MANIFEST_CORRUPT")
    assert reason["field"] == "as_of"


def test_an_empty_outputs_list_fails_instead_of_verifying_vacuously(run: RunDir):
    run.branch_files = {}
    run.manifest["outputs"] = []
    checked = run_check(run.build())
    (reason,) = checked.reasons("NO_OUTPUTS")
    assert (reason["status"], reason["value"], reason["threshold"]) == ("FAIL", 0, 1)
    assert checked.reasons("OUTPUTS_VERIFIED") == []
    assert checked.verdict == "ROLLBACK_REVIEW_REQUIRED"


def test_an_empty_string_run_dir_is_a_usage_error(run: RunDir, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(run.build())  # a healthy run in the current directory is not a licence
    code, stderr = run_cli("check", "", "--as-of", "2024-10-08")
    assert code == 2 and "empty string" in stderr
    with pytest.raises(RunDirError, match="empty string"):
        evaluate_run("", as_of=AS_OF)
