"""The markets a sweep's cells run on, each prepared once.

Two stages, so the expensive one is shared:

1. :func:`featurize_until` — the whole market's bars up to a window's last session,
   annotated with limits and every RC1 feature (:mod:`dragon_compat.prepare`'s steps
   1–2). Features are market-wide: a universe restricts what a branch may trade, not
   the breadth the predicates measure (broken-board rate, limit-downs), so one
   featurized market per (data, window end) serves every universe.
2. :func:`window_market` — that market's rows of one universe and one window, made
   into the dense panel with its candidates and predicates (steps 3–4): the
   :class:`~dragon_compat.prepare.PreparedMarket` every branch of the cell group runs
   on. History before the window shaped the features; the branch starts the window
   with fresh capital.

A window without sessions in the data or a universe without a symbol there is a
:class:`CellFailure` (the cells fail; the sweep goes on).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dragon_compat.prepare import (
    PreparedMarket,
    annotate,
    assemble,
    build_panel,
    evaluate_candidates,
    featurize,
)
from dragon_compat.sweep.grid import Universe, Window
from dragon_runtime import board_of

__all__ = [
    "CellFailure",
    "FeaturizedMarket",
    "featurize_until",
    "featurized_nbytes",
    "market_nbytes",
    "prepared_from",
    "universe_rows",
    "window_market",
]


class CellFailure(Exception):
    """A cell that cannot run on the data (its failed row carries ``str(err)``)."""


@dataclass(frozen=True, eq=False)
class FeaturizedMarket:
    """Annotated bars up to ``end`` (every symbol) and their features, row for row."""

    end: dt.date
    annotated: pd.DataFrame
    features: pd.DataFrame


def featurize_until(bars: pd.DataFrame, end: dt.date) -> FeaturizedMarket:
    """Steps 1–2 of preparation over ``bars``' rows on or before ``end``."""
    dates = bars["trade_date"].to_numpy(dtype="datetime64[D]")
    upto = bars.loc[dates <= np.datetime64(end, "D")].reset_index(drop=True)
    annotated = annotate(upto)
    return FeaturizedMarket(end=end, annotated=annotated, features=featurize(annotated))


def universe_rows(bars: pd.DataFrame, universe: Universe) -> np.ndarray:
    """Boolean mask of ``bars``' rows whose symbol passes every filter of ``universe``."""
    keep = np.ones(len(bars), dtype=bool)
    symbols = bars["symbol"].astype("category")
    if universe.boards:
        names = symbols.cat.categories.astype(str)
        wanted = np.array([board_of(name).value in universe.boards for name in names], dtype=bool)
        codes = symbols.cat.codes.to_numpy()
        keep &= wanted[codes]
    if universe.symbols:
        keep &= symbols.isin(universe.symbols).to_numpy(dtype=bool)
    if universe.sectors:
        keep &= bars["sector"].astype(str).isin(universe.sectors).to_numpy(dtype=bool)
    return keep


def window_market(
    featurized: FeaturizedMarket, universe: Universe, window: Window
) -> PreparedMarket:
    """Steps 3–4 over the ``universe``'s rows of ``featurized`` inside ``window``.

    Raises :class:`CellFailure` when the data has no session in the window or the
    universe selects no symbol there.
    """
    annotated, features = featurized.annotated, featurized.features
    dates = annotated["trade_date"].to_numpy(dtype="datetime64[D]")
    inside = (dates >= np.datetime64(window.start, "D")) & (dates <= np.datetime64(window.end, "D"))
    if not inside.any():
        raise CellFailure(f"window {window.label}: the data has no session in it")
    rows = inside & universe_rows(annotated, universe)
    if not rows.any():
        raise CellFailure(
            f"universe {universe.name!r}: selects no symbol of the data in window {window.label}"
        )
    bars = annotated.loc[rows].reset_index(drop=True)
    feats = features.loc[rows].reset_index(drop=True)
    return prepared_from(bars, feats)


def prepared_from(annotated: pd.DataFrame, features: pd.DataFrame) -> PreparedMarket:
    """Steps 3–4 over annotated rows and their features (row for row)."""
    panel = build_panel(annotated, features)
    return assemble(annotated, features, panel, evaluate_candidates(annotated, features, panel))


def _frame_nbytes(frame: pd.DataFrame) -> int:
    return int(frame.memory_usage(deep=False).sum())


def featurized_nbytes(featurized: FeaturizedMarket) -> int:
    """Bytes a featurized market holds (registered with dask's ``sizeof``)."""
    return _frame_nbytes(featurized.annotated) + _frame_nbytes(featurized.features)


def market_nbytes(market: PreparedMarket) -> int:
    """Bytes a prepared market holds (frames and panel arrays): what shipping it costs
    and what a worker keeps in memory (registered with dask's ``sizeof``)."""
    total = _frame_nbytes(market.bars) + _frame_nbytes(market.features)
    for item in dataclasses.fields(market.panel):
        value = getattr(market.panel, item.name)
        arrays = value.values() if isinstance(value, Mapping) else (value,)
        total += sum(array.nbytes for array in arrays if isinstance(array, np.ndarray))
    return total
