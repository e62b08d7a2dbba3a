"""Rich rendering of decisions and ledgers for the terminal.

Colour only on a terminal; ``NO_COLOR`` (set and non-empty) or a pipe gives plain
text without any escape sequences (rich drops styling when the output is not a
terminal; with ``NO_COLOR`` the console has no colour system at all).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dragon_governance.outcomes import Decision, Status

if TYPE_CHECKING:
    from dragon_governance.decision import RolloutDecision
    from dragon_governance.ledger import LedgerEntry
    from dragon_governance.reasons import Evidence, Reason

STATUS_STYLE = {Status.PASS: "bold green", Status.WARN: "bold yellow", Status.FAIL: "bold red"}
DECISION_STYLE = {
    Decision.PROCEED: "bold green",
    Decision.HOLD: "bold yellow",
    Decision.ROLLBACK_REVIEW_REQUIRED: "bold red",
}


def make_console(*, stderr: bool = False) -> Console:
    """A console for stdout (or stderr) honouring ``NO_COLOR`` and pipes."""
    plain = bool(os.environ.get("NO_COLOR"))
    return Console(
        stderr=stderr,
        highlight=False,
        soft_wrap=False,
        emoji=False,
        color_system=None if plain else "auto",
    )


def _shown(value: Evidence) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _reasons_grid(reasons: Sequence[Reason]) -> Table:
    """Reasons with a hanging indent: status | code: message, then the evidence line."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for reason in reasons:
        body = Text()
        body.append(reason.code, style="bold")
        body.append(f": {reason.message}\n")
        body.append(
            f"{reason.source}:{reason.field} value={_shown(reason.value)} "
            f"threshold={_shown(reason.threshold)}",
            style="dim",
        )
        grid.add_row(Text(reason.status.value, style=STATUS_STYLE[reason.status]), body)
    return grid


def gates_table(decision: RolloutDecision) -> Table:
    """One row per gate: id and name, coloured status, its reasons with their evidence."""
    table = Table(title="Rollout gates", box=box.SIMPLE_HEAVY, show_lines=True)
    table.add_column("Gate", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Reasons: code: message / source:field value threshold")
    for gate in decision.gates:
        table.add_row(
            f"{gate.id}\n{gate.name.value}",
            Text(gate.status.value, style=STATUS_STYLE[gate.status]),
            _reasons_grid(gate.reasons),
        )
    return table


def decision_panel(decision: RolloutDecision, written_to: str | None = None) -> Panel:
    """The decision, the recommended branch and the provenance of the decision."""
    lines = [Text(decision.decision.value, style=DECISION_STYLE[decision.decision])]
    branch = Text("recommended branch: ")
    branch.append(decision.recommended_branch, style="bold")
    if decision.recommended_branch != decision.candidate_branch:
        candidate = decision.candidate_branch or "unknown (no readable manifest)"
        branch.append(f"  (policy fallback; candidate {candidate})")
    lines.append(branch)
    expected = decision.expected_session.isoformat() if decision.expected_session else "unknown"
    lines.append(
        Text(f"as of {decision.as_of.isoformat()} (after close); expected session {expected}")
    )
    lines.append(Text(f"policy {decision.policy.name} (sha256 {decision.policy.sha256[:12]}...)"))
    lines.append(Text(f"decision_id {decision.decision_id}"))
    if written_to is not None:
        lines.append(Text(f"written to {written_to}"))
    return Panel(
        Group(*lines),
        title="Rollout decision",
        border_style=DECISION_STYLE[decision.decision],
        expand=False,
    )


def print_decision(console: Console, decision: RolloutDecision, written_to: str | None) -> None:
    """The table of gates, then the decision panel."""
    console.print(gates_table(decision))
    console.print(decision_panel(decision, written_to))


def ledger_table(entries: Sequence[LedgerEntry], title: str) -> Table:
    """One row per ledger entry, oldest first."""
    table = Table(title=title, box=box.SIMPLE_HEAVY)
    for column in ("seq", "recorded_at", "as_of", "decision", "recommended_branch", "decision_id"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        table.add_row(
            str(entry.seq),
            entry.recorded_at,
            entry.as_of.isoformat(),
            Text(entry.decision.value, style=DECISION_STYLE[entry.decision]),
            entry.recommended_branch,
            entry.decision_id[:12],
        )
    return table
