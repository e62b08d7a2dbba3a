"""Pricing and sizing a plan's orders as the runtime will fill them at the next open.

Everything here is the runtime's own arithmetic (``dragon_runtime``'s
``limit_pcts``/``limit_prices_cents``, ``fill_price_cents``, ``fees_cents`` and
``size_entry``); the plan adds one assumption, the only estimate in it:

**the next open is unknown at the close, so every order is priced as if the stock
opened at the run's close.** The estimated fill is the close plus the runtime's
slippage on a buy (minus it on a sell), clamped to the next session's limit; the real
fill is at the next open and differs by however far the open is from the close.

The next session's limits take the run's close as their pre-close, the symbol's board
and its ST flag at the close (``limit_pcts`` of the next session's date, so board
rules that change on a date — the 2020-08-24 ChiNext reform — apply as the runtime
applies them).

At the open the runtime fills the exits first (their proceeds are cash for the
entries), then the entries by rank: while a slot is free (``max_positions`` minus the
positions kept), each entry aims at ``min(cash left, equity at the close //
max_positions)``, takes whole lots of 100 shares at its fill price, and one lot less
while value + fees exceed the cash left; an entry no lot of which fits is cancelled
(``INSUFFICIENT_CASH``). The plan walks the same steps in the same order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from dragon_compat.plan.close import EntrySignal
from dragon_compat.rundir import BookSource, EntryOrder, ExitOrder, PlanBook
from dragon_runtime import (
    LOT_SIZE,
    ReasonCode,
    fees_cents,
    fill_price_cents,
    limit_pcts,
    limit_prices_cents,
    size_entry,
)

__all__ = [
    "Limits",
    "SizingBook",
    "cny",
    "exit_proceeds_c",
    "next_limits",
    "plan_book",
    "price_exit",
    "size_entries",
]


def cny(cents: int) -> float:
    """Cents as a JSON number of CNY (exact: the shortest form of ``cents / 100``)."""
    return cents / 100


def _text(cents: int) -> str:
    return f"{cents / 100:,.2f}"


@dataclass(frozen=True, slots=True)
class Limits:
    """The next session's limits of a symbol, cents (None: no limit)."""

    up_c: int | None
    down_c: int | None


def next_limits(symbol: str, close_c: int, is_st: bool, next_session: dt.date) -> Limits:
    """The next session's up/down limits with ``close_c`` as the pre-close."""
    pct = limit_pcts([symbol], np.array([is_st]), np.array([next_session], dtype="datetime64[D]"))
    up, down = limit_prices_cents(np.array([close_c]), pct)
    return Limits(int(up[0]), int(down[0]))


@dataclass(frozen=True, slots=True)
class SizingBook:
    """The book orders are sized for, at the close (cents): whose, its equity and cash,
    the slots, the symbols held and those being sold at the open."""

    source: BookSource
    equity_c: int
    cash_c: int
    max_positions: int
    held: frozenset[str]
    selling: frozenset[str]

    @property
    def free_slots(self) -> int:
        return max(0, self.max_positions - (len(self.held) - len(self.selling)))

    @property
    def slot_target_c(self) -> int:
        """Equity at the close // max_positions: the most one entry aims at."""
        return self.equity_c // self.max_positions


def price_exit(
    symbol: str,
    shares: int,
    reason: str,
    close_c: int,
    *,
    limits: Limits,
    next_session: dt.date,
) -> ExitOrder:
    """A whole-position sale priced at ``close_c`` as the runtime fills it."""
    fill_c = fill_price_cents(close_c, "sell", limits.down_c)
    value_c = fill_c * shares
    return ExitOrder(
        symbol=symbol,
        shares=shares,
        reason=reason,
        close=cny(close_c),
        limit_up=None if limits.up_c is None else cny(limits.up_c),
        limit_down=None if limits.down_c is None else cny(limits.down_c),
        price_estimate=cny(fill_c),
        notional=cny(value_c),
        fees_estimate=cny(fees_cents(value_c, "sell", next_session)),
    )


def exit_proceeds_c(exits: Iterable[ExitOrder]) -> int:
    """Cash the exits bring before the entries: value − fees of each, cents."""
    return sum(round(e.notional * 100) - round(e.fees_estimate * 100) for e in exits)


def plan_book(book: SizingBook, exits: Sequence[ExitOrder]) -> PlanBook:
    """The plan's ``book`` section (see :class:`~dragon_compat.rundir.PlanBook`)."""
    return PlanBook(
        source=book.source,
        equity=cny(book.equity_c),
        cash=cny(book.cash_c),
        max_positions=book.max_positions,
        held=len(book.held),
        selling=len(book.selling),
        free_slots=book.free_slots,
        slot_target=cny(book.slot_target_c),
        cash_for_entries=cny(book.cash_c + exit_proceeds_c(exits)),
    )


def _unaffordable(
    signal: EntrySignal, fill_c: int, limits: Limits, reason: str, detail: str
) -> EntryOrder:
    return _entry(
        signal, fill_c, limits, shares=0, value_c=0, fees_c=0, reason=reason, detail=detail
    )


def _entry(
    signal: EntrySignal,
    fill_c: int,
    limits: Limits,
    *,
    shares: int,
    value_c: int,
    fees_c: int,
    reason: str | None = None,
    detail: str | None = None,
) -> EntryOrder:
    return EntryOrder(
        symbol=signal.symbol,
        rank=signal.rank,
        board_height=signal.board_height,
        alpha_score=signal.alpha_score,
        close=cny(signal.close_c),
        predicates=signal.predicates,
        limit_up=None if limits.up_c is None else cny(limits.up_c),
        limit_down=None if limits.down_c is None else cny(limits.down_c),
        price_estimate=cny(fill_c),
        shares=shares,
        notional=cny(value_c),
        fees_estimate=cny(fees_c),
        affordable=shares > 0,
        reason=reason,
        detail=detail,
    )


def _too_dear(fill_c: int, target_c: int, cash_c: int, max_positions: int, day: dt.date) -> str:
    lot_c = LOT_SIZE * fill_c
    if lot_c > target_c:
        return (
            f"one lot ({LOT_SIZE} × {_text(fill_c)}) is {_text(lot_c)} CNY, more than the "
            f"entry's target {_text(target_c)} CNY (the smaller of the cash left and "
            f"equity / {max_positions})"
        )
    with_fees = lot_c + fees_cents(lot_c, "buy", day)
    return f"one lot with fees is {_text(with_fees)} CNY, more than the {_text(cash_c)} CNY left"


def size_entries(
    signals: Sequence[EntrySignal],
    limits: Mapping[str, Limits],
    book: SizingBook,
    cash_for_entries_c: int,
    next_session: dt.date,
) -> tuple[EntryOrder, ...]:
    """Each entry signal sized as the runtime sizes it at the open (module docstring),
    in rank order. A symbol the book holds is ``ALREADY_HELD``; no free slot left is
    ``NO_FREE_SLOT``; no affordable lot is ``INSUFFICIENT_CASH``."""
    cash_c, slots = cash_for_entries_c, book.free_slots
    orders: list[EntryOrder] = []
    for signal in sorted(signals, key=lambda s: s.rank):
        quote = limits[signal.symbol]
        fill_c = fill_price_cents(signal.close_c, "buy", quote.up_c)
        if signal.symbol in book.held:
            orders.append(
                _unaffordable(
                    signal,
                    fill_c,
                    quote,
                    str(ReasonCode.ALREADY_HELD),
                    f"the {book.source} book already holds {signal.symbol}",
                )
            )
            continue
        if slots <= 0:
            orders.append(
                _unaffordable(
                    signal,
                    fill_c,
                    quote,
                    str(ReasonCode.NO_FREE_SLOT),
                    f"all {book.max_positions} slots are taken after the exits",
                )
            )
            continue
        target_c = min(cash_c, book.slot_target_c)
        sizing = size_entry(cash_c, target_c, fill_c, next_session)
        if sizing.shares == 0:
            detail = _too_dear(fill_c, target_c, cash_c, book.max_positions, next_session)
            orders.append(
                _unaffordable(signal, fill_c, quote, str(ReasonCode.INSUFFICIENT_CASH), detail)
            )
            continue
        cash_c -= sizing.value_c + sizing.fees_c
        slots -= 1
        orders.append(
            _entry(
                signal,
                fill_c,
                quote,
                shares=sizing.shares,
                value_c=sizing.value_c,
                fees_c=sizing.fees_c,
            )
        )
    return tuple(orders)
