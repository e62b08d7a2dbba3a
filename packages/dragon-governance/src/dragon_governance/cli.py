"""The ``dragon-governance`` console script.

Each subcommand lives in ``dragon_governance.commands.<name>`` (``verify-ledger`` in
``verify_ledger``) and exposes ``configure(parser)`` and ``run(args) -> int``, the
shape of the ``dragon`` script's commands; the arguments several commands take are
defined once in :mod:`dragon_governance.commands.args`. Command modules import only
the standard library at module level, so ``--help`` stays fast; pydantic, rich and
(only when the session cache is cold) exchange_calendars load inside ``run``.
``python -m dragon_governance`` is the same script.

What every command gets from here, without doing anything: ``-q``/``-v`` (on the
top-level parser and on every subcommand) with logging to stderr set up before
``run``; ``--version``; user errors as ``error: …`` with their exit code; a closed
stdout (``… | head``) as a quiet exit 141; Ctrl-C as 130; anything else as an
internal error, exit 1, with the traceback.

Exit codes: 0 PROCEED, 10 HOLD, 20 ROLLBACK_REVIEW_REQUIRED (``--exit-zero`` maps 10
and 20 to 0), 2 usage error or unreadable/invalid policy, 3 broken ledger or edited
decision file, 1 internal error, 130 interrupted, 141 stdout closed early.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from dragon_governance.commands.args import add_verbosity, verbosity_of
from dragon_governance.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    GovernanceUserError,
)
from dragon_governance.versions import VersionAction

#: subcommand name -> one-line help. Order is the order shown by ``--help``.
COMMANDS: dict[str, str] = {
    "check": "evaluate the gates over RUN_DIR and write rollout_decision.json",
    "explain": "show a decision file (verifying its decision_id)",
    "history": "list the decisions in a ledger",
    "status": "show the rollout state a ledger implies (state, active branch, pending rollback)",
    "review": "record a review (resume or retire) of the pending rollback in a ledger",
    "verify-ledger": "verify a ledger's hash chain (exit 3 naming the first broken line)",
    "schema": "print the JSON Schema of a file (or the reason catalogue)",
    "completion": "print a bash or zsh completion script for dragon-governance",
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
            "policy, 3 broken ledger or edited decision, 1 internal error, 130 interrupted, "
            "141 stdout closed early (e.g. `| head`)"
        ),
    )
    add_verbosity(parser)
    parser.add_argument("--version", action=VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f"dragon_governance.commands.{name.replace('-', '_')}")
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        module.configure(command_parser)
        command_parser.set_defaults(_run=module.run)
        _add_verbosity_everywhere(command_parser)
    return parser


def _add_verbosity_everywhere(parser: argparse.ArgumentParser) -> None:
    """``-q``/``-v`` on ``parser`` and on every sub-subcommand under it."""
    add_verbosity(parser)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                _add_verbosity_everywhere(child)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (never raises for user errors).

    The process skips pydantic's plugin discovery (``PYDANTIC_DISABLE_PLUGINS``,
    unless the caller set it): scanning every installed distribution's entry points
    costs more start-up time than the whole check, and no plugin changes a decision.
    """
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    args = build_parser().parse_args(argv)
    from dragon_governance.cli_logging import configure_logging, logger  # not for --help

    configure_logging(verbosity_of(args))
    try:
        code = int(args._run(args))
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
    except BrokenPipeError:
        return _stdout_closed()
    except GovernanceUserError as err:
        print(f"error: {err.message}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as err:  # an internal error: say so, keep the traceback for bug reports
        import traceback

        traceback.print_exc()
        print(f"dragon-governance: internal error: {err}", file=sys.stderr)
        return EXIT_INTERNAL
    logger().debug("dragon-governance %s: exit %d", args.command, code)
    return code


def _stdout_closed() -> int:
    """The reader of stdout went away: point stdout at /dev/null (so the interpreter's
    final flush is silent) and exit :data:`EXIT_BROKEN_PIPE`."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # a stdout without a descriptor (tests capture it)
        pass
    finally:
        os.close(devnull)
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
