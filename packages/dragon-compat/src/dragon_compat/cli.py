"""The ``dragon`` console script (also ``python -m dragon_compat``).

Each subcommand lives in ``dragon_compat.commands.<name>`` and exposes
``configure(parser)`` and ``run(args) -> int``. Command modules import only the
standard library at module level, so ``dragon --help`` stays fast; heavy imports
(pandas, pyarrow, rich) happen inside ``run``.

What every command gets from here, without doing anything: ``-q``/``-v`` (on the
top-level parser and on every subcommand, nested ones included) with logging to
stderr set up before ``run``; ``--version``; user errors as ``error: …`` and exit 2
(or the error's code); a closed stdout (``dragon … | head``) as a quiet exit 141;
Ctrl-C as 130; anything else as an internal error, exit 1, with the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from dragon_compat import process_memory
from dragon_compat.commands.output_args import add_verbosity, verbosity_of
from dragon_compat.config import COMMAND_SETTINGS, apply_config
from dragon_compat.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    DragonUserError,
)
from dragon_compat.versions import VersionAction

#: subcommand name -> one-line help. Order is the order shown by ``dragon --help``.
COMMANDS: dict[str, str] = {
    "validate": "check a bars file (schema and consistency): exit 0 if valid, 2 listing the errors",
    "sample": "write a deterministic synthetic market (CSV, CSV.gz or Parquet)",
    "run": "run one RC1 branch and write events/trades/equity CSV and summary.json",
    "daily": "the evening job: all branches, monitor artifacts and the daily manifest",
    "forward": "the next session's plan, governed (enforce|shadow) or standalone (off)",
    "replay": "every session's rollout decision over a span, in one pass, under each policy",
    "report": "one self-contained HTML page of a run: curves, metrics, monitor, decision",
    "sweep": "a grid of branches x windows x universes on dask.distributed: one Parquet table",
    "golden": "check or deliberately update the RC1 golden outputs",
    "demo": "the whole evening on the bundled sample: daily, governance check, forward plan",
    "config": "the project configuration (dragon.toml): each setting and where it came from",
    "completion": "print a bash or zsh completion script for dragon",
}

EXIT_CODES = (
    "exit codes: 0 success, 2 user error (bad file, flag or date: `error: …` names it), "
    "3 golden differs or broken ledger, 4 some sweep cell failed, 1 internal error (a bug), "
    "130 interrupted, "
    "141 stdout closed early (e.g. `| head`)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dragon",
        description="Dragon RC1 dragon-head strategy: data, runs, golden guardrails, pipelines.",
        epilog=EXIT_CODES,
    )
    add_verbosity(parser)
    parser.add_argument("--version", action=VersionAction, distribution="dragon-compat")
    parser.add_argument("--config", metavar="FILE", help=_CONFIG_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f"dragon_compat.commands.{name}")
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        if name in COMMAND_SETTINGS:
            command_parser.add_argument(
                "--config", metavar="FILE", default=argparse.SUPPRESS, help=_CONFIG_HELP
            )
        module.configure(command_parser)
        command_parser.set_defaults(_run=module.run)
        _add_verbosity_everywhere(command_parser)
    return parser


_CONFIG_HELP = "project configuration (default: $DRAGON_CONFIG, else ./dragon.toml if present)"


def _add_verbosity_everywhere(parser: argparse.ArgumentParser) -> None:
    """``-q``/``-v`` on ``parser`` and on every sub-subcommand under it."""
    add_verbosity(parser)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                _add_verbosity_everywhere(child)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (never raises for user errors)."""
    args = build_parser().parse_args(argv)
    from dragon_compat.cli_logging import configure_logging, logger  # not for --help

    configure_logging(verbosity_of(args))
    try:
        apply_config(args)  # flags not given take the environment's and dragon.toml's values
        process_memory.configure()
        code = int(args._run(args))
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
    except BrokenPipeError:
        return _stdout_closed()
    except DragonUserError as err:
        from dragon_compat.render import print_error

        print_error(str(err))
        return err.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as err:  # an internal error: say so, keep the traceback for bug reports
        import traceback

        traceback.print_exc()
        print(f"dragon: internal error: {err}", file=sys.stderr)
        return EXIT_INTERNAL
    logger().debug("dragon %s: exit %d", args.command, code)
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
