"""What the monitor accepts as input, and the user errors for what it refuses."""

from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd
import pytest

from dragon_compat.errors import DragonUserError
from dragon_compat.monitor import BranchTables, compute_monitor
from dragon_runtime.canonical import equity_csv, events_csv, trades_csv
from tests.compat.monitor.builders import (
    CANDIDATE,
    CAPITAL,
    CONTROL,
    REFERENCE,
    day,
    fills,
    market,
    monitor_at,
    monitor_last,
)


def _replace(tables, branch, **frames):
    old = tables[branch]
    new = BranchTables(
        events=frames.get("events", old.events),
        trades=frames.get("trades", old.trades),
        equity=frames.get("equity", old.equity),
    )
    return {**tables, branch: new}


# -- accepted forms -------------------------------------------------------------------


def test_tables_read_back_from_the_runtimes_canonical_csv_are_accepted():
    tables = market(
        6,
        candidate_equity=[CAPITAL, 990_000.0, 980_000.0, 970_000.0, 960_000.0, 950_000.0],
        candidate_trades=[(i, -10.0) for i in range(1, 6)],
        candidate_events=fills([1]),
    )
    round_trip = {
        name: BranchTables(
            events=_via_csv(events_csv(t.events)),
            trades=_via_csv(trades_csv(t.trades)),
            equity=_via_csv(equity_csv(t.equity)),
        )
        for name, t in tables.items()
    }
    assert monitor_last(round_trip).files() == monitor_last(tables).files()


def _via_csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text))


def test_an_open_trade_with_a_blank_exit_date_is_not_closed():
    tables = market(3, candidate_trades=[(1, -10.0)] * 5)
    trades = tables[CANDIDATE].trades.copy()
    trades.loc[0, "exit_date"] = ""
    trades.loc[1, "exit_date"] = None
    w3 = monitor_last(_replace(tables, CANDIDATE, trades=trades)).health.conditions[3]
    assert (w3.active, w3.value) == (False, None)


@pytest.mark.parametrize(
    "convert",
    [
        pd.to_datetime,
        lambda s: pd.to_datetime(s).dt.date,
        lambda s: pd.to_datetime(s).dt.strftime("%Y%m%d").astype(int),
        lambda s: pd.to_datetime(s).dt.strftime("%Y%m%d"),
    ],
    ids=["datetime64", "date-objects", "yyyymmdd-int", "yyyymmdd-str"],
)
def test_session_dates_in_other_date_forms_give_the_same_artifacts(convert):
    tables = market(4, candidate_equity=[CAPITAL, 950_000.0, 900_000.0, 880_000.0])
    equity = tables[CANDIDATE].equity.assign(trade_date=lambda f: convert(f["trade_date"]))
    converted = _replace(tables, CANDIDATE, equity=equity)
    assert monitor_last(converted).files() == monitor_last(tables).files()


def test_as_of_may_be_a_datetime_on_the_session():
    tables = market(3)
    assert (
        compute_monitor(tables, as_of=datetime(2024, 1, 4, 15, 0)).files()
        == monitor_last(tables).files()
    )


def test_rows_after_as_of_are_ignored_even_when_malformed():
    tables = market(4, candidate_events=fills([1]))
    equity = tables[CANDIDATE].equity.copy()
    equity.loc[3, "equity"] = -1.0
    assert monitor_at(_replace(tables, CANDIDATE, equity=equity), 2).health.as_of == "2024-01-04"


def test_branch_names_are_parameters():
    tables = market(3)
    renamed = {"cand": tables[CANDIDATE], "ref": tables[REFERENCE], "ctl": tables[CONTROL]}
    renamed = {
        name: BranchTables(
            events=t.events.drop(columns="branch"),
            trades=t.trades.drop(columns="branch"),
            equity=t.equity.drop(columns="branch"),
        )
        for name, t in renamed.items()
    }
    artifacts = compute_monitor(
        renamed, as_of=day(2), candidate="cand", reference="ref", control="ctl"
    )
    assert artifacts.health.branch == "cand"
    assert (artifacts.divergence.candidate_branch, artifacts.divergence.reference_branch) == (
        "cand",
        "ref",
    )
    assert artifacts.refined_control.control_branch == "ctl"


# -- user errors ----------------------------------------------------------------------


def _error(tables, index: int = -1, **roles) -> str:
    as_of = day(index) if index >= 0 else day(len(tables[CANDIDATE].equity) - 1)
    with pytest.raises(DragonUserError) as caught:
        compute_monitor(tables, as_of=as_of, **roles)
    return str(caught.value)


def test_a_missing_role_branch_is_named():
    tables = market(3)
    del tables[CONTROL]
    message = _error(tables)
    assert "control branch 'alpha_first_selective_veto'" in message
    assert "'alpha_first', 'rc1_baseline'" in message


def test_the_same_branch_in_two_roles_is_refused():
    message = _error(market(3), reference=CANDIDATE)
    assert "must differ" in message and "reference='alpha_first'" in message


def test_as_of_that_is_not_a_candidate_session_is_refused():
    with pytest.raises(DragonUserError, match=r"2024-01-06 is not a session .* 2024-01-05"):
        compute_monitor(market(4), as_of=date(2024, 1, 6))


def test_as_of_before_the_first_session_is_refused():
    with pytest.raises(DragonUserError, match="latest session on or before it: none"):
        compute_monitor(market(4), as_of=date(2023, 12, 29))


def test_a_reference_missing_a_session_is_refused_naming_it():
    tables = market(4)
    equity = tables[REFERENCE].equity.drop(index=1).reset_index(drop=True)
    message = _error(_replace(tables, REFERENCE, equity=equity))
    assert "branch 'rc1_baseline'" in message and "session 2024-01-03" in message


def test_a_missing_column_is_named():
    tables = market(3)
    equity = tables[CANDIDATE].equity.drop(columns="drawdown")
    message = _error(_replace(tables, CANDIDATE, equity=equity))
    assert "branch 'alpha_first', equity table" in message and "'drawdown'" in message


def test_a_bad_date_is_named_with_its_row():
    tables = market(3, candidate_events=fills([1]))
    events = tables[CANDIDATE].events.copy()
    events.loc[0, "trade_date"] = "2024-02-30"
    message = _error(_replace(tables, CANDIDATE, events=events))
    assert "events table, data row 1, column 'trade_date'" in message
    assert "'2024-02-30' is not a YYYY-MM-DD date" in message


def test_a_duplicate_session_is_refused():
    tables = market(3)
    equity = tables[CANDIDATE].equity
    equity = pd.concat([equity, equity.iloc[[1]]], ignore_index=True)
    message = _error(_replace(tables, CANDIDATE, equity=equity))
    assert "session 2024-01-03 appears more than once" in message


def test_a_non_numeric_drawdown_is_refused():
    tables = market(3)
    equity = tables[CANDIDATE].equity.astype({"drawdown": object})
    equity.loc[2, "drawdown"] = "n/a"
    message = _error(_replace(tables, CANDIDATE, equity=equity))
    assert "data row 3, column 'drawdown': 'n/a' is not a finite number" in message


def test_non_positive_equity_is_refused():
    tables = market(3)
    equity = tables[REFERENCE].equity.copy()
    equity.loc[0, "equity"] = 0.0
    assert "equity 0.0 must be > 0" in _error(_replace(tables, REFERENCE, equity=equity))


def test_a_missing_net_pnl_on_a_closed_trade_is_refused():
    tables = market(3, candidate_trades=[(1, -10.0)])
    trades = tables[CANDIDATE].trades.copy()
    trades.loc[0, "net_pnl"] = None
    assert "trades table, data row 1, column 'net_pnl'" in _error(
        _replace(tables, CANDIDATE, trades=trades)
    )


def test_a_table_of_another_branch_is_refused():
    tables = market(3, reference_events=fills([1]))
    message = _error({**tables, CONTROL: tables[REFERENCE]})
    assert "branch 'alpha_first_selective_veto'" in message
    assert "'rc1_baseline' does not name the branch" in message


def test_a_fill_without_a_symbol_is_refused():
    tables = market(3, candidate_events=fills([1], symbol=""))
    assert "column 'symbol': a value is required" in _error(tables)


def test_a_trades_csv_with_only_open_trades_is_accepted():
    tables = market(3, candidate_trades=[(1, -10.0)] * 5)
    trades = tables[CANDIDATE].trades.assign(exit_date=None, exit_price=None)
    read_back = _via_csv(trades_csv(trades))
    assert read_back["exit_date"].dtype == "float64"  # what read_csv makes of an empty column
    w3 = monitor_last(_replace(tables, CANDIDATE, trades=read_back)).health.conditions[3]
    assert (w3.active, w3.value) == (False, None)
