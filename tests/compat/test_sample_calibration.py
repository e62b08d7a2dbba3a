"""The bundled sample looks like the real tape: each statistic within its stated
tolerance of the real cross-section's (dragon_compat.sample.calibration), and
``dragon sample --compare-to`` prints the comparison."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from dragon_compat.cli import main
from dragon_compat.data.write import write_bars
from dragon_compat.sample import load_bundled_sample
from dragon_compat.sample.calibration import (
    REAL_TAPE,
    STATISTICS,
    Comparison,
    Tolerance,
    compare,
)
from dragon_compat.sample.tape_stats import TapeStats, tape_stats
from tests.compat.builders import LIMIT_UP, make_bars, path


@pytest.fixture(scope="module")
def bundled_stats() -> TapeStats:
    return tape_stats(load_bundled_sample())


@pytest.mark.parametrize("statistic", STATISTICS, ids=lambda s: s.field)
def test_bundled_sample_is_within_tolerance_of_the_real_tape(bundled_stats, statistic):
    (comparison,) = [c for c in compare(REAL_TAPE, bundled_stats) if c.statistic == statistic]
    assert comparison.within, (
        f"{statistic.field}: sample {comparison.sample:.6g} outside "
        f"[{comparison.low:.6g}, {comparison.high:.6g}] around real {comparison.reference:.6g}"
    )


def test_bundled_sample_has_no_absurd_prices(bundled_stats):
    # the issue this calibration answers: closes up to 60,333 CNY, a 99th percentile of 2,315
    assert bundled_stats.close_max < 5_000
    assert bundled_stats.close_p99 < 200


def test_every_tape_statistic_but_the_counts_is_compared():
    fields = [f.name for f in dataclasses.fields(TapeStats)]
    assert [s.field for s in STATISTICS] == fields[3:]
    assert fields[:3] == ["rows", "symbols", "sessions"]


def test_the_real_tape_numbers_are_the_real_cross_sections():
    assert (REAL_TAPE.rows, REAL_TAPE.symbols, REAL_TAPE.sessions) == (175377, 3588, 59)
    assert REAL_TAPE.return_std == pytest.approx(0.031, abs=0.0005)
    assert REAL_TAPE.limit_up_share_non_st == pytest.approx(0.023, abs=0.0005)


@pytest.mark.parametrize(
    ("tolerance", "reference", "bounds"),
    [
        (Tolerance("relative", 0.2), 10.0, (8.0, 12.0)),
        (Tolerance("absolute", 0.004), 0.028, (0.024, 0.032)),
        (Tolerance("factor", 2.0), 15.0, (7.5, 30.0)),
    ],
)
def test_tolerance_bounds(tolerance, reference, bounds):
    assert tolerance.bounds(reference) == pytest.approx(bounds)


def test_tolerance_descriptions():
    assert Tolerance("relative", 0.2).describe("CNY") == "±20 %"
    assert Tolerance("absolute", 0.004).describe("percent") == "±0.40 pp"
    assert Tolerance("factor", 2.5).describe("count") == "×/÷ 2.5"


def test_bounds_are_inclusive_and_nan_is_never_within():
    statistic = STATISTICS[0]
    assert Comparison(statistic, 1.0, 1.2, 0.8, 1.2).within
    assert not Comparison(statistic, 1.0, 1.2000001, 0.8, 1.2).within
    assert not Comparison(statistic, 1.0, math.nan, 0.8, 1.2).within


def test_compare_to_prints_real_beside_sample_with_tolerance_and_verdict(tmp_path, capsys):
    real = write_bars(
        make_bars(
            path("600001.SH", [10.0, LIMIT_UP, LIMIT_UP, 11.0]),
            path("000002.SZ", [5.0, 5.1, 5.2, 5.0]),
        ),
        tmp_path / "real.csv",
    )
    args = ["sample", "--symbols", "30", "--sessions", "20", "--seed", "1"]
    assert main([*args, "--compare-to", str(real)]) == 0
    out = capsys.readouterr().out
    for statistic in STATISTICS:
        assert statistic.label in out
    assert "±0.40 pp" in out and "×/÷ 2.5" in out
    assert "NO" in out  # a two-symbol tape is not a 30-symbol market
    assert "\x1b" not in out  # plain when not a terminal
    assert not list(tmp_path.glob("*.parquet"))  # nothing written without --out


def test_compare_to_and_out_together_write_and_compare(tmp_path, capsys):
    real = write_bars(make_bars(path("600001.SH", [10.0, 10.5])), tmp_path / "real.csv")
    out = tmp_path / "sample.csv"
    args = ["sample", "--symbols", "20", "--sessions", "10", "--out", str(out)]
    assert main([*args, "--compare-to", str(real)]) == 0
    printed = capsys.readouterr().out
    assert out.is_file() and "daily return, std" in printed


def test_sample_needs_out_or_compare_to(capsys):
    assert main(["sample"]) == 2
    assert "--out FILE, --compare-to FILE" in capsys.readouterr().err


def test_side_tables_need_compare_to(tmp_path, capsys):
    assert main(["sample", "--out", str(tmp_path / "x.csv"), "--side-table", "s.csv"]) == 2
    assert "--compare-to" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_compare_to_a_missing_file_is_a_user_error(tmp_path, capsys):
    assert main(["sample", "--compare-to", str(tmp_path / "nope.csv")]) == 2
    assert "no such data file" in capsys.readouterr().err


def test_compare_to_completes_the_file_with_side_tables(tmp_path, capsys):
    bars = make_bars(path("600001.SH", [10.0, LIMIT_UP]), path("000002.SZ", [5.0, 5.1]))
    full = write_bars(bars, tmp_path / "full.csv")
    real = tmp_path / "bars.csv"
    pd.read_csv(full, dtype=str).drop(columns=["sector", "is_st"]).to_csv(real, index=False)
    side = tmp_path / "stock_basic.csv"
    side.write_text("ts_code,industry,is_st\n600001.SH,银行,false\n000002.SZ,全国地产,true\n")
    args = ["sample", "--symbols", "20", "--sessions", "10", "--compare-to", str(real)]
    assert main(args) == 2  # sector and is_st are missing without the side table
    capsys.readouterr()
    assert main([*args, "--side-table", str(side)]) == 0
    assert "ST rows" in capsys.readouterr().out
