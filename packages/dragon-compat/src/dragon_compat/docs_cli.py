"""The CLI reference of ``docs/cli.md``, generated from the two argparse parsers.

The parsers are the single source of every command, option, metavar, choice,
default and help line; this module only renders them, so the reference cannot drift
from what ``--help`` prints. :func:`dragon_cli_markdown` renders ``dragon``
(:func:`dragon_compat.cli.build_parser`), :func:`governance_cli_markdown` renders
``dragon-governance`` (:func:`dragon_governance.cli.build_parser`, imported when
called: dragon-governance is compat's optional extra). Both are registered in
:data:`dragon_compat.docs_tables.GENERATED`, so ``hatch run docs-tables`` rewrites the
page and ``hatch run docs-tables-check`` fails while it is stale.

The rendering is independent of the terminal: usage lines are formatted at a fixed,
very large width (one line each), and nothing reads ``COLUMNS``. Per command: a
heading ``dragon NAME`` (nested commands ``dragon golden check``), the one-line
description, the usage line, and a table of its arguments (positionals first, then
options in parser order) with value, default and help. ``-h``/``--help`` and the
``-q``/``-v`` pair every command takes are stated once, in the program's section.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

__all__ = ["dragon_cli_markdown", "governance_cli_markdown", "parser_markdown"]

_USAGE_WIDTH = 10_000
"""Wide enough that argparse never wraps a usage line."""

_COMMON = frozenset({"-h", "--help", "-q", "--quiet", "-v", "--verbose"})
"""Options every (sub)command has; listed once, under the program itself."""


def dragon_cli_markdown() -> str:
    """The ``dragon`` reference (every command and nested command)."""
    from dragon_compat.cli import build_parser

    return parser_markdown(build_parser())


def governance_cli_markdown() -> str:
    """The ``dragon-governance`` reference (imports dragon-governance)."""
    from dragon_governance.cli import build_parser

    return parser_markdown(build_parser())


def parser_markdown(parser: argparse.ArgumentParser) -> str:
    """Markdown for ``parser`` and every subcommand below it, depth first, in
    the order ``--help`` lists them: the program under a level-2 heading, each
    command under a level-3 one."""
    lines: list[str] = []
    for depth, name, sub, summary in _walk(parser, parser.prog, 0, parser.description):
        lines += _section(sub, name, summary, top=depth == 0)
    return "\n".join(lines).rstrip("\n") + "\n"


def _walk(
    parser: argparse.ArgumentParser, name: str, depth: int, summary: str | None
) -> Iterator[tuple[int, str, argparse.ArgumentParser, str | None]]:
    """Each parser with its full name and its description (else the help line its
    parent lists it with), depth first."""
    yield depth, name, parser, parser.description or summary
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for child_name, child in action.choices.items():
                yield from _walk(child, f"{name} {child_name}", depth + 1, helps.get(child_name))


def _section(
    parser: argparse.ArgumentParser, name: str, summary: str | None, *, top: bool
) -> list[str]:
    lines = [f"{'##' if top else '###'} `{name}`", ""]
    if summary:
        lines += [_sentence(summary), ""]
    lines += ["```", _usage(parser), "```", ""]
    rows = [_row(parser, action, top=top) for action in _arguments(parser, top=top)]
    if rows:
        lines += ["| argument | value | default | what it is |", "|---|---|---|---|"]
        lines += rows
        lines.append("")
    if top and parser.epilog:
        lines += [_sentence(parser.epilog), ""]
    return lines


def _usage(parser: argparse.ArgumentParser) -> str:
    formatter = argparse.HelpFormatter(parser.prog, width=_USAGE_WIDTH)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups)
    return formatter.format_help().strip()


def _arguments(parser: argparse.ArgumentParser, *, top: bool) -> list[argparse.Action]:
    chosen = [
        action
        for action in parser._actions
        if action.help is not argparse.SUPPRESS
        and (top or not (set(action.option_strings) & _COMMON))
    ]
    return sorted(chosen, key=lambda action: bool(action.option_strings))


def _row(parser: argparse.ArgumentParser, action: argparse.Action, *, top: bool) -> str:
    if isinstance(action, argparse._SubParsersAction):
        names = ", ".join(f"`{choice}`" for choice in action.choices)
        return f"| `{action.metavar or action.dest}` | one of {names} |  | the command |"
    return (
        f"| {_names(action)} | {_value(action)} | {_default(action)} "
        f"| {_cell(_help(parser, action))} |"
    )


def _names(action: argparse.Action) -> str:
    if not action.option_strings:
        return f"`{action.metavar or action.dest}`"
    return ", ".join(f"`{option}`" for option in action.option_strings)


def _value(action: argparse.Action) -> str:
    if action.nargs == 0:
        return ""
    if action.choices is not None:
        choices = " \\| ".join(f"`{choice}`" for choice in action.choices)
        return choices
    metavar = action.metavar if action.metavar is not None else action.dest.upper()
    value = f"`{metavar}`" if isinstance(metavar, str) else " ".join(f"`{m}`" for m in metavar)
    if action.nargs in ("*", "+") or isinstance(action, argparse._AppendAction):
        value += " (repeatable)" if isinstance(action, argparse._AppendAction) else " …"
    return value


def _default(action: argparse.Action) -> str:
    default = action.default
    if action.nargs == 0 or default is None or default is argparse.SUPPRESS:
        return ""
    if isinstance(default, (list, tuple)) and not default:
        return ""
    return f"`{default}`"


def _help(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    text = action.help or ""
    if "%" in text:
        params = {k: v for k, v in vars(action).items() if v is not argparse.SUPPRESS}
        params["prog"] = parser.prog
        text = text % params
    if action.required and action.option_strings:
        text = f"required; {text}" if text else "required"
    return _sentence(text)


def _sentence(text: str) -> str:
    """One line: whitespace runs (argparse help may span source lines) become one space."""
    return " ".join(text.split())


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
