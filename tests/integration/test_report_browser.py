"""The report in a real browser: headless Chromium renders every chart, logs no error,
fetches nothing, and a PNG screenshot is saved.

Chromium is Debian's ``chromium`` (``.ci/run`` installs it). This test is never
skipped: without a Chromium it fails and says what to install.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dragon_compat.report import REPORT_FILE
from dragon_compat.report.browser import check_report, find_chromium
from dragon_compat.report.build import build_report, write_report
from dragon_compat.report.shot import main as shot

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def checked(decided_run, tmp_path_factory: pytest.TempPathFactory):
    run_dir, ledger = decided_run
    out = tmp_path_factory.mktemp("browser")
    report = build_report(run_dir, ledger=ledger)
    page = write_report(report, out / REPORT_FILE)
    return report, check_report(page, out / "report.png")


def test_a_chromium_is_installed():
    assert Path(find_chromium()).name  # raises BrowserError naming the package when missing


def test_every_chart_rendered_an_svg_or_canvas_of_non_zero_size(checked):
    report, check = checked
    assert [chart.id for chart in check.charts] == list(report.chart_ids)
    for chart in check.charts:
        assert chart.rendered, chart
        assert chart.width > 100 and chart.height > 100, chart


def test_the_console_shows_no_error_and_nothing_is_fetched(checked):
    _, check = checked
    assert check.console_errors == ()
    assert check.remote_requests == ()
    assert check.ok, check.problems()


def test_a_full_page_png_screenshot_is_saved(checked):
    _, check = checked
    data = check.screenshot.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    assert width == 1280 and height > 2000  # the whole page, not one viewport


def test_a_chart_that_cannot_draw_is_reported(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta name="dragon-report-charts" content="chart-x">'
        "</head><body><div id=\"chart-x\"></div><script>console.error('boom')</script>"
        "</body></html>",
        encoding="utf-8",
    )
    check = check_report(page, tmp_path / "broken.png", timeout=3)
    assert not check.ok
    assert check.problems() == ["chart chart-x did not render (0x0)", "console error: boom"]


def test_report_shot_prints_the_png_path_last(decided_run, tmp_path, capsys):
    run_dir, _ = decided_run
    assert shot([str(run_dir), "--out", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == str((tmp_path / "report.png").resolve())
    assert (tmp_path / "report.png").read_bytes().startswith(PNG_SIGNATURE)
