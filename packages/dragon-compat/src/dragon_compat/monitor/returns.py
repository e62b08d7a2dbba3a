"""The trailing N-session return, the one definition behind W2 and divergence.

For sessions ``0..n-1`` of a branch's equity path (end-of-session equity),
``r[i] = equity[i] / equity[max(i - N, 0)] - 1``: the return from the close N
sessions before ``i`` to the close of ``i``. With fewer than N earlier sessions
the base is the first session's close, so the window is the whole available
history (``r[0] = 0``). RC1 places no order on the first session (signals fill at
the next open), so the first close equals the starting capital and the short-window
return is the return since inception: a young candidate that lags is flagged as
soon as it lags, not 20 sessions later.
"""

from __future__ import annotations

import numpy as np


def trailing_returns(equity: np.ndarray, window: int) -> np.ndarray:
    """``equity[i] / equity[max(i - window, 0)] - 1`` for every session ``i``.

    ``equity`` must be positive (CNY, one value per session, in session order);
    the result is a float array of plain ratios (0.05 = +5%).
    """
    if window < 1:
        raise ValueError(f"window must be ≥ 1 session, got {window}")
    base = np.maximum(np.arange(equity.size) - window, 0)
    return equity / equity[base] - 1.0
