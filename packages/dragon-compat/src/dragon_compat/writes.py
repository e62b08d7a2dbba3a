"""How every ``dragon`` command writes files: whole or not at all, and a failed write is
a user error.

- :func:`write_file` writes one file atomically (dragon-runtime's ``atomic_write``:
  a temp file beside the target, fsync, ``os.replace``).
- :class:`StagedFiles` writes several files all or nothing: each is first written in
  full to a temp file beside its target (*staged*); only when every one is staged are
  they moved into place (*commit*, renames only — no data is written then). A failure
  while staging — a full disk, an I/O error — leaves every target as it was.
- :func:`make_dirs` creates a directory and its parents.
- :func:`cannot_write` is the one error of them all: any ``OSError`` while writing
  (ENOSPC, EROFS, EACCES, EIO, EDQUOT, ...) becomes a :class:`DragonUserError` (exit 2)
  with the message ``cannot write PATH: REASON``, PATH being the file the command
  meant to write (not its temp file) and REASON the system's words for the errno.

Temp files are named with dragon-runtime's ``ATOMIC_TEMP_PREFIX`` (``.dragon-tmp-``).
Only a killed process leaves one behind; :func:`is_temp_file` recognises it and
:func:`sweep_temp_files` removes every one below a directory the caller owns (the
daily pipeline does so on the next run of the same directory).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Self

from dragon_compat.errors import DragonUserError
from dragon_runtime import ATOMIC_TEMP_PREFIX, atomic_write

__all__ = [
    "TEMP_PREFIX",
    "StagedFiles",
    "cannot_write",
    "is_temp_file",
    "make_dirs",
    "remove_file",
    "sweep_temp_files",
    "write_file",
    "write_files",
    "writing",
]

TEMP_PREFIX = ATOMIC_TEMP_PREFIX
"""How the name of every temp file a Dragon write creates begins (``.dragon-tmp-``)."""
_STAGED_SUFFIX = "-staged"


def cannot_write(path: Path, err: OSError) -> DragonUserError:
    """The user error for ``err`` raised while writing ``path``: ``cannot write PATH:
    REASON`` (REASON: the errno's text, e.g. ``No space left on device``), exit 2."""
    return DragonUserError(f"cannot write {path}: {err.strerror or err}")


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn any ``OSError`` raised inside the block into :func:`cannot_write` for ``path``
    (for writers that are not :func:`write_file`: pyarrow, ``shutil``)."""
    try:
        yield
    except OSError as err:
        raise cannot_write(path, err) from None


def write_file(path: Path, data: bytes | str) -> str:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; return its sha256.

    On failure ``path`` keeps its previous content (or stays absent), no temp file
    remains, and the error is :func:`cannot_write`. The directory must exist.
    """
    with writing(path):
        return atomic_write(path, data)


def write_files(folder: Path, files: Mapping[str, bytes | str]) -> dict[str, str]:
    """Write ``{name: data}`` into ``folder`` (created if needed) all or nothing
    (:class:`StagedFiles`, in ``files`` order); return ``{name: sha256}``."""
    make_dirs(folder)
    with StagedFiles() as staged:
        hashes = {name: staged.stage(folder / name, data) for name, data in files.items()}
        staged.commit()
    return hashes


def make_dirs(path: Path) -> Path:
    """Create the directory ``path`` and its parents (nothing when it exists); return it.

    A ``path`` that exists and is not a directory is a :class:`DragonUserError`; any
    other failure is :func:`cannot_write`.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise DragonUserError(f"{path}: exists and is not a directory") from None
    except OSError as err:
        raise cannot_write(path, err) from None
    return path


def remove_file(path: Path) -> None:
    """Remove the file ``path`` if it exists; a failure is :func:`cannot_write`."""
    with writing(path):
        path.unlink(missing_ok=True)


class StagedFiles:
    """Files written all or nothing: :meth:`stage` each, then :meth:`commit` them.

    ``stage(path, data)`` writes ``data`` in full (fsynced) to
    ``.dragon-tmp-<name>-staged`` beside ``path`` and returns its sha256; ``path`` is
    untouched. ``commit()`` moves every staged file onto its target with
    ``os.replace``, in staging order — stage the file that must appear last (a
    manifest) last. Used as a context manager, leaving the block without a commit
    (an exception) removes every staged file, so the targets keep their previous
    content. Not for concurrent use on the same targets.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []
        self._committed = False

    def stage(self, path: Path, data: bytes | str) -> str:
        """Write ``data`` to ``path``'s staging file; its sha256. Errors name ``path``."""
        staged = path.with_name(f"{TEMP_PREFIX}{path.name}{_STAGED_SUFFIX}")
        with writing(path):
            digest = atomic_write(staged, data)
        self._staged.append((staged, path))
        return digest

    @property
    def targets(self) -> tuple[Path, ...]:
        """The targets staged so far, in staging order."""
        return tuple(target for _, target in self._staged)

    def commit(self) -> None:
        """Move every staged file onto its target, in staging order."""
        for staged, target in self._staged:
            with writing(target):
                os.replace(staged, target)
        self._committed = True

    def discard(self) -> None:
        """Remove every staged file not yet moved into place (targets untouched)."""
        for staged, _ in self._staged:
            with contextlib.suppress(OSError):  # best effort: the next run sweeps it
                staged.unlink(missing_ok=True)
        self._staged.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if not self._committed:
            self.discard()


def is_temp_file(entry: os.DirEntry[str]) -> bool:
    """Whether ``entry`` is a Dragon temp file (its name starts with :data:`TEMP_PREFIX`;
    never a directory)."""
    return entry.name.startswith(TEMP_PREFIX) and not entry.is_dir(follow_symlinks=False)


def sweep_temp_files(root: Path) -> tuple[Path, ...]:
    """Remove every Dragon temp file in ``root`` and below (symbolic links to directories
    are not followed); return the paths removed, sorted. A failure is :func:`cannot_write`.

    Only for a directory the caller owns while no write of its own is in progress: a
    temp file there can only be the litter of a killed write.
    """
    removed: list[Path] = []
    for folder, _dirs, _files in os.walk(root):
        with os.scandir(folder) as entries:
            litter = [Path(entry.path) for entry in entries if is_temp_file(entry)]
        for path in litter:
            remove_file(path)
        removed.extend(litter)
    return tuple(sorted(removed))
