"""What a tape looks like, in a dozen numbers: the statistics the sample is calibrated on.

:func:`tape_stats` measures a normalized bars frame (as
:func:`dragon_compat.data.load_bars` returns it). Limit flags and board heights are
exactly the RC1 features' (:func:`dragon_compat.features.compute_features`, whose
limit prices come from :func:`dragon_runtime.market.annotate_limits`), so the
statistics describe the market the strategy sees. Definitions:

- A **traded bar** has ``volume > 0`` (NaN volume counts as 0). A **limited bar** is
  a traded bar with a daily price limit (IPO days, ``has_limit`` False, are not).
- **Close levels** ``close_p1 … close_p99``, ``close_max``: quantiles of ``close``
  (CNY) over traded bars, every bar one observation (numpy's linear interpolation).
- **Return dispersion**: ``r = close / pre_close − 1`` over limited bars.
  ``return_std`` is its population standard deviation (ddof 0); ``return_mad`` the
  median absolute deviation from its median (unscaled). Fractions (0.031 = 3.1 %).
- ``limit_up_share`` / ``limit_down_share``: limited bars closing on the up / down
  limit (``is_limit_up`` / ``is_limit_down``), as a fraction of limited bars;
  ``…_non_st`` the same over limited bars without ``is_st`` (ST names have 5 %
  limits and hit them several times as often).
- **Chains**: ``height2_share`` / ``height3_share`` are the fractions of limit-up
  closes whose ``board_height`` (consecutive limit-up closes over the symbol's own
  trading rows) is ≥ 2 / ≥ 3; ``max_height`` the tallest board (0 without any).
- ``broken_rate``: bars that touched the up limit (high ≥ up limit) but closed
  below it, over bars that touched it (0.0 when none did); the whole tape pooled.
- ``suspension_rate``: suspended symbol-sessions over all symbol-sessions, counting
  for each symbol the sessions from its first row to its last (a session of the
  tape's own calendar — the distinct ``trade_date`` values — without a row for the
  symbol, or a row with ``volume == 0``, is suspended). Sessions before a symbol's
  first row and after its last are not counted: not yet listed, or no longer.
- ``st_share``: rows with ``is_st``, over all rows.
- **Relay** (what buying a height-≥ 2 board at the next open meets): a *signal* is
  a limit-up close with ``board_height`` ≥ 2 followed by another traded bar of the
  same symbol (its *next session*). ``relay_continuation``: share of signals whose
  next session closes limit-up. ``relay_gap``: mean of ``next open / close − 1``.
  ``relay_open_to_close``: mean of ``next close / next open − 1`` over signals whose
  next session is not a one-word board (``is_one_word``: no entry possible).

An empty selection gives NaN for the statistic (``max_height`` 0,
``broken_rate`` 0.0). Everything is vectorized over the frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

__all__ = ["CLOSE_QUANTILES", "TapeStats", "tape_stats"]

CLOSE_QUANTILES: Final[tuple[tuple[str, float], ...]] = (
    ("close_p1", 0.01),
    ("close_p10", 0.10),
    ("close_p50", 0.50),
    ("close_p90", 0.90),
    ("close_p99", 0.99),
)
"""Field name → quantile of the close-level distribution."""


@dataclass(frozen=True)
class TapeStats:
    """The statistics of one tape (definitions: module docstring)."""

    rows: int
    symbols: int
    sessions: int
    close_p1: float
    close_p10: float
    close_p50: float
    close_p90: float
    close_p99: float
    close_max: float
    return_std: float
    return_mad: float
    limit_up_share: float
    limit_down_share: float
    limit_up_share_non_st: float
    limit_down_share_non_st: float
    height2_share: float
    height3_share: float
    max_height: int
    broken_rate: float
    suspension_rate: float
    st_share: float
    relay_continuation: float
    relay_gap: float
    relay_open_to_close: float


def tape_stats(bars: pd.DataFrame) -> TapeStats:
    """The :class:`TapeStats` of a normalized bars frame (see the module docstring).

    Raises ``ValueError`` like :func:`~dragon_compat.features.compute_features` for
    a frame that is not normalized (unsorted, duplicate keys, off-grid prices).
    """
    from dragon_compat.features import compute_features
    from dragon_runtime import annotate_limits

    annotated = annotate_limits(bars)
    features = compute_features(annotated)  # uses the annotated limits as they are
    traded = ~features["is_suspended"].to_numpy(dtype=bool)
    limited = traded & annotated["has_limit"].to_numpy(dtype=bool)
    close = bars["close"].to_numpy(dtype=np.float64)
    levels = _quantiles(close[traded])
    returns = close[limited] / bars["pre_close"].to_numpy(dtype=np.float64)[limited] - 1.0
    limit_up = features["is_limit_up"].to_numpy(dtype=bool)
    limit_down = features["is_limit_down"].to_numpy(dtype=bool)
    non_st = limited & ~bars["is_st"].to_numpy(dtype=bool)
    heights = features["board_height"].to_numpy(dtype=np.int64)[limit_up]
    touched = int(features["touched_up"].sum())
    return TapeStats(
        rows=len(bars),
        symbols=int(bars["symbol"].nunique()),
        sessions=int(bars["trade_date"].nunique()),
        **levels,
        close_max=float(close[traded].max()) if traded.any() else float("nan"),
        return_std=float(np.std(returns)) if len(returns) else float("nan"),
        return_mad=_mad(returns),
        limit_up_share=_share(int(limit_up.sum()), int(limited.sum())),
        limit_down_share=_share(int(limit_down.sum()), int(limited.sum())),
        limit_up_share_non_st=_share(int((limit_up & non_st).sum()), int(non_st.sum())),
        limit_down_share_non_st=_share(int((limit_down & non_st).sum()), int(non_st.sum())),
        height2_share=_share(int((heights >= 2).sum()), len(heights)),
        height3_share=_share(int((heights >= 3).sum()), len(heights)),
        max_height=int(heights.max()) if len(heights) else 0,
        broken_rate=int(features["is_broken"].sum()) / touched if touched else 0.0,
        suspension_rate=_suspension_rate(bars, traded),
        st_share=_share(int(bars["is_st"].to_numpy(dtype=bool).sum()), len(bars)),
        **_relay(bars, features, traded),
    )


def _relay(bars: pd.DataFrame, features: pd.DataFrame, traded: np.ndarray) -> dict[str, float]:
    """The relay statistics: each signal against its symbol's next traded bar."""
    codes = pd.Categorical(bars["symbol"]).codes
    rows = np.flatnonzero(traded)
    rows = rows[np.argsort(codes[rows], kind="stable")]  # per symbol, in date order
    paired = codes[rows[:-1]] == codes[rows[1:]]
    current, following = rows[:-1][paired], rows[1:][paired]
    limit_up = features["is_limit_up"].to_numpy(dtype=bool)
    height = features["board_height"].to_numpy(dtype=np.int64)
    signal = limit_up[current] & (height[current] >= 2)
    current, following = current[signal], following[signal]
    open_ = bars["open"].to_numpy(dtype=np.float64)
    close = bars["close"].to_numpy(dtype=np.float64)
    enterable = ~features["is_one_word"].to_numpy(dtype=bool)[following]
    day = close[following[enterable]] / open_[following[enterable]] - 1.0
    return {
        "relay_continuation": _share(int(limit_up[following].sum()), len(following)),
        "relay_gap": _mean(open_[following] / close[current] - 1.0),
        "relay_open_to_close": _mean(day),
    }


def _mean(values: np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else float("nan")


def _quantiles(values: np.ndarray) -> dict[str, float]:
    if len(values) == 0:
        return {name: float("nan") for name, _ in CLOSE_QUANTILES}
    points = np.quantile(values, [q for _, q in CLOSE_QUANTILES])
    return {name: float(v) for (name, _), v in zip(CLOSE_QUANTILES, points, strict=True)}


def _mad(values: np.ndarray) -> float:
    if len(values) == 0:
        return float("nan")
    return float(np.median(np.abs(values - np.median(values))))


def _share(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")


def _suspension_rate(bars: pd.DataFrame, traded: np.ndarray) -> float:
    """Suspended symbol-sessions (zero-volume rows + missing sessions inside each
    symbol's first..last row) over all symbol-sessions inside those spans."""
    if len(bars) == 0:
        return float("nan")
    _, session = np.unique(bars["trade_date"].to_numpy(), return_inverse=True)
    symbol = pd.Categorical(bars["symbol"]).codes.astype(np.int64)
    n_symbols = int(symbol.max()) + 1
    first = np.full(n_symbols, np.iinfo(np.int64).max)
    last = np.full(n_symbols, -1)
    np.minimum.at(first, symbol, session)
    np.maximum.at(last, symbol, session)
    present = last >= 0
    spans = int((last[present] - first[present] + 1).sum())
    missing = spans - len(bars)
    zero_volume = int((~traded).sum())
    return (missing + zero_volume) / spans
