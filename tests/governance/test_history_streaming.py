"""Cheap rejection of a huge ``monitor_history.csv`` (issue 9, class 8).

A 200 MB history took 48 s and 5.1 GB to reject. Now a file over ``HISTORY_MAX_BYTES``
is refused by its size before a byte is read, and a file under it is parsed row by
row, stopping at the first row over ``HISTORY_MAX_ROWS``. The lazy line splitter must
split exactly like ``str.splitlines`` did, so every decision on an existing history
keeps its bytes.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dragon_governance.session_calendar import load_calendar
from dragon_governance.sources import history as history_module
from dragon_governance.sources import load as load_module
from dragon_governance.sources import load_run_sources
from dragon_governance.sources.history import HistoryFormatError, parse_history, split_lines
from dragon_governance.sources.registry import HISTORY as HISTORY_SPEC
from dragon_governance.sources.registry import HISTORY_MAX_BYTES, HISTORY_MAX_ROWS
from tests.governance.builders import HISTORY, RunDir, healthy_conditions, history_csv
from tests.governance.hostile import run_check


def test_a_200_mb_history_is_rejected_by_its_size_at_once(run: RunDir):
    run.omitted.add(HISTORY)
    root = run.build()
    with (root / HISTORY).open("wb") as handle:
        handle.truncate(200 * 10**6)  # sparse: costs no disk, reads as 200 MB of NULs
    load_calendar()  # the session cache is built once per test session: not timed here
    started = time.perf_counter()
    checked = run_check(root)
    assert time.perf_counter() - started < 2
    (reason,) = checked.reasons("HISTORY_CORRUPT")
    assert "larger than 64 MiB (200,000,000 bytes)" in reason["message"]
    assert reason["value"] == 200 * 10**6


def test_the_size_cap_is_strict_a_file_at_it_is_read_one_byte_more_is_not(
    run: RunDir, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(load_module, "HISTORY", dataclasses.replace(HISTORY_SPEC, max_bytes=1000))
    healthy = history_csv(healthy_conditions())
    run.history = healthy + b"#" * (1000 - len(healthy))
    assert load_run_sources(run.build()).history.problem.kind == "invalid"  # read, then parsed
    run.history += b"#"
    assert load_run_sources(run.build()).history.problem.kind == "too_large"


def _rows(count: int) -> bytes:
    conditions = healthy_conditions()
    sessions = tuple(date(1990, 1, 1) + timedelta(days=i) for i in range(-(-count // 5)))
    return history_csv(conditions, sessions)


def test_rows_over_the_cap_are_rejected_naming_the_first_row_beyond_it(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(history_module, "HISTORY_MAX_ROWS", 20)
    with pytest.raises(HistoryFormatError) as err:
        parse_history(_rows(25))
    assert err.value.field == "line 22"  # header + 20 rows, then the 21st
    assert "more than 20 rows" in err.value.message
    assert len(parse_history(_rows(20)).rows) == 20


_PIECES = ["a", "b", ",", '"', "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"]
line_texts = st.lists(st.sampled_from([*_PIECES, "\x85", "\u2028", "\u2029"]), max_size=30).map(
    "".join
)


@given(line_texts)
def test_the_lazy_splitter_splits_exactly_like_splitlines(text: str):
    assert list(split_lines(text)) == text.splitlines()


def test_the_documented_caps_are_the_ones_enforced():
    assert (HISTORY_MAX_BYTES, HISTORY_MAX_ROWS) == (64 * 2**20, 200_000)
    assert HISTORY_SPEC.max_bytes == HISTORY_MAX_BYTES
    readme = Path(__file__).parents[2] / "packages" / "dragon-governance" / "README.md"
    text = readme.read_text()
    assert "64 MiB" in text and "200,000 rows" in text
