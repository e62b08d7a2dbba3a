"""The desk's positions file (``dragon forward --positions FILE``) and ``--cash``.

One row per holding, four fields, nothing else:

- ``symbol`` — ``NNNNNN.SH``, ``NNNNNN.SZ`` or ``NNNNNN.BJ``;
- ``shares`` — a whole number > 0 (odd lots allowed: a desk may hold them);
- ``entry_date`` — ``YYYY-MM-DD``, the session the holding was bought (its first
  session for the exit rule's holding count);
- ``entry_price`` — CNY per share, > 0, at most 2 decimals (the fill price the exit
  rule's stop-loss compares the close with, exact in cents).

**CSV** (``.csv``): UTF-8 (a byte-order mark is allowed), a header row naming exactly
these four columns in any order, one row per holding. **JSON** (``.json``): a list of
objects with exactly these four keys; ``shares`` a JSON integer, ``entry_price`` a
JSON number, the others strings. A symbol may appear once. An empty file body (a
header only, or ``[]``) is a desk that holds nothing.

Every problem is a :class:`DragonUserError` (exit 2) naming the file, the row (CSV:
the 1-based data row and its line; JSON: the 1-based entry) and the field.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final

from dragon_compat.errors import DragonUserError

__all__ = [
    "MAX_POSITIONS_ROWS",
    "POSITION_FIELDS",
    "DeskPosition",
    "parse_cash",
    "read_positions",
]

POSITION_FIELDS: Final = ("symbol", "shares", "entry_date", "entry_price")
"""The fields of a positions file, in the order the README lists them."""
MAX_POSITIONS_ROWS: Final = 10_000
"""More rows than any desk's book holds: a larger file is refused."""

_SYMBOL: Final = re.compile(r"[0-9]{6}\.(SH|SZ|BJ)")
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SHARES: Final = re.compile(r"[0-9]+")
_RULES: Final[Mapping[str, str]] = {
    "symbol": "a symbol NNNNNN.SH, NNNNNN.SZ or NNNNNN.BJ",
    "shares": "a whole number of shares > 0",
    "entry_date": "an ISO date YYYY-MM-DD",
    "entry_price": "a price in CNY > 0 with at most 2 decimals",
}


@dataclass(frozen=True, slots=True)
class DeskPosition:
    """One holding of the desk; ``entry_price_c`` in cents; ``where`` names its row."""

    symbol: str
    shares: int
    entry_date: dt.date
    entry_price_c: int
    where: str


def _cents(text: str) -> int | None:
    """Exact cents of a CNY amount with at most 2 decimals; None if it is not one."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value * 100 != (value * 100).to_integral_value():
        return None
    return int(value * 100)


def parse_cash(text: str) -> int:
    """``--cash AMOUNT``: CNY ≥ 0 with at most 2 decimals, as cents (``1000000`` or
    ``1,000,000.00``; commas and underscores as digit separators are allowed)."""
    cleaned = text.strip().replace(",", "").replace("_", "")
    cents = _cents(cleaned) if re.fullmatch(r"[0-9]+(\.[0-9]{1,2})?", cleaned) else None
    if cents is None:
        raise DragonUserError(
            f"--cash {text!r}: not an amount of CNY >= 0 with at most 2 decimals "
            "(e.g. 1000000 or 1,000,000.00)"
        )
    return cents


def _field(where: str, name: str, value: object) -> DragonUserError:
    return DragonUserError(f"{where}: field {name}: {value!r} is not {_RULES[name]}")


def _position(where: str, row: Mapping[str, object], *, typed: bool) -> DeskPosition:
    """One row's four fields checked; ``typed`` rows come from JSON (numbers stay
    numbers), others from CSV text."""
    symbol = row["symbol"]
    if not isinstance(symbol, str) or not _SYMBOL.fullmatch(symbol):
        raise _field(where, "symbol", symbol)
    shares = row["shares"]
    if typed:
        ok = isinstance(shares, int) and not isinstance(shares, bool) and shares > 0
    else:
        ok = isinstance(shares, str) and bool(_SHARES.fullmatch(shares)) and int(shares) > 0
    if not ok:
        raise _field(where, "shares", shares)
    entry_date = row["entry_date"]
    try:
        if not isinstance(entry_date, str) or not _DATE.fullmatch(entry_date):
            raise ValueError
        day = dt.date.fromisoformat(entry_date)
    except ValueError:
        raise _field(where, "entry_date", entry_date) from None
    price = row["entry_price"]
    if typed:
        text = (
            str(price) if isinstance(price, int | Decimal) and not isinstance(price, bool) else ""
        )
    else:
        text = price if isinstance(price, str) else ""
    cents = _cents(text) if text else None
    if cents is None or cents <= 0:
        raise _field(where, "entry_price", price if not isinstance(price, Decimal) else text)
    count = shares if isinstance(shares, int) else int(str(shares))
    return DeskPosition(symbol, count, day, cents, where)


def _check_fields(where: str, fields: list[str], what: str) -> None:
    extra = [name for name in fields if name not in POSITION_FIELDS]
    if extra:
        raise DragonUserError(
            f"{where}: unknown {what} {extra[0]!r} (the {what}s are {', '.join(POSITION_FIELDS)})"
        )
    missing = [name for name in POSITION_FIELDS if name not in fields]
    if missing:
        raise DragonUserError(f"{where}: {what} {missing[0]!r} missing ({_RULES[missing[0]]})")


def _csv_positions(path: Path, text: str) -> list[DeskPosition]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise DragonUserError(
            f"{path}: empty file (a header row {','.join(POSITION_FIELDS)} is needed)"
        )
    header = [name.strip() for name in header]
    _check_fields(f"{path}: header", header, "column")
    if len(set(header)) != len(header):
        raise DragonUserError(f"{path}: header: a column is named twice")
    positions = []
    for number, cells in enumerate(reader, start=1):
        where = f"{path}: row {number} (line {reader.line_num})"
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise DragonUserError(f"{where}: {len(cells)} cells, the header has {len(header)}")
        row = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
        positions.append(_position(where, row, typed=False))
    return positions


def _json_positions(path: Path, text: str) -> list[DeskPosition]:
    try:
        document = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except ValueError as err:
        raise DragonUserError(f"{path}: not valid JSON ({err})") from None
    if not isinstance(document, list):
        raise DragonUserError(f"{path}: not a JSON list of positions")
    positions = []
    for number, entry in enumerate(document, start=1):
        where = f"{path}: entry {number}"
        if not isinstance(entry, dict):
            raise DragonUserError(f"{where}: not a JSON object")
        _check_fields(where, list(entry), "key")
        positions.append(_position(where, entry, typed=True))
    return positions


def _no_constant(text: str) -> object:
    raise ValueError(f"{text} is not a JSON number")


def read_positions(path: str | Path) -> tuple[DeskPosition, ...]:
    """The desk's holdings in ``path`` (``.csv`` or ``.json``), sorted by symbol.

    Raises :class:`DragonUserError` naming the file, row and field for anything that
    is not a positions file as the module docstring describes.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".json"}:
        raise DragonUserError(f"{path}: a positions file is .csv or .json, not {suffix or 'none'}")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DragonUserError(f"{path}: no such positions file") from None
    except OSError as err:
        raise DragonUserError(f"{path}: cannot read the positions file ({err.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DragonUserError(f"{path}: not UTF-8 text ({err.reason})") from None
    positions = _csv_positions(path, text) if suffix == ".csv" else _json_positions(path, text)
    if len(positions) > MAX_POSITIONS_ROWS:
        raise DragonUserError(f"{path}: {len(positions)} rows, more than {MAX_POSITIONS_ROWS}")
    seen: dict[str, str] = {}
    for position in positions:
        if position.symbol in seen:
            raise DragonUserError(
                f"{position.where}: field symbol: {position.symbol} is already held in "
                f"{seen[position.symbol].removeprefix(f'{path}: ')} (one row per symbol)"
            )
        seen[position.symbol] = position.where
    return tuple(sorted(positions, key=lambda p: p.symbol))
