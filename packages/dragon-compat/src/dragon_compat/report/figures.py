"""The report's plotly figures, one function per chart.

Every figure is built from the run's data alone (no clock, no randomness), with a
fixed height and a small shared template, so the same run gives the same figure
JSON. Long series are reduced with :mod:`dragon_compat.report.decimate` before
they are drawn; the page says when that happened. Imports plotly: only reached
when the ``report`` extra is installed (see :mod:`dragon_compat.report`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dragon_compat.report import metrics
from dragon_compat.report.conditions import ConditionTrack
from dragon_compat.report.decimate import MAX_POINTS, reduce_series
from dragon_compat.report.rundata import BranchRun, RunData
from dragon_compat.report.timeline import DECISIONS, Band, TimelineRecord, bands
from dragon_runtime import EventType, ReasonCode

BRANCH_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
"""Branch colours, by the branch's position in the manifest."""

ROLE_LINES: Mapping[str | None, dict[str, float | str]] = {
    "candidate": {"width": 3.0, "dash": "solid"},
    "reference": {"width": 2.0, "dash": "dash"},
    "control": {"width": 2.0, "dash": "dot"},
    None: {"width": 1.5, "dash": "solid"},
}
"""How each role's line is drawn (the legend names the role too)."""

DECISION_COLOURS: Mapping[str, str] = dict(
    zip(DECISIONS, ("#2ca02c", "#ff9f1c", "#d62728"), strict=True)
)
STATE_COLOURS = ("#4c78a8", "#72b7b2", "#b279a2", "#9d755d", "#bab0ac")
ACTIVE_FILL = "rgba(214, 39, 40, 0.18)"
_DAY = dt.timedelta(days=1)

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_TEMPLATE = go.layout.Template(
    layout={
        "font": {"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 12},
        "paper_bgcolor": "white",
        "plot_bgcolor": "#fbfbfd",
        "margin": {"l": 70, "r": 30, "t": 50, "b": 50},
        "hovermode": "x unified",
        "legend": {"bgcolor": "rgba(255,255,255,0.8)"},
        "xaxis": {"gridcolor": "#e5e5ea", "zeroline": False, "automargin": True},
        "yaxis": {"gridcolor": "#e5e5ea", "zeroline": False, "automargin": True},
    }
)


def _figure(figure: go.Figure, height: int, title: str) -> go.Figure:
    figure.update_layout(template=_TEMPLATE, height=height, title={"text": title, "x": 0})
    return figure


def _days(sessions: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(sessions, dtype="datetime64[D]"), unit="D")


def colour_of(run: RunData, branch: BranchRun) -> str:
    """The branch's colour (by manifest position)."""
    index = [b.name for b in run.branches].index(branch.name)
    return BRANCH_COLOURS[index % len(BRANCH_COLOURS)]


def equity_figure(run: RunData, max_points: int = MAX_POINTS) -> go.Figure:
    """Every branch's equity on one chart, its drawdown beneath (shared session axis)."""
    figure = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.05,
        row_heights=(0.68, 0.32),
        subplot_titles=("Equity (CNY)", "Drawdown from the running peak"),
    )
    for branch in run.branches:
        colour = colour_of(run, branch)
        line = {"color": colour, **ROLE_LINES[branch.role]}
        days = _days(branch.sessions)
        x, y = reduce_series(days, branch.equity, max_points)
        figure.add_trace(
            go.Scatter(
                x=x,
                y=y,
                name=branch.label,
                legendgroup=branch.name,
                line=line,
                hovertemplate="%{y:,.2f}",
            ),
            row=1,
            col=1,
        )
        x, y = reduce_series(days, -metrics.drawdowns(branch.equity), max_points)
        figure.add_trace(
            go.Scatter(
                x=x,
                y=y,
                name=branch.label,
                legendgroup=branch.name,
                showlegend=False,
                line={**line, "width": min(float(line["width"]), 2.0)},
                hovertemplate="%{y:.2%}",
            ),
            row=2,
            col=1,
        )
    figure.update_yaxes(tickformat=".0%", row=2, col=1)
    return _figure(figure, 620, "Equity and drawdown, every branch")


def monthly_heatmap(branch: BranchRun) -> go.Figure:
    """The branch's calendar-month returns (rows = years) and each year's compounded return."""
    table = metrics.monthly_returns(branch.sessions, branch.equity)
    years = metrics.year_returns(table)
    z = np.column_stack([table.to_numpy(dtype=float), years.to_numpy(dtype=float)])
    text = np.where(np.isnan(z), "", np.char.mod("%+.1f%%", np.nan_to_num(z) * 100.0))
    labels = [str(year) for year in table.index]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[*MONTHS, "Year"],
            y=labels,
            text=text,
            texttemplate="%{text}",
            colorscale="RdYlGn",
            zmid=0.0,
            colorbar={"tickformat": ".0%", "title": {"text": "return"}},
            hovertemplate="%{y} %{x}: %{z:.2%}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    figure.update_yaxes(autorange="reversed", type="category")
    return _figure(figure, 140 + 34 * max(len(labels), 1), f"Monthly returns — {branch.label}")


def _ordered(keys: Iterable[str], known: Sequence[str]) -> list[str]:
    """``keys`` in the catalogue's order, unknown ones after it, sorted."""
    present = set(keys)
    ordered = [key for key in known if key in present]
    return ordered + sorted(present - set(ordered))


def counts_figure(run: RunData, kind: str) -> go.Figure:
    """Grouped horizontal bars per branch: ``kind`` ``"event"`` (types) or ``"reason"`` (codes).

    Categories follow the runtime catalogue's order (unknown ones after it, sorted),
    top to bottom.
    """
    if kind == "event":
        counts_of = {b.name: b.event_counts for b in run.branches}
        known: Sequence[str] = [str(e) for e in EventType]
        title = "Events by type, per branch"
    else:
        counts_of = {b.name: b.reason_counts for b in run.branches}
        known = [str(r) for r in ReasonCode]
        title = "Events by reason code, per branch"
    keys = _ordered((k for counts in counts_of.values() for k in counts), known)
    figure = go.Figure()
    for branch in run.branches:
        figure.add_trace(
            go.Bar(
                y=keys,
                x=[counts_of[branch.name].get(key, 0) for key in keys],
                name=branch.label,
                orientation="h",
                marker_color=colour_of(run, branch),
                hovertemplate="%{y}: %{x:,}",
            )
        )
    figure.update_layout(barmode="group", hovermode="closest", bargap=0.25)
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(title={"text": "events"})
    per_key = 8 + 6 * len(run.branches)
    return _figure(figure, 140 + per_key * max(len(keys), 1), title)


def conditions_figure(tracks: Sequence[ConditionTrack], max_points: int = MAX_POINTS) -> go.Figure:
    """Each monitor condition's value against its threshold; active sessions shaded."""
    figure = make_subplots(
        rows=len(tracks),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        specs=[[{"secondary_y": True}] for _ in tracks],
        subplot_titles=[f"{t.spec.id} ({t.spec.tier}): {t.spec.rule}" for t in tracks],
    )
    for row, track in enumerate(tracks, start=1):
        days = _days(track.sessions)
        ratio = track.spec.unit == "ratio"
        x, y = reduce_series(days, track.active.astype(float), max_points)
        figure.add_trace(
            go.Scatter(
                x=x,
                y=y,
                name="active",
                legendgroup="active",
                showlegend=row == 1,
                mode="lines",
                line={"width": 0, "shape": "hv"},
                fill="tozeroy",
                fillcolor=ACTIVE_FILL,
                hoverinfo="skip",
            ),
            row=row,
            col=1,
            secondary_y=True,
        )
        x, y = reduce_series(days, track.value, max_points)
        figure.add_trace(
            go.Scatter(
                x=x,
                y=y,
                name="value",
                legendgroup="value",
                showlegend=row == 1,
                line={"color": "#1f77b4", "width": 1.6},
                hovertemplate="%{y:.2%}" if ratio else "%{y:.0f}",
            ),
            row=row,
            col=1,
        )
        figure.add_trace(
            go.Scatter(
                x=[days[0], days[-1]] if days.size else [],
                y=[track.threshold, track.threshold] if days.size else [],
                name="threshold",
                legendgroup="threshold",
                showlegend=row == 1,
                mode="lines",
                line={"color": "#d62728", "width": 1.2, "dash": "dash"},
                hovertemplate="%{y}",
            ),
            row=row,
            col=1,
        )
        figure.update_yaxes(range=(0, 1), visible=False, row=row, col=1, secondary_y=True)
        figure.update_yaxes(tickformat=".0%" if ratio else "d", row=row, col=1, secondary_y=False)
    return _figure(figure, 190 * max(len(tracks), 1) + 80, "Monitor conditions over time")


def _milliseconds(band_start: dt.date, band_end: dt.date) -> int:
    return (band_end - band_start).days * 86_400_000


def timeline_figure(records: Sequence[TimelineRecord], until: dt.date | None = None) -> go.Figure:
    """Decision bands, state bands and review marks on one session axis.

    Rows: ``decision`` (PROCEED / HOLD / ROLLBACK_REVIEW_REQUIRED coloured), ``state``
    (one colour per state), ``review`` (a diamond on each reviewed session). See
    :func:`dragon_compat.report.timeline.bands` for how records become bands.
    """
    figure = go.Figure()
    decision_bands = bands(records, "decision", until=until)
    for decision in DECISIONS:
        chosen = [b for b in decision_bands if b.value == decision]
        if chosen:
            figure.add_trace(_band_trace("decision", chosen, decision, DECISION_COLOURS[decision]))
    state_bands = bands(records, "state", until=until)
    states = list(dict.fromkeys(b.value for b in state_bands))
    for index, state in enumerate(states):
        chosen = [b for b in state_bands if b.value == state]
        colour = STATE_COLOURS[index % len(STATE_COLOURS)]
        figure.add_trace(_band_trace("state", chosen, f"state: {state}", colour))
    reviewed = [r for r in records if r.review is not None]
    if reviewed:
        figure.add_trace(
            go.Scatter(
                x=[r.session.isoformat() for r in reviewed],
                y=["review"] * len(reviewed),
                text=[r.review for r in reviewed],
                mode="markers",
                name="review",
                marker={"symbol": "diamond", "size": 12, "color": "#333"},
                hovertemplate="%{x}: %{text}<extra>review</extra>",
            )
        )
    figure.update_layout(barmode="overlay", hovermode="closest")
    figure.update_xaxes(type="date")
    figure.update_yaxes(
        categoryorder="array", categoryarray=["review", "state", "decision"], type="category"
    )
    return _figure(figure, 300, "Decision and state timeline")


def _band_trace(row: str, chosen: Sequence[Band], name: str, colour: str) -> go.Bar:
    return go.Bar(
        base=[b.start.isoformat() for b in chosen],
        x=[_milliseconds(b.start, b.end) for b in chosen],
        y=[row] * len(chosen),
        customdata=[[b.start.isoformat(), (b.end - _DAY).isoformat()] for b in chosen],
        orientation="h",
        name=name,
        marker={"color": colour},
        hovertemplate=f"{name}<br>%{{customdata[0]}} .. %{{customdata[1]}}<extra></extra>",
    )
