"""Atomic file replacement: readers see the old file or the new one, never a part."""

from __future__ import annotations

import contextlib
import os
import stat
import threading
import time
from pathlib import Path


def _temp_name(path: Path) -> Path:
    unique = f"{os.getpid()}.{threading.get_ident()}.{time.monotonic_ns()}"
    return path.with_name(f".{path.name}.{unique}.tmp")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file in the same directory, fsync, ``os.replace``.

    The parent directory must exist. The file keeps the mode of the file it replaces
    (a new file gets 0o666 minus the umask). On any error the temp file is removed
    and the previous content of ``path`` (if any) is untouched.
    """
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    tmp = _temp_name(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
