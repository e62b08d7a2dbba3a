"""G2 monitor_health: hard and warning conditions, streak escalation, history cross-check."""

from __future__ import annotations

from dragon_governance.outcomes import Decision, Gate, Status
from tests.governance.builders import (
    CONTROL,
    HEALTH,
    HISTORY,
    MANIFEST,
    Evaluate,
    RunDir,
    codes,
    gate,
    history_csv,
)

G2 = Gate.MONITOR_HEALTH


def _reason(decision, code):
    return next(r for r in gate(decision, G2).reasons if r.code == code)


def test_all_healthy_proceeds_with_the_candidate(run: RunDir, evaluate: Evaluate):
    decision = evaluate(run)
    assert codes(decision, G2) == ["CONDITIONS_CLEAR", "HISTORY_CONSISTENT"]
    assert (decision.decision, decision.recommended_branch) == (Decision.PROCEED, "alpha_first")


def test_missing_monitor_health_rolls_back_to_the_fallback_naming_the_file(
    run: RunDir, evaluate: Evaluate
):
    run.omitted.add(HEALTH)
    decision = evaluate(run)
    assert decision.decision is Decision.ROLLBACK_REVIEW_REQUIRED
    assert decision.recommended_branch == CONTROL == decision.fallback_branch
    reason = _reason(decision, "HEALTH_MISSING")
    assert reason.status is Status.FAIL and reason.source == HEALTH
    assert HEALTH in reason.message


def test_corrupt_monitor_health_rolls_back(run: RunDir, evaluate: Evaluate):
    run.raw[HEALTH] = b'{"schema": "dragon.monitor_health/1", "as_of": '
    decision = evaluate(run)
    assert decision.decision is Decision.ROLLBACK_REVIEW_REQUIRED
    assert _reason(decision, "HEALTH_CORRUPT").status is Status.FAIL


def test_an_active_hard_condition_rolls_back(run: RunDir, evaluate: Evaluate):
    run.set_condition("H1_DRAWDOWN", active=True, streak=1, value=0.23)
    decision = evaluate(run)
    assert decision.decision is Decision.ROLLBACK_REVIEW_REQUIRED
    reason = _reason(decision, "HARD_CONDITION_ACTIVE")
    assert (reason.field, reason.value, reason.threshold) == ("conditions[H1_DRAWDOWN]", 0.23, 0.2)


def test_a_warning_with_streak_2_holds(run: RunDir, evaluate: Evaluate):
    run.set_condition("W1_DRAWDOWN", active=True, streak=2, value=0.12)
    decision = evaluate(run)
    assert decision.decision is Decision.HOLD
    assert decision.recommended_branch == "alpha_first"
    reason = _reason(decision, "WARNING_CONDITION_ACTIVE")
    assert (reason.status, reason.value, reason.threshold) == (Status.WARN, 2, 3)


def test_a_warning_with_streak_3_escalates_to_rollback(run: RunDir, evaluate: Evaluate):
    run.set_condition("W1_DRAWDOWN", active=True, streak=3, value=0.12)
    decision = evaluate(run)
    assert decision.decision is Decision.ROLLBACK_REVIEW_REQUIRED
    reason = _reason(decision, "WARNING_STREAK_ESCALATED")
    assert (reason.field, reason.value, reason.threshold) == (
        "conditions[W1_DRAWDOWN].streak",
        3,
        3,
    )


def test_a_warning_and_a_hard_condition_the_same_day_roll_back(run: RunDir, evaluate: Evaluate):
    run.set_condition("H1_DRAWDOWN", active=True, streak=1, value=0.21)
    run.set_condition("W1_DRAWDOWN", active=True, streak=1, value=0.21)
    decision = evaluate(run)
    assert decision.decision is Decision.ROLLBACK_REVIEW_REQUIRED
    assert {"HARD_CONDITION_ACTIVE", "WARNING_CONDITION_ACTIVE"} <= set(codes(decision, G2))


def test_zero_conditions_roll_back(run: RunDir, evaluate: Evaluate):
    run.health["conditions"] = []
    decision = evaluate(run)
    assert decision.decision is Decision.ROLLBACK_REVIEW_REQUIRED
    assert "NO_CONDITIONS" in codes(decision, G2)


def test_monitor_health_for_another_branch_rolls_back(run: RunDir, evaluate: Evaluate):
    run.health["branch"] = "rc1_baseline"
    decision = evaluate(run)
    assert decision.decision is Decision.ROLLBACK_REVIEW_REQUIRED
    reason = _reason(decision, "HEALTH_WRONG_BRANCH")
    assert (reason.value, reason.threshold) == ("rc1_baseline", "alpha_first")


def test_active_conditions_are_reported_in_id_order(run: RunDir, evaluate: Evaluate):
    run.set_condition("W4_IDLE", active=True, streak=1, value=12)
    run.set_condition("W2_RETURN_GAP_20D", active=True, streak=1, value=-0.06)
    fields = [r.field for r in gate(evaluate(run), G2).reasons][:2]
    assert fields == ["conditions[W2_RETURN_GAP_20D].streak", "conditions[W4_IDLE].streak"]


def test_an_inconsistent_history_streak_warns(run: RunDir, evaluate: Evaluate):
    conditions = [dict(c) for c in run.health["conditions"]]
    conditions[1].update(active=True, streak=1)  # the history says W1 was active on as_of
    run.history = history_csv(conditions)
    decision = evaluate(run)
    reason = _reason(decision, "STREAK_INCONSISTENT")
    assert (reason.status, reason.source, reason.field, reason.value, reason.threshold) == (
        Status.WARN,
        HISTORY,
        "W1_DRAWDOWN",
        1,
        0,
    )
    assert decision.decision is Decision.HOLD


def test_a_history_agreeing_with_a_streak_of_2_is_consistent(run: RunDir, evaluate: Evaluate):
    run.set_condition("W1_DRAWDOWN", active=True, streak=2)
    assert "STREAK_INCONSISTENT" not in codes(evaluate(run), G2)


def test_the_history_cross_check_ignores_rows_after_the_health_as_of(
    run: RunDir, evaluate: Evaluate
):
    run.set_condition("W1_DRAWDOWN", active=True, streak=1)
    history = history_csv(run.health["conditions"])
    run.history = (
        history
        + b"2024-10-09,H1_DRAWDOWN,true\n2024-10-09,W1_DRAWDOWN,true\n"
        + (
            b"2024-10-09,W2_RETURN_GAP_20D,false\n2024-10-09,W3_HIT_RATE_20,false\n"
            b"2024-10-09,W4_IDLE,false\n"
        )
    )
    assert "STREAK_INCONSISTENT" not in codes(evaluate(run), G2)


def test_a_condition_absent_from_the_history_warns(run: RunDir, evaluate: Evaluate):
    run.history = history_csv(run.health["conditions"][:-1])
    reason = _reason(evaluate(run), "HISTORY_CONDITION_MISSING")
    assert (reason.status, reason.field) == (Status.WARN, "W4_IDLE")


def test_a_missing_history_warns(run: RunDir, evaluate: Evaluate):
    run.omitted.add(HISTORY)
    decision = evaluate(run)
    assert _reason(decision, "HISTORY_MISSING").status is Status.WARN
    assert gate(decision, G2).status is Status.WARN and decision.decision is Decision.HOLD


def test_a_corrupt_history_fails(run: RunDir, evaluate: Evaluate):
    run.history = b"as_of;condition_id;active\n"
    decision = evaluate(run)
    reason = _reason(decision, "HISTORY_CORRUPT")
    assert (reason.status, reason.field) == (Status.FAIL, "line 1")
    assert decision.decision is Decision.ROLLBACK_REVIEW_REQUIRED


def test_without_a_manifest_g2_fails_but_still_reports_the_conditions(
    run: RunDir, evaluate: Evaluate
):
    run.omitted.add(MANIFEST)
    decision = evaluate(run)
    assert codes(decision, G2)[:2] == ["MANIFEST_UNAVAILABLE", "CONDITIONS_CLEAR"]
    assert gate(decision, G2).status is Status.FAIL
