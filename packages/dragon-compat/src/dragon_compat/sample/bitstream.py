"""Random numbers whose values do not depend on numpy's version or the CPU.

numpy keeps its *BitGenerator* streams stable across releases (NEP 19), but not the
distribution methods of ``Generator`` (``normal``, ``choice``, ... may change their
algorithm). So the market generator draws nothing but
``np.random.PCG64(seed).random_raw()`` — raw 64-bit words — and derives everything
else here with IEEE-754 operations that are correctly rounded on every platform
(``+ − × ÷``, ``floor``, comparisons, integer shifts):

- uniform on [0, 1): the top 52 bits as a mantissa, ``bits(0x3FF…| raw >> 12) − 1``
  (the float64 ``1.m`` minus one: exact, ``m / 2**52``);
- a bell-shaped variate: the Irwin–Hall sum of three uniforms, centred and scaled
  to unit variance, ``(u1 + u2 + u3 − 1.5) × 2`` (support [−3, 3]);
- an index in ``range(n)``: ``floor(u × n)``; a weighted index: ``searchsorted`` of
  ``u`` in the normalized cumulative weights;
- a draw from a tabulated distribution: the inverse of a piecewise-linear CDF through
  ``(cumulative share, value)`` knots, ``searchsorted`` then one subtraction, one
  division, one multiplication and one addition per element (separate numpy
  operations, so no fused multiply-add can change a last bit).

Deliberately absent: ``log``, ``exp``, ``sin``/``cos`` (so no Box–Muller). numpy
computes those with SIMD code paths (SVML on AVX-512, other kernels elsewhere) that
may differ in the last bit between machines and releases, and one flipped bit can
move a rounded price by a cent. Float reductions whose order numpy may change
(``sum``, ``mean``) are avoided too; ``cumsum`` is sequential.
"""

from __future__ import annotations

import numpy as np

_ONE_EXPONENT = np.uint64(0x3FF0000000000000)
_SHIFT = np.uint64(12)


class BitStream:
    """A sequential source of uniforms from PCG64's raw output for one seed."""

    def __init__(self, seed: int) -> None:
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, not {seed!r}")
        self._bits = np.random.PCG64(seed)

    def uniform(self, *shape: int) -> np.ndarray:
        """float64 uniforms on [0, 1) of the given shape (consumes one word each)."""
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        raw = np.asarray(self._bits.random_raw(count), dtype=np.uint64)
        values = ((raw >> _SHIFT) | _ONE_EXPONENT).view(np.float64) - 1.0
        return values.reshape(shape) if shape else values


def bell(u1: np.ndarray, u2: np.ndarray, u3: np.ndarray) -> np.ndarray:
    """Unit-variance, zero-mean, bell-shaped variates from three uniform arrays."""
    return ((u1 + u2) + u3 - 1.5) * 2.0


def between(u: np.ndarray, low: float | np.ndarray, high: float | np.ndarray) -> np.ndarray:
    """``u`` mapped linearly onto [low, high)."""
    return low + (high - low) * u


def index_below(u: np.ndarray | float, n: int | np.ndarray) -> np.ndarray:
    """Uniform index in ``range(n)`` from ``u`` in [0, 1)."""
    return np.floor(np.asarray(u) * n).astype(np.int64)


def weighted_index(u: np.ndarray | float, weights: tuple[float, ...] | np.ndarray) -> np.ndarray:
    """Index ``i`` with probability ``weights[i] / sum(weights)``."""
    cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
    return np.searchsorted(cumulative / cumulative[-1], np.asarray(u), side="right").astype(
        np.int64
    )


def from_knots(u: np.ndarray, knots: tuple[tuple[float, float], ...]) -> np.ndarray:
    """``u`` in [0, 1) mapped through the inverse of a piecewise-linear CDF.

    ``knots`` are ``(cumulative share, value)`` pairs with shares strictly rising
    from 0.0 to 1.0 and values non-decreasing: a share ``q`` of the draws falls at
    or below the value of the knot at ``q``, linearly in between. Raises ValueError
    for knots that are not of that form.
    """
    shares = np.array([q for q, _ in knots], dtype=np.float64)
    values = np.array([v for _, v in knots], dtype=np.float64)
    if (
        len(knots) < 2
        or shares[0] != 0.0
        or shares[-1] != 1.0
        or not (np.diff(shares) > 0).all()
        or not (np.diff(values) >= 0).all()
    ):
        raise ValueError(
            f"knots must rise from share 0.0 to 1.0 with non-decreasing values: {knots}"
        )
    u = np.asarray(u, dtype=np.float64)
    j = np.minimum(np.searchsorted(shares, u, side="right") - 1, len(shares) - 2)
    fraction = (u - shares[j]) / (shares[j + 1] - shares[j])
    return values[j] + fraction * (values[j + 1] - values[j])
