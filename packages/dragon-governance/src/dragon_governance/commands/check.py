"""``dragon-governance check RUN_DIR [--as-of DATE] [--policy FILE] [--sessions FILE] [--json]
[--out FILE] [--ledger FILE] [--exit-zero]``.

Evaluates the three gates over RUN_DIR, writes the decision (``RUN_DIR/rollout_decision.json``
unless ``--out``), prints it (the rich table and panel, or with ``--json`` the file's
bytes on stdout and a one-line summary on stderr) and appends it to ``--ledger``.
Exit 0 PROCEED, 10 HOLD, 20 ROLLBACK_REVIEW_REQUIRED (0 with ``--exit-zero``), 2 for
a missing run directory, a bad policy or sessions file or an unwritable ``--out``, 3 for a
broken ledger. When the known XSHG sessions end soon (G1's ``CALENDAR_ENDS_SOON``) a
``notice:`` line on stderr says so and what to upgrade.
"""

from __future__ import annotations

import argparse

from dragon_governance.commands.args import (
    add_as_of,
    add_exit_zero,
    add_json,
    add_ledger_option,
    add_policy,
    add_run_dir,
    add_sessions,
    decision_exit,
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Evaluate G1 freshness_alignment, G2 monitor_health and G3 divergence_control "
        "over RUN_DIR, write the decision (RUN_DIR/rollout_decision.json unless --out) "
        "and print it."
    )
    add_run_dir(parser)
    add_as_of(parser)
    add_policy(parser)
    add_sessions(parser)
    add_json(parser, what="print only the decision JSON on stdout")
    parser.add_argument("--out", metavar="FILE", help="write the decision here instead")
    add_ledger_option(parser)
    add_exit_zero(parser)


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from dragon_governance.decision import DECISION_FILENAME, write_decision
    from dragon_governance.errors import GovernanceUserError
    from dragon_governance.evaluation import evaluate_run

    decision = evaluate_run(
        args.run_dir, as_of=args.as_of, policy=args.policy, sessions=args.sessions
    )
    for reason in decision.gates[0].reasons:
        if reason.code == "CALENDAR_ENDS_SOON":
            print(f"notice: {reason.message}", file=sys.stderr)
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
    return decision_exit(decision.exit_code, args.exit_zero)
