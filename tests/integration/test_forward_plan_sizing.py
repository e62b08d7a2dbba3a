"""Tradeable forward plans on a hand-made market (tests.compat.plan_builders).

The plan is made after session 4; session 5 opens every stock at its session-4 close,
so the full six-session run is an oracle: what the plan estimates is exactly what the
runtime fills. The desk's book (``--positions``/``--cash``) is checked on the same
run: the exit rule on real holdings (T+1, suspensions, stop-loss), entries sized to
the desk's cash and slots, and the reconciliation of the two books.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from dragon_compat.errors import DragonUserError
from dragon_compat.market_input import file_sha256, load_market
from dragon_compat.pipelines.daily import DailyRun, run_daily
from dragon_compat.pipelines.forward import ForwardPlan, GovernanceMode, run_forward
from dragon_compat.plan.positions import parse_cash
from tests.compat.builders import sessions
from tests.compat.plan_builders import AS_OF, NEXT, PlanFiles, write_plan_market, write_side
from tests.integration.builders import DragonCli, snapshot

CANDIDATE = "alpha_first"
DAY = [day.date().isoformat() for day in sessions(6)]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> PlanFiles:
    return write_plan_market(tmp_path_factory.mktemp("plan-market"))


@pytest.fixture(scope="module")
def plan_run(files: PlanFiles) -> DailyRun:
    """The run the plan is made from: sessions 0-4 (read-only)."""
    return run_daily(load_market(files.cut, side_table=[files.side]), files.root / "run")


@pytest.fixture(scope="module")
def oracle(files: PlanFiles) -> DailyRun:
    """The same market one session longer: what the runtime does at session 5's open."""
    return run_daily(load_market(files.bars, side_table=[files.side]), files.root / "oracle")


@pytest.fixture
def run_dir(plan_run: DailyRun, tmp_path: Path) -> Path:
    return Path(shutil.copytree(plan_run.run_dir, tmp_path / "run"))


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _opened(oracle: DailyRun) -> dict[str, dict[str, str]]:
    events = _rows(oracle.run_dir / "branches" / CANDIDATE / "events.csv")
    return {r["symbol"]: r for r in events if (r["trade_date"], r["phase"]) == (DAY[5], "OPEN")}


def _positions(tmp_path: Path, *rows: str, name: str = "positions.csv") -> Path:
    path = tmp_path / name
    path.write_text("symbol,shares,entry_date,entry_price\n" + "".join(f"{r}\n" for r in rows))
    return path


def _desk_plan(run_dir: Path, positions: Path | None, cash: str) -> ForwardPlan:
    return run_forward(run_dir, GovernanceMode.OFF, positions=positions, cash_c=parse_cash(cash))


# --- the branch's own book: the plan is what the runtime fills ------------------------------


def test_the_scenario_has_an_exit_an_affordable_and_an_unaffordable_entry(run_dir: Path):
    orders = run_forward(run_dir, GovernanceMode.OFF).plan.orders
    assert [(e.symbol, e.reason) for e in orders.exits] == [("600001.SH", "NOT_LIMIT_UP")]
    assert [(e.symbol, e.affordable) for e in orders.entries] == [
        ("920001.BJ", False),
        ("000003.SZ", True),
    ]


def test_every_order_is_sized_as_the_runtime_fills_it_when_the_open_is_the_close(
    run_dir: Path, oracle: DailyRun
):
    plan = run_forward(run_dir, GovernanceMode.OFF).plan
    opened = _opened(oracle)
    for order in plan.orders.exits:
        filled = opened[order.symbol]
        assert (filled["event_type"], filled["reason_code"]) == ("EXIT_FILLED", order.reason)
        assert (int(filled["shares"]), Decimal(filled["price"])) == (
            order.shares,
            Decimal(str(order.price_estimate)),
        )
    for order in plan.orders.entries:
        filled = opened[order.symbol]
        if order.affordable:
            assert filled["event_type"] == "ENTRY_FILLED"
            assert int(filled["shares"]) == order.shares
            assert Decimal(filled["price"]) == Decimal(str(order.price_estimate))
        else:
            assert (filled["event_type"], filled["reason_code"]) == (
                "ENTRY_CANCELLED",
                order.reason,
            )


def test_the_cash_left_after_the_open_is_the_plans_to_the_cent(run_dir: Path, oracle: DailyRun):
    plan = run_forward(run_dir, GovernanceMode.OFF).plan
    equity = _rows(oracle.run_dir / "branches" / CANDIDATE / "equity.csv")
    cash_after = Decimal(next(r["cash"] for r in equity if r["trade_date"] == DAY[5]))
    spent = sum(
        Decimal(str(e.notional)) + Decimal(str(e.fees_estimate)) for e in plan.orders.entries
    )
    assert Decimal(str(plan.book.cash_for_entries)) - spent == cash_after


def test_the_branch_book_is_its_equity_csv_at_the_close(run_dir: Path):
    book = run_forward(run_dir, GovernanceMode.OFF).plan.book
    equity = _rows(run_dir / "branches" / CANDIDATE / "equity.csv")[-1]
    assert (book.source, book.max_positions, book.held, book.selling, book.free_slots) == (
        "branch", 5, 1, 1, 5
    )  # fmt: skip
    assert (Decimal(str(book.cash)), Decimal(str(book.equity))) == (
        Decimal(equity["cash"]),
        Decimal(equity["equity"]),
    )
    assert book.slot_target == int(Decimal(equity["equity"]) * 100 // 5) / 100


def test_the_bse_lot_that_does_not_fit_says_why(run_dir: Path):
    entry = run_forward(run_dir, GovernanceMode.OFF).plan.orders.entries[0]
    assert (entry.symbol, entry.close, entry.price_estimate) == ("920001.BJ", 21_970.0, 21_980.99)
    assert (entry.limit_down, entry.limit_up) == (15_379.0, 28_561.0)  # BSE: ±30 %
    assert (
        entry.detail is not None and "one lot (100 × 21,980.99) is 2,198,099.00 CNY" in entry.detail
    )


def test_plan_numbers_are_json_numbers(run_dir: Path):
    plan = run_forward(run_dir, GovernanceMode.OFF)
    written = json.loads(plan.path.read_text(encoding="utf-8"))
    orders = written["orders"]
    for entry in orders["entries"]:
        assert type(entry["shares"]) is int and type(entry["affordable"]) is bool
        for key in ("close", "price_estimate", "notional", "fees_estimate", "limit_up"):
            assert isinstance(entry[key], int | float) and not isinstance(entry[key], bool), key
    for key in ("equity", "cash", "slot_target", "cash_for_entries"):
        assert isinstance(written["book"][key], float), key


# --- the desk's book -------------------------------------------------------------------------


DESK = (
    f"600001.SH,16500,{DAY[3]},12.11",  # the branch's position too: NOT_LIMIT_UP
    f"000004.SZ,1000,{DAY[3]},8.80",  # limit-up at the close: held
    f"600002.SH,2000,{DAY[1]},14.00",  # 12.10 <= 93 % of 14.00: STOP_LOSS
    f"600007.SH,500,{DAY[0]},7.00",  # suspended at the close: held
)


def test_the_desks_holdings_are_judged_by_the_exit_rule(run_dir: Path, tmp_path: Path):
    plan = _desk_plan(run_dir, _positions(tmp_path, *DESK), "100000").plan
    assert plan.reconciliation is not None
    judged = {h.symbol: (h.action, h.reason, h.hold_sessions) for h in plan.reconciliation.holdings}
    assert judged == {
        "000004.SZ": ("HOLD", "CONTINUES_LIMIT_UP", 2),
        "600001.SH": ("SELL", "NOT_LIMIT_UP", 2),
        "600002.SH": ("SELL", "STOP_LOSS", 4),
        "600007.SH": ("HOLD", "SUSPENDED", 4),
    }
    assert [(e.symbol, e.shares, e.reason) for e in plan.orders.exits] == [
        ("600001.SH", 16500, "NOT_LIMIT_UP"),
        ("600002.SH", 2000, "STOP_LOSS"),
    ]


def test_the_desk_book_is_its_cash_plus_its_holdings_at_their_latest_close(
    run_dir: Path, tmp_path: Path
):
    book = _desk_plan(run_dir, _positions(tmp_path, *DESK), "100000").plan.book
    holdings = 16500 * Decimal("12.50") + 1000 * Decimal("9.68") + 2000 * Decimal("12.10")
    holdings += 500 * Decimal("7.00")  # suspended: its last trading close
    assert Decimal(str(book.equity)) == Decimal(100000) + holdings
    assert (book.source, book.cash, book.held, book.selling, book.free_slots) == (
        "desk", 100000.0, 4, 2, 3
    )  # fmt: skip


def test_desk_entries_are_sized_to_the_desks_cash_and_slots(run_dir: Path, tmp_path: Path):
    plan = _desk_plan(run_dir, _positions(tmp_path, *DESK), "100000").plan
    book, (bse, autos) = plan.book, plan.orders.entries
    assert bse.reason == "INSUFFICIENT_CASH"
    target = min(book.cash_for_entries, book.slot_target)
    assert autos.affordable and autos.notional <= target
    assert autos.shares == int(target * 100 // (100 * 968)) * 100


def test_a_desk_with_little_cash_gets_what_one_lot_costs(run_dir: Path):
    (bse, autos) = _desk_plan(run_dir, None, "5,000").plan.orders.entries
    assert (autos.shares, autos.notional, autos.fees_estimate) == (100, 968.0, 5.01)
    assert bse.detail is not None and "more than the entry's target 1,000.00 CNY" in bse.detail


def test_an_entry_the_desk_holds_is_not_bought_again(run_dir: Path, tmp_path: Path):
    positions = _positions(tmp_path, f"000003.SZ,300,{DAY[3]},8.80")
    entries = _desk_plan(run_dir, positions, "100000").plan.orders.entries
    assert [(e.symbol, e.reason) for e in entries] == [
        ("920001.BJ", "INSUFFICIENT_CASH"),
        ("000003.SZ", "ALREADY_HELD"),
    ]


def test_a_holding_bought_at_the_runs_session_can_be_sold_the_next_t_plus_1(
    run_dir: Path, tmp_path: Path
):
    positions = _positions(tmp_path, f"600002.SH,1000,{AS_OF.isoformat()},12.10")
    plan = _desk_plan(run_dir, positions, "0").plan
    assert plan.reconciliation is not None
    (holding,) = plan.reconciliation.holdings
    assert (holding.hold_sessions, holding.action, holding.reason) == (1, "SELL", "NOT_LIMIT_UP")
    assert plan.next_session == NEXT
    assert [e.symbol for e in plan.orders.exits] == ["600002.SH"]


def test_reconciliation_lists_what_each_book_holds_that_the_other_does_not(
    run_dir: Path, tmp_path: Path
):
    positions = _positions(tmp_path, DESK[1], DESK[3])  # not the branch's 600001.SH
    plan = _desk_plan(run_dir, positions, "100000").plan
    rec = plan.reconciliation
    assert rec is not None
    assert rec.desk_only == ("000004.SZ", "600007.SH")
    assert [(h.symbol, h.shares) for h in rec.branch_only] == [("600001.SH", 16500)]
    assert rec.in_both == ()
    assert plan.orders.exits == ()  # the branch's exit of a position the desk never bought


def test_a_position_in_both_books_shows_both_share_counts(run_dir: Path, tmp_path: Path):
    positions = _positions(tmp_path, f"600001.SH,2000,{DAY[3]},12.11")
    rec = _desk_plan(run_dir, positions, "0").plan.reconciliation
    assert rec is not None
    assert [(h.symbol, h.desk_shares, h.branch_shares) for h in rec.in_both] == [
        ("600001.SH", 2000, 16500)
    ]


def test_cash_alone_is_a_desk_that_holds_nothing(run_dir: Path):
    plan = _desk_plan(run_dir, None, "1000000").plan
    assert plan.reconciliation is not None and plan.reconciliation.holdings == ()
    assert (plan.book.held, plan.book.equity, plan.orders.exits) == (0, 1_000_000.0, ())


def test_a_json_positions_file_plans_like_the_csv(run_dir: Path, tmp_path: Path):
    as_csv = _desk_plan(run_dir, _positions(tmp_path, *DESK), "100000").plan
    rows = [
        {"symbol": s, "shares": int(n), "entry_date": d, "entry_price": float(p)}
        for s, n, d, p in (row.split(",") for row in DESK)
    ]
    as_json = tmp_path / "positions.json"
    as_json.write_text(json.dumps(rows), encoding="utf-8")
    plan = _desk_plan(run_dir, as_json, "100000").plan
    assert (plan.book, plan.orders, plan.reconciliation) == (
        as_csv.book,
        as_csv.orders,
        as_csv.reconciliation,
    )


def test_the_plan_records_the_inputs_it_read_with_their_sha256(
    run_dir: Path, files: PlanFiles, tmp_path: Path
):
    positions = _positions(tmp_path, *DESK)
    inputs = _desk_plan(run_dir, positions, "100000").document["inputs"]
    assert inputs == [
        {"path": str(files.cut), "role": "bars", "sha256": file_sha256(files.cut)},
        {"path": str(files.side), "role": "side_table", "sha256": file_sha256(files.side)},
        {"path": str(positions), "role": "positions", "sha256": file_sha256(positions)},
    ]


# --- refusals ------------------------------------------------------------------------------


def test_positions_without_cash_is_refused(run_dir: Path, tmp_path: Path):
    with pytest.raises(DragonUserError, match="--positions needs --cash"):
        run_forward(run_dir, GovernanceMode.OFF, positions=_positions(tmp_path, *DESK))
    assert not (run_dir / "forward_plan.json").exists()


def test_a_holding_bought_after_the_runs_session_is_refused(run_dir: Path, tmp_path: Path):
    positions = _positions(tmp_path, DESK[0], f"000004.SZ,100,{NEXT.isoformat()},9.00")
    with pytest.raises(DragonUserError) as caught:
        _desk_plan(run_dir, positions, "0")
    assert str(caught.value).startswith(
        f"{positions}: row 2 (line 3): field entry_date: {NEXT.isoformat()} is after the run's "
        f"session {AS_OF.isoformat()}"
    )
    assert not (run_dir / "forward_plan.json").exists()


def test_a_holding_the_data_does_not_know_is_refused(run_dir: Path, tmp_path: Path):
    positions = _positions(tmp_path, f"601318.SH,100,{DAY[0]},50.00")
    with pytest.raises(DragonUserError, match=r"row 1 \(line 2\): field symbol: 601318\.SH has no"):
        _desk_plan(run_dir, positions, "0")


def test_a_side_table_changed_after_the_run_is_never_priced(
    run_dir: Path, files: PlanFiles, tmp_path: Path
):
    side = tmp_path / "st.csv"
    shutil.copy(files.side, side)
    run_daily(load_market(files.cut, side_table=[side]), run_dir, force=True)
    write_side(side, st=True)
    with pytest.raises(DragonUserError, match=rf"{side}: the run's side table changed"):
        run_forward(run_dir, GovernanceMode.OFF)
    assert not (run_dir / "forward_plan.json").exists()


def test_a_rerun_with_an_all_st_side_table_is_refused_naming_it(files: PlanFiles, tmp_path: Path):
    side = tmp_path / "st.csv"
    shutil.copy(files.side, side)
    run_dir = tmp_path / "run"
    first = run_daily(load_market(files.cut, side_table=[side]), run_dir)
    before = snapshot(run_dir)
    write_side(side, st=True)
    all_st = load_market(files.cut, side_table=[side])
    with pytest.raises(DragonUserError) as caught:
        run_daily(all_st, run_dir)
    assert f"side table {str(side)!r} changed (sha256" in str(caught.value)
    assert snapshot(run_dir) == before
    forced = run_daily(all_st, run_dir, force=True)

    def fills(run: DailyRun) -> int:
        return sum(
            int((r.events["event_type"] == "ENTRY_FILLED").sum()) for r in run.results.values()
        )

    assert fills(first) > 0
    assert fills(forced) == 0  # every candidate is ST now: S3_NOT_ST vetoes it


# --- the CLI ---------------------------------------------------------------------------------


def _tsv_tables(stdout: str) -> list[list[list[str]]]:
    """``--format tsv`` output: tables separated by a blank line, rows of cells."""
    return [
        [line.split("\t") for line in block.splitlines()]
        for block in stdout.rstrip("\n").split("\n\n")
    ]


def test_dragon_forward_prints_shares_for_sells_and_buys(run_dir: Path, dragon_cli: DragonCli):
    done = dragon_cli("forward", run_dir, "--governance", "off", "--format", "tsv")
    assert done.returncode == 0, done.stderr
    ((header, *rows),) = _tsv_tables(done.stdout)
    assert header == ["side", "symbol", "shares", "price", "notional", "limits", "rank", "reason"]
    assert [row[:3] + row[-1:] for row in rows] == [
        ["SELL", "600001.SH", "16,500", "NOT_LIMIT_UP"],
        ["BUY ✗", "920001.BJ", "0", "INSUFFICIENT_CASH"],
        ["BUY", "000003.SZ", "20,700", "SELECTED"],
    ]
    assert "920001.BJ: INSUFFICIENT_CASH — one lot (100 × 21,980.99)" in done.stderr
    text = dragon_cli("forward", run_dir, "--governance", "off")
    assert "920001.BJ: INSUFFICIENT_CASH — one lot (100 × 21,980.99)" in text.stdout


def test_dragon_forward_with_the_desks_book_prints_the_reconciliation(
    run_dir: Path, dragon_cli: DragonCli, tmp_path: Path
):
    positions = _positions(tmp_path, *DESK)
    done = dragon_cli(
        "forward", run_dir, "--governance", "off", "--positions", positions, "--cash", "100000",
        "--format", "tsv",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    _, (header, *rows) = _tsv_tables(done.stdout)
    assert header == ["symbol", "desk shares", "branch shares", "desk action", "held by"]
    assert rows == [
        ["000004.SZ", "1,000", "—", "HOLD CONTINUES_LIMIT_UP", "desk"],
        ["600001.SH", "16,500", "16,500", "SELL NOT_LIMIT_UP", "both"],
        ["600002.SH", "2,000", "—", "SELL STOP_LOSS", "desk"],
        ["600007.SH", "500", "—", "HOLD SUSPENDED", "desk"],
    ]


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (f"600001.SH,16500,{DAY[3]},12.115", "entry_price"),
        (f"600001.SH,ten,{DAY[3]},12.11", "shares"),
        (f"600001.XSHG,100,{DAY[3]},12.11", "symbol"),
    ],
)
def test_dragon_forward_on_a_bad_positions_file_exits_2_naming_file_row_and_field(
    run_dir: Path, dragon_cli: DragonCli, tmp_path: Path, row: str, field: str
):
    positions = _positions(tmp_path, DESK[1], row)
    done = dragon_cli(
        "forward", run_dir, "--governance", "off", "--positions", positions, "--cash", "1"
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"{positions}: row 2 (line 3): field {field}:" in " ".join(done.stderr.split())
    assert not (run_dir / "forward_plan.json").exists()


def test_dragon_forward_refuses_a_bad_cash_amount(run_dir: Path, dragon_cli: DragonCli):
    done = dragon_cli("forward", run_dir, "--cash", "12.345")
    assert done.returncode == 2
    assert "--cash '12.345'" in done.stderr
