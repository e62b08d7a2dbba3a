"""Portfolio accounting in integer cents: cash, positions, T+1, fills, marking.

Money never touches floats here. Buying debits ``value + fees``; selling credits
``value − fees``; equity at a close is ``cash + Σ shares × last close`` where a
suspended holding keeps the close of its last trading session; drawdown is
``(peak − equity) / peak`` with ``peak`` the running maximum of the marked equity
including today (the initial capital is not a mark).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dragon_runtime.market import LOT_SIZE, fees_cents
from dragon_runtime.payloads import EquityRecord, TradeRecord

__all__ = ["Portfolio", "Position", "Sizing", "size_entry"]


@dataclass(frozen=True, slots=True)
class Sizing:
    """Shares to buy and what they cost (cents); ``shares == 0`` means none affordable."""

    shares: int
    value_c: int
    fees_c: int


def size_entry(cash_c: int, target_c: int, fill_c: int, trade_date: dt.date) -> Sizing:
    """Whole lots for an entry: ``lots = target // (fill × 100)``, then one lot less
    while ``value + fees > cash``.

    ``target_c`` is the value to aim at (the loop uses ``min(cash, prior equity //
    max_positions)``); all amounts in cents.
    """
    if fill_c <= 0:
        raise ValueError(f"fill price must be positive, got {fill_c} cents")
    lots = max(target_c, 0) // (fill_c * LOT_SIZE)
    while lots > 0:
        value_c = lots * LOT_SIZE * fill_c
        fees_c = fees_cents(value_c, "buy", trade_date)
        if value_c + fees_c <= cash_c:
            return Sizing(lots * LOT_SIZE, value_c, fees_c)
        lots -= 1
    return Sizing(0, 0, 0)


@dataclass(slots=True)
class Position:
    """An open position (prices in cents).

    ``hold_sessions`` counts trading sessions from the entry session (= 1 at its
    close). ``pending_exit`` holds the exit reason once an EXIT_SIGNAL was given;
    it stays until the exit fills (sticky exits). ``entry_order`` numbers entry
    fills from 1 (trade ids follow it).
    """

    symbol: int
    name: str
    entry_order: int
    entry_session: int
    entry_date: dt.date
    entry_price_c: int
    shares: int
    entry_value_c: int
    entry_fees_c: int
    last_close_c: int
    hold_sessions: int = 0
    pending_exit: str | None = None


class Portfolio:
    """Cash and open positions of one branch."""

    __slots__ = ("_entries", "_peak_c", "cash_c", "max_positions", "positions")

    def __init__(self, initial_cash_c: int, max_positions: int) -> None:
        if initial_cash_c <= 0:
            raise ValueError(f"initial capital must be positive, got {initial_cash_c} cents")
        if max_positions <= 0:
            raise ValueError(f"max_positions must be positive, got {max_positions}")
        self.cash_c = initial_cash_c
        self.max_positions = max_positions
        self.positions: dict[int, Position] = {}
        self._entries = 0
        self._peak_c = 0

    @property
    def is_full(self) -> bool:
        """Whether ``max_positions`` positions are held."""
        return len(self.positions) >= self.max_positions

    def buy(
        self,
        symbol: int,
        *,
        name: str,
        session: int,
        trade_date: dt.date,
        fill_c: int,
        sizing: Sizing,
    ) -> Position:
        """Open a position at ``fill_c`` per share; debits value + fees from cash."""
        if symbol in self.positions:
            raise ValueError(f"{name} is already held")
        cost_c = sizing.value_c + sizing.fees_c
        if sizing.shares <= 0 or cost_c > self.cash_c:
            raise ValueError(f"cannot buy {sizing.shares} {name}: cost {cost_c} > cash")
        self.cash_c -= cost_c
        self._entries += 1
        position = Position(
            symbol=symbol,
            name=name,
            entry_order=self._entries,
            entry_session=session,
            entry_date=trade_date,
            entry_price_c=fill_c,
            shares=sizing.shares,
            entry_value_c=sizing.value_c,
            entry_fees_c=sizing.fees_c,
            last_close_c=fill_c,
        )
        self.positions[symbol] = position
        return position

    def sell(
        self, symbol: int, session: int, trade_date: dt.date, fill_c: int, reason: str
    ) -> TradeRecord:
        """Close the whole position at ``fill_c``; credits value − fees.

        T+1: raises ``ValueError`` when the position was bought this session. The
        trade's ``hold_sessions`` is the position's count plus the exit session.
        """
        position = self.positions[symbol]
        if session <= position.entry_session:
            raise ValueError(f"T+1: {position.name} bought on {position.entry_date} cannot be sold")
        value_c = fill_c * position.shares
        fees_c = fees_cents(value_c, "sell", trade_date)
        self.cash_c += value_c - fees_c
        del self.positions[symbol]
        cost_c = position.entry_value_c + position.entry_fees_c
        return TradeRecord(
            entry_order=position.entry_order,
            symbol=position.name,
            entry_date=position.entry_date,
            entry_price_c=position.entry_price_c,
            exit_date=trade_date,
            exit_price_c=fill_c,
            shares=position.shares,
            fees_c=position.entry_fees_c + fees_c,
            net_pnl_c=value_c - fees_c - cost_c,
            cost_c=cost_c,
            hold_sessions=position.hold_sessions + 1,
            exit_reason=reason,
        )

    def mark(self, trade_date: dt.date) -> EquityRecord:
        """Equity at the close: positions valued at their last close."""
        market_value_c = sum(p.shares * p.last_close_c for p in self.positions.values())
        equity_c = self.cash_c + market_value_c
        self._peak_c = max(self._peak_c, equity_c)
        drawdown = (self._peak_c - equity_c) / self._peak_c if self._peak_c > 0 else 0.0
        return EquityRecord(
            trade_date=trade_date,
            cash_c=self.cash_c,
            market_value_c=market_value_c,
            equity_c=equity_c,
            positions=len(self.positions),
            drawdown=drawdown + 0.0,
        )
