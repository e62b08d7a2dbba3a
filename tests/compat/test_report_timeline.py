"""The decision timeline: hand-made records, their bands, the section, the ledger reader."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from dragon_compat.errors import DragonUserError
from dragon_compat.report.html import Chart
from dragon_compat.report.sections import timeline_section
from dragon_compat.report.timeline import (
    GENESIS_HASH,
    Band,
    TimelineRecord,
    bands,
    latest_per_session,
    read_ledger,
)

D1, D2, D3, D4 = date(2024, 10, 8), date(2024, 10, 9), date(2024, 10, 10), date(2024, 10, 11)

RECORDS = [
    TimelineRecord(D1, "PROCEED", "candidate"),
    TimelineRecord(D2, "PROCEED", "candidate"),
    TimelineRecord(D3, "ROLLBACK_REVIEW_REQUIRED", "fallback", review="reviewed by ops"),
    TimelineRecord(D4, "HOLD", "fallback"),
]


def test_equal_consecutive_decisions_merge_into_one_band():
    assert bands(RECORDS, "decision") == [
        Band(D1, D3, "PROCEED"),
        Band(D3, D4, "ROLLBACK_REVIEW_REQUIRED"),
        Band(D4, date(2024, 10, 12), "HOLD"),
    ]


def test_state_bands_follow_the_states():
    assert bands(RECORDS, "state") == [
        Band(D1, D3, "candidate"),
        Band(D3, date(2024, 10, 12), "fallback"),
    ]


def test_the_last_band_holds_until_the_day_after_until():
    last = bands(RECORDS, "decision", until=date(2024, 10, 15))[-1]
    assert last == Band(D4, date(2024, 10, 16), "HOLD")


def test_a_session_decided_twice_keeps_its_last_decision():
    records = [TimelineRecord(D1, "HOLD"), TimelineRecord(D1, "PROCEED")]
    assert latest_per_session(records) == [TimelineRecord(D1, "PROCEED")]
    assert bands(records, "decision") == [Band(D1, D2, "PROCEED")]


def test_an_unknown_state_starts_no_band():
    records = [TimelineRecord(D1, "PROCEED", None), TimelineRecord(D2, "PROCEED", "candidate")]
    assert bands(records, "state") == [Band(D2, D3, "candidate")]


def test_records_need_not_be_sorted():
    assert bands(list(reversed(RECORDS)), "decision") == bands(RECORDS, "decision")


def test_the_section_draws_the_bands_and_marks_reviews():
    section = timeline_section(RECORDS, until=D4)
    (chart,) = section.charts()
    assert isinstance(chart, Chart) and chart.id == "chart-timeline"
    traces = {trace.name: trace for trace in chart.figure.data}
    assert set(traces) == {
        "PROCEED",
        "ROLLBACK_REVIEW_REQUIRED",
        "HOLD",
        "state: candidate",
        "state: fallback",
        "review",
    }
    assert list(traces["PROCEED"].base) == ["2024-10-08"]
    assert list(traces["PROCEED"].x) == [2 * 86_400_000]  # two days, in ms
    assert list(traces["review"].x) == ["2024-10-10"]
    assert list(traces["review"].text) == ["reviewed by ops"]
    page = section.to_html()
    assert "reviewed by ops" in page and "2024-10-11" in page


def test_the_section_without_records_says_so():
    section = timeline_section([], source="ledger")
    assert section.charts() == []
    assert "holds no decision" in section.to_html()


def _line(seq: int, prev_hash: str, **changes: object) -> dict[str, object]:
    line = {
        "seq": seq,
        "prev_hash": prev_hash,
        "decision_id": "a" * 64,
        "as_of": "2024-10-08",
        "decision": "PROCEED",
        "recommended_branch": "alpha_first",
        "recorded_at": "2024-10-08T12:00:00Z",
        "hash": f"{seq:064d}",
    }
    line.update(changes)
    return line


def write_ledger(path: Path, lines: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def test_a_ledger_reads_as_records_in_ledger_order(tmp_path):
    first = _line(1, GENESIS_HASH)
    second = _line(2, first["hash"], as_of="2024-10-09", decision="HOLD")
    records = read_ledger(write_ledger(tmp_path / "l.jsonl", [first, second]))
    assert records == [
        TimelineRecord(D1, "PROCEED", "alpha_first"),
        TimelineRecord(D2, "HOLD", "alpha_first"),
    ]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([{"seq": 1}], "line 1: field 'prev_hash' is missing"),
        ([_line(2, GENESIS_HASH)], "line 1: field 'seq' is 2, expected 1"),
        ([_line(1, GENESIS_HASH), _line(2, "f" * 64)], "line 2: field 'prev_hash'"),
        ([_line(1, GENESIS_HASH, decision="MAYBE")], "line 1: field 'decision' 'MAYBE'"),
        ([_line(1, GENESIS_HASH, as_of="08/10/2024")], "line 1: field 'as_of'"),
    ],
)
def test_a_bad_ledger_line_is_named(tmp_path, lines, message):
    with pytest.raises(DragonUserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_ledger(write_ledger(tmp_path / "l.jsonl", lines))


def test_a_missing_or_non_json_ledger_is_a_user_error(tmp_path):
    with pytest.raises(DragonUserError, match="no such ledger"):
        read_ledger(tmp_path / "none.jsonl")
    (tmp_path / "bad.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(DragonUserError, match="line 1: not JSON"):
        read_ledger(tmp_path / "bad.jsonl")
