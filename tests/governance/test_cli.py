"""The ``dragon-governance`` console script, run as a subprocess like users and CI run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dragon_governance import __version__ as governance_version
from dragon_governance import cli
from dragon_governance.reasons import CATALOGUE
from dragon_governance.schemas import SCHEMA_NAMES
from tests.governance.builders import MANIFEST, RunDir

SCRIPT = Path(sys.executable).with_name("dragon-governance")
AS_OF = ["--as-of", "2024-10-08"]
ESC = b"\x1b["


def _command(*args: str) -> list[str]:
    if SCRIPT.exists():
        return [str(SCRIPT), *args]
    return [sys.executable, "-m", "dragon_governance.cli", *args]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "FORCE_COLOR"}}
    env.update(extra)
    return env


def governance(*args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    """Run the console script in a subprocess."""
    return subprocess.run(_command(*args), capture_output=True, env=_env(**env), check=False)


@pytest.fixture
def in_process(capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch):
    """Run ``cli.main`` in this process (faster); same (returncode, stdout, stderr)."""
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "__all__")  # what main() would set

    def _run(*args: str) -> subprocess.CompletedProcess[bytes]:
        code = cli.main(list(args))
        captured = capsysbinary.readouterr()
        return subprocess.CompletedProcess(list(args), code, captured.out, captured.err)

    return _run


def _in_terminal(*args: str, **env: str) -> tuple[int, bytes]:
    """Run with stdout and stderr on a pseudo-terminal; return (exit code, output)."""
    import pty

    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        _command(*args),
        stdout=terminal,
        stderr=terminal,
        env=_env(TERM="xterm-256color", COLUMNS="120", **env),
    )
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    return process.wait(), output


@pytest.fixture
def healthy(run: RunDir) -> Path:
    return run.build()


def test_a_healthy_run_exits_0_with_the_table_and_the_panel(healthy: Path):
    done = governance("check", str(healthy), *AS_OF)
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert "Rollout gates" in out and "Rollout decision" in out
    assert "PROCEED" in out and "recommended branch: alpha_first" in out
    assert "G2" in out and "monitor_health" in out and "CONDITIONS_CLEAR" in out


def test_a_hold_exits_10(run: RunDir):
    run.set_condition("W1_DRAWDOWN", active=True, streak=2)
    assert governance("check", str(run.build()), *AS_OF).returncode == 10


def test_a_rollback_exits_20_and_names_the_fallback(run: RunDir):
    run.omitted.add("monitor_health.json")
    done = governance("check", str(run.build()), *AS_OF)
    assert done.returncode == 20
    assert b"ROLLBACK_REVIEW_REQUIRED" in done.stdout
    assert b"alpha_first_selective_veto" in done.stdout


@pytest.mark.parametrize("streak", [2, 3])
def test_exit_zero_maps_hold_and_rollback_to_0(run: RunDir, streak: int, in_process):
    run.set_condition("W1_DRAWDOWN", active=True, streak=streak)
    assert in_process("check", str(run.build()), *AS_OF, "--exit-zero").returncode == 0


def test_json_prints_only_the_decision_on_stdout(healthy: Path):
    done = governance("check", str(healthy), *AS_OF, "--json")
    assert done.returncode == 0
    assert json.loads(done.stdout)["decision"] == "PROCEED"
    assert done.stdout == (healthy / "rollout_decision.json").read_bytes()
    assert b"PROCEED" in done.stderr


def test_json_purity_holds_for_a_rollback_with_a_ledger(run: RunDir, tmp_path: Path):
    run.omitted.add(MANIFEST)
    done = governance(
        "check", str(run.build()), *AS_OF, "--json", "--ledger", str(tmp_path / "l.jsonl")
    )
    assert done.returncode == 20
    assert json.loads(done.stdout)["recommended_branch"] == "alpha_first_selective_veto"


def test_the_decision_is_written_into_the_run_dir_by_default(healthy: Path, in_process):
    in_process("check", str(healthy), *AS_OF)
    assert json.loads((healthy / "rollout_decision.json").read_text())["decision"] == "PROCEED"


def test_out_writes_the_decision_elsewhere_only(healthy: Path, tmp_path: Path, in_process):
    out = tmp_path / "decision.json"
    assert in_process("check", str(healthy), *AS_OF, "--out", str(out)).returncode == 0
    assert out.exists() and not (healthy / "rollout_decision.json").exists()


def test_without_as_of_the_evaluation_date_follows_the_shanghai_close(healthy: Path):
    before = datetime.now(UTC)
    done = governance("check", str(healthy), "--json", "--exit-zero")
    after = datetime.now(UTC)
    shanghai = timedelta(hours=8)
    possible = {
        ((moment + shanghai) - timedelta(hours=15)).date().isoformat() for moment in (before, after)
    }
    assert json.loads(done.stdout)["as_of"] in possible


def test_piped_output_is_plain_text(healthy: Path):
    done = governance("check", str(healthy), *AS_OF)
    assert ESC not in done.stdout and b"PROCEED" in done.stdout


def test_a_terminal_gets_colour(healthy: Path):
    code, output = _in_terminal("check", str(healthy), *AS_OF)
    assert code == 0 and ESC in output


def test_no_color_gives_plain_text_even_on_a_terminal(healthy: Path):
    code, output = _in_terminal("check", str(healthy), *AS_OF, NO_COLOR="1")
    assert code == 0 and ESC not in output and b"PROCEED" in output


def test_an_invalid_policy_exits_2_with_a_clear_message(healthy: Path, tmp_path: Path):
    policy = tmp_path / "p.toml"
    policy.write_text("bogus = 1\n")
    done = governance("check", str(healthy), *AS_OF, "--policy", str(policy))
    assert done.returncode == 2
    assert b"error: invalid policy" in done.stderr and b"unknown key 'bogus'" in done.stderr
    assert b"Traceback" not in done.stderr and done.stdout == b""


def test_a_missing_policy_file_exits_2(healthy: Path, tmp_path: Path, in_process):
    done = in_process("check", str(healthy), "--policy", str(tmp_path / "absent.toml"))
    assert done.returncode == 2 and b"cannot read policy" in done.stderr


def test_a_missing_run_dir_exits_2(tmp_path: Path, in_process):
    done = in_process("check", str(tmp_path / "nope"), *AS_OF)
    assert done.returncode == 2 and b"does not exist" in done.stderr


def test_a_malformed_as_of_is_a_usage_error(healthy: Path):
    done = governance("check", str(healthy), "--as-of", "2024-10-8")
    assert done.returncode == 2 and b"is not a date YYYY-MM-DD" in done.stderr


def test_an_unknown_command_is_a_usage_error():
    assert governance("bless").returncode == 2


def test_an_internal_error_exits_1(monkeypatch: pytest.MonkeyPatch, capsys, healthy: Path):
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from dragon_governance import evaluation

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(evaluation, "evaluate_run", explode)
    assert cli.main(["check", str(healthy), *AS_OF]) == 1
    assert "internal error: boom" in capsys.readouterr().err


def test_ledger_append_verify_and_history(healthy: Path, tmp_path: Path, in_process):
    ledger = tmp_path / "decisions.jsonl"
    for as_of in ("2024-10-08", "2024-10-09"):
        done = in_process("check", str(healthy), "--as-of", as_of, "--ledger", str(ledger))
        assert done.returncode in (0, 10)
    done = in_process("verify-ledger", str(ledger))
    assert done.returncode == 0 and b"2 entries, chain intact" in done.stdout
    history = in_process("history", str(ledger), "--json")
    assert [entry["seq"] for entry in json.loads(history.stdout)] == [1, 2]
    assert b"PROCEED" in in_process("history", str(ledger)).stdout


def test_verify_ledger_names_the_first_broken_line(healthy: Path, tmp_path: Path, in_process):
    ledger = tmp_path / "decisions.jsonl"
    for as_of in ("2024-10-08", "2024-10-09", "2024-10-10"):
        in_process("check", str(healthy), "--as-of", as_of, "--ledger", str(ledger))
    lines = ledger.read_text().splitlines()
    lines[1] = lines[1].replace('"run_dir":"', '"run_dir":"x')
    ledger.write_text("\n".join(lines) + "\n")
    done = in_process("verify-ledger", str(ledger))
    assert done.returncode == 3 and b"broken at line 2" in done.stderr
    assert in_process("history", str(ledger)).returncode == 3
    refused = in_process("check", str(healthy), *AS_OF, "--ledger", str(ledger))
    assert refused.returncode == 3 and b"refusing to append" in refused.stderr


def test_verify_ledger_of_a_missing_file_is_a_usage_error(tmp_path: Path, in_process):
    assert in_process("verify-ledger", str(tmp_path / "none.jsonl")).returncode == 2


def test_explain_replays_a_decision_with_its_exit_code(run: RunDir, tmp_path: Path, in_process):
    run.set_condition("W1_DRAWDOWN", active=True, streak=2)
    out = tmp_path / "decision.json"
    in_process("check", str(run.build()), *AS_OF, "--out", str(out))
    done = in_process("explain", str(out))
    assert done.returncode == 10 and b"HOLD" in done.stdout and b"Rollout gates" in done.stdout
    as_json = in_process("explain", str(out), "--json", "--exit-zero")
    assert as_json.returncode == 0 and as_json.stdout == out.read_bytes()


def test_explain_refuses_an_edited_decision(healthy: Path, tmp_path: Path, in_process):
    out = tmp_path / "decision.json"
    in_process("check", str(healthy), *AS_OF, "--out", str(out))
    out.write_text(out.read_text().replace("2024-10-08", "2024-10-09", 1))
    done = in_process("explain", str(out))
    assert done.returncode == 3 and b"decision_id" in done.stderr


@pytest.mark.parametrize("name", [n for n in SCHEMA_NAMES if n != "reasons"])
def test_schema_prints_json_schema(name: str, in_process):
    done = in_process("schema", name)
    assert done.returncode == 0
    schema = json.loads(done.stdout)
    if name == "ledger_entry":  # one line of any kind: a choice of three objects
        kinds = [alternative["$ref"].rsplit("/", 1)[1] for alternative in schema["anyOf"]]
        assert kinds == ["LegacyDecisionEntry", "DecisionEntry", "ReviewEntry"]
        assert all(schema["$defs"][kind]["type"] == "object" for kind in kinds)
    else:
        assert schema["type"] == "object"


def test_schema_reasons_lists_the_catalogue(in_process):
    listed = json.loads(in_process("schema", "reasons").stdout)
    assert [entry["code"] for entry in listed] == list(CATALOGUE)
    assert {"code", "status", "gates", "summary"} == set(listed[0])


def test_schema_of_an_unknown_name_is_a_usage_error():
    assert governance("schema", "everything").returncode == 2


def test_help_and_version_exit_0():
    assert governance("--help").returncode == 0
    lines = governance("--version").stdout.decode().splitlines()
    assert lines[0] == f"dragon-governance {governance_version}"
    assert [line.split()[0] for line in lines[1:]] == [
        "dragon-compat",
        "dragon-runtime",
        "exchange-calendars",
    ]


def test_help_imports_neither_pydantic_rich_pandas_nor_exchange_calendars():
    code = (
        "import sys\n"
        "from dragon_governance.cli import build_parser\n"
        "build_parser().format_help()\n"
        "heavy = ('pydantic', 'rich', 'pandas', 'exchange_calendars', 'shtab')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert done.stdout.strip() == b"[]"


def test_only_the_render_module_imports_rich():
    import re

    import dragon_governance

    package = Path(dragon_governance.__file__).parent
    rich_import = re.compile(r"^\s*(?:from|import) rich\b", re.MULTILINE)
    importers = {
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if rich_import.search(path.read_text(encoding="utf-8"))
    }
    assert importers == {"render.py"}
