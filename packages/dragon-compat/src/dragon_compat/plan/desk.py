"""The desk's real book: its holdings under the branch's exit rule, and reconciliation.

Each desk holding is evaluated at the run's close with the RC1 exit rule
(:func:`dragon_compat.exit_rule.exit_reason` — the exit rule every RC1 branch shares)
on the run's own features, exactly as the runtime evaluates a position it holds:

- a holding that did not trade at the close (no row, or zero volume) is held —
  ``HOLD`` ``SUSPENDED``, as the runtime does (no exit can be signalled);
- otherwise ``STOP_LOSS`` compares the close with the desk's ``entry_price``,
  ``BOARD_BROKEN`` / ``NOT_LIMIT_UP`` read the close's limit flags, and ``MAX_HOLD``
  counts the symbol's trading sessions from ``entry_date`` through the run's session
  (1 on the entry session itself, as the runtime counts); sessions before the data's
  first bar are not counted.

**T+1.** A holding bought on the run's session (``entry_date`` = ``as_of``) is
evaluated like any other: shares bought on session T may be sold from T+1, and the
plan's session is T+1, so its exit is planned. ``entry_date`` after the run's session
is refused — the plan cannot know a holding bought after its close.

The exit rule is stateless here: an exit the desk tried and could not fill on an
earlier morning (a sealed limit-down) is not remembered; the holding is judged
afresh at this close. The desk's book is cash plus every holding at its latest close.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from dragon_compat.errors import DragonUserError
from dragon_compat.exit_rule import RC1_EXIT_POLICY, ExitPolicy, exit_reason
from dragon_compat.plan.close import BranchClose, SymbolClose
from dragon_compat.plan.positions import DeskPosition
from dragon_compat.plan.sizing import cny
from dragon_compat.rundir import (
    BranchHolding,
    DeskHolding,
    HoldingAction,
    Reconciliation,
    SharedHolding,
)
from dragon_runtime import ReasonCode

__all__ = ["check_positions", "desk_equity_c", "evaluate_holdings", "reconcile"]


def check_positions(
    positions: Sequence[DeskPosition],
    market: Mapping[str, SymbolClose],
    as_of: dt.date,
    *,
    data: str,
) -> None:
    """Every holding is one the run can judge: bought on or before ``as_of`` and with a
    bar in the run's data (``data`` names it). Raises :class:`DragonUserError` naming
    the positions file's row and field otherwise."""
    for position in positions:
        if position.entry_date > as_of:
            raise DragonUserError(
                f"{position.where}: field entry_date: {position.entry_date.isoformat()} is "
                f"after the run's session {as_of.isoformat()}; the plan is made at that "
                "close and cannot judge a holding bought later"
            )
        if position.symbol not in market:
            raise DragonUserError(
                f"{position.where}: field symbol: {position.symbol} has no bar on or before "
                f"{as_of.isoformat()} in the run's data ({data}); the plan cannot value it "
                "or judge its exit"
            )


def _judge(
    position: DeskPosition, close: SymbolClose, policy: ExitPolicy
) -> tuple[HoldingAction, str]:
    if not close.traded:
        return HoldingAction.HOLD, str(ReasonCode.SUSPENDED)
    reason = exit_reason(
        close_c=close.close_c,
        entry_price_c=position.entry_price_c,
        is_broken=close.is_broken,
        is_limit_up=close.is_limit_up,
        hold_sessions=close.sessions_since(position.entry_date),
        policy=policy,
    )
    if reason is None:
        return HoldingAction.HOLD, str(ReasonCode.CONTINUES_LIMIT_UP)
    return HoldingAction.SELL, str(reason)


def evaluate_holdings(
    positions: Sequence[DeskPosition],
    market: Mapping[str, SymbolClose],
    *,
    policy: ExitPolicy = RC1_EXIT_POLICY,
) -> tuple[DeskHolding, ...]:
    """Each holding (checked by :func:`check_positions`) judged at the close, by symbol."""
    holdings = []
    for position in positions:
        close = market[position.symbol]
        action, reason = _judge(position, close, policy)
        holdings.append(
            DeskHolding(
                symbol=position.symbol,
                shares=position.shares,
                entry_date=position.entry_date,
                entry_price=cny(position.entry_price_c),
                close=cny(close.close_c),
                hold_sessions=close.sessions_since(position.entry_date),
                action=action,
                reason=reason,
            )
        )
    return tuple(holdings)


def desk_equity_c(
    cash_c: int, positions: Sequence[DeskPosition], market: Mapping[str, SymbolClose]
) -> int:
    """The desk's equity at the close: cash + Σ shares × latest close (cents)."""
    return cash_c + sum(p.shares * market[p.symbol].close_c for p in positions)


def reconcile(holdings: Sequence[DeskHolding], branch: BranchClose) -> Reconciliation:
    """The desk's holdings beside the branch's positions at the close."""
    desk = {h.symbol: h.shares for h in holdings}
    return Reconciliation(
        holdings=tuple(holdings),
        desk_only=tuple(symbol for symbol in sorted(desk) if symbol not in branch.holdings),
        branch_only=tuple(
            BranchHolding(symbol=symbol, shares=shares)
            for symbol, shares in sorted(branch.holdings.items())
            if symbol not in desk
        ),
        in_both=tuple(
            SharedHolding(symbol=symbol, desk_shares=desk[symbol], branch_shares=shares)
            for symbol, shares in sorted(branch.holdings.items())
            if symbol in desk
        ),
    )
