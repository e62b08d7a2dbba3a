"""Invariants: a worse gate status never gives a better decision."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from dragon_governance.decision import PolicyRecord, build_decision
from dragon_governance.gates.context import GateContext
from dragon_governance.gates.health import evaluate_health
from dragon_governance.gates.result import GateResult
from dragon_governance.outcomes import Decision, Gate, Status, decide
from dragon_governance.policy import builtin_policy
from dragon_governance.reasons import CATALOGUE, make_reason
from dragon_governance.session_calendar import load_calendar
from dragon_governance.sources.history import parse_history
from dragon_governance.sources.load import LoadedSource, RunSources
from dragon_governance.sources.models import DailyManifest, MonitorHealth
from dragon_governance.sources.registry import (
    DIVERGENCE,
    HEALTH,
    HISTORY,
    MANIFEST,
    REFINED_CONTROL,
)
from tests.governance.builders import AS_OF, RunDir, condition, history_csv

STATUSES = list(Status)
statuses = st.sampled_from(STATUSES)
gate_statuses = st.tuples(statuses, statuses, statuses)


def _gate_result(gate: Gate, status: Status) -> GateResult:
    code = next(s.code for s in CATALOGUE.values() if gate in s.gates and s.status is status)
    reason = make_reason(code, message="synthetic", source="test", field="-")
    return GateResult.from_reasons(gate, [reason])


def _decision(statuses_by_gate: tuple[Status, Status, Status]):
    policy = builtin_policy()
    return build_decision(
        gates=[_gate_result(g, s) for g, s in zip(Gate, statuses_by_gate, strict=True)],
        candidate_branch="alpha_first",
        fallback_branch=policy.values.fallback_branch,
        as_of=AS_OF,
        expected_session=AS_OF,
        inputs=[],
        policy=PolicyRecord(name="p", sha256="0" * 64, values=policy.values.thresholds()),
        versions={},
    )


@given(gate_statuses, st.integers(0, 2), statuses)
def test_the_decision_never_improves_when_a_gate_gets_worse(before, index, candidate):
    worse = max(candidate, before[index], key=lambda s: s.severity)
    after = tuple(worse if i == index else s for i, s in enumerate(before))
    first, second = _decision(before), _decision(after)
    assert second.decision.severity >= first.decision.severity
    if second.decision is Decision.ROLLBACK_REVIEW_REQUIRED:
        assert second.recommended_branch == "alpha_first_selective_veto"


@given(gate_statuses)
def test_worst_gate_wins(statuses_by_gate):
    worst = max(s.severity for s in statuses_by_gate)
    assert decide(statuses_by_gate).severity == worst


# --- G2 over generated monitor health -----------------------------------------------------

condition_states = st.lists(
    st.tuples(st.sampled_from(["hard", "warning"]), st.integers(0, 6)), min_size=1, max_size=5
)


def _health_status(states: list[tuple[str, int]]) -> Status:
    """G2's status for conditions (tier, streak), with a history that agrees with them."""
    conditions = [
        condition(f"C{i}", tier, active=streak > 0, streak=streak)
        for i, (tier, streak) in enumerate(states)
    ]
    template = RunDir(Path("unused"))
    health = MonitorHealth.model_validate_json(
        json.dumps({**template.health, "conditions": conditions})
    )
    manifest = DailyManifest.model_validate_json(json.dumps({**template.manifest, "outputs": []}))
    sources = RunSources(
        manifest=_loaded(MANIFEST, manifest),
        health=_loaded(HEALTH, health),
        history=_loaded(HISTORY, parse_history(history_csv(conditions))),
        divergence=LoadedSource(DIVERGENCE, False, None, None, None),
        refined_control=LoadedSource(REFINED_CONTROL, False, None, None, None),
    )
    ctx = GateContext(
        run_dir=Path("unused"),
        as_of=AS_OF,
        expected_session=AS_OF,
        calendar=load_calendar(),
        policy=builtin_policy().values,
        sources=sources,
    )
    return evaluate_health(ctx).status


def _loaded(spec: Any, model: Any) -> LoadedSource[Any]:
    return LoadedSource(spec, True, "0" * 64, model, None)


@given(condition_states, st.data())
def test_g2_never_improves_when_a_condition_gets_worse(states, data):
    index = data.draw(st.integers(0, len(states) - 1))
    tier, streak = states[index]
    worse_tier = data.draw(st.sampled_from(["hard", tier]))
    worse_streak = data.draw(st.integers(max(streak, 1), 6))
    after = [*states]
    after[index] = (worse_tier, worse_streak)
    assert _health_status(after).severity >= _health_status(states).severity


def test_the_property_helper_sees_a_hard_condition():
    assert _health_status([("hard", 1)]) is Status.FAIL
    assert _health_status([("warning", 0)]) is Status.PASS
    assert _health_status([("warning", 3)]) is Status.FAIL
