"""Reading a file governance did not write: regular files only, bounded, never blocking.

Every file governance reads — the sources and listed outputs of RUN_DIR, a policy,
a sessions file, a decision, the session cache — goes through :func:`read_bytes` or
:func:`sha256_of`. The contract:

1. **Resolution and confinement**: the path is resolved (``os.path.realpath``: every
   symlink followed). With ``confine_to`` (RUN_DIR) it must lie inside the resolved
   RUN_DIR, else ``Refusal(OUTSIDE)`` naming where it leads: nothing outside is ever
   opened, let alone hashed. A symlink that stays inside RUN_DIR is followed.
2. **Regular files only**: the resolved path is ``stat``-ed *before* it is opened, so a
   FIFO, a device or a socket is never opened; it is then opened ``O_RDONLY |
   O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC`` (each where the platform has it; a FIFO
   swapped in meanwhile cannot block the open) and ``fstat`` on the descriptor must
   again say "regular file" (``Refusal(NOT_REGULAR)`` "a FIFO", "a character device",
   ..., or ``DIRECTORY``).
3. **Bounded**: a file larger than ``limit`` bytes is ``Refusal(TOO_LARGE)`` before any
   read, and reads stop after ``limit + 1`` bytes (a file growing while read is caught).

The resolve-then-open sequence is not atomic: a run directory rewritten *while* it is
checked is not defended against (O_NOFOLLOW still refuses a final symlink swapped in).
Standard library only.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

_CHUNK = 1 << 20
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symlink"),
)


class RefusalKind(StrEnum):
    """Why a file was not read."""

    MISSING = "missing"
    DIRECTORY = "directory"
    NOT_REGULAR = "not_regular"
    TOO_LARGE = "too_large"
    OUTSIDE = "outside"
    UNREADABLE = "unreadable"


class Refusal(Exception):
    """A file that was not read: ``kind``, and ``detail`` completing "PATH ..." in words.

    ``target`` is where the path resolves (OUTSIDE), ``size`` its size (TOO_LARGE),
    ``reason`` the system's words (UNREADABLE, e.g. "Permission denied").
    """

    def __init__(
        self,
        kind: RefusalKind,
        detail: str,
        *,
        target: str | None = None,
        size: int | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.target = target
        self.size = size
        self.reason = reason


def describe_size(limit: int) -> str:
    """``16 MiB`` for 16 * 2**20, ``1,000 bytes`` for what is not a whole MiB."""
    if limit % (1 << 20) == 0:
        return f"{limit >> 20} MiB"
    return f"{limit:,} bytes"


def describe_mode(mode: int) -> str:
    """What a ``st_mode`` that is not a regular file is, in words ("a FIFO", ...)."""
    if stat.S_ISDIR(mode):
        return "a directory"
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _check_mode(mode: int, size: int, limit: int) -> None:
    if stat.S_ISDIR(mode):
        raise Refusal(RefusalKind.DIRECTORY, "is a directory", reason="Is a directory")
    if not stat.S_ISREG(mode):
        raise Refusal(RefusalKind.NOT_REGULAR, f"is {describe_mode(mode)}, not a regular file")
    if size > limit:
        raise Refusal(
            RefusalKind.TOO_LARGE,
            f"is larger than {describe_size(limit)} ({size:,} bytes)",
            size=size,
        )


def _unusable(err: Exception) -> Refusal:
    return Refusal(
        RefusalKind.UNREADABLE, f"is not a usable path ({err})", reason=f"not a usable path ({err})"
    )


def _inside(root: str, real: str) -> bool:
    try:
        return os.path.commonpath([root, real]) == root
    except ValueError:  # different drives (Windows)
        return False


def _resolve(path: Path, confine_to: Path | None) -> str:
    """The resolved path to open, checked to lie inside ``confine_to`` when given."""
    try:
        real = os.path.realpath(path)
        root = os.path.realpath(confine_to) if confine_to is not None else None
    except (OSError, ValueError) as err:
        raise _unusable(err) from None
    if root is not None and not _inside(root, real):
        raise Refusal(
            RefusalKind.OUTSIDE,
            f"resolves outside the run directory, to {real} (a symlink leaving RUN_DIR "
            "is not followed)",
            target=real,
        )
    return real


def _os_refusal(err: OSError) -> Refusal:
    if err.errno == errno.ENOENT:
        return Refusal(RefusalKind.MISSING, "not found", reason=err.strerror)
    if err.errno == errno.ELOOP:
        return Refusal(RefusalKind.NOT_REGULAR, "is a symlink that does not resolve (a loop)")
    reason = err.strerror or str(err)
    return Refusal(RefusalKind.UNREADABLE, f"cannot be read ({reason})", reason=reason)


@contextlib.contextmanager
def _opened(path: Path, limit: int, confine_to: Path | None) -> Iterator[int]:
    target = _resolve(path, confine_to)
    try:
        info = os.stat(target)
        _check_mode(info.st_mode, info.st_size, limit)
        fd = os.open(target, _OPEN_FLAGS)
    except OSError as err:
        raise _os_refusal(err) from None
    except ValueError as err:  # e.g. an embedded NUL byte
        raise _unusable(err) from None
    try:
        info = os.fstat(fd)
        _check_mode(info.st_mode, info.st_size, limit)
        yield fd
    finally:
        os.close(fd)


def _chunks(fd: int, limit: int) -> Iterator[bytes]:
    """The file's bytes in chunks; ``Refusal(TOO_LARGE)`` once more than ``limit`` were read."""
    total = 0
    while True:
        try:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
        except OSError as err:
            raise _os_refusal(err) from None
        if not chunk:
            return
        total += len(chunk)
        if total > limit:
            raise Refusal(
                RefusalKind.TOO_LARGE, f"is larger than {describe_size(limit)} (it grew while read)"
            )
        yield chunk


def read_bytes(
    path: str | os.PathLike[str], *, limit: int, confine_to: Path | None = None
) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit``); ``Refusal`` otherwise."""
    with _opened(Path(path), limit, confine_to) as fd:
        return b"".join(_chunks(fd, limit))


def sha256_of(path: str | os.PathLike[str], *, limit: int, confine_to: Path | None = None) -> str:
    """Lower-case hex sha256 of the regular file ``path`` (at most ``limit`` bytes)."""
    digest = hashlib.sha256()
    with _opened(Path(path), limit, confine_to) as fd:
        for chunk in _chunks(fd, limit):
            digest.update(chunk)
    return digest.hexdigest()
