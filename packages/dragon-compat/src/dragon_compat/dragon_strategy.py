"""``DragonRuleEngine``: the backward-compatible RC1 facade.

Existing pipelines do ``from dragon_compat.dragon_strategy import DragonRuleEngine``
and call ``DragonRuleEngine().run(bars, branch="alpha_first")``. v2 keeps that
surface and its outputs byte for byte, while the execution loop itself now lives
in :func:`dragon_runtime.loop.run_loop`. The engine supplies the loop's four
decision hooks — :meth:`~DragonRuleEngine.candidates`,
:meth:`~DragonRuleEngine.evaluate_predicates`, :meth:`~DragonRuleEngine.select`
and :meth:`~DragonRuleEngine.exit_rule` — as ordinary methods, so a subclass can
override any of them. Each hook receives the runtime's
:class:`~dragon_runtime.hooks.SessionContext` plus the :class:`PreparedMarket` of
the run (bars, features, panel), so hooks hold no hidden state and one engine can
run several branches, or several markets, one after the other or concurrently.

Features are computed once per market (:meth:`~DragonRuleEngine.prepare`), and
the RC1 predicates once over every candidate row of the whole panel; the loop only
looks results up per session.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from dragon_compat.branches import BRANCHES, get_branch
from dragon_compat.exit_rule import RC1_EXIT_POLICY, ExitPolicy, exit_reason
from dragon_compat.features import compute_features
from dragon_compat.predicates import PREDICATES, evaluate, predicates_strings
from dragon_compat.selection import Screened, decide, rank_order, screen
from dragon_runtime import (
    ALPHA_SCORE_ANNOTATION,
    BOARD_HEIGHT_ANNOTATION,
    EQUITY_COLUMNS,
    EVENT_COLUMNS,
    SUMMARY_KEYS,
    TRADE_COLUMNS,
    Book,
    LoopConfig,
    LoopResult,
    MarketPanel,
    PositionView,
    SessionContext,
    Signal,
    Verdict,
    annotate_limits,
    run_loop,
    write_branch_outputs,
)

__all__ = [
    "BRANCH_NAMES",
    "EQUITY_COLUMNS",
    "EVENT_COLUMNS",
    "SUMMARY_KEYS",
    "TRADE_COLUMNS",
    "DragonRuleEngine",
    "LoopResult",
    "PreparedMarket",
]

BRANCH_NAMES: tuple[str, ...] = tuple(BRANCHES)
"""The four RC1 branches, in rc1-strategy.md §5 order."""


_HOOK_COLUMNS: tuple[str, ...] = (
    "board_height",
    "amount",
    "alpha_score",
    "is_broken",
    "is_limit_up",
)
"""Feature/bars columns the RC1 hooks read every session, resolved once in ``prepare``."""


@dataclass(frozen=True, eq=False)
class PreparedMarket:
    """A market made ready for any number of branch runs.

    - ``bars``: the normalized bars (with the integer-cent limit columns of
      :func:`~dragon_runtime.market.annotate_limits`).
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


class DragonRuleEngine:
    """The RC1 dragon-head rule engine (backward-compatible facade).

    ``run(bars, branch)`` evaluates one branch over a normalized bars frame (see
    :mod:`dragon_compat.data`) and returns the runtime's
    :class:`~dragon_runtime.loop.LoopResult`: the RC1 ``events``, ``trades`` and
    ``equity`` tables (columns :data:`EVENT_COLUMNS`, :data:`TRADE_COLUMNS`,
    :data:`EQUITY_COLUMNS`) and the ``summary`` dict (keys :data:`SUMMARY_KEYS`).
    """

    def __init__(
        self,
        *,
        loop_config: LoopConfig | None = None,
        exit_policy: ExitPolicy = RC1_EXIT_POLICY,
    ) -> None:
        self.loop_config = loop_config or LoopConfig()
        self.exit_policy = exit_policy

    # ------------------------------------------------------------------ running
    def prepare(self, bars: pd.DataFrame) -> PreparedMarket:
        """Limits, features, panel and candidate predicates for ``bars``, computed once.

        Raises ``ValueError`` naming the column when ``bars`` is not a normalized
        bars frame.
        """
        annotated = annotate_limits(bars)
        features = compute_features(annotated)
        panel = MarketPanel.from_frame(
            annotated,
            {
                BOARD_HEIGHT_ANNOTATION: features["board_height"].to_numpy(dtype=np.float64),
                ALPHA_SCORE_ANNOTATION: features["alpha_score"].to_numpy(dtype=np.float64),
            },
            carry_forward=(BOARD_HEIGHT_ANNOTATION,),
        )
        session_of_row = panel.session_of_row

        candidate_rows = np.flatnonzero(features["is_candidate"].to_numpy(dtype=bool))
        candidate_rows = candidate_rows[np.argsort(session_of_row[candidate_rows], kind="stable")]
        bounds = np.searchsorted(
            session_of_row[candidate_rows], np.arange(panel.shape[0] + 1), side="left"
        )
        outcomes = evaluate(_predicate_rows(annotated, features, candidate_rows))
        return PreparedMarket(
            bars=annotated,
            features=features,
            panel=panel,
            candidate_rows=candidate_rows,
            session_bounds=bounds,
            outcomes=outcomes,
            predicate_texts=predicates_strings(outcomes),
            hook_columns=MappingProxyType(
                {name: _column_values(annotated, features, name) for name in _HOOK_COLUMNS}
            ),
        )

    def run(
        self,
        bars: pd.DataFrame | None = None,
        branch: str = "rc1_baseline",
        *,
        market: PreparedMarket | None = None,
    ) -> LoopResult:
        """Run ``branch`` over ``bars`` (or an already prepared ``market``).

        Raises :class:`~dragon_compat.errors.DragonUserError` for an unknown branch,
        ``ValueError`` for a frame that is not normalized bars, and
        :class:`~dragon_runtime.hooks.HookError` when an overridden hook breaks the
        runtime's protocol.
        """
        config = get_branch(branch)
        if market is None:
            if bars is None:
                raise ValueError("run() needs bars or a prepared market")
            market = self.prepare(bars)
        hooks = _BoundHooks(self, market)
        return run_loop(market.panel, hooks, branch=config.name, config=self.loop_config)

    def run_all(
        self,
        bars: pd.DataFrame | None = None,
        branches: Iterable[str] = BRANCH_NAMES,
        *,
        market: PreparedMarket | None = None,
    ) -> dict[str, LoopResult]:
        """Run several branches on one market; features are computed once."""
        names = [get_branch(name).name for name in branches]
        if market is None:
            if bars is None:
                raise ValueError("run_all() needs bars or a prepared market")
            market = self.prepare(bars)
        return {name: self.run(branch=name, market=market) for name in names}

    @staticmethod
    def write(result: LoopResult, directory: str | Path) -> dict[str, str]:
        """Write a branch's four RC1 files canonically; returns ``{file: sha256}``."""
        return write_branch_outputs(
            directory,
            events=result.events,
            trades=result.trades,
            equity=result.equity,
            summary=result.summary,
        )

    # -------------------------------------------------------------------- hooks
    def candidates(self, ctx: SessionContext, market: PreparedMarket) -> np.ndarray:
        """RC1 candidates: trading symbols that closed limit-up with board_height ≥ 2."""
        rows = market.candidate_rows[market.candidate_positions(ctx.index)]
        return market.symbol_of_row[rows]

    def evaluate_predicates(
        self, ctx: SessionContext, candidates: np.ndarray, market: PreparedMarket
    ) -> list[Verdict]:
        """The twelve RC1 predicates for each candidate, screened for this branch.

        Strong FAIL → VETO (first in table order), then selective weak FAIL → VETO,
        strong UNAVAILABLE → SKIP DATA_MISSING; weak predicates are recorded only.
        """
        outcomes, texts = self._candidate_outcomes(ctx, candidates, market)
        screened = screen(outcomes, get_branch(ctx.branch))
        return [
            Verdict(predicates=text, outcome=verdict)
            for text, verdict in zip(texts.tolist(), screened, strict=True)
        ]

    def select(
        self,
        ctx: SessionContext,
        candidates: np.ndarray,
        verdicts: Sequence[Verdict],
        book: Book,
        market: PreparedMarket,
    ) -> list[Signal]:
        """The branch's ordering and one signal per candidate (§9 precedence)."""
        config = get_branch(ctx.branch)
        rows = market.panel.row[ctx.index, candidates]
        order = rank_order(
            market.panel.symbols[candidates],
            market.feature("board_height")[rows],
            market.feature("amount")[rows],
            market.feature("alpha_score")[rows],
            config.ordering,
        )
        screened: list[Screened] = [v.outcome for v in verdicts]  # type: ignore[misc]
        held = np.fromiter((int(s) in book.held for s in candidates), dtype=bool)
        decisions = decide(order, screened, held, book.free_slots, config.top_k)
        return [
            Signal(
                symbol=int(candidates[d.index]),
                rank=d.rank,
                event_type=d.event_type,
                reason_code=d.reason_code,
                predicates=verdicts[d.index].predicates,
            )
            for d in decisions
        ]

    def exit_rule(
        self, ctx: SessionContext, position: PositionView, market: PreparedMarket
    ) -> str | None:
        """RC1 exit rule (:mod:`dragon_compat.exit_rule`) for a held, trading position."""
        row = int(market.panel.row[ctx.index, position.symbol])
        return exit_reason(
            close_c=int(market.panel.close_c[ctx.index, position.symbol]),
            entry_price_c=position.entry_price_c,
            is_broken=bool(market.feature("is_broken")[row]),
            is_limit_up=bool(market.feature("is_limit_up")[row]),
            hold_sessions=position.hold_sessions,
            policy=self.exit_policy,
        )

    # ---------------------------------------------------------------- internals
    def _candidate_outcomes(
        self, ctx: SessionContext, candidates: np.ndarray, market: PreparedMarket
    ) -> tuple[np.ndarray, np.ndarray]:
        """Precomputed outcomes when ``candidates`` are the session's RC1 candidates,
        else (an overridden :meth:`candidates`) evaluated for exactly these rows."""
        positions = market.candidate_positions(ctx.index)
        precomputed = market.candidate_rows[positions]
        rows = market.panel.row[ctx.index, candidates]
        if np.array_equal(precomputed, rows):
            return market.outcomes[positions], market.predicate_texts[positions]
        outcomes = evaluate(_predicate_rows(market.bars, market.features, rows))
        return outcomes, predicates_strings(outcomes)


class _BoundHooks:
    """Adapts an engine + prepared market to the runtime's hooks protocol (the branch
    reaches the hooks as ``ctx.branch``)."""

    __slots__ = ("_engine", "_market")

    def __init__(self, engine: DragonRuleEngine, market: PreparedMarket) -> None:
        self._engine = engine
        self._market = market

    def candidates(self, ctx: SessionContext) -> np.ndarray:
        return self._engine.candidates(ctx, self._market)

    def evaluate_predicates(self, ctx: SessionContext, candidates: np.ndarray) -> list[Verdict]:
        return self._engine.evaluate_predicates(ctx, candidates, self._market)

    def select(
        self,
        ctx: SessionContext,
        candidates: np.ndarray,
        verdicts: Sequence[Verdict],
        book: Book,
    ) -> list[Signal]:
        return self._engine.select(ctx, candidates, verdicts, book, self._market)

    def exit_rule(self, ctx: SessionContext, position: PositionView) -> str | None:
        return self._engine.exit_rule(ctx, position, self._market)


def _column_values(bars: pd.DataFrame, features: pd.DataFrame, name: str) -> np.ndarray:
    """Feature column ``name``, else bars column ``name``, as a read-only array."""
    column = features[name] if name in features.columns else bars[name]
    values = column.to_numpy().view()  # a view: never flags the frame's own array
    values.flags.writeable = False
    return values


def _predicate_rows(
    bars: pd.DataFrame, features: pd.DataFrame, rows: np.ndarray
) -> Mapping[str, np.ndarray]:
    """The columns the predicates read (features first, else bars), restricted to ``rows``."""
    needed = sorted({name for predicate in PREDICATES for name in predicate.inputs})
    return {name: _column_values(bars, features, name)[rows] for name in needed}
