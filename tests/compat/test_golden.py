"""Golden guardrails (compat README): golden's own pinned market through the four
branches hashes exactly to golden/rc1/HASHES.json; differences are named; golden does
not depend on the bundled sample; the golden market exercises every event type and
reason code; parity holds on it."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from dragon_compat import golden
from dragon_compat.dragon_strategy import BRANCH_NAMES, DragonRuleEngine
from dragon_compat.errors import DragonUserError
from dragon_runtime.reasons import EVENT_CATALOGUE, REASON_CATALOGUE
from tests.compat.reference_loop import reference_run

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "golden" / "rc1"


@pytest.fixture(scope="module")
def golden_bars():
    from dragon_compat.data import load_bars

    return load_bars(GOLDEN / golden.GOLDEN_INPUT)


@pytest.fixture
def golden_copy(tmp_path):
    copy = tmp_path / "rc1"
    shutil.copytree(GOLDEN, copy)
    return copy


def test_golden_holds():
    assert golden.check(GOLDEN) == []


def test_golden_holds_on_its_own_input_whatever_the_bundled_sample_holds():
    from dragon_compat.market_input import file_sha256
    from dragon_compat.sample import bundled_sample_path

    hashes = json.loads((GOLDEN / "HASHES.json").read_text())
    assert file_sha256(bundled_sample_path()) != hashes[golden.GOLDEN_INPUT]
    assert golden.check(GOLDEN) == []


def test_a_replaced_golden_input_is_named(golden_copy):
    from dragon_compat.sample import bundled_sample_path

    (golden_copy / golden.GOLDEN_INPUT).write_bytes(bundled_sample_path().read_bytes())
    problems = golden.check(golden_copy)
    assert (golden.GOLDEN_INPUT, golden.EDITED_BY_HAND) in {(p.path, p.problem) for p in problems}


def test_update_with_a_new_input_re_pins_golden_on_it(golden_copy, tmp_path):
    from dragon_compat.data.write import write_bars
    from dragon_compat.sample import generate_market

    market = write_bars(generate_market(40, 60, 7), tmp_path / "other.parquet")
    changed = golden.update(golden_copy, "re-pin", new_input=market, today=dt.date(2026, 1, 2))
    assert golden.GOLDEN_INPUT in changed
    assert (golden_copy / golden.GOLDEN_INPUT).read_bytes() == market.read_bytes()
    assert golden.check(golden_copy) == []


def test_update_without_any_input_is_a_user_error(tmp_path):
    with pytest.raises(DragonUserError, match="--input"):
        golden.update(tmp_path / "rc1", "create")


def test_the_golden_dir_is_found_from_a_subdirectory(monkeypatch):
    monkeypatch.chdir(REPO / "tests" / "compat")
    assert golden.find_golden_dir() == GOLDEN


def test_a_hand_edited_expected_file_is_named(golden_copy):
    path = golden_copy / "expected" / "rc1_baseline" / "trades.csv"
    lines = path.read_text().splitlines(keepends=True)
    lines[3] = lines[3].replace(",", ";", 1)
    path.write_text("".join(lines))
    problems = golden.check(golden_copy)
    # the engine still produces the recorded hashes: only the file on disk is wrong
    assert [(p.path, p.problem) for p in problems] == [
        ("expected/rc1_baseline/trades.csv", golden.EDITED_BY_HAND)
    ]


class _NeverStopLoss(DragonRuleEngine):
    def exit_rule(self, ctx, position, market):
        code = super().exit_rule(ctx, position, market)
        return None if code == "STOP_LOSS" else code


def test_a_behaviour_change_is_caught_with_the_first_differing_row(golden_copy, monkeypatch):
    monkeypatch.setattr(golden, "DragonRuleEngine", _NeverStopLoss)
    problems = golden.check(golden_copy)
    differing = {p.path: p.detail for p in problems if p.problem == "output differs from golden"}
    assert "expected/rc1_baseline/events.csv" in differing
    assert differing["expected/rc1_baseline/events.csv"].startswith("row ")
    assert "STOP_LOSS" in differing["expected/rc1_baseline/events.csv"]


def test_a_missing_expected_file_is_named(golden_copy):
    (golden_copy / "expected" / "strict_veto" / "summary.json").unlink()
    problems = golden.check(golden_copy)
    assert ("expected/strict_veto/summary.json", "listed in HASHES.json but missing") in {
        (p.path, p.problem) for p in problems
    }


def test_update_rewrites_hashes_and_appends_the_reason(golden_copy):
    hashes = json.loads((golden_copy / "HASHES.json").read_text())
    (golden_copy / "expected" / "alpha_first" / "equity.csv").write_text("tampered\n")
    changed = golden.update(golden_copy, "  restore   equity \n", today=dt.date(2026, 11, 25))
    assert changed == []  # the regenerated files equal the recorded hashes again
    assert json.loads((golden_copy / "HASHES.json").read_text()) == hashes
    assert golden.check(golden_copy) == []
    changelog = (golden_copy / "CHANGELOG.md").read_text()
    assert changelog.endswith(
        "## 2026-11-25\n\nrestore equity\n\nChanged:\n  - (no file changed)\n"
    )


def test_update_names_the_files_whose_hash_moved(golden_copy):
    hashes = json.loads((golden_copy / "HASHES.json").read_text())
    hashes["expected/alpha_first/equity.csv"] = "0" * 64
    (golden_copy / "HASHES.json").write_text(json.dumps(hashes))
    assert golden.update(golden_copy, "why", today=dt.date(2026, 1, 2)) == [
        "expected/alpha_first/equity.csv"
    ]


def test_update_needs_a_reason(golden_copy):
    with pytest.raises(DragonUserError, match="reason"):
        golden.update(golden_copy, "   ")


def test_golden_changelog_records_every_update():
    changelog = (GOLDEN / "CHANGELOG.md").read_text()
    assert changelog.startswith("# RC1 golden changelog")
    assert changelog.count("\n## ") >= 1


def test_the_golden_market_exercises_every_event_type_and_reason_code():
    seen: set[tuple[str, str]] = set()
    for branch in BRANCH_NAMES:
        events = pd.read_csv(GOLDEN / "expected" / branch / "events.csv", dtype=str)
        seen |= set(zip(events["event_type"], events["reason_code"], strict=True))
    catalogue = {
        (str(event_type), str(code))
        for event_type, spec in EVENT_CATALOGUE.items()
        for code in spec.reason_codes
    }
    assert catalogue - seen == set()
    assert {str(code) for code in REASON_CATALOGUE} <= {code for _, code in seen}


@pytest.mark.parametrize("branch", BRANCH_NAMES)
def test_the_reference_loop_reproduces_golden_byte_for_byte(golden_bars, branch):
    produced = reference_run(golden_bars, branch)
    for name, data in produced.items():
        assert data == (GOLDEN / "expected" / branch / name).read_bytes(), f"{branch}/{name}"
