"""User errors of dragon-governance: values with a message and an exit code.

Problems *inside* a run directory are never exceptions: they become gate reasons.
These errors are for what the user asked for directly (a policy file, a ledger,
a decision file, a run directory that does not exist) and map to CLI exit codes.
"""

from __future__ import annotations

#: CLI exit codes (docs/cli.md, "Exit codes"). 0/10/20 come from the decision itself.
EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INTEGRITY = 3
EXIT_INTERRUPTED = 130
"""Ctrl-C (128 + SIGINT)."""
EXIT_BROKEN_PIPE = 141
"""stdout was closed early (``… | head``): 128 + SIGPIPE, the status a shell reports
for coreutils ended the same way; nothing more is printed."""


class GovernanceUserError(Exception):
    """An error the user can fix; the CLI prints ``error: <message>`` and exits ``exit_code``."""

    exit_code: int = EXIT_USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RunDirError(GovernanceUserError):
    """RUN_DIR does not exist or is not a directory (a usage error, exit 2)."""


class PolicyError(GovernanceUserError):
    """A policy file is missing, not TOML, or breaks a rule (exit 2)."""


class IntegrityError(GovernanceUserError):
    """A ledger or decision file fails its hash check (exit 3)."""

    exit_code = EXIT_INTEGRITY
