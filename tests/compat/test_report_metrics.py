"""The report's metrics, each on hand-computed cases (numbers worked out in comments)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dragon_compat.report import metrics
from dragon_compat.report.metrics import METRICS, BranchMetrics

SQRT_252 = math.sqrt(252)


def one_year_path(first: float, last: float, sessions: int = 253) -> np.ndarray:
    """``sessions`` closes: ``first`` on every one but the last, which is ``last``."""
    path = np.full(sessions, first)
    path[-1] = last
    return path


def test_every_metric_of_the_table_is_a_field_and_has_a_definition():
    assert [spec.key for spec in METRICS] == list(BranchMetrics.__dataclass_fields__)
    assert all(spec.definition and spec.label for spec in METRICS)


def test_daily_returns_are_close_to_close():
    # 110/100 - 1 = 0.10; 99/110 - 1 = -0.10
    assert metrics.daily_returns([100, 110, 99]) == pytest.approx([0.10, -0.10])
    assert metrics.daily_returns([100]).size == 0


def test_total_return_is_last_over_first():
    assert metrics.total_return([100, 110, 99]) == pytest.approx(-0.01)
    assert metrics.total_return([]) is None


def test_annualised_return_compounds_over_252_sessions_a_year():
    # one year (252 returns) 100 -> 121: 21 %; two years (504 returns): 1.21 ** 0.5 - 1 = 10 %
    assert metrics.annualised_return(one_year_path(100, 121)) == pytest.approx(0.21)
    assert metrics.annualised_return(one_year_path(100, 121, 505)) == pytest.approx(0.10)
    assert metrics.annualised_return([100]) is None


def test_volatility_is_the_sample_std_scaled_by_root_252():
    # returns +1 %, -1 %: mean 0, sample variance (0.0001 + 0.0001) / 1 = 0.0002
    assert metrics.volatility([0.01, -0.01]) == pytest.approx(math.sqrt(0.0002 * 252))
    assert metrics.volatility([0.01]) is None


def test_sharpe_is_mean_over_sample_std_times_root_252():
    # returns 2 %, 0 %, 1 %: mean 1 %, deviations ±1 %, 0 -> variance 0.0002 / 2, std 1 %
    assert metrics.sharpe([0.02, 0.0, 0.01]) == pytest.approx(SQRT_252)


def test_sharpe_subtracts_the_compounded_daily_risk_free_rate():
    # an annual rate compounding from 1 % a session makes the excess mean 0
    annual = 1.01**252 - 1
    assert metrics.daily_risk_free(annual) == pytest.approx(0.01)
    assert metrics.sharpe([0.02, 0.0, 0.01], risk_free=annual) == pytest.approx(0.0, abs=1e-9)


def test_sharpe_is_undefined_without_variation_or_enough_returns():
    assert metrics.sharpe([0.01, 0.01, 0.01]) is None
    assert metrics.sharpe([0.01]) is None


def test_sortino_divides_by_the_downside_deviation_over_every_session():
    # returns 2, -1, 2, -1 %: mean 0.5 %; downside sqrt((0 + 1e-4 + 0 + 1e-4) / 4) = sqrt(5e-5)
    expected = 0.005 / math.sqrt(5e-5) * SQRT_252
    assert metrics.sortino([0.02, -0.01, 0.02, -0.01]) == pytest.approx(expected)


def test_sortino_is_undefined_without_a_session_below_the_target():
    assert metrics.sortino([0.01, 0.02]) is None
    assert metrics.sortino([]) is None


def test_drawdowns_are_from_the_running_peak():
    # peaks 100, 120, 120, 120, 130, 130 -> 0, 0, 0.25, 0, 0, 0.5
    path = [100, 120, 90, 120, 130, 65]
    assert metrics.drawdowns(path) == pytest.approx([0, 0, 0.25, 0, 0, 0.5])
    assert metrics.max_drawdown(path) == pytest.approx(0.5)
    assert metrics.max_drawdown([]) is None


def test_max_drawdown_duration_is_the_longest_run_of_sessions_under_the_peak():
    # under water on sessions 1, 2, 3 (95 < 100), back at 100 on 4, under again on 5
    assert metrics.max_drawdown_sessions([100, 90, 80, 95, 100, 99]) == 3
    # still under water at the end: counted to the last session
    assert metrics.max_drawdown_sessions([100, 101, 90, 95, 96]) == 3
    assert metrics.max_drawdown_sessions([100, 101, 102]) == 0
    assert metrics.max_drawdown_sessions([]) is None


def test_calmar_is_annualised_return_over_max_drawdown():
    # two years 100 -> 121 (10 % a year) with one close at 80 (20 % drawdown): 0.10 / 0.20
    path = one_year_path(100, 121, 505)
    path[100] = 80
    assert metrics.calmar(path) == pytest.approx(0.5)
    assert metrics.calmar(one_year_path(100, 121)) is None  # never under water


def test_win_rate_counts_only_positive_net_pnl():
    # 10 and 3 win, -5 loses, 0 is not a win: 2 of 4
    assert metrics.win_rate([10, -5, 0, 3]) == pytest.approx(0.5)
    assert metrics.win_rate([]) is None


def test_profit_factor_is_gains_over_losses():
    assert metrics.profit_factor([10, -5, 0, 3]) == pytest.approx(13 / 5)
    assert metrics.profit_factor([-5]) == 0.0
    assert metrics.profit_factor([10, 3]) == math.inf
    assert metrics.profit_factor([0, 0]) is None
    assert metrics.profit_factor([]) is None


def test_average_hold_is_the_mean_of_hold_sessions():
    assert metrics.average_hold([2, 3, 7]) == pytest.approx(4.0)
    assert metrics.average_hold([]) is None


def test_exposure_is_the_share_of_sessions_with_a_position():
    assert metrics.exposure([0, 1, 2, 0]) == pytest.approx(0.5)
    assert metrics.exposure([]) is None


def test_turnover_is_traded_value_over_mean_equity_per_year():
    # one year at a flat 100 of equity, 500 traded: 5 times a year; two years: 2.5
    assert metrics.turnover(500.0, one_year_path(100, 100)) == pytest.approx(5.0)
    assert metrics.turnover(500.0, one_year_path(100, 100, 505)) == pytest.approx(2.5)
    assert metrics.turnover(500.0, [100]) is None


def test_monthly_returns_chain_month_end_closes_from_the_starting_capital():
    days = np.array(
        ["2023-12-28", "2023-12-29", "2024-01-02", "2024-01-31", "2024-02-01", "2024-02-29"],
        dtype="datetime64[D]",
    )
    equity = [100, 110, 99, 121, 100, 133.1]
    table = metrics.monthly_returns(days, equity)
    # Dec 2023: 110/100 - 1; Jan: 121/110 - 1; Feb: 133.1/121 - 1
    assert list(table.index) == [2023, 2024]
    assert list(table.columns) == list(range(1, 13))
    assert table.loc[2023, 12] == pytest.approx(0.10)
    assert table.loc[2024, 1] == pytest.approx(0.10)
    assert table.loc[2024, 2] == pytest.approx(0.10)
    assert table.loc[2024, 3:].isna().all() and table.loc[2023, :11].isna().all()
    years = metrics.year_returns(table)
    assert years.loc[2023] == pytest.approx(0.10)
    assert years.loc[2024] == pytest.approx(1.1 * 1.1 - 1)


def test_monthly_returns_of_no_session_is_an_empty_table():
    table = metrics.monthly_returns(np.array([], dtype="datetime64[D]"), [])
    assert table.empty and list(table.columns) == list(range(1, 13))


@given(st.lists(st.floats(0.5, 2.0), min_size=2, max_size=80))
def test_months_compound_to_the_total_return(steps):
    equity = 100.0 * np.cumprod(steps)
    equity = np.concatenate(([100.0], equity))
    days = np.datetime64("2023-01-02") + np.arange(equity.size) * 3
    table = metrics.monthly_returns(days, equity)
    compounded = float((1.0 + table.stack()).prod() - 1.0)
    assert compounded == pytest.approx(metrics.total_return(equity), rel=1e-9)


@given(st.lists(st.floats(1.0, 1e6), min_size=1, max_size=60))
def test_drawdowns_are_ratios_and_zero_on_new_peaks(equity):
    values = metrics.drawdowns(equity)
    assert ((values >= 0) & (values < 1)).all()
    peaks = np.asarray(equity) >= np.maximum.accumulate(equity)
    assert (values[peaks] == 0).all()


def test_branch_metrics_gathers_every_metric():
    result = metrics.branch_metrics(
        equity=[100, 110, 99],
        positions=[0, 1, 1],
        net_pnl=[10, -5],
        hold_sessions=[2, 4],
        traded_value=300.0,
    )
    assert result.total_return == pytest.approx(-0.01)
    assert result.win_rate == pytest.approx(0.5)
    assert result.profit_factor == pytest.approx(2.0)
    assert result.average_hold == pytest.approx(3.0)
    assert result.exposure == pytest.approx(2 / 3)
    assert result.trades == 2
    assert result.max_drawdown_sessions == 1
    # 300 / mean(100, 110, 99) / (2 / 252)
    assert result.turnover == pytest.approx(300 / (309 / 3) / (2 / 252))
