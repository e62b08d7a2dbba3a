"""Canonical CSV/JSON text, sha256 and atomic writes."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dragon_runtime import canonical
from dragon_runtime.canonical import (
    ATOMIC_TEMP_PREFIX,
    atomic_write,
    canonical_json,
    equity_csv,
    events_csv,
    render_branch_outputs,
    sha256_hex,
    table_csv,
    trades_csv,
    write_branch_outputs,
)
from dragon_runtime.loop import LoopResult
from dragon_runtime.payloads import (
    EQUITY_COLUMNS,
    EVENT_COLUMNS,
    OUTPUT_FILES,
    TRADE_COLUMNS,
    ColumnKind,
)
from tests.runtime.builders import FakeHooks, bar, flat, run

A, B = "600001.SH", "600002.SH"


def _result() -> LoopResult:
    market = {A: [flat(10.0), flat(10.0), bar(10.2, 10.3, 10.0, 10.1), flat(10.1)]}
    market[B] = [flat(20.0), flat(20.0), flat(19.0), flat(19.0)]
    hooks = FakeHooks(picks={0: [A, B]}, exits={(1, A): "NOT_LIMIT_UP", (2, B): "NOT_LIMIT_UP"})
    return run(market, hooks)


def test_event_csv_header_is_the_rc1_column_order() -> None:
    assert events_csv(_result().events).split("\n")[0] == ",".join(EVENT_COLUMNS)
    assert trades_csv(_result().trades).split("\n")[0] == ",".join(TRADE_COLUMNS)
    assert equity_csv(_result().equity).split("\n")[0] == ",".join(EQUITY_COLUMNS)


def test_csv_uses_lf_and_ends_with_a_newline() -> None:
    text = events_csv(_result().events)
    assert "\r" not in text
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_events_are_sorted_by_date_then_open_before_close_then_seq() -> None:
    events = _result().events
    shuffled = events.sample(frac=1.0, random_state=7)
    assert events_csv(shuffled) == events_csv(events)
    lines = events_csv(events).splitlines()[1:]
    keys = [(line.split(",")[1], line.split(",")[2] == "CLOSE", int(line.split(",")[3]))
            for line in lines]  # fmt: skip
    assert keys == sorted(keys)


def test_trades_are_sorted_by_entry_date_then_trade_id() -> None:
    trades = _result().trades
    assert trades_csv(trades.iloc[::-1]) == trades_csv(trades)
    assert [line.split(",")[1] for line in trades_csv(trades).splitlines()[1:]] == [
        "test-00001",
        "test-00002",
    ]


def test_equity_is_sorted_by_date() -> None:
    equity = _result().equity
    assert equity_csv(equity.iloc[::-1]) == equity_csv(equity)


SCHEMA = (
    ("t", ColumnKind.TEXT),
    ("d", ColumnKind.DATE),
    ("i", ColumnKind.INT),
    ("p", ColumnKind.PRICE),
    ("m", ColumnKind.MONEY),
    ("r", ColumnKind.RATIO),
)


def _one_row(**values: object) -> str:
    base: dict[str, object] = {"t": "x", "d": pd.Timestamp("2024-01-02"), "i": 1, "p": 1.0,
                               "m": 1.0, "r": 0.5}  # fmt: skip
    base.update(values)
    frame = pd.DataFrame({k: [v] for k, v in base.items()})
    return table_csv(frame, SCHEMA).splitlines()[1]


def test_prices_and_money_print_two_decimals_from_exact_cents() -> None:
    assert _one_row(p=0.07, m=1_003_376.1) == "x,2024-01-02,1,0.07,1003376.10,0.500000"
    assert _one_row(p=10.35, m=-12.3) == "x,2024-01-02,1,10.35,-12.30,0.500000"
    assert _one_row(m=-0.05) == "x,2024-01-02,1,1.00,-0.05,0.500000"


def test_ratios_print_six_decimals_and_never_negative_zero() -> None:
    assert _one_row(r=1 / 3).endswith(",0.333333")
    assert _one_row(r=-0.0).endswith(",0.000000")
    assert _one_row(r=0.0034761).endswith(",0.003476")


def test_nulls_print_as_empty_fields() -> None:
    row = _one_row(t=None, d=pd.NaT, i=pd.NA, p=np.nan, m=np.nan, r=np.nan)
    assert row == ",,,,,"


def test_integers_print_plain_even_from_floats() -> None:
    assert _one_row(i=19_900.0).split(",")[2] == "19900"


def test_fractional_integer_is_refused() -> None:
    with pytest.raises(ValueError, match="integer column 'i'"):
        _one_row(i=1.5)


def test_text_with_a_comma_or_quote_is_quoted() -> None:
    assert _one_row(t='a,"b"').startswith('"a,""b""",')


def test_missing_column_is_named() -> None:
    with pytest.raises(ValueError, match=r"\['r'\]"):
        table_csv(pd.DataFrame({"t": ["x"]}), (("t", ColumnKind.TEXT), ("r", ColumnKind.RATIO)))


def test_csv_read_back_renders_to_the_same_bytes() -> None:
    result = _result()
    for render, frame in ((events_csv, result.events), (trades_csv, result.trades),
                          (equity_csv, result.equity)):  # fmt: skip
        text = render(frame)
        assert render(pd.read_csv(io.StringIO(text))) == text


def test_json_has_sorted_keys_two_space_indent_and_a_trailing_newline() -> None:
    assert canonical_json({"b": 1, "a": {"d": 0.5, "c": "龙头"}}) == (
        '{\n  "a": {\n    "c": "龙头",\n    "d": 0.5\n  },\n  "b": 1\n}\n'
    )


def test_json_refuses_nan() -> None:
    with pytest.raises(ValueError, match="JSON"):
        canonical_json({"x": float("nan")})


def test_sha256_hex_hashes_utf8_text() -> None:
    assert sha256_hex("龙") == hashlib.sha256("龙".encode()).hexdigest()


def test_atomic_write_replaces_the_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    target.write_text("old", encoding="utf-8")
    digest = atomic_write(target, "new\n")
    assert target.read_bytes() == b"new\n"
    assert digest == sha256_hex(b"new\n")
    assert os.listdir(tmp_path) == ["x.csv"]


def test_failed_atomic_write_keeps_the_old_file_and_removes_the_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "x.csv"
    target.write_text("old", encoding="utf-8")

    def fail(src: str, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(canonical.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["x.csv"]


def test_atomic_write_names_its_temp_file_with_the_dragon_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[str]] = []
    real_fsync = os.fsync

    def observe(fd: int) -> None:  # mid-write: the temp file exists, the target not yet
        seen.append(sorted(os.listdir(tmp_path)))
        real_fsync(fd)

    monkeypatch.setattr(canonical.os, "fsync", observe)
    atomic_write(tmp_path / "events.csv", "x\n")
    [(temp,)] = seen
    assert ATOMIC_TEMP_PREFIX == ".dragon-tmp-"
    assert temp.startswith(".dragon-tmp-events.csv-")
    assert len(temp) == len(".dragon-tmp-events.csv-") + 8  # mkstemp's random part
    assert os.listdir(tmp_path) == ["events.csv"]


_KILLED_MID_WRITE = """
import os, signal, sys
from dragon_runtime import canonical
canonical.os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)
canonical.atomic_write(sys.argv[1], "new\\n")
"""


def test_a_write_killed_mid_way_leaves_only_a_prefixed_temp_file(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    target = tmp_path / "summary.json"
    target.write_text("old\n", encoding="utf-8")
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_MID_WRITE, str(target)], check=False, timeout=60
    )
    assert killed.returncode == -signal.SIGKILL
    assert target.read_text(encoding="utf-8") == "old\n"
    [temp] = [name for name in os.listdir(tmp_path) if name != "summary.json"]
    assert temp.startswith(f"{ATOMIC_TEMP_PREFIX}summary.json-")
    assert (tmp_path / temp).read_text(encoding="utf-8") == "new\n"


def test_branch_outputs_are_the_four_files_with_their_sha256(tmp_path: Path) -> None:
    result = _result()
    hashes = write_branch_outputs(
        tmp_path / "rc1", events=result.events, trades=result.trades, equity=result.equity,
        summary=result.summary,
    )  # fmt: skip
    assert tuple(hashes) == OUTPUT_FILES
    for name, digest in hashes.items():
        assert sha256_hex((tmp_path / "rc1" / name).read_bytes()) == digest


def test_rendered_outputs_are_identical_across_runs() -> None:
    first, second = _result(), _result()
    render = {"events": first.events, "trades": first.trades, "equity": first.equity,
              "summary": first.summary}  # fmt: skip
    again = {"events": second.events, "trades": second.trades, "equity": second.equity,
             "summary": second.summary}  # fmt: skip
    assert render_branch_outputs(**render) == render_branch_outputs(**again)  # type: ignore[arg-type]  # mypy gives a **dict one value type; the keys are the parameters


def test_atomic_write_gives_the_permissions_of_a_plain_write(tmp_path):
    import os
    import stat

    from dragon_runtime.canonical import atomic_write

    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "a.csv", "x\n")
        (tmp_path / "b.csv").write_text("x\n")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "a.csv").stat().st_mode)
    assert mode == stat.S_IMODE((tmp_path / "b.csv").stat().st_mode) == 0o644
