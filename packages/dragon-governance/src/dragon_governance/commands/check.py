"""``dragon-governance check RUN_DIR [--as-of DATE] [--policy FILE] [--sessions FILE] [--json]
[--out FILE] [--ledger FILE] [--key-file FILE] [--exit-zero]``.

Evaluates the three gates over RUN_DIR, writes the decision (``RUN_DIR/rollout_decision.json``
unless ``--out``), prints it (the rich table and panel; ``--format tsv|md`` one row
per reason and the decision's fields; with ``--json`` the file's bytes on stdout and
a one-line summary on stderr) and appends it to ``--ledger`` with RUN_DIR as given and
the policy's ``rollback_requires_review`` (keyed with ``--key-file``); when the last
decision line already records this decision for the same manifest, nothing is
appended and a note says so. The ledger's rollout state never changes the decision
or the exit code.
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
    add_key_file,
    add_ledger_option,
    add_output_arguments,
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
    add_output_arguments(parser, json_what="print only the decision JSON on stdout")
    parser.add_argument("--out", metavar="FILE", help="write the decision here instead")
    add_ledger_option(parser)
    add_key_file(parser)
    add_exit_zero(parser)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dragon_governance.cli_logging import logger, step
    from dragon_governance.decision import DECISION_FILENAME, write_decision
    from dragon_governance.errors import GovernanceUserError
    from dragon_governance.evaluation import evaluate_run, resolve_policy

    policy = resolve_policy(args.policy)
    key = None
    if args.ledger:
        from dragon_governance.ledger_key import resolve_key

        key = resolve_key(args.key_file)
    with step(f"evaluate {args.run_dir}"):
        decision = evaluate_run(
            args.run_dir, as_of=args.as_of, policy=policy, sessions=args.sessions
        )
    for reason in decision.gates[0].reasons:
        if reason.code == "CALENDAR_ENDS_SOON":
            logger().info("notice: %s", reason.message)
    out = Path(args.out) if args.out else Path(args.run_dir) / DECISION_FILENAME
    try:
        with step(f"write {out}"):
            write_decision(decision, out)
    except OSError as err:
        raise GovernanceUserError(f"cannot write the decision to {out}: {err}") from err
    if args.json:
        from dragon_governance.streams import write_stdout_bytes

        write_stdout_bytes(decision.file_bytes())
        logger().info(
            "%s: recommended branch %s (written to %s)",
            decision.decision.value,
            decision.recommended_branch,
            out,
        )
    else:
        from dragon_governance.render import make_console, print_decision

        print_decision(make_console(), decision, str(out), args.format)
    if args.ledger:
        from dragon_governance.ledger import append_to_ledger

        with step(f"append to {args.ledger}"):
            done = append_to_ledger(
                args.ledger,
                decision,
                run_dir=args.run_dir,
                rollback_requires_review=policy.values.rollback_requires_review,
                key=key,
            )
        verb = "appended" if done.appended else "already recorded (nothing appended):"
        logger().info(
            "ledger %s: %s seq %d; state %s, active branch %s",
            args.ledger,
            verb,
            done.entry.seq,
            done.status.state,
            done.status.active_branch,
        )
    return decision_exit(decision.exit_code, args.exit_zero)
