"""Page assembly: one self-contained, deterministic HTML file.

The page is plain HTML5 with its styles inline and plotly.js inlined **once** in
the head (``plotly.offline.get_plotlyjs()``); each chart is a ``<div>`` with a
stable id (``chart-…``) and the script that draws it, so nothing is fetched when
the page is opened — it works offline, from a file, in any current browser. The
ids of every chart are listed in ``<meta name="dragon-report-charts">`` so a
checker knows what must have rendered. No timestamp, path or random id is
written: the same inputs give the same bytes.

Text from the run (branch names, messages, codes) is always escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from dragon_compat.report.metrics import METRICS, BranchMetrics, MetricSpec

CHARTS_META = "dragon-report-charts"
"""``<meta name=…>`` whose content lists every chart div id, space-separated."""

PLOTLY_CONFIG: Mapping[str, Any] = {"displaylogo": False, "responsive": True}
"""The plotly config of every chart (no link out, redraw on resize)."""

STATUS_CLASSES = {
    "PASS": "pass",
    "WARN": "warn",
    "FAIL": "fail",
    "PROCEED": "pass",
    "HOLD": "warn",
    "ROLLBACK_REVIEW_REQUIRED": "fail",
}

_CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
  color: #1d1d1f; background: #f5f5f7; line-height: 1.45; }
header, main, footer { max-width: 1240px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 0 0 12px; }
h3 { font-size: 1rem; margin: 16px 0 8px; }
nav a { margin-right: 14px; color: #0066cc; text-decoration: none; }
section { background: white; border-radius: 10px; padding: 18px 20px; margin: 18px 0;
  box-shadow: 0 1px 2px rgba(0,0,0,0.06); }
table { border-collapse: collapse; font-size: 0.88rem; margin: 6px 0 10px; }
th, td { border-bottom: 1px solid #e5e5ea; padding: 4px 10px; text-align: left;
  vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #6e6e73; font-size: 0.88rem; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 600;
  font-size: 0.9rem; }
.pass { background: #e3f5e1; color: #1b6e1b; }
.warn { background: #fff1d6; color: #8a5a00; }
.fail { background: #fde2e1; color: #a61b1b; }
.chart { width: 100%; margin: 8px 0 14px; }
dl.definitions dt { font-weight: 600; margin-top: 6px; }
dl.definitions dd { margin: 0 0 0 16px; }
code { font-size: 0.85rem; }
footer { padding-bottom: 32px; }
"""


def esc(text: object) -> str:
    """HTML-escaped ``str(text)`` (quotes too)."""
    return html.escape(str(text), quote=True)


@dataclass(frozen=True, eq=False)
class Chart:
    """A figure drawn into the div ``id`` (a stable, page-unique id)."""

    id: str
    figure: go.Figure

    def to_html(self) -> str:
        height = self.figure.layout.height or 450
        return (
            '<div class="chart">'
            + pio.to_html(
                self.figure,
                config=dict(PLOTLY_CONFIG),
                include_plotlyjs=False,
                include_mathjax=False,
                full_html=False,
                div_id=self.id,
                default_width="100%",
                default_height=f"{int(height)}px",
                validate=False,
            )
            + "</div>"
        )


Block = str | Chart
"""A section's content: an HTML fragment (already escaped) or a chart."""


@dataclass(frozen=True, eq=False)
class Section:
    """A titled part of the page, with an anchor ``id``."""

    id: str
    title: str
    blocks: Sequence[Block] = field(default_factory=tuple)

    def charts(self) -> list[Chart]:
        return [block for block in self.blocks if isinstance(block, Chart)]

    def to_html(self) -> str:
        body = "\n".join(b.to_html() if isinstance(b, Chart) else b for b in self.blocks)
        return f'<section id="{esc(self.id)}">\n<h2>{esc(self.title)}</h2>\n{body}\n</section>'


def paragraph(text: str, *, muted: bool = False) -> str:
    """``<p>`` of escaped ``text``."""
    css = ' class="muted"' if muted else ""
    return f"<p{css}>{esc(text)}</p>"


def badge(status: str) -> str:
    """A coloured pill for a status or decision."""
    css = STATUS_CLASSES.get(status, "")
    return f'<span class="badge {css}">{esc(status)}</span>'


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    numeric: Sequence[bool] | None = None,
    raw: bool = False,
) -> str:
    """A table; cells are escaped unless ``raw`` (then they are HTML fragments)."""
    flags = list(numeric or [False] * len(headers))

    def cell(tag: str, value: str, index: int) -> str:
        css = ' class="num"' if flags[index] else ""
        return f"<{tag}{css}>{value if raw else esc(value)}</{tag}>"

    head = "".join(cell("th", esc(h) if raw else h, i) for i, h in enumerate(headers))
    body = "\n".join(
        "<tr>" + "".join(cell("td", value, i) for i, value in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def format_metric(spec: MetricSpec, value: float | int | None) -> str:
    """A metric as the table prints it ("n/a" when undefined, "∞" when infinite)."""
    if value is None:
        return "n/a"
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    if spec.format == "percent":
        return f"{value:.2%}"
    if spec.format == "ratio":
        return f"{value:.2f}"
    if spec.format == "sessions":
        return f"{value:.1f}" if isinstance(value, float) else f"{value:d}"
    return f"{int(value):,}"


def metrics_table(labels: Sequence[str], values: Sequence[BranchMetrics]) -> str:
    """Metrics as rows, branches side by side as columns."""
    rows = [
        [spec.label, *(format_metric(spec, getattr(m, spec.key)) for m in values)]
        for spec in METRICS
    ]
    return table(["metric", *labels], rows, numeric=[False, *[True] * len(labels)])


def definitions() -> str:
    """Every metric's definition, as a description list."""
    items = "\n".join(
        f"<dt>{esc(spec.label)}</dt><dd>{esc(spec.definition)}</dd>" for spec in METRICS
    )
    return f'<dl class="definitions">\n{items}\n</dl>'


def render_page(
    title: str, subtitle: str, sections: Sequence[Section], footer: Sequence[str]
) -> str:
    """The whole page: head (styles, plotly.js once), navigation, sections, footer."""
    charts = [chart.id for section in sections for chart in section.charts()]
    if len(set(charts)) != len(charts):
        raise ValueError(f"chart ids must be unique on the page: {charts}")
    nav = " ".join(f'<a href="#{esc(s.id)}">{esc(s.title)}</a>' for s in sections)
    body = "\n".join(section.to_html() for section in sections)
    notes = "\n".join(paragraph(note, muted=True) for note in footer)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="{CHARTS_META}" content="{esc(" ".join(charts))}">\n'
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n"
        '<script type="text/javascript">window.PlotlyConfig = {MathJaxConfig: "local"};</script>\n'
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
        "</head>\n<body>\n"
        f"<header>\n<h1>{esc(title)}</h1>\n{paragraph(subtitle, muted=True)}\n"
        f"<nav>{nav}</nav>\n</header>\n"
        f"<main>\n{body}\n</main>\n<footer>\n{notes}\n</footer>\n</body>\n</html>\n"
    )
