"""Helpers of the reliability suite: ``check`` run in this process under a deadline.

A hostile run directory must never hang, crash or silently pass. ``run_check`` runs
``dragon-governance check RUN_DIR --as-of 2024-10-08 --json --out FILE`` through
``cli.main`` (the console script's code) with a SIGALRM deadline — a read that blocks
on a FIFO, or a hash that never ends on ``/dev/zero``, raises ``TimeoutError`` and
fails the test instead of hanging the suite — and returns the exit code, the decision
written (or None) and stderr (where an internal error would print its traceback).
"""

from __future__ import annotations

import contextlib
import io
import json
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dragon_governance import cli

#: Far above what any of these checks needs (~0.05 s), far below "forever".
DEADLINE_SECONDS = 10.0


@contextlib.contextmanager
def deadline(seconds: float = DEADLINE_SECONDS) -> Iterator[None]:
    """Raise ``TimeoutError`` in the block if it runs longer than ``seconds``."""

    def _expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s (a blocking or endless read?)")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Checked:
    """What one ``check`` did: exit code, the decision file's JSON (None: not written)."""

    code: int
    decision: dict[str, Any] | None
    stderr: str

    def reasons(self, code: str) -> list[dict[str, Any]]:
        """Every reason with ``code``, across the gates."""
        assert self.decision is not None, f"no decision written (exit {self.code}): {self.stderr}"
        return [r for g in self.decision["gates"] for r in g["reasons"] if r["code"] == code]

    @property
    def verdict(self) -> str:
        assert self.decision is not None, f"no decision written (exit {self.code}): {self.stderr}"
        return str(self.decision["decision"])


def run_check(
    root: Path, *extra: str, as_of: str = "2024-10-08", out: Path | None = None
) -> Checked:
    """``check`` over ``root`` in this process (see the module docstring)."""
    target = out if out is not None else root.parent / f"{root.name}.decision.json"
    target.unlink(missing_ok=True)
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    stderr = io.StringIO()
    argv = ["check", str(root), "--as-of", as_of, "--json", "--out", str(target), *extra]
    with deadline(), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = cli.main(argv)
    decision = json.loads(target.read_bytes()) if target.exists() else None
    return Checked(code, decision, stderr.getvalue())


def run_cli(*argv: str) -> tuple[int, str]:
    """Any ``dragon-governance`` command in this process, under the deadline: (code, stderr)."""
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    stderr = io.StringIO()
    with deadline(), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = cli.main(list(argv))
    return code, stderr.getvalue()
