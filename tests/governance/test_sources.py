"""Loading turns every problem with a source into a typed finding, never an exception."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from dragon_governance.sources import ProblemKind, load_run_sources
from dragon_governance.sources.history import parse_history
from tests.governance.builders import (
    DIVERGENCE,
    HEALTH,
    HISTORY,
    MANIFEST,
    REFINED_CONTROL,
    RunDir,
    condition,
    history_csv,
    sha256,
)


def _health_problem(run: RunDir):
    return load_run_sources(run.build()).health.problem


def test_a_healthy_run_loads_every_source_without_problems(run: RunDir):
    sources = load_run_sources(run.build())
    assert [loaded.ok for loaded in sources.all()] == [True] * 5
    assert all(loaded.problem is None for loaded in sources.all())


def test_sha256_is_taken_over_the_raw_bytes(run: RunDir):
    root = run.build()
    loaded = load_run_sources(root).health
    assert loaded.sha256 == sha256((root / HEALTH).read_bytes())


def test_missing_file_is_a_missing_finding_not_present(run: RunDir):
    run.omitted.add(HEALTH)
    loaded = load_run_sources(run.build()).health
    assert (loaded.present, loaded.sha256, loaded.model) == (False, None, None)
    assert loaded.problem.kind is ProblemKind.MISSING


def test_a_directory_in_place_of_a_file_is_unreadable(run: RunDir):
    run.omitted.add(HEALTH)
    root = run.build()
    (root / HEALTH).mkdir()
    loaded = load_run_sources(root).health
    assert loaded.present and loaded.problem.kind is ProblemKind.UNREADABLE


def test_an_os_error_while_reading_is_an_unreadable_finding(
    run: RunDir, monkeypatch: pytest.MonkeyPatch
):
    root = run.build()
    real_open = os.open

    def refusing_open(path: str, flags: int, *args: int) -> int:
        if Path(path).name == HEALTH:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refusing_open)
    loaded = load_run_sources(root).health
    assert (loaded.present, loaded.problem.kind) == (True, ProblemKind.UNREADABLE)
    assert "Permission denied" in loaded.problem.message


def test_text_that_is_not_json_is_a_not_json_finding(run: RunDir):
    run.raw[HEALTH] = b"{not json"
    problem = _health_problem(run)
    assert problem.kind is ProblemKind.NOT_JSON
    assert HEALTH in problem.message


def test_invalid_utf8_is_a_not_json_finding(run: RunDir):
    run.raw[HEALTH] = b'{"schema": "\xff"}'
    assert _health_problem(run).kind is ProblemKind.NOT_JSON


def test_a_json_array_is_an_invalid_finding(run: RunDir):
    run.raw[HEALTH] = b"[]"
    assert _health_problem(run).kind is ProblemKind.INVALID


def test_another_schema_id_is_a_wrong_schema_finding(run: RunDir):
    run.health["schema"] = "dragon.monitor_health/2"
    problem = _health_problem(run)
    assert (problem.kind, problem.field, problem.value) == (
        ProblemKind.WRONG_SCHEMA,
        "schema",
        "dragon.monitor_health/2",
    )


def test_a_missing_field_names_it(run: RunDir):
    del run.health["branch"]
    problem = _health_problem(run)
    assert (problem.kind, problem.field) == (ProblemKind.INVALID, "branch")
    assert "Field required" in problem.message


def test_a_string_where_an_integer_belongs_is_invalid(run: RunDir):
    run.set_condition("W1_DRAWDOWN", streak="0")
    problem = _health_problem(run)
    assert (problem.field, problem.value) == ("conditions[1].streak", "0")


def test_a_boolean_is_not_an_integer(run: RunDir):
    run.set_condition("W1_DRAWDOWN", streak=False)
    assert _health_problem(run).field == "conditions[1].streak"


def test_an_unknown_enum_value_is_invalid(run: RunDir):
    run.set_condition("W1_DRAWDOWN", tier="severe")
    problem = _health_problem(run)
    assert (problem.field, problem.value) == ("conditions[1].tier", "severe")


def test_a_negative_streak_is_invalid(run: RunDir):
    run.set_condition("W1_DRAWDOWN", streak=-1)
    assert _health_problem(run).field == "conditions[1].streak"


def test_an_active_condition_needs_a_positive_streak(run: RunDir):
    run.set_condition("W1_DRAWDOWN", active=True, streak=0)
    problem = _health_problem(run)
    assert problem.field == "conditions[1]" and "streak >= 1" in problem.message


def test_an_inactive_condition_needs_a_zero_streak(run: RunDir):
    run.set_condition("W1_DRAWDOWN", active=False, streak=2)
    assert "streak == 0" in _health_problem(run).message


def test_duplicate_condition_ids_make_the_file_corrupt(run: RunDir):
    run.health["conditions"].append(condition("W1_DRAWDOWN"))
    problem = _health_problem(run)
    assert (problem.kind, problem.field) == (ProblemKind.INVALID, "conditions")
    assert "duplicate condition id 'W1_DRAWDOWN'" in problem.message


def test_a_non_iso_date_is_invalid(run: RunDir):
    run.health["as_of"] = "2024/10/08"
    assert _health_problem(run).field == "as_of"


def test_a_datetime_is_not_a_date(run: RunDir):
    run.health["as_of"] = "2024-10-08T00:00:00"
    assert _health_problem(run).field == "as_of"


@pytest.mark.parametrize("text", ["NaN", "Infinity"])
def test_non_finite_numbers_are_invalid(run: RunDir, text: str):
    run.raw[DIVERGENCE] = json.dumps(run.divergence).replace("0.004", text).encode()
    assert load_run_sources(run.build()).divergence.problem is not None


def test_condition_values_may_be_numbers_iso_dates_or_null(run: RunDir):
    run.set_condition("W4_IDLE", value="2024-09-20", threshold=10)
    run.set_condition("W3_HIT_RATE_20", value=None, threshold=0.35)
    health = load_run_sources(run.build()).health.model
    values = {c.id: c.value for c in health.conditions}
    assert values["W4_IDLE"] == date(2024, 9, 20) and values["W3_HIT_RATE_20"] is None


def test_a_condition_value_that_is_an_arbitrary_string_is_invalid(run: RunDir):
    run.set_condition("W4_IDLE", value="ten")
    assert _health_problem(run).field.startswith("conditions[4].value")


def test_unknown_extra_fields_are_ignored(run: RunDir):
    run.health["produced_by"] = "dragon-compat 2.1"
    run.set_condition("W1_DRAWDOWN", note="forward compatible")
    assert load_run_sources(run.build()).health.ok


def test_jaccard_outside_the_unit_interval_is_invalid(run: RunDir):
    run.divergence["entry_jaccard"] = 1.5
    problem = load_run_sources(run.build()).divergence.problem
    assert (problem.field, problem.value) == ("entry_jaccard", 1.5)


def test_an_unknown_control_status_is_invalid(run: RunDir):
    run.refined_control["status"] = "perfect"
    assert load_run_sources(run.build()).refined_control.problem.field == "status"


@pytest.mark.parametrize("path", ["/etc/passwd", "../outside.csv", "a/../b.csv", "a\\b.csv", ""])
def test_manifest_outputs_must_stay_inside_the_run_dir(run: RunDir, path: str):
    root = run.build()
    manifest = json.loads((root / MANIFEST).read_text())
    manifest["outputs"].append({"path": path, "sha256": sha256(b"")})
    (root / MANIFEST).write_text(json.dumps(manifest))
    problem = load_run_sources(root).manifest.problem
    assert problem is not None and problem.field.startswith("outputs[")


def test_manifest_branches_must_be_unique(run: RunDir):
    run.manifest["branches"].append("alpha_first")
    problem = load_run_sources(run.build()).manifest.problem
    assert problem.field == "branches" and "duplicate branch" in problem.message


def test_manifest_versions_map_names_to_version_strings(run: RunDir):
    run.manifest["versions"] = {"dragon-compat": 2}
    assert load_run_sources(run.build()).manifest.problem.field == "versions.dragon-compat"


def test_a_sha256_must_be_lowercase_hex(run: RunDir):
    run.manifest["inputs"] = [{"path": "bars.csv", "sha256": "ABC"}]
    assert load_run_sources(run.build()).manifest.problem.field == "inputs[0].sha256"


def test_refined_control_loads_as_the_model(run: RunDir):
    control = load_run_sources(run.build()).refined_control.model
    assert (control.alignment_ratio, control.status.value) == (0.95, "aligned")


def test_every_source_reports_problems_under_its_own_file_name(run: RunDir):
    for name in (MANIFEST, HEALTH, DIVERGENCE, REFINED_CONTROL):
        run.raw[name] = b"oops"
    run.raw[HISTORY] = b"oops"
    sources = load_run_sources(run.build())
    assert [loaded.problem.message.split(":")[0] for loaded in sources.all()] == [
        MANIFEST,
        HEALTH,
        HISTORY,
        DIVERGENCE,
        REFINED_CONTROL,
    ]


# --- monitor_history.csv ---------------------------------------------------------------


def _history_problem(data: bytes):
    from dragon_governance.sources.history import HistoryFormatError

    with pytest.raises(HistoryFormatError) as caught:
        parse_history(data)
    return caught.value


def test_history_parses_rows_sorted_by_session():
    data = b"as_of,condition_id,active\n2024-10-08,A,true\n2024-09-30,A,false\n"
    history = parse_history(data)
    assert [(r.as_of, r.active) for r in history.rows] == [
        (date(2024, 9, 30), False),
        (date(2024, 10, 8), True),
    ]
    assert history.last_session == date(2024, 10, 8)


def test_history_header_must_be_exact():
    problem = _history_problem(b"as_of,condition,active\n2024-10-08,A,true\n")
    assert problem.field == "line 1" and "header must be exactly" in problem.message


def test_history_active_must_be_true_or_false():
    problem = _history_problem(b"as_of,condition_id,active\n2024-10-08,A,True\n")
    assert (problem.field, problem.value) == ("line 2, column active", "True")


def test_history_dates_must_be_iso():
    problem = _history_problem(b"as_of,condition_id,active\n20241008,A,true\n")
    assert problem.field == "line 2, column as_of"


def test_history_rows_need_three_fields():
    assert _history_problem(b"as_of,condition_id,active\n2024-10-08,A\n").field == "line 2"


def test_history_duplicate_session_and_condition_is_corrupt():
    data = b"as_of,condition_id,active\n2024-10-08,A,true\n2024-10-08,A,false\n"
    assert "duplicate row" in _history_problem(data).message


def test_history_every_session_lists_the_same_conditions():
    data = b"as_of,condition_id,active\n2024-09-30,A,false\n2024-10-08,A,true\n2024-10-08,B,true\n"
    problem = _history_problem(data)
    assert problem.field == "as_of 2024-09-30" and "missing ['B']" in problem.message


def test_history_without_rows_is_corrupt():
    assert "no rows" in _history_problem(b"as_of,condition_id,active\n").message


def test_history_with_a_byte_order_mark_is_corrupt():
    assert "byte-order mark" in _history_problem(b"\xef\xbb\xbfas_of,condition_id,active\n").message


def test_history_trailing_run_counts_active_rows_up_to_a_date(run: RunDir):
    run.set_condition("W1_DRAWDOWN", active=True, streak=2)
    history = parse_history(history_csv(run.health["conditions"]))
    assert history.trailing_run("W1_DRAWDOWN", date(2024, 10, 8)) == 2
    assert history.trailing_run("W1_DRAWDOWN", date(2024, 9, 30)) == 1
    assert history.trailing_run("W1_DRAWDOWN", date(2024, 9, 27)) == 0
    assert history.trailing_run("W1_DRAWDOWN", date(2024, 1, 1)) is None
    assert history.trailing_run("UNKNOWN", date(2024, 10, 8)) is None


def test_a_corrupt_history_file_is_an_invalid_finding(run: RunDir):
    run.history = b"as_of,condition_id,active\n2024-10-08,W1_DRAWDOWN,yes\n"
    problem = load_run_sources(run.build()).history.problem
    assert (problem.kind, problem.field, problem.value) == (
        ProblemKind.INVALID,
        "line 2, column active",
        "yes",
    )
