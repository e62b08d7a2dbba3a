"""docs/cli.md: generated from both parsers, complete, and independent of the terminal."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from dragon_compat.cli import build_parser as dragon_parser
from dragon_compat.docs_cli import dragon_cli_markdown, governance_cli_markdown, parser_markdown
from dragon_compat.docs_tables import GENERATED, find_blocks
from dragon_governance.cli import build_parser as governance_parser

ROOT = Path(__file__).resolve().parents[2]
CLI_PAGE = ROOT / "docs" / "cli.md"


Named = list[tuple[str, argparse.ArgumentParser]]


def _commands(parser: argparse.ArgumentParser, prefix: str) -> Named:
    found = [(prefix, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += _commands(child, f"{prefix} {name}")
    return found


def test_the_cli_page_is_registered_and_its_blocks_are_current() -> None:
    text = CLI_PAGE.read_text(encoding="utf-8")
    blocks = find_blocks(text, source="docs/cli.md")
    assert list(GENERATED["docs/cli.md"]) == ["cli-dragon", "cli-dragon-governance"]
    assert blocks["cli-dragon"].text == dragon_cli_markdown()
    assert blocks["cli-dragon-governance"].text == governance_cli_markdown()


@pytest.mark.parametrize(
    ("build", "prog"), [(dragon_parser, "dragon"), (governance_parser, "dragon-governance")]
)
def test_every_command_and_option_of_the_parser_is_on_the_page(build, prog) -> None:
    text = CLI_PAGE.read_text(encoding="utf-8")
    for name, parser in _commands(build(), prog):
        assert f"`{name}`\n" in text, name
        for action in parser._actions:
            for option in action.option_strings:
                assert f"`{option}`" in text, (name, option)


def test_the_reference_does_not_depend_on_the_terminal_width(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    narrow = dragon_cli_markdown()
    monkeypatch.setenv("COLUMNS", "300")
    assert dragon_cli_markdown() == narrow
    usage = next(line for line in narrow.splitlines() if line.startswith("usage: dragon daily"))
    assert "--report FILE.html" in usage  # one line, never wrapped


def test_a_parser_renders_required_choices_defaults_and_repeatable_options() -> None:
    parser = argparse.ArgumentParser(prog="tool", description="a  tool\n over lines")
    parser.add_argument("-q", "--quiet", action="store_true", help="quiet")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    go = sub.add_parser("go", help="go somewhere")
    go.add_argument("where", metavar="PLACE", help="the place | a pipe")
    go.add_argument("--speed", choices=("slow", "fast"), default="slow", help="pace")
    go.add_argument("--stop", metavar="S", action="append", help="stops")
    go.add_argument("--token", required=True, help="default %(default)s")
    go.add_argument("--quiet", action="store_true", help="listed once, under the program")
    text = parser_markdown(parser)
    assert text.startswith("## `tool`\n\na tool over lines\n")
    assert "| `COMMAND` | one of `go` |  | the command |" in text
    assert "### `tool go`\n\ngo somewhere\n" in text
    assert "| `PLACE` | `PLACE` |  | the place \\| a pipe |" in text
    assert "| `--speed` | `slow` \\| `fast` | `slow` | pace |" in text
    assert "| `--stop` | `S` (repeatable) |  | stops |" in text
    assert "| `--token` | `TOKEN` |  | required; default None |" in text
    assert text.count("`--quiet`") == 1
