"""What the pipelines print: progress on a terminal, then tables a person reads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from dragon_compat.pipelines.daily import DAILY_STEPS, DailyRun
from dragon_compat.pipelines.forward import ForwardPlan
from dragon_compat.render import branch_summary_table
from dragon_compat.rundir import MANIFEST_FILE, SCORE_DECIMALS

__all__ = ["daily_progress", "print_daily", "print_forward"]


@contextmanager
def daily_progress(console: Console) -> Iterator[Callable[[str], None]]:
    """A step reporter for the daily run: a progress bar over its steps (load,
    features, one per branch, monitor, manifest) on a terminal, silent when piped.
    Each call names the step that starts now and completes the previous one."""
    if not console.is_terminal:
        yield lambda _label: None
        return
    with Progress(
        TextColumn("[bold]{task.description:<40}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("starting", total=DAILY_STEPS)
        started = False

        def step(label: str) -> None:
            nonlocal started
            progress.update(task, description=label, advance=1 if started else 0)
            started = True

        yield step
        progress.update(task, completed=DAILY_STEPS)


def _value(value: object, float_format: str = ".6g") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return format(value, float_format)
    return str(value)


def monitor_table(daily: DailyRun) -> Table:
    """The candidate's monitor conditions at the run's session."""
    health = daily.monitor.health
    table = Table(title=f"monitor: {health.branch} at {health.as_of}", title_justify="left")
    for column in ("condition", "tier", "active", "value", "threshold", "streak"):
        table.add_column(
            column, justify="right" if column in {"value", "threshold", "streak"} else "left"
        )
    for condition in health.conditions:
        active = Text("ACTIVE", style="bold red" if condition.tier == "hard" else "bold yellow")
        table.add_row(
            condition.id,
            condition.tier,
            active if condition.active else Text("no", style="green"),
            _value(condition.value),
            _value(condition.threshold),
            str(condition.streak),
        )
    divergence, control = daily.monitor.divergence, daily.monitor.refined_control
    table.caption = (
        f"divergence vs {divergence.reference_branch}: level {divergence.level} "
        f"(entry jaccard {divergence.entry_jaccard:.3f}, return gap {divergence.return_gap:+.4f}); "
        f"control {control.control_branch}: {control.status} "
        f"(alignment {control.alignment_ratio:.3f})"
    )
    return table


def print_daily(console: Console, daily: DailyRun, input_label: str) -> None:
    """Branch summary, monitor conditions and where the artifacts are."""
    roles = daily.roles
    summaries = {name: result.summary for name, result in daily.results.items()}
    console.print(
        branch_summary_table(
            summaries, title=f"daily run {daily.as_of.isoformat()} on {escape(input_label)}"
        )
    )
    console.print(
        Text(
            f"candidate {roles.candidate} · reference {roles.reference} · control {roles.control}",
            style="dim",
        )
    )
    console.print(monitor_table(daily))
    console.print(
        Text.assemble(
            ("artifacts: ", "bold"),
            str(daily.run_dir),
            f"  ({len(daily.manifest.outputs)} outputs, manifest {MANIFEST_FILE})",
        ),
        soft_wrap=True,  # a path people copy: never broken across lines
    )


def print_forward(console: Console, plan: ForwardPlan) -> None:
    """The forward plan: mode, decision, active branch and the next session's orders."""
    doc = plan.plan
    governance = doc.governance
    lines = [
        Text.assemble(("mode ", "dim"), (str(doc.mode), "bold")),
        Text.assemble(("active branch ", "dim"), (doc.active_branch, "bold cyan")),
    ]
    if governance is not None:
        style = {"PROCEED": "green", "HOLD": "yellow"}.get(governance.decision, "red")
        lines.insert(
            1,
            Text.assemble(
                ("decision ", "dim"),
                (governance.decision, f"bold {style}"),
                ("  id ", "dim"),
                governance.decision_id[:16] + "…",
            ),
        )
    orders = Table(title=f"orders for {doc.next_session.isoformat()}", title_justify="left")
    for column in ("side", "symbol", "rank", "board", "alpha", "reason"):
        orders.add_column(column)
    for entry in doc.orders.entries:
        orders.add_row(
            "BUY",
            entry.symbol,
            str(entry.rank),
            str(entry.board_height),
            _value(entry.alpha_score, f".{SCORE_DECIMALS}f"),
            "SELECTED",
        )
    for exit_ in doc.orders.exits:
        orders.add_row("SELL", exit_.symbol, "", "", "", exit_.reason)
    if not doc.orders.entries and not doc.orders.exits:
        orders.add_row("—", "no orders", "", "", "", "")
    console.print(
        Panel(
            Group(*lines, orders),
            title=f"forward plan after {doc.as_of.isoformat()}",
            expand=False,
        )
    )
    console.print(Text.assemble(("plan: ", "bold"), str(plan.path)), soft_wrap=True)
