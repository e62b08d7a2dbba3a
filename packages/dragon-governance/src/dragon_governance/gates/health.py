"""G2 monitor_health: the monitor's conditions on the candidate branch.

Rules (conditions in id order; strict comparisons):

- No readable manifest → FAIL ``MANIFEST_UNAVAILABLE`` (the branch cannot be checked;
  the conditions are still evaluated as evidence).
- monitor_health.json missing/corrupt → FAIL ``HEALTH_MISSING``/``HEALTH_CORRUPT``.
- ``branch`` ≠ manifest ``candidate_branch`` → FAIL ``HEALTH_WRONG_BRANCH``.
- No conditions at all → FAIL ``NO_CONDITIONS`` (missing data is never healthy).
- Hard condition active → FAIL ``HARD_CONDITION_ACTIVE``.
- Active warning with ``streak >= warning_streak_limit`` → FAIL ``WARNING_STREAK_ESCALATED``;
  any other active warning → WARN ``WARNING_CONDITION_ACTIVE``.
- Conditions present, none active → PASS ``CONDITIONS_CLEAR``.
- monitor_history.csv missing → WARN ``HISTORY_MISSING``; corrupt → FAIL
  ``HISTORY_CORRUPT``; else per condition, the trailing run of active rows among its
  rows ``as_of <= health as_of``: no rows → WARN ``HISTORY_CONDITION_MISSING``,
  run ≠ streak → WARN ``STREAK_INCONSISTENT``; all agree → PASS ``HISTORY_CONSISTENT``.
"""

from __future__ import annotations

from datetime import date

from dragon_governance.gates.context import GateContext
from dragon_governance.gates.findings import (
    findings_or_pass,
    manifest_unavailable,
    problem_reason,
)
from dragon_governance.gates.result import GateResult
from dragon_governance.outcomes import Gate
from dragon_governance.reasons import Evidence, Reason, make_reason
from dragon_governance.sources.models import Condition, MonitorHealth, MonitorHistory, Tier
from dragon_governance.sources.registry import HEALTH, HISTORY


def _evidence(value: int | float | date | None) -> Evidence:
    return value.isoformat() if isinstance(value, date) else value


def _condition_reason(condition: Condition, limit: int) -> Reason | None:
    if not condition.active:
        return None
    observed = (
        f"value {_evidence(condition.value)!r} vs threshold {_evidence(condition.threshold)!r}"
    )
    if condition.tier is Tier.HARD:
        return make_reason(
            "HARD_CONDITION_ACTIVE",
            message=(
                f"hard condition {condition.id} is active ({observed}, streak {condition.streak})"
            ),
            source=HEALTH.filename,
            field=f"conditions[{condition.id}]",
            value=_evidence(condition.value),
            threshold=_evidence(condition.threshold),
        )
    escalated = condition.streak >= limit
    comparison = ">=" if escalated else "<"
    return make_reason(
        "WARNING_STREAK_ESCALATED" if escalated else "WARNING_CONDITION_ACTIVE",
        message=(
            f"warning condition {condition.id} is active for {condition.streak} session(s) "
            f"({comparison} warning_streak_limit {limit}; {observed})"
        ),
        source=HEALTH.filename,
        field=f"conditions[{condition.id}].streak",
        value=condition.streak,
        threshold=limit,
    )


def _condition_reasons(health: MonitorHealth, limit: int) -> list[Reason]:
    if not health.conditions:
        return [
            make_reason(
                "NO_CONDITIONS",
                message=f"{HEALTH.filename} lists no conditions: health cannot be judged",
                source=HEALTH.filename,
                field="conditions",
                value=0,
                threshold=1,
            )
        ]
    conditions = sorted(health.conditions, key=lambda condition: condition.id)
    reasons = [r for c in conditions if (r := _condition_reason(c, limit)) is not None]
    return findings_or_pass(
        reasons,
        "CONDITIONS_CLEAR",
        message=f"none of the {len(conditions)} condition(s) is active",
        source=HEALTH.filename,
        field="conditions",
        observed=0,
    )


def _history_reasons(health: MonitorHealth, history: MonitorHistory) -> list[Reason]:
    upto = health.as_of
    reasons: list[Reason] = []
    for condition in sorted(health.conditions, key=lambda c: c.id):
        run = history.trailing_run(condition.id, upto)
        if run is None:
            reasons.append(
                make_reason(
                    "HISTORY_CONDITION_MISSING",
                    message=(
                        f"{HISTORY.filename} has no row for condition {condition.id} "
                        f"on or before {upto.isoformat()}"
                    ),
                    source=HISTORY.filename,
                    field=condition.id,
                    value=None,
                    threshold=condition.streak,
                )
            )
        elif run != condition.streak:
            reasons.append(
                make_reason(
                    "STREAK_INCONSISTENT",
                    message=(
                        f"{HISTORY.filename} shows {condition.id} active on the last {run} "
                        f"session(s) up to {upto.isoformat()}, but its streak is "
                        f"{condition.streak}"
                    ),
                    source=HISTORY.filename,
                    field=condition.id,
                    value=run,
                    threshold=condition.streak,
                )
            )
    count = len(health.conditions)
    return findings_or_pass(
        reasons,
        "HISTORY_CONSISTENT",
        message=f"{HISTORY.filename} agrees with the streak of all {count} condition(s)",
        source=HISTORY.filename,
        field="active",
        observed=count,
    )


def evaluate_health(ctx: GateContext) -> GateResult:
    """G2: see the module docstring for the rules."""
    sources = ctx.sources
    manifest, health, history = sources.manifest.model, sources.health.model, sources.history
    reasons: list[Reason] = []
    if manifest is None:
        reasons.append(manifest_unavailable(Gate.MONITOR_HEALTH))
    if health is None:
        reasons.append(problem_reason(sources.health))
    else:
        if manifest is not None and health.branch != manifest.candidate_branch:
            reasons.append(
                make_reason(
                    "HEALTH_WRONG_BRANCH",
                    message=(
                        f"{HEALTH.filename} is for branch {health.branch}, but the manifest's "
                        f"candidate is {manifest.candidate_branch}"
                    ),
                    source=HEALTH.filename,
                    field="branch",
                    value=health.branch,
                    threshold=manifest.candidate_branch,
                )
            )
        reasons += _condition_reasons(health, ctx.policy.warning_streak_limit)
    if history.model is None:
        reasons.append(problem_reason(history))
    elif health is not None and health.conditions:
        reasons += _history_reasons(health, history.model)
    return GateResult.from_reasons(Gate.MONITOR_HEALTH, reasons)
