"""``dragon config show [--config FILE] [FLAG ...]``: the resolved project configuration.

Prints which configuration file is used (``--config``, ``DRAGON_CONFIG``, or
``dragon.toml`` in the working directory) and every setting with its value and where
it came from: ``default``, ``PATH:LINE`` of the file, ``env NAME`` or ``flag --name``.
The flags a command would be given (``--data``, ``--out``, ...) may be passed to see
them override the file. Exit 0, or 2 for a configuration file with an unknown key or
a bad value.
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    from dragon_compat.config import SETTINGS

    sub = parser.add_subparsers(dest="config_action", metavar="ACTION", required=True)
    show = sub.add_parser("show", help="each setting's value and where it came from")
    show.add_argument(
        "--config",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="the configuration file (default: $DRAGON_CONFIG, else ./dragon.toml)",
    )
    for setting in SETTINGS:
        repeat = setting.kind == "paths"
        show.add_argument(
            setting.flag,
            dest=setting.overridden_by,
            action="append" if repeat else "store",
            metavar="FILE" if "path" in setting.kind else "VALUE",
            help=f"as the commands take it (default: {setting.default})",
        )


def run(args: argparse.Namespace) -> int:
    from dragon_compat.config import SETTINGS, find_config, load_config, resolve
    from dragon_compat.render import print_config, stdout

    config = load_config(find_config(getattr(args, "config", None)))
    flags = {setting.overridden_by: getattr(args, setting.overridden_by) for setting in SETTINGS}
    print_config(stdout(), config, resolve(config, flags))
    return 0
