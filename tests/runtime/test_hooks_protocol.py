"""The loop validates every hook's output and names the hook on a violation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
import pytest

from dragon_runtime.hooks import Book, HookError, PositionView, SessionContext, Signal, Verdict
from dragon_runtime.reasons import EventType
from tests.runtime.builders import FakeHooks, flat, run

A, B = "600001.SH", "600002.SH"
MARKET = {A: [flat(10.0)] * 3, B: [flat(10.0), None, flat(10.0)]}
ENTER, SKIP, VETO = EventType.ENTER_SIGNAL, EventType.SKIP, EventType.VETO


class Candidates(FakeHooks):
    def __init__(self, value: object) -> None:
        super().__init__()
        self.value = value

    def candidates(self, ctx: SessionContext) -> np.ndarray:
        return self.value  # type: ignore[return-value]  # a wrong return is the case under test


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.array([0, 0]), "more than once"),
        (np.array([2]), "outside the panel"),
        (np.array([-1]), "outside the panel"),
        (np.array([0.0]), "integer indices"),
        (np.array([[0]]), "1-d"),
    ],
)
def test_bad_candidates_raise_naming_the_hook(value: np.ndarray, message: str) -> None:
    with pytest.raises(HookError, match=rf"hook candidates \(branch 'test', session .*{message}"):
        run(MARKET, Candidates(value))


def test_suspended_candidate_is_refused() -> None:
    hooks = FakeHooks(picks={1: [B]})
    with pytest.raises(HookError, match=f"hook candidates.*{B} is suspended"):
        run(MARKET, hooks)


class Verdicts(FakeHooks):
    def __init__(self, verdicts: list[object]) -> None:
        super().__init__(picks={0: [A]})
        self.verdicts = verdicts

    def evaluate_predicates(self, ctx: SessionContext, candidates: np.ndarray) -> list[Verdict]:
        return self.verdicts  # type: ignore[return-value]  # a wrong return is the case under test


@pytest.mark.parametrize(
    ("verdicts", "message"),
    [
        ([], "0 verdicts for 1 candidates"),
        (["S1=P"], "not a Verdict"),
        ([Verdict("S1=P", (VETO, "SELECTED"))], "outcome"),
        ([Verdict("S1=P", (ENTER, "SELECTED"))], "outcome"),
        ([Verdict("S1=P", (SKIP, "NOT_A_CODE"))], "outcome"),
    ],
)
def test_bad_verdicts_raise_naming_the_hook(verdicts: list[object], message: str) -> None:
    with pytest.raises(HookError, match=f"hook evaluate_predicates.*{message}"):
        run(MARKET, Verdicts(verdicts))


Edit = Callable[[list[Signal]], list[Signal]]


class Select(FakeHooks):
    def __init__(
        self,
        edit: Edit,
        picks: dict[int, list[str]] | None = None,
        outcomes: dict[tuple[int, str], tuple[EventType, str]] | None = None,
    ) -> None:
        super().__init__(picks=picks or {0: [A, B]}, outcomes=outcomes or {})
        self.edit = edit

    def select(
        self, ctx: SessionContext, candidates: np.ndarray, verdicts: Sequence[Verdict], book: Book
    ) -> list[Signal]:
        return self.edit(super().select(ctx, candidates, verdicts, book))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s[:1], f"no signal for candidate\\(s\\) {B}"),
        (lambda s: [s[0], s[0]], f"more than one signal for {A}"),
        (lambda s: [s[0], replace(s[1], symbol=5)], "index 5, which is not a candidate"),
        (lambda s: [s[0], replace(s[1], rank=1)], r"ranks \[1, 1\] are not 1..2"),
        (lambda s: [s[0], replace(s[1], rank=3)], "are not 1..2"),
        (lambda s: [s[0], replace(s[1], rank=2.0)], "are not 1..2"),
        (lambda s: [s[0], replace(s[1], reason_code="NOPE")], "catalogue does not allow"),
        (lambda s: [s[0], replace(s[1], event_type=SKIP, reason_code="SELECTED")], "not allow"),
        (lambda s: [s[0], replace(s[1], event_type="HOLD_POSITION")], "not allow"),
        (lambda s: [s[0], replace(s[1], predicates="other")], "verdict's predicates"),
        (lambda s: ["signal", s[1]], "expected Signal objects"),
    ],
)
def test_bad_signals_raise_naming_the_hook(edit: Edit, message: str) -> None:
    with pytest.raises(HookError, match=f"hook select.*{message}"):
        run(MARKET, Select(edit))


def test_signal_overriding_its_verdict_outcome_is_refused() -> None:
    hooks = Select(
        lambda s: [replace(s[0], event_type=ENTER, reason_code="SELECTED"), s[1]],
        outcomes={(0, A): (VETO, "S1_HEIGHT_CAP")},
    )
    with pytest.raises(HookError, match="its verdict decided VETO S1_HEIGHT_CAP"):
        run(MARKET, hooks)


def test_more_entries_than_free_slots_are_refused() -> None:
    market = {f"60000{i}.SH": [flat(10.0)] * 2 for i in range(1, 8)}
    names = sorted(market)

    def all_enter(signals: list[Signal]) -> list[Signal]:
        return [replace(s, event_type=ENTER, reason_code="SELECTED") for s in signals]

    hooks = Select(all_enter, picks={0: names})
    with pytest.raises(HookError, match="7 ENTER_SIGNALs exceed the 5 free slot"):
        run(market, hooks)


def test_entering_a_held_symbol_is_refused() -> None:
    def enter_all(signals: list[Signal]) -> list[Signal]:
        return [replace(s, event_type=ENTER, reason_code="SELECTED") for s in signals]

    hooks = Select(enter_all, picks={0: [A], 1: [A]})
    with pytest.raises(HookError, match=f"ENTER_SIGNAL for {A}, which is already held"):
        run(MARKET, hooks)


@pytest.mark.parametrize("code", ["SELECTED", "TAKE_PROFIT", 7])
def test_exit_rule_must_return_none_or_an_exit_reason(code: object) -> None:
    def exit_fn(ctx: SessionContext, position: PositionView) -> str | None:
        return code  # type: ignore[return-value]  # a wrong return is the case under test

    hooks = FakeHooks(picks={0: [A]}, exit_fn=exit_fn)
    with pytest.raises(HookError, match=f"hook exit_rule.*returned {code!r} for {A}"):
        run(MARKET, hooks)


def test_hooks_are_not_asked_to_evaluate_an_empty_candidate_list() -> None:
    class Strict(FakeHooks):
        def evaluate_predicates(self, ctx: SessionContext, candidates: np.ndarray) -> list[Verdict]:
            raise AssertionError("called without candidates")

    result = run(MARKET, Strict())
    assert result.events.empty
