"""The plain reference loop: RC1 written straight from its rules (docs/strategy.md).

This is the extraction-parity oracle (the compat README's "Golden guardrails"): one function,
``reference_run(bars, branch)``, read top to bottom like the spec, sharing no code
with ``dragon_runtime`` (no import of it at all) and importing from
``dragon_compat`` only ``features.compute_features`` (feature computation is shared
on purpose). Everything else — daily limit prices, predicates, branch ordering,
outcome precedence, fills, fees, sizing, T+1, slots, sticky exits, the output
tables and their canonical bytes — is re-implemented here with ``Decimal`` for the
limit math and plain Python ints (prices and money in cents) for the rest. Clarity
over speed: row loops are deliberate.

Choices where docs/strategy.md and the runtime README's loop contract leave room
(each is a decision the runtime must share byte for byte):

C1  Free slots at a close = 5 − positions held after the open + EXIT_SIGNAL events
    at this close, counting the repeated EXIT_SIGNAL of a sticky (blocked/deferred)
    exit too; a suspended position's HOLD_POSITION SUSPENDED does not free a slot.
C2  Candidates are computed here, not read from ``is_candidate``: a trading row
    (volume > 0) with ``is_limit_up`` true and ``board_height`` ≥ 2.
C3  "Carried over" for a suspended symbol means its latest *trading* row (volume > 0):
    CLOSE-phase events of a suspended holding take that row's board_height (alpha
    empty, price empty) and equity marks the holding at that row's close — a
    volume == 0 row's own close/board_height are not used.
C4  ``alpha_score`` is printed like a ratio, ``f"{x:.6f}"``; NaN prints empty.
    In the alpha branches a NaN alpha_score sorts after every number (then the
    rc1 tie-break: board_height desc, amount desc, symbol asc).
C5  Predicates compare the frame's floats literally as the table reads:
    ``amount >= 1e8``, ``3 <= turnover_rate <= 35``, ``broken_rate <= 0.35``,
    ``turnover_rate <= 2.5 * turnover_ma5``; any input None/NaN/NA → U; a test that
    raises → U.
C6  A sticky exit is not re-evaluated: its reason stays the first one, the
    position's hold_sessions keeps growing on trading closes, and each repeated
    EXIT_SIGNAL becomes "the latest EXIT_SIGNAL" whose board_height/alpha_score
    the next OPEN exit event copies.
C7  ``trades.hold_sessions`` counts the symbol's trading sessions (rows with
    volume > 0) from entry_date to exit_date inclusive, so an exit at the open
    after the entry session gives 2.
C8  ORDER_EXPIRED of a pending exit: price = that last session's close (empty if
    suspended), shares = the position's shares, board_height/alpha_score of that
    session (suspended: carried board_height, empty alpha), rank empty. Of a
    pending entry: price = close, shares empty, board_height/alpha_score/rank of its
    ENTER_SIGNAL (same session).
C9  OPEN-phase EXIT_DEFERRED/EXIT_BLOCKED/EXIT_FILLED carry the position's shares
    (fills: filled shares = all of them), rank empty; ENTRY_* carry shares only when
    filled.
C10 ``summary.total_return = round(final_equity_c / capital_c - 1, 6)``,
    ``win_rate = round(wins / trades, 6)`` (0.0 without trades),
    ``max_drawdown = round(max(drawdowns), 6)`` (0.0 without sessions);
    ``event_counts`` counts OPEN and CLOSE events alike.
C11 Rows without a limit (``has_limit`` false: IPO day) are never sealed and fills
    on them are not clamped; such a row is never limit-up, so it is never a
    candidate and never continues a position's board.
C12 CSV fields are written unquoted, joined by ``,`` (no field can hold a comma:
    codes, ISO dates, symbols, numbers, the ``;``-joined predicates string).
C13 Reason families for non-predicate codes are the literal ``REASON_FAMILY``
    catalogue below; predicate codes take their predicate-table family and tier.
C14 Limit prices are computed here from the market rules (board %, ``Decimal(str(pre_close))``
    × (1 ± pct) rounded ROUND_HALF_UP to 0.01; published ``up_limit``/``down_limit``
    win where not NaN; none on a symbol's first row when ``list_date`` equals it).
    ChiNext 20 % applies from 2020-08-24 inclusive.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from dragon_compat.features import compute_features

CAPITAL_C = 100_000_000  # 1,000,000.00 CNY in cents
MAX_POSITIONS = 5
LOT = 100
TOP_K = 3
SCHEMA_VERSION = "1"

# The predicate table, in order: id, family, tier.
PREDICATES = [
    ("S1_HEIGHT_CAP", "structure", "strong"),
    ("S2_NOT_ONE_WORD", "structure", "strong"),
    ("S3_NOT_ST", "structure", "strong"),
    ("S4_SEASONED", "structure", "strong"),
    ("L1_SECTOR_LEADER", "leadership", "strong"),
    ("L2_SECTOR_HEAT", "leadership", "strong"),
    ("Q1_MIN_AMOUNT", "liquidity", "strong"),
    ("Q2_TURNOVER_BAND", "liquidity", "strong"),
    ("W1_BROKEN_RATE", "sentiment", "weak"),
    ("W2_LIMIT_DOWNS", "sentiment", "weak"),
    ("W3_HEIGHT_SPACE", "sentiment", "weak"),
    ("V1_TURNOVER_SPIKE", "volume_divergence", "weak"),
]

# The branch table: selection ("rc1" or "alpha") and selective_vetoes per branch.
BRANCHES = {
    "rc1_baseline": ("rc1", ()),
    "alpha_first": ("alpha", ()),
    "alpha_first_selective_veto": ("alpha", ("W1_BROKEN_RATE", "W2_LIMIT_DOWNS")),
    "strict_veto": (
        "rc1",
        ("W1_BROKEN_RATE", "W2_LIMIT_DOWNS", "W3_HEIGHT_SPACE", "V1_TURNOVER_SPIKE"),
    ),
}

# Reason catalogue for the codes that are not predicates (C13).
REASON_FAMILY = {
    "SELECTED": "selection",
    "ALPHA_RANK_CUTOFF": "selection",
    "ALREADY_HELD": "portfolio",
    "NO_FREE_SLOT": "portfolio",
    "INSUFFICIENT_CASH": "portfolio",
    "DATA_MISSING": "data",
    "SUSPENDED": "market",
    "LIMIT_UP_SEALED": "market",
    "LIMIT_DOWN_SEALED": "market",
    "FILLED": "execution",
    "STOP_LOSS": "risk",
    "BOARD_BROKEN": "exit_rule",
    "NOT_LIMIT_UP": "exit_rule",
    "MAX_HOLD": "exit_rule",
    "CONTINUES_LIMIT_UP": "exit_rule",
    "END_OF_DATA": "lifecycle",
}

EVENT_LAYER = {
    "ENTER_SIGNAL": "signal",
    "VETO": "signal",
    "SKIP": "signal",
    "ENTRY_FILLED": "execution",
    "ENTRY_BLOCKED": "execution",
    "ENTRY_CANCELLED": "execution",
    "EXIT_FILLED": "execution",
    "EXIT_BLOCKED": "execution",
    "EXIT_DEFERRED": "execution",
    "EXIT_SIGNAL": "position",
    "HOLD_POSITION": "position",
    "ORDER_EXPIRED": "lifecycle",
}

EVENT_COLUMNS = [
    "branch", "trade_date", "phase", "seq", "symbol", "event_type", "reason_code",
    "reason_layer", "reason_family", "reason_tier", "price", "shares", "board_height",
    "alpha_score", "rank", "predicates",
]  # fmt: skip
TRADE_COLUMNS = [
    "branch", "trade_id", "symbol", "entry_date", "entry_price", "exit_date", "exit_price",
    "shares", "fees", "net_pnl", "return_pct", "hold_sessions", "exit_reason",
]  # fmt: skip
EQUITY_COLUMNS = ["branch", "trade_date", "cash", "market_value", "equity", "positions", "drawdown"]


def reference_run(bars: pd.DataFrame, branch: str) -> dict[str, bytes]:  # noqa: PLR0912 (one plain function by design)
    """Run one RC1 branch over a normalized bars frame, the plain way.

    ``bars``: normalized frame sorted by (trade_date, symbol), whole-cent float
    prices (see tests/compat/market_strategies.py for the columns). ``branch``: one
    of the four RC1 branches (``ValueError`` otherwise). Returns the canonical bytes
    of ``events.csv``, ``trades.csv``, ``equity.csv`` and ``summary.json`` (runtime
    README, "Outputs").
    """
    if branch not in BRANCHES:
        raise ValueError(f"unknown branch {branch!r}; expected one of {sorted(BRANCHES)}")
    selection, selective_vetoes = BRANCHES[branch]

    # ---- inputs: one dict per trading-or-suspended row, indexed by session ----
    features = compute_features(bars)
    if len(features) != len(bars):
        raise ValueError("compute_features must return one row per bars row")

    def cents(x: float) -> int:
        return round(float(x) * 100)

    def missing(x: Any) -> bool:
        return x is None or bool(pd.isna(x))

    dates = [pd.Timestamp(d).date() for d in bars["trade_date"]]
    symbols = [str(s) for s in bars["symbol"]]
    columns = {
        name: bars[name].tolist()
        for name in ("open", "high", "low", "close", "volume", "amount", "turnover_rate", "is_st")
    }
    feature_names = [
        "is_limit_up", "is_broken", "is_one_word", "board_height", "sector_limit_ups",
        "is_sector_leader", "market_limit_downs", "broken_rate", "max_height",
        "turnover_ma5", "days_listed", "alpha_score",
    ]  # fmt: skip
    feature_columns = {name: features[name].tolist() for name in feature_names}

    def limit_pct(symbol: str, is_st: bool, day: dt.date) -> int:
        """Daily limit in percent by board (docs/strategy.md, "Market rules")."""
        code, exchange = symbol.split(".")
        if exchange == "BJ":
            return 30
        if exchange == "SH" and code[:3] in ("688", "689"):
            return 20
        if exchange == "SZ" and code[:3] in ("300", "301") and day >= dt.date(2020, 8, 24):
            return 20
        return 5 if is_st else 10

    def limit_price_c(pre_close: float, pct: int, side: str) -> int:
        factor = 1 + Decimal(pct) / 100 if side == "up" else 1 - Decimal(pct) / 100
        price = (Decimal(str(pre_close)) * factor).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return int(price * 100)

    published = {
        name: bars[name].tolist() if name in bars.columns else [None] * len(bars)
        for name in ("up_limit", "down_limit")
    }
    list_dates = bars["list_date"].tolist() if "list_date" in bars.columns else [None] * len(bars)
    pre_closes = bars["pre_close"].tolist()

    sessions = sorted(set(dates))
    session_index = {d: i for i, d in enumerate(sessions)}
    rows: list[dict[str, dict[str, Any]]] = [{} for _ in sessions]  # session -> symbol -> row
    first_seen: set[str] = set()
    for i in range(len(bars)):
        row = {"symbol": symbols[i], "date": dates[i]}
        for name, values in columns.items():
            row[name] = values[i]
        for name, values in feature_columns.items():
            row[name] = values[i]
        row["open_c"] = cents(row["open"])
        row["high_c"] = cents(row["high"])
        row["low_c"] = cents(row["low"])
        row["close_c"] = cents(row["close"])
        row["trading"] = row["volume"] > 0
        # Limits: exchange-published win; none on the IPO day (first row, list_date == day).
        ipo_day = symbols[i] not in first_seen and not missing(list_dates[i])
        ipo_day = ipo_day and pd.Timestamp(list_dates[i]).date() == dates[i]
        first_seen.add(symbols[i])
        row["has_limit"] = not ipo_day
        pct = limit_pct(symbols[i], bool(row["is_st"]), dates[i])
        for side, name in (("up", "up_limit"), ("down", "down_limit")):
            if ipo_day:
                row[f"{name}_c"] = None
            elif not missing(published[name][i]):
                row[f"{name}_c"] = cents(published[name][i])
            else:
                row[f"{name}_c"] = limit_price_c(pre_closes[i], pct, side)
        rows[session_index[dates[i]]][symbols[i]] = row

    def trading_row(t: int, symbol: str) -> dict[str, Any] | None:
        """The symbol's row on session t, or None when suspended (no row / volume 0)."""
        row = rows[t].get(symbol)
        return row if row is not None and row["trading"] else None

    # ---- market rules, in cents (market rules, loop contract) ----
    def buy_fill(row: dict[str, Any]) -> int:
        base = row["open_c"]
        if (
            row["has_limit"]
            and row["open_c"] >= row["up_limit_c"]
            and row["low_c"] < row["up_limit_c"]
        ):
            base = row["up_limit_c"]
        fill = (base * 10005 + 5000) // 10000
        if row["has_limit"]:
            fill = min(fill, row["up_limit_c"])
        return fill

    def sell_fill(row: dict[str, Any]) -> int:
        base = row["open_c"]
        if row["has_limit"] and row["open_c"] < row["down_limit_c"]:
            base = row["down_limit_c"]
        fill = (base * 9995 + 5000) // 10000
        if row["has_limit"]:
            fill = max(fill, row["down_limit_c"])
        return fill

    def fees(value_c: int, side: str, day: dt.date) -> int:
        """One side's fees in cents; components in units of 1e-5 cent."""
        commission = max(25 * value_c, 500 * 100_000)
        transfer = 1 * value_c
        stamp = 0
        if side == "sell":
            stamp = (100 if day < dt.date(2023, 8, 28) else 50) * value_c
        return (commission + transfer + stamp + 50_000) // 100_000

    # ---- predicates ----
    def evaluate(row: dict[str, Any]) -> dict[str, str]:
        def outcome(inputs: list[Any], test: Any) -> str:
            if any(missing(x) for x in inputs):
                return "U"
            try:
                return "P" if test(*inputs) else "F"
            except Exception:
                return "U"

        return {
            "S1_HEIGHT_CAP": outcome([row["board_height"]], lambda h: h <= 5),
            "S2_NOT_ONE_WORD": outcome([row["is_one_word"]], lambda w: not w),
            "S3_NOT_ST": outcome([row["is_st"]], lambda st: not st),
            "S4_SEASONED": outcome([row["days_listed"]], lambda d: d >= 60),
            "L1_SECTOR_LEADER": outcome([row["is_sector_leader"]], bool),
            "L2_SECTOR_HEAT": outcome([row["sector_limit_ups"]], lambda n: n >= 2),
            "Q1_MIN_AMOUNT": outcome([row["amount"]], lambda a: a >= 1e8),
            "Q2_TURNOVER_BAND": outcome([row["turnover_rate"]], lambda t: 3 <= t <= 35),
            "W1_BROKEN_RATE": outcome([row["broken_rate"]], lambda r: r <= 0.35),
            "W2_LIMIT_DOWNS": outcome([row["market_limit_downs"]], lambda n: n <= 15),
            "W3_HEIGHT_SPACE": outcome([row["max_height"]], lambda h: h >= 3),
            "V1_TURNOVER_SPIKE": outcome(
                [row["turnover_rate"], row["turnover_ma5"]], lambda t, ma: t <= 2.5 * ma
            ),
        }

    predicate_family = {pid: family for pid, family, _ in PREDICATES}
    predicate_tier = {pid: tier for pid, _, tier in PREDICATES}

    # ---- the session loop ----
    cash = CAPITAL_C
    prior_equity = CAPITAL_C
    peak = None
    positions: dict[str, dict[str, Any]] = {}  # symbol -> open position
    pending_entries: list[dict[str, Any]] = []  # ENTER_SIGNALs of the previous close
    last_trading: dict[str, dict[str, Any]] = {}  # symbol -> latest row with volume > 0
    events: list[dict[str, Any]] = []
    trades: list[dict[str, Any]] = []
    equity_rows: list[dict[str, Any]] = []
    drawdowns: list[float] = []
    trade_count = 0

    day = sessions[0] if sessions else None
    seq = {"OPEN": 0, "CLOSE": 0}  # seq restarts per (trade_date, phase)

    def emit(phase: str, symbol: str, event_type: str, reason: str, **fields: Any) -> None:
        seq[phase] += 1
        events.append(
            {
                "trade_date": day,
                "phase": phase,
                "seq": seq[phase],
                "symbol": symbol,
                "event_type": event_type,
                "reason_code": reason,
                "reason_layer": EVENT_LAYER[event_type],
                "reason_family": predicate_family.get(reason) or REASON_FAMILY[reason],
                "reason_tier": predicate_tier.get(reason, "none"),
                "price": fields.get("price"),
                "shares": fields.get("shares"),
                "board_height": fields.get("board_height"),
                "alpha_score": fields.get("alpha_score"),
                "rank": fields.get("rank"),
                "predicates": fields.get("predicates"),
            }
        )

    def alpha_of(row: dict[str, Any]) -> float | None:
        return None if missing(row["alpha_score"]) else float(row["alpha_score"])

    for t, day in enumerate(sessions):  # emit() reads `day`
        seq["OPEN"] = seq["CLOSE"] = 0

        # OPEN 1: pending exits, by symbol.
        for symbol in sorted(s for s, p in positions.items() if p["exit_reason"] is not None):
            p = positions[symbol]
            copied = {"board_height": p["exit_board_height"], "alpha_score": p["exit_alpha"]}
            row = trading_row(t, symbol)
            if row is None:
                emit("OPEN", symbol, "EXIT_DEFERRED", "SUSPENDED", shares=p["shares"], **copied)
                continue
            if row["has_limit"] and row["high_c"] <= row["down_limit_c"]:
                emit(
                    "OPEN", symbol, "EXIT_BLOCKED", "LIMIT_DOWN_SEALED",
                    price=row["open_c"], shares=p["shares"], **copied,
                )  # fmt: skip
                continue
            # T+1: the exit was signalled at a close on or after the entry session,
            # so this open is at least one session after the buy.
            assert day > p["entry_date"]
            fill = sell_fill(row)
            value = fill * p["shares"]
            exit_fees = fees(value, "sell", day)
            cash += value - exit_fees
            emit(
                "OPEN", symbol, "EXIT_FILLED", p["exit_reason"],
                price=fill, shares=p["shares"], **copied,
            )  # fmt: skip
            entry_cost = p["entry_value"] + p["entry_fees"]
            net_pnl = value - exit_fees - entry_cost
            held_sessions = sum(
                1
                for k in range(session_index[p["entry_date"]], t + 1)
                if trading_row(k, symbol) is not None
            )
            trades.append(
                {
                    "trade_id": p["trade_id"],
                    "symbol": symbol,
                    "entry_date": p["entry_date"],
                    "entry_price": p["entry_price"],
                    "exit_date": day,
                    "exit_price": fill,
                    "shares": p["shares"],
                    "fees": p["entry_fees"] + exit_fees,
                    "net_pnl": net_pnl,
                    "return_pct": net_pnl / entry_cost,
                    "hold_sessions": held_sessions,
                    "exit_reason": p["exit_reason"],
                }
            )
            del positions[symbol]

        # OPEN 2: pending entries, in rank order.
        for order in sorted(pending_entries, key=lambda o: o["rank"]):
            symbol = order["symbol"]
            copied = {
                "board_height": order["board_height"],
                "alpha_score": order["alpha_score"],
                "rank": order["rank"],
            }
            row = trading_row(t, symbol)
            if row is None:
                emit("OPEN", symbol, "ENTRY_CANCELLED", "SUSPENDED", **copied)
                continue
            if row["has_limit"] and row["low_c"] >= row["up_limit_c"]:
                emit(
                    "OPEN", symbol, "ENTRY_BLOCKED", "LIMIT_UP_SEALED",
                    price=row["open_c"], **copied,
                )  # fmt: skip
                continue
            if len(positions) >= MAX_POSITIONS:
                emit(
                    "OPEN", symbol, "ENTRY_CANCELLED", "NO_FREE_SLOT",
                    price=row["open_c"], **copied,
                )  # fmt: skip
                continue
            fill = buy_fill(row)
            target = min(cash, prior_equity // 5)
            lots = target // (fill * LOT)
            while lots > 0 and fill * lots * LOT + fees(fill * lots * LOT, "buy", day) > cash:
                lots -= 1
            if lots == 0:
                emit(
                    "OPEN", symbol, "ENTRY_CANCELLED", "INSUFFICIENT_CASH",
                    price=row["open_c"], **copied,
                )  # fmt: skip
                continue
            shares = lots * LOT
            value = fill * shares
            entry_fees = fees(value, "buy", day)
            cash -= value + entry_fees
            trade_count += 1
            positions[symbol] = {
                "trade_id": f"{branch}-{trade_count:05d}",
                "shares": shares,
                "entry_date": day,
                "entry_price": fill,
                "entry_value": value,
                "entry_fees": entry_fees,
                "hold_sessions": 0,
                "last_close": row["close_c"],
                "exit_reason": None,
                "exit_board_height": None,
                "exit_alpha": None,
            }
            emit("OPEN", symbol, "ENTRY_FILLED", "FILLED", price=fill, shares=shares, **copied)
        pending_entries = []

        # CLOSE: today's trading rows become the "last" values of their symbols.
        for symbol, row in rows[t].items():
            if row["trading"]:
                last_trading[symbol] = row

        # CLOSE 3: every held position, by symbol.
        exits_signalled = 0
        for symbol in sorted(positions):
            p = positions[symbol]
            row = trading_row(t, symbol)
            if row is None:
                emit(
                    "CLOSE", symbol, "HOLD_POSITION", "SUSPENDED",
                    shares=p["shares"], board_height=last_trading[symbol]["board_height"],
                )  # fmt: skip
                continue
            p["hold_sessions"] += 1
            p["last_close"] = row["close_c"]
            if p["exit_reason"] is None:
                if row["close_c"] * 100 <= 93 * p["entry_price"]:
                    p["exit_reason"] = "STOP_LOSS"
                elif row["is_broken"]:
                    p["exit_reason"] = "BOARD_BROKEN"
                elif not row["is_limit_up"]:
                    p["exit_reason"] = "NOT_LIMIT_UP"
                elif p["hold_sessions"] >= 5:
                    p["exit_reason"] = "MAX_HOLD"
            fields = {
                "price": row["close_c"],
                "shares": p["shares"],
                "board_height": row["board_height"],
                "alpha_score": alpha_of(row),
            }
            if p["exit_reason"] is None:
                emit("CLOSE", symbol, "HOLD_POSITION", "CONTINUES_LIMIT_UP", **fields)
            else:
                p["exit_board_height"] = row["board_height"]
                p["exit_alpha"] = alpha_of(row)
                exits_signalled += 1
                emit("CLOSE", symbol, "EXIT_SIGNAL", p["exit_reason"], **fields)

        # CLOSE 4: every candidate, in the branch ordering.
        candidates = [
            row
            for row in rows[t].values()
            if row["trading"] and row["is_limit_up"] and row["board_height"] >= 2
        ]
        if selection == "rc1":
            candidates.sort(key=lambda r: (-r["board_height"], -r["amount"], r["symbol"]))
        else:
            candidates.sort(
                key=lambda r: (
                    alpha_of(r) is None,
                    -(alpha_of(r) or 0.0),
                    -r["board_height"],
                    -r["amount"],
                    r["symbol"],
                )
            )
        free_slots = MAX_POSITIONS - len(positions) + exits_signalled
        eligible_seen = 0
        for rank, row in enumerate(candidates, start=1):
            symbol = row["symbol"]
            outcomes = evaluate(row)
            fields = {
                "price": row["close_c"],
                "board_height": row["board_height"],
                "alpha_score": alpha_of(row),
                "rank": rank,
                "predicates": ";".join(f"{pid}={outcomes[pid]}" for pid, _, _ in PREDICATES),
            }
            strong_fail = [
                p for p, _, tier in PREDICATES if tier == "strong" and outcomes[p] == "F"
            ]
            weak_veto = [
                p for p, _, _ in PREDICATES if p in selective_vetoes and outcomes[p] == "F"
            ]
            strong_unavailable = [
                p for p, _, tier in PREDICATES if tier == "strong" and outcomes[p] == "U"
            ]
            if strong_fail:
                emit("CLOSE", symbol, "VETO", strong_fail[0], **fields)
            elif weak_veto:
                emit("CLOSE", symbol, "VETO", weak_veto[0], **fields)
            elif strong_unavailable:
                emit("CLOSE", symbol, "SKIP", "DATA_MISSING", **fields)
            elif symbol in positions:
                emit("CLOSE", symbol, "SKIP", "ALREADY_HELD", **fields)
            else:
                eligible_seen += 1
                if selection == "alpha" and eligible_seen > TOP_K:
                    emit("CLOSE", symbol, "SKIP", "ALPHA_RANK_CUTOFF", **fields)
                elif free_slots <= 0:
                    emit("CLOSE", symbol, "SKIP", "NO_FREE_SLOT", **fields)
                else:
                    free_slots -= 1
                    emit("CLOSE", symbol, "ENTER_SIGNAL", "SELECTED", **fields)
                    pending_entries.append(
                        {
                            "symbol": symbol,
                            "rank": rank,
                            "board_height": row["board_height"],
                            "alpha_score": alpha_of(row),
                        }
                    )

        # CLOSE 5: the last session expires every pending order.
        if t == len(sessions) - 1:
            for symbol in sorted(s for s, p in positions.items() if p["exit_reason"] is not None):
                p = positions[symbol]
                row = trading_row(t, symbol)
                emit(
                    "CLOSE", symbol, "ORDER_EXPIRED", "END_OF_DATA",
                    price=None if row is None else row["close_c"],
                    shares=p["shares"],
                    board_height=(row or last_trading[symbol])["board_height"],
                    alpha_score=None if row is None else alpha_of(row),
                )  # fmt: skip
            for order in pending_entries:
                emit(
                    "CLOSE", order["symbol"], "ORDER_EXPIRED", "END_OF_DATA",
                    price=rows[t][order["symbol"]]["close_c"],
                    board_height=order["board_height"],
                    alpha_score=order["alpha_score"],
                    rank=order["rank"],
                )  # fmt: skip

        # Equity marked at the close (suspended holdings at their last close).
        market_value = sum(p["shares"] * p["last_close"] for p in positions.values())
        equity = cash + market_value
        peak = equity if peak is None else max(peak, equity)
        drawdown = (peak - equity) / peak
        drawdowns.append(drawdown)
        equity_rows.append(
            {
                "trade_date": day,
                "cash": cash,
                "market_value": market_value,
                "equity": equity,
                "positions": len(positions),
                "drawdown": drawdown,
            }
        )
        prior_equity = equity

    # ---- canonical output ----
    def money(c: int | None) -> str:
        if c is None:
            return ""
        sign = "-" if c < 0 else ""
        return f"{sign}{abs(c) // 100}.{abs(c) % 100:02d}"

    def ratio(x: float | None) -> str:
        return "" if x is None else f"{x:.6f}"

    def integer(n: Any) -> str:
        return "" if n is None else str(int(n))

    def text(s: str | None) -> str:
        return "" if s is None else s

    def csv_bytes(header: list[str], lines: list[list[str]]) -> bytes:
        out = [",".join(header)] + [",".join(line) for line in lines]
        return ("\n".join(out) + "\n").encode("utf-8")

    events.sort(key=lambda e: (e["trade_date"], 0 if e["phase"] == "OPEN" else 1, e["seq"]))
    events_csv = csv_bytes(
        EVENT_COLUMNS,
        [
            [
                branch,
                e["trade_date"].isoformat(),
                e["phase"],
                integer(e["seq"]),
                e["symbol"],
                e["event_type"],
                e["reason_code"],
                e["reason_layer"],
                e["reason_family"],
                e["reason_tier"],
                money(e["price"]),
                integer(e["shares"]),
                integer(e["board_height"]),
                ratio(e["alpha_score"]),
                integer(e["rank"]),
                text(e["predicates"]),
            ]
            for e in events
        ],
    )
    trades.sort(key=lambda r: (r["entry_date"], r["trade_id"]))
    trades_csv = csv_bytes(
        TRADE_COLUMNS,
        [
            [
                branch,
                r["trade_id"],
                r["symbol"],
                r["entry_date"].isoformat(),
                money(r["entry_price"]),
                r["exit_date"].isoformat(),
                money(r["exit_price"]),
                integer(r["shares"]),
                money(r["fees"]),
                money(r["net_pnl"]),
                ratio(r["return_pct"]),
                integer(r["hold_sessions"]),
                r["exit_reason"],
            ]
            for r in trades
        ],
    )
    equity_csv = csv_bytes(
        EQUITY_COLUMNS,
        [
            [
                branch,
                r["trade_date"].isoformat(),
                money(r["cash"]),
                money(r["market_value"]),
                money(r["equity"]),
                integer(r["positions"]),
                ratio(r["drawdown"]),
            ]
            for r in equity_rows
        ],
    )
    event_counts: dict[str, int] = {}
    for e in events:
        event_counts[e["event_type"]] = event_counts.get(e["event_type"], 0) + 1
    wins = sum(1 for r in trades if r["net_pnl"] > 0)
    final_equity = equity_rows[-1]["equity"] if equity_rows else CAPITAL_C
    summary = {
        "branch": branch,
        "sessions": len(sessions),
        "trades": len(trades),
        "win_rate": round(wins / len(trades), 6) if trades else 0.0,
        "total_return": round(final_equity / CAPITAL_C - 1, 6),
        "max_drawdown": round(max(drawdowns), 6) if drawdowns else 0.0,
        "event_counts": event_counts,
        "rc1_schema_version": SCHEMA_VERSION,
    }
    summary_json = (json.dumps(summary, sort_keys=True, indent=2) + "\n").encode("utf-8")
    return {
        "events.csv": events_csv,
        "trades.csv": trades_csv,
        "equity.csv": equity_csv,
        "summary.json": summary_json,
    }
