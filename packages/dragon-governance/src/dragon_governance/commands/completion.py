"""``dragon-governance completion bash|zsh``: print a shell completion script.

The script is generated from the parser itself by shtab (static: no Python runs
when the shell completes), so it always matches the installed commands and flags.
Values named ``…DIR`` (``RUN_DIR``) complete directories; ``FILE``, ``LEDGER`` and
``DECISION_JSON`` complete files. shtab is imported here only, never for
``--help``. Install, for example::

    dragon-governance completion bash \\
        > ~/.local/share/bash-completion/completions/dragon-governance
    dragon-governance completion zsh > "${fpath[1]}/_dragon-governance"
"""

from __future__ import annotations

import argparse

SHELLS = ("bash", "zsh")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")


def run(args: argparse.Namespace) -> int:
    import sys

    from dragon_governance.cli import build_parser
    from dragon_governance.completion import completion_script

    sys.stdout.write(completion_script(build_parser(), args.shell))
    return 0
