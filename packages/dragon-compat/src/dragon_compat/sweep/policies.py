"""Per grid policy, a market group's replayed rollout decisions, as table columns.

For each (window, universe) group, one task replays the gates over the window's
sessions with ``dragon replay``'s in-process API
(:func:`dragon_compat.pipelines.replay.replay_sessions`, then each policy's replay
ledger and :func:`dragon_compat.replay_summary.policy_summary`): every session of the
window, the evening run a desk trading the universe would have made — the grid's
branches over the universe's rows from the data's first session, cut at the session
— judged by the policy. The branches' features are the featurized market the group's
cells take (market-wide, as every cell's are: :mod:`dragon_compat.sweep.market`), so
nothing is featurized twice; in universe ``all`` this is exactly ``dragon replay
--from START --to END`` with the grid's branches and the policy's roles (tested).

A grid's policies always have complete roles (the grid refuses a role that is not one
of its branches), so every ``ok`` row carries the columns of every policy
(:func:`policy_columns`): ``<policy>.<DECISION>`` sessions per decision,
``<policy>.<STATE>`` sessions per rollout state after the session's ledger entry,
``<policy>.rollbacks`` and ``<policy>.flips`` — the replay summary's definitions
(:mod:`dragon_compat.replay_summary`). Policies with the same roles share one replay.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import pandas as pd

from dragon_compat.branch_file import BranchSet
from dragon_compat.branches import BranchRoles
from dragon_compat.dragon_strategy import DragonRuleEngine
from dragon_compat.errors import DragonUserError
from dragon_compat.market_input import MarketInput
from dragon_compat.prepare import PreparedMarket
from dragon_compat.sweep.cells import MarketGroup
from dragon_compat.sweep.grid import Grid, PolicySpec
from dragon_compat.sweep.market import CellFailure, FeaturizedMarket, prepared_from, universe_rows

if TYPE_CHECKING:
    from dragon_governance import Policy

__all__ = [
    "COUNT_FIELDS",
    "PolicyPlan",
    "group_policies",
    "plan_policies",
    "policy_columns",
]

COUNT_FIELDS: Final = ("rollbacks", "flips")
"""The replay summary's counts beside the sessions per decision and per state."""


def _fields() -> tuple[str, ...]:
    """Every column suffix: the decisions, the rollout states, then :data:`COUNT_FIELDS`."""
    from dragon_governance import Decision, RolloutState

    return (*(str(d) for d in Decision), *(str(s) for s in RolloutState), *COUNT_FIELDS)


def policy_columns(policies: Sequence[PolicySpec]) -> tuple[str, ...]:
    """The table's policy columns, in grid order (module docstring)."""
    if not policies:
        return ()
    fields = _fields()
    return tuple(f"{spec.name}.{field}" for spec in policies for field in fields)


@dataclass(frozen=True, eq=False)
class PolicyPlan:
    """What a group's policy task needs besides its featurized market: the data's input
    record (bars left empty: the sessions' manifests name the file, not its rows), the
    grid's branches and each grid policy with its loaded governance policy."""

    market: MarketInput
    branches: BranchSet
    policies: tuple[tuple[PolicySpec, Policy], ...]


def plan_policies(grid: Grid, market: MarketInput) -> PolicyPlan | None:
    """The grid's policies loaded (None without ``[[policy]]``); raises
    :class:`DragonUserError` without dragon-governance or for a bad policy file."""
    if not grid.policies:
        return None
    from dragon_compat.pipelines.replay import load_policies, require_governance

    governance = require_governance()
    loaded = tuple(
        (spec, load_policies(governance, [spec.path] if spec.path else [])[0])
        for spec in grid.policies
    )
    shell = dataclasses.replace(market, bars=market.bars.iloc[:0])
    return PolicyPlan(market=shell, branches=grid.branches, policies=loaded)


class _FeaturizedEngine(DragonRuleEngine):
    """The RC1 engine, preparing the replay's bars with features computed before (the
    group's featurized rows) instead of featurizing them again."""

    def __init__(self, features: pd.DataFrame) -> None:
        super().__init__()
        self._features = features

    def prepare(self, bars: pd.DataFrame) -> PreparedMarket:
        if len(bars) != len(self._features):
            raise ValueError(
                f"the replay's {len(bars)} rows are not the {len(self._features)} featurized"
            )
        return prepared_from(bars, self._features)


def _governance_name(policy: Policy) -> str:
    """The policy's own name (a replay refuses two policies of one name)."""
    return str(policy.values.name)  # noqa: PD011 (governance's policy values, not pandas)


def _replays(
    policies: Sequence[tuple[PolicySpec, Policy]],
) -> list[tuple[BranchRoles, list[tuple[PolicySpec, Policy]]]]:
    """The policies bundled into replays: same roles, distinct governance names."""
    bundles: list[tuple[BranchRoles, list[tuple[PolicySpec, Policy]]]] = []
    for spec, policy in policies:
        for roles, members in bundles:
            names = {_governance_name(member) for _, member in members}
            if roles == spec.roles and _governance_name(policy) not in names:
                members.append((spec, policy))
                break
        else:
            bundles.append((spec.roles, [(spec, policy)]))
    return bundles


def _counts(spec: PolicySpec, summary: dict[str, object]) -> dict[str, int]:
    per_decision = summary["sessions_per_decision"]
    per_state = summary["sessions_per_state"]
    assert isinstance(per_decision, dict) and isinstance(per_state, dict)
    found = {**per_decision, **per_state, **{f: summary[f] for f in COUNT_FIELDS}}
    return {f"{spec.name}.{field}": int(found.get(field, 0)) for field in _fields()}


def group_policies(
    featurized: FeaturizedMarket, group: MarketGroup, plan: PolicyPlan | None
) -> dict[str, int] | CellFailure:
    """Every policy column of ``group`` (empty without policies); a
    :class:`CellFailure` (returned, not raised: the group's cells fail with it) when
    the universe has no row or a replay refuses its span."""
    if plan is None:
        return {}
    from dragon_compat.pipelines.replay import by_policy, replay_sessions
    from dragon_compat.replay_ledger import replay_ledger
    from dragon_compat.replay_summary import policy_summary

    rows = universe_rows(featurized.annotated, group.universe)
    if not rows.any():
        return CellFailure(f"universe {group.universe.name!r}: selects no symbol of the data")
    bars = featurized.annotated.loc[rows].reset_index(drop=True)
    features = featurized.features.loc[rows].reset_index(drop=True)
    market = dataclasses.replace(plan.market, bars=bars)
    columns: dict[str, int] = {}
    for roles, members in _replays(plan.policies):
        try:
            span = replay_sessions(
                market,
                first=group.window.start,
                last=group.window.end,
                policies=[policy for _, policy in members],
                roles=roles,
                branches=plan.branches,
                engine=_FeaturizedEngine(features),
            )
        except DragonUserError as err:
            return CellFailure(f"policy {members[0][0].name!r}: {err}")
        replayed = by_policy([policy for _, policy in members], span.evaluations)
        for (spec, _), decisions in zip(members, replayed, strict=True):
            columns.update(_counts(spec, policy_summary(replay_ledger(decisions)[1])))
    return {name: columns[name] for name in policy_columns([spec for spec, _ in plan.policies])}
