"""``dragon demo [--data FILE] [--as-of DATE] [--out DIR]``: the whole evening, shown.

What ``hatch run demo`` runs (the README's main command), step by step:

1. ``dragon daily`` on the bundled sample (or ``--data``) into a fresh run directory
   ``DIR/run-<session>`` (default ``DIR`` = ``dragon-demo``): all four branches,
   the monitor artifacts and the manifest;
2. ``dragon-governance check RUN_DIR --as-of <session>`` — the real console script,
   in its own process, exactly as an operator runs it before the next session;
3. ``dragon forward RUN_DIR --governance enforce`` — the next session's plan;
4. ``dragon report`` — the run's HTML page, ``RUN_DIR/report.html`` (with the
   ``report`` extra; without it the demo says what to install).

Exit 0 when every step ran (whatever the decision: PROCEED, HOLD and
ROLLBACK_REVIEW_REQUIRED are all results), 2 for bad input, 1 if a step failed.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from dragon_compat.commands.market_args import add_market_arguments

if TYPE_CHECKING:
    from pathlib import Path

#: exit codes of ``dragon-governance check`` that are decisions, not failures
_DECISION_EXITS = {0: "PROCEED", 10: "HOLD", 20: "ROLLBACK_REVIEW_REQUIRED"}


def configure(parser: argparse.ArgumentParser) -> None:
    add_market_arguments(parser, as_of=True)
    parser.add_argument(
        "--scenario",
        choices=("proceed", "hold", "rollback"),
        help="run at the bundled sample's session that gives this decision "
        "(see dragon_compat.scenarios)",
    )
    parser.add_argument(
        "--out", default="dragon-demo", metavar="DIR", help="where run directories go"
    )


def run(args: argparse.Namespace) -> int:
    import shlex
    import shutil
    import subprocess
    from pathlib import Path

    from dragon_compat import render
    from dragon_compat.errors import EXIT_INTERNAL, DragonUserError
    from dragon_compat.market_input import load_market
    from dragon_compat.pipelines.daily import run_daily, truncate_at
    from dragon_compat.pipelines.forward import GovernanceMode, run_forward
    from dragon_compat.rundir import RUN_MARKER_FILE

    if args.scenario is not None:
        if args.data is not None or args.as_of is not None:
            raise DragonUserError(
                "--scenario picks the bundled sample and its as-of date; drop --data and --as-of"
            )
        from dragon_compat.scenarios import SAMPLE_SCENARIOS

        decision = {"proceed": "PROCEED", "hold": "HOLD"}.get(
            args.scenario, "ROLLBACK_REVIEW_REQUIRED"
        )
        args.as_of = SAMPLE_SCENARIOS[decision]

    console = render.stdout()
    render.print_step(console, "1 · dragon daily")
    with render.daily_progress() as progress:
        progress("load and validate data")
        market = load_market(args.data, side_table=args.side_table)
        _, session = truncate_at(market.bars, args.as_of, source=market.label)
        run_dir = Path(args.out) / f"run-{session.isoformat()}"
        if run_dir.exists():
            if not (run_dir / RUN_MARKER_FILE).is_file():
                raise DragonUserError(
                    f"{run_dir}: exists and is not a Dragon run directory; choose another --out"
                )
            shutil.rmtree(run_dir)  # the demo's own earlier run: start fresh
        daily = run_daily(market, run_dir, as_of=session, progress=progress)
    render.print_daily(console, daily, market.label)

    render.print_step(console, "2 · dragon-governance check")
    command = [
        _governance_script(),
        "check",
        str(run_dir),
        "--as-of",
        session.isoformat(),
    ]
    render.print_command(console, shlex.join(["dragon-governance", *command[1:]]))
    checked = subprocess.run(command, check=False)
    meaning = _DECISION_EXITS.get(checked.returncode)
    render.print_governance_exit(console, checked.returncode, meaning)
    if meaning is None:
        return EXIT_INTERNAL

    render.print_step(console, "3 · dragon forward --governance enforce")
    plan = run_forward(run_dir, GovernanceMode.ENFORCE)
    render.print_forward(console, plan)
    render.print_step(console, "4 · dragon report")
    render.print_report_step(console, _write_report(run_dir))
    render.print_path(console, "artifacts of this demo: ", run_dir.resolve())
    return 0


def _write_report(run_dir: Path) -> Path | None:
    """The run's HTML report written into the run directory; None without the extra."""
    from dragon_compat.report import REPORT_FILE, plotly_available

    if not plotly_available():
        return None
    from dragon_compat.report.build import build_report, write_report

    return write_report(build_report(run_dir), run_dir / REPORT_FILE)


def _governance_script() -> str:
    """Path of the ``dragon-governance`` console script beside this interpreter."""
    import shutil
    import sys
    from pathlib import Path

    from dragon_compat.errors import DragonUserError
    from dragon_compat.pipelines.forward import GOVERNANCE_EXTRA_HINT

    beside = Path(sys.executable).with_name("dragon-governance")
    if beside.is_file():
        return str(beside)
    found = shutil.which("dragon-governance")
    if found is None:
        raise DragonUserError(
            f"the demo runs `dragon-governance check`, which is not installed: "
            f"{GOVERNANCE_EXTRA_HINT}"
        )
    return found
