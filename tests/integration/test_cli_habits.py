"""Both console scripts tried as a new user tries them: a 60-column terminal, a pipe
into a pager, cron without a terminal, ``NO_COLOR=1``, ``| head``; ``--json``,
``--format``, ``-q``/``-v``, ``python -m``, ``--version``, completion, and
``dragon golden`` outside a repository.

Everything runs the real console scripts in subprocesses (:mod:`tests.terminal`)
on the integration market's eve run (read-only) or a private copy of it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import dragon_compat.render
import dragon_governance.render
from dragon_compat.cli_json import DAILY_SCHEMA, RUN_SCHEMA, VALIDATE_SCHEMA
from dragon_compat.data.write import write_bars
from dragon_compat.dragon_strategy import BRANCH_NAMES
from dragon_compat.errors import EXIT_BROKEN_PIPE
from dragon_compat.pipelines.daily import DailyRun
from dragon_compat.sample import generate_market
from dragon_governance.session_calendar import CACHE_ENV
from tests.integration.builders import EVE_SESSION
from tests.terminal import (
    ESC,
    clean_env,
    cron_env,
    in_terminal,
    plain,
    read_one_line_then_close,
    script,
)

REPO = Path(__file__).resolve().parents[2]
DRAGON = script("dragon")
GOVERNANCE = script("dragon-governance")


def _run(command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """Run piped (stdout and stderr not terminals), output as text."""
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=clean_env(env),
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=300,
    )


def _one_json_document(stdout: str) -> object:
    """The single JSON value ``stdout`` holds (fails on anything before or after it)."""
    value, end = json.JSONDecoder().raw_decode(stdout)
    assert stdout[end:] == "\n", f"after the document: {stdout[end : end + 80]!r}"
    return value


def _plan_symbols(run_dir: Path) -> set[str]:
    plan = json.loads((run_dir / "forward_plan.json").read_text(encoding="utf-8"))
    return {order["symbol"] for side in ("entries", "exits") for order in plan["orders"][side]}


@pytest.fixture
def run_dir(eve_run: DailyRun, tmp_path: Path) -> Path:
    return Path(shutil.copytree(eve_run.run_dir, tmp_path / "run"))


@pytest.fixture(scope="module")
def broken_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bars file with thousands of findings: every open price negated."""
    path = tmp_path_factory.mktemp("broken") / "bars.csv"
    bars = generate_market(60, 60, 5)
    bars["open"] = -bars["open"]
    write_bars(bars, path)
    return path


# --- a 60-column terminal ------------------------------------------------------------------


def test_at_60_columns_branch_names_print_whole(market_path: Path, tmp_path: Path):
    code, output = in_terminal(
        [
            *DRAGON,
            "daily",
            "--data",
            str(market_path),
            "--as-of",
            EVE_SESSION.isoformat(),
            "--out",
            str(tmp_path / "run"),
        ],
        columns=60,
    )
    text = plain(output)
    assert code == 0, text
    assert set(BRANCH_NAMES) <= set(re.findall(r"\w+", text))
    assert "…" not in text and "alpha_…" not in text


def test_at_60_columns_symbols_keep_their_exchange_suffix(orders_copy: Path):
    code, output = in_terminal(
        [*DRAGON, "forward", str(orders_copy), "--governance", "off"], columns=60
    )
    text = plain(output)
    assert code == 0, text
    symbols = _plan_symbols(orders_copy)
    assert symbols and symbols <= set(re.findall(r"\d{6}\.(?:SH|SZ|BJ)", text))
    assert "…" not in text


def test_at_60_columns_every_reason_code_prints_whole(run_dir: Path):
    code, output = in_terminal(
        [*GOVERNANCE, "check", str(run_dir), "--as-of", EVE_SESSION.isoformat(), "--exit-zero"],
        columns=60,
    )
    text = plain(output)
    assert code == 0, text
    decision = json.loads((run_dir / "rollout_decision.json").read_text(encoding="utf-8"))
    codes = {reason["code"] for gate in decision["gates"] for reason in gate["reasons"]}
    assert codes <= set(re.findall(r"[A-Z0-9_]+", text))
    assert decision["recommended_branch"] in re.findall(r"\w+", text)
    assert decision["decision_id"] in text.split()


# --- a pipe into a pager: never wrapped at a fixed width ---------------------------------------


def test_piped_output_is_plain_and_never_wrapped(market_path: Path, tmp_path: Path):
    out = tmp_path / ("a-run-directory-with-a-name-long-enough-to-pass-80-columns-" * 2)
    done = _run(
        [
            *DRAGON,
            "daily",
            "--data",
            str(market_path),
            "--as-of",
            EVE_SESSION.isoformat(),
            "--out",
            str(out),
        ]
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout
    lines = done.stdout.splitlines()
    assert any(line.startswith("artifacts: ") and str(out) in line for line in lines)
    divergence = [line for line in lines if line.startswith("divergence vs ")]
    assert len(divergence) == 1 and "(alignment " in divergence[0], done.stdout
    assert max(len(line) for line in lines) > 80  # nothing folded it at 80


def test_governance_gate_evidence_is_not_split_when_piped(run_dir: Path):
    done = _run(
        [*GOVERNANCE, "check", str(run_dir), "--as-of", EVE_SESSION.isoformat(), "--exit-zero"]
    )
    decision = json.loads((run_dir / "rollout_decision.json").read_text(encoding="utf-8"))
    for gate in decision["gates"]:
        for reason in gate["reasons"]:
            assert f"{reason['code']}: {reason['message']}" in done.stdout


# --- cron: no terminal anywhere, a minimal environment ---------------------------------------


def test_cron_runs_the_evening_without_a_terminal(
    market_path: Path, tmp_path: Path, governance_cache_dir: Path
):
    env = cron_env(tmp_path, {CACHE_ENV: str(governance_cache_dir)})
    run = tmp_path / "run"
    steps = [
        [
            *DRAGON,
            "daily",
            "--data",
            str(market_path),
            "--as-of",
            EVE_SESSION.isoformat(),
            "--out",
            str(run),
        ],
        [*GOVERNANCE, "check", str(run), "--as-of", EVE_SESSION.isoformat(), "--exit-zero"],
        [*DRAGON, "forward", str(run), "--governance", "enforce"],
    ]
    for command in steps:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=env,
            check=False,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr.decode()
        assert ESC not in done.stdout + done.stderr
        assert b"Traceback" not in done.stderr
    assert (run / "forward_plan.json").is_file()


# --- NO_COLOR: not one escape sequence, even on a terminal ----------------------------------


@pytest.mark.parametrize(
    "arguments",
    [
        ["forward", "{run}", "--governance", "off"],
        ["run", "--data", "{market}", "--branch", "strict_veto", "--out", "{tmp}/out"],
        ["daily", "--data", "{market}", "--as-of", "2024-09-30", "--out", "{tmp}/daily"],
    ],
    ids=["forward", "run", "daily"],
)
def test_no_color_turns_every_style_off_on_a_terminal(
    arguments: list[str], run_dir: Path, market_path: Path, tmp_path: Path
):
    command = [
        *DRAGON,
        *(a.format(run=run_dir, market=market_path, tmp=tmp_path) for a in arguments),
    ]
    styled_code, styled = in_terminal(command)
    assert styled_code == 0 and ESC in styled  # the same command is styled without NO_COLOR
    code, output = in_terminal(command, env={"NO_COLOR": "1"})
    assert code == 0 and ESC not in output, output[:400]


def test_no_color_wins_over_force_color(run_dir: Path):
    done = _run([*DRAGON, "forward", str(run_dir), "--governance", "off"], FORCE_COLOR="1")
    assert "\x1b[" in done.stdout
    done = _run(
        [*DRAGON, "forward", str(run_dir), "--governance", "off"], FORCE_COLOR="1", NO_COLOR="1"
    )
    assert "\x1b[" not in done.stdout and "active branch" in done.stdout


# --- | head: a closed pipe ends the command quietly with 141 ---------------------------------


@pytest.mark.parametrize("output", [[], ["--format", "tsv"], ["--format", "md"], ["--json"]])
def test_a_reader_that_closes_early_gives_141_without_a_traceback(
    broken_csv: Path, output: list[str]
):
    command = [*DRAGON, "validate", "--data", str(broken_csv), "--max-errors", "0", *output]
    code, first, errors = read_one_line_then_close(command)
    assert first
    assert code == EXIT_BROKEN_PIPE, errors.decode()
    assert b"Traceback" not in errors and b"Exception ignored" not in errors


def test_validate_into_head_exits_141_under_pipefail(broken_csv: Path):
    shell = (
        f"set -o pipefail; {' '.join(DRAGON)} validate --data {broken_csv} --max-errors 0 | head -2"
    )
    done = subprocess.run(
        ["bash", "-c", shell], capture_output=True, env=clean_env(), check=False, timeout=300
    )
    assert done.returncode == EXIT_BROKEN_PIPE, done.stderr.decode()
    assert len(done.stdout.splitlines()) == 2 and b"Traceback" not in done.stderr


# --- --json: exactly one document on stdout --------------------------------------------------


def test_validate_json_of_a_valid_file(market_path: Path):
    done = _run([*DRAGON, "validate", "--data", str(market_path), "--json"])
    document = _one_json_document(done.stdout)
    assert done.returncode == 0
    assert document["schema"] == VALIDATE_SCHEMA and document["valid"] is True
    assert document["summary"]["sessions"] == 60 and document["error_count"] == 0
    assert all(e["severity"] == "WARNING" for e in document["errors"])


def test_validate_json_of_an_invalid_file_exits_2_with_the_findings(broken_csv: Path):
    done = _run([*DRAGON, "validate", "--data", str(broken_csv), "--json", "--max-errors", "3"])
    document = _one_json_document(done.stdout)
    assert done.returncode == 2 and done.stderr.startswith("error: ")
    assert document["valid"] is False and document["summary"] is None
    assert len(document["errors"]) == 3 and document["error_count"] > 3
    assert {"source", "row", "column", "rule", "severity", "value", "note"} == set(
        document["errors"][0]
    )
    assert document["errors"][0]["rule"] in document["rules"]


def test_run_json(market_path: Path, tmp_path: Path):
    out = tmp_path / "out"
    done = _run(
        [
            *DRAGON,
            "run",
            "--data",
            str(market_path),
            "--branch",
            "strict_veto",
            "--out",
            str(out),
            "--json",
        ]
    )
    document = _one_json_document(done.stdout)
    assert done.returncode == 0, done.stderr
    assert document["schema"] == RUN_SCHEMA and document["branch"] == "strict_veto"
    assert document["summary"] == json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(document["files"]) == {"events.csv", "trades.csv", "equity.csv", "summary.json"}


def test_daily_json(market_path: Path, tmp_path: Path):
    done = _run(
        [
            *DRAGON,
            "daily",
            "--data",
            str(market_path),
            "--as-of",
            EVE_SESSION.isoformat(),
            "--out",
            str(tmp_path / "run"),
            "--json",
        ]
    )
    document = _one_json_document(done.stdout)
    assert done.returncode == 0, done.stderr
    assert document["schema"] == DAILY_SCHEMA and document["as_of"] == EVE_SESSION.isoformat()
    assert set(document["branches"]) == set(BRANCH_NAMES)
    health = json.loads((tmp_path / "run" / "monitor_health.json").read_text(encoding="utf-8"))
    assert document["monitor"]["health"] == health
    assert Path(document["manifest"]).is_file()


def test_forward_json_is_the_plan_file(run_dir: Path):
    done = _run([*DRAGON, "forward", str(run_dir), "--governance", "off", "--json"])
    assert done.returncode == 0, done.stderr
    _one_json_document(done.stdout)
    assert done.stdout == (run_dir / "forward_plan.json").read_text(encoding="utf-8")
    assert "forward_plan.json" in done.stderr  # where it was written: a note on stderr


def test_json_and_format_are_exclusive(run_dir: Path):
    done = _run([*DRAGON, "forward", str(run_dir), "--json", "--format", "tsv"])
    assert done.returncode == 2 and "not allowed with" in done.stderr


# --- --format tsv|md ----------------------------------------------------------------------------


def test_daily_tsv_is_two_tables_and_nothing_else(market_path: Path, tmp_path: Path):
    done = _run(
        [
            *DRAGON,
            "daily",
            "--data",
            str(market_path),
            "--as-of",
            EVE_SESSION.isoformat(),
            "--out",
            str(tmp_path / "run"),
            "--format",
            "tsv",
        ]
    )
    assert done.returncode == 0, done.stderr
    summary, monitor = done.stdout.rstrip("\n").split("\n\n")
    rows = [line.split("\t") for line in summary.splitlines()]
    assert rows[0][0] == "branch" and [row[0] for row in rows[1:]] == list(BRANCH_NAMES)
    assert all(len(row) == len(rows[0]) for row in rows)
    assert monitor.splitlines()[0].split("\t")[:3] == ["condition", "tier", "active"]
    assert "artifacts: " in done.stderr and "artifacts: " not in done.stdout


def test_forward_md_is_a_markdown_table(orders_copy: Path):
    done = _run([*DRAGON, "forward", str(orders_copy), "--governance", "off", "--format", "md"])
    lines = done.stdout.splitlines()
    assert lines[2] == "| side | symbol | shares | price | notional | limits | rank | reason |"
    assert lines[3] == "|---|---|---:|---:|---:|---:|---:|---|"
    assert len(lines) == 4 + len(_plan_symbols(orders_copy))


# --- -q and -v -----------------------------------------------------------------------------------


def test_quiet_leaves_only_results_and_verbose_shows_timed_steps(market_path: Path, tmp_path: Path):
    base = [
        *DRAGON,
        "daily",
        "--data",
        str(market_path),
        "--as-of",
        EVE_SESSION.isoformat(),
        "--format",
        "tsv",
    ]
    quiet = _run([*base, "--out", str(tmp_path / "q"), "-q"])
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout.startswith("branch\t")
    verbose = _run([*DRAGON, "-v", *base[1:], "--out", str(tmp_path / "v")])
    steps = re.findall(r"^\[\s*\d+\.\d{3}s\] (.+): \d+\.\d{3} s$", verbose.stderr, re.M)
    assert "load and validate data" in steps and "manifest" in steps
    assert f"branch {BRANCH_NAMES[0]}" in steps


def test_quiet_and_verbose_together_are_a_usage_error():
    done = _run([*DRAGON, "validate", "--data", "x.csv", "-q", "-v"])
    assert done.returncode == 2 and "not allowed with" in done.stderr


def test_governance_quiet_hides_the_ledger_note(run_dir: Path, tmp_path: Path):
    ledger = tmp_path / "ledger.jsonl"
    check = [
        *GOVERNANCE,
        "check",
        str(run_dir),
        "--as-of",
        EVE_SESSION.isoformat(),
        "--exit-zero",
        "--json",
        "--ledger",
        str(ledger),
    ]
    assert "appended seq 1" in _run(check).stderr
    quiet = _run([*check, "-q"])
    assert quiet.returncode == 0 and quiet.stderr == ""
    _one_json_document(quiet.stdout)


# --- python -m, --version, completion -------------------------------------------------------------


@pytest.mark.parametrize("module", ["dragon_compat", "dragon_governance"])
def test_python_m_runs_the_console_script(module: str):
    done = _run([sys.executable, "-m", module, "--version"])
    assert done.returncode == 0
    names = [line.split()[0] for line in done.stdout.splitlines()]
    assert names[0] == module.replace("_", "-")
    assert set(names) == {
        "dragon-compat",
        "dragon-governance",
        "dragon-runtime",
        "exchange-calendars",
    }


def test_version_says_not_installed_for_an_absent_distribution():
    from dragon_compat.versions import version_report

    report = version_report("dragon-compat", ("dragon-compat", "no-such-distribution"))
    assert report.splitlines()[1] == "no-such-distribution not installed"


@pytest.mark.parametrize("cli", [DRAGON, GOVERNANCE], ids=["dragon", "dragon-governance"])
def test_bash_completion_is_valid_bash_listing_the_commands(cli: list[str], tmp_path: Path):
    done = _run([*cli, "completion", "bash"])
    assert done.returncode == 0, done.stderr
    path = tmp_path / "completion.bash"
    path.write_text(done.stdout, encoding="utf-8")
    syntax = subprocess.run(["bash", "-n", str(path)], capture_output=True, check=False)
    assert syntax.returncode == 0, syntax.stderr
    for command in ("check", "history") if cli == GOVERNANCE else ("validate", "daily", "golden"):
        assert command in done.stdout


@pytest.mark.parametrize("cli", [DRAGON, GOVERNANCE], ids=["dragon", "dragon-governance"])
def test_zsh_completion_is_a_compdef(cli: list[str]):
    done = _run([*cli, "completion", "zsh"])
    assert done.returncode == 0 and done.stdout.startswith("#compdef ")


# --- dragon golden outside a repository ---------------------------------------------------------


def test_golden_outside_a_repository_says_what_it_is_and_how_to_point_it(tmp_path: Path):
    done = subprocess.run(
        [*DRAGON, "golden", "check"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(),
        check=False,
        timeout=300,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "Golden freezes RC1" in done.stderr
    assert "--golden-dir DIR" in done.stderr and "DRAGON_GOLDEN_DIR" in done.stderr


def test_golden_dir_from_the_environment(tmp_path: Path):
    done = subprocess.run(
        [*DRAGON, "golden", "check"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env({"DRAGON_GOLDEN_DIR": str(REPO / "golden" / "rc1")}),
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("golden holds: ")


def test_a_golden_dir_that_is_not_one_is_named(tmp_path: Path):
    done = _run([*DRAGON, "golden", "--golden-dir", str(tmp_path), "check"])
    assert done.returncode == 2
    assert str(tmp_path) in done.stderr and "not a golden directory" in done.stderr


# --- one presentation rule, two distributions ------------------------------------------------


def _shared_block(module: object) -> str:
    source = Path(module.__file__).read_text(encoding="utf-8")  # type: ignore[attr-defined]
    start = source.index("\n", source.index("# --- shared with "))
    return source[start : source.index("# --- end of the shared block")]


def test_the_table_and_console_helpers_are_the_same_in_both_distributions():
    """Governance imports nothing from compat, so the helpers are repeated; they must
    not drift apart."""
    assert len(_shared_block(dragon_compat.render)) > 2000
    assert _shared_block(dragon_compat.render) == _shared_block(dragon_governance.render)
