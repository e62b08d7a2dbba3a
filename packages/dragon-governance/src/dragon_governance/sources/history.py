"""Parse ``monitor_history.csv`` into a ``MonitorHistory`` or a precise format error.

Format (strict): UTF-8 without BOM; header exactly ``as_of,condition_id,active``;
``as_of`` an ISO ``YYYY-MM-DD`` date; ``condition_id`` non-empty without whitespace;
``active`` exactly ``true`` or ``false``; one row per session and condition (no
duplicate pair, every session lists the same condition ids); at least one row and
at most ``HISTORY_MAX_ROWS``. Rows may come in any order; the model holds them sorted
by (as_of, condition_id).

The text is split into lines lazily (the line breaks of ``str.splitlines``) and parsed
row by row, stopping at the first broken rule or at the first row over the cap: an
over-long history costs what its first ``HISTORY_MAX_ROWS`` rows cost, never more.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator
from datetime import date

from dragon_governance.sources.models import HistoryRow, MonitorHistory
from dragon_governance.sources.registry import HISTORY_COLUMNS, HISTORY_MAX_ROWS

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Exactly the line boundaries of ``str.splitlines``.
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_IDENTIFIER = re.compile(r"^\S+$")
_BOOLEANS = {"true": True, "false": False}


class HistoryFormatError(ValueError):
    """A rule of the CSV format is broken at ``field`` (e.g. ``line 7, column active``)."""

    def __init__(self, field: str, value: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
        self.message = message


def split_lines(text: str) -> Iterator[str]:
    """The lines of ``text``, lazily: the same list as ``text.splitlines()``."""
    start = 0
    for match in _LINE_BREAK.finditer(text):
        yield text[start : match.start()]
        start = match.end()
    if start < len(text):
        yield text[start:]


def _parse_date(text: str, field: str) -> date:
    if _ISO_DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise HistoryFormatError(field, text, f"{field}: {text!r} is not an ISO date YYYY-MM-DD")


def _parse_row(line_no: int, fields: list[str]) -> HistoryRow:
    where = f"line {line_no}"
    if len(fields) != len(HISTORY_COLUMNS):
        raise HistoryFormatError(
            where,
            ",".join(fields),
            f"{where}: expected {len(HISTORY_COLUMNS)} fields "
            f"({','.join(HISTORY_COLUMNS)}), got {len(fields)}",
        )
    as_of_text, condition_id, active_text = fields
    as_of = _parse_date(as_of_text, f"{where}, column as_of")
    if not _IDENTIFIER.match(condition_id):
        field = f"{where}, column condition_id"
        raise HistoryFormatError(
            field, condition_id, f"{field}: must be non-empty without whitespace"
        )
    if active_text not in _BOOLEANS:
        field = f"{where}, column active"
        raise HistoryFormatError(
            field, active_text, f"{field}: must be 'true' or 'false', got {active_text!r}"
        )
    return HistoryRow.model_construct(
        as_of=as_of, condition_id=condition_id, active=_BOOLEANS[active_text]
    )


def _check_grid(rows: list[HistoryRow]) -> None:
    """One row per session and condition: no duplicates, the same ids every session."""
    by_session: dict[date, set[str]] = {}
    for row in rows:
        ids = by_session.setdefault(row.as_of, set())
        if row.condition_id in ids:
            field = f"as_of {row.as_of.isoformat()}"
            raise HistoryFormatError(
                field,
                row.condition_id,
                f"duplicate row for session {row.as_of.isoformat()} and condition "
                f"{row.condition_id!r}",
            )
        ids.add(row.condition_id)
    sessions = sorted(by_session)
    expected = by_session[sessions[-1]]
    for session in sessions:
        ids = by_session[session]
        if ids != expected:
            missing = sorted(expected - ids)
            extra = sorted(ids - expected)
            detail = f"missing {missing}" if missing else f"unexpected {extra}"
            field = f"as_of {session.isoformat()}"
            raise HistoryFormatError(
                field,
                ",".join(missing or extra),
                f"session {session.isoformat()} does not list the same condition ids as "
                f"the last session {sessions[-1].isoformat()}: {detail}",
            )


def _text_of(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        raise HistoryFormatError("line 1", None, "file starts with a UTF-8 byte-order mark")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise HistoryFormatError(
            "(file)", None, f"not UTF-8 (byte {err.start}: {err.reason})"
        ) from err


def _parse_rows(reader: Iterator[list[str]], first_line: int, rows: list[HistoryRow]) -> None:
    """Parse the data records of ``reader`` (the first on line ``first_line``) onto ``rows``."""
    for line_no, fields in enumerate(reader, start=first_line):
        if not fields:
            raise HistoryFormatError(f"line {line_no}", "", f"line {line_no}: empty line")
        if len(rows) == HISTORY_MAX_ROWS:
            raise HistoryFormatError(
                f"line {line_no}",
                None,
                f"line {line_no}: more than {HISTORY_MAX_ROWS:,} rows (the cap on "
                "monitor_history.csv)",
            )
        rows.append(_parse_row(line_no, fields))


def _history(rows: list[HistoryRow]) -> MonitorHistory:
    if not rows:
        raise HistoryFormatError("line 2", None, "no rows after the header")
    _check_grid(rows)
    return MonitorHistory.model_construct(
        rows=tuple(sorted(rows, key=lambda row: (row.as_of, row.condition_id)))
    )


def parse_history(data: bytes) -> MonitorHistory:
    """Parse the CSV bytes; raise ``HistoryFormatError`` naming line/column and rule."""
    lines = split_lines(_text_of(data))
    first = next(lines, None)
    if first is None:
        raise HistoryFormatError("line 1", None, "empty file: no header")
    reader = csv.reader(itertools.chain([first], lines), strict=True)
    rows: list[HistoryRow] = []
    try:
        header = next(reader)
        if tuple(header) != HISTORY_COLUMNS:
            raise HistoryFormatError(
                "line 1",
                ",".join(header),
                f"header must be exactly {','.join(HISTORY_COLUMNS)!r}, got {first!r}",
            )
        _parse_rows(reader, 2, rows)
    except csv.Error as err:
        line_no = reader.line_num
        raise HistoryFormatError(f"line {line_no}", None, f"line {line_no}: {err}") from err
    return _history(rows)


class HistoryParses:
    """``parse_history`` for successive files that each extend the one before — the
    sessions of a replay, whose history grows by one session at a time.

    When ``data`` starts with the bytes of the last file parsed successfully and that
    file ended with a line break, only the new lines are parsed (numbered on from
    there); the grid rule and the ordering are then checked over every row, as
    ``parse_history`` does. Anything else is parsed whole. Either way the result —
    model or error — is ``parse_history(data)``'s (``tests/governance`` proves it).
    """

    def __init__(self) -> None:
        self._data = b""
        self._rows: list[HistoryRow] = []

    def parse(self, data: bytes) -> MonitorHistory:
        previous = self._data
        extends = bool(previous) and previous.endswith(b"\n") and data.startswith(previous)
        if not extends:
            self._data, self._rows = b"", []
            history = parse_history(data)
            self._data, self._rows = data, list(history.rows)
            return history
        rows = list(self._rows)
        try:
            tail = data[len(previous) :].decode("utf-8")
        except UnicodeDecodeError as err:
            detail = f"not UTF-8 (byte {len(previous) + err.start}: {err.reason})"
            raise HistoryFormatError("(file)", None, detail) from err
        reader = csv.reader(split_lines(tail), strict=True)
        try:
            _parse_rows(reader, 2 + len(rows), rows)
        except csv.Error as err:
            line_no = 1 + len(self._rows) + reader.line_num
            raise HistoryFormatError(f"line {line_no}", None, f"line {line_no}: {err}") from err
        history = _history(rows)
        self._data, self._rows = data, rows
        return history
