"""The desk's positions file and ``--cash``: what is accepted, and each refusal naming
file, row and field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from dragon_compat.errors import DragonUserError
from dragon_compat.plan.positions import DeskPosition, parse_cash, read_positions

HEADER = "symbol,shares,entry_date,entry_price\n"


def _csv(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "positions.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def _json(tmp_path: Path, rows: object) -> Path:
    path = tmp_path / "positions.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def _fields(positions: tuple[DeskPosition, ...]) -> list[tuple]:
    return [(p.symbol, p.shares, p.entry_date, p.entry_price_c) for p in positions]


def test_a_csv_file_gives_the_holdings_sorted_by_symbol_with_cents(tmp_path: Path):
    path = _csv(tmp_path, "600001.SH,1000,2024-01-05,12.11\n000003.SZ,150,2024-01-08,9\n")
    assert _fields(read_positions(path)) == [
        ("000003.SZ", 150, dt.date(2024, 1, 8), 900),
        ("600001.SH", 1000, dt.date(2024, 1, 5), 1211),
    ]


def test_columns_may_come_in_any_order_with_a_bom_and_blank_lines(tmp_path: Path):
    path = tmp_path / "positions.csv"
    text = "\ufeffentry_price,symbol,entry_date,shares\n\n12.11,600001.SH,2024-01-05,100\n\n"
    path.write_text(text, encoding="utf-8")
    assert _fields(read_positions(path)) == [("600001.SH", 100, dt.date(2024, 1, 5), 1211)]


def test_a_json_file_gives_the_same_holdings_as_the_csv(tmp_path: Path):
    csv_path = _csv(tmp_path, "600001.SH,1000,2024-01-05,12.11\n")
    json_path = _json(
        tmp_path,
        [{"symbol": "600001.SH", "shares": 1000, "entry_date": "2024-01-05", "entry_price": 12.11}],
    )
    assert _fields(read_positions(json_path)) == _fields(read_positions(csv_path))


def test_an_empty_book_is_a_desk_that_holds_nothing(tmp_path: Path):
    assert read_positions(_csv(tmp_path, "")) == ()
    assert read_positions(_json(tmp_path, [])) == ()


BAD_CSV_ROWS = {
    "symbol without suffix": ("600001,100,2024-01-05,12.11", "symbol", "'600001'"),
    "symbol lower case": ("600001.sh,100,2024-01-05,12.11", "symbol", "'600001.sh'"),
    "shares zero": ("600001.SH,0,2024-01-05,12.11", "shares", "'0'"),
    "shares fractional": ("600001.SH,100.5,2024-01-05,12.11", "shares", "'100.5'"),
    "shares negative": ("600001.SH,-100,2024-01-05,12.11", "shares", "'-100'"),
    "date compact": ("600001.SH,100,20240105,12.11", "entry_date", "'20240105'"),
    "date impossible": ("600001.SH,100,2024-02-30,12.11", "entry_date", "'2024-02-30'"),
    "price three decimals": ("600001.SH,100,2024-01-05,12.115", "entry_price", "'12.115'"),
    "price zero": ("600001.SH,100,2024-01-05,0", "entry_price", "'0'"),
    "price text": ("600001.SH,100,2024-01-05,twelve", "entry_price", "'twelve'"),
    "price empty": ("600001.SH,100,2024-01-05,", "entry_price", "''"),
}


@pytest.mark.parametrize("case", list(BAD_CSV_ROWS))
def test_a_bad_csv_cell_names_file_row_line_and_field(tmp_path: Path, case: str):
    row, field, shown = BAD_CSV_ROWS[case]
    path = _csv(tmp_path, f"000003.SZ,100,2024-01-05,9.00\n{row}\n")
    with pytest.raises(DragonUserError) as caught:
        read_positions(path)
    assert caught.value.exit_code == 2
    assert str(caught.value).startswith(f"{path}: row 2 (line 3): field {field}: {shown} is not")


BAD_JSON_ENTRIES = {
    "shares as text": ({"shares": "100"}, "shares"),
    "shares as float": ({"shares": 100.0}, "shares"),
    "shares as boolean": ({"shares": True}, "shares"),
    "price as text": ({"entry_price": "12.11"}, "entry_price"),
    "price three decimals": ({"entry_price": 12.115}, "entry_price"),
    "date as number": ({"entry_date": 20240105}, "entry_date"),
    "symbol as number": ({"symbol": 600001}, "symbol"),
}


@pytest.mark.parametrize("case", list(BAD_JSON_ENTRIES))
def test_a_bad_json_value_names_file_entry_and_field(tmp_path: Path, case: str):
    change, field = BAD_JSON_ENTRIES[case]
    good = {"symbol": "600001.SH", "shares": 100, "entry_date": "2024-01-05", "entry_price": 12.11}
    path = _json(tmp_path, [good, good | {"symbol": "000003.SZ"} | change])
    with pytest.raises(DragonUserError, match=rf"^{path}: entry 2: field {field}: "):
        read_positions(path)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("symbol,shares,entry_date\n", "column 'entry_price' missing"),
        ("symbol,shares,entry_date,entry_price,broker\n", "unknown column 'broker'"),
        ("symbol,share,entry_date,entry_price\n", "unknown column 'share'"),
    ],
)
def test_the_header_must_name_exactly_the_four_fields(tmp_path: Path, header: str, message: str):
    path = _csv(tmp_path, "", header=header)
    with pytest.raises(DragonUserError, match=rf"^{path}: header: {message}"):
        read_positions(path)


def test_a_json_entry_with_an_unknown_key_names_it(tmp_path: Path):
    path = _json(
        tmp_path,
        [{"symbol": "600001.SH", "shares": 1, "entry_date": "2024-01-05", "entry_price": 1,
          "cost": 2}],
    )  # fmt: skip
    with pytest.raises(DragonUserError, match=rf"^{path}: entry 1: unknown key 'cost'"):
        read_positions(path)


def test_a_symbol_held_twice_names_both_rows(tmp_path: Path):
    path = _csv(tmp_path, "600001.SH,100,2024-01-05,12.11\n600001.SH,200,2024-01-08,12.50\n")
    with pytest.raises(DragonUserError) as caught:
        read_positions(path)
    assert str(caught.value) == (
        f"{path}: row 2 (line 3): field symbol: 600001.SH is already held in row 1 (line 2) "
        "(one row per symbol)"
    )


def test_a_row_with_too_few_cells_is_refused(tmp_path: Path):
    path = _csv(tmp_path, "600001.SH,100,2024-01-05\n")
    with pytest.raises(DragonUserError, match=r"row 1 \(line 2\): 3 cells, the header has 4"):
        read_positions(path)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("positions.txt", b"x", "a positions file is .csv or .json, not .txt"),
        ("positions.csv", b"", "empty file"),
        ("positions.csv", "symbol,shares\n".encode("utf-16"), "not UTF-8 text"),
        ("positions.json", b"{", "not valid JSON"),
        ("positions.json", b'{"symbol": "600001.SH"}', "not a JSON list of positions"),
        ("positions.json", b"[NaN]", "not valid JSON"),
    ],
)
def test_a_file_that_is_not_a_positions_file_is_refused(
    tmp_path: Path, name: str, data: bytes, message: str
):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DragonUserError, match=message):
        read_positions(path)


def test_a_missing_positions_file_is_named(tmp_path: Path):
    with pytest.raises(DragonUserError, match="no such positions file"):
        read_positions(tmp_path / "nowhere.csv")


@pytest.mark.parametrize(
    ("text", "cents"),
    [("1000000", 100_000_000), ("1,000,000.00", 100_000_000), ("0", 0), ("12.5", 1250),
     ("1_000", 100_000)],
)  # fmt: skip
def test_cash_is_cny_with_at_most_two_decimals(text: str, cents: int):
    assert parse_cash(text) == cents


@pytest.mark.parametrize("text", ["-1", "12.345", "1e6", "abc", "", "nan", "inf"])
def test_cash_that_is_not_an_amount_is_refused(text: str):
    with pytest.raises(DragonUserError, match="--cash"):
        parse_cash(text)
