"""``dragon validate`` and ``dragon sample`` as a user runs them: exit codes and output."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from dragon_compat.data import load_bars
from dragon_compat.data.fingerprint import frame_sha256
from dragon_compat.sample import generate_market


def dragon(*args: str) -> subprocess.CompletedProcess[str]:
    env_args = [sys.executable, "-m", "dragon_compat.cli", *args]
    return subprocess.run(env_args, capture_output=True, text=True, check=False, env=_plain_env())


def _plain_env() -> dict[str, str]:
    import os

    return {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}


VALID = (
    "trade_date,symbol,open,high,low,close,pre_close,volume,amount,turnover_rate,sector,is_st\n"
    "2023-08-25,000001.SZ,11.00,11.20,10.90,11.10,11.00,1000000,11100000,0.52,银行,false\n"
    "2023-08-25,300750.SZ,200.00,202.00,198.00,201.50,199.00,50000,10050000,0.21,电池,false\n"
    "2023-08-28,000001.SZ,11.50,12.21,11.40,12.21,11.10,0,0,0,银行,false\n"
    "2023-08-29,000001.SZ,12.00,12.30,11.80,11.90,12.21,1500000,18000000,0.78,银行,false\n"
    "2023-08-29,300750.SZ,204.00,205.00,203.00,204.50,201.50,60000,12240000,0.25,电池,false\n"
)


def test_validate_exits_0_with_a_summary(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text(VALID, encoding="utf-8")
    done = dragon("validate", "--data", str(path))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "valid (native layout)" in out
    assert "2023-08-25 .. 2023-08-29" in out
    assert "chinext 1, main 1" in out
    assert "1 missing rows + 1 zero-volume rows over 2 symbols" in out


def test_validate_exits_2_with_a_table_of_findings_naming_the_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        VALID.replace("11.50,12.21,11.40", "11.50,12.21,11.60").replace(
            ",false\n2023-08-29,300750", ",maybe\n2023-08-29,300750"
        ),
        encoding="utf-8",
    )
    done = dragon("validate", "--data", str(path))
    assert done.returncode == 2
    assert f"{path}: 2 validation errors" in done.stderr
    lines = [
        line for line in done.stdout.splitlines() if "LOW_ABOVE" in line or "BAD_IS_ST" in line
    ]
    assert any("3" in line and "low" in line and "11.6" in line for line in lines)
    assert any("4" in line and "is_st" in line and "maybe" in line for line in lines)


def test_validate_of_a_missing_file_exits_2_without_a_traceback(tmp_path):
    done = dragon("validate", "--data", str(tmp_path / "none.parquet"))
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: {tmp_path / 'none.parquet'}: no such file"


def test_validate_caps_the_listing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(VALID.replace(",false\n", ",nope\n"), encoding="utf-8")
    done = dragon("validate", "--data", str(path), "--max-errors", "2")
    assert done.returncode == 2
    assert "... and 3 more" in done.stdout


def test_validate_with_a_side_table(tmp_path):
    bars = tmp_path / "bars.csv"
    side = tmp_path / "side.csv"
    frame = pd.read_csv(pd.io.common.StringIO(VALID), dtype={"symbol": str})
    frame.drop(columns=["sector"]).to_csv(bars, index=False)
    pd.DataFrame({"symbol": ["000001.SZ", "300750.SZ"], "industry": ["银行", "电池"]}).to_csv(
        side, index=False
    )
    assert dragon("validate", "--data", str(bars), "--side-table", str(side)).returncode == 0


def test_sample_writes_the_requested_market(tmp_path):
    out = tmp_path / "m.csv.gz"
    done = dragon("sample", "--out", str(out), "--symbols", "12", "--sessions", "15", "--seed", "3")
    assert done.returncode == 0, done.stderr
    assert frame_sha256(load_bars(out)) == frame_sha256(generate_market(12, 15, 3))
    assert "15 sessions" in done.stdout


def test_sample_with_a_bad_end_date_exits_2(tmp_path):
    done = dragon("sample", "--out", str(tmp_path / "m.csv"), "--end", "28/08/2023")
    assert done.returncode == 2
    assert "--end" in done.stderr and "ISO date" in done.stderr


def test_sample_with_zero_symbols_exits_2(tmp_path):
    done = dragon("sample", "--out", str(tmp_path / "m.csv"), "--symbols", "0")
    assert done.returncode == 2
    assert "symbols must be within" in done.stderr


def test_validate_with_warnings_only_exits_0_listing_them_and_strict_exits_2(tmp_path):
    path = tmp_path / "warned.csv"
    path.write_text(VALID.replace(",0.52,银行", ",106.48,银行"), encoding="utf-8")
    done = dragon("validate", "--data", str(path))
    assert done.returncode == 0, done.stderr
    assert "TURNOVER_OUT_OF_RANGE" in done.stdout and "WARNING" in done.stdout
    assert "data quality: 0 errors; 1 warning (TURNOVER_OUT_OF_RANGE 1)" in done.stdout
    assert "valid (native layout)" in done.stdout
    strict = dragon("validate", "--data", str(path), "--strict")
    assert strict.returncode == 2
    assert f"{path}: 1 validation error" in strict.stderr
    assert "valid (native layout)" not in strict.stdout


def test_daily_prints_and_records_the_data_quality(tmp_path):
    import json

    bars = tmp_path / "bars.parquet"
    frame = generate_market(12, 30, 3)
    frame.loc[5, "turnover_rate"] = 150.0
    frame.to_parquet(bars, index=False)
    run = tmp_path / "run"
    done = dragon("daily", "--data", str(bars), "--out", str(run))
    assert done.returncode == 0, done.stderr
    assert "data quality: 0 errors; 1 warning (TURNOVER_OUT_OF_RANGE 1)" in done.stdout
    manifest = json.loads((run / "daily_manifest.json").read_text(encoding="utf-8"))
    quality = manifest["data_quality"]
    assert (quality["errors"], quality["warnings"]) == (0, 1)
    assert quality["rules"] == {"TURNOVER_OUT_OF_RANGE": 1}
    assert quality["examples"][0]["row"] == 6 and quality["examples"][0]["value"] == "150"
