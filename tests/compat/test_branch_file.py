"""Branches and roles from configuration: the branch file, roles, and the engine taking a
``BranchConfig``."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from dragon_compat.branch_file import (
    RC1_BRANCH_SET,
    BranchSet,
    branch_set,
    load_branch_file,
    pick_branch,
    resolve_roles,
)
from dragon_compat.branches import BRANCHES, DEMO_ROLES, BranchConfig, Ordering
from dragon_compat.dragon_strategy import DragonRuleEngine
from dragon_compat.errors import DragonUserError
from tests.compat.builders import LIMIT_UP, make_bars, path

EXAMPLE = Path(__file__).parents[2] / "packages" / "dragon-compat" / "examples" / "branches.toml"

ONE = """
[[branch]]
name = "strict_top2"
ordering = "height_first"
top_k = 2
selective_vetoes = ["W1_BROKEN_RATE"]
"""


def _file(tmp_path: Path, text: str) -> Path:
    target = tmp_path / "branches.toml"
    target.write_text(textwrap.dedent(text), encoding="utf-8")
    return target


# --- the file --------------------------------------------------------------------------------


def test_the_shipped_example_defines_rc1s_four_and_one_more_in_file_order():
    branches = load_branch_file(EXAMPLE)
    assert branches.names == (*BRANCHES, "strict_top2")
    assert branches.branches[:4] == tuple(BRANCHES.values())
    assert branches.path == EXAMPLE and branches.sha256 is not None


def test_a_branch_table_becomes_a_branch_config(tmp_path: Path):
    (branch,) = load_branch_file(_file(tmp_path, ONE))
    assert branch == BranchConfig("strict_top2", Ordering.HEIGHT_FIRST, 2, ("W1_BROKEN_RATE",))


def test_top_k_all_is_no_cutoff_and_selective_vetoes_default_to_none(tmp_path: Path):
    text = '[[branch]]\nname = "wide"\nordering = "alpha_first"\ntop_k = "all"\n'
    (branch,) = load_branch_file(_file(tmp_path, text))
    assert (branch.top_k, branch.selective_vetoes) == (None, ())


BAD_BRANCHES = {
    "unknown key": ('top_k = 2\ntopk = 3', "unknown key 'topk' (the keys are name, ordering, "
                    "top_k, selective_vetoes)"),
    "missing top_k": ("", "key 'top_k' missing (an integer >= 1, or \"all\" for no cutoff)"),
    "top_k zero": ("top_k = 0", "key 'top_k': 0 is not an integer >= 1"),
    "top_k float": ("top_k = 2.0", "key 'top_k': 2.0 is not an integer >= 1"),
    "top_k true": ("top_k = true", "key 'top_k': True is not an integer >= 1"),
    "top_k none": ('top_k = "none"', "key 'top_k': 'none' is not an integer >= 1"),
    "bad ordering": ('top_k = 2\nordering = "volume_first"', None),
    "strong veto": ('top_k = 2\nselective_vetoes = ["S1_HEIGHT_CAP"]',
                    "key 'selective_vetoes': ['S1_HEIGHT_CAP'] is not a list of weak predicate "
                    "ids"),
    "vetoes out of order": ('top_k = 2\nselective_vetoes = ["W2_LIMIT_DOWNS", "W1_BROKEN_RATE"]',
                            "key 'selective_vetoes'"),
    "vetoes a string": ('top_k = 2\nselective_vetoes = "W1_BROKEN_RATE"', "key 'selective_vetoes'"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_BRANCHES))
def test_a_bad_branch_names_file_branch_line_key_and_rule(tmp_path: Path, case: str):
    body, message = BAD_BRANCHES[case]
    ordering = "" if "ordering =" in body else 'ordering = "height_first"\n'
    first = '[[branch]]\nname = "ok"\nordering = "alpha_first"\ntop_k = 1\n\n'
    text = f'{first}[[branch]]\nname = "b2"\n{ordering}{body}\n'
    target = _file(tmp_path, text)
    with pytest.raises(DragonUserError) as caught:
        load_branch_file(target)
    assert caught.value.exit_code == 2
    assert str(caught.value).startswith(f"{target}: branch 2, line 6 ('b2'): ")
    if message is not None:
        assert message in str(caught.value)
    else:
        assert "key 'ordering': 'volume_first' is not \"height_first\" or \"alpha_first\"" in str(
            caught.value
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[branch]]\nname = 'x'\n[[branch\n", "not valid TOML"),
        ("title = 'mine'\n" + ONE, "unknown key 'title'"),
        ("", "no [[branch]] table"),
        ("[branch]\nname = 'x'\n", "no [[branch]] table"),
        (ONE + ONE, "key 'name': 'strict_top2' is defined twice"),
        (ONE.replace("strict_top2", "has space"), "key 'name': 'has space' is not 1-64 letters"),
        (ONE.replace("strict_top2", "../up"), "key 'name': '../up' is not"),
        (ONE.replace("strict_top2", "alpha_first"), "'alpha_first' is an RC1 branch, defined as "
         "ordering alpha_first, top_k 3, selective_vetoes none; give a branch with other fields "
         "another name"),
    ],
)  # fmt: skip
def test_a_bad_branch_file_is_refused(tmp_path: Path, text: str, message: str):
    with pytest.raises(DragonUserError, match=message.replace("[", r"\[").replace("(", r"\(")):
        load_branch_file(_file(tmp_path, text))


def test_a_missing_or_non_utf8_branch_file_is_named(tmp_path: Path):
    with pytest.raises(DragonUserError, match="no such branch file"):
        load_branch_file(tmp_path / "nowhere.toml")
    target = tmp_path / "latin.toml"
    target.write_bytes(b"# \xe9\n")
    with pytest.raises(DragonUserError, match="not UTF-8 text"):
        load_branch_file(target)


def test_no_branch_file_is_rc1s_four():
    assert branch_set(None) is RC1_BRANCH_SET
    assert RC1_BRANCH_SET.names == tuple(BRANCHES)


def test_picking_a_branch_not_in_the_set_names_the_set(tmp_path: Path):
    branches = load_branch_file(_file(tmp_path, ONE))
    assert pick_branch(branches, "strict_top2").top_k == 2
    with pytest.raises(DragonUserError, match=r"unknown branch 'alpha_first' in .*: strict_top2"):
        pick_branch(branches, "alpha_first")


# --- roles -----------------------------------------------------------------------------------


def test_roles_default_to_rc1s_demo_roles():
    assert resolve_roles(RC1_BRANCH_SET) == DEMO_ROLES


def test_roles_given_must_be_branches_of_the_run(tmp_path: Path):
    branches = load_branch_file(EXAMPLE)
    roles = resolve_roles(branches, candidate="strict_veto", control="strict_top2")
    assert (roles.candidate, roles.reference, roles.control) == (
        "strict_veto",
        "rc1_baseline",
        "strict_top2",
    )
    with pytest.raises(DragonUserError, match=r"--reference 'nope': not a branch of "):
        resolve_roles(branches, reference="nope")


def test_a_default_role_the_branch_file_lacks_says_to_choose_one(tmp_path: Path):
    branches = load_branch_file(_file(tmp_path, ONE))
    with pytest.raises(DragonUserError) as caught:
        resolve_roles(branches)
    assert str(caught.value) == (
        f"the default candidate 'alpha_first'; choose one with --candidate: not a branch of "
        f"{branches.path} (strict_top2)"
    )


def test_the_three_roles_are_three_different_branches():
    with pytest.raises(DragonUserError, match="the roles must be three different branches"):
        resolve_roles(RC1_BRANCH_SET, candidate="rc1_baseline")


def test_the_fallback_is_the_control_when_rc1s_fallback_is_not_a_branch():
    branches = load_branch_file(EXAMPLE)
    assert resolve_roles(branches).fallback == DEMO_ROLES.fallback
    three = BranchSet(tuple(BranchConfig(n, Ordering.HEIGHT_FIRST, None) for n in "abc"))
    assert resolve_roles(three, candidate="a", reference="b", control="c").fallback == "c"


# --- the engine takes a BranchConfig ---------------------------------------------------------


@pytest.fixture(scope="module")
def market() -> pd.DataFrame:
    steps = [10.0, LIMIT_UP, LIMIT_UP, LIMIT_UP, 12.0, 12.0]
    return make_bars(
        path("600001.SH", steps, amount=5e8, sector="chips"),
        path("600002.SH", steps, amount=3e8, sector="chips"),
        path("000003.SZ", steps, amount=6e8, sector="autos"),
        path("000004.SZ", steps, amount=2e8, sector="autos"),
    )


def _entries(result) -> list[tuple[str, str]]:
    events = result.events
    rows = events[events["event_type"].astype(str) == "ENTER_SIGNAL"]
    return [(str(r.trade_date.date()), str(r.symbol)) for r in rows.itertuples()]


def test_an_rc1_config_runs_exactly_as_its_name(market: pd.DataFrame):
    engine = DragonRuleEngine()
    for name, config in BRANCHES.items():
        by_name, by_config = engine.run(market, name), engine.run(market, config)
        pd.testing.assert_frame_equal(by_name.events, by_config.events)
        assert by_name.summary == by_config.summary


def test_a_custom_branch_runs_under_its_own_name_and_rules(market: pd.DataFrame):
    top1 = BranchConfig("baseline_top1", Ordering.HEIGHT_FIRST, 1)
    result = DragonRuleEngine().run(market, branch=top1)
    assert set(result.events["branch"].astype(str)) == {"baseline_top1"}
    baseline = _entries(DragonRuleEngine().run(market, "rc1_baseline"))
    assert len({day for day, _ in baseline}) < len(baseline)  # two entries on one session
    entries = _entries(result)
    assert len({day for day, _ in entries}) == len(entries)  # top_k 1: one a session
    assert entries[0] == baseline[0]


def test_run_all_takes_names_and_configs_and_keys_by_name(market: pd.DataFrame):
    top1 = BranchConfig("baseline_top1", "height_first", 1)  # type: ignore[arg-type]
    results = DragonRuleEngine().run_all(market, ["alpha_first", top1])
    assert list(results) == ["alpha_first", "baseline_top1"]
    with pytest.raises(DragonUserError, match="branch 'alpha_first' is given twice"):
        DragonRuleEngine().run_all(market, ["alpha_first", BRANCHES["alpha_first"]])


def test_a_config_ordering_may_be_given_as_its_string():
    assert BranchConfig("x", "alpha_first", 3).ordering is Ordering.ALPHA_FIRST  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ordering must be one of height_first, alpha_first"):
        BranchConfig("x", "volume_first", 3)  # type: ignore[arg-type]
