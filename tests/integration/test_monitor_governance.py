"""Compat's monitor artifacts are what dragon-governance reads (its models are the schemas).

dragon_compat never imports dragon_governance at runtime; this test is where the
two meet: file names and schema ids agree, and every file the monitor writes loads
through governance's own loader without a problem.
"""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings

from dragon_compat.monitor import (
    DIVERGENCE_FILE,
    MONITOR_HEALTH_FILE,
    MONITOR_HISTORY_FILE,
    REFINED_CONTROL_FILE,
    Divergence,
    MonitorHealth,
    MonitorHistory,
    RefinedControl,
    write_monitor,
)
from dragon_governance.sources import SOURCES, load_run_sources
from dragon_governance.sources.registry import (
    DIVERGENCE,
    DIVERGENCE_SCHEMA,
    HEALTH,
    HEALTH_SCHEMA,
    HISTORY,
    HISTORY_COLUMNS,
    REFINED_CONTROL,
    REFINED_CONTROL_SCHEMA,
)
from tests.compat.monitor.builders import (
    CAPITAL,
    fills,
    market,
    monitor_at,
    monitor_last,
    random_markets,
    signals,
)


def test_file_names_are_governances_source_file_names():
    assert (HEALTH.filename, HISTORY.filename, DIVERGENCE.filename, REFINED_CONTROL.filename) == (
        MONITOR_HEALTH_FILE,
        MONITOR_HISTORY_FILE,
        DIVERGENCE_FILE,
        REFINED_CONTROL_FILE,
    )
    assert {s.filename for s in SOURCES} - {"daily_manifest.json"} == {
        MONITOR_HEALTH_FILE,
        MONITOR_HISTORY_FILE,
        DIVERGENCE_FILE,
        REFINED_CONTROL_FILE,
    }


def test_schema_ids_and_history_header_are_governances():
    assert MonitorHealth.SCHEMA == HEALTH_SCHEMA
    assert Divergence.SCHEMA == DIVERGENCE_SCHEMA
    assert RefinedControl.SCHEMA == REFINED_CONTROL_SCHEMA
    assert MonitorHistory.HEADER == HISTORY_COLUMNS


def _busy_market():
    return market(
        25,
        candidate_equity=[CAPITAL] * 20 + [900_000.0, 850_000.0, 760_000.0, 790_000.0, 800_000.0],
        candidate_trades=[(i, -100.0 if i % 4 else 50.0) for i in range(2, 24)],
        candidate_events=fills([1, 3, 8]) + signals([(3, "600001.SH"), (9, "600002.SH")]),
        reference_events=fills([3, 12]),
        control_events=signals([(3, "600001.SH")]),
    )


def test_written_artifacts_load_through_governance_without_problems(tmp_path):
    artifacts = monitor_last(_busy_market())
    write_monitor(tmp_path, artifacts)
    sources = load_run_sources(tmp_path)
    for loaded in (sources.health, sources.history, sources.divergence, sources.refined_control):
        assert loaded.problem is None, loaded.problem
        assert loaded.ok


def test_governance_reads_back_the_same_health(tmp_path):
    artifacts = monitor_last(_busy_market())
    write_monitor(tmp_path, artifacts)
    health = load_run_sources(tmp_path).health.model
    assert health.as_of == date(2024, 2, 5)
    assert health.branch == "alpha_first"
    assert [
        (c.id, c.tier.value, c.active, c.value, c.threshold, c.streak) for c in health.conditions
    ] == [
        (c.id, c.tier, c.active, c.value, c.threshold, c.streak)
        for c in artifacts.health.conditions
    ]
    assert any(c.active for c in health.conditions)


def test_governance_reads_back_the_same_divergence_and_control(tmp_path):
    artifacts = monitor_last(_busy_market())
    write_monitor(tmp_path, artifacts)
    sources = load_run_sources(tmp_path)
    divergence, control = sources.divergence.model, sources.refined_control.model
    assert (divergence.entry_jaccard, divergence.return_gap, divergence.level.value) == (
        artifacts.divergence.entry_jaccard,
        artifacts.divergence.return_gap,
        artifacts.divergence.level,
    )
    assert (control.alignment_ratio, control.status.value) == (
        artifacts.refined_control.alignment_ratio,
        artifacts.refined_control.status,
    )


@settings(max_examples=40)
@given(random_markets())
def test_every_monitor_run_validates_and_its_streaks_agree_with_its_history(tmp_path_factory, case):
    tables, as_of = case
    run_dir = tmp_path_factory.mktemp("run")
    artifacts = monitor_at(tables, as_of)
    write_monitor(run_dir, artifacts)
    sources = load_run_sources(run_dir)
    assert sources.health.problem is None, sources.health.problem
    assert sources.history.problem is None, sources.history.problem
    assert sources.divergence.problem is None, sources.divergence.problem
    assert sources.refined_control.problem is None, sources.refined_control.problem
    health, history = sources.health.model, sources.history.model
    assert history.last_session == health.as_of
    for condition in health.conditions:
        assert history.trailing_run(condition.id, health.as_of) == condition.streak
