"""The one reader of files governance did not write: regular files only, bounded,
never blocking, confined to RUN_DIR when asked (``dragon_governance.regular_file``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dragon_governance.regular_file import (
    Refusal,
    RefusalKind,
    describe_size,
    read_bytes,
    sha256_of,
)
from tests.governance.builders import sha256
from tests.governance.hostile import deadline


def _refusal(path: Path | str, **kwargs) -> Refusal:
    with deadline(5), pytest.raises(Refusal) as refused:
        read_bytes(path, limit=kwargs.pop("limit", 1000), **kwargs)
    return refused.value


def test_a_regular_file_is_read_whole_and_hashed(tmp_path: Path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 1000)
    assert read_bytes(path, limit=1000) == b"x" * 1000
    assert sha256_of(path, limit=1000) == sha256(b"x" * 1000)


def test_one_byte_over_the_limit_is_too_large_and_says_so(tmp_path: Path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 1001)
    refused = _refusal(path)
    assert (refused.kind, refused.size) == (RefusalKind.TOO_LARGE, 1001)
    assert refused.detail == "is larger than 1,000 bytes (1,001 bytes)"


def test_a_fifo_is_refused_without_blocking(tmp_path: Path):
    os.mkfifo(tmp_path / "pipe")
    refused = _refusal(tmp_path / "pipe")
    assert (refused.kind, refused.detail) == (
        RefusalKind.NOT_REGULAR,
        "is a FIFO, not a regular file",
    )


def test_a_character_device_is_refused_by_what_it_is():
    refused = _refusal("/dev/zero")
    assert refused.detail == "is a character device, not a regular file"


def test_a_directory_and_a_missing_file_are_told_apart(tmp_path: Path):
    assert _refusal(tmp_path).kind is RefusalKind.DIRECTORY
    missing = _refusal(tmp_path / "nothing")
    assert (missing.kind, missing.reason) == (RefusalKind.MISSING, "No such file or directory")


def test_confinement_refuses_a_symlink_out_and_follows_one_that_stays(tmp_path: Path):
    root = tmp_path / "run"
    root.mkdir()
    (tmp_path / "outside.txt").write_bytes(b"secret")
    (root / "inside.txt").write_bytes(b"mine")
    (root / "out").symlink_to(tmp_path / "outside.txt")
    (root / "in").symlink_to("inside.txt")
    refused = _refusal(root / "out", confine_to=root)
    assert (refused.kind, refused.target) == (RefusalKind.OUTSIDE, str(tmp_path / "outside.txt"))
    assert read_bytes(root / "in", limit=100, confine_to=root) == b"mine"


def test_a_nul_byte_in_the_path_is_unreadable_not_a_crash(tmp_path: Path):
    refused = _refusal(tmp_path / "a\x00b", confine_to=tmp_path)
    assert refused.kind is RefusalKind.UNREADABLE


def test_sizes_are_described_in_mib_when_whole():
    assert (describe_size(16 * 2**20), describe_size(1000)) == ("16 MiB", "1,000 bytes")
