"""The decision timeline: hand-made records, their bands, the section, the ledger reader."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dragon_compat.errors import DragonUserError
from dragon_compat.report.html import Chart
from dragon_compat.report.sections import timeline_section
from dragon_compat.report.timeline import (
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


def _ledger(path: Path, codes: list[str]) -> Path:
    """A real ledger (dragon-governance's builder) from lifecycle codes."""
    from tests.governance.ledgers import build

    path.write_bytes(build(codes).data())
    return path


def test_a_ledger_reads_as_records_with_the_rollout_state(tmp_path):
    records = read_ledger(_ledger(tmp_path / "l.jsonl", ["P", "R", "P", "resume", "H"]))
    assert [(r.session.isoformat(), r.decision, r.state, r.review) for r in records] == [
        ("2023-08-22", "PROCEED", "CANDIDATE_ACTIVE", None),
        ("2023-08-23", "ROLLBACK_REVIEW_REQUIRED", "ROLLED_BACK_PENDING_REVIEW", None),
        ("2023-08-24", "PROCEED", "ROLLED_BACK_PENDING_REVIEW", None),
        ("2023-08-24", "PROCEED", "CANDIDATE_ACTIVE", "resume by ops: looked at the drawdown"),
        ("2023-08-25", "HOLD", "HELD", None),
    ]


def test_a_review_keeps_its_mark_on_its_session(tmp_path):
    records = read_ledger(_ledger(tmp_path / "l.jsonl", ["R", "resume"]))
    shown = latest_per_session(records)
    assert [(r.state, r.review) for r in shown] == [
        ("ROLLED_BACK", "resume by ops: looked at the drawdown")
    ]


def test_a_broken_ledger_is_named_with_its_line(tmp_path):
    path = _ledger(tmp_path / "l.jsonl", ["P", "R"])
    path.write_text(path.read_text().replace('"run_dir":"runs/2023-08-23', '"run_dir":"x'))
    with pytest.raises(DragonUserError, match="broken at line 2") as raised:
        read_ledger(path)
    assert raised.value.exit_code == 3


def test_a_missing_or_non_json_ledger_is_a_user_error(tmp_path):
    with pytest.raises(DragonUserError, match="no such ledger"):
        read_ledger(tmp_path / "none.jsonl")
    (tmp_path / "bad.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(DragonUserError, match="line 1: not valid JSON"):
        read_ledger(tmp_path / "bad.jsonl")
