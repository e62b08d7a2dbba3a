"""A hand-made market for forward plans, written as files and run through ``run_daily``.

Six sessions (``sessions(6)``); the plan is made after session :data:`AS_OF_INDEX` (4)
and is for session 5, whose every open equals session 4's close (the builder's
default ``open = pre_close``), so the plan's estimates are exactly what the runtime
fills — the full six-session run is the oracle.

- ``600001.SH`` (chips, leader) chains limit-ups on sessions 1-3: a candidate at
  session 2's close, bought at session 3's open at 12.11, limit-up again at 3's
  close, 12.50 at session 4's close → EXIT_SIGNAL NOT_LIMIT_UP at the plan's close.
- ``600002.SH`` (chips, follower) limit-up on sessions 1-2 (the sector's heat), then
  flat at 12.10.
- ``000003.SZ`` (autos, leader; 9.68 after two limit-ups) and ``000004.SZ`` (autos,
  follower) limit-up on sessions 3-4: ``000003.SZ`` is an ENTER_SIGNAL at the plan's
  close.
- ``920001.BJ`` (BSE, leader) and ``920002.BJ`` (follower) limit-up (+30 %) on
  sessions 3-4 from 13,000.00: ``920001.BJ`` closes at 21,970.00, an ENTER_SIGNAL
  ranked first (it trades the most) whose one lot (≈ 2.2 M CNY) does not fit a
  1 M CNY book's 200,000 CNY slot.
- ``600007.SH`` (banks) trades flat at 7.00, is suspended (zero volume) at session 4.

The bars are written as a native CSV **without** ``is_st``; a side table
(``symbol,is_st``) completes them, so a test can change the side table alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pandas as pd

from tests.compat.builders import LIMIT_UP, SUSPENDED, make_bars, path, sessions

__all__ = [
    "AS_OF",
    "AS_OF_INDEX",
    "NEXT",
    "PlanFiles",
    "plan_bars",
    "write_plan_market",
    "write_side",
]

AS_OF_INDEX: Final = 4
AS_OF: Final = sessions(6)[AS_OF_INDEX].date()
NEXT: Final = sessions(6)[AS_OF_INDEX + 1].date()

BSE_START: Final = 13_000.0


def plan_bars() -> pd.DataFrame:
    """The six-session market (module docstring) as a normalized frame."""
    flat_bse = [BSE_START] * 3
    return make_bars(
        path("600001.SH", [10.0, LIMIT_UP, LIMIT_UP, LIMIT_UP, 12.5, 12.5], sector="chips",
             amount=5e8),
        path("600002.SH", [10.0, LIMIT_UP, LIMIT_UP, 12.1, 12.1, 12.1], sector="chips",
             amount=3e8),
        path("000003.SZ", [8.0, 8.0, 8.0, LIMIT_UP, LIMIT_UP, 9.68], sector="autos",
             amount=5e8),
        path("000004.SZ", [8.0, 8.0, 8.0, LIMIT_UP, LIMIT_UP, 9.68], sector="autos",
             amount=3e8),
        path("920001.BJ", [*flat_bse, LIMIT_UP, LIMIT_UP, 21_970.0], sector="bse", amount=9e8),
        path("920002.BJ", [*flat_bse, LIMIT_UP, LIMIT_UP, 21_970.0], sector="bse", amount=3e8),
        path("600007.SH", [7.0, 7.0, 7.0, 7.0, SUSPENDED, 7.0], sector="banks"),
    )  # fmt: skip


class PlanFiles:
    """The market's files in ``root``: ``bars`` (native CSV without ``is_st``) and
    ``side`` (``symbol,is_st``); ``full`` is the six-session bars, ``cut`` the first
    five (the plan's run)."""

    def __init__(self, root: Path, *, st: bool = False) -> None:
        self.root = root
        self.bars = root / "bars.csv"
        self.cut = root / "bars_cut.csv"
        self.side = root / "st.csv"
        frame = plan_bars()
        text = frame.drop(columns=["is_st"]).assign(
            trade_date=frame["trade_date"].dt.strftime("%Y-%m-%d"),
            list_date="",
        )
        text.to_csv(self.bars, index=False)
        last = sessions(6)[AS_OF_INDEX].strftime("%Y-%m-%d")
        text[text["trade_date"] <= last].to_csv(self.cut, index=False)
        self.write_side(st=st)

    def write_side(self, *, st: bool) -> None:
        """Every symbol ST (``st``) or none."""
        write_side(self.side, st=st)


def write_side(path: Path, *, st: bool) -> None:
    """A ``symbol,is_st`` side table of every symbol of the market: all ST, or none."""
    symbols = sorted(plan_bars()["symbol"].astype(str).unique())
    pd.DataFrame({"symbol": symbols, "is_st": [st] * len(symbols)}).to_csv(path, index=False)


def write_plan_market(root: Path) -> PlanFiles:
    """The market's files under ``root`` (created)."""
    root.mkdir(parents=True, exist_ok=True)
    return PlanFiles(root)
