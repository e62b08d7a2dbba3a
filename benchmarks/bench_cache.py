"""The generated benchmark market, cached on disk between runs.

Generating 5,000 symbols × 2,500 sessions takes minutes, so it is done once per
key and kept under ``<cache-dir>/market-<symbols>x<sessions>-seed<seed>-compat<version>/``:

- ``bars.parquet`` — the whole market, as :func:`dragon_compat.data.write.write_bars`
  writes it (zstd, symbol and sector dictionary-encoded → categorical on read);
- ``bars-csv-<rows>.csv`` — the CSV copy: the first whole sessions holding at most
  ``<rows>`` rows (``all`` = every row), native layout;
- ``market.json`` / ``bars-csv-<rows>.json`` — what was written (rows, sessions,
  bytes, generation and write seconds). A file counts as cached only when its
  JSON exists, so an interrupted generation is redone, never half-used.

The key is (symbols, sessions, seed, installed dragon-compat version), as the
issue asks; ``--regenerate`` rebuilds when the generator changed without a
version bump. This module uses the standard library only (the parent process of
the benchmark stays light); the work itself runs in a ``market`` worker.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

DIST = "dragon-compat"


@dataclass(frozen=True)
class MarketKey:
    """What identifies a cached market."""

    symbols: int
    sessions: int
    seed: int
    compat_version: str

    @property
    def folder_name(self) -> str:
        return f"market-{self.symbols}x{self.sessions}-seed{self.seed}-compat{self.compat_version}"


@dataclass(frozen=True)
class CachedMarket:
    """Paths and facts of a cached market; ``generated`` is True when this run built it."""

    folder: Path
    parquet: Path
    csv: Path
    market: dict[str, Any]
    csv_facts: dict[str, Any]
    generated: bool


def market_key(symbols: int, sessions: int, seed: int) -> MarketKey:
    """The cache key with the installed dragon-compat version."""
    return MarketKey(symbols, sessions, seed, version(DIST))


def ensure_market(
    cache_dir: Path,
    key: MarketKey,
    csv_rows: int,
    build: Callable[[Path, Path], dict[str, Any]],
    *,
    regenerate: bool = False,
) -> CachedMarket:
    """The cached market for ``key``, built by ``build(parquet, csv)`` where missing.

    ``build`` writes whichever of the two files does not exist and returns the
    facts of what it wrote (``{"parquet": {...}, "csv": {...}}``, each optional).
    """
    folder = cache_dir / key.folder_name
    if regenerate and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    csv_name = f"bars-csv-{csv_rows or 'all'}"
    parquet, csv = folder / "bars.parquet", folder / f"{csv_name}.csv"
    market_json, csv_json = folder / "market.json", folder / f"{csv_name}.json"
    if not market_json.exists():  # no complete market: nothing derived from it counts
        for stale in (parquet, csv, csv_json):
            stale.unlink(missing_ok=True)
    if not csv_json.exists():
        csv.unlink(missing_ok=True)
    generated = False
    if not (market_json.exists() and csv_json.exists()):
        built = build(parquet, csv)
        if "parquet" in built:
            generated = True
            _write_json(market_json, {**vars(key), **built["parquet"]})
        if "csv" in built:
            _write_json(csv_json, {"csv_rows_requested": csv_rows, **built["csv"]})
    return CachedMarket(
        folder=folder,
        parquet=parquet,
        csv=csv,
        market=json.loads(market_json.read_text()),
        csv_facts=json.loads(csv_json.read_text()),
        generated=generated,
    )


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    os.replace(temporary, path)
