"""``dragon replay`` as an operator runs it: the replay directory, its ledgers, the
printed summary, several policies side by side, the report, and the errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

from dragon_compat.replaydir import (
    DECISION_COLUMNS,
    DECISIONS_FILE,
    DIFFERENCES_FILE,
    GATE_NAMES,
    REPLAY_SUMMARY_SCHEMA,
    SUMMARY_FILE,
    ledger_file,
)
from dragon_governance.outcomes import Gate
from tests.integration.builders import DragonCli, piped_env

SPAN = ("--from", "2023-08-01", "--to", "2023-09-29")
"""Two months of the bundled sample, with decision changes in them."""


def _rows(replay_dir: Path) -> list[dict[str, str]]:
    text = (replay_dir / DECISIONS_FILE).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _patient_policy(tmp_path: Path) -> Path:
    """rc1-default with another name and a warning streak limit of 10."""
    text = (
        resources.files("dragon_governance")
        .joinpath("policies/rc1-default.toml")
        .read_text(encoding="utf-8")
    )
    text = text.replace('name = "rc1-default"', 'name = "patient"')
    text = text.replace("warning_streak_limit = 3", "warning_streak_limit = 10")
    path = tmp_path / "patient.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def replayed(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("replay") / "replay"
    done = subprocess.run(
        [sys.executable, "-m", "dragon_compat.cli", "replay", *SPAN, "--out", str(out)],
        capture_output=True,
        text=True,
        env=piped_env(),
        check=False,
        timeout=300,
    )
    return out, done


def test_a_replay_writes_decisions_ledger_and_summary(replayed):
    out, done = replayed
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [DECISIONS_FILE, SUMMARY_FILE, ledger_file("rc1-default")]
    )
    rows = _rows(out)
    assert tuple(rows[0]) == DECISION_COLUMNS
    assert rows[0]["session"] == "2023-08-01" and rows[-1]["session"] == "2023-09-28"
    summary = json.loads((out / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["schema"] == REPLAY_SUMMARY_SCHEMA
    (policy,) = summary["policies"]
    assert policy["policy"] == "rc1-default"
    assert policy["sessions"] == len(rows)
    assert sum(policy["sessions_per_decision"].values()) == len(rows)
    assert sum(policy["sessions_per_state"].values()) == len(rows)


def test_the_gate_columns_name_governance_gates():
    assert tuple(str(gate) for gate in Gate) == GATE_NAMES


def test_every_row_carries_its_gates_status_and_reason_codes(replayed):
    out, _ = replayed
    for row in _rows(out):
        for gate in GATE_NAMES:
            assert row[f"{gate}_status"] in ("PASS", "WARN", "FAIL")
            assert row[f"{gate}_reasons"]
        assert len(row["decision_id"]) == 64


def test_the_replay_ledger_verifies_and_has_one_line_per_session(replayed, tmp_path: Path):
    out, _ = replayed
    ledger = out / ledger_file("rc1-default")
    verify = subprocess.run(
        [sys.executable, "-m", "dragon_governance", "verify-ledger", str(ledger)],
        capture_output=True,
        text=True,
        env=piped_env(),
        check=False,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stderr
    lines = ledger.read_bytes().splitlines()
    rows = _rows(out)
    assert len(lines) == len(rows)
    first = json.loads(lines[0])
    assert first["recorded_at"] == f"{rows[0]['session']}T07:00:00Z"
    assert [json.loads(line)["decision_id"] for line in lines] == [r["decision_id"] for r in rows]


def test_a_rollback_keeps_the_fallback_active_to_the_end_without_a_review(replayed):
    out, _ = replayed
    rows = _rows(out)
    first_rollback = next(
        i for i, r in enumerate(rows) if r["decision"] == "ROLLBACK_REVIEW_REQUIRED"
    )
    after = rows[first_rollback:]
    assert {r["state"] for r in after} == {"ROLLED_BACK_PENDING_REVIEW"}
    assert {r["active_branch"] for r in after} == {"alpha_first_selective_veto"}
    assert {r["decision"] for r in after} != {"ROLLBACK_REVIEW_REQUIRED"}  # later calmer days


def test_a_replay_is_byte_identical_run_to_run(replayed, dragon_cli: DragonCli, tmp_path: Path):
    out, _ = replayed
    again = tmp_path / "again"
    assert dragon_cli("replay", *SPAN, "--out", again).returncode == 0
    for path in out.iterdir():
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


def test_the_printed_summary_shows_the_timeline_and_where_the_files_are(replayed):
    out, done = replayed
    assert "timeline under rc1-default" in done.stdout
    assert "ROLLBACK_REVIEW_REQUIRED" in done.stdout
    assert str(out) in done.stdout


def test_json_prints_the_summary_document(dragon_cli: DragonCli, tmp_path: Path):
    done = dragon_cli("replay", *SPAN, "--out", tmp_path / "r", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads((tmp_path / "r" / SUMMARY_FILE).read_text())


def test_two_policies_with_the_same_name_are_refused(dragon_cli: DragonCli, tmp_path: Path):
    patient = _patient_policy(tmp_path)
    done = dragon_cli("replay", *SPAN, "--out", tmp_path / "r", "--policy", patient,
                      "--policy", patient)  # fmt: skip
    assert done.returncode == 2
    assert "named 'patient'" in done.stderr
    assert not (tmp_path / "r").exists()


def test_the_default_and_a_patient_policy_differ_where_a_streak_escalates(
    dragon_cli: DragonCli, tmp_path: Path
):
    builtin = resources.files("dragon_governance").joinpath("policies/rc1-default.toml")
    default = tmp_path / "rc1-default.toml"
    default.write_text(builtin.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "two"
    done = dragon_cli(
        "replay", *SPAN, "--out", out, "--policy", default, "--policy", _patient_policy(tmp_path)
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert [p["policy"] for p in summary["policies"]] == ["rc1-default", "patient"]
    differences = list(csv.DictReader(io.StringIO((out / DIFFERENCES_FILE).read_text())))
    assert summary["differing_sessions"] == len(differences) > 0
    by_policy = {(r["policy"], r["session"]): r["decision"] for r in _rows(out)}
    for row in differences:
        assert row["rc1-default"] == by_policy["rc1-default", row["session"]]
        assert row["patient"] == by_policy["patient", row["session"]]
        assert row["rc1-default"] != row["patient"]
    assert "sessions where the policies differ" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2023-09-01", "--to", "2023-08-01"), "is after --to"),
        (("--from", "2030-01-01", "--to", "2030-02-01"), "no session in 2030-01-01"),
        (("--from", "2001-01-01", "--to", "2001-02-01"), "no session in 2001-01-01"),
    ],
)
def test_a_span_without_sessions_is_a_user_error(
    dragon_cli: DragonCli, tmp_path: Path, args: tuple[str, ...], message: str
):
    done = dragon_cli("replay", *args, "--out", tmp_path / "r")
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "r").exists()


def test_a_directory_holding_something_else_is_refused(dragon_cli: DragonCli, tmp_path: Path):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    done = dragon_cli("replay", *SPAN, "--out", out)
    assert done.returncode == 2
    assert "not a replay directory" in done.stderr


def test_a_bad_policy_file_is_a_user_error(dragon_cli: DragonCli, tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("schema = 1\n")
    done = dragon_cli("replay", *SPAN, "--out", tmp_path / "r", "--policy", bad)
    assert done.returncode == 2
    assert str(bad) in done.stderr


def test_without_governance_replay_exits_2_naming_the_extra(
    python_without_governance: Callable[[str], subprocess.CompletedProcess[str]],
    tmp_path: Path,
):
    source = (
        "import sys\n"
        "from dragon_compat.cli import main\n"
        f"sys.argv = ['dragon', 'replay', '--from', '2023-08-01', '--to', '2023-08-10', "
        f"'--out', {str(tmp_path / 'r')!r}]\n"
        "sys.exit(main())\n"
    )
    done = python_without_governance(source)
    assert done.returncode == 2
    assert "pip install 'dragon-compat[governance]'" in done.stderr
    assert not (tmp_path / "r").exists()


def test_report_replay_draws_the_replay_timeline(
    replayed, eve_run, dragon_cli: DragonCli, tmp_path: Path
):
    out, _ = replayed
    page = tmp_path / "report.html"
    done = dragon_cli("report", eve_run.run_dir, "--replay", out, "--out", page)
    assert done.returncode == 0, done.stderr
    html = page.read_text(encoding="utf-8")
    assert "chart-timeline" in html
    assert "from the replay" in html


def test_report_takes_a_ledger_or_a_replay_not_both(
    replayed, eve_run, dragon_cli: DragonCli, tmp_path: Path
):
    out, _ = replayed
    done = dragon_cli(
        "report", eve_run.run_dir, "--replay", out, "--ledger", out / ledger_file("rc1-default"),
        "--out", tmp_path / "r.html",
    )  # fmt: skip
    assert done.returncode == 2
    assert "not both" in done.stderr


def test_replay_report_writes_the_last_session_page(dragon_cli: DragonCli, tmp_path: Path):
    out = tmp_path / "r"
    page = out / "report.html"
    done = dragon_cli("replay", *SPAN, "--out", out, "--report", page)
    assert done.returncode == 0, done.stderr
    html = page.read_text(encoding="utf-8")
    assert "as of 2023-09-28" in html
    assert "chart-timeline" in html


def test_a_symbolic_link_among_the_files_written_is_refused(dragon_cli: DragonCli, tmp_path: Path):
    out = tmp_path / "r"
    assert dragon_cli("replay", *SPAN, "--out", out).returncode == 0
    target = tmp_path / "elsewhere.csv"
    target.write_text("mine\n")
    (out / DECISIONS_FILE).unlink()
    (out / DECISIONS_FILE).symlink_to(target)
    done = dragon_cli("replay", *SPAN, "--out", out)
    assert done.returncode == 2
    assert "symbolic link" in done.stderr
    assert target.read_text() == "mine\n"
