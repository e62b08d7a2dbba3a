"""The pure parts of ``hatch run bench:peers`` (benchmarks/peers.py), in the test env.

vectorbt and backtrader live only in the ``bench`` hatch env, so this never runs
them. It checks what the peers' numbers rest on:

- the peers' rule (``benchmarks/peer_rule.py``) enters exactly where Dragon's
  ``compute_features`` marks a candidate and exits exactly on Dragon's
  not-limit-up closes — on hand-made markets (boards, ST, the ChiNext reform,
  half-up rounding, IPO day, suspensions) and on a generated one — both in its
  wide (vectorbt) form and fed row by row (backtrader's ``TwoBoardTracker``);
- ``bench_process.run_measured`` reports a child's exit code, CPU time and peak RSS;
- the report's targets compare the way the issue states them.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from dragon_compat.features import compute_features
from dragon_compat.sample import generate_market
from tests.compat.builders import BROKEN, LIMIT_UP, ONE_WORD, SUSPENDED, make_bars, path, sessions

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str) -> ModuleType:
    """A benchmarks/ module by file (benchmarks/ is not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


peer_rule = _load("peer_rule")
bench_process = _load("bench_process")
peers_report = _load("peers_report")


def _signals(bars: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The peers' (entry, exit) signal of every row of ``bars``, via the wide grid."""
    table = pa.Table.from_pandas(bars[list(peer_rule.RULE_COLUMNS)], preserve_index=False)
    long = peer_rule.long_bars(table)
    entry, exit_ = peer_rule.signals_at_close(peer_rule.widen(long))
    return entry[long.session, long.symbol], exit_[long.session, long.symbol]


def _dragon(bars: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Dragon's candidates and its not-limit-up closes (trading rows only)."""
    features = compute_features(bars)
    not_limit_up = ~features["is_suspended"] & ~features["is_limit_up"]
    return features["is_candidate"].to_numpy(), not_limit_up.to_numpy()


def _entries(bars: pd.DataFrame, entry: np.ndarray) -> set[tuple[str, int]]:
    day = {d: i for i, d in enumerate(sorted(bars["trade_date"].unique()))}
    hit = bars[entry]
    return {(str(s), day[d]) for s, d in zip(hit["symbol"], hit["trade_date"], strict=True)}


# Main board 10 %; the chain survives a zero-volume row and a session without a row.
MAIN = path("600001.SH", [10.0, LIMIT_UP, LIMIT_UP, SUSPENDED, None, LIMIT_UP, BROKEN, LIMIT_UP])
# ChiNext 20 %, STAR 20 %, BSE 30 %: a 10 % rise is no limit-up there.
CHINEXT = path("300001.SZ", [10.0, 11.0, LIMIT_UP, LIMIT_UP, 10.0, 10.0, 10.0, 10.0])
STAR = path("688001.SH", [10.0, LIMIT_UP, ONE_WORD, ONE_WORD, 10.0, 11.0, 12.1, 10.0])
BSE = path("830001.BJ", [10.0, LIMIT_UP, LIMIT_UP, 10.0, 11.0, 12.1, 10.0, 10.0])
# ST main board 5 %: 10.00 → 10.50 → 11.03 (half-up of 11.025) is two boards.
ST = path("000001.SZ", [10.0, 10.5, 11.03, 11.02, 10.0, 10.0, 10.0, 10.0], is_st=True)
# Half-up: 10.35 × 1.1 = 11.385 → limit 11.39, so 11.38 is not a limit-up close.
ROUNDING = path("600002.SH", [10.35, 11.39, 12.53, 10.0, 10.35, 11.38, 12.52, 10.0])
# IPO day closes far above any limit, but has none: it neither counts nor makes a board.
IPO = path(
    "600003.SH",
    [None, 14.4, LIMIT_UP, 10.0, 10.0, 10.0, 10.0, 10.0],
    first_pre_close=10.0,
    list_date=sessions(2)[1],
)


@pytest.mark.parametrize("categorical", [True, False], ids=["categorical", "str"])
def test_rule_enters_on_dragons_candidates_of_a_hand_made_market(categorical: bool) -> None:
    bars = make_bars(MAIN, CHINEXT, STAR, BSE, ST, ROUNDING, IPO, categorical=categorical)
    entry, exit_ = _signals(bars)
    candidate, not_limit_up = _dragon(bars)
    assert _entries(bars, entry) == {
        ("600001.SH", 2),
        ("600001.SH", 5),
        ("300001.SZ", 3),
        ("688001.SH", 2),
        ("688001.SH", 3),
        ("830001.BJ", 2),
        ("000001.SZ", 2),
        ("600002.SH", 2),
    }
    np.testing.assert_array_equal(entry, candidate)
    np.testing.assert_array_equal(exit_, not_limit_up)


def test_rule_before_the_chinext_reform_uses_ten_percent() -> None:
    start = "2020-08-18"  # sessions 0..3 before 2020-08-24, 4.. from it
    before = path("300002.SZ", [10.0, LIMIT_UP, LIMIT_UP, 10.0, 10.0, 11.0, 12.1], start=start)
    bars = make_bars(before)
    entry, exit_ = _signals(bars)
    candidate, not_limit_up = _dragon(bars)
    assert _entries(bars, entry) == {("300002.SZ", 2)}
    np.testing.assert_array_equal(entry, candidate)
    np.testing.assert_array_equal(exit_, not_limit_up)


@pytest.fixture(scope="module")
def generated() -> pd.DataFrame:
    return generate_market(120, 300, 7)


def test_rule_matches_dragon_on_a_generated_market(generated: pd.DataFrame) -> None:
    entry, exit_ = _signals(generated)
    candidate, not_limit_up = _dragon(generated)
    assert candidate.sum() > 50  # the market does have two-board chains
    np.testing.assert_array_equal(entry, candidate)
    np.testing.assert_array_equal(exit_, not_limit_up)


def test_tracker_fed_row_by_row_matches_the_wide_rule(generated: pd.DataFrame) -> None:
    table = pa.Table.from_pandas(generated[list(peer_rule.RULE_COLUMNS)], preserve_index=False)
    long = peer_rule.long_bars(table)
    entry, exit_ = _signals(generated)
    trackers: dict[int, Any] = {}
    fed_entry = np.zeros(len(long), dtype=bool)
    fed_exit = np.zeros(len(long), dtype=bool)
    for row in np.flatnonzero(long.trading):  # date order; each symbol its own tracker
        tracker = trackers.setdefault(int(long.symbol[row]), peer_rule.TwoBoardTracker())
        fed_entry[row], fed_exit[row] = tracker.close(
            int(long.close_c[row]), int(long.up_c[row]), bool(long.has_limit[row])
        )
    np.testing.assert_array_equal(fed_entry, entry)
    np.testing.assert_array_equal(fed_exit, exit_)


def test_orders_move_to_the_next_session() -> None:
    signal = np.array([[True, False], [False, True], [True, True]])
    moved = peer_rule.next_session(signal)
    np.testing.assert_array_equal(moved, [[False, False], [True, False], [False, True]])


def test_rule_refuses_bars_out_of_date_order() -> None:
    bars = make_bars(path("600001.SH", [10.0, 10.5, 10.2]))
    table = pa.Table.from_pandas(bars[::-1][list(peer_rule.RULE_COLUMNS)], preserve_index=False)
    with pytest.raises(ValueError, match="not sorted by trade_date"):
        peer_rule.long_bars(table)


def test_run_measured_reports_exit_code_cpu_and_peak_rss() -> None:
    busy = "import sys; b = bytearray(300 << 20); s = sum(range(3_000_000)); sys.exit(3)"
    run = bench_process.run_measured([sys.executable, "-c", busy])
    assert run.returncode == 3
    assert run.peak_rss >= 300 << 20
    assert run.cpu_seconds > 0.0
    assert 0.0 <= run.sys_seconds <= run.cpu_seconds
    assert run.seconds > 0.0


def test_run_measured_keeps_the_end_of_the_output() -> None:
    talk = "import sys; print('x' * 5000 + 'END'); print('oops', file=sys.stderr)"
    run = bench_process.run_measured([sys.executable, "-c", talk])
    assert run.returncode == 0
    assert run.stdout_tail.rstrip().endswith("END")
    assert len(run.stdout_tail) <= 2_000
    assert run.stderr_tail.strip() == "oops"


def _best(dragon_s: float, vectorbt_warm_s: float, bt_run_s: float) -> dict[str, Any]:
    def process(seconds: float) -> dict[str, Any]:
        return {"seconds": seconds, "cpu_seconds": seconds, "sys_seconds": 0.0, "peak_rss": 1}

    engine = {"name": "run", "seconds": bt_run_s, "cpu_seconds": bt_run_s, "sys_seconds": 0.0}
    return {
        "dragon": {"process": process(dragon_s)},
        "vectorbt_cold": {"process": process(2 * vectorbt_warm_s)},
        "vectorbt_warm": {"process": process(vectorbt_warm_s)},
        "backtrader": {
            "process": process(bt_run_s + 1.0),
            "segments": [engine],
            "bars": 1_000,
            "symbols_fed": 2,
        },
    }


def _statuses(rows: list[Any]) -> dict[str, str | None]:
    return {r.key: r.status for r in rows if r.target is not None}


def test_targets_pass_at_their_bounds() -> None:
    # Dragon 10 s on 1 M bars = 100 k bars/s; backtrader 1,000 bars in 2 s = 500 bars/s.
    rows = peers_report.build_rows(_best(10.0, 20.0, 2.0), 1_000_000)
    assert _statuses(rows) == {"vs_vectorbt": "PASS", "vs_backtrader": "PASS"}
    by_key = {r.key: r for r in rows}
    assert by_key["vs_vectorbt"].ratio == pytest.approx(0.5)
    assert by_key["vs_backtrader"].ratio == pytest.approx(200.0)
    assert by_key["backtrader_extrapolated"].seconds == pytest.approx(2_000.0)


def test_targets_miss_beyond_their_bounds() -> None:
    rows = peers_report.build_rows(_best(10.0, 19.9, 1.99), 1_000_000)
    assert _statuses(rows) == {"vs_vectorbt": "MISS", "vs_backtrader": "MISS"}
    assert [r.key for r in peers_report.missed(rows)] == ["vs_vectorbt", "vs_backtrader"]
