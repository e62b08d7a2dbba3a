"""What a run knows at its close: the active branch's signals, holdings and book, and
the market's state of the symbols a plan names.

The branch's side is read from its ``events.csv`` and ``equity.csv``, each checked
against the sha256 the manifest recorded (a plan is only ever made from the files the
run wrote). Numbers are taken from the files' text exactly (prices ``%.2f``, scores
``%.6f``), never re-rounded.

The market's side is read from the run's bars (:func:`market_at_close`): each symbol's
latest close on or before the run's session, its ST flag there, whether it traded at
the session, and — for the desk's holdings, which the exit rule evaluates — the RC1
limit flags at that close and the sessions it traded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from dragon_compat.confine import check_run_paths
from dragon_compat.errors import DragonUserError
from dragon_compat.rundir import (
    EQUITY_FILE,
    EVENTS_FILE,
    MANIFEST_FILE,
    ManifestDocument,
    branch_dir,
    branch_file,
)
from dragon_runtime import to_cents

__all__ = [
    "BranchClose",
    "EntrySignal",
    "ExitSignal",
    "SymbolClose",
    "market_at_close",
    "read_branch_close",
    "verified_output",
]


@dataclass(frozen=True, slots=True)
class EntrySignal:
    """An ENTER_SIGNAL at the close, as events.csv records it (``close_c`` in cents)."""

    symbol: str
    rank: int
    board_height: int
    alpha_score: float | None
    close_c: int
    predicates: str


@dataclass(frozen=True, slots=True)
class ExitSignal:
    """An EXIT_SIGNAL at the close: the whole position, its reason and close (cents)."""

    symbol: str
    shares: int
    reason: str
    close_c: int


@dataclass(frozen=True, eq=False)
class BranchClose:
    """The active branch at the run's close: entries by rank, exits by symbol, every
    position it holds (symbol -> shares) and its cash and equity (cents)."""

    branch: str
    entries: tuple[EntrySignal, ...]
    exits: tuple[ExitSignal, ...]
    holdings: Mapping[str, int]
    cash_c: int
    equity_c: int


def verified_output(run_dir: Path, branch: str, name: str, manifest: ManifestDocument) -> Path:
    """The branch's file ``name``, checked against the sha256 the manifest recorded.

    Orders are only ever planned from the files the run wrote: an edited or damaged
    file (which governance reports as OUTPUT_HASH_MISMATCH, and mode ``off`` would
    not see) is a user error, never a plan.
    """
    from dragon_compat.market_input import file_sha256

    relative = branch_file(branch, name)
    check_run_paths(run_dir, (relative,))
    path = branch_dir(run_dir, branch) / name
    recorded = manifest.output_sha256(relative)
    if recorded is None:
        raise DragonUserError(f"{run_dir / MANIFEST_FILE}: outputs do not list {relative}")
    if not path.is_file():
        raise DragonUserError(f"{path}: missing — the run directory is incomplete")
    if file_sha256(path) != recorded:
        raise DragonUserError(
            f"{path}: sha256 differs from the one recorded in {MANIFEST_FILE} (changed or "
            "damaged after the run); re-run `dragon daily`"
        )
    return path


def _cents(text: str) -> int:
    """Exact cents of an RC1 money or price text (``%.2f``)."""
    return int(Decimal(text) * 100)


def _number(text: str) -> float | None:
    """An events.csv number (its exact text as a float; JSON writes it back unchanged),
    or None for the empty text of a null."""
    return float(text) if text else None


def _equity_row(path: Path, as_of: dt.date) -> tuple[int, int]:
    equity = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = equity[equity["trade_date"] == as_of.isoformat()]
    if len(row) != 1:
        raise DragonUserError(f"{path}: no single row for {as_of.isoformat()}")
    return _cents(row["cash"].iloc[0]), _cents(row["equity"].iloc[0])


def read_branch_close(
    run_dir: Path, branch: str, as_of: dt.date, manifest: ManifestDocument
) -> BranchClose:
    """The branch's signals, holdings and book at the ``as_of`` close (module docstring).

    Every position held at a close has exactly one CLOSE event there — HOLD_POSITION
    or EXIT_SIGNAL — carrying its shares, so those events are the holdings.
    """
    events_path = verified_output(run_dir, branch, EVENTS_FILE, manifest)
    equity_path = verified_output(run_dir, branch, EQUITY_FILE, manifest)
    try:
        events = pd.read_csv(events_path, dtype=str, keep_default_na=False)
        today = events[(events["trade_date"] == as_of.isoformat()) & (events["phase"] == "CLOSE")]
        kind = today["event_type"]
        entries = tuple(
            EntrySignal(
                symbol=str(row.symbol),
                rank=int(str(row.rank)),
                board_height=int(str(row.board_height)),
                alpha_score=_number(str(row.alpha_score)),
                close_c=_cents(str(row.price)),
                predicates=str(row.predicates),
            )
            for row in today[kind == "ENTER_SIGNAL"].itertuples(index=False)
        )
        exits = tuple(
            ExitSignal(
                symbol=str(row.symbol),
                shares=int(str(row.shares)),
                reason=str(row.reason_code),
                close_c=_cents(str(row.price)),
            )
            for row in today[kind == "EXIT_SIGNAL"].itertuples(index=False)
        )
        held = today[kind.isin(["HOLD_POSITION", "EXIT_SIGNAL"])]
        holdings = {str(row.symbol): int(str(row.shares)) for row in held.itertuples(index=False)}
        cash_c, equity_c = _equity_row(equity_path, as_of)
    except (OSError, ValueError, KeyError, AttributeError, ArithmeticError) as err:
        raise DragonUserError(
            f"{branch_dir(run_dir, branch)}: cannot read the branch's close ({err})"
        ) from None
    return BranchClose(branch, entries, exits, holdings, cash_c, equity_c)


@dataclass(frozen=True, eq=False)
class SymbolClose:
    """A symbol at the run's close (cents).

    ``close_c`` is its latest close on or before the session — of its latest trading
    row when it has exit features, else of its latest row; ``is_st`` is the ST flag
    of that row; ``traded`` whether it traded at the session itself. With exit
    features: ``is_limit_up`` / ``is_broken`` at the session (False when it did not
    trade) and ``trading_dates``, the sessions it traded up to the run's session.
    """

    symbol: str
    close_c: int
    is_st: bool
    traded: bool
    is_limit_up: bool = False
    is_broken: bool = False
    trading_dates: np.ndarray | None = None

    def sessions_since(self, day: dt.date) -> int:
        """Sessions the symbol traded from ``day`` through the run's session."""
        dates = self.trading_dates if self.trading_dates is not None else np.array([])
        return int(np.count_nonzero(dates >= np.datetime64(day, "D")))


def market_at_close(
    bars: pd.DataFrame, as_of: dt.date, symbols: Collection[str], *, exit_features: bool
) -> dict[str, SymbolClose]:
    """Each of ``symbols`` that has a row on or before ``as_of`` in ``bars`` (a
    normalized frame); symbols without one are left out.

    With ``exit_features`` the RC1 features are computed over the bars up to
    ``as_of`` (:mod:`dragon_compat.prepare`'s limits and features steps), so the
    flags and suspensions are exactly the ones a run sees.
    """
    days = bars["trade_date"].to_numpy(dtype="datetime64[D]")
    session = np.datetime64(as_of, "D")
    upto = bars.iloc[: int(np.searchsorted(days, session, side="right"))]
    names = upto["symbol"].astype(str).to_numpy()
    keep = np.isin(names, np.array(sorted(symbols), dtype=object))
    if exit_features:
        from dragon_compat.prepare import annotate, featurize

        features = featurize(annotate(upto.reset_index(drop=True)))
        suspended = features["is_suspended"].to_numpy(dtype=bool)
        limit_up = features["is_limit_up"].to_numpy(dtype=bool)
        broken = features["is_broken"].to_numpy(dtype=bool)
    else:
        suspended = np.zeros(len(upto), dtype=bool)
        limit_up = broken = suspended
    closes = upto["close"].to_numpy(dtype=np.float64)
    st = upto["is_st"].to_numpy(dtype=bool)
    row_days = days[: len(upto)]
    found: dict[str, SymbolClose] = {}
    for symbol in sorted(set(names[keep])):
        rows = np.flatnonzero(names == symbol)
        trading = rows[~suspended[rows]]
        last = int(trading[-1]) if len(trading) else int(rows[-1])
        traded = bool(len(trading)) and row_days[last] == session
        found[symbol] = SymbolClose(
            symbol=symbol,
            close_c=int(to_cents(closes[last])),
            is_st=bool(st[last]),
            traded=traded,
            is_limit_up=traded and bool(limit_up[last]),
            is_broken=traded and bool(broken[last]),
            trading_dates=row_days[trading] if exit_features else None,
        )
    return found
