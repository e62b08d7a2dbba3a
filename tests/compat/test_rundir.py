"""The run-directory contract: names, layout, and the strict manifest and plan documents."""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dragon_compat import rundir
from dragon_compat.errors import DragonUserError
from dragon_compat.rundir import (
    BRANCH_FILES,
    MANIFEST_FILE,
    EntryOrder,
    ForwardPlanDocument,
    ManifestDocument,
    branch_dir,
    branch_file,
    layout_markdown,
    read_manifest,
    write_document,
)
from dragon_runtime import OUTPUT_FILES, canonical_json

SHA = "ab" * 32
README = Path(__file__).parents[2] / "packages" / "dragon-compat" / "README.md"


def manifest_document() -> dict[str, Any]:
    """A valid daily_manifest.json value, as the daily pipeline writes one."""
    return {
        "schema": "dragon.daily_manifest/1",
        "as_of": "2024-10-08",
        "data_latest_date": "2024-10-08",
        "candidate_branch": "alpha_first",
        "reference_branch": "rc1_baseline",
        "control_branch": "alpha_first_selective_veto",
        "branches": ["rc1_baseline", "alpha_first", "alpha_first_selective_veto"],
        "versions": {"dragon-compat": "2.0.0", "dragon-runtime": "1.0.0"},
        "inputs": [
            {"path": "/data/bars.csv", "role": "bars", "sha256": SHA},
            {"path": "/data/st.csv", "role": "side_table", "sha256": SHA},
        ],
        "outputs": [
            {"path": "branches/alpha_first/events.csv", "sha256": SHA},
            {"path": "monitor_health.json", "sha256": SHA},
        ],
    }


def plan_document() -> dict[str, Any]:
    """A valid forward_plan.json value (mode enforce)."""
    return {
        "schema": "dragon.forward_plan/2",
        "as_of": "2024-09-30",
        "next_session": "2024-10-08",
        "mode": "enforce",
        "candidate_branch": "alpha_first",
        "active_branch": "alpha_first",
        "governance": {
            "decision": "PROCEED",
            "decision_id": SHA,
            "recommended_branch": "alpha_first",
            "fallback_branch": "alpha_first_selective_veto",
            "file": "rollout_decision.json",
            "rollout": None,
        },
        "book": {
            "source": "branch",
            "equity": 1000000.0,
            "cash": 600000.0,
            "max_positions": 5,
            "held": 2,
            "selling": 1,
            "free_slots": 4,
            "slot_target": 200000.0,
            "cash_for_entries": 800000.5,
        },
        "orders": {
            "entries": [
                {
                    "symbol": "600001.SH",
                    "rank": 1,
                    "board_height": 2,
                    "alpha_score": 2.488908,
                    "close": 38.72,
                    "predicates": "S1_HEIGHT_CAP=P",
                    "limit_up": 42.59,
                    "limit_down": 34.85,
                    "price_estimate": 38.74,
                    "shares": 5100,
                    "notional": 197574.0,
                    "fees_estimate": 51.37,
                    "affordable": True,
                    "reason": None,
                    "detail": None,
                }
            ],
            "exits": [
                {
                    "symbol": "000002.SZ",
                    "shares": 300,
                    "reason": "MAX_HOLD",
                    "close": 10.0,
                    "limit_up": 11.0,
                    "limit_down": 9.0,
                    "price_estimate": 10.0,
                    "notional": 3000.0,
                    "fees_estimate": 6.53,
                }
            ],
        },
        "reconciliation": None,
        "inputs": [{"path": "/data/bars.csv", "role": "bars", "sha256": SHA}],
    }


def _set(document: dict[str, Any], field: str, value: object) -> dict[str, Any]:
    """A deep copy of ``document`` with the dotted ``field`` (``a.0.b``) set or, for the
    sentinel ``...``, removed."""
    changed = copy.deepcopy(document)
    *parents, last = field.split(".")
    target: Any = changed
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    key: Any = int(last) if last.isdigit() else last
    if value is ...:
        del target[key]
    else:
        target[key] = value
    return changed


# --- names and layout --------------------------------------------------------------------


def test_branch_files_are_the_runtimes_output_files():
    assert BRANCH_FILES is OUTPUT_FILES
    assert (rundir.EVENTS_FILE, rundir.TRADES_FILE, rundir.EQUITY_FILE, rundir.SUMMARY_FILE) == (
        OUTPUT_FILES
    )


def test_branch_paths_are_under_the_branches_directory(tmp_path: Path):
    assert branch_file("alpha_first", "events.csv") == "branches/alpha_first/events.csv"
    assert branch_dir(tmp_path, "alpha_first") == tmp_path / "branches" / "alpha_first"


def test_a_new_run_invalidates_manifest_decision_and_plan():
    assert set(rundir.DERIVED_FILES) == {
        rundir.MANIFEST_FILE,
        rundir.DECISION_FILE,
        rundir.FORWARD_PLAN_FILE,
    }


def test_layout_lists_every_file_name_of_the_contract_once():
    names = [
        rundir.RUN_MARKER_FILE,
        *rundir.MONITOR_FILES,
        rundir.MANIFEST_FILE,
        rundir.DECISION_FILE,
        rundir.FORWARD_PLAN_FILE,
    ]
    paths = [entry.path for entry in rundir.LAYOUT]
    assert [p for p in paths if not p.startswith("branches/")] == names
    assert all(name in paths[1] for name in BRANCH_FILES)


def test_readme_run_directory_table_is_the_generated_layout():
    text = README.read_text(encoding="utf-8")
    section = re.search(
        r"<!-- run-directory-layout:start -->\n\n(.*?)\n<!-- run-directory-layout:end -->",
        text,
        re.DOTALL,
    )
    assert section is not None, "README lost its run-directory layout markers"
    assert section.group(1) == layout_markdown()


# --- the manifest document ---------------------------------------------------------------


def test_manifest_document_round_trips_to_the_same_json():
    document = manifest_document()
    manifest = ManifestDocument.from_document(document, source="m.json")
    assert manifest.to_document() == document
    assert list(manifest.to_document()) == list(document)


def test_manifest_fields_are_typed():
    manifest = ManifestDocument.from_document(manifest_document(), source="m.json")
    assert manifest.as_of.isoformat() == "2024-10-08"
    assert manifest.branches == ("rc1_baseline", "alpha_first", "alpha_first_selective_veto")
    assert manifest.output_sha256("branches/alpha_first/events.csv") == SHA
    assert manifest.output_sha256("branches/strict_veto/events.csv") is None


def test_unknown_manifest_keys_are_ignored():
    document = {**manifest_document(), "written_by": "a newer dragon"}
    assert "written_by" not in ManifestDocument.from_document(document, source="m").to_document()


BAD_MANIFESTS = [
    ("as_of", 20241008, "as_of"),
    ("as_of", "garbage", "as_of"),
    ("as_of", "2024-13-01", "as_of"),
    ("as_of", "20241008", "as_of"),
    ("as_of", "2024-10-08T00:00:00", "as_of"),
    ("as_of", None, "as_of"),
    ("data_latest_date", "yesterday", "data_latest_date"),
    ("branches", None, "branches"),
    ("branches", "alpha_first", "branches"),
    ("branches", {"alpha_first": 1}, "branches"),
    ("branches", [], "branches"),
    ("branches", ["alpha_first", "alpha_first"], "branches"),
    ("branches", ["alpha_first", 7], "branches[1]"),
    ("branches", ["alpha first"], "branches[0]"),
    ("branches", [".."], "branches[0]"),
    ("branches", ["../etc"], "branches[0]"),
    ("candidate_branch", True, "candidate_branch"),
    ("candidate_branch", "", "candidate_branch"),
    ("versions", {"dragon-compat": 2}, "versions.dragon-compat"),
    ("versions", ["2.0.0"], "versions"),
    ("inputs", None, "inputs"),
    ("inputs.0.sha256", "ABC", "inputs[0].sha256"),
    ("inputs.0.path", "bars\x00.csv", "inputs[0].path"),
    ("outputs", "monitor_health.json", "outputs"),
    ("outputs.0.path", "branches/alpha_first\x00/events.csv", "outputs[0].path"),
    ("outputs.0.path", "branches/\ud800/events.csv", "outputs[0].path"),
    ("outputs.0.path", "branches/alpha_first/\nevents.csv", "outputs[0].path"),
    ("outputs.0.path", "/etc/passwd", "outputs[0].path"),
    ("outputs.0.path", "../outside.csv", "outputs[0].path"),
    ("outputs.0.path", "branches//events.csv", "outputs[0].path"),
    ("outputs.0.path", "branches\\alpha_first\\events.csv", "outputs[0].path"),
    ("outputs.0.path", "C:events.csv", "outputs[0].path"),
    ("outputs.0.path", "", "outputs[0].path"),
    ("outputs.0.path", 7, "outputs[0].path"),
    ("outputs.1.path", "branches/alpha_first/events.csv", "outputs"),
    ("outputs.0.sha256", ..., "outputs[0].sha256"),
    ("as_of", ..., "as_of"),
    ("branches", ..., "branches"),
    ("schema", ..., "schema"),
    ("schema", "dragon.daily_manifest/2", "schema"),
]


@pytest.mark.parametrize(("field", "value", "named"), BAD_MANIFESTS)
def test_a_bad_manifest_field_is_a_user_error_naming_file_and_field(field, value, named):
    document = _set(manifest_document(), field, value)
    with pytest.raises(DragonUserError) as caught:
        ManifestDocument.from_document(document, source="RUN/daily_manifest.json")
    assert caught.value.exit_code == 2
    assert str(caught.value).startswith(f"RUN/daily_manifest.json: field {named}:")


def test_an_input_path_may_hold_any_character_a_file_name_can():
    document = _set(manifest_document(), "inputs.0.path", "/data/bars\n2024 (copy).csv")
    manifest = ManifestDocument.from_document(document, source="m")
    assert manifest.inputs[0].path == "/data/bars\n2024 (copy).csv"


@pytest.mark.parametrize("value", [None, [], "manifest", 3])
def test_a_manifest_that_is_not_an_object_is_a_user_error(value):
    with pytest.raises(DragonUserError, match=r"^m\.json: not a JSON object"):
        ManifestDocument.from_document(value, source="m.json")


# --- reading the file ----------------------------------------------------------------------


def _run_with_manifest(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / MANIFEST_FILE
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return tmp_path


def test_read_manifest_returns_the_validated_document(tmp_path: Path):
    run_dir = _run_with_manifest(tmp_path, json.dumps(manifest_document()))
    assert read_manifest(run_dir).to_document() == manifest_document()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"as_of": "2024-10-08", "as_of": "2024-10-09"}', "duplicate key 'as_of'"),
        ('{"schema": NaN}', "NaN is not a JSON number"),
        ('{"schema": -Infinity}', "-Infinity is not a JSON number"),
        ('{"schema": "dragon.daily_manifest/1",', "not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8 text"),
    ],
)
def test_read_manifest_refuses_what_is_not_strict_json(tmp_path: Path, text, problem):
    run_dir = _run_with_manifest(tmp_path, text)
    with pytest.raises(DragonUserError, match=re.escape(problem)) as caught:
        read_manifest(run_dir)
    assert str(caught.value).startswith(str(run_dir / MANIFEST_FILE))


def test_read_manifest_names_a_missing_manifest_and_a_missing_directory(tmp_path: Path):
    with pytest.raises(DragonUserError, match="not a complete daily run"):
        read_manifest(tmp_path)
    with pytest.raises(DragonUserError, match="no such run directory"):
        read_manifest(tmp_path / "nowhere")


def test_write_document_writes_canonical_json_to_the_documents_file(tmp_path: Path):
    manifest = ManifestDocument.from_document(manifest_document(), source="m")
    path = write_document(tmp_path, manifest)
    assert path == tmp_path / MANIFEST_FILE
    assert path.read_text(encoding="utf-8") == canonical_json(manifest_document())


# --- the forward plan document -------------------------------------------------------------


def test_plan_document_round_trips_to_the_same_json():
    document = plan_document()
    plan = ForwardPlanDocument.from_document(document, source="p.json")
    assert plan.to_document() == document
    assert plan.mode is rundir.GovernanceMode.ENFORCE


def test_plan_without_governance_is_valid():
    document = _set(_set(plan_document(), "governance", None), "mode", "off")
    assert ForwardPlanDocument.from_document(document, source="p").governance is None


BAD_PLANS = [
    ("schema", "dragon.forward_plan/1", "schema"),
    ("mode", "sometimes", "mode"),
    ("next_session", 20241008, "next_session"),
    ("orders.entries.0.close", "38.72", "orders.entries[0].close"),
    ("orders.entries.0.close", 38.725, "orders.entries[0].close"),
    ("orders.entries.0.close", 0, "orders.entries[0].close"),
    ("orders.entries.0.alpha_score", "2.488908", "orders.entries[0].alpha_score"),
    ("orders.entries.0.alpha_score", 2.4889081, "orders.entries[0].alpha_score"),
    ("orders.entries.0.rank", 1.0, "orders.entries[0].rank"),
    ("orders.entries.0.rank", True, "orders.entries[0].rank"),
    ("orders.entries.0.rank", 0, "orders.entries[0].rank"),
    ("orders.entries.0.board_height", "2", "orders.entries[0].board_height"),
    ("orders.exits.0.shares", "300", "orders.exits[0].shares"),
    ("orders.exits.0.shares", 0, "orders.exits[0].shares"),
    ("orders.exits", None, "orders.exits"),
    ("orders.entries.0.shares", -100, "orders.entries[0].shares"),
    ("orders.entries.0.notional", 197574.001, "orders.entries[0].notional"),
    ("orders.entries.0.notional", "197574.00", "orders.entries[0].notional"),
    ("orders.entries.0.affordable", "true", "orders.entries[0].affordable"),
    ("orders.entries.0.limit_up", 0, "orders.entries[0].limit_up"),
    ("orders.exits.0.fees_estimate", -1.0, "orders.exits[0].fees_estimate"),
    ("book.source", "broker", "book.source"),
    ("book.max_positions", 0, "book.max_positions"),
    ("book.cash", float("inf"), "book.cash"),
    ("inputs.0.role", "weights", "inputs[0].role"),
    ("reconciliation", [], "reconciliation"),
    ("governance.decision_id", "not-a-hash", "governance.decision_id"),
    ("governance.file", "../rollout_decision.json", "governance.file"),
]


@pytest.mark.parametrize(("field", "value", "named"), BAD_PLANS)
def test_a_bad_plan_field_is_a_user_error_naming_file_and_field(field, value, named):
    document = _set(plan_document(), field, value)
    with pytest.raises(DragonUserError) as caught:
        ForwardPlanDocument.from_document(document, source="RUN/forward_plan.json")
    assert str(caught.value).startswith(f"RUN/forward_plan.json: field {named}:")


def _cents_text(cents: int) -> str:
    """A price as events.csv prints it: exact cents, two decimals."""
    return f"{cents // 100}.{cents % 100:02d}"


@given(
    cents=st.integers(min_value=1, max_value=10**10),
    score=st.floats(min_value=-1e4, max_value=1e4, allow_nan=False),
)
def test_plan_numbers_are_exactly_the_events_csv_text(cents: int, score: float):
    close_text, score_text = _cents_text(cents), f"{score + 0.0:.6f}"
    entry = EntryOrder.model_validate(
        {
            **plan_document()["orders"]["entries"][0],
            "alpha_score": float(score_text),
            "close": float(close_text),
            "price_estimate": float(close_text),
        }
    )
    written = json.loads(canonical_json(entry.to_document()), parse_float=Decimal)
    assert written["close"] == Decimal(close_text)
    assert written["alpha_score"] == Decimal(score_text)
    again = ForwardPlanDocument.from_document(
        _set(plan_document(), "orders.entries.0", entry.to_document()), source="p"
    )
    assert again.orders.entries[0] == entry


def test_a_plan_with_a_reconciliation_round_trips():
    holding = {
        "symbol": "600001.SH",
        "shares": 100,
        "entry_date": "2024-09-27",
        "entry_price": 38.0,
        "close": 38.72,
        "hold_sessions": 2,
        "action": "HOLD",
        "reason": "CONTINUES_LIMIT_UP",
    }
    reconciliation = {
        "holdings": [holding],
        "desk_only": ["600001.SH"],
        "branch_only": [{"symbol": "000002.SZ", "shares": 300}],
        "in_both": [],
    }
    document = _set(plan_document(), "reconciliation", reconciliation)
    plan = ForwardPlanDocument.from_document(document, source="p")
    assert plan.to_document() == document
    bad = _set(document, "reconciliation.holdings.0.action", "BUY")
    with pytest.raises(DragonUserError, match=re.escape("field reconciliation.holdings[0].action")):
        ForwardPlanDocument.from_document(bad, source="p")


# --- inputs and the run marker -------------------------------------------------------------


def test_an_input_without_a_role_is_the_bars_of_a_run_written_before_roles():
    document = _set(manifest_document(), "inputs", [{"path": "/data/bars.csv", "sha256": SHA}])
    manifest = ManifestDocument.from_document(document, source="m")
    assert manifest.inputs[0].role is rundir.InputRole.BARS
    assert manifest.inputs_of(rundir.InputRole.SIDE_TABLE) == ()


def _marker(*inputs: tuple[str, str, str], as_of: str = "2024-10-08") -> rundir.RunMarker:
    return rundir.RunMarker.from_document(
        {
            "schema": "dragon.run_marker/1",
            "as_of": as_of,
            "inputs": [{"path": p, "role": r, "sha256": h} for p, r, h in inputs],
        },
        source="marker",
    )


BARS = ("/data/bars.csv", "bars", "a" * 64)


def test_the_same_inputs_are_the_same_run_wherever_they_are():
    moved = ("/elsewhere/bars.csv", "bars", "a" * 64)
    assert rundir.marker_changes(_marker(BARS), _marker(moved)) == []


def test_marker_changes_name_the_session_and_each_input_that_differs():
    before = _marker(BARS, ("st.csv", "side_table", "b" * 64), ("p.toml", "policy", "c" * 64))
    after = _marker(
        ("/data/bars.csv", "bars", "d" * 64),
        ("st.csv", "side_table", "b" * 64),
        ("st2.csv", "side_table", "e" * 64),
        ("b.toml", "branches", "f" * 64),
        as_of="2024-10-09",
    )
    assert rundir.marker_changes(before, after) == [
        "as_of 2024-10-08, now 2024-10-09",
        "bars '/data/bars.csv' changed (sha256 aaaaaaaaaaaa… then, dddddddddddd… now)",
        "side table 2 'st2.csv' added",
        "branches 'b.toml' added",
        "policy 'p.toml' removed",
    ]


def test_side_tables_are_compared_in_the_order_given():
    one, two = ("a.csv", "side_table", "b" * 64), ("b.csv", "side_table", "c" * 64)
    changes = rundir.marker_changes(_marker(BARS, one, two), _marker(BARS, two, one))
    assert [c.split(" '")[0] for c in changes] == ["side table 1", "side table 2"]


def test_read_marker_reads_this_schema_and_the_schema_less_one(tmp_path: Path):
    assert rundir.read_marker(tmp_path) is None
    marker = _marker(BARS)
    write_document(tmp_path, marker)
    assert rundir.read_marker(tmp_path) == marker
    legacy = {"as_of": "2024-10-08", "input_sha256": "a" * 64}
    (tmp_path / rundir.RUN_MARKER_FILE).write_text(json.dumps(legacy), encoding="utf-8")
    assert rundir.marker_changes(rundir.read_marker(tmp_path), marker) == []


@pytest.mark.parametrize(
    "text",
    ['{"as_of": "2024-10-08"}', "not json", '{"schema": "dragon.run_marker/1", "inputs": []}'],
)
def test_a_file_that_is_not_a_run_marker_reads_as_none(tmp_path: Path, text: str):
    (tmp_path / rundir.RUN_MARKER_FILE).write_text(text, encoding="utf-8")
    assert rundir.read_marker(tmp_path) is None


def test_a_plan_with_a_rollout_state_round_trips():
    rollout = {
        "ledger": "governance/ledger.jsonl",
        "state": "ROLLED_BACK_PENDING_REVIEW",
        "active_branch": "alpha_first_selective_veto",
        "since": "2024-09-27",
        "pending_rollback": {"seq": 3, "decision_id": SHA, "as_of": "2024-09-27"},
        "entries": 4,
        "head_hash": SHA,
    }
    document = _set(plan_document(), "governance.rollout", rollout)
    plan = ForwardPlanDocument.from_document(document, source="p.json")
    assert plan.to_document() == document
    assert plan.governance is not None and plan.governance.rollout is not None
    assert plan.governance.rollout.pending_rollback is not None


def test_a_plan_whose_rollout_has_no_head_hash_is_refused():
    rollout = {"ledger": "l", "state": "HELD", "active_branch": "a", "since": "2024-09-27"}
    document = _set(plan_document(), "governance.rollout", rollout)
    with pytest.raises(DragonUserError, match=r"governance\.rollout"):
        ForwardPlanDocument.from_document(document, source="p.json")
