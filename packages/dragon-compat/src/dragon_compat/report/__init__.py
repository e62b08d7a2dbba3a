"""``dragon report``: one self-contained HTML page of a run and its decision history.

The page (:func:`dragon_compat.report.build.build_report`) shows every branch's
equity and drawdown, a metrics table with each definition, monthly returns,
event and reason-code counts, the monitor's five conditions over time, the rollout
decision with every gate's evidence and — given a ledger — the decision timeline.
Charts are plotly figures with plotly.js inlined once, so the file opens offline.

plotly is the optional extra ``dragon-compat[report]``; this module imports only
the standard library, so the CLI can say what to install when it is missing
(:func:`require_plotly`). Modules: ``rundata`` (reading a run directory),
``metrics`` (pure metric functions), ``conditions`` (monitor values over time),
``decimate`` (reducing long series), ``timeline`` (decision records, ledger),
``figures`` (plotly), ``html`` (page assembly), ``sections``, ``build``,
``browser`` (the headless-Chromium check) and ``shot`` (``hatch run report:shot``).
"""

from __future__ import annotations

from pathlib import Path

REPORT_EXTRA_HINT = "pip install 'dragon-compat[report]'"
"""What to install for ``dragon report``."""

REPORT_FILE = "report.html"
"""The report's file name where a command chooses it (the demo's run directory)."""


def plotly_available() -> bool:
    """Whether plotly can be imported (the ``report`` extra is installed)."""
    try:
        import plotly  # noqa: F401
    except ImportError:
        return False
    return True


def require_plotly() -> None:
    """Raise :class:`~dragon_compat.errors.DragonUserError` (exit 2) without plotly."""
    from dragon_compat.errors import DragonUserError

    if not plotly_available():
        raise DragonUserError(
            f"the HTML report needs plotly, which is not installed: {REPORT_EXTRA_HINT}"
        )


def check_out_path(out: Path) -> Path:
    """``out`` if an HTML page can be written there, else a user error (exit 2)."""
    from dragon_compat.errors import DragonUserError

    out = Path(out)
    if out.is_dir():
        raise DragonUserError(f"{out}: is a directory; name the HTML file to write")
    if not out.parent.is_dir():
        raise DragonUserError(f"{out.parent}: no such directory for the report {out.name}")
    return out


__all__ = [
    "REPORT_EXTRA_HINT",
    "REPORT_FILE",
    "check_out_path",
    "plotly_available",
    "require_plotly",
]
