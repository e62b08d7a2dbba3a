"""Reason meanings state what a code stands for, never a strategy's number.

The runtime knows no strategy threshold: predicate cut-offs, the stop-loss fraction
and the maximum holding time belong to the strategy (RC1's live in dragon-compat).
"""

from __future__ import annotations

import re

from dragon_runtime.reasons import EVENT_CATALOGUE, REASON_CATALOGUE


def test_no_reason_meaning_holds_a_number() -> None:
    numeric = {
        str(code): spec.description
        for code, spec in REASON_CATALOGUE.items()
        if re.search(r"\d", spec.description)
    }
    assert numeric == {}


def test_no_event_description_holds_a_number() -> None:
    numeric = {
        str(event): spec.description
        for event, spec in EVENT_CATALOGUE.items()
        if re.search(r"\d", spec.description)
    }
    assert numeric == {}


def test_every_code_and_event_has_a_meaning() -> None:
    assert all(spec.description.strip() for spec in REASON_CATALOGUE.values())
    assert all(spec.description.strip() for spec in EVENT_CATALOGUE.values())
