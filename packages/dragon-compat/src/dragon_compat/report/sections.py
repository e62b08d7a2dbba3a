"""The report's sections, one function each, from the run's data to a :class:`Section`.

Order on the page: overview, decision, equity and drawdown, metrics, monthly
returns, events, monitor conditions, and — when a history of decisions is given —
the timeline. Chart ids are fixed strings (``chart-equity``, ``chart-monthly-<n>``
…) so the page is byte-stable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from dragon_compat.monitor.config import RC1_MONITOR
from dragon_compat.report import figures
from dragon_compat.report.conditions import ConditionTrack
from dragon_compat.report.decimate import MAX_POINTS, keep_indices
from dragon_compat.report.html import (
    Chart,
    Section,
    badge,
    definitions,
    esc,
    metrics_table,
    paragraph,
    table,
)
from dragon_compat.report.metrics import SESSIONS_PER_YEAR, BranchMetrics
from dragon_compat.report.rundata import RunData
from dragon_compat.report.timeline import TimelineRecord, latest_per_session
from dragon_compat.rundir import DECISION_FILE


def _reduction_note(series: str, sizes: Mapping[str, tuple[int, int]]) -> str | None:
    reduced = {name: size for name, size in sizes.items() if size[1] < size[0]}
    if not reduced:
        return None
    parts = ", ".join(f"{name} {full:,} → {drawn:,}" for name, (full, drawn) in reduced.items())
    return paragraph(
        f"{series}: long series are drawn reduced (points per series: {parts}). Each bucket "
        "of consecutive sessions keeps its minimum and its maximum, so peaks, troughs and "
        "the deepest drawdown are exact; metrics use every session.",
        muted=True,
    )


def overview_section(run: RunData) -> Section:
    """Branches and roles, sessions covered, the input and the versions that made the run."""
    rows = []
    for branch in run.branches:
        first = str(branch.sessions[0]) if branch.sessions.size else "—"
        last = str(branch.sessions[-1]) if branch.sessions.size else "—"
        final = f"{branch.equity[-1]:,.2f}" if branch.equity.size else "—"
        rows.append(
            [branch.name, branch.role or "—", f"{branch.sessions.size:,}", first, last, final]
        )
    inputs = run.manifest.get("inputs") or []
    input_rows = [
        [str(item.get("path", "")), str(item.get("sha256", ""))]
        for item in inputs
        if isinstance(item, dict)
    ]
    versions = run.manifest.get("versions") or {}
    version_text = ", ".join(f"{name} {value}" for name, value in sorted(versions.items()))
    return Section(
        "overview",
        "Overview",
        [
            table(
                ["branch", "role", "sessions", "first", "last", "final equity (CNY)"],
                rows,
                numeric=[False, False, True, False, False, True],
            ),
            table(["input", "sha256"], input_rows),
            paragraph(f"Run made by {version_text or 'unrecorded versions'}.", muted=True),
        ],
    )


def _gate_rows(gate: Mapping[str, Any]) -> list[list[str]]:
    rows = []
    for item in gate.get("reasons", []):
        reason = item if isinstance(item, dict) else {}
        rows.append(
            [
                badge(str(reason.get("status", ""))),
                esc(reason.get("code", "")),
                esc(reason.get("source", "")),
                esc(reason.get("field", "")),
                esc(reason.get("value", "")),
                esc(reason.get("threshold", "")),
                esc(reason.get("message", "")),
            ]
        )
    return rows


def decision_section(run: RunData) -> Section:
    """The rollout decision and every gate's evidence, or why there is none."""
    decision = run.decision
    if decision is None:
        return Section(
            "decision",
            "Rollout decision",
            [
                paragraph(
                    f"This run has no {DECISION_FILE} yet: run `dragon-governance check RUN_DIR` "
                    "or `dragon forward RUN_DIR` to take the decision, then rebuild the report."
                )
            ],
        )
    policy = decision.get("policy")
    if not isinstance(policy, dict):
        policy = {}
    blocks = [
        f"<p>{badge(str(decision['decision']))} recommended branch "
        f"<strong>{esc(decision.get('recommended_branch', ''))}</strong> "
        f"(candidate {esc(decision.get('candidate_branch', ''))}, fallback "
        f"{esc(decision.get('fallback_branch', ''))}); as of {esc(decision.get('as_of', ''))} "
        f"after the close, expected session {esc(decision.get('expected_session', ''))}.</p>",
        paragraph(
            f"policy {policy.get('name', '?')} · decision_id {decision.get('decision_id', '?')}",
            muted=True,
        ),
    ]
    if str(decision.get("as_of")) != run.as_of.isoformat():
        blocks.append(
            paragraph(
                f"Note: the decision was evaluated as of {decision.get('as_of')}, "
                f"the run is as of {run.as_of.isoformat()}."
            )
        )
    for gate in decision["gates"]:
        blocks.append(
            f"<h3>{esc(gate.get('id', ''))} {esc(gate.get('name', ''))} "
            f"{badge(str(gate.get('status', '')))}</h3>"
        )
        blocks.append(
            table(
                ["status", "code", "source", "field", "value", "threshold", "evidence"],
                _gate_rows(gate),
                raw=True,
            )
        )
    return Section("decision", "Rollout decision", blocks)


def equity_section(run: RunData, max_points: int = MAX_POINTS) -> Section:
    """Every branch's equity curve with the drawdown beneath."""
    sizes = {b.name: (b.equity.size, keep_indices(b.equity, max_points).size) for b in run.branches}
    blocks: list[str | Chart] = [
        paragraph(
            "Line styles mark the roles: candidate thick, reference dashed, control dotted "
            "(roles from the daily manifest).",
            muted=True,
        ),
        Chart("chart-equity", figures.equity_figure(run, max_points)),
    ]
    note = _reduction_note("Equity and drawdown", sizes)
    if note:
        blocks.append(note)
    return Section("equity", "Equity and drawdown", blocks)


def metrics_section(run: RunData, values: Sequence[BranchMetrics], risk_free: float) -> Section:
    """The metrics table, branches side by side, and every definition."""
    return Section(
        "metrics",
        "Metrics",
        [
            metrics_table([b.label for b in run.branches], values),
            paragraph(
                f"{SESSIONS_PER_YEAR} sessions a year; risk-free rate {risk_free:.2%} a year "
                "(compounded to a per-session rate). Daily returns are close-to-close from "
                "equity.csv; the first session's close is the starting capital.",
                muted=True,
            ),
            "<h3>Definitions</h3>",
            definitions(),
        ],
    )


def monthly_section(run: RunData) -> Section:
    """One calendar-month heatmap per branch."""
    blocks: list[str | Chart] = [
        paragraph(
            "A month's return is its last close over the previous month's last close − 1 "
            "(the first month from the starting capital); Year compounds the months.",
            muted=True,
        )
    ]
    for index, branch in enumerate(run.branches):
        blocks.append(Chart(f"chart-monthly-{index}", figures.monthly_heatmap(branch)))
    return Section("monthly", "Monthly returns", blocks)


def _counts_table(run: RunData, attribute: str) -> str:
    keys = sorted({k for b in run.branches for k in getattr(b, attribute)})
    rows = [
        [key, *(f"{getattr(b, attribute).get(key, 0):,}" for b in run.branches)] for key in keys
    ]
    return table(
        ["", *(b.label for b in run.branches)],
        rows,
        numeric=[False, *[True] * len(run.branches)],
    )


def events_section(run: RunData) -> Section:
    """Event-type and reason-code counts per branch (charts, exact numbers folded)."""
    return Section(
        "events",
        "Events",
        [
            Chart("chart-event-types", figures.counts_figure(run, "event")),
            Chart("chart-reason-codes", figures.counts_figure(run, "reason")),
            "<details><summary>Exact counts</summary>",
            "<h3>By event type</h3>",
            _counts_table(run, "event_counts"),
            "<h3>By reason code</h3>",
            _counts_table(run, "reason_counts"),
            "</details>",
        ],
    )


def monitor_section(
    run: RunData, tracks: Sequence[ConditionTrack], max_points: int = MAX_POINTS
) -> Section:
    """The candidate's five monitor conditions over time, active spans shaded."""
    blocks: list[str | Chart] = [
        paragraph(
            f"Candidate {run.roles['candidate']} against reference {run.roles['reference']}. "
            f"Values are recomputed with the monitor's own functions (RC1 thresholds, "
            f"{RC1_MONITOR.decimals} decimals); the shaded sessions are the active flags "
            "published in monitor_history.csv.",
            muted=True,
        ),
        Chart("chart-monitor", figures.conditions_figure(tracks, max_points)),
    ]
    disagree = [t.spec.id for t in tracks if not t.agrees]
    if disagree:
        blocks.append(
            paragraph(
                f"Warning: monitor_history.csv disagrees with the recomputed flags for "
                f"{', '.join(disagree)} — the file may have been changed after the run."
            )
        )
    sizes = {t.spec.id: (t.value.size, keep_indices(t.value, max_points).size) for t in tracks}
    note = _reduction_note("Monitor conditions", sizes)
    if note:
        blocks.append(note)
    return Section("monitor", "Monitor conditions", blocks)


def timeline_section(
    records: Sequence[TimelineRecord], *, until: dt.date | None = None, source: str = "ledger"
) -> Section:
    """The decision and state timeline from ``records`` (see :class:`TimelineRecord`).

    Bands run from each decision's session to the next one's (the last to ``until``);
    reviewed sessions are marked. A session decided more than once shows its last
    decision. With no records the section says so instead of drawing an empty chart.
    """
    if not records:
        return Section(
            "timeline", "Decision timeline", [paragraph(f"The {source} holds no decision.")]
        )
    shown = latest_per_session(records)
    rows = [[r.session.isoformat(), r.decision, r.state or "—", r.review or "—"] for r in shown]
    return Section(
        "timeline",
        "Decision timeline",
        [
            paragraph(
                f"{len(records):,} decision(s) from the {source} over {len(shown):,} session(s); "
                "each holds until the next.",
                muted=True,
            ),
            Chart("chart-timeline", figures.timeline_figure(records, until)),
            "<details><summary>Every session's decision</summary>",
            table(["session", "decision", "state", "review"], rows),
            "</details>",
        ],
    )
