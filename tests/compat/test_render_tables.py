"""Tables printed through ``dragon_compat.render``: no word cut at any width, TSV and
Markdown shapes. (That dragon-governance's copy of these helpers is the same text is
checked in tests/integration/test_cli_habits.py.)"""

from __future__ import annotations

import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table
from rich.text import Text

from dragon_compat import render
from dragon_compat.dragon_strategy import BRANCH_NAMES

SUMMARY = {
    "total_return": 0.1074,
    "max_drawdown": 0.2317,
    "trades": 52,
    "win_rate": 0.308,
    "sessions": 250,
}


def _printed(table: Table, width: int, fmt: str = "text") -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    render.print_tables(console, [table], fmt)
    return console.file.getvalue()


def _summaries() -> dict[str, dict[str, object]]:
    return {branch: SUMMARY for branch in BRANCH_NAMES}


def test_branch_names_print_whole_at_60_columns():
    out = _printed(render.branch_summary_table(_summaries(), title="run"), 60)
    words = set(re.findall(r"[\w.%+-]+", out))
    assert set(BRANCH_NAMES) <= words and "…" not in out
    assert max(len(line) for line in out.splitlines()) <= 60


def test_a_table_that_fits_keeps_its_borders():
    out = _printed(render.branch_summary_table(_summaries(), title="run"), 120)
    assert "┃ branch" in out and "alpha_first_selective_veto │" in out


def test_a_title_longer_than_its_table_is_one_unbroken_line():
    path = "/data/vendor/exports/" + "very-long-directory-name/" * 4 + "bars.parquet"
    table = Table(title=f"real: {path} (3,588 symbols × 59 sessions)")
    table.add_column("statistic")
    table.add_row("close")
    out = _printed(table, 1_000_000)
    assert out.splitlines()[0] == f"real: {path} (3,588 symbols × 59 sessions)"


def test_a_table_slightly_too_wide_drops_its_borders_before_stacking():
    table = Table(title="orders")
    for header in ("side", "symbol", "rank", "board", "alpha", "reason"):
        table.add_column(header, no_wrap=True)
    table.add_row("BUY", "601777.SH", "5", "2", "2.393352", "SELECTED")
    table.add_row("SELL", "000824.SZ", "", "", "", "NOT_LIMIT_UP")
    out = _printed(table, 60)
    assert "│" not in out and "side symbol" in out
    assert "SELL 000824.SZ" in out and "NOT_LIMIT_UP" in out


def test_a_table_too_wide_even_without_borders_is_stacked_one_block_per_row():
    out = _printed(render.branch_summary_table(_summaries(), title="run"), 40)
    blocks = out.split("\n\n")
    assert blocks[0].strip() == "run" and len(blocks) == 1 + len(BRANCH_NAMES)
    assert all(re.search(r"^branch\s+\S+", block, re.M) for block in blocks[1:])
    assert "total return  +10.74%" in out


def test_free_text_columns_fold_and_name_columns_do_not():
    table = Table()
    table.add_column("code", no_wrap=True)
    table.add_column("message", overflow="fold")
    table.add_row("WARNING_STREAK_ESCALATED", "a long message " * 8)
    render.keep_words_whole(table)
    assert table.columns[0].min_width == len("WARNING_STREAK_ESCALATED")
    assert table.columns[1].min_width is None
    assert "WARNING_STREAK_ESCALATED" in _printed(table, 40)


_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_.0123456789ABCXYZ", min_size=1, max_size=18)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    width=st.integers(min_value=30, max_value=140),
    headers=st.lists(_WORD, min_size=1, max_size=7, unique=True),
    rows=st.lists(st.lists(_WORD, min_size=7, max_size=7), min_size=1, max_size=5),
    no_wrap=st.booleans(),
)
def test_no_cell_is_ever_cut_and_no_line_exceeds_the_width(width, headers, rows, no_wrap):
    table = Table(title="t")
    for header in headers:
        table.add_column(header, no_wrap=no_wrap)
    for row in rows:
        table.add_row(*row[: len(headers)])
    out = _printed(table, width)
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= width
    shown = set(re.findall(r"[^\s│┃┡┩━─┏┓┗┛└┘┌┐╇┼╋]+", out))
    assert {cell for row in rows for cell in row[: len(headers)]} <= shown


def test_tsv_is_the_header_then_one_tab_separated_line_per_row():
    table = Table(title="ignored", caption="ignored too")
    table.add_column("symbol")
    table.add_column("note")
    table.add_row("600000.SH", "two\twords")
    table.add_row("000001.SZ", Text("line one\nline two"))
    assert (
        render.tsv_text(table) == "symbol\tnote\n600000.SH\ttwo words\n000001.SZ\tline one line two"
    )


def test_tsv_of_a_rich_markup_cell_is_its_text():
    table = render.branch_summary_table({"strict_veto": SUMMARY}, title="run")
    lines = _printed(table, 40, "tsv").splitlines()
    assert lines[0].split("\t") == [
        "branch",
        "total return",
        "max drawdown",
        "trades",
        "win rate",
        "sessions",
    ]
    assert lines[1].split("\t") == ["strict_veto", "+10.74%", "23.17%", "52", "30.8%", "250"]


def test_markdown_has_its_title_an_alignment_row_and_escaped_pipes():
    table = Table(title="orders")
    table.add_column("symbol")
    table.add_column("rank", justify="right")
    table.add_row("a|b", "5")
    assert render.markdown_text(table).splitlines() == [
        "**orders**",
        "",
        "| symbol | rank |",
        "|---|---:|",
        "| a\\|b | 5 |",
    ]


def test_several_tables_in_tsv_are_separated_by_one_blank_line():
    one, two = Table(), Table()
    one.add_column("a")
    one.add_row("1")
    two.add_column("b")
    two.add_row("2")
    console = Console(file=io.StringIO(), width=80)
    render.print_tables(console, [one, two], "tsv")
    assert console.file.getvalue() == "a\n1\n\nb\n2\n"
