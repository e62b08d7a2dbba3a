"""New listings' price limits: the exchanges' no-limit windows and the classic IPO day.

Each case is a hand-made market whose listing date and board pin one rule of
``dragon_runtime.market.NO_LIMIT_WINDOWS`` / ``IPO_DAY_PCTS``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from dragon_runtime import NO_LIMIT_WINDOWS, Board, annotate_limits
from dragon_runtime.market import listing_sessions
from tests.runtime.builders import bar, make_bars

D = dt.date


def _has_limit(symbol: str, start: dt.date, sessions: int = 7) -> list[bool]:
    bars = make_bars({symbol: [bar(10.0)] * sessions}, start=start, list_dates={symbol: start})
    return annotate_limits(bars)["has_limit"].tolist()


def test_chinext_listing_from_the_reform_has_five_sessions_without_limit() -> None:
    assert _has_limit("301001.SZ", D(2020, 8, 24)) == [False] * 5 + [True] * 2


def test_star_listing_has_five_sessions_without_limit() -> None:
    assert _has_limit("688001.SH", D(2019, 7, 22)) == [False] * 5 + [True] * 2


def test_main_board_listing_from_registration_has_five_sessions_without_limit() -> None:
    assert _has_limit("603000.SH", D(2023, 4, 10)) == [False] * 5 + [True] * 2


def test_bse_listing_has_one_session_without_limit() -> None:
    assert _has_limit("830799.BJ", D(2021, 11, 15)) == [False] + [True] * 6


def test_main_board_ipo_day_before_registration_is_limited_at_44_and_36_percent() -> None:
    start = D(2023, 4, 7)
    bars = make_bars(
        {"603001.SH": [bar(10.0), bar(14.4)]}, start=start, list_dates={"603001.SH": start}
    )
    bars.loc[0, "pre_close"] = 10.0  # the issue price
    out = annotate_limits(bars)
    assert out["has_limit"].tolist() == [True, True]
    assert out["up_limit_c"].tolist() == [1440, 1100]
    assert out["down_limit_c"].tolist() == [640, 900]


def test_chinext_ipo_day_before_the_reform_is_limited_at_44_and_36_percent() -> None:
    start = D(2020, 8, 21)
    bars = make_bars({"300999.SZ": [bar(10.0)]}, start=start, list_dates={"300999.SZ": start})
    out = annotate_limits(bars)
    assert (out["up_limit_c"].tolist(), out["down_limit_c"].tolist()) == ([1440], [640])


def test_published_limits_win_inside_a_window() -> None:
    start = D(2023, 4, 10)
    bars = make_bars(
        {"603002.SH": [bar(10.0)] * 2},
        start=start,
        list_dates={"603002.SH": start},
        published={(1, "603002.SH"): (11.0, 9.0)},
    )
    out = annotate_limits(bars)
    assert out["has_limit"].tolist() == [False, True]
    assert out["up_limit_c"].tolist() == [0, 1100]


def test_listing_before_the_data_starts_is_never_a_window() -> None:
    start = D(2023, 4, 12)
    bars = make_bars(
        {"603003.SH": [bar(10.0)] * 3}, start=start, list_dates={"603003.SH": D(2023, 4, 10)}
    )
    assert annotate_limits(bars)["has_limit"].tolist() == [True, True, True]


def test_no_limit_column_removes_the_limit() -> None:
    bars = make_bars({"600610.SH": [bar(10.0)] * 2})
    bars["no_limit"] = [False, True]
    out = annotate_limits(bars)
    assert out["has_limit"].tolist() == [True, False]
    assert out["up_limit_c"].tolist()[1] == 0


def test_listing_sessions_count_the_data_calendar() -> None:
    days = np.array(["2024-01-02", "2024-01-03", "2024-01-04"], dtype="datetime64[D]")
    listed = np.array(["2024-01-03", "2024-01-03", "NaT"], dtype="datetime64[D]")
    assert listing_sessions(days, listed).tolist() == [-1, 0, -1]


def test_every_window_names_its_source() -> None:
    assert {w.board for w in NO_LIMIT_WINDOWS} == {Board.STAR, Board.CHINEXT, Board.MAIN, Board.BSE}
    assert all(w.source and w.sessions >= 1 for w in NO_LIMIT_WINDOWS)
