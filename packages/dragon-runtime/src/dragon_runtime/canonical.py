"""Canonical output: byte-stable CSV and JSON, sha256, atomic writes.

Canonical form (rc1-strategy.md §7): UTF-8, ``\\n`` line ends, a header row, rows
sorted (events by trade_date, phase OPEN before CLOSE, seq; trades by entry_date,
trade_id; equity by trade_date), prices and money with 2 decimals from exact cents,
ratios with 6 decimals, integers plain, dates ``YYYY-MM-DD``, empty string for
null; text fields quoted (RFC 4180) only when they hold ``,``, ``"`` or a line
break. JSON: sorted keys, 2-space indent, UTF-8, trailing newline.

Files are written atomically: a temporary file in the target directory, flushed
and fsynced, then ``os.replace`` — a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from dragon_runtime.payloads import (
    EQUITY_SCHEMA,
    EVENT_SCHEMA,
    TRADE_SCHEMA,
    ColumnKind,
)
from dragon_runtime.reasons import Phase

__all__ = [
    "atomic_write",
    "canonical_json",
    "equity_csv",
    "events_csv",
    "sha256_hex",
    "table_csv",
    "trades_csv",
    "write_branch_outputs",
]

_PHASE_ORDER = {str(Phase.OPEN): 0, str(Phase.CLOSE): 1}


def _is_null(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _text(value: Any) -> str:
    if _is_null(value):
        return ""
    text = str(value)
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _date(value: Any) -> str:
    if _is_null(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _int(value: Any) -> str:
    if _is_null(value):
        return ""
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"integer column holds non-integer value {value!r}")
    return str(int(value))


def _cents(value: Any) -> str:
    if _is_null(value):
        return ""
    cents = round(float(value) * 100)
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def _ratio(value: Any) -> str:
    if _is_null(value):
        return ""
    return f"{float(value) + 0.0:.6f}"


_FORMATTERS: dict[ColumnKind, Callable[[Any], str]] = {
    ColumnKind.TEXT: _text,
    ColumnKind.DATE: _date,
    ColumnKind.INT: _int,
    ColumnKind.PRICE: _cents,
    ColumnKind.MONEY: _cents,
    ColumnKind.RATIO: _ratio,
}


def table_csv(frame: pd.DataFrame, schema: Sequence[tuple[str, ColumnKind]]) -> str:
    """Canonical CSV text of ``frame`` in ``schema`` column order (rows as given).

    Raises ``ValueError`` naming the missing columns when ``frame`` lacks any.
    """
    names = [name for name, _ in schema]
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise ValueError(f"table lacks column(s) {missing}")
    columns = [
        [_FORMATTERS[kind](v) for v in frame[name].astype(object).tolist()] for name, kind in schema
    ]
    lines = [",".join(names)]
    lines.extend(",".join(cells) for cells in zip(*columns, strict=True))
    return "\n".join(lines) + "\n"


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys, kind="stable", ignore_index=True) if len(frame) else frame


def events_csv(events: pd.DataFrame) -> str:
    """``events.csv`` text, rows sorted by (trade_date, phase OPEN<CLOSE, seq)."""
    keyed = events.assign(
        _date=events["trade_date"].map(_date),
        _phase=events["phase"].map(_PHASE_ORDER),
        _seq=events["seq"].astype("Int64"),
    )
    return table_csv(_sorted(keyed, ["_date", "_phase", "_seq"]), EVENT_SCHEMA)


def trades_csv(trades: pd.DataFrame) -> str:
    """``trades.csv`` text, rows sorted by (entry_date, trade_id)."""
    keyed = trades.assign(_date=trades["entry_date"].map(_date))
    return table_csv(_sorted(keyed, ["_date", "trade_id"]), TRADE_SCHEMA)


def equity_csv(equity: pd.DataFrame) -> str:
    """``equity.csv`` text, rows sorted by trade_date."""
    keyed = equity.assign(_date=equity["trade_date"].map(_date))
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


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> str:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; returns its sha256.

    The temporary file lives in the target directory so ``os.replace`` is atomic;
    it is removed if anything fails.
    """
    target = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(raw)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return sha256_hex(raw)


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
    texts = {
        "events.csv": events_csv(events),
        "trades.csv": trades_csv(trades),
        "equity.csv": equity_csv(equity),
        "summary.json": canonical_json(dict(summary)),
    }
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    return {name: atomic_write(folder / name, text) for name, text in texts.items()}
