"""``DragonRuleEngine``: the backward-compatible RC1 facade.

Existing pipelines do ``from dragon_compat.dragon_strategy import DragonRuleEngine``
and call ``DragonRuleEngine().run(bars, branch="alpha_first")``; a branch may also be
given as a :class:`~dragon_compat.branches.BranchConfig` (one of RC1's, or one read
from a branch file, :mod:`dragon_compat.branch_file`). v2 keeps that
surface and its outputs byte for byte, while the execution loop itself now lives
in :func:`dragon_runtime.run_loop`. The engine supplies the loop's four
decision hooks — :meth:`~DragonRuleEngine.candidates`,
:meth:`~DragonRuleEngine.evaluate_predicates`, :meth:`~DragonRuleEngine.select`
and :meth:`~DragonRuleEngine.exit_rule` — as ordinary methods, so a subclass can
override any of them. Each hook receives the runtime's
:class:`~dragon_runtime.SessionContext` plus the :class:`PreparedMarket` of
the run (bars, features, panel), so the engine holds no per-run state and one
engine can run several branches, or several markets, one after the other or
concurrently.

The branch is resolved once per run: :meth:`~DragonRuleEngine.run` takes the
:class:`~dragon_compat.branches.BranchConfig` given (or looks a name up among RC1's)
and binds it for the duration of the run (a context variable, so concurrent runs in
threads or tasks each see their own); the hooks read that binding instead of
looking ``ctx.branch`` up each session. A hook called outside a run resolves ``ctx.branch`` by name.

Preparation — limits, features, panel, predicate outcomes, once per market — is
:mod:`dragon_compat.prepare`; :meth:`~DragonRuleEngine.prepare` delegates to it.
The loop only looks the prepared results up per session.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from pathlib import Path

import numpy as np
import pandas as pd

from dragon_compat.branches import BRANCHES, BranchConfig, get_branch
from dragon_compat.errors import DragonUserError
from dragon_compat.exit_rule import EXIT_INPUTS, RC1_EXIT_POLICY, ExitPolicy, exit_reason
from dragon_compat.prepare import PreparedMarket, evaluate_rows, prepare_market
from dragon_compat.selection import RANK_INPUTS, as_screened, decide, rank_order, screen
from dragon_runtime import (
    EQUITY_COLUMNS,
    EVENT_COLUMNS,
    SUMMARY_KEYS,
    TRADE_COLUMNS,
    Book,
    LoopConfig,
    LoopResult,
    PositionView,
    SessionContext,
    Signal,
    Verdict,
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
"""The four RC1 branches, in docs/strategy.md branch-table order."""

_RUN_BRANCH: ContextVar[BranchConfig | None] = ContextVar("dragon_run_branch", default=None)
"""The :class:`BranchConfig` of the run in progress (set by :meth:`_BoundHooks.run`)."""


class DragonRuleEngine:
    """The RC1 dragon-head rule engine (backward-compatible facade).

    ``run(bars, branch)`` evaluates one branch over a normalized bars frame (see
    :mod:`dragon_compat.data`) and returns the runtime's
    :class:`~dragon_runtime.LoopResult`: the RC1 ``events``, ``trades`` and
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
        """Limits, features, panel and candidate predicates for ``bars``, computed once
        (:func:`dragon_compat.prepare.prepare_market`).

        Raises ``ValueError`` naming the column when ``bars`` is not a normalized
        bars frame.
        """
        return prepare_market(bars)

    def run(
        self,
        bars: pd.DataFrame | None = None,
        branch: str | BranchConfig = "rc1_baseline",
        *,
        market: PreparedMarket | None = None,
    ) -> LoopResult:
        """Run ``branch`` — an RC1 branch's name, or any :class:`BranchConfig` — over
        ``bars`` (or an already prepared ``market``).

        Raises :class:`~dragon_compat.errors.DragonUserError` for an unknown branch
        name, ``ValueError`` for a frame that is not normalized bars, and
        :class:`~dragon_runtime.HookError` when an overridden hook breaks the
        runtime's protocol.
        """
        config = _resolve(branch)
        if market is None:
            if bars is None:
                raise ValueError("run() needs bars or a prepared market")
            market = self.prepare(bars)
        return _BoundHooks(self, market, config).run(self.loop_config)

    def run_all(
        self,
        bars: pd.DataFrame | None = None,
        branches: Iterable[str | BranchConfig] = BRANCH_NAMES,
        *,
        market: PreparedMarket | None = None,
    ) -> dict[str, LoopResult]:
        """Run several branches (names or configs, see :meth:`run`) on one market;
        features are computed once. Results are keyed by branch name, in the order
        given; two branches of one name are a :class:`DragonUserError`."""
        configs = [_resolve(branch) for branch in branches]
        names = [config.name for config in configs]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise DragonUserError(f"run_all(): branch {twice[0]!r} is given twice")
        if market is None:
            if bars is None:
                raise ValueError("run_all() needs bars or a prepared market")
            market = self.prepare(bars)
        return {config.name: self.run(branch=config, market=market) for config in configs}

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
        screened = screen(outcomes, _branch_config(ctx))
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
        """The branch's ordering and one signal per candidate (the documented precedence)."""
        config = _branch_config(ctx)
        rows = market.panel.row[ctx.index, candidates]
        height, amount, alpha = (market.feature(name)[rows] for name in RANK_INPUTS)
        order = rank_order(market.panel.symbols[candidates], height, amount, alpha, config.ordering)
        screened = [as_screened(v.outcome) for v in verdicts]
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
        is_broken, is_limit_up = (bool(market.feature(name)[row]) for name in EXIT_INPUTS)
        return exit_reason(
            close_c=int(market.panel.close_c[ctx.index, position.symbol]),
            entry_price_c=position.entry_price_c,
            is_broken=is_broken,
            is_limit_up=is_limit_up,
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
        return evaluate_rows(market.bars, market.features, rows)


class _BoundHooks:
    """One run: an engine, a prepared market and the branch's resolved config, adapted
    to the runtime's hooks protocol (the branch's name reaches the hooks as
    ``ctx.branch``, its config through :func:`_branch_config`)."""

    __slots__ = ("_config", "_engine", "_market")

    def __init__(
        self, engine: DragonRuleEngine, market: PreparedMarket, config: BranchConfig
    ) -> None:
        self._engine = engine
        self._market = market
        self._config = config

    def run(self, loop_config: LoopConfig) -> LoopResult:
        """The loop over the market's panel with the branch bound for its duration."""
        token = _RUN_BRANCH.set(self._config)
        try:
            return run_loop(self._market.panel, self, branch=self._config.name, config=loop_config)
        finally:
            _RUN_BRANCH.reset(token)

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


def _resolve(branch: str | BranchConfig) -> BranchConfig:
    """The config of ``branch``: itself, or the RC1 branch of that name."""
    return branch if isinstance(branch, BranchConfig) else get_branch(branch)


def _branch_config(ctx: SessionContext) -> BranchConfig:
    """The config of the branch ``ctx`` runs: the one the run bound, else (a hook
    called outside :meth:`DragonRuleEngine.run`) ``ctx.branch`` looked up by name."""
    bound = _RUN_BRANCH.get()
    if bound is not None and bound.name == ctx.branch:
        return bound
    return get_branch(ctx.branch)
