"""The reasons gates share: PASS evidence only when a rule found nothing."""

from __future__ import annotations

import pytest

from dragon_governance.gates.findings import findings_or_pass
from dragon_governance.outcomes import Status
from dragon_governance.reasons import make_reason


def _pass_of(findings):
    return findings_or_pass(
        findings, "OUTPUTS_VERIFIED", message="m", source="s", field="f", observed=3
    )


def test_no_findings_give_one_pass_reason_whose_value_is_its_threshold():
    [reason] = _pass_of([])
    assert reason.code == "OUTPUTS_VERIFIED" and reason.status is Status.PASS
    assert reason.value == reason.threshold == 3


def test_findings_are_returned_unchanged_without_a_pass_reason():
    finding = make_reason("OUTPUT_HASH_MISMATCH", message="m", source="s", field="f")
    assert _pass_of([finding]) == [finding]


@pytest.mark.parametrize("code", ["OUTPUT_HASH_MISMATCH", "HISTORY_MISSING"])
def test_a_code_that_is_not_pass_cannot_be_pass_evidence(code: str):
    with pytest.raises(ValueError, match="not PASS evidence"):
        findings_or_pass([], code, message="m", source="s", field="f", observed=0)
