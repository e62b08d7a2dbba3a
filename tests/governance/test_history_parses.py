"""``HistoryParses``: parsing a growing ``monitor_history.csv`` line by line gives exactly
``parse_history``'s result — the same model or the same error — for every file."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dragon_governance import HistoryParses
from dragon_governance.sources.history import HistoryFormatError, parse_history

HEADER = b"as_of,condition_id,active\n"
START = date(2024, 1, 2)


def _outcome(parse, data: bytes) -> object:
    try:
        return parse(data).rows
    except HistoryFormatError as err:
        return ("error", err.field, err.value, err.message)


def _line(day: int, condition: str, active: str) -> bytes:
    return f"{(START + timedelta(days=day)).isoformat()},{condition},{active}\n".encode()


def _grown(lines: list[bytes], cuts: list[int]) -> list[bytes]:
    """The file at each cut: the header and the first ``cut`` lines."""
    return [HEADER + b"".join(lines[:cut]) for cut in sorted(cuts)]


def _same_as_whole(files: list[bytes]) -> None:
    parses = HistoryParses()
    for data in files:
        assert _outcome(parses.parse, data) == _outcome(parse_history, data)


def test_a_history_growing_one_session_at_a_time_parses_as_each_whole_file():
    lines = [_line(day, c, "true" if day % 3 else "false") for day in range(30) for c in "AB"]
    _same_as_whole(_grown(lines, list(range(2, len(lines) + 1, 2))))


def test_a_bad_row_in_the_new_lines_is_named_by_its_line_in_the_whole_file():
    lines = [_line(day, "A", "true") for day in range(5)] + [_line(5, "A", "maybe")]
    parses = HistoryParses()
    parses.parse(HEADER + b"".join(lines[:5]))
    outcome = _outcome(parses.parse, HEADER + b"".join(lines))
    assert outcome == _outcome(parse_history, HEADER + b"".join(lines))
    assert outcome[1] == "line 7, column active"


def test_new_bytes_that_are_not_utf8_give_the_whole_file_offset():
    first = HEADER + _line(0, "A", "true")
    parses = HistoryParses()
    parses.parse(first)
    data = first + b"\xff\n"
    assert _outcome(parses.parse, data) == _outcome(parse_history, data)


def test_a_byte_order_mark_after_the_first_line_is_not_a_file_bom():
    first = HEADER + _line(0, "A", "true")
    parses = HistoryParses()
    parses.parse(first)
    data = first + b"\xef\xbb\xbf" + _line(1, "A", "true")
    assert _outcome(parses.parse, data) == _outcome(parse_history, data)


def test_a_file_that_does_not_extend_the_last_is_parsed_whole():
    parses = HistoryParses()
    parses.parse(HEADER + _line(0, "A", "true") + _line(1, "A", "true"))
    data = HEADER + _line(0, "A", "false")
    assert _outcome(parses.parse, data) == _outcome(parse_history, data)


_rows = st.lists(
    st.tuples(
        st.integers(0, 6),
        st.sampled_from(["A", "B", "C D", ""]),
        st.sampled_from(["true", "false", "maybe", '"true']),
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=200, deadline=None)
@given(
    rows=_rows,
    cuts=st.lists(st.integers(0, 14), min_size=1, max_size=6),
    tail=st.binary(max_size=6),
)
def test_any_growing_file_parses_as_each_whole_file(rows, cuts, tail):
    lines = [_line(*row) for row in sorted(rows, key=lambda r: r[0])]
    files = _grown(lines, [min(cut, len(lines)) for cut in cuts])
    _same_as_whole([*files, files[-1] + tail])
