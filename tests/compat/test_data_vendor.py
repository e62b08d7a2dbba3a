"""Real vendor data: graded findings, every common spelling, tapes that need a warning.

Hand-made minimal markets pin each behaviour; the last section runs real bars shipped
in ``fixtures/vendor`` (its README names the sources).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dragon_compat.data import Rule, validate_file
from dragon_compat.data.report import Severity
from dragon_compat.features import compute_features
from tests.compat.test_data_validate import bars, with_cell

VENDOR = Path(__file__).parent / "fixtures" / "vendor"


def _write(frame: pd.DataFrame, tmp_path: Path, name: str = "bars.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _rules(report, severity: Severity | None = None) -> list[tuple[int | None, str]]:
    return [(f.row, f.rule.value) for f in report.findings(severity=severity)]


# --- severities ---------------------------------------------------------------------------


def test_every_rule_has_a_severity_and_errors_stop_the_file_warnings_do_not(tmp_path):
    assert {rule.severity for rule in Rule} == {Severity.ERROR, Severity.WARNING}
    warned = validate_file(_write(with_cell(7, "turnover_rate", 106.48), tmp_path))
    assert warned.report.ok and warned.bars is not None
    failed = validate_file(_write(with_cell(2, "volume", -5), tmp_path))
    assert not failed.report.ok and failed.bars is None


def test_strict_makes_every_warning_an_error(tmp_path):
    report = validate_file(_write(with_cell(7, "turnover_rate", 106.48), tmp_path)).report
    strict = report.strict()
    assert (report.error_count, strict.error_count, strict.warning_count) == (0, 1, 0)
    assert [e.severity for e in strict.errors()] == [Severity.ERROR]


def test_numerous_warnings_are_summarised_per_symbol_with_examples(tmp_path):
    frame = pd.concat([bars()] * 5, ignore_index=True)
    frame["trade_date"] = np.repeat(pd.bdate_range("2023-08-01", periods=15), 3).strftime(
        "%Y-%m-%d"
    )
    frame["pre_close"] = frame["open"]
    frame["turnover_rate"] = 150.0
    report = validate_file(_write(frame, tmp_path)).report
    lines = [
        line
        for line in report.listing(Severity.WARNING)
        if line.rule.value == "TURNOVER_OUT_OF_RANGE"
    ]
    assert [(line.symbol, line.count) for line in lines] == [
        ("000001.SZ", 15),
        ("300750.SZ", 15),
        ("600000.SH", 15),
    ]
    assert lines[0].examples == (1, 4, 7)


# --- numbers in range ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"), [("high", 1e20), ("close", 100_000.01), ("volume", 2e12), ("amount", 1e15)]
)
def test_numbers_beyond_any_real_value_are_errors_naming_row_and_column(tmp_path, column, value):
    frame = with_cell(4, column, value)
    if column == "close":  # keep high >= close: only the bound is broken
        frame.loc[3, "high"] = value
    report = validate_file(_write(frame, tmp_path)).report
    found = [(e.row, e.column, e.rule.value) for e in report.errors()]
    assert (4, column, "VALUE_OUT_OF_RANGE") in found


# --- turnover -----------------------------------------------------------------------------


def test_missing_turnover_column_is_all_unreported_with_a_warning(tmp_path):
    result = validate_file(_write(bars().drop(columns=["turnover_rate"]), tmp_path))
    assert result.report.ok and _rules(result.report) == [(None, "TURNOVER_NOT_REPORTED")]
    assert result.bars is not None and result.bars["turnover_rate"].isna().all()


# --- bars beyond their own limits ---------------------------------------------------------


def _resumption(tmp_path: Path) -> Path:
    """600000.SH returns from a halt at +50 %: no limit can explain that bar."""
    frame = bars()
    frame.loc[8, ["open", "high", "low", "close"]] = [11.20, 11.26, 10.50, 11.20]
    return _write(frame, tmp_path)


def test_a_bar_beyond_its_own_limits_is_a_warning_naming_symbol_date_and_row(tmp_path):
    result = validate_file(_resumption(tmp_path))
    [finding] = result.report.warnings()
    assert (finding.row, finding.symbol) == (9, "600000.SH")
    assert finding.rule.value == "BEYOND_OWN_LIMITS"
    assert finding.value.startswith("2023-08-29: high 11.26 > up_limit")


def test_a_bar_beyond_its_own_limits_is_no_board_and_not_counted(tmp_path):
    result = validate_file(_resumption(tmp_path))
    assert result.bars is not None
    assert result.bars["no_limit"].tolist() == [False] * 8 + [True]
    features = compute_features(result.bars)
    assert not features["is_limit_up"].iloc[8] and features["market_limit_ups"].iloc[8] == 0


def test_with_a_derived_pre_close_the_warning_suspects_an_ex_rights_day(tmp_path):
    frame = bars().drop(columns=["pre_close"])
    frame.loc[8, ["open", "high", "low", "close"]] = [6.50, 6.60, 6.40, 6.45]  # ex-rights
    report = validate_file(_write(frame, tmp_path)).report
    assert report.ok
    beyond = [w for w in report.warnings() if w.rule.value == "BEYOND_OWN_LIMITS"]
    assert [w.row for w in beyond] == [9]
    assert "ex-rights day is suspected" in beyond[0].note and "pre_close" in beyond[0].note
    assert (None, "PRE_CLOSE_DERIVED") in _rules(report)


# --- spellings ----------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["YYYYMMDD", "YYYY/M/D"])
def test_native_dates_in_any_common_format(tmp_path, spelling):
    frame = bars()
    dates = pd.to_datetime(frame["trade_date"])
    frame["trade_date"] = (
        dates.dt.strftime("%Y%m%d")
        if spelling == "YYYYMMDD"
        else [f"{d.year}/{d.month}/{d.day}" for d in dates]
    )
    result = validate_file(_write(frame, tmp_path))
    assert result.report.ok and result.bars is not None
    assert result.bars["trade_date"].iloc[0] == pd.Timestamp("2023-08-25")


def test_a_date_in_another_format_than_its_column_names_the_expected_one_as_written(tmp_path):
    report = validate_file(_write(with_cell(5, "trade_date", "20230828"), tmp_path)).report
    [error] = report.errors()
    assert (error.row, error.rule.value, error.value) == (5, "BAD_DATE", "20230828")
    assert "expected YYYY-MM-DD" in error.note


@pytest.mark.parametrize(
    "spelling",
    ["600000.SH", "sh600000", "sh.600000", "SH600000", "600000.XSHG", "600000", "600000.sh"],
)
def test_symbol_spellings(tmp_path, spelling):
    frame = bars()
    frame.loc[frame["symbol"] == "600000.SH", "symbol"] = spelling
    result = validate_file(_write(frame, tmp_path))
    assert result.report.ok and result.bars is not None
    assert "600000.SH" in set(result.bars["symbol"])


def test_shenzhen_spellings(tmp_path):
    frame = bars()
    frame["symbol"] = frame["symbol"].replace({"000001.SZ": "000001.XSHE", "300750.SZ": "sz300750"})
    result = validate_file(_write(frame, tmp_path))
    assert result.bars is not None
    assert sorted(set(result.bars["symbol"])) == ["000001.SZ", "300750.SZ", "600000.SH"]


def test_a_bad_symbol_is_shown_as_written(tmp_path):
    [error] = validate_file(_write(with_cell(3, "symbol", "sh.60000"), tmp_path)).report.errors()
    assert (error.row, error.rule.value, error.value) == (3, "BAD_SYMBOL", "sh.60000")
    assert "sh.600000" in error.rule.description


def test_a_scaled_cell_is_shown_as_written(tmp_path):
    daily = pd.DataFrame(
        {
            "ts_code": ["600000.SH"],
            "trade_date": ["20230825"],
            "open": [7.1],
            "high": [7.2],
            "low": [7.0],
            "close": [7.15],
            "pre_close": [7.1],
            "vol": [-5],
            "amount": [21.45],
            "sector": ["银行"],
            "is_st": ["否"],
        }
    )
    [error] = validate_file(_write(daily, tmp_path)).report.errors()
    assert (error.column, error.rule.value, error.value) == ("vol", "NEGATIVE_VOLUME", "-5")


def test_is_st_from_a_namechange_interval_table(tmp_path):
    frame = bars().drop(columns=["is_st"])
    names = pd.DataFrame(
        {
            "ts_code": ["600000.SH", "600000.SH", "000001.SZ"],
            "name": ["浦发银行", "*ST浦发", "ST平安"],
            "start_date": ["19991110", "20230828", "20230829"],
            "end_date": ["20230825", "", ""],
        }
    )
    side = _write(names, tmp_path, "namechange.csv")
    result = validate_file(_write(frame, tmp_path), side_table=side)
    assert result.bars is not None
    st = result.bars.set_index(["trade_date", "symbol"])["is_st"]
    assert not st[(pd.Timestamp("2023-08-25"), "600000.SH")]
    assert st[(pd.Timestamp("2023-08-28"), "600000.SH")]
    assert st[(pd.Timestamp("2023-08-29"), "000001.SZ")]
    assert not st[(pd.Timestamp("2023-08-28"), "000001.SZ")]
    assert int(st.sum()) == 3


def test_is_st_from_the_names_of_the_bars_file(tmp_path):
    frame = bars().drop(columns=["is_st"]).assign(name="平安银行")
    frame.loc[5, "name"] = "*ST浦发"
    result = validate_file(_write(frame, tmp_path))
    assert (
        result.bars is not None
        and result.bars["is_st"].tolist() == [False] * 5 + [True] + [False] * 3
    )


# --- adjusted tapes -----------------------------------------------------------------------


def test_off_grid_prices_collapse_to_one_line_per_symbol_with_the_unadjusted_hint(tmp_path):
    frame = bars()
    frame["close"] = frame["close"].astype(float) + 0.00123
    frame["high"] = frame["high"].astype(float) + 0.01
    report = validate_file(_write(frame, tmp_path)).report
    lines = [e for e in report.listing(Severity.ERROR) if e.rule.value == "PRICE_NOT_WHOLE_CENTS"]
    assert [(line.symbol, line.count) for line in lines] == [
        ("000001.SZ", 3),
        ("300750.SZ", 3),
        ("600000.SH", 3),
    ]
    assert 'adjust=""' in Rule.PRICE_NOT_WHOLE_CENTS.hint
    assert "export unadjusted" in report.format()


# --- real bars ----------------------------------------------------------------------------


def _real_tushare() -> tuple[Path, list[Path]]:
    sides = ["stock_basic", "daily_basic", "namechange"]
    return VENDOR / "baostock_2020-08_tushare_daily.csv", [
        VENDOR / f"baostock_2020-08_{name}.csv" for name in sides
    ]


def test_real_tushare_extract_with_side_tables_loads_with_two_warnings():
    daily, sides = _real_tushare()
    result = validate_file(daily, side_table=sides)
    assert result.report.ok and result.bars is not None
    assert [(w.symbol, w.rule.value) for w in result.report.warnings()] == [
        ("600610.SH", "BEYOND_OWN_LIMITS"),  # back to trading on 2020-08-17 at +50 %
        ("603733.SH", "TURNOVER_OUT_OF_RANGE"),  # 106.48 % on 2020-08-05 (side table)
    ]
    bars = result.bars.set_index(["trade_date", "symbol"])
    assert np.isnan(bars.loc[(pd.Timestamp("2020-08-05"), "603733.SH"), "turnover_rate"])
    assert bars.loc[(pd.Timestamp("2020-08-17"), "600610.SH"), "no_limit"]
    assert bars["is_st"].groupby(level="symbol").all().to_dict() == {
        "600000.SH": False,
        "600610.SH": True,
        "603733.SH": False,
    }


def test_real_resumption_day_is_no_board_and_not_in_the_market_count():
    daily, sides = _real_tushare()
    bars = validate_file(daily, side_table=sides).bars
    assert bars is not None
    features = compute_features(bars)
    day = (bars["trade_date"] == "2020-08-17").to_numpy()
    resumed = day & (bars["symbol"] == "600610.SH").to_numpy()
    assert not features["is_limit_up"][resumed].any()
    assert int(features["market_limit_ups"][day].iloc[0]) == int(features["is_limit_up"][day].sum())


def test_real_ex_rights_day_without_pre_close_is_a_suspected_ex_rights_warning(tmp_path):
    raw = pd.read_csv(VENDOR / "stockstats_002032_2010-05.csv", dtype={"date": str})
    frame = raw.rename(columns={"date": "trade_date"}).assign(
        symbol="002032", sector="家电", is_st="否", turnover_rate=1.0
    )
    report = validate_file(_write(frame, tmp_path)).report
    assert report.ok
    beyond = [w for w in report.warnings() if w.rule.value == "BEYOND_OWN_LIMITS"]
    assert [(w.row, w.symbol) for w in beyond] == [(6, "002032.SZ")]  # 2010-05-27
    assert beyond[0].value == "2010-05-27: low 17.30 < down_limit 21.32"
    assert "ex-rights day is suspected" in beyond[0].note


def test_real_cent_rounded_qfq_bars_are_recognised_as_adjusted(tmp_path):
    raw = pd.read_csv(VENDOR / "joinquant_qfq_extract.csv", dtype={"code": str})
    frame = raw.rename(columns={"date": "trade_date", "code": "symbol"}).assign(
        sector="unknown", is_st="N"
    )
    report = validate_file(_write(frame, tmp_path)).report
    assert report.ok
    adjusted = [
        w for w in report.listing(Severity.WARNING) if w.rule.value == "ADJUSTED_PRICES_SUSPECTED"
    ]
    assert adjusted[0].row is None and "2 of 2 symbols" in adjusted[0].note
    assert sorted(w.symbol for w in adjusted[1:]) == ["300027.SZ", "603220.SH"]
    assert 'adjustflag="3"' in Rule.ADJUSTED_PRICES_SUSPECTED.hint


def test_real_tushare_extract_with_iso_dates_loads_the_same_bars(tmp_path):
    daily, sides = _real_tushare()
    frame = pd.read_csv(daily, dtype={"trade_date": str})
    frame["trade_date"] = pd.to_datetime(frame["trade_date"]).dt.strftime("%Y-%m-%d")
    iso = validate_file(_write(frame, tmp_path, "daily_iso.csv"), side_table=sides).bars
    compact = validate_file(daily, side_table=sides).bars
    assert iso is not None and compact is not None
    pd.testing.assert_frame_equal(iso, compact)


def test_akshare_gbk_export_with_bare_codes_and_a_shi_fou_side_table(tmp_path):
    export = pd.DataFrame(
        {
            "日期": ["2023/8/25", "2023/8/28"],
            "股票代码": ["600000", "600000"],
            "开盘": [7.10, 7.20],
            "收盘": [7.15, 7.51],
            "最高": [7.20, 7.51],
            "最低": [7.00, 7.15],
            "成交量": [3000, 4000],
            "成交额": [2145000.0, 2900000.0],
            "涨跌额": [0.05, 0.36],
        }
    )
    path = tmp_path / "ak.csv"
    export.to_csv(path, index=False, encoding="gbk")
    side = pd.DataFrame({"代码": ["600000"], "industry": ["银行"], "is_st": ["否"]})
    side_path = tmp_path / "side.csv"
    side.to_csv(side_path, index=False, encoding="gbk")
    result = validate_file(path, side_table=side_path)
    assert result.bars is not None
    assert _rules(result.report) == [(None, "TURNOVER_NOT_REPORTED")]
    assert result.bars["symbol"].tolist() == ["600000.SH", "600000.SH"]
    assert result.bars["pre_close"].tolist() == [7.10, 7.15]
    assert result.bars["volume"].tolist() == [300_000.0, 400_000.0]


@given(
    code=st.sampled_from(["600000", "000001", "300750", "688981", "830799"]),
    form=st.sampled_from(["{c}.{x}", "{x}{c}", "{x}.{c}", "{c}.{j}", "{c}"]),
    lower=st.booleans(),
)
def test_every_spelling_of_a_code_names_the_same_symbol(code, form, lower):
    from dragon_compat.data.adapters import exchange_symbol

    expected = exchange_symbol(code)
    exchange = expected[-2:]
    joinquant = {"SH": "XSHG", "SZ": "XSHE", "BJ": "BJ"}[exchange]
    text = form.format(c=code, x=exchange, j=joinquant)
    assert exchange_symbol(text.lower() if lower else text) == expected
