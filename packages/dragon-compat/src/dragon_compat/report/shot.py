"""``hatch run report:shot RUN_DIR [--ledger FILE] [--out DIR]``: the browser check, by hand.

Builds RUN_DIR's report, opens it in headless Chromium
(:func:`dragon_compat.report.browser.check_report`), prints every chart's rendered
size and what went wrong if anything did, and prints the PNG screenshot's path last.
Writes ``report.html`` and ``report.png`` into ``--out`` (default: a fresh temporary
directory). Exit 0 when every chart rendered with no console error and no remote
request, 1 when not, 2 for a user error (no such run, no plotly, no Chromium).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="report:shot", description="Build a run's report and check it in headless Chromium."
    )
    p.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="a complete `dragon daily` run")
    p.add_argument("--ledger", type=Path, metavar="FILE", help="add the decision timeline")
    p.add_argument("--out", type=Path, metavar="DIR", help="where report.html/.png go")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from dragon_compat.errors import EXIT_USER, DragonUserError
    from dragon_compat.render import print_error
    from dragon_compat.report import REPORT_FILE, require_plotly

    args = parser().parse_args(argv)
    try:
        require_plotly()
        from dragon_compat.report.browser import BrowserError, check_report
        from dragon_compat.report.build import build_report, write_report

        out = args.out or Path(tempfile.mkdtemp(prefix="dragon-report-shot-"))
        out.mkdir(parents=True, exist_ok=True)
        page = write_report(build_report(args.run_dir, ledger=args.ledger), out / REPORT_FILE)
        check = check_report(page, page.with_suffix(".png"))
    except DragonUserError as err:
        print_error(str(err))
        return err.exit_code
    except BrowserError as err:
        print_error(str(err))
        return EXIT_USER
    print(f"page: {page.resolve()} ({page.stat().st_size / 1e6:.1f} MB), {check.browser}")
    for chart in check.charts:
        state = "ok" if chart.rendered else "NOT RENDERED"
        print(f"  {chart.id}: {chart.width:g}x{chart.height:g} px {state}")
    for problem in check.problems():
        print(f"problem: {problem}")
    print(check.screenshot.resolve())
    return 0 if check.ok else 1


if __name__ == "__main__":
    sys.exit(main())
