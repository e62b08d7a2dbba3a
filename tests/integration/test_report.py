"""``dragon report``: the page of a real daily run — content, determinism, errors, the extra.

The run is conftest's ``decided_run_run``: the governed run (PROCEED or HOLD), copied and
given its ``rollout_decision.json``, with a two-line ledger written by
dragon-governance itself.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dragon_compat.cli import main
from dragon_compat.report import REPORT_EXTRA_HINT, metrics
from dragon_compat.report.build import build_from, build_report, metrics_of
from dragon_compat.report.conditions import condition_tracks
from dragon_compat.report.html import CHARTS_META
from dragon_compat.report.rundata import read_run
from dragon_compat.rundir import (
    BRANCHES_DIR,
    DECISION_FILE,
    MONITOR_HEALTH_FILE,
    MONITOR_HISTORY_FILE,
    SUMMARY_FILE,
)
from tests.integration.conftest import piped_env

PLOTLY_BLOCKER = """
import importlib.abc, sys

class _NoPlotly(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "plotly" or name.startswith("plotly."):
            raise ImportError(f"blocked for the test: {name}")
        return None

sys.meta_path.insert(0, _NoPlotly())
from dragon_compat.cli import main
sys.exit(main(sys.argv[1:]))
"""
"""Run ``dragon ARGS`` as if dragon-compat were installed without its report extra."""


@pytest.fixture(scope="module")
def page(decided_run: tuple[Path, Path]) -> str:
    run_dir, ledger = decided_run
    return build_report(run_dir, ledger=ledger).html


def test_same_inputs_give_the_same_bytes_wherever_the_run_lives(decided_run, page, tmp_path):
    run_dir, ledger = decided_run
    assert build_report(run_dir, ledger=ledger).html == page
    moved = Path(shutil.copytree(run_dir, tmp_path / "elsewhere" / "run"))
    assert build_report(moved, ledger=ledger).html == page
    assert str(run_dir) not in page


def test_the_page_fetches_nothing_and_inlines_plotly_once(page):
    from plotly.offline import get_plotlyjs

    assert page.count(get_plotlyjs()) == 1
    # plotly.js itself holds URL strings (links it can draw); the page around it holds none
    ours = page.replace(get_plotlyjs(), "")
    assert re.search(r"<script[^>]*\ssrc\s*=", ours) is None
    assert re.search(r"<link\b", ours) is None
    assert re.search(r"https?://", ours) is None


def test_every_chart_is_listed_and_has_its_div(decided_run, page):
    run_dir, ledger = decided_run
    report = build_report(run_dir, ledger=ledger)
    listed = re.search(rf'<meta name="{CHARTS_META}" content="([^"]*)">', page)
    assert listed is not None
    assert tuple(listed.group(1).split()) == report.chart_ids
    run = read_run(run_dir)
    expected = {
        "chart-equity",
        "chart-event-types",
        "chart-reason-codes",
        "chart-monitor",
        "chart-timeline",
        *(f"chart-monthly-{i}" for i in range(len(run.branches))),
    }
    assert set(report.chart_ids) == expected
    for chart_id in report.chart_ids:
        assert page.count(f'<div id="{chart_id}"') == 1


def test_the_metrics_agree_with_each_branch_summary(decided_run):
    run = read_run(decided_run[0])
    for branch in run.branches:
        summary = json.loads(
            (decided_run[0] / BRANCHES_DIR / branch.name / SUMMARY_FILE).read_text(encoding="utf-8")
        )
        found = metrics_of(branch)
        assert round(found.total_return, 6) == summary["total_return"]
        assert round(found.max_drawdown, 6) == summary["max_drawdown"]
        assert round(found.win_rate or 0.0, 6) == summary["win_rate"]
        assert found.trades == summary["trades"]
        assert dict(branch.event_counts) == summary["event_counts"]


def test_the_risk_free_rate_moves_sharpe_and_sortino_only(decided_run):
    branch = read_run(decided_run[0]).branch("alpha_first")
    plain, with_rate = metrics_of(branch), metrics_of(branch, 0.02)
    returns = metrics.daily_returns(branch.equity)
    assert with_rate.sharpe == pytest.approx(metrics.sharpe(returns, 0.02))
    assert with_rate.sharpe < plain.sharpe
    assert with_rate.total_return == plain.total_return


def test_the_monitor_values_at_as_of_are_the_published_ones(decided_run):
    run = read_run(decided_run[0])
    health = json.loads((decided_run[0] / MONITOR_HEALTH_FILE).read_text(encoding="utf-8"))
    tracks = condition_tracks(run)
    assert [t.spec.id for t in tracks] == [c["id"] for c in health["conditions"]]
    for track, published in zip(tracks, health["conditions"], strict=True):
        last = float(track.value[-1])
        assert (None if np.isnan(last) else round(last, 6)) == published["value"]
        assert track.threshold == published["threshold"]
        assert bool(track.active[-1]) == published["active"]
        assert track.agrees


def test_an_edited_history_is_shown_as_published_and_flagged(decided_run, tmp_path):
    run_dir = Path(shutil.copytree(decided_run[0], tmp_path / "run"))
    history = run_dir / MONITOR_HISTORY_FILE
    lines = history.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.endswith(",W4_IDLE,false"))
    lines[index] = lines[index].replace(",false", ",true")
    history.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tracks = {t.spec.id: t for t in condition_tracks(read_run(run_dir))}
    assert not tracks["W4_IDLE"].agrees and tracks["H1_DRAWDOWN"].agrees
    assert "disagrees with the recomputed flags for W4_IDLE" in build_report(run_dir).html


def test_the_decision_shows_every_gate_and_its_evidence(decided_run, page):
    import html

    decision = json.loads((decided_run[0] / DECISION_FILE).read_text(encoding="utf-8"))
    assert decision["decision"] in page and decision["decision_id"] in page
    for gate in decision["gates"]:
        assert f"{gate['id']} {gate['name']}" in page
        for reason in gate["reasons"]:
            assert html.escape(reason["message"], quote=True) in page


def test_a_run_without_a_decision_says_how_to_take_one(full_run):
    page = build_report(full_run.run_dir).html
    assert f"This run has no {DECISION_FILE} yet" in page
    assert "chart-timeline" not in page


def test_long_series_are_reduced_and_the_page_says_so(decided_run):
    from dragon_compat.report.figures import equity_figure

    run = read_run(decided_run[0])
    sessions = run.branches[0].sessions.size
    budget = sessions // 2
    assert all(len(trace.x) <= budget for trace in equity_figure(run, budget).data)
    report = build_from(run, max_points=budget)
    assert "long series are drawn reduced" in report.html
    assert f"{sessions:,} → " in report.html
    full = build_from(run)
    assert "long series are drawn reduced" not in full.html


def test_dragon_report_writes_the_page_it_builds(decided_run, tmp_path, capsys):
    run_dir, ledger = decided_run
    out = tmp_path / "page.html"
    assert main(["report", str(run_dir), "--ledger", str(ledger), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == build_report(run_dir, ledger=ledger).html
    printed = capsys.readouterr().out
    assert str(out.resolve()) in printed.replace("\n", "")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["report", "{missing}", "--out", "{out}"], "no such run directory"),
        (["report", "{run}", "--out", "{tmp}/no/dir/page.html"], "no such directory"),
        (["report", "{run}", "--out", "{tmp}"], "is a directory"),
        (["report", "{run}", "--ledger", "{missing}", "--out", "{out}"], "no such ledger"),
    ],
)
def test_user_mistakes_exit_2_and_write_nothing(decided_run, tmp_path, capfd, arguments, message):
    values = {
        "missing": str(tmp_path / "missing"),
        "out": str(tmp_path / "page.html"),
        "run": str(decided_run[0]),
        "tmp": str(tmp_path),
    }
    assert main([a.format(**values) for a in arguments]) == 2
    assert message in capfd.readouterr().err
    assert not (tmp_path / "page.html").exists()


def test_a_risk_free_rate_outside_the_range_is_a_usage_error(decided_run, tmp_path, capfd):
    with pytest.raises(SystemExit) as stopped:
        main(["report", str(decided_run[0]), "--risk-free", "5", "--out", str(tmp_path / "p.html")])
    assert stopped.value.code == 2
    assert "an annual rate" in capfd.readouterr().err


def _without_plotly(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PLOTLY_BLOCKER, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=piped_env(),
        check=False,
        timeout=300,
    )


def test_without_the_extra_dragon_report_exits_2_naming_it(decided_run, tmp_path):
    done = _without_plotly("report", str(decided_run[0]), "--out", str(tmp_path / "p.html"))
    assert done.returncode == 2, done.stderr
    assert REPORT_EXTRA_HINT in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "p.html").exists()


def test_without_the_extra_daily_report_exits_2_before_running(market_path, tmp_path):
    run_dir = tmp_path / "run"
    done = _without_plotly(
        "daily", "--data", str(market_path), "--out", str(run_dir), "--report", "x.html"
    )
    assert done.returncode == 2, done.stderr
    assert REPORT_EXTRA_HINT in done.stderr
    assert not run_dir.exists()


def test_daily_with_report_writes_the_run_and_its_page(market_path, tmp_path, capsys):
    run_dir, out = tmp_path / "run", tmp_path / "daily.html"
    assert (
        main(["daily", "--data", str(market_path), "--out", str(run_dir), "--report", str(out)])
        == 0
    )
    assert out.read_text(encoding="utf-8") == build_report(run_dir).html
    assert str(out.resolve()) in capsys.readouterr().out.replace("\n", "")


def test_daily_can_write_its_report_into_the_run_directory_it_creates(market_path, tmp_path):
    run_dir = tmp_path / "new-run"
    page = run_dir / "page.html"
    args = ["daily", "--data", str(market_path), "--out", str(run_dir), "--report", str(page)]
    assert main(args) == 0
    assert page.read_text(encoding="utf-8") == build_report(run_dir).html


def test_daily_refuses_a_report_path_in_a_missing_folder_before_running(
    market_path, tmp_path, capfd
):
    run_dir = tmp_path / "run"
    page = tmp_path / "missing" / "page.html"
    args = ["daily", "--data", str(market_path), "--out", str(run_dir), "--report", str(page)]
    assert main(args) == 2
    assert "no such directory" in capfd.readouterr().err
    assert not run_dir.exists()
