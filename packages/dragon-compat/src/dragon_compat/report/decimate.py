"""Honest reduction of long series for the charts: min/max per bucket.

A chart a thousand pixels wide cannot show more than a few thousand points per line,
and every point costs page weight and drawing time. A series longer than
``max_points`` is cut into ``(max_points - 2) // 3`` buckets of consecutive points
(sizes differ by at most one); each bucket keeps the points where the series takes
its **minimum and its maximum** within the bucket (the earlier one on ties), in
time order, and — if the bucket holds a gap (NaN) — its first NaN, so a gap stays a
gap. Peaks, troughs and the deepest drawdown therefore survive exactly; what is
lost is only the wiggle between them. Every kept point is a real data point (no
averaging), and the series' first and last points are always kept. Metrics are
always computed on the full series; only the drawing is reduced.
"""

from __future__ import annotations

import numpy as np

MAX_POINTS = 2000
"""Most points drawn per series; longer series are reduced (see the module docstring)."""

POINTS_PER_BUCKET = 3
"""At most: the minimum, the maximum and one NaN."""


def keep_indices(values: np.ndarray, max_points: int = MAX_POINTS) -> np.ndarray:
    """Sorted indices of the points of ``values`` to draw (all of them when short enough).

    ``values`` is a 1-d float array (NaN = gap). The result has at most
    ``max(max_points, 5)`` indices (three per bucket plus the two ends), always
    including 0 and ``len(values) - 1``.
    """
    values = np.asarray(values, dtype=float)
    size = values.size
    if size <= max_points:
        return np.arange(size)
    buckets = max((max_points - 2) // POINTS_PER_BUCKET, 1)
    bounds = np.linspace(0, size, buckets + 1).round().astype(np.int64)
    starts, stops = bounds[:-1], bounds[1:]
    # one row per bucket, padded to the longest bucket (sizes differ by at most one)
    offsets = np.arange(int((stops - starts).max()))
    grid = starts[:, None] + offsets[None, :]
    inside = grid < stops[:, None]
    cells = values[np.minimum(grid, size - 1)]
    missing = inside & np.isnan(cells)
    present = inside & ~missing
    lowest = np.argmin(np.where(present, cells, np.inf), axis=1)
    highest = np.argmax(np.where(present, cells, -np.inf), axis=1)
    gap = np.argmax(missing, axis=1)  # the first NaN (0 when the bucket has none)
    rows = np.arange(buckets)
    # an all-NaN bucket's argmin/argmax fall on its first point, itself its first NaN
    picks = [grid[rows, lowest], grid[rows, highest], grid[rows, gap][missing.any(axis=1)]]
    return np.unique(np.concatenate([*picks, [0, size - 1]]))


def reduce_series(
    x: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS
) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` restricted to :func:`keep_indices` of ``y``."""
    indices = keep_indices(y, max_points)
    return np.asarray(x)[indices], np.asarray(y)[indices]
