"""Symlinks out of the run directory (issue 9, class 3): governance never reads outside.

G1 used to hash a listed output through an in-directory symlink — it recorded
``/etc/passwd``'s sha256 and, with that sha256 in the manifest, returned PROCEED on an
"output" that was not the run's. Every path governance reads is now resolved and must
lie inside RUN_DIR: a symlink leaving it is a FAIL naming where it leads, and nothing
outside is opened. A symlink that stays inside RUN_DIR (to a regular file) is
allowed: it resolves to a file the run holds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.governance.builders import CANDIDATE, HEALTH, MANIFEST, RunDir, sha256
from tests.governance.hostile import run_check

SECRET = b"root:x:0:0:root:/root:/bin/bash\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file next to (not inside) the run directory."""
    path = tmp_path / "elsewhere" / "passwd"
    path.parent.mkdir()
    path.write_bytes(SECRET)
    return path


def _with_linked_output(run: RunDir, relative: str, recorded: bytes, link_to: Path) -> Path:
    run.branch_files = {f"{CANDIDATE}/summary.json": b"{}"}
    run.manifest["outputs"] = [
        {"path": f"{CANDIDATE}/summary.json", "sha256": sha256(b"{}")},
        {"path": relative, "sha256": sha256(recorded)},
    ]
    root = run.build()
    link = root / relative
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(link_to)
    return root


def test_an_output_symlinked_outside_with_its_sha256_recorded_never_proceeds(
    run: RunDir, outside: Path
):
    root = _with_linked_output(run, f"{CANDIDATE}/equity.csv", SECRET, outside)
    checked = run_check(root)
    (reason,) = checked.reasons("OUTPUT_HASH_MISMATCH")
    assert reason["field"] == f"outputs[{CANDIDATE}/equity.csv].sha256"
    assert "resolves outside the run directory" in reason["message"]
    assert str(outside) in reason["message"]
    assert reason["value"] is None  # the outside file's sha256 is never taken
    assert checked.verdict == "ROLLBACK_REVIEW_REQUIRED"


def test_a_branch_directory_replaced_by_a_symlink_outside_is_refused(run: RunDir, tmp_path: Path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "equity.csv").write_bytes(b"x")
    run.branch_files = {"branches/keep.txt": b"k"}
    run.manifest["outputs"] = [
        {"path": "branches/keep.txt", "sha256": sha256(b"k")},
        {"path": f"branches/{CANDIDATE}/equity.csv", "sha256": sha256(b"x")},
    ]
    root = run.build()
    (root / "branches" / CANDIDATE).symlink_to(foreign, target_is_directory=True)
    (reason,) = run_check(root).reasons("OUTPUT_HASH_MISMATCH")
    assert str(foreign / "equity.csv") in reason["message"]


def test_a_source_symlinked_outside_is_corrupt_naming_where_it_leads(run: RunDir, outside: Path):
    run.omitted.add(HEALTH)
    root = run.build()
    (root / HEALTH).symlink_to(outside)
    checked = run_check(root)
    (reason,) = checked.reasons("HEALTH_CORRUPT")
    assert reason["value"] == str(outside)
    health_input = next(i for i in checked.decision["inputs"] if i["path"] == HEALTH)
    assert (health_input["present"], health_input["sha256"]) == (True, None)


def test_a_relative_symlink_climbing_out_of_the_run_is_refused(run: RunDir, outside: Path):
    root = _with_linked_output(
        run, f"{CANDIDATE}/equity.csv", SECRET, Path("../../elsewhere/passwd")
    )
    assert (root / CANDIDATE / "equity.csv").read_bytes() == SECRET  # the link does lead there
    (reason,) = run_check(root).reasons("OUTPUT_HASH_MISMATCH")
    assert "resolves outside the run directory" in reason["message"]


def test_a_symlink_that_stays_inside_the_run_is_followed(run: RunDir):
    data = b"session,equity\n2024-10-08,1\n"
    run.branch_files = {f"{CANDIDATE}/equity.csv": data}
    run.manifest["outputs"] = [
        {"path": f"{CANDIDATE}/equity.csv", "sha256": sha256(data)},
        {"path": f"{CANDIDATE}/equity-latest.csv", "sha256": sha256(data)},
    ]
    root = run.build()
    (root / CANDIDATE / "equity-latest.csv").symlink_to("equity.csv")
    checked = run_check(root)
    assert checked.reasons("OUTPUT_HASH_MISMATCH") == []
    assert checked.verdict == "PROCEED"


def test_a_run_directory_reached_through_a_symlink_is_checked_normally(run: RunDir, tmp_path: Path):
    root = run.build()
    alias = tmp_path / "latest"
    alias.symlink_to(root, target_is_directory=True)
    assert run_check(alias).verdict == "PROCEED"


def test_a_symlink_loop_is_refused_not_followed(run: RunDir):
    run.omitted.add(HEALTH)
    root = run.build()
    (root / HEALTH).symlink_to(HEALTH)
    (reason,) = run_check(root).reasons("HEALTH_CORRUPT")
    assert "loop" in reason["message"]


def test_the_manifest_itself_symlinked_outside_is_manifest_corrupt(run: RunDir, tmp_path: Path):
    template = run.build()
    moved = tmp_path / "manifest-elsewhere.json"
    (template / MANIFEST).rename(moved)
    (template / MANIFEST).symlink_to(moved)
    checked = run_check(template)
    assert [r["value"] for r in checked.reasons("MANIFEST_CORRUPT")] == [str(moved)]
    assert checked.decision["candidate_branch"] is None
