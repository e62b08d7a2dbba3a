"""Making a market ready for RC1 branch runs: four named steps and their composition.

A market is prepared once and then run for any number of branches. Preparation is
four steps, each a function of the previous steps' results (nothing else):

1. **limits** — :func:`annotate`: integer-cent prices and daily limits
   (:func:`dragon_runtime.annotate_limits`);
2. **features** — :func:`featurize`: every RC1 feature of every row
   (:func:`dragon_compat.features.compute_features`);
3. **panel** — :func:`build_panel`: the dense [session, symbol] panel the loop runs
   on, annotated with ``board_height`` (carried over suspensions) and
   ``alpha_score``;
4. **predicates** — :func:`evaluate_candidates`: the RC1 candidates of every
   session and the twelve predicates over each of them, once for the whole panel.

:func:`assemble` puts the four results together into a :class:`PreparedMarket`;
:func:`prepare_market` is the whole composition (what
:meth:`dragon_compat.dragon_strategy.DragonRuleEngine.prepare` calls). The steps
are public so a caller — the benchmark — can run and time them one by one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from dragon_compat.exit_rule import EXIT_INPUTS
from dragon_compat.features import compute_features
from dragon_compat.predicates import PREDICATES, evaluate, predicates_strings
from dragon_compat.selection import RANK_INPUTS
from dragon_runtime import (
    ALPHA_SCORE_ANNOTATION,
    BOARD_HEIGHT_ANNOTATION,
    MarketPanel,
    annotate_limits,
)

__all__ = [
    "HOOK_COLUMNS",
    "CandidateOutcomes",
    "PreparedMarket",
    "annotate",
    "assemble",
    "build_panel",
    "evaluate_candidates",
    "evaluate_rows",
    "featurize",
    "prepare_market",
]

HOOK_COLUMNS: tuple[str, ...] = (*RANK_INPUTS, *EXIT_INPUTS)
"""Feature/bars columns the RC1 hooks read every session (the selection's ranking
inputs, the exit rule's), resolved once by :func:`assemble`."""

_PREDICATE_INPUTS: tuple[str, ...] = tuple(
    sorted({name for predicate in PREDICATES for name in predicate.inputs})
)
"""Every column a predicate reads (features first, else bars), once."""


@dataclass(frozen=True, eq=False)
class CandidateOutcomes:
    """The RC1 candidates of a whole market and their predicate outcomes (step 4).

    - ``rows``: bars rows that are candidates, ordered by session (stable, so by
      row within a session); ``session_bounds[t]:session_bounds[t + 1]`` slices
      session ``t``'s (``len(session_bounds)`` = sessions + 1).
    - ``outcomes``: ``int8`` outcome matrix ``[len(rows), 12]``
      (:func:`dragon_compat.predicates.evaluate`); ``texts``: the recorded
      predicates string of each row (same order).
    """

    rows: np.ndarray
    session_bounds: np.ndarray
    outcomes: np.ndarray
    texts: np.ndarray


@dataclass(frozen=True, eq=False)
class PreparedMarket:
    """A market made ready for any number of branch runs.

    - ``bars``: the normalized bars (with the integer-cent limit columns of
      :func:`~dragon_runtime.annotate_limits`).
    - ``features``: :func:`~dragon_compat.features.compute_features`, row for row.
    - ``panel``: the dense [session, symbol] panel the loop runs on, annotated with
      ``board_height`` (carried over suspensions) and ``alpha_score``.
    - ``symbol_of_row`` (property): panel symbol index of every bars row.
    - ``candidate_rows``: bars rows that are RC1 candidates, ascending;
      ``session_bounds[t]:session_bounds[t + 1]`` slices session ``t``'s.
    - ``outcomes`` / ``predicate_texts``: predicate outcome matrix and recorded
      strings of every candidate row (aligned with ``candidate_rows``).
    - ``hook_columns``: read-only name -> array over bars rows of the columns the
      RC1 hooks read each session (resolved as :meth:`feature` does), so the loop
      does no per-call DataFrame lookup. Empty means none are cached.
    """

    bars: pd.DataFrame
    features: pd.DataFrame
    panel: MarketPanel
    candidate_rows: np.ndarray
    session_bounds: np.ndarray
    outcomes: np.ndarray
    predicate_texts: np.ndarray
    hook_columns: Mapping[str, np.ndarray] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def symbol_of_row(self) -> np.ndarray:
        """Panel symbol index of every bars row (the panel's own map)."""
        return self.panel.symbol_of_row

    def candidate_positions(self, t: int) -> slice:
        """Positions in ``candidate_rows`` of session ``t``'s candidates."""
        return slice(int(self.session_bounds[t]), int(self.session_bounds[t + 1]))

    def feature(self, name: str) -> np.ndarray:
        """Feature (or bars) column ``name`` as a read-only numpy array over bars rows.

        A feature wins over a bars column of the same name; ``KeyError`` when
        neither has it. Hook columns come from ``hook_columns`` (no lookup).
        """
        cached = self.hook_columns.get(name)
        if cached is not None:
            return cached
        return _column_values(self.bars, self.features, name)


# ------------------------------------------------------------------- the steps
def annotate(bars: pd.DataFrame) -> pd.DataFrame:
    """Step 1, limits: ``bars`` with the runtime's cent and limit columns appended.

    Raises ``ValueError`` naming column and row for a price off the cent grid.
    """
    return annotate_limits(bars)


def featurize(annotated: pd.DataFrame) -> pd.DataFrame:
    """Step 2, features: every RC1 feature of every row of the annotated bars.

    Raises ``ValueError`` naming the column when ``annotated`` is not normalized bars.
    """
    return compute_features(annotated)


def build_panel(annotated: pd.DataFrame, features: pd.DataFrame) -> MarketPanel:
    """Step 3, panel: the dense panel of ``annotated`` with the two event annotations
    (``board_height`` carried forward over sessions without a row, ``alpha_score``)."""
    return MarketPanel.from_frame(
        annotated,
        {
            BOARD_HEIGHT_ANNOTATION: features["board_height"].to_numpy(dtype=np.float64),
            ALPHA_SCORE_ANNOTATION: features["alpha_score"].to_numpy(dtype=np.float64),
        },
        carry_forward=(BOARD_HEIGHT_ANNOTATION,),
    )


def evaluate_candidates(
    annotated: pd.DataFrame, features: pd.DataFrame, panel: MarketPanel
) -> CandidateOutcomes:
    """Step 4, predicates: the candidate rows (feature ``is_candidate``) grouped by
    session, and the twelve predicates over exactly those rows."""
    session_of_row = panel.session_of_row
    rows = np.flatnonzero(features["is_candidate"].to_numpy(dtype=bool))
    rows = rows[np.argsort(session_of_row[rows], kind="stable")]
    bounds = np.searchsorted(session_of_row[rows], np.arange(panel.shape[0] + 1), side="left")
    outcomes, texts = evaluate_rows(annotated, features, rows)
    return CandidateOutcomes(rows=rows, session_bounds=bounds, outcomes=outcomes, texts=texts)


def assemble(
    annotated: pd.DataFrame,
    features: pd.DataFrame,
    panel: MarketPanel,
    candidates: CandidateOutcomes,
) -> PreparedMarket:
    """The four steps' results as one :class:`PreparedMarket` (hook columns resolved;
    read-only views, nothing copied)."""
    return PreparedMarket(
        bars=annotated,
        features=features,
        panel=panel,
        candidate_rows=candidates.rows,
        session_bounds=candidates.session_bounds,
        outcomes=candidates.outcomes,
        predicate_texts=candidates.texts,
        hook_columns=MappingProxyType(
            {name: _column_values(annotated, features, name) for name in HOOK_COLUMNS}
        ),
    )


def prepare_market(bars: pd.DataFrame) -> PreparedMarket:
    """limits → features → panel → predicates over ``bars``, assembled.

    Raises ``ValueError`` naming the column when ``bars`` is not a normalized bars
    frame.
    """
    annotated = annotate(bars)
    features = featurize(annotated)
    panel = build_panel(annotated, features)
    return assemble(annotated, features, panel, evaluate_candidates(annotated, features, panel))


# ----------------------------------------------------------------- row helpers
def evaluate_rows(
    bars: pd.DataFrame, features: pd.DataFrame, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The predicate outcome matrix and recorded strings of the bars ``rows``
    (any rows, in the order given; each predicate reads features first, else bars)."""
    inputs = {name: _column_values(bars, features, name)[rows] for name in _PREDICATE_INPUTS}
    outcomes = evaluate(inputs)
    return outcomes, predicates_strings(outcomes)


def _column_values(bars: pd.DataFrame, features: pd.DataFrame, name: str) -> np.ndarray:
    """Feature column ``name``, else bars column ``name``, as a read-only array."""
    column = features[name] if name in features.columns else bars[name]
    values = column.to_numpy().view()  # a view: never flags the frame's own array
    values.flags.writeable = False
    return values
