"""The project configuration ``dragon.toml``: keys, checks, precedence and sources."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dragon_compat.config import (
    COMMAND_SETTINGS,
    SETTINGS,
    apply_config,
    find_config,
    load_config,
    resolve,
    run_dir_for,
)
from dragon_compat.errors import DragonUserError

EXAMPLE = Path(__file__).parents[2] / "packages" / "dragon-compat" / "examples" / "dragon.toml"

FULL = """\
data = "data/bars.parquet"
side_tables = ["data/st.csv", "/abs/sector.csv"]
branches = "branches.toml"
run_dir = "runs/{as_of}"
ledger = "governance/ledger.jsonl"
policy = "governance/policy.toml"
sessions = "sessions.txt"

[roles]
candidate = "strict_veto"
reference = "rc1_baseline"
control = "alpha_first_selective_veto"
"""


def _config(tmp_path: Path, text: str) -> Path:
    target = tmp_path / "dragon.toml"
    target.write_text(textwrap.dedent(text), encoding="utf-8")
    return target


def _load(path: Path):
    return load_config((path, "--config"))


def test_every_key_is_read_with_its_line_and_paths_relative_to_the_file(tmp_path: Path):
    config = _load(_config(tmp_path, FULL))
    assert config.values == {
        "data": (str(tmp_path / "data/bars.parquet"), 1),
        "side_tables": ((str(tmp_path / "data/st.csv"), "/abs/sector.csv"), 2),
        "branches": (str(tmp_path / "branches.toml"), 3),
        "run_dir": (str(tmp_path / "runs/{as_of}"), 4),
        "ledger": (str(tmp_path / "governance/ledger.jsonl"), 5),
        "policy": (str(tmp_path / "governance/policy.toml"), 6),
        "sessions": (str(tmp_path / "sessions.txt"), 7),
        "roles.candidate": ("strict_veto", 10),
        "roles.reference": ("rc1_baseline", 11),
        "roles.control": ("alpha_first_selective_veto", 12),
    }


def test_the_shipped_example_is_a_valid_configuration():
    config = _load(EXAMPLE)
    assert set(config.values) == {setting.key for setting in SETTINGS}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('data = "x"\ndat = "y"\n', ":2: unknown key 'dat' (the keys are data, side_tables, "),
        ('[roles]\nfallback = "x"\n', ":2: unknown key 'roles.fallback'"),
        ("[report]\nrisk_free = 0.02\n", ":2: unknown key 'report.risk_free'"),
        ("data = 3\n", ":1: key 'data': 3 is not a non-empty string (a path)"),
        ('data = ""\n', ":1: key 'data': '' is not a non-empty string"),
        ('side_tables = "st.csv"\n', ":1: key 'side_tables': 'st.csv' is not a list"),
        ('run_dir = "runs/{date}"\n', ":1: key 'run_dir': 'runs/{date}' is not a path whose only"),
        ('run_dir = "runs/{as_of"\n', ":1: key 'run_dir'"),
        ('[roles]\ncandidate = "has space"\n', ":2: key 'roles.candidate': 'has space' is not"),
        ("data = [\n", "not valid TOML"),
    ],
)
def test_a_bad_configuration_names_file_line_key_and_rule(tmp_path: Path, text: str, message: str):
    target = _config(tmp_path, text)
    with pytest.raises(DragonUserError) as caught:
        _load(target)
    assert caught.value.exit_code == 2
    assert str(caught.value).startswith(str(target))
    assert message in str(caught.value)


def test_a_dotted_roles_key_is_the_roles_table(tmp_path: Path):
    config = _load(_config(tmp_path, 'roles.candidate = "strict_veto"\n'))
    assert config.values == {"roles.candidate": ("strict_veto", 1)}


# --- where the file comes from ---------------------------------------------------------------


def test_the_file_is_the_flag_then_the_environment_then_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    flag, env = _config(tmp_path, 'data = "a"\n'), tmp_path / "env.toml"
    env.write_text('data = "b"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert find_config(str(flag), {"DRAGON_CONFIG": str(env)}) == (flag, "--config")
    assert find_config(None, {"DRAGON_CONFIG": str(env)}) == (env, "env DRAGON_CONFIG")
    assert find_config(None, {}) == (Path("dragon.toml"), "working directory")
    flag.unlink()
    assert find_config(None, {}) is None


def test_a_configuration_named_but_missing_is_an_error(tmp_path: Path):
    with pytest.raises(
        DragonUserError, match=r"nowhere\.toml: no such configuration file \(--config"
    ):
        find_config(str(tmp_path / "nowhere.toml"), {})
    with pytest.raises(DragonUserError, match=r"\(env DRAGON_CONFIG\)"):
        find_config(None, {"DRAGON_CONFIG": str(tmp_path / "nowhere.toml")})


# --- precedence ------------------------------------------------------------------------------


def test_a_flag_beats_the_environment_which_beats_the_file_which_beats_the_default(
    tmp_path: Path,
):
    config = _load(
        _config(tmp_path, 'data = "file.csv"\nledger = "file.jsonl"\npolicy = "p.toml"\n')
    )
    env = {"DRAGON_DATA": "env.csv", "DRAGON_LEDGER": "env.jsonl"}
    flags = {"data": "flag.csv"}
    got = {r.setting.key: (r.value, r.source) for r in resolve(config, flags, env=env)}
    assert got["data"] == ("flag.csv", "flag --data")
    assert got["ledger"] == ("env.jsonl", "env DRAGON_LEDGER")
    assert got["policy"] == (str(tmp_path / "p.toml"), f"{tmp_path / 'dragon.toml'}:3")
    assert got["branches"] == (None, "default")


def test_side_tables_from_the_environment_are_separated_by_the_path_separator(tmp_path: Path):
    env = {"DRAGON_SIDE_TABLES": os.pathsep.join(["a.csv", "b.csv"])}
    (side,) = resolve(load_config(None), {}, ("side_tables",), env=env)
    assert (side.value, side.source) == (("a.csv", "b.csv"), "env DRAGON_SIDE_TABLES")


def test_a_bad_environment_value_names_the_variable():
    with pytest.raises(DragonUserError, match="env DRAGON_CANDIDATE: 'a b' is not a branch name"):
        resolve(load_config(None), {}, ("roles.candidate",), env={"DRAGON_CANDIDATE": "a b"})


def test_out_overrides_the_run_dir_pattern(tmp_path: Path):
    config = _load(_config(tmp_path, 'run_dir = "runs/{as_of}"\n'))
    (run_dir,) = resolve(config, {"out": "here"}, ("run_dir",), env={})
    assert (run_dir.value, run_dir.source) == ("here", "flag --out")


def test_the_run_dir_pattern_is_filled_with_the_session():
    assert run_dir_for("runs/{as_of}/day", "2024-01-08") == Path("runs/2024-01-08/day")


def test_apply_config_fills_only_the_commands_own_unset_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("DRAGON_CONFIG", raising=False)
    for setting in SETTINGS:
        monkeypatch.delenv(setting.env, raising=False)
    target = _config(tmp_path, FULL)
    args = argparse.Namespace(
        command="daily", config=str(target), data="given.csv", side_table=None, branches=None,
        candidate=None, reference="alpha_first", control=None, out=None, policy=None,
    )  # fmt: skip
    apply_config(args)
    assert args.data == "given.csv"
    assert args.side_table == [str(tmp_path / "data/st.csv"), "/abs/sector.csv"]
    assert (args.candidate, args.reference) == ("strict_veto", "alpha_first")
    assert args.run_dir_pattern == str(tmp_path / "runs/{as_of}")
    assert not hasattr(args, "ledger")  # dragon daily takes no ledger
    forward = argparse.Namespace(command="forward", config=str(target), ledger=None, policy=None)
    apply_config(forward)
    assert forward.ledger == str(tmp_path / "governance/ledger.jsonl")
    assert not hasattr(forward, "data")


def test_every_command_setting_is_a_known_key():
    keys = {setting.key for setting in SETTINGS}
    assert all(set(settings) <= keys for settings in COMMAND_SETTINGS.values())


def test_dragon_help_reads_no_configuration_and_imports_no_toml_parser():
    code = (
        "import sys\n"
        "sys.modules.pop('tomllib', None)  # coverage's start-up hook may have read its config\n"
        "from dragon_compat.cli import build_parser\n"
        "build_parser().format_help()\n"
        "print(sorted(m for m in ('tomllib', 'pydantic') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert done.stdout.strip() == b"[]"
