"""The ``dragon`` console script.

Each subcommand lives in ``dragon_compat.commands.<name>`` and exposes
``configure(parser)`` and ``run(args) -> int``. Command modules import only the
standard library at module level, so ``dragon --help`` stays fast; heavy imports
(pandas, pyarrow) happen inside ``run``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from dragon_compat.__about__ import __version__
from dragon_compat.errors import EXIT_INTERNAL, DragonUserError

#: subcommand name -> one-line help. Order is the order shown by ``dragon --help``.
COMMANDS: dict[str, str] = {
    "validate": "check a bars file (schema and consistency): exit 0 if valid, 2 listing the errors",
    "sample": "write a deterministic synthetic market (CSV, CSV.gz or Parquet)",
    "run": "run one RC1 branch and write events/trades/equity CSV and summary.json",
    "daily": "the evening job: all branches, monitor artifacts and the daily manifest",
    "forward": "the next session's plan, governed (enforce|shadow) or standalone (off)",
    "report": "one self-contained HTML page of a run: curves, metrics, monitor, decision",
    "golden": "check or deliberately update the RC1 golden outputs",
    "demo": "the whole evening on the bundled sample: daily, governance check, forward plan",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dragon",
        description="Dragon RC1 dragon-head strategy: data, runs, golden guardrails, pipelines.",
    )
    parser.add_argument("--version", action="version", version=f"dragon-compat {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f"dragon_compat.commands.{name}")
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        module.configure(command_parser)
        command_parser.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args._run(args))
    except DragonUserError as err:
        from dragon_compat.render import print_error

        print_error(str(err))
        return err.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # an internal error: say so, keep the traceback for bug reports
        import traceback

        traceback.print_exc()
        print(f"dragon: internal error: {err}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
