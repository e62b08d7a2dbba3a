"""Rich rendering of decisions and ledgers for the terminal.

What every command gets by printing through here (the same rules as the ``dragon``
CLI's ``dragon_compat.render``, whose helpers the block marked "shared" repeats
word for word: governance imports nothing from compat):

- **not a terminal** (a pipe, a file, cron): plain text, lines never wrapped at a
  fixed width (the console is as wide as the longest line);
- **``NO_COLOR``** (set and non-empty, no-color.org): no escape sequence at all,
  also on a terminal;
- **a narrow terminal**: :func:`print_tables` never cuts a word — branch names,
  reason codes and gate names print whole; a table too wide for the terminal is
  printed without borders, and if that is still too wide, as one block of
  ``header  value`` lines per row;
- **``--format tsv|md``**: the same tables as TSV (header line, tab-separated rows)
  or Markdown; lines around them (:func:`print_note`) go to stderr;
- **a closed stdout**: a write raises ``BrokenPipeError`` (rich's own handler, which
  exits 1, is replaced), which :func:`dragon_governance.cli.main` turns into a quiet
  exit 141.
"""

from __future__ import annotations

import errno
import io
import json
import os
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dragon_governance.cli_logging import logger
from dragon_governance.outcomes import Decision, Status
from dragon_governance.streams import StdStream, write_stdout

if TYPE_CHECKING:
    from dragon_governance.decision import RolloutDecision
    from dragon_governance.ledger_entries import LedgerEntry
    from dragon_governance.reasons import Evidence, Reason
    from dragon_governance.rollout_state import RolloutStatus

STATUS_STYLE = {Status.PASS: "bold green", Status.WARN: "bold yellow", Status.FAIL: "bold red"}
DECISION_STYLE = {
    Decision.PROCEED: "bold green",
    Decision.HOLD: "bold yellow",
    Decision.ROLLBACK_REVIEW_REQUIRED: "bold red",
}


# --- shared with dragon_compat.render: keep both copies identical (a test compares) ---

UNBOUNDED_WIDTH = 1_000_000
"""The width of a console that is not a terminal: wide enough that no line wraps."""


def no_color() -> bool:
    """``NO_COLOR`` is set to a non-empty value (no-color.org): no styling at all."""
    return bool(os.environ.get("NO_COLOR"))


class _Console(Console):
    """A rich console whose closed pipe raises ``BrokenPipeError`` to the caller
    (rich's default exits with status 1, the status reserved for bugs)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, "the reader of the output went away")


def make_console(*, stderr: bool = False) -> Console:
    """A console for stdout (or stderr): styled only on a terminal without
    ``NO_COLOR``; as wide as the terminal, or unbounded when not a terminal."""
    console = _Console(
        file=StdStream("stderr" if stderr else "stdout"),  # type: ignore[arg-type]  # not an IO[str] subclass: writes in pieces, forwards the rest to sys.stdout|stderr
        stderr=stderr,
        highlight=False,
        soft_wrap=False,
        emoji=False,
        color_system=None if no_color() else "auto",
    )
    if not console.is_terminal:
        console.width = UNBOUNDED_WIDTH
    return console


def print_note(console: Console, message: str | Text, fmt: str = "text") -> None:
    """A line that accompanies a result: on ``console`` for ``text``; for ``tsv``,
    ``md`` and ``json`` a note on stderr (INFO, hidden by ``-q``) so stdout holds
    only the result. A ``str`` is plain text, never markup."""
    text = Text(message) if isinstance(message, str) else message
    if fmt == "text":
        console.print(text)
    else:
        logger().info("%s", text.plain)


def print_json(document: object) -> None:
    """Exactly one JSON document on stdout (sorted keys, two-space indent, UTF-8,
    one trailing newline). NaN and infinities are refused (they are not JSON)."""
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    write_stdout(text + "\n")


# --- printing tables in every format ------------------------------------------------------


@cache
def _measuring_console() -> Console:
    return Console(file=io.StringIO(), width=UNBOUNDED_WIDTH, color_system=None, emoji=False)


def keep_words_whole(table: Table) -> Table:
    """Give each column of ``table`` a minimum width so rich never cuts a word.

    A ``no_wrap`` column (names, symbols, reason codes) is at least as wide as its
    widest cell, any other column as its longest word; a column with
    ``overflow="fold"`` (free text that may be folded) or an explicit ``min_width``
    is left alone. Returns ``table``.
    """
    console = _measuring_console()
    options = console.options
    for column in table.columns:
        if column.min_width is not None or column.overflow == "fold":
            continue
        cells = (column.header, *column.cells)
        widths = [Measurement.get(console, options, cell) for cell in cells]
        column.min_width = max(w.maximum if column.no_wrap else w.minimum for w in widths)
    return table


def _fits(console: Console, table: Table) -> bool:
    """Whether ``table`` fits ``console`` without cutting a word: its minimum width,
    a ``fold`` column counting only its ``min_width`` (rich folds the rest)."""
    folded = [column for column in table.columns if column.overflow == "fold"]
    saved = [column.max_width for column in folded]
    for column in folded:
        column.max_width = column.min_width or 1
    try:
        measuring = _measuring_console()
        return Measurement.get(measuring, measuring.options, table).minimum <= console.width
    finally:
        for column, max_width in zip(folded, saved, strict=True):
            column.max_width = max_width


def _compact(table: Table) -> Table:
    """``table`` without borders or padding: one space between columns, a rule
    under the header (mutates and returns ``table``)."""
    table.box = box.SIMPLE_HEAD
    table.show_edge = False
    table.padding = (0, 0, 0, 0)
    return table


def _stacked(table: Table, width: int) -> RenderableType:
    """``table`` as one block per row, a blank line between blocks: each non-empty
    cell beside its header (or, when headers are too wide for ``width``, below
    it); for a table without header the first cell heads the block. Used when the
    table cannot fit ``width`` even without borders, so no word is ever cut."""
    columns = table.columns
    headers = [_as_text(column.header, style="bold") for column in columns]
    beside = max((len(_plain(h)) for h in headers), default=0) <= width // 3
    parts: list[RenderableType] = []
    if table.title:
        parts.append(_as_text(table.title, style="bold"))
    for row in zip(*(list(column.cells) for column in columns), strict=True):
        if parts:
            parts.append(Text())
        fields = list(zip(headers, row, strict=True))
        if not table.show_header:
            parts.append(_as_text(row[0], style="bold"))
            fields = [(Text(), cell) for cell in row[1:]]
        fields = [(header, cell) for header, cell in fields if _plain(cell).strip()]
        if beside:
            block = Table.grid(padding=(0, 2, 0, 0))
            block.add_column(no_wrap=True)
            block.add_column(overflow="fold")
            for header, cell in fields:
                block.add_row(header, cell)
            parts.append(block)
        else:
            for header, cell in fields:
                parts.extend([header, Padding(cell, (0, 0, 0, 2), expand=False)])
    if table.caption:
        parts.extend([Text(), _as_text(table.caption, style="dim")])
    return Group(*parts)


def _as_text(value: RenderableType, *, style: str = "", suffix: str = "") -> RenderableType:
    if isinstance(value, str):
        value = Text.from_markup(value)
    if isinstance(value, Text):
        text = value.copy()
        text.stylize(style)
        text.append(suffix)
        return text
    return value


def _plain(cell: RenderableType) -> str:
    """The text a cell shows, without styling (lines joined by newlines)."""
    if isinstance(cell, str):
        return Text.from_markup(cell).plain
    if isinstance(cell, Text):
        return cell.plain
    console = _measuring_console()
    lines = console.render_lines(cell, console.options, pad=False)
    return "\n".join("".join(segment.text for segment in line).rstrip() for line in lines)


def _rows(table: Table) -> tuple[list[str], list[list[str]]]:
    header = [_plain(column.header) for column in table.columns]
    cells = [[_plain(cell) for cell in column.cells] for column in table.columns]
    return header, [list(row) for row in zip(*cells, strict=True)]


def tsv_text(table: Table) -> str:
    """``table`` as TSV: the header line, then one line per row; a tab or line
    break inside a cell becomes a space. No title, no caption, no trailing newline."""
    header, rows = _rows(table)

    def clean(cell: str) -> str:
        return " ".join(cell.replace("\t", " ").split())

    return "\n".join("\t".join(clean(cell) for cell in line) for line in [header, *rows])


def markdown_text(table: Table) -> str:
    """``table`` as a Markdown (GFM) table, preceded by its title in bold when it
    has one; ``|`` is escaped, a line break inside a cell becomes ``<br>``."""
    header, rows = _rows(table)

    def clean(cell: str) -> str:
        return "<br>".join(line.strip() for line in cell.splitlines()).replace("|", "\\|")

    align = ["---:" if column.justify == "right" else "---" for column in table.columns]
    lines = [f"| {' | '.join(clean(cell) for cell in line)} |" for line in [header, *rows]]
    lines.insert(1, f"|{'|'.join(align)}|")
    if table.title:
        lines[:0] = [f"**{clean(_plain(table.title))}**", ""]
    return "\n".join(lines)


def print_table(console: Console, table: Table, fmt: str = "text") -> None:
    """Print one table as ``fmt`` (``text``, ``tsv`` or ``md``; see the module doc)."""
    print_tables(console, [table], fmt)


def print_tables(console: Console, tables: Iterable[Table], fmt: str = "text") -> None:
    """Print tables as ``fmt``: ``text`` through rich, each table whole or stacked
    (:func:`keep_words_whole`); ``tsv`` and ``md`` as plain text, one blank line
    between tables (a TSV consumer reads up to the first empty line for the first)."""
    if fmt == "text":
        for table in tables:
            keep_words_whole(table)
            if _fits(console, table) or _fits(console, _compact(table)):
                console.print(table)
            else:
                console.print(_stacked(table, console.width))
        return
    render = tsv_text if fmt == "tsv" else markdown_text
    console.file.write("\n\n".join(render(table) for table in tables) + "\n")
    console.file.flush()  # the console's file writes in pieces (StdStream)


# --- end of the shared block -------------------------------------------------------------


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
    """One row per gate: id and name, coloured status, its reasons with their evidence.

    The reasons column is free text (folded when narrow) but never narrower than
    ``STATUS CODE:``, so a reason code is never cut.
    """
    table = Table(title="Rollout gates", box=box.SIMPLE_HEAVY, show_lines=True)
    table.add_column("Gate", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    longest_code = max(len(r.code) for gate in decision.gates for r in gate.reasons)
    table.add_column(
        "Reasons: code: message / source:field value threshold",
        overflow="fold",
        min_width=len(Status.PASS.value) + 1 + longest_code + 1,
    )
    for gate in decision.gates:
        table.add_row(
            f"{gate.id}\n{gate.name.value}",
            Text(gate.status.value, style=STATUS_STYLE[gate.status]),
            _reasons_grid(gate.reasons),
        )
    return table


def reasons_table(decision: RolloutDecision) -> Table:
    """One row per reason, flat (what ``--format tsv|md`` prints): gate, gate
    status, reason status, code, message, source, field, value, threshold."""
    table = Table(title="Rollout gates")
    for header in ("gate", "name", "gate_status", "status", "code", "message"):
        table.add_column(header, no_wrap=header != "message", overflow="fold")
    for header in ("source", "field", "value", "threshold"):
        table.add_column(header, overflow="fold")
    for gate in decision.gates:
        for reason in gate.reasons:
            table.add_row(
                gate.id,
                gate.name.value,
                gate.status.value,
                reason.status.value,
                reason.code,
                Text(reason.message),
                Text(reason.source),
                Text(reason.field),
                Text(_shown(reason.value)),
                Text(_shown(reason.threshold)),
            )
    return table


def decision_table(decision: RolloutDecision, written_to: str | None = None) -> Table:
    """The decision as ``field``/``value`` rows (what ``--format tsv|md`` prints
    after :func:`reasons_table`)."""
    table = Table(title="Rollout decision")
    table.add_column("field", no_wrap=True)
    table.add_column("value", no_wrap=True)
    expected = decision.expected_session.isoformat() if decision.expected_session else ""
    for field, value in (
        ("decision", decision.decision.value),
        ("recommended_branch", decision.recommended_branch),
        ("candidate_branch", decision.candidate_branch or ""),
        ("fallback_branch", decision.fallback_branch),
        ("as_of", decision.as_of.isoformat()),
        ("expected_session", expected),
        ("policy", decision.policy.name),
        ("policy_sha256", decision.policy.sha256),
        ("decision_id", decision.decision_id),
        ("written_to", written_to or ""),
    ):
        table.add_row(field, Text(value))
    return table


def decision_panel(decision: RolloutDecision, written_to: str | None = None) -> Panel:
    """The decision, the recommended branch and the provenance of the decision."""
    return Panel(
        Group(*_decision_lines(decision, written_to)),
        title="Rollout decision",
        border_style=DECISION_STYLE[decision.decision],
        expand=False,
    )


def _decision_lines(decision: RolloutDecision, written_to: str | None) -> list[Text]:
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
    return lines


def print_decision(
    console: Console, decision: RolloutDecision, written_to: str | None, fmt: str = "text"
) -> None:
    """The table of gates, then the decision panel (``text``); for ``tsv``/``md``
    :func:`reasons_table` and :func:`decision_table`. On a terminal too narrow for
    the panel's lines (the decision_id is 76 characters) the lines print without
    the frame, so the id is never folded."""
    if fmt != "text":
        print_tables(console, [reasons_table(decision), decision_table(decision, written_to)], fmt)
        return
    print_tables(console, [gates_table(decision)])
    lines = _decision_lines(decision, written_to)
    if max(line.cell_len for line in lines) + 4 <= console.width:
        console.print(decision_panel(decision, written_to))
        return
    for line in lines:  # an id or a path is never broken; words wrap
        whole = line.plain.startswith(("decision_id ", "written to "))
        console.print(line, soft_wrap=whole)


def _ledger_row(entry: LedgerEntry, full_ids: bool) -> list[str | Text]:
    from dragon_governance.ledger_entries import ReviewEntry

    def shown_id(value: str) -> str:
        return value if full_ids else value[:12]

    if isinstance(entry, ReviewEntry):
        outcome = Text(f"review: {entry.verdict}", style="bold cyan")
        what = f"by {entry.by}: {entry.reason}"
        return [
            str(entry.seq),
            entry.recorded_at,
            entry.as_of.isoformat(),
            outcome,
            what,
            f"reviews {shown_id(entry.reviewed.decision_id)}",
        ]
    decision = Text(entry.decision.value, style=DECISION_STYLE[entry.decision])
    return [
        str(entry.seq),
        entry.recorded_at,
        entry.as_of.isoformat(),
        decision,
        entry.recommended_branch,
        shown_id(entry.decision_id),
    ]


def ledger_table(entries: Sequence[LedgerEntry], title: str, *, full_ids: bool = False) -> Table:
    """One row per ledger entry, oldest first (``decision_id`` shortened to 12
    characters unless ``full_ids``). A review shows its verdict, who and why, and the
    id of the rollback it reviewed."""
    table = Table(title=title, box=box.SIMPLE_HEAVY)
    for column in ("seq", "recorded_at", "as_of", "decision", "recommended_branch", "decision_id"):
        table.add_column(column, no_wrap=True, justify="right" if column == "seq" else "left")
    for entry in entries:
        table.add_row(*_ledger_row(entry, full_ids))
    return table


STATE_STYLE = {
    "CANDIDATE_ACTIVE": "bold green",
    "HELD": "bold yellow",
    "ROLLED_BACK_PENDING_REVIEW": "bold red",
    "ROLLED_BACK": "bold red",
    "RETIRED": "bold magenta",
}


def status_tables(status: RolloutStatus, title: str) -> list[Table]:
    """The rollout state (one row of fields), the pending rollback's failing gates
    (when one is pending) and the recent entries with the state after each."""
    head = Table(title=title, box=box.SIMPLE_HEAVY)
    for column in (
        "state",
        "active_branch",
        "since",
        "candidate_branch",
        "fallback_branch",
        "entries",
        "head",
    ):
        head.add_column(column, no_wrap=True)
    state = str(status.state) if status.state is not None else "(no decisions)"
    head.add_row(
        Text(state, style=STATE_STYLE.get(state, "")),
        status.active_branch or "-",
        f"{status.since} (seq {status.since_seq})" if status.since is not None else "-",
        status.candidate_branch or "-",
        status.fallback_branch or "-",
        str(status.seq),
        status.head_hash,
    )
    tables = [head]
    if status.pending is not None:
        pending = status.pending
        gates = Table(title="Pending rollback (awaiting review)", box=box.SIMPLE_HEAVY)
        for column in ("seq", "as_of", "decision_id", "gate", "FAIL codes"):
            gates.add_column(column, no_wrap=True)
        head_cells = [str(pending.seq), pending.as_of.isoformat(), pending.decision_id[:12]]
        for failing in pending.failing_gates:
            gates.add_row(*head_cells, failing.gate, ", ".join(failing.codes))
        if not pending.failing_gates:
            gates.add_row(*head_cells, "-", "(not recorded: a format 0.1 line)")
        tables.append(gates)
    recent = Table(title="Recent entries", box=box.SIMPLE_HEAVY)
    for column in ("seq", "as_of", "entry", "recommended_branch", "state", "active_branch", "note"):
        if column == "seq":
            recent.add_column(column, no_wrap=True, justify="right")
        else:
            recent.add_column(column, no_wrap=column != "note")
    for step in status.recent:
        recent.add_row(
            str(step.seq),
            step.as_of.isoformat(),
            step.outcome if step.kind == "decision" else f"review: {step.outcome}",
            step.recommended_branch or "-",
            Text(str(step.state), style=STATE_STYLE.get(str(step.state), "")),
            step.active_branch,
            step.note,
        )
    tables.append(recent)
    return tables
