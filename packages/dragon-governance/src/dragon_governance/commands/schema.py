"""``dragon-governance schema NAME``: the JSON Schema of a file governance reads or
writes, or (``reasons``) the reason catalogue; see :mod:`dragon_governance.schemas`.
Exit 0; 2 for an unknown NAME.
"""

from __future__ import annotations

import argparse

from dragon_governance.schemas import SCHEMA_NAMES


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "Print the JSON Schema of NAME; 'reasons' prints the reason catalogue."
    parser.add_argument("name", metavar="NAME", choices=SCHEMA_NAMES, help=", ".join(SCHEMA_NAMES))


def run(args: argparse.Namespace) -> int:
    import json

    from dragon_governance.errors import EXIT_OK
    from dragon_governance.schemas import schema_document

    print(json.dumps(schema_document(args.name), indent=2, sort_keys=True, ensure_ascii=False))
    return EXIT_OK
