"""The monitor's files: exact text, atomic deterministic writes, and invariants."""

from __future__ import annotations

import hashlib
import json
import math
import operator

from hypothesis import given, settings
from hypothesis import strategies as st

from dragon_compat.monitor import (
    DIVERGENCE_FILE,
    MONITOR_HEALTH_FILE,
    MONITOR_HISTORY_FILE,
    REFINED_CONTROL_FILE,
    BranchTables,
    Divergence,
    write_monitor,
)
from dragon_compat.monitor.conditions import trailing_run
from dragon_runtime.canonical import canonical_json
from tests.compat.monitor.builders import (
    CAPITAL,
    fills,
    market,
    monitor_at,
    monitor_last,
    random_markets,
    signals,
)

ALL_FILES = [MONITOR_HEALTH_FILE, MONITOR_HISTORY_FILE, DIVERGENCE_FILE, REFINED_CONTROL_FILE]


def _busy_market():
    """A market where every condition and both comparisons have something to say."""
    equity = [CAPITAL, 990_000.0, 870_000.0, 860_000.0, 905_000.0]
    return market(
        5,
        candidate_equity=equity,
        candidate_trades=[(1, -100.0), (2, -50.0), (2, 20.0), (3, -10.0), (4, -5.0)],
        candidate_events=fills([1, 2]) + signals([(0, "600001.SH"), (1, "600002.SH")]),
        reference_events=fills([1]),
        control_events=signals([(0, "600001.SH"), (3, "600009.SH")]),
    )


# -- exact file text ----------------------------------------------------------------


def test_history_csv_has_the_exact_header_and_one_row_per_session_and_condition():
    text = monitor_last(market(2, candidate_equity=[CAPITAL, 850_000.0])).history.to_csv()
    assert text == (
        "as_of,condition_id,active\n"
        "2024-01-02,H1_DRAWDOWN,false\n"
        "2024-01-02,W1_DRAWDOWN,false\n"
        "2024-01-02,W2_RETURN_GAP_20D,false\n"
        "2024-01-02,W3_HIT_RATE_20,false\n"
        "2024-01-02,W4_IDLE,false\n"
        "2024-01-03,H1_DRAWDOWN,false\n"
        "2024-01-03,W1_DRAWDOWN,true\n"
        "2024-01-03,W2_RETURN_GAP_20D,true\n"
        "2024-01-03,W3_HIT_RATE_20,false\n"
        "2024-01-03,W4_IDLE,false\n"
    )


def test_divergence_json_is_canonical_text():
    tables = market(3, candidate_events=fills([0, 1, 2]), reference_events=fills([1]))
    files = monitor_last(tables).files()
    assert files[DIVERGENCE_FILE].decode() == (
        "{\n"
        '  "as_of": "2024-01-04",\n'
        '  "candidate_branch": "alpha_first",\n'
        '  "entry_jaccard": 0.333333,\n'
        '  "level": "high",\n'
        '  "reference_branch": "rc1_baseline",\n'
        '  "return_gap": 0.0,\n'
        '  "schema": "dragon.divergence/1"\n'
        "}\n"
    )


def test_refined_control_json_is_canonical_text():
    files = monitor_last(market(2)).files()
    assert files[REFINED_CONTROL_FILE].decode() == (
        "{\n"
        '  "alignment_ratio": 1.0,\n'
        '  "as_of": "2024-01-03",\n'
        '  "candidate_branch": "alpha_first",\n'
        '  "control_branch": "alpha_first_selective_veto",\n'
        '  "schema": "dragon.refined_control/1",\n'
        '  "status": "aligned"\n'
        "}\n"
    )


def test_monitor_health_json_is_canonical_and_in_table_order():
    text = monitor_last(_busy_market()).files()[MONITOR_HEALTH_FILE].decode()
    document = json.loads(text)
    assert text == json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert document["schema"] == "dragon.monitor_health/1"
    assert (document["as_of"], document["branch"]) == ("2024-01-08", "alpha_first")
    assert [c["id"] for c in document["conditions"]] == [
        "H1_DRAWDOWN",
        "W1_DRAWDOWN",
        "W2_RETURN_GAP_20D",
        "W3_HIT_RATE_20",
        "W4_IDLE",
    ]
    assert document["conditions"][3] == {
        "id": "W3_HIT_RATE_20",
        "tier": "warning",
        "active": True,
        "value": 0.2,
        "threshold": 0.35,
        "streak": 1,
    }


def test_a_condition_without_a_value_publishes_null():
    document = json.loads(monitor_last(market(2)).files()[MONITOR_HEALTH_FILE])
    assert document["conditions"][3]["value"] is None


# -- writing --------------------------------------------------------------------------


def test_write_monitor_writes_the_four_files_and_returns_their_sha256(tmp_path):
    artifacts = monitor_last(_busy_market())
    hashes = write_monitor(tmp_path / "run", artifacts)
    assert list(hashes) == ALL_FILES
    for name, digest in hashes.items():
        data = (tmp_path / "run" / name).read_bytes()
        assert data == artifacts.files()[name]
        assert hashlib.sha256(data).hexdigest() == digest


def test_two_writes_of_the_same_inputs_are_byte_identical(tmp_path):
    first = write_monitor(tmp_path / "a", monitor_last(_busy_market()))
    second = write_monitor(tmp_path / "b", monitor_last(_busy_market()))
    assert first == second
    for name in ALL_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_rewriting_a_run_directory_replaces_files_and_leaves_no_temporaries(tmp_path):
    write_monitor(tmp_path, monitor_at(_busy_market(), 2))
    hashes = write_monitor(tmp_path, monitor_last(_busy_market()))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(ALL_FILES)
    health = json.loads((tmp_path / MONITOR_HEALTH_FILE).read_text())
    assert health["as_of"] == "2024-01-08"
    assert (
        hashes[MONITOR_HEALTH_FILE]
        == hashlib.sha256((tmp_path / MONITOR_HEALTH_FILE).read_bytes()).hexdigest()
    )


# -- invariants over random histories ------------------------------------------------

_OPS = {
    "H1_DRAWDOWN": operator.gt,
    "W1_DRAWDOWN": operator.gt,
    "W2_RETURN_GAP_20D": operator.lt,
    "W3_HIT_RATE_20": operator.lt,
    "W4_IDLE": operator.ge,
}


@settings(max_examples=50)
@given(random_markets())
def test_history_trailing_run_equals_health_streak(case):
    tables, as_of = case
    artifacts = monitor_at(tables, as_of)
    for status in artifacts.health.conditions:
        column = [r.active for r in artifacts.history.rows if r.condition_id == status.id]
        assert len(column) == as_of + 1
        assert trailing_run(column) == status.streak
        assert column[-1] == status.active


@settings(max_examples=50)
@given(random_markets())
def test_active_follows_from_the_published_value_and_threshold(case):
    tables, as_of = case
    for status in monitor_at(tables, as_of).health.conditions:
        expected = status.value is not None and _OPS[status.id](status.value, status.threshold)
        assert status.active == expected, status
        assert status.value is None or math.isfinite(status.value)


@settings(max_examples=50)
@given(random_markets())
def test_a_dates_result_does_not_depend_on_later_sessions(case):
    tables, as_of = case
    last = len(tables["alpha_first"].equity) - 1
    early, late = monitor_at(tables, as_of), monitor_at(tables, last)
    rows_up_to_as_of = [r for r in late.history.rows if r.as_of <= early.health.as_of]
    assert list(early.history.rows) == rows_up_to_as_of


@settings(max_examples=50)
@given(random_markets(), st.randoms(use_true_random=False))
def test_row_order_of_the_input_tables_does_not_change_a_byte(case, rng):
    tables, as_of = case
    shuffled = {
        name: BranchTables(
            events=_shuffled(t.events, rng),
            trades=_shuffled(t.trades, rng),
            equity=_shuffled(t.equity, rng),
        )
        for name, t in tables.items()
    }
    assert monitor_at(shuffled, as_of).files() == monitor_at(tables, as_of).files()


def _shuffled(frame, rng):
    order = list(range(len(frame)))
    rng.shuffle(order)
    return frame.iloc[order].reset_index(drop=True)


def test_json_floats_are_written_at_six_decimals_and_never_negative_zero():
    divergence = Divergence(
        as_of="2024-01-02",
        candidate_branch="alpha_first",
        reference_branch="rc1_baseline",
        entry_jaccard=2 / 3,
        return_gap=-0.0000001,
        level="none",
    )
    document = json.loads(canonical_json(divergence.to_document()))
    assert (document["entry_jaccard"], document["return_gap"]) == (0.666667, 0.0)
    assert '"return_gap": 0.0' in canonical_json(divergence.to_document())
