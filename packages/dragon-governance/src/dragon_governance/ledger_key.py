"""The key of a keyed ledger: ``--key-file FILE`` or ``DRAGON_LEDGER_KEY_FILE``.

The key is the file's bytes with trailing whitespace (a final newline) removed; it
must be at least ``KEY_MIN_BYTES`` long (e.g. ``head -c 32 /dev/urandom | base64 >
ledger.key``). The file is read like every other input (a regular file, at most
``KEY_MAX_BYTES``). ``--key-file`` wins over the environment variable; with neither
the ledger is plain (unkeyed). Keep the key outside the run directories and the
ledger's own directory: whoever can read it can rewrite the ledger.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from dragon_governance.errors import GovernanceUserError
from dragon_governance.regular_file import Refusal, read_bytes

KEY_ENV = "DRAGON_LEDGER_KEY_FILE"
KEY_MIN_BYTES = 16
KEY_MAX_BYTES = 4096


def read_key(path: str | os.PathLike[str]) -> bytes:
    """The key in ``path``; ``GovernanceUserError`` (exit 2) naming the file and rule."""
    source = Path(path)
    if os.fspath(path) == "":
        raise GovernanceUserError("the ledger key file is an empty string: give its path")
    try:
        data = read_bytes(source, limit=KEY_MAX_BYTES)
    except Refusal as refusal:
        detail = refusal.reason if refusal.reason is not None else refusal.detail
        raise GovernanceUserError(f"cannot read ledger key {source}: {detail}") from None
    key = data.rstrip()
    if len(key) < KEY_MIN_BYTES:
        raise GovernanceUserError(
            f"ledger key {source} holds {len(key)} bytes; a key needs at least {KEY_MIN_BYTES}"
        )
    return key


def resolve_key(
    key_file: str | os.PathLike[str] | None, environ: Mapping[str, str] | None = None
) -> bytes | None:
    """The key from ``key_file``, else from ``$DRAGON_LEDGER_KEY_FILE``, else None."""
    env = os.environ if environ is None else environ
    chosen = key_file if key_file is not None else env.get(KEY_ENV)
    return None if chosen is None else read_key(chosen)


__all__ = ["KEY_ENV", "KEY_MAX_BYTES", "KEY_MIN_BYTES", "read_key", "resolve_key"]
