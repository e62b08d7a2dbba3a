"""The twelve RC1 predicates (docs/strategy.md), vectorized over feature rows.

Each predicate reads a few input columns (features from
:func:`dragon_compat.features.compute_features` plus the bars columns ``is_st``,
``amount`` and ``turnover_rate``) and gives, per row, an :class:`Outcome` code:
PASS, FAIL or UNAVAILABLE. UNAVAILABLE means an input of that row is missing (NaN,
None) or the predicate raised; a predicate that raises is UNAVAILABLE on every row
of that evaluation and affects no other predicate (weak-family isolation — the
same containment protects strong predicates, whose UNAVAILABLE becomes SKIP
``DATA_MISSING`` in :mod:`dragon_compat.selection`). A missing input column counts
as raising.

Ids, families and tiers are not defined here: they are the runtime reason
catalogue's (:data:`dragon_runtime.reasons.PREDICATE_IDS`, ``REASON_CATALOGUE``).
This module owns the rules and their thresholds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import pandas as pd

from dragon_runtime import PREDICATE_IDS, REASON_CATALOGUE, Family, ReasonCode, Tier

__all__ = [
    "BROKEN_RATE_MAX",
    "HEIGHT_CAP",
    "HEIGHT_SPACE_MIN",
    "LIMIT_DOWNS_MAX",
    "MIN_AMOUNT_CNY",
    "OUTCOME_LETTERS",
    "PREDICATES",
    "PREDICATE_BY_ID",
    "SEASONED_MIN_DAYS",
    "SECTOR_HEAT_MIN",
    "TURNOVER_BAND",
    "TURNOVER_SPIKE_MULTIPLE",
    "Outcome",
    "Predicate",
    "evaluate",
    "predicates_markdown",
    "predicates_strings",
]

logger = logging.getLogger(__name__)

HEIGHT_CAP: Final = 5
"""S1: board_height ≤ this."""
SEASONED_MIN_DAYS: Final = 60
"""S4: days_listed ≥ this many sessions."""
SECTOR_HEAT_MIN: Final = 2
"""L2: sector_limit_ups ≥ this."""
MIN_AMOUNT_CNY: Final = 1e8
"""Q1: amount ≥ this (CNY)."""
TURNOVER_BAND: Final = (3.0, 35.0)
"""Q2: low ≤ turnover_rate ≤ high (percent, both inclusive)."""
BROKEN_RATE_MAX: Final = 0.35
"""W1: broken_rate ≤ this."""
LIMIT_DOWNS_MAX: Final = 15
"""W2: market_limit_downs ≤ this."""
HEIGHT_SPACE_MIN: Final = 3
"""W3: max_height ≥ this."""
TURNOVER_SPIKE_MULTIPLE: Final = 2.5
"""V1: turnover_rate ≤ this × turnover_ma5."""


class Outcome(IntEnum):
    """A predicate's result on one row (stored as ``int8``)."""

    PASS = 0
    FAIL = 1
    UNAVAILABLE = 2


OUTCOME_LETTERS: Final = "PFU"
"""Recorded letter of each :class:`Outcome`, indexed by its value."""

Rule = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class Predicate:
    """One RC1 predicate: catalogue id, input columns and the vectorized rule.

    ``rule`` is called with one float64/bool/int array per input, positionally in
    ``inputs`` order, and returns a boolean array (True = PASS) of the same length.
    Values on rows with a missing input are ignored.
    """

    id: ReasonCode
    inputs: tuple[str, ...]
    rule: Rule
    passes_when: str

    @property
    def family(self) -> Family:
        """The predicate's family, from the runtime reason catalogue."""
        return REASON_CATALOGUE[self.id].family

    @property
    def tier(self) -> Tier:
        """``strong`` or ``weak``, from the runtime reason catalogue."""
        return REASON_CATALOGUE[self.id].tier

    def evaluate(self, rows: pd.DataFrame | Mapping[str, Any]) -> np.ndarray:
        """``int8`` :class:`Outcome` codes, one per row; never raises for a rule's error."""
        n = _row_count(rows)
        try:
            columns = [_column(rows, name, n) for name in self.inputs]
            missing = np.zeros(n, dtype=bool)
            for _, absent in columns:
                missing |= absent
            passed = np.asarray(self.rule(*(values for values, _ in columns)))
            if passed.shape != (n,):
                raise ValueError(f"rule returned shape {passed.shape}, expected ({n},)")
            passed = passed.astype(bool)
        except Exception as error:
            logger.warning(
                "predicate %s raised %s: %s; recorded UNAVAILABLE on all %d row(s)",
                self.id,
                type(error).__name__,
                error,
                n,
            )
            return np.full(n, Outcome.UNAVAILABLE, dtype=np.int8)
        out = np.where(passed, Outcome.PASS, Outcome.FAIL).astype(np.int8)
        out[missing] = Outcome.UNAVAILABLE
        return out


def _row_count(rows: pd.DataFrame | Mapping[str, Any]) -> int:
    if isinstance(rows, pd.DataFrame):
        return len(rows.index)
    lengths = {len(values) for values in rows.values()}
    if len(lengths) > 1:
        raise ValueError(f"input columns differ in length: {sorted(lengths)}")
    return lengths.pop() if lengths else 0


def _column(
    rows: pd.DataFrame | Mapping[str, Any], name: str, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """An input column as a numpy array plus its missing mask.

    Bool and integer columns pass through (never missing); float columns are missing
    where NaN; anything else (object, pandas nullable dtypes) is read as float64 with
    None/NA as NaN.
    """
    if name not in rows:
        raise KeyError(f"input column {name!r} is missing")
    values = rows[name]
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.api.extensions.ExtensionDtype):
        array = values.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        array = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if array.dtype.kind in "biu":
        return array, np.zeros(n, dtype=bool)
    if array.dtype.kind != "f":
        as_float = pd.Series(array, dtype=object).astype("Float64")
        array = as_float.to_numpy(dtype=np.float64, na_value=np.nan)
    return array, np.isnan(array)


def _not(values: np.ndarray) -> np.ndarray:
    return np.logical_not(values)


def _truth(values: np.ndarray) -> np.ndarray:
    return values.astype(bool)


PREDICATES: Final[tuple[Predicate, ...]] = (
    Predicate(
        ReasonCode.S1_HEIGHT_CAP,
        ("board_height",),
        lambda height: height <= HEIGHT_CAP,
        f"board_height <= {HEIGHT_CAP}",
    ),
    Predicate(ReasonCode.S2_NOT_ONE_WORD, ("is_one_word",), _not, "not is_one_word"),
    Predicate(ReasonCode.S3_NOT_ST, ("is_st",), _not, "not is_st"),
    Predicate(
        ReasonCode.S4_SEASONED,
        ("days_listed",),
        lambda days: days >= SEASONED_MIN_DAYS,
        f"days_listed >= {SEASONED_MIN_DAYS}",
    ),
    # sector_limit_ups is NaN where the sector is unknown: then leadership is unknown.
    Predicate(
        ReasonCode.L1_SECTOR_LEADER,
        ("is_sector_leader", "sector_limit_ups"),
        lambda leader, _heat: _truth(leader),
        "is_sector_leader (sector known)",
    ),
    Predicate(
        ReasonCode.L2_SECTOR_HEAT,
        ("sector_limit_ups",),
        lambda heat: heat >= SECTOR_HEAT_MIN,
        f"sector_limit_ups >= {SECTOR_HEAT_MIN}",
    ),
    Predicate(
        ReasonCode.Q1_MIN_AMOUNT,
        ("amount",),
        lambda amount: amount >= MIN_AMOUNT_CNY,
        f"amount >= {MIN_AMOUNT_CNY:,.0f} CNY",
    ),
    Predicate(
        ReasonCode.Q2_TURNOVER_BAND,
        ("turnover_rate",),
        lambda turnover: (turnover >= TURNOVER_BAND[0]) & (turnover <= TURNOVER_BAND[1]),
        f"{TURNOVER_BAND[0]:g} <= turnover_rate <= {TURNOVER_BAND[1]:g}",
    ),
    Predicate(
        ReasonCode.W1_BROKEN_RATE,
        ("broken_rate",),
        lambda rate: rate <= BROKEN_RATE_MAX,
        f"broken_rate <= {BROKEN_RATE_MAX}",
    ),
    Predicate(
        ReasonCode.W2_LIMIT_DOWNS,
        ("market_limit_downs",),
        lambda downs: downs <= LIMIT_DOWNS_MAX,
        f"market_limit_downs <= {LIMIT_DOWNS_MAX}",
    ),
    Predicate(
        ReasonCode.W3_HEIGHT_SPACE,
        ("max_height",),
        lambda height: height >= HEIGHT_SPACE_MIN,
        f"max_height >= {HEIGHT_SPACE_MIN}",
    ),
    Predicate(
        ReasonCode.V1_TURNOVER_SPIKE,
        ("turnover_rate", "turnover_ma5"),
        lambda turnover, ma5: turnover <= TURNOVER_SPIKE_MULTIPLE * ma5,
        f"turnover_rate <= {TURNOVER_SPIKE_MULTIPLE} x turnover_ma5",
    ),
)
"""The twelve predicates in table order (the order of ``PREDICATE_IDS``)."""

if tuple(p.id for p in PREDICATES) != PREDICATE_IDS:  # pragma: no cover - import-time guard
    raise ImportError("dragon_compat.predicates is out of step with dragon_runtime PREDICATE_IDS")

PREDICATE_BY_ID: Final[Mapping[str, Predicate]] = MappingProxyType({p.id: p for p in PREDICATES})
"""Predicate by id."""


def evaluate(
    rows: pd.DataFrame | Mapping[str, Any], *, predicates: Sequence[Predicate] = PREDICATES
) -> np.ndarray:
    """Outcome matrix ``int8 [n_rows, len(predicates)]``, columns in ``predicates`` order.

    ``rows`` is a DataFrame (or a mapping of equal-length arrays) holding every
    predicate's input columns, e.g. ``bars.join(features)`` restricted to a
    session's candidates. Never raises for a predicate's error: that predicate's
    column is UNAVAILABLE.
    """
    n = _row_count(rows)
    out = np.empty((n, len(predicates)), dtype=np.int8)
    for j, predicate in enumerate(predicates):
        out[:, j] = predicate.evaluate(rows)
    return out


def predicates_strings(
    outcomes: np.ndarray, *, predicates: Sequence[Predicate] = PREDICATES
) -> np.ndarray:
    """The recorded predicates string of every row, ``object`` array of str.

    ``ID=P|F|U`` for every predicate, full ids, in ``predicates`` order, joined by
    ``;`` (``S1_HEIGHT_CAP=P;S2_NOT_ONE_WORD=P;…;V1_TURNOVER_SPIKE=U``). Each
    distinct outcome row is formatted once.
    """
    matrix = np.asarray(outcomes, dtype=np.int8)
    if matrix.ndim != 2 or matrix.shape[1] != len(predicates):
        raise ValueError(
            f"outcomes has shape {matrix.shape}; expected (n, {len(predicates)}) for "
            f"{len(predicates)} predicates"
        )
    if matrix.size and (matrix.min() < 0 or matrix.max() > Outcome.UNAVAILABLE):
        raise ValueError("outcomes holds a code that is not PASS, FAIL or UNAVAILABLE")
    if matrix.shape[0] == 0:
        return np.empty(0, dtype=object)
    distinct, inverse = np.unique(matrix, axis=0, return_inverse=True)
    texts = np.array(
        [
            ";".join(
                f"{p.id}={OUTCOME_LETTERS[code]}" for p, code in zip(predicates, row, strict=True)
            )
            for row in distinct.tolist()
        ],
        dtype=object,
    )
    return texts[inverse.reshape(-1)]


def predicates_markdown() -> str:
    """The predicate table (id, family, tier, passes when, inputs) as Markdown.

    The package README embeds this text between ``generated:predicates`` markers;
    ``dragon_compat.docs_tables`` checks and rewrites it.
    """
    lines = ["| id | family | tier | passes when | inputs |", "|---|---|---|---|---|"]
    lines += [
        f"| `{p.id}` | {p.family} | {p.tier} | {p.passes_when} | "
        f"{', '.join(f'`{c}`' for c in p.inputs)} |"
        for p in PREDICATES
    ]
    return "\n".join(lines) + "\n"
