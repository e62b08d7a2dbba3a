"""``dragon demo``: the whole evening in one command, as CI and a pipe see it.

The demo runs once per module in a subprocess (``CI=true``, stdout piped) into a
directory whose name has a space and brackets — names people do use, and that a
console must print as they are.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

import pytest

from dragon_compat.cli import main
from tests.integration.builders import MARKET_END, run_dragon, snapshot

STEP_TITLES = (
    "1 · dragon daily",
    "2 · dragon-governance check",
    "3 · dragon forward --governance enforce",
    "4 · dragon report",
)
RUN_NAME = f"run-{MARKET_END.isoformat()}"


@pytest.fixture(scope="module")
def demo(
    market_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The demo's process and its run directory."""
    out = tmp_path_factory.mktemp("demo") / "my runs [demo]"
    command = ["demo", "--data", str(market_path), "--out", str(out)]
    done = run_dragon(*command, env={"CI": "true"}, timeout=600)
    return done, out / RUN_NAME


def test_demo_exits_0(demo):
    done, _ = demo
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr


def test_demo_shows_the_three_steps_in_order(demo):
    done, _ = demo
    positions = [done.stdout.find(title) for title in STEP_TITLES]
    assert -1 not in positions, done.stdout
    assert positions == sorted(positions)


def test_demo_shows_the_decision(demo):
    done, run_dir = demo
    decision = json.loads((run_dir / "rollout_decision.json").read_text(encoding="utf-8"))
    assert decision["decision"] in done.stdout
    assert decision["recommended_branch"] in done.stdout


def test_demo_ends_with_the_artifacts_path_on_one_line(demo):
    done, run_dir = demo
    last_line = done.stdout.rstrip().splitlines()[-1]
    assert last_line.endswith(str(run_dir.resolve())), done.stdout


def test_demo_shows_the_governance_command_ready_to_paste(demo):
    done, run_dir = demo
    command = ["dragon-governance", "check", str(run_dir), "--as-of", MARKET_END.isoformat()]
    assert f"$ {shlex.join(command)}" in done.stdout.splitlines(), done.stdout


def test_demo_output_has_no_ansi_escapes_when_piped(demo):
    done, _ = demo
    assert "\x1b" not in done.stdout
    assert "\x1b" not in done.stderr


def test_demo_leaves_a_complete_governed_run(demo):
    _, run_dir = demo
    for name in ("daily_manifest.json", "rollout_decision.json", "forward_plan.json"):
        assert (run_dir / name).is_file(), name
    plan = json.loads((run_dir / "forward_plan.json").read_text(encoding="utf-8"))
    decision = json.loads((run_dir / "rollout_decision.json").read_text(encoding="utf-8"))
    assert plan["mode"] == "enforce"
    assert plan["governance"]["decision_id"] == decision["decision_id"]
    assert plan["active_branch"] == decision["recommended_branch"]


def test_demo_runs_the_last_session_of_the_data(demo):
    _, run_dir = demo
    manifest = json.loads((run_dir / "daily_manifest.json").read_text(encoding="utf-8"))
    assert manifest["as_of"] == MARKET_END.isoformat()


def test_demo_again_replaces_its_own_earlier_run(
    market_path: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
):
    out = tmp_path / "demo"
    assert main(["demo", "--data", str(market_path), "--out", str(out)]) == 0
    first = snapshot(out / RUN_NAME)
    (out / RUN_NAME / "stale.txt").write_text("from an earlier demo\n", encoding="utf-8")
    assert main(["demo", "--data", str(market_path), "--out", str(out)]) == 0
    capfd.readouterr()
    assert snapshot(out / RUN_NAME) == first


def test_demo_refuses_a_run_directory_it_did_not_write(
    market_path: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
):
    foreign = tmp_path / "demo" / RUN_NAME
    foreign.mkdir(parents=True)
    (foreign / "thesis.tex").write_text("\\chapter{1}\n", encoding="utf-8")
    assert main(["demo", "--data", str(market_path), "--out", str(tmp_path / "demo")]) == 2
    assert "not a Dragon run directory" in capfd.readouterr().err
    assert snapshot(foreign) == {"thesis.tex": b"\\chapter{1}\n"}


def test_demo_writes_the_report_of_its_run_and_prints_its_path(demo):
    from dragon_compat.report import REPORT_FILE
    from dragon_compat.report.build import build_report

    done, run_dir = demo
    page = run_dir / REPORT_FILE
    assert page.read_text(encoding="utf-8") == build_report(run_dir).html
    assert f"report: {page.resolve()}" in done.stdout
