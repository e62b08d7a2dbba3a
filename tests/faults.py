"""Injected storage faults: a full disk, read-only storage, a denied write, an I/O error.

Mounting a tmpfs needs privileges CI does not have, and root ignores permission bits,
so the suite makes the system calls fail the way the storage would, for paths under
one directory only:

- ``ENOSPC`` (full disk) and ``EIO`` (I/O error) surface when written data reaches
  the disk: ``os.fsync`` of a file under the directory fails;
- ``EROFS`` (read-only storage) and ``EACCES`` (permission denied) surface when a file
  or directory is created: ``os.open`` with ``O_CREAT`` and ``os.mkdir`` of a new
  directory fail, and so do ``os.replace``, ``os.rename`` and ``os.unlink`` there.

``after`` lets that many faultable writes (fsyncs, resp. file creations) through
first, so a test can fail the first, a middle or the last file a command writes.
Every writer in the three distributions goes through these calls (``tempfile.mkstemp``
uses ``os.open``; dragon-runtime's ``atomic_write`` and dragon-governance's
``write_atomic`` fsync), so the code under test is unchanged. Linux only: an fsync's
path is read from ``/proc/self/fd``.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

FAULTS = {
    "ENOSPC": errno.ENOSPC,
    "EROFS": errno.EROFS,
    "EACCES": errno.EACCES,
    "EIO": errno.EIO,
}
"""The storage failures a command must answer with exit 2 and ``cannot write PATH: ...``."""

_AT_FSYNC = {errno.ENOSPC, errno.EIO}


def reason(fault: str) -> str:
    """The system's words for ``fault`` (``No space left on device``)."""
    return os.strerror(FAULTS[fault])


def _under(path: object, root: Path, dir_fd: int | None = None) -> bool:
    """Whether ``path`` (relative to ``dir_fd`` when given) lies under ``root``."""
    try:
        name = Path(os.fsdecode(path))  # type: ignore[arg-type]
        if dir_fd is not None:
            name = Path(os.readlink(f"/proc/self/fd/{dir_fd}")) / name
        return name.resolve().is_relative_to(root)
    except (TypeError, ValueError, OSError):
        return False


def inject(monkeypatch: pytest.MonkeyPatch, fault: str, root: Path, *, after: int = 0) -> None:
    """Make writes under ``root`` fail with ``fault`` (see the module docstring).

    The first ``after`` faultable writes succeed; the next one fails, and for EROFS and
    EACCES the directory stays unwritable from then on (like storage remounted
    read-only mid-run): renames, removals and new directories there fail too. With
    ``after=0`` they fail from the start.
    """
    code = FAULTS[fault]
    root = Path(root).resolve()
    state = {"left": after, "tripped": after == 0 and code not in _AT_FSYNC}

    def failure(path: object) -> OSError:
        return OSError(code, os.strerror(code), os.fsdecode(path))  # type: ignore[arg-type]

    def counted(path: object) -> None:
        if state["tripped"] or state["left"] == 0:
            state["tripped"] = True
            raise failure(path)
        state["left"] -= 1

    if code in _AT_FSYNC:
        real_fsync = os.fsync

        def fsync(fd: int) -> None:
            target = os.readlink(f"/proc/self/fd/{fd}")
            if _under(target, root):
                counted(target)
            real_fsync(fd)

        monkeypatch.setattr(os, "fsync", fsync)
        return

    real_open, real_mkdir = os.open, os.mkdir

    def open_(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if flags & os.O_CREAT and _under(path, root):
            counted(path)
        return real_open(path, flags, *args, **kwargs)

    def mkdir(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if state["tripped"] and _under(path, root) and not os.path.lexists(path):
            raise failure(path)
        return real_mkdir(path, *args, **kwargs)

    def refuse(real):  # type: ignore[no-untyped-def]
        def call(src, *args, **kwargs):  # type: ignore[no-untyped-def]
            if state["tripped"] and _under(src, root, kwargs.get("dir_fd")):
                raise failure(src)
            return real(src, *args, **kwargs)

        return call

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "mkdir", mkdir)
    for name in ("replace", "rename", "unlink", "rmdir"):
        monkeypatch.setattr(os, name, refuse(getattr(os, name)))
