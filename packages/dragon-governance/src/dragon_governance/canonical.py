"""Canonical JSON: the byte form that decision ids and ledger hashes are taken over.

Canonical = ``json.dumps`` with sorted keys, separators ``,`` and ``:``, UTF-8
(non-ASCII kept as is). The pretty form written to files is the same content with
a 2-space indent and a trailing newline. Inputs are plain JSON values (dicts, lists,
str, int, float, bool, None); floats print as Python's shortest round-trip repr.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_bytes(value: Any) -> bytes:
    """The canonical UTF-8 encoding of a JSON value (no whitespace, sorted keys)."""
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def pretty_bytes(value: Any) -> bytes:
    """The file form: sorted keys, 2-space indent, UTF-8, one trailing newline."""
    text = json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def sha256_hex(data: bytes) -> str:
    """Lower-case hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()
