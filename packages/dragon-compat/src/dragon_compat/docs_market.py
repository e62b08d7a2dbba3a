"""The market and portfolio tables of ``docs/strategy.md``, computed by the runtime.

The limit % of each board is not written down here: :func:`board_limits_markdown`
asks :func:`dragon_runtime.limit_pcts` for one example symbol of each board, ST or
not, on each side of the ChiNext reform date, so the page shows what the loop
applies. :func:`portfolio_markdown` reads :class:`dragon_runtime.LoopConfig`'s
defaults and :data:`dragon_runtime.LOT_SIZE`. Both are registered in
:data:`dragon_compat.docs_tables.GENERATED`.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

__all__ = ["BOARD_EXAMPLES", "board_limits_markdown", "portfolio_markdown"]

BOARD_EXAMPLES: Final[tuple[tuple[str, str, str], ...]] = (
    ("main board", "SH 600/601/603/605, SZ 000/001/002/003", "600000.SH"),
    ("ChiNext (创业板)", "SZ 300/301", "300001.SZ"),
    ("STAR (科创板)", "SH 688/689", "688001.SH"),
    ("BSE (北交所)", ".BJ", "830799.BJ"),
    ("any other code", "e.g. SH 900 (B shares)", "900901.SH"),
)
"""(board, codes, an example symbol the runtime classifies as that board)."""


def board_limits_markdown() -> str:
    """Daily limit % by board, ST or not, before and from the ChiNext reform."""
    import numpy as np

    from dragon_runtime import CHINEXT_REFORM_DATE, limit_pcts

    before = CHINEXT_REFORM_DATE - dt.timedelta(days=1)
    dates = [before, CHINEXT_REFORM_DATE]
    lines = [
        f"| board | codes | before {CHINEXT_REFORM_DATE.isoformat()} | "
        f"ST, before | from {CHINEXT_REFORM_DATE.isoformat()} | ST, from |",
        "|---|---|---|---|---|---|",
    ]
    for board, codes, symbol in BOARD_EXAMPLES:
        cells = []
        for day in dates:
            for st in (False, True):
                pct = limit_pcts(
                    np.array([symbol], dtype=object),
                    np.array([st]),
                    np.array([day], dtype="datetime64[D]"),
                )
                cells.append(f"{int(pct[0])}%")
        lines.append(f"| {board} | {codes} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def portfolio_markdown() -> str:
    """RC1's book: capital, positions, lot and the per-entry target."""
    from dragon_runtime import LOT_SIZE, LoopConfig

    config = LoopConfig()
    capital = config.initial_capital_c / 100
    rows = [
        ("starting capital", f"{capital:,.2f} CNY", "`LoopConfig.initial_capital_c`"),
        ("positions at most", f"{config.max_positions}", "`LoopConfig.max_positions`"),
        ("lot", f"{LOT_SIZE} shares", "`LOT_SIZE`"),
        (
            "target per entry",
            f"min(cash, equity at the prior close ÷ {config.max_positions})",
            "sizing in the loop",
        ),
    ]
    lines = ["| what | RC1 | where |", "|---|---|---|"]
    lines += [f"| {what} | {value} | {where} |" for what, value, where in rows]
    return "\n".join(lines) + "\n"
