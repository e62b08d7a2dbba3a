"""Logging of the ``dragon`` CLI: one setup function, stderr only, three levels.

Results go to stdout (tables, ``--format``, ``--json``); everything else a command
says goes through the ``dragon_compat`` logger to stderr:

- ``-q/--quiet``: errors only;
- default: notes (INFO) — what was written where, lines that accompany a table
  printed as ``--format tsv|md`` or ``--json``;
- ``-v/--verbose``: also each step with its duration (DEBUG), prefixed with the
  seconds since the process started.

Standard library only (imported for ``dragon --help``).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = [
    "LOGGER_NAME",
    "QUIET",
    "VERBOSE",
    "configure_logging",
    "logger",
    "step",
    "verbosity",
]

LOGGER_NAME = "dragon_compat"
QUIET, NORMAL, VERBOSE = -1, 0, 1
_LEVELS = {QUIET: logging.ERROR, NORMAL: logging.INFO, VERBOSE: logging.DEBUG}


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is when a record is emitted (tests swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


class _Formatter(logging.Formatter):
    """``error: …``, ``warning: …``, a plain note, or ``[  1.234s] …`` for a step."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.ERROR:
            return f"error: {message}"
        if record.levelno >= logging.WARNING:
            return f"warning: {message}"
        if record.levelno < logging.INFO:
            return f"[{record.relativeCreated / 1000:7.3f}s] {message}"
        return message


def configure_logging(level: int = NORMAL) -> None:
    """Set the CLI's verbosity (:data:`QUIET`, ``NORMAL`` = 0 or :data:`VERBOSE`);
    calling it again replaces the previous setting."""
    log = logging.getLogger(LOGGER_NAME)
    for handler in [h for h in log.handlers if isinstance(h, _StderrHandler)]:
        log.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(_Formatter())
    log.addHandler(handler)
    log.setLevel(_LEVELS[max(QUIET, min(VERBOSE, level))])
    log.propagate = False


def logger() -> logging.Logger:
    """The CLI's logger (children ``dragon_compat.<module>`` report through it)."""
    return logging.getLogger(LOGGER_NAME)


def verbosity() -> int:
    """The level in force: :data:`QUIET`, 0 or :data:`VERBOSE`."""
    level = logger().getEffectiveLevel()
    return QUIET if level > logging.INFO else VERBOSE if level < logging.INFO else NORMAL


@contextmanager
def step(label: str) -> Iterator[None]:
    """Log ``label`` with its wall time at DEBUG (``-v``) when the block ends."""
    started = time.perf_counter()
    try:
        yield
    finally:
        logger().debug("%s: %.3f s", label, time.perf_counter() - started)
