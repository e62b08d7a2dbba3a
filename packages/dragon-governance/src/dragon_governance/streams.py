"""Writing results to stdout so that a closed pipe is always noticed.

With an unbuffered stream (``PYTHONUNBUFFERED``) one large write into a pipe whose
reader has gone (``… | head``) returns short and Python silently drops the rest;
written in pieces, the next piece fails with ``BrokenPipeError``, which
:func:`dragon_governance.cli.main` turns into a quiet exit 141. Standard library
only, so the ``--json`` paths never load rich. (``dragon_compat.streams`` is the
same for the ``dragon`` CLI; governance imports neither compat nor runtime.)
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["WRITE_CHUNK", "StdStream", "write_stdout", "write_stdout_bytes"]

WRITE_CHUNK = 4096
"""Characters (or bytes) per write."""


class StdStream:
    """``sys.stdout`` (or ``sys.stderr``) as it is at each write, written in pieces
    of :data:`WRITE_CHUNK`; every other attribute is the stream's."""

    def __init__(self, name: str) -> None:
        self._name = name

    @property
    def stream(self) -> Any:
        return getattr(sys, self._name)

    def write(self, text: str) -> int:
        stream = self.stream
        for start in range(0, len(text), WRITE_CHUNK):
            stream.write(text[start : start + WRITE_CHUNK])
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def write_stdout(text: str) -> None:
    """Write ``text`` to stdout in pieces and flush."""
    out = StdStream("stdout")
    out.write(text)
    out.flush()


def write_stdout_bytes(data: bytes) -> None:
    """Write ``data`` to stdout's binary buffer in pieces and flush (after anything
    already written as text)."""
    sys.stdout.flush()
    buffer = sys.stdout.buffer
    for start in range(0, len(data), WRITE_CHUNK):
        buffer.write(data[start : start + WRITE_CHUNK])
    buffer.flush()
