"""``dragon.toml``, branch files and roles through the ``dragon`` CLI, on the hand-made
plan market (tests.compat.plan_builders)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.compat.plan_builders import AS_OF, PlanFiles, write_plan_market
from tests.integration.builders import DragonCli

BRANCHES = """\
[[branch]]
name = "rc1_baseline"
ordering = "height_first"
top_k = "all"

[[branch]]
name = "strict_veto"
ordering = "height_first"
top_k = "all"
selective_vetoes = ["W1_BROKEN_RATE", "W2_LIMIT_DOWNS", "W3_HEIGHT_SPACE", "V1_TURNOVER_SPIKE"]

[[branch]]
name = "baseline_top1"
ordering = "height_first"
top_k = 1
"""

CONFIG = """\
data = "market/bars_cut.csv"
side_tables = ["market/st.csv"]
branches = "branches.toml"
run_dir = "runs/{as_of}"
ledger = "governance/ledger.jsonl"

[roles]
candidate = "baseline_top1"
reference = "rc1_baseline"
control = "strict_veto"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project directory: the market under market/, a branch file and dragon.toml."""
    write_plan_market(tmp_path / "market")
    (tmp_path / "branches.toml").write_text(BRANCHES, encoding="utf-8")
    (tmp_path / "dragon.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def _manifest(run_dir: Path) -> dict:
    return json.loads((run_dir / "daily_manifest.json").read_text(encoding="utf-8"))


def test_dragon_daily_takes_data_branches_roles_and_run_dir_from_dragon_toml(
    project: Path, dragon_cli: DragonCli
):
    done = dragon_cli("daily", cwd=project)
    assert done.returncode == 0, done.stderr
    manifest = _manifest(project / "runs" / AS_OF.isoformat())
    assert manifest["branches"] == ["rc1_baseline", "strict_veto", "baseline_top1"]
    assert (
        manifest["candidate_branch"],
        manifest["reference_branch"],
        manifest["control_branch"],
    ) == ("baseline_top1", "rc1_baseline", "strict_veto")
    assert [(i["role"], Path(i["path"]).name) for i in manifest["inputs"]] == [
        ("bars", "bars_cut.csv"),
        ("side_table", "st.csv"),
        ("branches", "branches.toml"),
    ]


def test_flags_override_dragon_toml(project: Path, dragon_cli: DragonCli):
    done = dragon_cli(
        "daily", "--candidate", "strict_veto", "--control", "baseline_top1", "--out", "elsewhere",
        cwd=project,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    manifest = _manifest(project / "elsewhere")
    assert (manifest["candidate_branch"], manifest["control_branch"]) == (
        "strict_veto",
        "baseline_top1",
    )
    assert not (project / "runs").exists()


def test_dragon_config_show_names_where_each_value_came_from(project: Path, dragon_cli: DragonCli):
    done = dragon_cli(
        "config", "show", "--data", "mine.csv", cwd=project,
        env={"DRAGON_LEDGER": "env.jsonl"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    cells = [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in done.stdout.splitlines()
        if line.startswith("│")
    ]
    rows = {row[0]: [row[0], row[1], *row[2].split()] for row in cells}
    toml = "dragon.toml"  # as it was found: in the working directory
    assert rows["data"][1:] == ["mine.csv", "flag", "--data"]
    assert rows["ledger"][1:] == ["env.jsonl", "env", "DRAGON_LEDGER"]
    assert rows["branches"][1:] == [str(project / "branches.toml"), f"{toml}:3"]
    assert rows["roles.control"][1:] == ["strict_veto", f"{toml}:10"]
    assert rows["policy"][-1] == "default"
    assert f"configuration: {Path('dragon.toml')} (working directory)" in done.stdout


def test_an_unknown_key_in_dragon_toml_exits_2_naming_it(project: Path, dragon_cli: DragonCli):
    toml = project / "dragon.toml"
    toml.write_text('colour = "red"\n' + CONFIG, encoding="utf-8")
    for command in (("daily",), ("config", "show")):
        done = dragon_cli(*command, cwd=project)
        assert done.returncode == 2, command
        assert "Traceback" not in done.stderr
        assert "dragon.toml:1: unknown key 'colour'" in " ".join(done.stderr.split())


def test_config_given_with_the_flag_is_read_from_anywhere(
    project: Path, dragon_cli: DragonCli, tmp_path_factory: pytest.TempPathFactory
):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    done = dragon_cli("daily", "--config", project / "dragon.toml", cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    assert (project / "runs" / AS_OF.isoformat() / "daily_manifest.json").is_file()


def test_a_bad_branch_file_exits_2_naming_file_key_and_rule(project: Path, dragon_cli: DragonCli):
    (project / "branches.toml").write_text(BRANCHES.replace("top_k = 1", "top_k = 0"))
    done = dragon_cli("daily", cwd=project)
    assert done.returncode == 2
    message = " ".join(done.stderr.split())
    assert (
        "branches.toml: branch 3, line 12 ('baseline_top1'): key 'top_k': 0 is not an integer"
        in (message)
    )
    assert not (project / "runs").exists()


def test_a_role_that_is_not_a_branch_exits_2(project: Path, dragon_cli: DragonCli):
    done = dragon_cli("daily", "--reference", "alpha_first", cwd=project)
    assert done.returncode == 2
    assert "--reference 'alpha_first': not a branch of" in " ".join(done.stderr.split())


def test_dragon_run_takes_a_branch_of_the_branch_file(project: Path, dragon_cli: DragonCli):
    done = dragon_cli("run", "--branch", "baseline_top1", "--out", "one", cwd=project)
    assert done.returncode == 0, done.stderr
    summary = json.loads((project / "one" / "summary.json").read_text(encoding="utf-8"))
    assert summary["branch"] == "baseline_top1"
    refused = dragon_cli("run", "--branch", "alpha_first", "--out", "two", cwd=project)
    assert refused.returncode == 2
    assert "unknown branch 'alpha_first' in" in " ".join(refused.stderr.split())


def test_validate_takes_its_data_from_dragon_toml(project: Path, dragon_cli: DragonCli):
    done = dragon_cli("validate", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "bars_cut.csv: valid" in done.stdout
    (project / "dragon.toml").unlink()
    missing = dragon_cli("validate", cwd=project)
    assert missing.returncode == 2
    assert "give --data FILE (or set data in dragon.toml)" in missing.stderr


def test_daily_without_out_or_run_dir_says_where_to_give_it(project: Path, dragon_cli: DragonCli):
    (project / "dragon.toml").write_text(
        textwrap.dedent(CONFIG).replace('run_dir = "runs/{as_of}"\n', ""), encoding="utf-8"
    )
    done = dragon_cli("daily", cwd=project)
    assert done.returncode == 2
    assert "give --out RUN_DIR (or set run_dir in dragon.toml)" in done.stderr


def test_the_default_run_has_rc1s_four_branches_and_roles(dragon_cli: DragonCli, tmp_path: Path):
    files = PlanFiles(tmp_path)
    done = dragon_cli("daily", "--data", files.cut, "--side-table", files.side, "--out", "run",
                      cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    manifest = _manifest(tmp_path / "run")
    assert manifest["branches"] == [
        "rc1_baseline", "alpha_first", "alpha_first_selective_veto", "strict_veto"
    ]  # fmt: skip
    assert manifest["candidate_branch"] == "alpha_first"
