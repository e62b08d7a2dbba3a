"""Generated README tables: each README block equals its generator, and the tool works.

A threshold changed in code but not regenerated into the READMEs fails
``test_every_readme_block_equals_its_generator``; ``hatch run docs-tables`` fixes it.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dragon_compat import docs_tables
from dragon_compat.docs_tables import GENERATED, check, find_blocks, main, splice
from dragon_compat.errors import DragonUserError
from dragon_compat.exit_rule import RC1_EXIT_POLICY, ExitPolicy, exit_rule_markdown
from dragon_compat.features import feature_constants_markdown
from dragon_compat.monitor.conditions import CONDITIONS, conditions_markdown, series_of
from dragon_compat.monitor.config import RC1_MONITOR
from dragon_compat.monitor.divergence import divergence_markdown
from dragon_governance.policy import builtin_policy_bytes, parse_policy, policy_markdown

ROOT = Path(__file__).resolve().parents[2]
COMPAT_README = "packages/dragon-compat/README.md"


def test_every_readme_block_equals_its_generator() -> None:
    assert check(ROOT) == []


def test_the_tool_finds_this_checkout() -> None:
    assert docs_tables.repository_root() == ROOT


def test_every_registered_readme_exists_and_holds_its_blocks_in_registry_order() -> None:
    for relative, tables in GENERATED.items():
        text = (ROOT / relative).read_text(encoding="utf-8")
        assert list(find_blocks(text, source=relative)) == list(tables)


def _copy_readmes(tmp_path: Path) -> Path:
    for relative in GENERATED:
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / relative, target)
    return tmp_path


def test_a_hand_edited_block_is_stale_and_write_restores_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy_readmes(tmp_path)
    readme = root / COMPAT_README
    original = readme.read_bytes()
    edited = original.replace(b"value > 0.2 (`hard_drawdown`)", b"value > 0.25 (`hard_drawdown`)")
    assert edited != original
    readme.write_bytes(edited)

    assert main(["--root", str(root)]) == docs_tables.EXIT_STALE
    assert f"stale generated table: {COMPAT_README}: monitor-conditions" in capsys.readouterr().err

    assert main(["--root", str(root), "--write"]) == 0
    assert readme.read_bytes() == original
    assert main(["--root", str(root)]) == 0


def test_a_changed_threshold_no_longer_matches_the_readme() -> None:
    text = (ROOT / COMPAT_README).read_text(encoding="utf-8")
    block = find_blocks(text, source=COMPAT_README)["monitor-conditions"].text
    retuned = dataclasses.replace(RC1_MONITOR, hard_drawdown=0.25)
    assert conditions_markdown(retuned) != block
    assert "value > 0.25 (`hard_drawdown`)" in conditions_markdown(retuned)


def test_splice_replaces_only_the_blocks_and_is_idempotent() -> None:
    text = "head\n<!-- generated:a -->\nold\n<!-- /generated:a -->\nmiddle\n<!-- generated:b -->\n"
    text += "<!-- /generated:b -->\ntail\n"
    tables = {"a": lambda: "| new a |\n", "b": lambda: "| new b |\n"}
    once = splice(text, tables, source="X.md")
    assert once == (
        "head\n<!-- generated:a -->\n| new a |\n<!-- /generated:a -->\nmiddle\n"
        "<!-- generated:b -->\n| new b |\n<!-- /generated:b -->\ntail\n"
    )
    assert splice(once, tables, source="X.md") == once


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<!-- generated:a -->\nx\n", "'a' is never closed"),
        ("x\n<!-- /generated:a -->\n", "closing marker of generated block 'a' without"),
        (
            "<!-- generated:a -->\n<!-- generated:b -->\n<!-- /generated:b -->\n",
            "'a' is not closed before block 'b' opens",
        ),
        (
            "<!-- generated:a -->\n<!-- /generated:a -->\n<!-- generated:a -->\n"
            "<!-- /generated:a -->\n",
            "'a' appears twice",
        ),
    ],
)
def test_malformed_markers_are_user_errors_naming_file_and_block(text: str, message: str) -> None:
    with pytest.raises(DragonUserError, match=message) as caught:
        find_blocks(text, source="X.md")
    assert str(caught.value).startswith("X.md: ")


def test_unknown_and_missing_blocks_are_user_errors() -> None:
    tables = {"a": lambda: "t\n"}
    with pytest.raises(DragonUserError, match=r"X.md: generated block\(s\) zz have no generator"):
        splice("<!-- generated:zz -->\n<!-- /generated:zz -->\n", tables, source="X.md")
    with pytest.raises(DragonUserError, match=r"X.md: generated block\(s\) a missing"):
        splice("no markers\n", tables, source="X.md")


def test_a_missing_readme_exits_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "cannot read:" in err


def test_exit_rule_table_follows_the_policy() -> None:
    table = exit_rule_markdown(ExitPolicy(stop_loss_percent=90, max_hold_sessions=7))
    assert "close ≤ 90% of the entry price (`close_c * 100 <= 90 * entry_price_c`" in table
    assert "held for ≥ 7 of the symbol's trading sessions" in table
    rows = [line.split(" | ")[1] for line in exit_rule_markdown().splitlines()[2:6]]
    assert rows == ["`STOP_LOSS`", "`BOARD_BROKEN`", "`NOT_LIMIT_UP`", "`MAX_HOLD`"]
    assert f"{RC1_EXIT_POLICY.stop_loss_percent}%" in exit_rule_markdown()


def test_divergence_table_follows_the_config() -> None:
    retuned = dataclasses.replace(RC1_MONITOR, control_drifting=0.65, comparison_window_sessions=30)
    table = divergence_markdown(retuned)
    assert "alignment_ratio ≥ 0.65 (`control_drifting`)" in table
    assert table.startswith("Window: the last 30 sessions (`comparison_window_sessions`)")
    for band in RC1_MONITOR.divergence_bands:
        assert (
            f"| divergence `{band.level}` | entry_jaccard ≥ {band.min_entry_jaccard} and "
            f"abs(return_gap) ≤ {band.max_abs_return_gap}"
        ) in divergence_markdown()


def test_feature_constants_table_shows_the_module_values() -> None:
    from dragon_compat import features

    for line in feature_constants_markdown().splitlines()[2:]:
        name, value = line.split(" | ")[0].strip("| `"), line.split(" | ")[1]
        assert value == f"{getattr(features, name):,}"


def test_policy_table_shows_the_policy_files_values() -> None:
    custom = builtin_policy_bytes().replace(
        b"warning_streak_limit = 3", b"warning_streak_limit = 4"
    )
    assert custom != builtin_policy_bytes()
    table = policy_markdown(parse_policy(custom, "custom.toml"))
    assert "| `warning_streak_limit` | 4 | int ≥ 1; G2:" in table
    assert "| `warning_streak_limit` | 3 | int ≥ 1; G2:" in policy_markdown()


@pytest.mark.parametrize("spec", CONDITIONS, ids=lambda spec: spec.id)
@given(
    values=st.lists(
        st.one_of(st.floats(-2, 40, allow_nan=False), st.just(float("nan"))), max_size=30
    )
)
def test_a_condition_is_active_exactly_when_its_comparison_holds(spec, values) -> None:
    value = np.asarray(values, dtype=float)
    series = series_of(spec, value, RC1_MONITOR)
    threshold = getattr(RC1_MONITOR, spec.threshold)
    assert series.threshold == threshold
    expected = [
        not np.isnan(v) and {">": v > threshold, "<": v < threshold, "≥": v >= threshold}[spec.op]
        for v in values
    ]
    assert series.active.tolist() == expected
