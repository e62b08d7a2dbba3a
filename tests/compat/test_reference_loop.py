"""The plain reference loop, checked on its own.

Hand-made minimal markets whose ledgers are worked out by hand from
docs/strategy.md and the runtime README's loop contract (the arithmetic is in
the comments), then invariants of the reference over random markets, and the
random markets' own contract (they must be valid normalized bars).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dragon_compat.features import compute_features
from tests.compat.market_strategies import COLUMNS, normalized_bars, random_market
from tests.compat.reference_loop import BRANCHES, EVENT_COLUMNS, PREDICATES, reference_run

NAN = float("nan")
DAYS = (
    "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05",
    "2024-01-08", "2024-01-09", "2024-01-10", "2024-01-11",
)  # fmt: skip
D1, D2, D3, D4, D5, D6, D7, D8 = DAYS
A, B = "600001.SH", "600002.SH"

SIGNAL_TYPES = {"ENTER_SIGNAL", "VETO", "SKIP"}
POSITION_TYPES = {"EXIT_SIGNAL", "HOLD_POSITION"}
ENTRY_TYPES = {"ENTRY_FILLED", "ENTRY_BLOCKED", "ENTRY_CANCELLED"}
EXIT_TYPES = {"EXIT_FILLED", "EXIT_BLOCKED", "EXIT_DEFERRED"}
EXIT_REASONS = {"STOP_LOSS", "BOARD_BROKEN", "NOT_LIMIT_UP", "MAX_HOLD"}


# ---- hand-made market builders ----


def bar(  # noqa: PLR0917 (symbol, day, OHLC, pre_close read best positionally)
    symbol: str,
    day: str,
    o: float,
    h: float,
    low: float,
    c: float,
    pre: float,
    *,
    amount: float = 2e8,
    turnover: float = 10.0,
    sector: str = "芯片",
    volume: float = 1e6,
    is_st: bool = False,
) -> dict[str, Any]:
    """One normalized bars row (seasoned: no list_date, no published limits)."""
    return {
        "trade_date": pd.Timestamp(day),
        "symbol": symbol,
        "open": o,
        "high": h,
        "low": low,
        "close": c,
        "pre_close": pre,
        "volume": volume,
        "amount": amount,
        "turnover_rate": turnover,
        "sector": sector,
        "is_st": is_st,
        "name": symbol,
        "list_date": pd.NaT,
        "up_limit": NAN,
        "down_limit": NAN,
    }


def market(*rows: dict[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=list(COLUMNS))
    frame = frame.sort_values(["trade_date", "symbol"], ignore_index=True)
    frame["trade_date"] = frame["trade_date"].astype("datetime64[ns]")
    frame["list_date"] = frame["list_date"].astype("datetime64[ns]")
    frame["is_st"] = frame["is_st"].astype(bool)
    return frame


def up_price(pre: float, pct: int = 10) -> float:
    factor = 1 + Decimal(pct) / 100
    return float((Decimal(str(pre)) * factor).quantize(Decimal("0.01"), ROUND_HALF_UP))


def limit_up(symbol: str, day: str, pre: float, pct: int = 10, **kw: Any) -> dict[str, Any]:
    """A limit-up close on an opened board: open = low = pre_close, high = close = up."""
    up = up_price(pre, pct)
    return bar(symbol, day, pre, up, pre, up, pre, **kw)


def climb(symbol: str, days: tuple[str, ...], pre: float = 10.0, **kw: Any) -> list[dict]:
    """Consecutive limit-up closes on opened boards, from ``pre``."""
    rows = []
    for day in days:
        rows.append(limit_up(symbol, day, pre, **kw))
        pre = rows[-1]["close"]
    return rows


def two_dragons(*later: dict[str, Any]) -> pd.DataFrame:
    """A (amount 3e8, the sector leader) and B (2e8) close limit-up on D1 and D2
    (10.00 → 11.00 → 12.10): at D2's close A is SELECTED, B vetoed by L1."""
    return market(*climb(A, (D1, D2), amount=3e8), *climb(B, (D1, D2)), *later)


# The worked example: A enters at D3's open, fails to continue, leaves at D4's open.
# D3 A: open 12.50 → fill round_half_up(1250 × 1.0005) = 1251 (12.51); target =
#   min(1,000,000, 1,000,000 // 5) = 200,000.00; lots = 20,000,000 // 125,100 = 159
#   → 15,900 shares, value 198,909.00; fees = 0.025 % 49.72725 + 0.001 % 1.98909 =
#   51.71634 → 51.72; cash 801,039.28. Close 12.20 < up 13.31 → NOT_LIMIT_UP
#   (stop loss would need close ≤ 0.93 × 12.51 = 11.6343). Equity 801,039.28 +
#   193,980.00 = 995,019.28, drawdown 4,980.72 / 1,000,000 = 0.004981.
# D3 B: limit-up, height 3, but alone in its sector → VETO L2_SECTOR_HEAT.
# D4 A: open 12.00 > down 10.98 → fill round_half_up(1200 × 0.9995) = 1199 (11.99),
#   value 190,641.00; fees 0.025 % 47.66025 + 0.001 % 1.90641 + stamp 0.05 %
#   95.3205 = 144.88716 → 144.89; cash 991,535.39. net_pnl = 190,641.00 − 144.89 −
#   198,909.00 − 51.72 = −8,464.61; return −8,464.61 / 198,960.72 = −0.042544;
#   hold_sessions D3, D4 = 2.
WORKED = (
    bar(A, D3, 12.50, 12.90, 12.00, 12.20, 12.10),
    limit_up(B, D3, 12.10, amount=2e8),
    bar(A, D4, 12.00, 12.30, 11.90, 12.10, 12.20),
    bar(B, D4, 13.50, 14.00, 13.00, 13.80, 13.31),
)
P_D2 = (
    "S1_HEIGHT_CAP=P;S2_NOT_ONE_WORD=P;S3_NOT_ST=P;S4_SEASONED=P;L1_SECTOR_LEADER={l1};"
    "L2_SECTOR_HEAT=P;Q1_MIN_AMOUNT=P;Q2_TURNOVER_BAND=P;W1_BROKEN_RATE=P;W2_LIMIT_DOWNS=P;"
    "W3_HEIGHT_SPACE=F;V1_TURNOVER_SPIKE=U"
)
P_D3_B = (
    "S1_HEIGHT_CAP=P;S2_NOT_ONE_WORD=P;S3_NOT_ST=P;S4_SEASONED=P;L1_SECTOR_LEADER=P;"
    "L2_SECTOR_HEAT=F;Q1_MIN_AMOUNT=P;Q2_TURNOVER_BAND=P;W1_BROKEN_RATE=P;W2_LIMIT_DOWNS=P;"
    "W3_HEIGHT_SPACE=P;V1_TURNOVER_SPIKE=U"
)
WORKED_EVENTS = f"""\
{",".join(EVENT_COLUMNS)}
rc1_baseline,2024-01-03,CLOSE,1,600001.SH,ENTER_SIGNAL,SELECTED,signal,selection,none,12.10,,2,2.300000,1,{P_D2.format(l1="P")}
rc1_baseline,2024-01-03,CLOSE,2,600002.SH,VETO,L1_SECTOR_LEADER,signal,leadership,strong,12.10,,2,2.300000,2,{P_D2.format(l1="F")}
rc1_baseline,2024-01-04,OPEN,1,600001.SH,ENTRY_FILLED,FILLED,execution,execution,none,12.51,15900,2,2.300000,1,
rc1_baseline,2024-01-04,CLOSE,1,600001.SH,EXIT_SIGNAL,NOT_LIMIT_UP,position,exit_rule,none,12.20,15900,0,0.200000,,
rc1_baseline,2024-01-04,CLOSE,2,600002.SH,VETO,L2_SECTOR_HEAT,signal,leadership,strong,13.31,,3,3.200000,1,{P_D3_B}
rc1_baseline,2024-01-05,OPEN,1,600001.SH,EXIT_FILLED,NOT_LIMIT_UP,execution,exit_rule,none,11.99,15900,0,0.200000,,
"""


@dataclass
class Ledger:
    raw: dict[str, bytes]
    events: list[dict[str, str]]
    trades: list[dict[str, str]]
    equity: list[dict[str, str]]
    summary: dict[str, Any]

    def find(self, **match: str) -> list[dict[str, str]]:
        return [e for e in self.events if all(e[k] == v for k, v in match.items())]

    def one(self, **match: str) -> dict[str, str]:
        found = self.find(**match)
        assert len(found) == 1, (match, found)
        return found[0]


def signal_of(ledger: Ledger, day: str, symbol: str) -> dict[str, str]:
    """The candidate's one signal event (ENTER_SIGNAL, VETO or SKIP) at that close."""
    (event,) = [
        e for e in ledger.find(trade_date=day, symbol=symbol) if e["event_type"] in SIGNAL_TYPES
    ]
    return event


def position_of(ledger: Ledger, day: str, symbol: str) -> dict[str, str]:
    """The holding's one position event (EXIT_SIGNAL or HOLD_POSITION) at that close."""
    (event,) = [
        e for e in ledger.find(trade_date=day, symbol=symbol) if e["event_type"] in POSITION_TYPES
    ]
    return event


def run(frame: pd.DataFrame, branch: str = "rc1_baseline") -> Ledger:
    raw = reference_run(frame, branch)

    def rows(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(raw[name].decode("utf-8"))))

    return Ledger(
        raw,
        rows("events.csv"),
        rows("trades.csv"),
        rows("equity.csv"),
        json.loads(raw["summary.json"]),
    )


def cents(text: str) -> int:
    return int(Decimal(text) * 100)


# ---- the worked example, byte for byte ----


def test_worked_market_events_csv_is_the_hand_worked_ledger():
    assert run(two_dragons(*WORKED)).raw["events.csv"].decode("utf-8") == WORKED_EVENTS


def test_worked_market_trades_csv_is_the_hand_worked_trade():
    assert run(two_dragons(*WORKED)).raw["trades.csv"] == (
        b"branch,trade_id,symbol,entry_date,entry_price,exit_date,exit_price,shares,fees,"
        b"net_pnl,return_pct,hold_sessions,exit_reason\n"
        b"rc1_baseline,rc1_baseline-00001,600001.SH,2024-01-04,12.51,2024-01-05,11.99,15900,"
        b"196.61,-8464.61,-0.042544,2,NOT_LIMIT_UP\n"
    )


def test_worked_market_equity_csv_marks_each_close():
    assert run(two_dragons(*WORKED)).raw["equity.csv"] == (
        b"branch,trade_date,cash,market_value,equity,positions,drawdown\n"
        b"rc1_baseline,2024-01-02,1000000.00,0.00,1000000.00,0,0.000000\n"
        b"rc1_baseline,2024-01-03,1000000.00,0.00,1000000.00,0,0.000000\n"
        b"rc1_baseline,2024-01-04,801039.28,193980.00,995019.28,1,0.004981\n"
        b"rc1_baseline,2024-01-05,991535.39,0.00,991535.39,0,0.008465\n"
    )


def test_worked_market_summary_json_is_sorted_indented_and_newline_terminated():
    assert run(two_dragons(*WORKED)).raw["summary.json"] == (
        b"{\n"
        b'  "branch": "rc1_baseline",\n'
        b'  "event_counts": {\n'
        b'    "ENTER_SIGNAL": 1,\n'
        b'    "ENTRY_FILLED": 1,\n'
        b'    "EXIT_FILLED": 1,\n'
        b'    "EXIT_SIGNAL": 1,\n'
        b'    "VETO": 2\n'
        b"  },\n"
        b'  "max_drawdown": 0.008465,\n'
        b'  "rc1_schema_version": "1",\n'
        b'  "sessions": 4,\n'
        b'  "total_return": -0.008465,\n'
        b'  "trades": 1,\n'
        b'  "win_rate": 0.0\n'
        b"}\n"
    )


def test_unknown_branch_is_rejected():
    with pytest.raises(ValueError, match="unknown branch 'yolo'"):
        reference_run(two_dragons(*WORKED), "yolo")


# ---- weak-family isolation and selective vetoes ----


def test_weak_fail_does_not_veto_in_rc1_baseline():
    entry = signal_of(run(two_dragons(*WORKED)), D2, A)
    assert (entry["event_type"], entry["reason_code"]) == ("ENTER_SIGNAL", "SELECTED")
    assert "W3_HEIGHT_SPACE=F" in entry["predicates"]


def test_strict_veto_vetoes_on_a_weak_fail_with_the_weak_tier():
    veto = signal_of(run(two_dragons(*WORKED), "strict_veto"), D2, A)
    assert (veto["event_type"], veto["reason_code"]) == ("VETO", "W3_HEIGHT_SPACE")
    assert (veto["reason_family"], veto["reason_tier"]) == ("sentiment", "weak")


def test_selective_veto_ignores_weak_predicates_it_does_not_list():
    entry = signal_of(run(two_dragons(*WORKED), "alpha_first_selective_veto"), D2, A)
    assert (entry["event_type"], entry["reason_code"]) == ("ENTER_SIGNAL", "SELECTED")


def broken_board_day() -> pd.DataFrame:
    """On D2 C and D touch their up limit (11.22) and close below: broken rate 2/4."""
    others = [
        row
        for symbol in ("600003.SH", "600004.SH")
        for row in (
            bar(symbol, D1, 10.00, 10.30, 9.90, 10.20, 10.00, sector="医药"),
            bar(symbol, D2, 10.30, 11.22, 10.20, 10.80, 10.20, sector="医药"),
        )
    ]
    return two_dragons(*others)


def test_selective_veto_vetoes_on_a_listed_weak_fail():
    ledger = run(broken_board_day(), "alpha_first_selective_veto")
    veto = signal_of(ledger, D2, A)
    assert (veto["event_type"], veto["reason_code"]) == ("VETO", "W1_BROKEN_RATE")
    assert "W1_BROKEN_RATE=F" in veto["predicates"]


def test_alpha_first_ignores_the_same_weak_fail():
    entry = signal_of(run(broken_board_day(), "alpha_first"), D2, A)
    assert entry["event_type"] == "ENTER_SIGNAL"


def test_weak_unavailable_never_vetoes_even_when_the_branch_lists_it():
    # D3: height 3, so W3 passes; V1 has no 5-session turnover average yet: U.
    frame = market(*climb(A, (D1, D2, D3), amount=3e8), *climb(B, (D1, D2, D3)))
    entry = signal_of(run(frame, "strict_veto"), D3, A)
    assert (entry["event_type"], entry["reason_code"]) == ("ENTER_SIGNAL", "SELECTED")
    assert entry["predicates"].endswith("W3_HEIGHT_SPACE=P;V1_TURNOVER_SPIKE=U")


# ---- data missing and ranking ----


def nan_turnover_on_d2(symbol: str) -> pd.DataFrame:
    frame = two_dragons()
    frame.loc[(frame["symbol"] == symbol) & (frame["trade_date"] == D2), "turnover_rate"] = NAN
    return frame


def test_strong_unavailable_skips_data_missing():
    skip = signal_of(run(nan_turnover_on_d2(A)), D2, A)
    assert (skip["event_type"], skip["reason_code"]) == ("SKIP", "DATA_MISSING")
    assert (skip["reason_family"], skip["reason_tier"]) == ("data", "none")
    assert "Q2_TURNOVER_BAND=U" in skip["predicates"]
    assert skip["alpha_score"] == ""


def test_strong_fail_outranks_strong_unavailable():
    veto = signal_of(run(nan_turnover_on_d2(B)), D2, B)
    assert (veto["event_type"], veto["reason_code"]) == ("VETO", "L1_SECTOR_LEADER")


def test_alpha_branches_rank_a_nan_alpha_score_last():
    frame = nan_turnover_on_d2(A)
    assert signal_of(run(frame), D2, A)["rank"] == "1"
    assert signal_of(run(frame, "alpha_first"), D2, A)["rank"] == "2"


def five_sectors_with_st_leader() -> pd.DataFrame:
    """Sector 0's leader is ST (5 % limits, amount 1e9): rank 1, vetoed by S3.
    Sectors 1–4: leaders with amounts 9e8…6e8, every follower 1.5e8. All alpha
    scores tie at 2.3, so amount orders them."""
    rows = climb("600100.SH", (D1, D2), pct=5, amount=1e9, sector="S0", is_st=True)
    rows += climb("600200.SH", (D1, D2), amount=1.5e8, sector="S0")
    for k in range(1, 5):
        rows += climb(f"60010{k}.SH", (D1, D2), amount=(10 - k) * 1e8, sector=f"S{k}")
        rows += climb(f"60020{k}.SH", (D1, D2), amount=1.5e8, sector=f"S{k}")
    return market(*rows)


def signals_by_rank(ledger: Ledger, day: str) -> list[tuple[str, str, str]]:
    signals = [e for e in ledger.find(trade_date=day) if e["event_type"] in SIGNAL_TYPES]
    signals.sort(key=lambda e: int(e["rank"]))
    return [(e["symbol"], e["event_type"], e["reason_code"]) for e in signals[:5]]


def test_alpha_first_cuts_eligible_candidates_after_the_top_three():
    assert signals_by_rank(run(five_sectors_with_st_leader(), "alpha_first"), D2) == [
        ("600100.SH", "VETO", "S3_NOT_ST"),
        ("600101.SH", "ENTER_SIGNAL", "SELECTED"),
        ("600102.SH", "ENTER_SIGNAL", "SELECTED"),
        ("600103.SH", "ENTER_SIGNAL", "SELECTED"),
        ("600104.SH", "SKIP", "ALPHA_RANK_CUTOFF"),
    ]


def test_rc1_baseline_has_no_rank_cutoff():
    ledger = run(five_sectors_with_st_leader(), "rc1_baseline")
    assert len(ledger.find(trade_date=D2, event_type="ENTER_SIGNAL")) == 4


# ---- entries at the open ----


def test_sealed_limit_up_blocks_the_entry_at_its_open():
    sealed = bar(A, D3, 13.31, 13.31, 13.31, 13.31, 12.10)
    event = run(two_dragons(sealed)).one(trade_date=D3, phase="OPEN")
    assert (event["event_type"], event["reason_code"]) == ("ENTRY_BLOCKED", "LIMIT_UP_SEALED")
    assert (event["price"], event["shares"], event["rank"]) == ("13.31", "", "1")


def test_blocked_entry_is_dropped_not_retried():
    sealed = bar(A, D3, 13.31, 13.31, 13.31, 13.31, 12.10)
    ledger = run(two_dragons(sealed, bar(A, D4, 13.00, 13.50, 12.90, 13.20, 13.31)))
    assert ledger.find(trade_date=D4, phase="OPEN") == []
    assert ledger.trades == []


@pytest.mark.parametrize("suspension", ["missing_row", "zero_volume"])
def test_suspended_symbol_cancels_the_entry(suspension):
    later = [bar(B, D3, 12.10, 12.10, 12.10, 12.10, 12.10)]
    if suspension == "zero_volume":
        later.append(bar(A, D3, 12.10, 12.10, 12.10, 12.10, 12.10, volume=0.0, amount=0.0))
    event = run(two_dragons(*later)).one(trade_date=D3, phase="OPEN")
    assert (event["event_type"], event["reason_code"]) == ("ENTRY_CANCELLED", "SUSPENDED")
    assert (event["price"], event["shares"], event["reason_family"]) == ("", "", "market")


def test_entry_fills_at_up_limit_when_the_board_opened_from_it():
    # open = up 13.31, low 12.90 < up: base 13.31, × 1.0005 = 13.3166 → 13.32, clamped.
    opened = bar(A, D3, 13.31, 13.31, 12.90, 13.31, 12.10)
    event = run(two_dragons(opened)).one(trade_date=D3, phase="OPEN")
    assert (event["event_type"], event["price"]) == ("ENTRY_FILLED", "13.31")


def test_entry_cancelled_when_no_lot_is_affordable():
    # A trades at 2,300 CNY: 100 shares at the 2,301.15 fill cost more than the
    # 200,000.00 target (equity / 5).
    frame = market(
        *climb(A, (D1, D2), pre=1900.0, amount=5e8),
        *climb(B, (D1, D2)),
        bar(A, D3, 2300.00, 2350.00, 2280.00, 2320.00, 2299.00),
    )
    event = run(frame).one(trade_date=D3, phase="OPEN")
    assert (event["event_type"], event["reason_code"]) == ("ENTRY_CANCELLED", "INSUFFICIENT_CASH")
    assert (event["price"], event["reason_family"]) == ("2300.00", "portfolio")


# ---- exit rules at the close ----


@pytest.mark.parametrize(
    ("close", "reason"),
    [(11.63, "STOP_LOSS"), (11.64, "NOT_LIMIT_UP")],  # 0.93 × 12.51 = 11.6343
)
def test_stop_loss_triggers_at_93_percent_of_the_entry_price(close, reason):
    day3 = bar(A, D3, 12.50, 12.90, close, close, 12.10)
    signal = position_of(run(two_dragons(day3)), D3, A)
    assert (signal["event_type"], signal["reason_code"]) == ("EXIT_SIGNAL", reason)


def test_stop_loss_is_in_the_risk_family():
    day3 = bar(A, D3, 12.50, 12.90, 11.00, 11.00, 12.10)
    signal = position_of(run(two_dragons(day3)), D3, A)
    assert (signal["reason_code"], signal["reason_family"]) == ("STOP_LOSS", "risk")


def test_broken_board_signals_board_broken():
    day3 = bar(A, D3, 12.50, 13.31, 12.40, 13.00, 12.10)
    signal = position_of(run(two_dragons(day3)), D3, A)
    assert (signal["event_type"], signal["reason_code"]) == ("EXIT_SIGNAL", "BOARD_BROKEN")


def long_dragon(days: tuple[str, ...]) -> pd.DataFrame:
    """A (leader) and B close limit-up on every day of ``days`` from 10.00."""
    return market(*climb(A, days, amount=3e8), *climb(B, days))


def test_position_that_closes_limit_up_is_held():
    event = position_of(run(long_dragon(DAYS[:3])), D3, A)
    assert (event["event_type"], event["reason_code"]) == ("HOLD_POSITION", "CONTINUES_LIMIT_UP")
    assert (event["price"], event["shares"], event["board_height"]) == ("13.31", "16500", "3")


def test_held_candidate_is_skipped_already_held():
    skip = signal_of(run(long_dragon(DAYS[:3])), D3, A)
    assert (skip["event_type"], skip["reason_code"], skip["rank"]) == ("SKIP", "ALREADY_HELD", "1")


def test_strong_fail_outranks_already_held():
    veto = signal_of(run(long_dragon(DAYS[:6])), D6, A)
    assert (veto["event_type"], veto["reason_code"]) == ("VETO", "S1_HEIGHT_CAP")
    assert veto["board_height"] == "6"


def test_max_hold_after_five_held_sessions():
    ledger = run(long_dragon(DAYS[:7]))
    reasons = [position_of(ledger, d, A)["reason_code"] for d in DAYS[2:7]]
    assert reasons == ["CONTINUES_LIMIT_UP"] * 4 + ["MAX_HOLD"]


def test_open_position_at_the_end_gets_no_expiry_and_no_trade_row():
    ledger = run(long_dragon(DAYS[:5]))
    assert ledger.find(event_type="ORDER_EXPIRED") == []
    assert ledger.trades == []
    assert ledger.equity[-1]["positions"] == "1"


# ---- exits at the open ----

SEALED_DOWN_D4 = bar(A, D4, 10.98, 10.98, 10.98, 10.98, 12.20)  # down limit of 12.20
DAY3_NOT_LIMIT_UP = bar(A, D3, 12.50, 12.90, 12.00, 12.20, 12.10)


def sealed_down_then_exit() -> Ledger:
    # D5: open 10.50 above down 9.88 → fill round_half_up(1050 × 0.9995) = 1049.
    return run(
        two_dragons(
            DAY3_NOT_LIMIT_UP, SEALED_DOWN_D4, bar(A, D5, 10.50, 10.90, 10.40, 10.60, 10.98)
        )
    )


def test_sealed_limit_down_blocks_the_exit():
    event = sealed_down_then_exit().one(trade_date=D4, phase="OPEN")
    assert (event["event_type"], event["reason_code"]) == ("EXIT_BLOCKED", "LIMIT_DOWN_SEALED")
    assert (event["price"], event["shares"], event["board_height"]) == ("10.98", "15900", "0")


def test_blocked_exit_repeats_its_original_reason_at_the_close():
    # 10.98 ≤ 0.93 × 12.51 would be a stop loss if re-evaluated; the exit is sticky.
    signal = position_of(sealed_down_then_exit(), D4, A)
    assert (signal["event_type"], signal["reason_code"]) == ("EXIT_SIGNAL", "NOT_LIMIT_UP")


def test_blocked_exit_fills_later_with_its_original_reason():
    ledger = sealed_down_then_exit()
    (trade,) = ledger.trades
    assert (trade["exit_date"], trade["exit_price"], trade["exit_reason"]) == (
        D5,
        "10.49",
        "NOT_LIMIT_UP",
    )
    assert trade["hold_sessions"] == "3"


def suspended_d4(suspension: str) -> Ledger:
    """A holds from D3 and is suspended on D4 (no row, or a volume-0 row); a quiet
    filler symbol keeps D4 in the calendar."""
    filler = [
        bar("600009.SH", d, 5.00, 5.10, 4.90, 5.00, 5.00, sector="医药") for d in (D3, D4, D5)
    ]
    later = [DAY3_NOT_LIMIT_UP, bar(A, D5, 12.00, 12.30, 11.90, 12.10, 12.20), *filler]
    if suspension == "zero_volume":
        later.append(bar(A, D4, 12.20, 12.20, 12.20, 12.20, 12.20, volume=0.0, amount=0.0))
    return run(two_dragons(*later))


@pytest.mark.parametrize("suspension", ["missing_row", "zero_volume"])
def test_suspended_exit_is_deferred(suspension):
    event = suspended_d4(suspension).one(trade_date=D4, phase="OPEN")
    assert (event["event_type"], event["reason_code"]) == ("EXIT_DEFERRED", "SUSPENDED")
    # copied from D3's EXIT_SIGNAL: height 0, no sector limit-up, turnover 10 → 0.1
    assert (event["price"], event["shares"], event["alpha_score"]) == ("", "15900", "0.100000")


@pytest.mark.parametrize("suspension", ["missing_row", "zero_volume"])
def test_suspended_holding_gets_hold_position_suspended(suspension):
    event = suspended_d4(suspension).one(trade_date=D4, phase="CLOSE")
    assert (event["event_type"], event["reason_code"]) == ("HOLD_POSITION", "SUSPENDED")
    assert (event["price"], event["shares"], event["board_height"], event["alpha_score"]) == (
        "",
        "15900",
        "0",
        "",
    )


@pytest.mark.parametrize("suspension", ["missing_row", "zero_volume"])
def test_suspended_sessions_do_not_count_in_hold_sessions(suspension):
    (trade,) = suspended_d4(suspension).trades
    assert (trade["exit_date"], trade["exit_price"], trade["hold_sessions"]) == (D5, "11.99", "2")


def test_equity_marks_a_suspended_holding_at_its_last_close():
    day4 = suspended_d4("missing_row").equity[3]
    assert (day4["market_value"], day4["equity"]) == ("193980.00", "995019.28")


def test_exit_fill_is_never_below_the_down_limit():
    # open = down 10.98 but the board is open (high 11.50): 1098 × 0.9995 → 1097 → 1098.
    at_down = bar(A, D4, 10.98, 11.50, 10.98, 11.20, 12.20)
    event = run(two_dragons(DAY3_NOT_LIMIT_UP, at_down)).one(trade_date=D4, phase="OPEN")
    assert (event["event_type"], event["price"]) == ("EXIT_FILLED", "10.98")


@pytest.mark.parametrize(
    ("days", "fees"),
    [
        # exit on 2023-08-25: stamp 0.1 % → 190,641 × 0.126 % = 240.21; + 51.72 entry
        (("2023-08-22", "2023-08-23", "2023-08-24", "2023-08-25"), "291.93"),
        # exit on 2023-08-28, the cut: stamp 0.05 % → 144.89 + 51.72
        (("2023-08-23", "2023-08-24", "2023-08-25", "2023-08-28"), "196.61"),
    ],
)
def test_stamp_duty_is_cut_on_sells_from_2023_08_28(days, fees):
    frame = two_dragons(*WORKED)
    frame["trade_date"] = frame["trade_date"].map(
        dict(zip(map(pd.Timestamp, DAYS[:4]), days, strict=True))
    )
    frame["trade_date"] = frame["trade_date"].astype("datetime64[ns]")
    (trade,) = run(frame).trades
    assert trade["fees"] == fees


# ---- slots ----


def six_sectors(days: int) -> pd.DataFrame:
    """Six sectors, each with a leader 60010k (amount (10 − k) × 1e8) and a follower
    60020k (1.5e8); all limit-up on D1 and D2. D2: leaders 1–5 SELECTED, leader 6 has
    no free slot. D3: entries fill at 12.10 → 12.11 × 16,500; leaders 1–4, 6 and the
    followers continue; leader 5 does not (EXIT_SIGNAL frees a slot, leader 6 is
    SELECTED). D4: leader 5's exit is blocked by a sealed limit-down, so leader 6's
    entry finds five positions."""
    rows = []
    for k in range(1, 7):
        sector = f"S{k}"
        leader, follower = f"60010{k}.SH", f"60020{k}.SH"
        lead_days = (D1, D2) if k == 5 else (D1, D2, D3)
        rows += climb(leader, lead_days, amount=(10 - k) * 1e8, sector=sector)
        rows += climb(follower, (D1, D2, D3), amount=1.5e8, sector=sector)
    rows.append(bar("600105.SH", D3, 12.10, 12.50, 12.00, 12.20, 12.10, amount=5e8, sector="S5"))
    rows.append(bar("600105.SH", D4, 10.98, 10.98, 10.98, 10.98, 12.20, amount=5e8, sector="S5"))
    rows.append(bar("600106.SH", D4, 13.50, 14.00, 13.20, 13.80, 13.31, amount=4e8, sector="S6"))
    return market(*(r for r in rows if r["trade_date"] <= pd.Timestamp(DAYS[days - 1])))


def test_sixth_eligible_candidate_finds_no_free_slot():
    skip = signal_of(run(six_sectors(4)), D2, "600106.SH")
    assert (skip["event_type"], skip["reason_code"], skip["rank"]) == ("SKIP", "NO_FREE_SLOT", "6")


def test_exit_signal_at_the_close_frees_a_slot():
    ledger = run(six_sectors(4))
    assert position_of(ledger, D3, "600105.SH")["event_type"] == "EXIT_SIGNAL"
    entry = signal_of(ledger, D3, "600106.SH")
    assert (entry["event_type"], entry["rank"]) == ("ENTER_SIGNAL", "5")


def test_entry_is_cancelled_when_five_positions_are_held_at_the_open():
    ledger = run(six_sectors(4))
    opens = ledger.find(trade_date=D4, phase="OPEN")
    assert [(e["symbol"], e["event_type"], e["reason_code"]) for e in opens] == [
        ("600105.SH", "EXIT_BLOCKED", "LIMIT_DOWN_SEALED"),
        ("600106.SH", "ENTRY_CANCELLED", "NO_FREE_SLOT"),
    ]
    assert opens[1]["price"] == "13.50"


# ---- the end of the data ----


def test_last_session_expires_a_pending_entry():
    expired = run(two_dragons()).one(event_type="ORDER_EXPIRED")
    assert (expired["trade_date"], expired["symbol"], expired["reason_code"]) == (
        D2,
        A,
        "END_OF_DATA",
    )
    assert (expired["price"], expired["shares"], expired["rank"]) == ("12.10", "", "1")
    assert (expired["reason_layer"], expired["reason_family"]) == ("lifecycle", "lifecycle")


def test_last_session_expires_pending_exits_before_pending_entries():
    ledger = run(six_sectors(3))
    expired = ledger.find(event_type="ORDER_EXPIRED")
    assert [(e["symbol"], e["shares"], e["rank"]) for e in expired] == [
        ("600105.SH", "16500", ""),
        ("600106.SH", "", "5"),
    ]
    last_seq = max(int(e["seq"]) for e in ledger.find(trade_date=D3, phase="CLOSE"))
    assert [int(e["seq"]) for e in expired] == [last_seq - 1, last_seq]


# ---- invariants over random markets ----

ALLOWED_REASONS = {
    "ENTER_SIGNAL": {"SELECTED"},
    "VETO": {pid for pid, _, _ in PREDICATES},
    "SKIP": {"ALREADY_HELD", "NO_FREE_SLOT", "ALPHA_RANK_CUTOFF", "DATA_MISSING"},
    "ENTRY_FILLED": {"FILLED"},
    "ENTRY_BLOCKED": {"LIMIT_UP_SEALED"},
    "ENTRY_CANCELLED": {"SUSPENDED", "NO_FREE_SLOT", "INSUFFICIENT_CASH"},
    "EXIT_FILLED": EXIT_REASONS,
    "EXIT_BLOCKED": {"LIMIT_DOWN_SEALED"},
    "EXIT_DEFERRED": {"SUSPENDED"},
    "EXIT_SIGNAL": EXIT_REASONS,
    "HOLD_POSITION": {"CONTINUES_LIMIT_UP", "SUSPENDED"},
    "ORDER_EXPIRED": {"END_OF_DATA"},
}
LAYERS = {
    **dict.fromkeys(SIGNAL_TYPES, "signal"),
    **dict.fromkeys(ENTRY_TYPES | EXIT_TYPES, "execution"),
    **dict.fromkeys(POSITION_TYPES, "position"),
    "ORDER_EXPIRED": "lifecycle",
}
BRANCH_NAMES = st.sampled_from(sorted(BRANCHES))
PROPERTY = settings(max_examples=40)


def sessions_of(frame: pd.DataFrame) -> list[str]:
    return [d.date().isoformat() for d in sorted(set(frame["trade_date"]))]


@PROPERTY
@given(normalized_bars())
def test_random_markets_are_valid_normalized_bars(frame):
    assert list(frame.columns) == list(COLUMNS)
    assert not frame.duplicated(["trade_date", "symbol"]).any()
    keys = list(zip(frame["trade_date"], frame["symbol"].astype(str), strict=True))
    assert keys == sorted(keys)
    assert frame["symbol"].astype(str).str.fullmatch(r"\d{6}\.(SH|SZ|BJ)").all()
    prices = frame[["open", "high", "low", "close", "pre_close"]]
    assert (prices > 0).all().all()
    assert ((prices * 100).round() / 100 == prices).all().all()  # whole cents
    assert (frame["low"] <= frame[["open", "close"]].min(axis=1)).all()
    assert (frame["high"] >= frame[["open", "close"]].max(axis=1)).all()
    assert (frame["volume"] >= 0).all() and (frame["amount"] >= 0).all()


@PROPERTY
@given(normalized_bars())
def test_random_markets_chain_pre_close_to_the_previous_close(frame):
    previous: dict[str, float] = {}
    for symbol, pre, close in zip(
        frame["symbol"].astype(str), frame["pre_close"], frame["close"], strict=True
    ):
        if symbol in previous:
            assert pre == previous[symbol]
        previous[symbol] = close


@PROPERTY
@given(normalized_bars(), BRANCH_NAMES)
def test_every_candidate_gets_exactly_one_signal_event(frame, branch):
    features = compute_features(frame)
    is_candidate = features["is_candidate"] & (frame["volume"] > 0)
    expected = sorted(
        (d.date().isoformat(), s)
        for d, s in zip(
            frame["trade_date"][is_candidate],
            frame["symbol"].astype(str)[is_candidate],
            strict=True,
        )
    )
    ledger = run(frame, branch)
    got = sorted(
        (e["trade_date"], e["symbol"]) for e in ledger.events if e["event_type"] in SIGNAL_TYPES
    )
    assert got == expected


@PROPERTY
@given(normalized_bars(), BRANCH_NAMES)
def test_every_position_and_pending_order_gets_exactly_one_event_per_phase(frame, branch):
    ledger = run(frame, branch)
    days = sessions_of(frame)
    held: set[str] = set()
    pending_exits: set[str] = set()
    pending_entries: set[str] = set()
    for i, day in enumerate(days):
        opens = ledger.find(trade_date=day, phase="OPEN")
        exit_events = sorted(e["symbol"] for e in opens if e["event_type"] in EXIT_TYPES)
        entry_events = sorted(e["symbol"] for e in opens if e["event_type"] in ENTRY_TYPES)
        assert exit_events == sorted(pending_exits)
        assert entry_events == sorted(pending_entries)
        for e in opens:
            if e["event_type"] == "EXIT_FILLED":
                held.discard(e["symbol"])
                pending_exits.discard(e["symbol"])
            if e["event_type"] == "ENTRY_FILLED":
                held.add(e["symbol"])
        closes = ledger.find(trade_date=day, phase="CLOSE")
        position_events = sorted(e["symbol"] for e in closes if e["event_type"] in POSITION_TYPES)
        assert position_events == sorted(held)
        pending_exits |= {e["symbol"] for e in closes if e["event_type"] == "EXIT_SIGNAL"}
        pending_entries = {e["symbol"] for e in closes if e["event_type"] == "ENTER_SIGNAL"}
        expired = [e["symbol"] for e in closes if e["event_type"] == "ORDER_EXPIRED"]
        if i == len(days) - 1:
            assert expired == sorted(pending_exits) + [
                e["symbol"] for e in closes if e["event_type"] == "ENTER_SIGNAL"
            ]
        else:
            assert expired == []


@PROPERTY
@given(normalized_bars(), BRANCH_NAMES)
def test_every_fill_pair_is_one_trade_row_sold_no_earlier_than_t_plus_1(frame, branch):
    ledger = run(frame, branch)
    exits = ledger.find(event_type="EXIT_FILLED")
    assert len(ledger.trades) == len(exits)
    for trade in ledger.trades:
        entry = ledger.one(
            event_type="ENTRY_FILLED", symbol=trade["symbol"], trade_date=trade["entry_date"]
        )
        exit_ = ledger.one(
            event_type="EXIT_FILLED", symbol=trade["symbol"], trade_date=trade["exit_date"]
        )
        assert (entry["price"], entry["shares"]) == (trade["entry_price"], trade["shares"])
        assert (exit_["price"], exit_["reason_code"]) == (trade["exit_price"], trade["exit_reason"])
        assert trade["exit_date"] > trade["entry_date"]
        fees = cents(trade["fees"])
        value_in, value_out = (
            cents(trade["entry_price"]) * int(trade["shares"]),
            cents(trade["exit_price"]) * int(trade["shares"]),
        )
        assert cents(trade["net_pnl"]) == value_out - value_in - fees


@PROPERTY
@given(normalized_bars(), BRANCH_NAMES)
def test_cash_plus_market_value_is_equity_to_the_cent(frame, branch):
    ledger = run(frame, branch)
    assert [row["trade_date"] for row in ledger.equity] == sessions_of(frame)
    for row in ledger.equity:
        assert cents(row["cash"]) + cents(row["market_value"]) == cents(row["equity"])
        assert cents(row["cash"]) >= 0


@PROPERTY
@given(normalized_bars(), BRANCH_NAMES)
def test_reason_codes_and_layers_are_those_the_spec_allows(frame, branch):
    for e in run(frame, branch).events:
        assert e["reason_code"] in ALLOWED_REASONS[e["event_type"]]
        assert e["reason_layer"] == LAYERS[e["event_type"]]
        assert e["reason_tier"] in {"strong", "weak", "none"}


@PROPERTY
@given(normalized_bars(), st.sampled_from(["rc1_baseline", "alpha_first"]))
def test_weak_predicates_never_veto_in_branches_without_selective_vetoes(frame, branch):
    vetoes = run(frame, branch).find(event_type="VETO")
    assert all(e["reason_tier"] == "strong" for e in vetoes)


@PROPERTY
@given(normalized_bars(), BRANCH_NAMES)
def test_events_are_sorted_with_seq_restarting_per_phase(frame, branch):
    events = run(frame, branch).events
    keys = [(e["trade_date"], e["phase"] == "CLOSE", int(e["seq"])) for e in events]
    assert keys == sorted(keys)
    groups: dict[tuple[str, str], list[int]] = {}
    for e in events:
        groups.setdefault((e["trade_date"], e["phase"]), []).append(int(e["seq"]))
    assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in groups.values())


MONEY = re.compile(r"-?\d+\.\d{2}")
RATIO = re.compile(r"-?\d+\.\d{6}")


@PROPERTY
@given(normalized_bars(), BRANCH_NAMES)
def test_numbers_are_printed_with_fixed_decimals(frame, branch):
    ledger = run(frame, branch)
    for e in ledger.events:
        assert e["price"] == "" or MONEY.fullmatch(e["price"])
        assert e["alpha_score"] == "" or RATIO.fullmatch(e["alpha_score"])
    for t in ledger.trades:
        assert all(MONEY.fullmatch(t[c]) for c in ("entry_price", "exit_price", "fees", "net_pnl"))
        assert RATIO.fullmatch(t["return_pct"])
    for row in ledger.equity:
        assert all(MONEY.fullmatch(row[c]) for c in ("cash", "market_value", "equity"))
        assert RATIO.fullmatch(row["drawdown"])
    assert ledger.raw["summary.json"].endswith(b"}\n")


@settings(max_examples=20)
@given(normalized_bars(), BRANCH_NAMES)
def test_symbol_dtype_does_not_change_the_bytes(frame, branch):
    as_str = frame.assign(symbol=frame["symbol"].astype(str))
    as_category = frame.assign(symbol=frame["symbol"].astype(str).astype("category"))
    assert reference_run(as_str, branch) == reference_run(as_category, branch)


def test_random_market_is_deterministic_per_seed():
    pd.testing.assert_frame_equal(random_market(11, 20, 15), random_market(11, 20, 15))
    assert not random_market(11, 20, 15).equals(random_market(12, 20, 15))
