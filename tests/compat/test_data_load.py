"""dragon_compat.data.load_bars: every layout and container loads to the same normalized frame."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from dragon_compat.data import NORMALIZED_COLUMNS, load_bars, normalize_bars, validate_file
from dragon_compat.data.adapters import exchange_symbol
from dragon_compat.errors import DragonUserError

# trade_date, symbol, open, high, low, close, pre_close, volume, amount, turnover, sector, st, name, list  # noqa: E501
ROWS = [
    ("2023-08-25", "000001.SZ", 11.00, 11.20, 10.90, 11.10, 11.00, 1_000_000, 11_100_000.0, 0.52, "银行", False, "平安银行", "1991-04-03"),  # noqa: E501
    ("2023-08-25", "300750.SZ", 200.00, 202.00, 198.00, 201.50, 199.00, 50_000, 10_050_000.0, 0.21, "电池", False, "宁德时代", "2018-06-11"),  # noqa: E501
    ("2023-08-25", "600000.SH", 7.10, 7.20, 7.00, 7.15, 7.10, 300_000, 2_145_000.0, 0.10, "银行", True, "ST浦发", "1999-11-10"),  # noqa: E501
    ("2023-08-28", "000001.SZ", 11.50, 12.21, 11.40, 12.21, 11.10, 2_000_000, 24_000_000.0, 1.04, "银行", False, "平安银行", "1991-04-03"),  # noqa: E501
    ("2023-08-28", "300750.SZ", 203.00, 205.00, 200.00, 204.00, 201.50, 60_000, 12_240_000.0, 0.25, "电池", False, "宁德时代", "2018-06-11"),  # noqa: E501
    ("2023-08-28", "600000.SH", 7.20, 7.51, 7.15, 7.51, 7.15, 400_000, 2_900_000.0, 0.13, "银行", True, "ST浦发", "1999-11-10"),  # noqa: E501
    ("2023-08-29", "000001.SZ", 12.00, 12.30, 11.80, 11.90, 12.21, 1_500_000, 18_000_000.0, 0.78, "银行", False, "平安银行", "1991-04-03"),  # noqa: E501
    ("2023-08-29", "300750.SZ", 204.00, 204.00, 204.00, 204.00, 204.00, 0, 0.0, 0.0, "电池", False, "宁德时代", "2018-06-11"),  # noqa: E501
    ("2023-08-29", "600000.SH", 7.50, 7.60, 7.40, 7.45, 7.51, 350_000, 2_600_000.0, 0.11, "银行", True, "ST浦发", "1999-11-10"),  # noqa: E501
]  # fmt: skip
NATIVE_HEADER = list(NORMALIZED_COLUMNS[:14])


def native_frame() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=NATIVE_HEADER)


def expected_bars() -> pd.DataFrame:
    """The normalized frame every layout below must load to, built by hand."""
    raw = native_frame()
    return pd.DataFrame(
        {
            "trade_date": pd.to_datetime(raw["trade_date"]).astype("datetime64[ns]"),
            "symbol": pd.Categorical(raw["symbol"], categories=pd.Index(sorted(set(raw["symbol"])), dtype=str)),  # noqa: E501
            **{c: raw[c].astype(np.float64) for c in ("open", "high", "low", "close", "pre_close")},
            "volume": raw["volume"].astype(np.float64),
            "amount": raw["amount"].astype(np.float64),
            "turnover_rate": raw["turnover_rate"].astype(np.float64),
            "sector": pd.Categorical(raw["sector"], categories=pd.Index(sorted(set(raw["sector"])), dtype=str)),  # noqa: E501
            "is_st": raw["is_st"].astype(bool),
            "name": raw["name"].astype(str),
            "list_date": pd.to_datetime(raw["list_date"]).astype("datetime64[ns]"),
            "up_limit": np.nan,
            "down_limit": np.nan,
        }
    )  # fmt: skip


def assert_normalized_equal(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(actual.columns) == list(NORMALIZED_COLUMNS)
    assert isinstance(actual.index, pd.RangeIndex)
    pd.testing.assert_frame_equal(actual, expected, check_exact=True)


def tushare_daily() -> pd.DataFrame:
    raw = native_frame()
    return pd.DataFrame(
        {
            "ts_code": raw["symbol"],
            "trade_date": raw["trade_date"].str.replace("-", ""),
            "open": raw["open"],
            "high": raw["high"],
            "low": raw["low"],
            "close": raw["close"],
            "pre_close": raw["pre_close"],
            "change": (raw["close"] - raw["pre_close"]).round(2),
            "pct_chg": ((raw["close"] / raw["pre_close"] - 1) * 100).round(4),
            "vol": raw["volume"] / 100,
            "amount": raw["amount"] / 1000,
        }
    )


def tushare_stock_basic() -> pd.DataFrame:
    raw = native_frame().drop_duplicates("symbol")
    return pd.DataFrame(
        {
            "ts_code": raw["symbol"],
            "symbol": raw["symbol"].str[:6],
            "name": raw["name"],
            "industry": raw["sector"],
            "list_date": raw["list_date"].str.replace("-", ""),
            "is_st": raw["is_st"].map({True: "1", False: "0"}),
        }
    )


def tushare_daily_basic() -> pd.DataFrame:
    raw = native_frame()
    return pd.DataFrame(
        {
            "ts_code": raw["symbol"],
            "trade_date": raw["trade_date"].str.replace("-", ""),
            "close": raw["close"],
            "turnover_rate": raw["turnover_rate"],
        }
    )


def akshare_export(*, with_change: bool = True) -> pd.DataFrame:
    raw = native_frame()
    frame = pd.DataFrame(
        {
            "日期": raw["trade_date"],
            "股票代码": raw["symbol"].str[:6],
            "开盘": raw["open"],
            "收盘": raw["close"],
            "最高": raw["high"],
            "最低": raw["low"],
            "成交量": raw["volume"] // 100,
            "成交额": raw["amount"],
            "振幅": 1.0,
            "涨跌幅": 0.5,
            "涨跌额": (raw["close"] - raw["pre_close"]).round(2),
            "换手率": raw["turnover_rate"],
        }
    )
    return frame if with_change else frame.drop(columns=["涨跌额"])


def akshare_side_table() -> pd.DataFrame:
    raw = native_frame().drop_duplicates("symbol")
    return raw[["symbol", "sector", "is_st", "name", "list_date"]].assign(
        symbol=raw["symbol"].str[:6]
    )


# -- containers -----------------------------------------------------------------


def test_native_csv_loads_to_the_normalized_frame(tmp_path):
    path = tmp_path / "bars.csv"
    native_frame().to_csv(path, index=False)
    assert_normalized_equal(load_bars(path), expected_bars())


def test_native_csv_gz_loads_to_the_same_frame(tmp_path):
    path = tmp_path / "bars.csv.gz"
    native_frame().to_csv(path, index=False, compression="gzip")
    assert_normalized_equal(load_bars(path), expected_bars())


def test_native_parquet_with_typed_columns_loads_to_the_same_frame(tmp_path):
    path = tmp_path / "bars.parquet"
    typed = native_frame().assign(
        trade_date=lambda f: pd.to_datetime(f["trade_date"]),
        list_date=lambda f: pd.to_datetime(f["list_date"]),
    )
    typed.to_parquet(path, index=False)
    assert_normalized_equal(load_bars(path), expected_bars())


def test_native_parquet_with_text_columns_loads_to_the_same_frame(tmp_path):
    path = tmp_path / "bars.pq"
    native_frame().assign(
        is_st=lambda f: f["is_st"].map({True: "TRUE", False: "false"})
    ).to_parquet(path)
    assert_normalized_equal(load_bars(path), expected_bars())


def test_csv_in_gb18030_encoding_is_read(tmp_path):
    path = tmp_path / "bars.csv"
    path.write_bytes(native_frame().to_csv(index=False).encode("gb18030"))
    assert_normalized_equal(load_bars(path), expected_bars())


def test_rows_in_any_order_come_back_sorted_with_a_range_index(tmp_path):
    path = tmp_path / "bars.csv"
    native_frame().iloc[::-1].to_csv(path, index=False)
    assert_normalized_equal(load_bars(path), expected_bars())


def test_extra_columns_are_ignored(tmp_path):
    path = tmp_path / "bars.csv"
    native_frame().assign(my_signal=1.5, note="x").to_csv(path, index=False)
    assert_normalized_equal(load_bars(path), expected_bars())


def test_optional_columns_default_to_empty_name_unknown_list_date_and_unpublished_limits(tmp_path):
    path = tmp_path / "bars.csv"
    native_frame().drop(columns=["name", "list_date"]).to_csv(path, index=False)
    bars = load_bars(path)
    assert (bars["name"] == "").all()
    assert bars["list_date"].isna().all() and bars["list_date"].dtype == "datetime64[ns]"
    assert bars["up_limit"].isna().all() and bars["down_limit"].isna().all()


def test_published_limits_are_kept(tmp_path):
    path = tmp_path / "bars.csv"
    native_frame().assign(up_limit=99.99, down_limit=0.01).to_csv(path, index=False)
    bars = load_bars(path)
    assert (bars["up_limit"] == 99.99).all() and (bars["down_limit"] == 0.01).all()


def test_missing_turnover_values_are_kept_as_nan(tmp_path):
    path = tmp_path / "bars.csv"
    native_frame().assign(turnover_rate=[np.nan] + [1.0] * 8).to_csv(path, index=False)
    bars = load_bars(path)
    assert bars["turnover_rate"].isna().sum() == 1


def test_normalize_bars_accepts_an_in_memory_frame():
    assert_normalized_equal(normalize_bars(native_frame()), expected_bars())


def test_an_already_normalized_frame_is_a_fixed_point():
    bars = expected_bars()
    assert_normalized_equal(normalize_bars(bars), bars)


# -- Tushare ------------------------------------------------------------------------


def test_tushare_daily_with_stock_basic_and_daily_basic_side_tables(tmp_path):
    daily, basic, daily_basic = tmp_path / "daily.csv", tmp_path / "basic.csv", tmp_path / "db.csv"
    tushare_daily().to_csv(daily, index=False)
    tushare_stock_basic().to_csv(basic, index=False)
    tushare_daily_basic().to_csv(daily_basic, index=False)
    bars = load_bars(daily, side_table=[basic, daily_basic])
    assert_normalized_equal(bars, expected_bars())


def test_tushare_units_lots_and_thousand_cny_become_shares_and_cny(tmp_path):
    daily, basic, daily_basic = tmp_path / "daily.csv", tmp_path / "basic.csv", tmp_path / "db.csv"
    tushare_daily().iloc[:1].assign(vol=1234.0, amount=5678.123).to_csv(daily, index=False)
    tushare_stock_basic().to_csv(basic, index=False)
    tushare_daily_basic().to_csv(daily_basic, index=False)
    bars = load_bars(daily, side_table=[basic, daily_basic])
    assert bars.loc[0, "volume"] == 123_400.0
    assert bars.loc[0, "amount"] == 5_678_123.0


def test_tushare_without_side_table_reports_the_columns_it_lacks(tmp_path):
    daily = tmp_path / "daily.csv"
    tushare_daily().to_csv(daily, index=False)
    report = validate_file(daily).report
    missing = {e.column for e in report.errors() if e.rule == "MISSING_COLUMN"}
    assert missing == {"sector", "is_st"}
    assert all("side-table" in e.note for e in report.errors())
    assert [(w.column, w.rule.value) for w in report.warnings()] == [
        ("turnover_rate", "TURNOVER_NOT_REPORTED")
    ]


# -- AkShare ------------------------------------------------------------------------


def test_akshare_export_with_code_column_and_side_table(tmp_path):
    export, side = tmp_path / "ak.csv", tmp_path / "side.csv"
    akshare_export().to_csv(export, index=False)
    akshare_side_table().to_csv(side, index=False)
    assert_normalized_equal(load_bars(export, side_table=side), expected_bars())


def test_akshare_pre_close_is_close_minus_change(tmp_path):
    export, side = tmp_path / "ak.csv", tmp_path / "side.csv"
    akshare_export().assign(涨跌额=lambda f: f["涨跌额"].where(f.index != 0, 0.33)).to_csv(
        export, index=False
    )
    akshare_side_table().to_csv(side, index=False)
    bars = load_bars(export, side_table=side)
    first = bars[(bars["symbol"] == "000001.SZ")].iloc[0]
    assert first["pre_close"] == 10.77  # 11.10 - 0.33, not the previous row


def test_akshare_without_change_takes_the_previous_close_and_drops_each_first_row(tmp_path):
    export, side = tmp_path / "ak.csv", tmp_path / "side.csv"
    akshare_export(with_change=False).to_csv(export, index=False)
    akshare_side_table().to_csv(side, index=False)
    bars = load_bars(export, side_table=side)
    expected = expected_bars()
    expected = expected[expected["trade_date"] > "2023-08-25"].reset_index(drop=True)
    assert_normalized_equal(bars, expected)


def test_akshare_single_stock_export_takes_its_symbol_from_a_one_symbol_side_table(tmp_path):
    export, side = tmp_path / "ak.csv", tmp_path / "side.csv"
    one = akshare_export()
    one[one["股票代码"] == "300750"].drop(columns=["股票代码"]).to_csv(export, index=False)
    akshare_side_table().iloc[[1]].to_csv(side, index=False)
    bars = load_bars(export, side_table=side)
    expected = expected_bars()
    expected = expected[expected["symbol"] == "300750.SZ"].reset_index(drop=True)
    expected["symbol"] = expected["symbol"].cat.remove_unused_categories()
    expected["sector"] = expected["sector"].cat.remove_unused_categories()
    assert_normalized_equal(bars, expected)


def test_akshare_export_without_any_symbol_source_reports_the_missing_symbol(tmp_path):
    export, side = tmp_path / "ak.csv", tmp_path / "side.csv"
    akshare_export().drop(columns=["股票代码"]).to_csv(export, index=False)
    akshare_side_table().to_csv(side, index=False)  # three symbols: ambiguous
    errors = validate_file(export, side_table=side).report.errors()
    assert [(e.column, e.rule) for e in errors if e.row is None] == [("symbol", "MISSING_COLUMN")]


@pytest.mark.parametrize(
    ("code", "symbol"),
    [
        ("600000", "600000.SH"),
        ("688981", "688981.SH"),
        ("000001", "000001.SZ"),
        ("1", "000001.SZ"),
        ("300750", "300750.SZ"),
        ("830799", "830799.BJ"),
        ("430047", "430047.BJ"),
        ("920001", "920001.BJ"),
        ("sh600000", "600000.SH"),
        ("600000.SH", "600000.SH"),
        ("12345678", "12345678"),
        ("700001", "700001"),
    ],
)
def test_exchange_suffix_is_derived_from_the_code_prefix(code, symbol):
    assert exchange_symbol(code) == symbol


# -- side tables --------------------------------------------------------------------


def test_side_table_fills_only_the_columns_the_bars_lack(tmp_path):
    bars_path, side = tmp_path / "bars.csv", tmp_path / "side.csv"
    native_frame().drop(columns=["sector"]).to_csv(bars_path, index=False)
    native_frame().drop_duplicates("symbol")[["symbol", "sector"]].to_csv(side, index=False)
    assert_normalized_equal(load_bars(bars_path, side_table=side), expected_bars())


def test_a_side_table_in_parquet_works_like_csv(tmp_path):
    bars_path, side = tmp_path / "bars.csv", tmp_path / "side.parquet"
    native_frame().drop(columns=["sector"]).to_csv(bars_path, index=False)
    native_frame().drop_duplicates("symbol")[["symbol", "sector"]].to_parquet(side)
    assert_normalized_equal(load_bars(bars_path, side_table=side), expected_bars())


# -- files that are not tables ---------------------------------------------------------


def test_missing_file_is_a_user_error_naming_it(tmp_path):
    with pytest.raises(DragonUserError, match=r"nope\.csv: no such file"):
        load_bars(tmp_path / "nope.csv")


def test_a_directory_is_a_user_error(tmp_path):
    folder = tmp_path / "dir.csv"
    folder.mkdir()
    with pytest.raises(DragonUserError, match="is a directory"):
        load_bars(folder)


def test_unsupported_suffix_is_a_user_error(tmp_path):
    path = tmp_path / "bars.xlsx"
    path.write_text("x")
    with pytest.raises(DragonUserError, match=r"bars\.xlsx: unsupported file type"):
        load_bars(path)


def test_garbage_with_a_parquet_suffix_is_a_user_error(tmp_path):
    path = tmp_path / "bars.parquet"
    path.write_bytes(b"this is not parquet")
    with pytest.raises(DragonUserError, match=r"bars\.parquet: is not a readable Parquet file"):
        load_bars(path)


def test_bad_gzip_is_a_user_error(tmp_path):
    path = tmp_path / "bars.csv.gz"
    path.write_bytes(b"plain text, not gzip")
    with pytest.raises(DragonUserError, match=r"bars\.csv\.gz: is not a valid gzip file"):
        load_bars(path)


def test_empty_file_is_a_user_error(tmp_path):
    path = tmp_path / "bars.csv"
    path.write_text("")
    with pytest.raises(DragonUserError, match="is empty"):
        load_bars(path)


def test_header_without_rows_is_a_user_error(tmp_path):
    path = tmp_path / "bars.csv.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(",".join(NATIVE_HEADER) + "\n")
    with pytest.raises(DragonUserError, match="no data rows"):
        load_bars(path)


def test_load_error_names_the_file_lists_twenty_findings_and_counts_the_rest(tmp_path):
    path = tmp_path / "bad.csv"
    frame = pd.concat([native_frame()] * 3, ignore_index=True)
    frame["trade_date"] = pd.date_range("2020-01-01", periods=len(frame)).strftime("%Y-%m-%d")
    frame["volume"] = -1.0  # 27 rows, one broken rule each
    frame.to_csv(path, index=False)
    with pytest.raises(DragonUserError) as info:
        load_bars(path)
    message = str(info.value)
    assert message.startswith(f"{path}: 27 validation errors")
    assert message.count("NEGATIVE_VOLUME") == 20
    assert "... and 7 more" in message
