"""The ``dragon-governance`` console script.

Module-level imports are standard library only, so ``--help`` stays fast; pydantic,
rich and (only when the session cache is cold) exchange_calendars load inside the
subcommand that needs them.

Exit codes: 0 PROCEED, 10 HOLD, 20 ROLLBACK_REVIEW_REQUIRED (``--exit-zero`` maps 10
and 20 to 0), 2 usage error or unreadable/invalid policy, 3 broken ledger or edited
decision file, 1 internal error.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from dragon_governance.__about__ import __version__
from dragon_governance.errors import EXIT_INTERNAL, EXIT_OK, GovernanceUserError
from dragon_governance.schemas import SCHEMA_NAMES

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(text: str) -> date:
    if _ISO_DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD")


def _decision_exit(code: int, exit_zero: bool) -> int:
    return EXIT_OK if exit_zero else code


def _run_check(args: argparse.Namespace) -> int:
    from dragon_governance.decision import DECISION_FILENAME, write_decision
    from dragon_governance.evaluation import evaluate_run

    decision = evaluate_run(args.run_dir, as_of=args.as_of, policy=args.policy)
    out = Path(args.out) if args.out else Path(args.run_dir) / DECISION_FILENAME
    try:
        write_decision(decision, out)
    except OSError as err:
        raise GovernanceUserError(f"cannot write the decision to {out}: {err}") from err
    if args.json:
        sys.stdout.buffer.write(decision.file_bytes())
        sys.stdout.flush()
        print(
            f"{decision.decision.value}: recommended branch {decision.recommended_branch} "
            f"(written to {out})",
            file=sys.stderr,
        )
    else:
        from dragon_governance.render import make_console, print_decision

        print_decision(make_console(), decision, str(out))
    if args.ledger:
        from dragon_governance.ledger import append_to_ledger

        entry = append_to_ledger(args.ledger, decision)
        print(f"ledger {args.ledger}: appended seq {entry.seq}", file=sys.stderr)
    return _decision_exit(decision.exit_code, args.exit_zero)


def _run_explain(args: argparse.Namespace) -> int:
    from dragon_governance.decision import read_decision

    decision = read_decision(args.decision_json)
    if args.json:
        sys.stdout.buffer.write(decision.file_bytes())
        sys.stdout.flush()
    else:
        from dragon_governance.render import make_console, print_decision

        print_decision(make_console(), decision, None)
    return _decision_exit(decision.exit_code, args.exit_zero)


def _run_history(args: argparse.Namespace) -> int:
    from dragon_governance.errors import IntegrityError
    from dragon_governance.ledger import read_ledger

    report = read_ledger(args.ledger)
    if args.json:
        import json

        entries = [entry.model_dump(mode="json") for entry in report.entries]
        print(json.dumps(entries, indent=2, sort_keys=True))
    else:
        from dragon_governance.render import ledger_table, make_console

        make_console().print(ledger_table(report.entries, f"Ledger {args.ledger}"))
    if report.broken is not None:
        raise IntegrityError(
            f"ledger {args.ledger} is broken at line {report.broken.line}: "
            f"{report.broken.problem} (entries shown: the valid lines before it)"
        )
    return EXIT_OK


def _run_verify_ledger(args: argparse.Namespace) -> int:
    from dragon_governance.ledger import GENESIS_HASH, verify_ledger

    entries = verify_ledger(args.ledger)
    head = entries[-1].hash if entries else GENESIS_HASH
    print(f"ledger {args.ledger}: {len(entries)} entries, chain intact (head {head})")
    return EXIT_OK


def _run_schema(args: argparse.Namespace) -> int:
    import json

    from dragon_governance.schemas import schema_document

    print(json.dumps(schema_document(args.name), indent=2, sort_keys=True, ensure_ascii=False))
    return EXIT_OK


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

    check = sub.add_parser(
        "check",
        help="evaluate the gates over RUN_DIR and write rollout_decision.json",
        description=(
            "Evaluate G1 freshness_alignment, G2 monitor_health and G3 divergence_control "
            "over RUN_DIR, write the decision (RUN_DIR/rollout_decision.json unless --out) "
            "and print it."
        ),
    )
    check.add_argument("run_dir", metavar="RUN_DIR", help="the daily run directory")
    check.add_argument(
        "--as-of",
        type=_iso_date,
        metavar="DATE",
        help="evaluate after DATE's close (YYYY-MM-DD); default: now in Asia/Shanghai, "
        "the previous day before the 15:00 close",
    )
    check.add_argument(
        "--policy", metavar="FILE", help="policy TOML (default: the built-in rc1-default)"
    )
    check.add_argument("--json", action="store_true", help="print only the decision JSON on stdout")
    check.add_argument("--out", metavar="FILE", help="write the decision here instead")
    check.add_argument(
        "--ledger", metavar="FILE", help="append the decision to this hash-chained ledger"
    )
    check.add_argument(
        "--exit-zero", action="store_true", help="exit 0 for HOLD and ROLLBACK_REVIEW_REQUIRED"
    )
    check.set_defaults(_run=_run_check)

    explain = sub.add_parser(
        "explain",
        help="show a decision file (verifying its decision_id)",
        description="Render a rollout_decision.json; exit code as for check.",
    )
    explain.add_argument("decision_json", metavar="DECISION_JSON")
    explain.add_argument("--json", action="store_true", help="print the decision JSON")
    explain.add_argument(
        "--exit-zero", action="store_true", help="exit 0 for HOLD and ROLLBACK_REVIEW_REQUIRED"
    )
    explain.set_defaults(_run=_run_explain)

    history = sub.add_parser(
        "history",
        help="list the decisions in a ledger",
        description="List a ledger's entries (verifying the chain; exit 3 when broken).",
    )
    history.add_argument("ledger", metavar="LEDGER")
    history.add_argument("--json", action="store_true", help="print the entries as JSON")
    history.set_defaults(_run=_run_history)

    verify = sub.add_parser(
        "verify-ledger",
        help="verify a ledger's hash chain (exit 3 naming the first broken line)",
        description="Verify every line's hash and link; exit 0, or 3 naming the first broken line.",
    )
    verify.add_argument("ledger", metavar="LEDGER")
    verify.set_defaults(_run=_run_verify_ledger)

    schema = sub.add_parser(
        "schema",
        help="print the JSON Schema of a file (or the reason catalogue)",
        description="Print the JSON Schema of NAME; 'reasons' prints the reason catalogue.",
    )
    schema.add_argument("name", metavar="NAME", choices=SCHEMA_NAMES, help=", ".join(SCHEMA_NAMES))
    schema.set_defaults(_run=_run_schema)
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
