"""Builders of the pipeline integration tests: the test market's facts and helpers.

The market (built by the ``market_path`` fixture in conftest) is
``generate_market(MARKET_SYMBOLS, MARKET_SESSIONS, MARKET_SEED, end=MARKET_END)``;
its window spans the 2024 National Day holiday (2024-10-01 .. 2024-10-07). Tests and
fixtures import what is here; conftest holds the fixtures only.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from dragon_compat.branches import DEMO_ROLES

MARKET_SYMBOLS = 120
MARKET_SESSIONS = 60
MARKET_SEED = 3
MARKET_END = date(2024, 10, 10)
"""Last session of the test market."""
EVE_SESSION = date(2024, 9, 30)
"""The last session before National Day."""
NEXT_AFTER_EVE = date(2024, 10, 8)
"""The XSHG session after :data:`EVE_SESSION` (2024-10-01 .. 10-07 is National Day)."""
HOLIDAY = date(2024, 10, 5)
"""A non-session date inside the market's range (National Day)."""
OTHER_SESSION = date(2024, 9, 24)
"""Another session of the market, for "a different run" in the same directory."""

CANDIDATE = DEMO_ROLES.candidate
FALLBACK = DEMO_ROLES.fallback
BRANCH_FILES = ("events.csv", "trades.csv", "equity.csv", "summary.json")
MONITOR_FILES = (
    "monitor_health.json",
    "monitor_history.csv",
    "divergence.json",
    "refined_control.json",
)

#: environment variables that would make rich colour or size output as on a terminal
_TERMINAL_ENV = ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "LINES")

Snapshot = dict[str, bytes]


def snapshot(root: Path) -> Snapshot:
    """Every file under ``root`` (hidden ones too): relative POSIX path -> bytes."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


SIGNAL_FIELDS = {
    "entries": ("symbol", "rank", "board_height", "alpha_score", "close", "predicates"),
    "exits": ("symbol", "shares", "reason"),
}
"""The fields of a plan's orders that are the branch's signals (the rest is sizing)."""


def signals_of(orders: dict[str, list[dict[str, object]]]) -> dict[str, list[dict[str, object]]]:
    """A plan's ``orders`` reduced to :data:`SIGNAL_FIELDS`, in the form of
    :func:`close_signals` (entries by rank, exits by symbol)."""
    return {
        side: [{key: order[key] for key in keys} for order in orders[side]]
        for side, keys in SIGNAL_FIELDS.items()
    }


def close_signals(run_dir: Path, branch: str, session: date) -> dict[str, list[dict[str, object]]]:
    """The branch's ENTER_SIGNAL/EXIT_SIGNAL events at ``session``'s close, in the form
    ``forward_plan.json`` lists orders (prices and scores as numbers) — read with
    ``csv``, independently of the pipeline."""
    text = (run_dir / "branches" / branch / "events.csv").read_text(encoding="utf-8")
    rows = [
        row
        for row in csv.DictReader(io.StringIO(text))
        if row["trade_date"] == session.isoformat() and row["phase"] == "CLOSE"
    ]
    return {
        "entries": [
            {
                "symbol": row["symbol"],
                "rank": int(row["rank"]),
                "board_height": int(row["board_height"]),
                "alpha_score": float(row["alpha_score"]),
                "close": float(row["price"]),
                "predicates": row["predicates"],
            }
            for row in rows
            if row["event_type"] == "ENTER_SIGNAL"
        ],
        "exits": [
            {"symbol": row["symbol"], "shares": int(row["shares"]), "reason": row["reason_code"]}
            for row in rows
            if row["event_type"] == "EXIT_SIGNAL"
        ],
    }


def piped_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment minus terminal overrides, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in _TERMINAL_ENV}
    env.update(extra or {})
    return env


DragonCli = Callable[..., subprocess.CompletedProcess[str]]


def run_dragon(
    *args: str | Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run ``dragon ARGS...`` in a subprocess of this interpreter, output piped (text,
    UTF-8), the environment :func:`piped_env` plus ``env``; never raises on exit codes."""
    return subprocess.run(
        [sys.executable, "-m", "dragon_compat.cli", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=piped_env(env),
        cwd=cwd,
        check=False,
        timeout=timeout,
    )
