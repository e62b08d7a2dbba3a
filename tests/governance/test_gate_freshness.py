"""G1 freshness_alignment: the right session, lag in XSHG sessions, dates, output hashes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from dragon_governance.evaluation import evaluate_run
from dragon_governance.outcomes import Decision, Gate, Status
from dragon_governance.session_calendar import (
    CACHE_ENV,
    _to_document,
    cache_file,
    load_calendar,
)
from tests.governance.builders import (
    AS_OF,
    DIVERGENCE,
    HEALTH,
    MANIFEST,
    REFINED_CONTROL,
    Evaluate,
    RunDir,
    codes,
    gate,
)

G1 = Gate.FRESHNESS_ALIGNMENT


def _reason(decision, code):
    return next(r for r in gate(decision, G1).reasons if r.code == code)


def test_a_healthy_run_passes_with_its_evidence(run: RunDir, evaluate: Evaluate):
    decision = evaluate(run)
    assert gate(decision, G1).status is Status.PASS
    assert codes(decision, G1) == ["MANIFEST_CURRENT", "ARTIFACTS_ALIGNED", "OUTPUTS_VERIFIED"]


@pytest.mark.parametrize(
    "case",
    [
        (date(2024, 10, 8), Status.PASS, "MANIFEST_CURRENT", 0),
        (date(2024, 9, 30), Status.WARN, "MANIFEST_LAGGING", 1),
        (date(2024, 9, 27), Status.FAIL, "MANIFEST_STALE", 2),
    ],
    ids=["lag0-pass", "lag1-warn-across-national-day", "lag2-fail"],
)
def test_lag_counts_xshg_sessions_across_national_day_2024(run: RunDir, evaluate: Evaluate, case):
    manifest_session, status, code, lag = case
    decision = evaluate(run.for_session(manifest_session), as_of=date(2024, 10, 8))
    assert gate(decision, G1).status is status
    reason = _reason(decision, code)
    assert (reason.value, reason.source, reason.field) == (lag, MANIFEST, "as_of")


def test_the_lag_thresholds_are_the_policys(run: RunDir, evaluate: Evaluate):
    decision = evaluate(run.for_session(date(2024, 9, 27)))
    assert _reason(decision, "MANIFEST_STALE").threshold == 2
    decision = evaluate(run.for_session(date(2024, 9, 30)))
    assert _reason(decision, "MANIFEST_LAGGING").threshold == 1


def test_as_of_inside_the_holiday_expects_the_last_session_before_it(
    run: RunDir, evaluate: Evaluate
):
    decision = evaluate(run.for_session(date(2024, 9, 30)), as_of=date(2024, 10, 5))
    assert decision.expected_session == date(2024, 9, 30)
    assert gate(decision, G1).status is Status.PASS


def test_a_manifest_dated_after_the_expected_session_fails(run: RunDir, evaluate: Evaluate):
    decision = evaluate(run, as_of=date(2024, 10, 5))
    reason = _reason(decision, "MANIFEST_FROM_FUTURE")
    assert (reason.status, reason.value, reason.threshold) == (
        Status.FAIL,
        "2024-10-08",
        "2024-09-30",
    )


def test_a_manifest_dated_on_a_holiday_fails(run: RunDir, evaluate: Evaluate):
    decision = evaluate(run.for_session(date(2024, 10, 3)))
    reason = _reason(decision, "MANIFEST_NOT_A_SESSION")
    assert (reason.status, reason.value) == (Status.FAIL, "2024-10-03")


def test_data_latest_date_must_equal_the_manifest_as_of(run: RunDir, evaluate: Evaluate):
    run.manifest["data_latest_date"] = "2024-09-30"
    reason = _reason(evaluate(run), "DATA_DATE_MISMATCH")
    assert (reason.status, reason.field, reason.value, reason.threshold) == (
        Status.FAIL,
        "data_latest_date",
        "2024-09-30",
        "2024-10-08",
    )


def test_monitor_health_for_another_session_fails(run: RunDir, evaluate: Evaluate):
    run.health["as_of"] = "2024-09-30"
    reason = _reason(evaluate(run), "HEALTH_DATE_MISMATCH")
    assert (reason.status, reason.source) == (Status.FAIL, HEALTH)


@pytest.mark.parametrize("name", [DIVERGENCE, REFINED_CONTROL])
def test_an_optional_artifact_for_another_session_warns(run: RunDir, evaluate: Evaluate, name):
    document = run.divergence if name == DIVERGENCE else run.refined_control
    document["as_of"] = "2024-09-30"
    decision = evaluate(run)
    reason = _reason(decision, "ARTIFACT_DATE_MISMATCH")
    assert (reason.status, reason.source, reason.value) == (Status.WARN, name, "2024-09-30")
    assert gate(decision, G1).status is Status.WARN


def test_a_history_ending_before_the_manifest_session_warns(run: RunDir, evaluate: Evaluate):
    run.sessions = run.sessions[:-1]
    reason = _reason(evaluate(run), "ARTIFACT_DATE_MISMATCH")
    assert (reason.source, reason.field, reason.value) == (
        "monitor_history.csv",
        "as_of (last session)",
        "2024-09-30",
    )


def test_an_edited_output_fails_naming_it(run: RunDir):
    root = run.build()
    (root / "alpha_first" / "equity.csv").write_text("session,equity\n2024-10-08,1\n")
    decision = evaluate_run(root, as_of=AS_OF)
    assert gate(decision, G1).status is Status.FAIL
    reason = _reason(decision, "OUTPUT_HASH_MISMATCH")
    assert reason.field == "outputs[alpha_first/equity.csv].sha256"
    assert reason.value != reason.threshold and reason.value is not None


def test_a_missing_output_fails(run: RunDir):
    root = run.build()
    (root / "rc1_baseline" / "equity.csv").unlink()
    reason = _reason(evaluate_run(root, as_of=AS_OF), "OUTPUT_HASH_MISMATCH")
    assert (reason.field, reason.value) == ("outputs[rc1_baseline/equity.csv].sha256", None)
    assert "cannot be read" in reason.message


def test_a_missing_manifest_fails_g1(run: RunDir, evaluate: Evaluate):
    run.omitted.add(MANIFEST)
    decision = evaluate(run)
    assert codes(decision, G1) == ["MANIFEST_MISSING"]
    assert decision.decision is Decision.ROLLBACK_REVIEW_REQUIRED


def test_a_corrupt_manifest_fails_g1_naming_the_field(run: RunDir, evaluate: Evaluate):
    run.manifest["branches"] = "alpha_first"
    reason = _reason(evaluate(run), "MANIFEST_CORRUPT")
    assert (reason.status, reason.field, reason.threshold) == (
        Status.FAIL,
        "branches",
        "dragon.daily_manifest/1",
    )


def test_an_as_of_beyond_the_calendar_fails_and_says_to_upgrade(run: RunDir, evaluate: Evaluate):
    beyond = date(load_calendar().last_day.year + 1, 3, 2)
    decision = evaluate(run, as_of=beyond)
    reason = _reason(decision, "CALENDAR_OUT_OF_RANGE")
    assert reason.status is Status.FAIL and "upgrade exchange-calendars" in reason.message
    assert (reason.source, reason.value) == ("calendar", beyond.isoformat())
    assert decision.expected_session is None
    assert decision.decision is Decision.ROLLBACK_REVIEW_REQUIRED


def test_an_as_of_beyond_the_calendar_is_detected_from_the_cache(
    run: RunDir, evaluate: Evaluate, tmp_path: Path, monkeypatch
):
    real = load_calendar()
    short = replace(
        real,
        last_day=date(2024, 12, 31),
        sessions=tuple(s for s in real.sessions if s <= "2024-12-31"),
    )
    cache_dir = tmp_path / "short-cache"
    cache_dir.mkdir()
    cache_file(cache_dir, real.library_version).write_text(json.dumps(_to_document(short)))
    monkeypatch.setenv(CACHE_ENV, str(cache_dir))
    decision = evaluate(run, as_of=date(2025, 1, 2))
    reason = _reason(decision, "CALENDAR_OUT_OF_RANGE")
    assert reason.threshold == f"{real.first_day.isoformat()}..2024-12-31"


def test_a_manifest_before_the_calendar_range_fails(run: RunDir, evaluate: Evaluate):
    run.manifest["as_of"] = run.manifest["data_latest_date"] = "1980-01-02"
    reason = _reason(evaluate(run), "CALENDAR_OUT_OF_RANGE")
    assert (reason.source, reason.field) == (MANIFEST, "as_of")
