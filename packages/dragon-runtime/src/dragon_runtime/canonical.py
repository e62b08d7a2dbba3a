"""Canonical output: byte-stable CSV and JSON, sha256, atomic writes.

Canonical form (this package's README, "Outputs"): UTF-8, ``\\n`` line ends, a header row, rows
sorted (events by trade_date, phase OPEN before CLOSE, seq; trades by entry_date,
trade_id; equity by trade_date), prices and money with 2 decimals from exact cents,
ratios with 6 decimals, integers plain, dates ``YYYY-MM-DD``, empty string for
null; text fields quoted (RFC 4180) only when they hold ``,``, ``"`` or a line
break. JSON: sorted keys, 2-space indent, UTF-8, trailing newline.

Files are written atomically: a temporary file in the target directory, flushed
and fsynced, then ``os.replace`` — a reader never sees half a file. The temporary
file is named ``.dragon-tmp-<name>-XXXXXXXX`` (:data:`ATOMIC_TEMP_PREFIX`), so the
one a killed process leaves behind is recognisable and a later run can remove it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dragon_runtime.payloads import (
    EQUITY_SCHEMA,
    EVENT_SCHEMA,
    TRADE_SCHEMA,
    ColumnKind,
)
from dragon_runtime.reasons import Phase

__all__ = [
    "ATOMIC_TEMP_PREFIX",
    "atomic_write",
    "canonical_json",
    "equity_csv",
    "events_csv",
    "render_branch_outputs",
    "sha256_hex",
    "table_csv",
    "trades_csv",
    "write_branch_outputs",
]

_PHASE_ORDER = {str(Phase.OPEN): 0, str(Phase.CLOSE): 1}


_NEEDS_QUOTES = re.compile(r'[,"\n\r]')


def _text(column: pd.Series) -> list[str]:
    null = column.isna().tolist()
    out = ["" if n else str(v) for v, n in zip(column.astype(object).tolist(), null, strict=True)]
    return [f'"{v.replace(chr(34), chr(34) * 2)}"' if _NEEDS_QUOTES.search(v) else v for v in out]


def _date(column: pd.Series) -> list[str]:
    days = pd.to_datetime(column, errors="raise").to_numpy(dtype="datetime64[D]")
    text = np.datetime_as_string(days, unit="D")
    return ["" if t == "NaT" else t for t in text.tolist()]


def _int(column: pd.Series) -> list[str]:
    floats = pd.to_numeric(column, errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
    null = np.isnan(floats)
    if not np.array_equal(floats[~null], np.round(floats[~null])):
        raise ValueError(f"integer column {column.name!r} holds a non-integer value")
    ints = np.where(null, 0, floats).astype(np.int64).tolist()
    return ["" if n else str(v) for v, n in zip(ints, null.tolist(), strict=True)]


def _cents(column: pd.Series) -> list[str]:
    floats = pd.to_numeric(column, errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
    null = np.isnan(floats)
    cents = np.rint(np.where(null, 0.0, floats) * 100).astype(np.int64).tolist()
    return [
        "" if n else f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}"
        for c, n in zip(cents, null.tolist(), strict=True)
    ]


def _ratio(column: pd.Series) -> list[str]:
    floats = pd.to_numeric(column, errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
    null = np.isnan(floats).tolist()
    return ["" if n else f"{v + 0.0:.6f}" for v, n in zip(floats.tolist(), null, strict=True)]


_FORMATTERS: dict[ColumnKind, Callable[[pd.Series], list[str]]] = {
    ColumnKind.TEXT: _text,
    ColumnKind.DATE: _date,
    ColumnKind.INT: _int,
    ColumnKind.PRICE: _cents,
    ColumnKind.MONEY: _cents,
    ColumnKind.RATIO: _ratio,
}


def table_csv(frame: pd.DataFrame, schema: Sequence[tuple[str, ColumnKind]]) -> str:
    """Canonical CSV text of ``frame`` in ``schema`` column order (rows as given).

    Raises ``ValueError`` naming the missing columns when ``frame`` lacks any, or
    the column when an integer column holds a fraction.
    """
    names = [name for name, _ in schema]
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise ValueError(f"table lacks column(s) {missing}")
    columns = [_FORMATTERS[kind](frame[name]) for name, kind in schema]
    lines = [",".join(names)]
    lines.extend(",".join(cells) for cells in zip(*columns, strict=True))
    return "\n".join(lines) + "\n"


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys, kind="stable", ignore_index=True) if len(frame) else frame


def _day_key(column: pd.Series) -> np.ndarray:
    return pd.to_datetime(column, errors="raise").to_numpy(dtype="datetime64[D]")


def events_csv(events: pd.DataFrame) -> str:
    """``events.csv`` text, rows sorted by (trade_date, phase OPEN<CLOSE, seq)."""
    keyed = events.assign(
        _date=_day_key(events["trade_date"]),
        _phase=events["phase"].map(_PHASE_ORDER),
        _seq=events["seq"].astype("Int64"),
    )
    return table_csv(_sorted(keyed, ["_date", "_phase", "_seq"]), EVENT_SCHEMA)


def trades_csv(trades: pd.DataFrame) -> str:
    """``trades.csv`` text, rows sorted by (entry_date, trade_id)."""
    keyed = trades.assign(_date=_day_key(trades["entry_date"]))
    return table_csv(_sorted(keyed, ["_date", "trade_id"]), TRADE_SCHEMA)


def equity_csv(equity: pd.DataFrame) -> str:
    """``equity.csv`` text, rows sorted by trade_date."""
    keyed = equity.assign(_date=_day_key(equity["trade_date"]))
    return table_csv(_sorted(keyed, ["_date"]), EQUITY_SCHEMA)


def canonical_json(payload: Any) -> str:
    """JSON with sorted keys, 2-space indent, non-ASCII kept, trailing newline.

    NaN/inf are refused (``ValueError``): they are not JSON.
    """
    return json.dumps(payload, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def sha256_hex(data: bytes | str) -> str:
    """Hex sha256 of ``data`` (text is encoded as UTF-8)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


_FILE_MODE = 0o666

ATOMIC_TEMP_PREFIX = ".dragon-tmp-"
"""How the name of every temporary file :func:`atomic_write` creates begins: the file
``events.csv`` is written through ``.dragon-tmp-events.csv-XXXXXXXX`` in its directory.
Such a file outlives the write only when the process is killed mid-write; nothing
else names a file this way, so a caller may delete any file carrying the prefix in a
directory it owns (when no write of its own is in progress)."""


def _current_umask() -> int:
    """The process umask (read by setting it and restoring it at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> str:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; returns its sha256.

    The temporary file lives in the target directory so ``os.replace`` is atomic,
    is named :data:`ATOMIC_TEMP_PREFIX` + the target's name + ``-`` + 8 random
    characters, and is removed if anything fails (a kill leaves it behind). The file
    gets the permissions a plain ``open(path, "w")`` would (0666 less the umask), not
    mkstemp's private 0600.
    """
    target = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    handle, temp_name = tempfile.mkstemp(
        prefix=f"{ATOMIC_TEMP_PREFIX}{target.name}-", dir=target.parent
    )
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(handle, _FILE_MODE & ~_current_umask())
        with os.fdopen(handle, "wb") as stream:
            stream.write(raw)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return sha256_hex(raw)


def render_branch_outputs(
    *,
    events: pd.DataFrame,
    trades: pd.DataFrame,
    equity: pd.DataFrame,
    summary: Mapping[str, Any],
) -> dict[str, str]:
    """A branch's four RC1 files as canonical text, ``{file name: text}`` in
    :data:`~dragon_runtime.payloads.OUTPUT_FILES` order."""
    return {
        "events.csv": events_csv(events),
        "trades.csv": trades_csv(trades),
        "equity.csv": equity_csv(equity),
        "summary.json": canonical_json(dict(summary)),
    }


def write_branch_outputs(
    directory: str | os.PathLike[str],
    *,
    events: pd.DataFrame,
    trades: pd.DataFrame,
    equity: pd.DataFrame,
    summary: Mapping[str, Any],
) -> dict[str, str]:
    """Write a branch's ``events.csv trades.csv equity.csv summary.json`` into
    ``directory`` (created if needed) in canonical form; returns
    ``{file name: sha256}``. All four texts are rendered before any file is written.
    """
    texts = render_branch_outputs(events=events, trades=trades, equity=equity, summary=summary)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    return {name: atomic_write(folder / name, text) for name, text in texts.items()}
