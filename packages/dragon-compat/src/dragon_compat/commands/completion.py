"""``dragon completion bash|zsh``: print a shell completion script for ``dragon``.

The script is generated from the parser itself by shtab (static: no Python runs
when the shell completes), so it always matches the installed commands and flags.
Options whose value is a file or directory (metavar ``FILE``/``DIR``, e.g.
``--data FILE``, ``--out RUN_DIR``) complete paths. shtab is imported here only,
never for ``dragon --help``. Install, for example::

    dragon completion bash > ~/.local/share/bash-completion/completions/dragon
    dragon completion zsh > "${fpath[1]}/_dragon"
"""

from __future__ import annotations

import argparse

SHELLS = ("bash", "zsh")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")


def run(args: argparse.Namespace) -> int:
    import sys

    from dragon_compat.cli import build_parser
    from dragon_compat.completion import completion_script

    sys.stdout.write(completion_script(build_parser(), args.shell))
    return 0
