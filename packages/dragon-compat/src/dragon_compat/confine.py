"""Confinement: the paths a pipeline writes (or reads) below RUN_DIR stay inside it.

The rule, checked before a pipeline writes anything: **no symbolic link** among the
paths it writes, creates or reads below RUN_DIR — not a file, not a directory on the
way to one (``branches``, ``branches/<branch>``) — whether the link points outside
RUN_DIR or stays inside it. A run directory Dragon created never holds one, so a link
there was put there by someone else; following it could write outside the run (a
``branches`` link once made a re-run write sixteen files elsewhere) or let one run's
files stand in for another's. Refusing every link is simpler to state and to check
than deciding which ones stay inside. RUN_DIR itself, and the directories above it,
may be links: where the run lives is the operator's choice.

Besides links, a directory on the way that is not a directory and a file that exists
but is not a regular file (a FIFO, a device, a directory) are refused the same way:
:class:`DragonUserError`, exit 2, naming the path.

The check is made from the path's components with ``lstat`` (never following a
link). It guards against a directory prepared before the run; it is not a defence
against another process changing the directory while the run writes.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from dragon_compat.errors import DragonUserError

__all__ = ["check_run_paths"]


def _refuse_link(path: Path) -> DragonUserError:
    try:
        target = f" (to {os.readlink(path)})"
    except OSError:
        target = ""
    return DragonUserError(
        f"{path}: is a symbolic link{target}; a run directory holds none, so Dragon will "
        "not write through it — remove it, or choose another run directory"
    )


def _check_component(path: Path, *, last: bool) -> bool:
    """Check one component; False when it does not exist (nor anything below it)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return False
    except OSError as err:
        raise DragonUserError(f"{path}: cannot inspect ({err.strerror or err})") from None
    if stat.S_ISLNK(mode):
        raise _refuse_link(path)
    if not last and not stat.S_ISDIR(mode):
        raise DragonUserError(f"{path}: exists and is not a directory")
    if last and not stat.S_ISREG(mode):
        raise DragonUserError(f"{path}: exists and is not a regular file")
    return True


def check_run_paths(run_dir: Path, files: Iterable[str]) -> None:
    """Refuse (:class:`DragonUserError`) when a path on the way to any of ``files`` —
    run-relative POSIX paths of regular files — is a symbolic link, a directory on the
    way is not a directory, or the file exists and is not a regular file.

    Components that do not exist yet are fine (the pipeline creates them).
    """
    for relative in files:
        parts = PurePosixPath(relative).parts
        path = run_dir
        for index, part in enumerate(parts):
            path = path / part
            if not _check_component(path, last=index == len(parts) - 1):
                break
