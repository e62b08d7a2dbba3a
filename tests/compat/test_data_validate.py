"""Validation: each rule of docs/data.md fails with the right row, column and rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dragon_compat.data import Rule, validate_file
from dragon_compat.data import validate as validate_module
from dragon_compat.data.load import _normalize
from dragon_compat.errors import DragonUserError

# trade_date, symbol, open, high, low, close, pre_close, volume, amount, turnover_rate, sector, is_st  # noqa: E501
ROWS = [
    ("2023-08-25", "000001.SZ", 11.00, 11.20, 10.90, 11.10, 11.00, 1_000_000, 11_100_000.0, 0.52, "银行", "false"),  # noqa: E501
    ("2023-08-25", "300750.SZ", 200.00, 202.00, 198.00, 201.50, 199.00, 50_000, 10_050_000.0, 0.21, "电池", "false"),  # noqa: E501
    ("2023-08-25", "600000.SH", 7.10, 7.20, 7.00, 7.15, 7.10, 300_000, 2_145_000.0, 0.10, "银行", "true"),  # noqa: E501
    ("2023-08-28", "000001.SZ", 11.50, 12.21, 11.40, 12.21, 11.10, 2_000_000, 24_000_000.0, 1.04, "银行", "false"),  # noqa: E501
    ("2023-08-28", "300750.SZ", 203.00, 205.00, 200.00, 204.00, 201.50, 60_000, 12_240_000.0, 0.25, "电池", "false"),  # noqa: E501
    ("2023-08-28", "600000.SH", 7.20, 7.51, 7.15, 7.51, 7.15, 400_000, 2_900_000.0, 0.13, "银行", "true"),  # noqa: E501
    ("2023-08-29", "000001.SZ", 12.00, 12.30, 11.80, 11.90, 12.21, 1_500_000, 18_000_000.0, 0.78, "银行", "false"),  # noqa: E501
    ("2023-08-29", "300750.SZ", 204.00, 204.00, 204.00, 204.00, 204.00, 0, 0.0, 0.0, "电池", "false"),  # noqa: E501
    ("2023-08-29", "600000.SH", 7.50, 7.60, 7.40, 7.45, 7.51, 350_000, 2_600_000.0, 0.11, "银行", "true"),  # noqa: E501
]  # fmt: skip
COLUMNS = [
    "trade_date", "symbol", "open", "high", "low", "close", "pre_close",
    "volume", "amount", "turnover_rate", "sector", "is_st",
]  # fmt: skip


def bars() -> pd.DataFrame:
    """A valid native market; cells are set as objects so any text can go in."""
    return pd.DataFrame(ROWS, columns=COLUMNS).astype(object)


def findings(frame: pd.DataFrame, tmp_path, *, side: pd.DataFrame | None = None) -> list[tuple]:
    path = tmp_path / "bars.csv"
    frame.to_csv(path, index=False)
    side_path = None
    if side is not None:
        side_path = tmp_path / "side.csv"
        side.to_csv(side_path, index=False)
    report = validate_file(path, side_table=side_path).report
    return [(e.row, e.column, e.rule.value) for e in report.errors()]


def with_cell(row: int, column: str, value: object) -> pd.DataFrame:
    """The valid market with data row ``row`` (1-based) of ``column`` set to ``value``."""
    frame = bars()
    frame.loc[row - 1, column] = value
    return frame


def test_the_base_market_is_valid(tmp_path):
    assert findings(bars(), tmp_path) == []


def test_missing_required_column(tmp_path):
    assert findings(bars().drop(columns=["amount"]), tmp_path) == [
        (None, "amount", "MISSING_COLUMN")
    ]


def test_missing_value_in_a_required_column(tmp_path):
    assert findings(with_cell(4, "close", None), tmp_path) == [(4, "close", "MISSING_VALUE")]


def test_text_in_a_number_column(tmp_path):
    assert findings(with_cell(2, "volume", "abc"), tmp_path) == [(2, "volume", "NOT_A_NUMBER")]


@pytest.mark.parametrize("symbol", ["60000.SH", "600000.XX", "sh60000", "700000", "ABCDEF.SZ"])
def test_bad_symbol(tmp_path, symbol):
    assert findings(with_cell(3, "symbol", symbol), tmp_path) == [(3, "symbol", "BAD_SYMBOL")]


def test_missing_symbol(tmp_path):
    assert findings(with_cell(3, "symbol", None), tmp_path) == [(3, "symbol", "MISSING_VALUE")]


@pytest.mark.parametrize("date", ["2023/08/28", "20230828", "2023-02-30", "28-08-2023"])
def test_bad_trade_date(tmp_path, date):
    assert findings(with_cell(5, "trade_date", date), tmp_path) == [(5, "trade_date", "BAD_DATE")]


def test_duplicate_trade_date_and_symbol_names_the_first_occurrence(tmp_path):
    frame = pd.concat([bars(), bars().iloc[[0]]], ignore_index=True)
    path = tmp_path / "bars.csv"
    frame.to_csv(path, index=False)
    errors = validate_file(path).report.errors()
    assert [(e.row, e.column, e.rule.value, e.value) for e in errors] == [
        (10, "symbol", "DUPLICATE_ROW", "same key as row 1")
    ]


@pytest.mark.parametrize("value", [0.0, -7.15])
def test_non_positive_price(tmp_path, value):
    assert findings(with_cell(5, "pre_close", value), tmp_path) == [
        (5, "pre_close", "NON_POSITIVE_PRICE")
    ]


@pytest.mark.parametrize("value", [201.505, 201.5001])
def test_price_not_whole_cents(tmp_path, value):
    assert findings(with_cell(5, "pre_close", value), tmp_path) == [
        (5, "pre_close", "PRICE_NOT_WHOLE_CENTS")
    ]


def test_low_above_min_of_open_and_close(tmp_path):
    assert findings(with_cell(1, "low", 11.05), tmp_path) == [(1, "low", "LOW_ABOVE_OPEN_CLOSE")]


def test_high_below_max_of_open_and_close(tmp_path):
    assert findings(with_cell(1, "high", 11.05), tmp_path) == [(1, "high", "HIGH_BELOW_OPEN_CLOSE")]


def test_published_limits_inverted(tmp_path):
    frame = bars().assign(up_limit=np.nan, down_limit=np.nan)
    frame.loc[1, ["up_limit", "down_limit"]] = [180.0, 220.0]
    assert findings(frame, tmp_path) == [(2, "up_limit", "LIMITS_INVERTED")]


def test_published_limit_not_whole_cents(tmp_path):
    frame = bars().assign(up_limit=np.nan, down_limit=np.nan)
    frame.loc[1, "up_limit"] = 218.905
    assert findings(frame, tmp_path) == [(2, "up_limit", "PRICE_NOT_WHOLE_CENTS")]


def test_negative_volume(tmp_path):
    assert findings(with_cell(6, "volume", -100), tmp_path) == [(6, "volume", "NEGATIVE_VOLUME")]


def test_negative_amount(tmp_path):
    assert findings(with_cell(6, "amount", -1.0), tmp_path) == [(6, "amount", "NEGATIVE_AMOUNT")]


@pytest.mark.parametrize("value", [-0.01, 100.5])
def test_turnover_outside_zero_to_hundred_is_a_warning_and_unreported(tmp_path, value):
    path = tmp_path / "bars.csv"
    with_cell(7, "turnover_rate", value).to_csv(path, index=False)
    result = validate_file(path)
    assert result.report.ok
    assert [(w.row, w.column, w.rule.value) for w in result.report.warnings()] == [
        (7, "turnover_rate", "TURNOVER_OUT_OF_RANGE")
    ]
    assert result.bars is not None
    assert np.isnan(result.bars["turnover_rate"]).sum() == 1


@pytest.mark.parametrize("value", [0.0, 100.0, None])
def test_turnover_bounds_and_empty_are_accepted(tmp_path, value):
    assert findings(with_cell(7, "turnover_rate", value), tmp_path) == []


@pytest.mark.parametrize("value", ["maybe", "2", "st", None])
def test_bad_is_st(tmp_path, value):
    assert findings(with_cell(8, "is_st", value), tmp_path) == [(8, "is_st", "BAD_IS_ST")]


@pytest.mark.parametrize(
    "value", ["true", "FALSE", "True", "1", "0", "false", "是", "否", "Y", "n"]
)
def test_is_st_spellings_are_accepted(tmp_path, value):
    assert findings(with_cell(8, "is_st", value), tmp_path) == []


def test_missing_sector(tmp_path):
    assert findings(with_cell(9, "sector", None), tmp_path) == [(9, "sector", "MISSING_VALUE")]


def test_bad_list_date(tmp_path):
    frame = bars().assign(list_date="2018-06-11")
    frame.loc[2, "list_date"] = "2018/06/11"
    assert findings(frame, tmp_path) == [(3, "list_date", "BAD_LIST_DATE")]


def test_list_date_accepts_compact_form_and_empty(tmp_path):
    frame = bars().assign(list_date="20180611")
    frame.loc[2, "list_date"] = None
    assert findings(frame, tmp_path) == []


def test_row_before_its_listing_date(tmp_path):
    frame = bars().assign(list_date="2018-06-11")
    frame.loc[frame["symbol"] == "000001.SZ", "list_date"] = "2023-08-28"
    assert findings(frame, tmp_path) == [(1, "list_date", "TRADED_BEFORE_LISTING")]


def test_every_error_is_reported_together_in_row_order(tmp_path):
    frame = bars()
    frame.loc[8, "volume"] = -5
    frame.loc[0, "symbol"] = "bad"
    frame.loc[4, "high"] = 1.0
    frame.loc[4, "is_st"] = "maybe"
    frame = frame.drop(columns=["amount"])
    assert findings(frame, tmp_path) == [
        (None, "amount", "MISSING_COLUMN"),
        (1, "symbol", "BAD_SYMBOL"),
        (5, "high", "HIGH_BELOW_OPEN_CLOSE"),
        (5, "is_st", "BAD_IS_ST"),
        (9, "volume", "NEGATIVE_VOLUME"),
    ]


def test_report_counts_and_formats_its_findings(tmp_path):
    path = tmp_path / "bars.csv"
    with_cell(2, "volume", -1).to_csv(path, index=False)
    report = validate_file(path).report
    assert not report.ok and report.error_count == 1 and report.rows == 9
    assert report.format() == (
        f"{path}: 1 validation error (native layout; rows are 1-based data rows, header not counted)\n"  # noqa: E501
        "  ERROR row 2, column 'volume': NEGATIVE_VOLUME: volume must be >= 0 (value '-1')"
    )


def test_every_rule_has_a_description():
    assert all(rule.description for rule in Rule)


# -- typed (Parquet) input --------------------------------------------------------------


def typed_bars() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=COLUMNS)
    return frame.assign(
        trade_date=pd.to_datetime(frame["trade_date"]), is_st=frame["is_st"] == "true"
    )


def parquet_findings(frame: pd.DataFrame, tmp_path) -> list[tuple]:
    path = tmp_path / "bars.parquet"
    frame.to_parquet(path)
    return [(e.row, e.column, e.rule.value) for e in validate_file(path).report.errors()]


def test_typed_timestamp_that_is_not_midnight_is_a_bad_date(tmp_path):
    frame = typed_bars()
    frame.loc[3, "trade_date"] = pd.Timestamp("2023-08-28 09:30")
    assert parquet_findings(frame, tmp_path) == [(4, "trade_date", "BAD_DATE")]


def test_typed_infinity_is_not_a_number(tmp_path):
    frame = typed_bars()
    frame.loc[2, "amount"] = np.inf
    assert parquet_findings(frame, tmp_path) == [(3, "amount", "NOT_A_NUMBER")]


def test_typed_nan_in_a_required_column_is_missing(tmp_path):
    frame = typed_bars()
    frame.loc[2, "open"] = np.nan
    assert parquet_findings(frame, tmp_path) == [(3, "open", "MISSING_VALUE")]


def test_typed_missing_date_is_missing(tmp_path):
    frame = typed_bars()
    frame.loc[6, "trade_date"] = pd.NaT
    assert parquet_findings(frame, tmp_path) == [(7, "trade_date", "MISSING_VALUE")]


# -- side tables ------------------------------------------------------------------------


def sectors() -> pd.DataFrame:
    return pd.DataFrame(
        {"symbol": ["000001.SZ", "300750.SZ", "600000.SH"], "sector": ["银行", "电池", "银行"]}
    )


def test_bars_row_without_side_table_entry(tmp_path):
    side = sectors().iloc[:2]
    errors = findings(bars().drop(columns=["sector"]), tmp_path, side=side)
    label = f"symbol (side table {tmp_path / 'side.csv'})"
    assert errors == [
        (3, label, "NOT_IN_SIDE_TABLE"),
        (6, label, "NOT_IN_SIDE_TABLE"),
        (9, label, "NOT_IN_SIDE_TABLE"),
    ]


def test_dated_side_table_matches_on_trade_date_too(tmp_path):
    dated = pd.DataFrame({
        "ts_code": [s for _, s, *_ in ROWS],
        "trade_date": [d.replace("-", "") for d, *_ in ROWS],
        "turnover_rate": [r[9] for r in ROWS],
    })  # fmt: skip
    dated = dated.drop(index=4)
    errors = findings(bars().drop(columns=["turnover_rate"]), tmp_path, side=dated)
    assert [(row, rule) for row, _, rule in errors] == [(5, "NOT_IN_SIDE_TABLE")]


def test_duplicate_side_table_key_is_reported_on_the_side_table_row(tmp_path):
    side = pd.concat([sectors(), sectors().iloc[[1]]], ignore_index=True)
    path, side_path = tmp_path / "bars.csv", tmp_path / "side.csv"
    bars().drop(columns=["sector"]).to_csv(path, index=False)
    side.to_csv(side_path, index=False)
    errors = validate_file(path, side_table=side_path).report.errors()
    assert [(e.source, e.row, e.column, e.rule.value) for e in errors] == [
        (str(side_path), 4, "symbol", "DUPLICATE_SIDE_TABLE_KEY")
    ]


def test_side_table_cell_errors_carry_side_table_rows(tmp_path):
    side = sectors().assign(is_st=["0", "maybe", "1"])
    path, side_path = tmp_path / "bars.csv", tmp_path / "side.csv"
    bars().drop(columns=["sector", "is_st"]).to_csv(path, index=False)
    side.to_csv(side_path, index=False)
    errors = validate_file(path, side_table=side_path).report.errors()
    assert [(e.source, e.row, e.column, e.rule.value) for e in errors] == [
        (str(side_path), 2, "is_st", "BAD_IS_ST")
    ]


def test_column_in_both_bars_and_side_table_is_ambiguous(tmp_path):
    errors = findings(bars(), tmp_path, side=sectors())
    assert errors == [(None, "sector", "AMBIGUOUS_COLUMN")]


def test_side_table_without_a_key_column(tmp_path):
    side = sectors().rename(columns={"symbol": "stock"})
    errors = findings(bars().drop(columns=["sector"]), tmp_path, side=side)
    assert (None, "symbol", "MISSING_COLUMN") in errors


def test_unreadable_side_table_is_a_user_error(tmp_path):
    path = tmp_path / "bars.csv"
    bars().to_csv(path, index=False)
    with pytest.raises(DragonUserError, match=r"missing\.csv: no such file"):
        validate_file(path, side_table=tmp_path / "missing.csv")


# -- chunked evaluation -------------------------------------------------------------------


def test_rules_and_order_checks_work_across_chunk_boundaries(tmp_path, monkeypatch):
    monkeypatch.setattr(validate_module, "CHUNK_ROWS", 2)
    frame = bars()
    frame.loc[8, "volume"] = -1
    frame.loc[3, "low"] = 99.0
    errors = findings(pd.concat([frame, frame.iloc[[2]]], ignore_index=True), tmp_path)
    assert errors == [
        (4, "low", "LOW_ABOVE_OPEN_CLOSE"),
        (9, "volume", "NEGATIVE_VOLUME"),
        (10, "symbol", "DUPLICATE_ROW"),
    ]


def test_sorted_check_catches_disorder_at_a_chunk_boundary(monkeypatch):
    monkeypatch.setattr(validate_module, "CHUNK_ROWS", 2)
    frame = bars()
    swapped = frame.iloc[[0, 1, 3, 2, 4, 5, 6, 7, 8]].reset_index(drop=True)
    result = _normalize(swapped, "<swapped>", [])
    assert result.report.ok
    assert result.bars["trade_date"].is_monotonic_increasing


# -- a property: one bad cell anywhere is found exactly there ------------------------------

_BAD_CELLS = [
    ("volume", -1, "NEGATIVE_VOLUME"),
    ("amount", "n/a!", "NOT_A_NUMBER"),
    ("pre_close", 0.005, "PRICE_NOT_WHOLE_CENTS"),
    ("high", 1e20, "VALUE_OUT_OF_RANGE"),
    ("symbol", "1234567.SZ", "BAD_SYMBOL"),
    ("is_st", "X", "BAD_IS_ST"),
    ("trade_date", "2023-13-01", "BAD_DATE"),
]


@given(
    order=st.permutations(range(len(ROWS))),
    row=st.integers(min_value=1, max_value=len(ROWS)),
    bad=st.sampled_from(_BAD_CELLS),
)
def test_a_bad_cell_is_reported_at_its_own_row_whatever_the_row_order(order, row, bad):
    column, value, rule = bad
    frame = bars().iloc[list(order)].reset_index(drop=True)
    frame.loc[row - 1, column] = value
    result = _normalize(frame, "<memory>", [])
    assert [(e.row, e.column, e.rule.value) for e in result.report.errors()] == [
        (row, column, rule)
    ]
