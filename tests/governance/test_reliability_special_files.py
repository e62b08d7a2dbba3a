"""Special and over-size files (issue 9, class 2): refused at once, never read.

A FIFO at a source path or a listed output used to block ``check`` forever, and a
source, an output or ``--policy`` reaching ``/dev/zero`` grew until MemoryError. Now
only regular files are read: anything else is ``*_CORRUPT`` (a source) or
``OUTPUT_HASH_MISMATCH`` (a listed output) naming what was found, an over-size file
is refused by its size before a byte is read, and a bad ``--policy`` exits 2
quickly. Every check here runs under a deadline (``hostile.deadline``).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from dragon_governance.sources import load_run_sources
from dragon_governance.sources.registry import JSON_MAX_BYTES
from tests.governance.builders import (
    DIVERGENCE,
    HEALTH,
    HISTORY,
    MANIFEST,
    REFINED_CONTROL,
    RunDir,
    sha256,
)
from tests.governance.hostile import run_check, run_cli

CORRUPT = {
    MANIFEST: "MANIFEST_CORRUPT",
    HEALTH: "HEALTH_CORRUPT",
    HISTORY: "HISTORY_CORRUPT",
    DIVERGENCE: "DIVERGENCE_CORRUPT",
    REFINED_CONTROL: "REFINED_CONTROL_CORRUPT",
}


def _replace_source(run: RunDir, name: str, make) -> Path:
    """Build ``run`` without ``name``, then let ``make(path)`` put something there."""
    run.omitted.add(name)
    root = run.build()
    make(root / name)
    return root


@pytest.mark.parametrize("name", sorted(CORRUPT))
def test_a_fifo_at_a_source_path_is_corrupt_and_does_not_block(run: RunDir, name: str):
    root = _replace_source(run, name, os.mkfifo)
    checked = run_check(root)
    (reason,) = checked.reasons(CORRUPT[name])
    assert "is a FIFO, not a regular file" in reason["message"]
    assert checked.verdict == "ROLLBACK_REVIEW_REQUIRED"


def test_a_fifo_listed_as_an_output_is_a_hash_mismatch_and_does_not_block(run: RunDir):
    run.branch_files = {}
    run.manifest["outputs"] = [{"path": "alpha_first/events.csv", "sha256": sha256(b"")}]
    root = run.build()
    (root / "alpha_first").mkdir()
    os.mkfifo(root / "alpha_first" / "events.csv")
    checked = run_check(root)
    (reason,) = checked.reasons("OUTPUT_HASH_MISMATCH")
    assert "is a FIFO, not a regular file" in reason["message"]
    assert reason["value"] is None


def test_a_socket_at_a_source_path_is_refused(run: RunDir, monkeypatch: pytest.MonkeyPatch):
    run.omitted.add(DIVERGENCE)
    root = run.build()
    monkeypatch.chdir(root)  # a relative bind: socket paths are limited to ~100 bytes
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(DIVERGENCE)
        checked = run_check(root)
    finally:
        server.close()
    (reason,) = checked.reasons("DIVERGENCE_CORRUPT")
    assert "is a socket, not a regular file" in reason["message"]


@pytest.mark.parametrize("name", [HEALTH, MANIFEST])
def test_a_source_symlinked_to_dev_zero_is_refused_without_reading(run: RunDir, name: str):
    root = _replace_source(run, name, lambda path: path.symlink_to("/dev/zero"))
    checked = run_check(root)
    (reason,) = checked.reasons(CORRUPT[name])
    assert reason["value"] == "/dev/zero"
    assert checked.verdict == "ROLLBACK_REVIEW_REQUIRED"


def test_an_output_symlinked_to_dev_zero_is_never_hashed(run: RunDir):
    run.branch_files = {}
    run.manifest["outputs"] = [{"path": "alpha_first/equity.csv", "sha256": sha256(b"")}]
    root = run.build()
    (root / "alpha_first").mkdir()
    (root / "alpha_first" / "equity.csv").symlink_to("/dev/zero")
    (reason,) = run_check(root).reasons("OUTPUT_HASH_MISMATCH")
    assert "/dev/zero" in reason["message"] and reason["value"] is None


def test_an_over_size_source_is_refused_by_its_size_and_one_at_the_cap_is_read(run: RunDir):
    run.divergence["notes"] = ""
    size = (run.build() / DIVERGENCE).stat().st_size
    run.divergence["notes"] = "x" * (JSON_MAX_BYTES - size)
    assert load_run_sources(at_cap := run.build()).divergence.ok
    assert (at_cap / DIVERGENCE).stat().st_size == JSON_MAX_BYTES
    run.divergence["notes"] += "x"
    checked = run_check(run.build())
    (reason,) = checked.reasons("DIVERGENCE_CORRUPT")
    assert "larger than 16 MiB" in reason["message"]
    assert reason["value"] == JSON_MAX_BYTES + 1


def test_a_sparse_gigabyte_source_is_refused_without_reading(run: RunDir):
    run.omitted.add(HEALTH)
    root = run.build()
    with (root / HEALTH).open("wb") as handle:
        handle.truncate(2**30)
    (reason,) = run_check(root).reasons("HEALTH_CORRUPT")
    assert "larger than 16 MiB (1,073,741,824 bytes)" in reason["message"]


@pytest.mark.parametrize("kind", ["fifo", "dev_zero"])
def test_a_policy_that_is_not_a_regular_file_exits_2_naming_it(
    run: RunDir, tmp_path: Path, kind: str
):
    policy = tmp_path / "policy.toml"
    if kind == "fifo":
        os.mkfifo(policy)
    else:
        policy.symlink_to("/dev/zero")
    code, stderr = run_cli(
        "check", str(run.build()), "--as-of", "2024-10-08", "--policy", str(policy)
    )
    assert code == 2
    assert f"cannot read policy {policy}" in stderr
    assert {"fifo": "a FIFO", "dev_zero": "a character device"}[kind] in stderr


def test_explain_refuses_a_fifo_instead_of_blocking(tmp_path: Path):
    decision = tmp_path / "rollout_decision.json"
    os.mkfifo(decision)
    code, stderr = run_cli("explain", str(decision))
    assert code == 2 and "is a FIFO" in stderr
