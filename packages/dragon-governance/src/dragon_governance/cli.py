"""The ``dragon-governance`` console script.

Each subcommand lives in ``dragon_governance.commands.<name>`` (``verify-ledger`` in
``verify_ledger``) and exposes ``configure(parser)`` and ``run(args) -> int``, the
shape of the ``dragon`` script's commands; the arguments several commands take are
defined once in :mod:`dragon_governance.commands.args`. Command modules import only
the standard library at module level, so ``--help`` stays fast; pydantic, rich and
(only when the session cache is cold) exchange_calendars load inside ``run``.

Exit codes: 0 PROCEED, 10 HOLD, 20 ROLLBACK_REVIEW_REQUIRED (``--exit-zero`` maps 10
and 20 to 0), 2 usage error or unreadable/invalid policy, 3 broken ledger or edited
decision file, 1 internal error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from dragon_governance.__about__ import __version__
from dragon_governance.errors import EXIT_INTERNAL, GovernanceUserError

#: subcommand name -> one-line help. Order is the order shown by ``--help``.
COMMANDS: dict[str, str] = {
    "check": "evaluate the gates over RUN_DIR and write rollout_decision.json",
    "explain": "show a decision file (verifying its decision_id)",
    "history": "list the decisions in a ledger",
    "verify-ledger": "verify a ledger's hash chain (exit 3 naming the first broken line)",
    "schema": "print the JSON Schema of a file (or the reason catalogue)",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dragon-governance",
        description=(
            "Deterministic rollout gates over a Dragon daily run: one explicit, explainable "
            "decision (PROCEED, HOLD, ROLLBACK_REVIEW_REQUIRED)."
        ),
        epilog=(
            "exit codes: 0 PROCEED, 10 HOLD, 20 ROLLBACK_REVIEW_REQUIRED, 2 usage or bad "
            "policy, 3 broken ledger or edited decision, 1 internal error"
        ),
    )
    parser.add_argument("--version", action="version", version=f"dragon-governance {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f"dragon_governance.commands.{name.replace('-', '_')}")
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        module.configure(command_parser)
        command_parser.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (never raises for user errors).

    The process skips pydantic's plugin discovery (``PYDANTIC_DISABLE_PLUGINS``,
    unless the caller set it): scanning every installed distribution's entry points
    costs more start-up time than the whole check, and no plugin changes a decision.
    """
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    args = build_parser().parse_args(argv)
    try:
        return int(args._run(args))
    except GovernanceUserError as err:
        print(f"error: {err.message}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # an internal error: say so, keep the traceback for bug reports
        import traceback

        traceback.print_exc()
        print(f"dragon-governance: internal error: {err}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
