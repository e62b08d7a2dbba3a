"""``dragon demo [--data FILE] [--as-of DATE] [--scenario NAME] [--out DIR]``: the whole
evening, shown.

What ``hatch run demo`` runs (the README's main command), step by step:

1. ``dragon daily`` on the bundled sample (or ``--data``) into a fresh run directory
   ``DIR/run-<session>`` (default ``DIR`` = ``dragon-demo``): all four branches,
   the monitor artifacts and the manifest;
2. ``dragon-governance check RUN_DIR --as-of <session>`` — the real console script,
   in its own process, exactly as an operator runs it before the next session;
3. ``dragon forward RUN_DIR --governance enforce`` — the next session's plan;
4. ``dragon report`` — the run's HTML page, ``RUN_DIR/report.html`` (with the
   ``report`` extra; without it the demo says what to install).

``--scenario proceed|hold|rollback`` runs at the bundled sample's session giving that
decision; ``--scenario review`` shows the rollout lifecycle instead — a rollback, a
PROCEED the next evening while the review is pending (the fallback stays active), a
``review --verdict resume`` and the candidate active again — with a ledger
``DIR/review-ledger.jsonl`` (see :func:`_review_scenario`).

Exit 0 when every step ran (whatever the decision: PROCEED, HOLD and
ROLLBACK_REVIEW_REQUIRED are all results), 2 for bad input or a failed write
(``cannot write PATH: REASON`` — a full disk, read-only storage; a governance check
that exits 2 for the same reason makes the demo exit 2 too), 1 if a step failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from dragon_compat.commands.market_args import add_market_arguments

if TYPE_CHECKING:
    from collections.abc import Callable

    from dragon_compat.market_input import MarketInput
    from dragon_compat.render import Console

#: exit codes of ``dragon-governance check`` that are decisions, not failures
_DECISION_EXITS = {0: "PROCEED", 10: "HOLD", 20: "ROLLBACK_REVIEW_REQUIRED"}


def configure(parser: argparse.ArgumentParser) -> None:
    add_market_arguments(parser, as_of=True)
    parser.add_argument(
        "--scenario",
        choices=("proceed", "hold", "rollback", "review"),
        help="run at the bundled sample's session that gives this decision; review: the "
        "rollout lifecycle over two evenings with a ledger (see dragon_compat.scenarios)",
    )
    parser.add_argument(
        "--out", default="dragon-demo", metavar="DIR", help="where run directories go"
    )


def run(args: argparse.Namespace) -> int:
    from dragon_compat import render
    from dragon_compat.errors import DragonUserError
    from dragon_compat.market_input import load_market

    if args.scenario is not None:
        if args.data is not None or args.as_of is not None:
            raise DragonUserError(
                "--scenario picks the bundled sample and its as-of date; drop --data and --as-of"
            )
        if args.scenario == "review":
            return _review_scenario(args)
        from dragon_compat.scenarios import SAMPLE_SCENARIOS

        decision = {"proceed": "PROCEED", "hold": "HOLD"}.get(
            args.scenario, "ROLLBACK_REVIEW_REQUIRED"
        )
        args.as_of = SAMPLE_SCENARIOS[decision]

    from dragon_compat.pipelines.forward import GovernanceMode, run_forward

    console = render.stdout()
    render.print_step(console, "1 · dragon daily")
    with render.daily_progress() as progress:
        progress("load and validate data")
        market = load_market(args.data, side_table=args.side_table)
        run_dir, session = _daily(market, args.as_of, Path(args.out), progress)
    code = _check(console, "2 · dragon-governance check", run_dir, session, None)
    if code is not None:
        return code
    render.print_step(console, "3 · dragon forward --governance enforce")
    plan = run_forward(run_dir, GovernanceMode.ENFORCE)
    render.print_forward(console, plan)
    render.print_step(console, "4 · dragon report")
    render.print_report_step(console, _write_report(run_dir))
    render.print_path(console, "artifacts of this demo: ", run_dir.resolve())
    return 0


def _daily(
    market: MarketInput, as_of: dt.date | None, out: Path, progress: Callable[[str], None]
) -> tuple[Path, dt.date]:
    """``dragon daily`` into ``out/run-<session>`` (the demo's own earlier run there is
    replaced; anything else is refused); the run directory and its session."""
    import shutil

    from dragon_compat import render
    from dragon_compat.errors import DragonUserError
    from dragon_compat.pipelines.daily import run_daily, truncate_at
    from dragon_compat.rundir import RUN_MARKER_FILE
    from dragon_compat.writes import writing

    _, session = truncate_at(market.bars, as_of, source=market.label)
    run_dir = out / f"run-{session.isoformat()}"
    if run_dir.exists():
        if not (run_dir / RUN_MARKER_FILE).is_file():
            raise DragonUserError(
                f"{run_dir}: exists and is not a Dragon run directory; choose another --out"
            )
        with writing(run_dir):
            shutil.rmtree(run_dir)  # the demo's own earlier run: start fresh
    daily = run_daily(market, run_dir, as_of=session, progress=progress)
    render.print_daily(render.stdout(), daily, market.label)
    return run_dir, session


def _governance(console: Console, *args: str) -> int:
    """Run the real ``dragon-governance`` console script with ``args``, showing the
    command line first; its exit code."""
    import shlex
    import subprocess

    from dragon_compat import render

    render.print_command(console, shlex.join(["dragon-governance", *args]))
    return subprocess.run([_governance_script(), *args], check=False).returncode


def _check(
    console: Console, title: str, run_dir: Path, session: dt.date, ledger: Path | None
) -> int | None:
    """``dragon-governance check`` (with ``--ledger``); None when it decided, else the
    demo's exit code (governance printed why)."""
    from dragon_compat import render
    from dragon_compat.errors import EXIT_INTERNAL, EXIT_USER

    render.print_step(console, title)
    extra = [] if ledger is None else ["--ledger", str(ledger)]
    code = _governance(console, "check", str(run_dir), "--as-of", session.isoformat(), *extra)
    meaning = _DECISION_EXITS.get(code)
    render.print_governance_exit(console, code, meaning)
    if meaning is None:  # its user errors stay user errors
        return EXIT_USER if code == EXIT_USER else EXIT_INTERNAL
    return None


def _forward_and_status(console: Console, title: str, run_dir: Path, ledger: Path) -> int | None:
    """``dragon forward --governance enforce --ledger`` then ``dragon-governance status``."""
    from dragon_compat import render
    from dragon_compat.errors import EXIT_INTERNAL
    from dragon_compat.pipelines.forward import GovernanceMode, run_forward

    render.print_step(console, title)
    render.print_command(
        console, f"dragon forward {run_dir} --governance enforce --ledger {ledger}"
    )
    render.print_forward(console, run_forward(run_dir, GovernanceMode.ENFORCE, ledger=ledger))
    code = _governance(console, "status", str(ledger))
    return None if code == 0 else EXIT_INTERNAL


def _review_scenario(args: argparse.Namespace) -> int:
    """``dragon demo --scenario review``: the rollout lifecycle on two consecutive
    evenings of the bundled sample (:data:`dragon_compat.scenarios.ROLLBACK_THEN_PROCEED`)
    with one ledger, ``DIR/review-ledger.jsonl`` (started afresh):

    1. the rollback evening: daily, check --ledger (ROLLBACK_REVIEW_REQUIRED), forward
       enforce --ledger (the fallback), status (ROLLED_BACK_PENDING_REVIEW);
    2. the next evening: daily, check --ledger (PROCEED), forward — the fallback stays
       active, status shows "gates pass; review pending";
    3. ``dragon-governance review --verdict resume``, forward again — the candidate is
       active (the repeat decision is not appended again) — and the report with the
       ledger's decision and state timeline.
    """
    from dragon_compat import render
    from dragon_compat.market_input import load_market
    from dragon_compat.scenarios import ROLLBACK_THEN_PROCEED
    from dragon_compat.writes import writing

    out = Path(args.out)
    console = render.stdout()
    ledger = out / "review-ledger.jsonl"
    with writing(ledger):
        out.mkdir(parents=True, exist_ok=True)
        ledger.unlink(missing_ok=True)  # the scenario's own ledger: start afresh
    market = load_market(None)
    run_dir = out
    for number, as_of in enumerate(ROLLBACK_THEN_PROCEED, start=1):
        render.print_step(console, f"{number}a · dragon daily --as-of {as_of.isoformat()}")
        with render.daily_progress() as progress:
            run_dir, session = _daily(market, as_of, out, progress)
        failed = _check(
            console, f"{number}b · dragon-governance check --ledger", run_dir, session, ledger
        )
        if failed is None:
            failed = _forward_and_status(
                console, f"{number}c · dragon forward --ledger, then status", run_dir, ledger
            )
        if failed is not None:
            return failed
    render.print_step(console, "3a · dragon-governance review --verdict resume")
    reason = "the rollback's idle streak ended with the next evening's entry"
    if (
        _governance(
            console,
            "review",
            str(ledger),
            "--verdict",
            "resume",
            "--by",
            "demo",
            "--reason",
            reason,
        )
        != 0
    ):
        from dragon_compat.errors import EXIT_INTERNAL

        return EXIT_INTERNAL
    failed = _forward_and_status(
        console, "3b · dragon forward --ledger, then status", run_dir, ledger
    )
    if failed is not None:
        return failed
    render.print_step(console, "4 · dragon report --ledger")
    render.print_report_step(console, _write_report(run_dir, ledger))
    render.print_path(console, "ledger of this demo: ", ledger.resolve())
    return 0


def _write_report(run_dir: Path, ledger: Path | None = None) -> Path | None:
    """The run's HTML report (with ``ledger``: its decision and state timeline) written
    into the run directory; None without the extra."""
    from dragon_compat.report import REPORT_FILE, plotly_available

    if not plotly_available():
        return None
    from dragon_compat.report.build import build_report, write_report

    return write_report(build_report(run_dir, ledger=ledger), run_dir / REPORT_FILE)


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
