"""dragon_compat.data.write_bars: canonical CSV, CSV.gz and Parquet that load back equal."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from dragon_compat.data import load_bars
from dragon_compat.data.fingerprint import frame_sha256
from dragon_compat.data.write import write_bars
from dragon_compat.errors import DragonUserError
from dragon_compat.sample import generate_market


@pytest.fixture(scope="module")
def market() -> pd.DataFrame:
    return generate_market(30, 40, seed=11)


@pytest.mark.parametrize("name", ["m.csv", "m.csv.gz", "m.parquet", "m.pq"])
def test_written_file_loads_back_to_an_equal_frame(tmp_path, market, name):
    path = write_bars(market, tmp_path / name)
    pd.testing.assert_frame_equal(load_bars(path), market, check_exact=True)


def test_csv_text_is_canonical(tmp_path, market):
    path = write_bars(market.iloc[:2], tmp_path / "m.csv")
    header, first, *_ = path.read_text(encoding="utf-8").split("\n")
    assert header == (
        "trade_date,symbol,open,high,low,close,pre_close,volume,amount,turnover_rate,"
        "sector,is_st,name,list_date,up_limit,down_limit"
    )
    cells = first.split(",")
    assert cells[0] == market["trade_date"].iloc[0].strftime("%Y-%m-%d")
    assert cells[2] == f"{market['open'].iloc[0]:.2f}"
    assert cells[7] == f"{market['volume'].iloc[0]:.0f}"
    assert cells[11] in ("true", "false")
    assert cells[14:] == ["", ""]


def test_csv_gz_holds_the_same_text_as_csv(tmp_path, market):
    plain = write_bars(market, tmp_path / "m.csv").read_bytes()
    with gzip.open(write_bars(market, tmp_path / "m.csv.gz"), "rb") as handle:
        assert handle.read() == plain


def test_same_frame_gives_the_same_csv_bytes(tmp_path, market):
    a = write_bars(market, tmp_path / "a.csv").read_bytes()
    b = write_bars(market.copy(), tmp_path / "b.csv").read_bytes()
    assert a == b


def test_float_column_without_a_fixed_decimal_form_round_trips_exactly(tmp_path, market):
    odd = market.iloc[:3].copy()
    odd["amount"] = [1 / 3, 2.5e-7, 123456.789012345]
    loaded = load_bars(write_bars(odd, tmp_path / "odd.csv"))
    np.testing.assert_array_equal(loaded["amount"].to_numpy(), odd["amount"].to_numpy())


def test_nothing_is_left_behind_but_the_file(tmp_path, market):
    write_bars(market, tmp_path / "m.parquet")
    assert [p.name for p in tmp_path.iterdir()] == ["m.parquet"]


def test_missing_directory_is_a_user_error(tmp_path, market):
    with pytest.raises(DragonUserError, match="does not exist"):
        write_bars(market, tmp_path / "no" / "m.csv")


def test_unsupported_suffix_is_a_user_error(tmp_path, market):
    with pytest.raises(DragonUserError, match="unsupported file type"):
        write_bars(market, tmp_path / "m.json")


def test_frame_hash_ignores_the_container(tmp_path, market):
    digests = {
        frame_sha256(load_bars(write_bars(market, tmp_path / n))) for n in ("a.csv", "a.parquet")
    }
    assert digests == {frame_sha256(market)}


def test_frame_hash_sees_a_one_cent_change(market):
    changed = market.copy()
    changed.loc[5, "close"] = changed.loc[5, "close"] + 0.01
    assert frame_sha256(changed) != frame_sha256(market)


def test_a_name_with_a_comma_is_quoted_and_reads_back(tmp_path, market):
    odd = market.iloc[:3].copy()
    odd["name"] = pd.Series(["A,B", 'say "hi"', "plain"], dtype=str)
    path = write_bars(odd, tmp_path / "odd.csv")
    assert '"A,B"' in path.read_text(encoding="utf-8")
    assert load_bars(path)["name"].tolist() == ["A,B", 'say "hi"', "plain"]
