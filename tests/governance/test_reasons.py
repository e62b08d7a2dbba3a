"""One reason catalogue: every code the gates emit is in it, and each code fixes its status."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import dragon_governance
from dragon_governance.gates.divergence import _MATRIX_CODES
from dragon_governance.outcomes import Status
from dragon_governance.reasons import CATALOGUE, make_reason
from dragon_governance.sources.registry import SOURCES

PACKAGE = Path(dragon_governance.__file__).parent


def _codes_in_source() -> set[str]:
    pattern = re.compile(r'(?:make_reason\(|findings_or_pass\(\s*\w+,)\s*"([A-Z0-9_]+)"')
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        found |= set(pattern.findall(path.read_text()))
    return found


def test_every_code_named_in_the_gates_is_in_the_catalogue():
    assert _codes_in_source() <= set(CATALOGUE)


def test_every_catalogue_code_is_used_by_a_gate_or_the_source_registry():
    literal = re.compile(r'"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"')
    users = [*(PACKAGE / "gates").glob("*.py"), PACKAGE / "sources" / "registry.py"]
    used = {code for path in users for code in literal.findall(path.read_text())}
    assert set(CATALOGUE) <= used


def test_a_missing_required_source_fails_and_a_missing_optional_one_warns():
    for spec in SOURCES:
        expected = Status.FAIL if spec.required else Status.WARN
        assert CATALOGUE[spec.missing_code].status is expected, spec.filename


def test_a_corrupt_source_always_fails():
    assert all(CATALOGUE[spec.corrupt_code].status is Status.FAIL for spec in SOURCES)


def test_each_source_is_owned_by_the_gate_its_codes_belong_to():
    for spec in SOURCES:
        assert spec.gate in CATALOGUE[spec.missing_code].gates
        assert spec.gate in CATALOGUE[spec.corrupt_code].gates


def test_the_matrix_codes_carry_their_status():
    assert {status: CATALOGUE[code].status for status, code in _MATRIX_CODES.items()} == {
        status: status for status in Status
    }


def test_an_unknown_code_cannot_be_used():
    with pytest.raises(KeyError):
        make_reason("NOT_A_CODE", message="m", source="s", field="f")


def test_a_reason_takes_its_status_from_the_catalogue():
    reason = make_reason("HISTORY_MISSING", message="m", source="s", field="f")
    assert reason.status is Status.WARN
