"""Which market a command runs on: ``--data FILE`` or the bundled sample.

Every command that reads bars (``dragon run``, ``dragon daily``, ``dragon golden``)
resolves its input here, so the file's identity (path and sha256, recorded in run
manifests) and the loading rules live in one place.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dragon_compat.data import load_bars
from dragon_compat.data.load import SideTables
from dragon_compat.errors import DragonUserError

__all__ = ["MarketInput", "file_sha256", "load_market"]

_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes; :class:`DragonUserError` if it cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError as err:
        raise DragonUserError(f"{path}: cannot read the file ({err.strerror or err})") from err
    return digest.hexdigest()


@dataclass(frozen=True, eq=False)
class MarketInput:
    """A loaded, validated market: its file, the file's sha256 and the normalized bars."""

    path: Path
    sha256: str
    bars: pd.DataFrame
    bundled: bool

    @property
    def label(self) -> str:
        """How to name the input to a person: the path, or "bundled sample"."""
        return f"bundled sample ({self.path.name})" if self.bundled else str(self.path)


def load_market(data: str | Path | None, *, side_table: SideTables = None) -> MarketInput:
    """Load and validate ``data`` (the bundled sample when None).

    Raises :class:`DragonUserError` naming the file and every broken rule.
    """
    bundled = data is None
    if data is None:
        from dragon_compat.sample import bundled_sample_path

        path = bundled_sample_path()
    else:
        path = Path(data)
    if not path.is_file():
        raise DragonUserError(f"{path}: no such data file")
    bars = load_bars(path, side_table=side_table)
    return MarketInput(path=path, sha256=file_sha256(path), bars=bars, bundled=bundled)
