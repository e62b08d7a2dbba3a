"""Which market a command runs on: ``--data FILE`` or the bundled sample.

Every command that reads bars (``dragon run``, ``dragon daily``, ``dragon golden``)
resolves its input here, so the files' identity (path and sha256 of the bars and of
every side table, recorded in run markers and manifests) and the loading rules live
in one place. :func:`load_recorded_market` loads a run's market again from the inputs
its manifest records (``dragon forward`` prices its orders from it), refusing a file
whose bytes are no longer the ones the run read.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dragon_compat.data import load_bars
from dragon_compat.data.load import ERROR_LISTING_LIMIT, SideTables, validate_file
from dragon_compat.data.report import Severity, ValidationReport
from dragon_compat.errors import DragonUserError
from dragon_compat.rundir import (
    DATA_QUALITY_EXAMPLES,
    DataQuality,
    FileDigest,
    InputRole,
    QualityExample,
)

__all__ = [
    "BUNDLED_INPUT_PREFIX",
    "MarketInput",
    "data_quality",
    "file_sha256",
    "load_market",
    "load_recorded_market",
    "recorded_file",
]

BUNDLED_INPUT_PREFIX = "bundled-sample/"
"""Recorded input path of the bundled sample (machine-independent)."""

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
    """A loaded, validated market: its file, the file's sha256, the normalized bars and
    the side tables that completed them (each path with its sha256, in order)."""

    path: Path
    sha256: str
    bars: pd.DataFrame
    bundled: bool
    side_tables: tuple[tuple[Path, str], ...] = ()
    quality: DataQuality | None = None
    """What validation found (warnings only: a market with an error does not load)."""

    @property
    def label(self) -> str:
        """How to name the input to a person: the path, or "bundled sample"."""
        return f"bundled sample ({self.path.name})" if self.bundled else str(self.path)

    @property
    def input_path(self) -> str:
        """The bars path as a run records it: as given, or ``bundled-sample/<name>``."""
        return f"{BUNDLED_INPUT_PREFIX}{self.path.name}" if self.bundled else str(self.path)

    def digests(self) -> tuple[FileDigest, ...]:
        """The bars and every side table as recorded inputs (bars first)."""
        bars = FileDigest(path=self.input_path, role=InputRole.BARS, sha256=self.sha256)
        sides = tuple(
            FileDigest(path=str(path), role=InputRole.SIDE_TABLE, sha256=digest)
            for path, digest in self.side_tables
        )
        return (bars, *sides)


def _side_paths(side_table: SideTables) -> list[Path]:
    if side_table is None:
        return []
    if isinstance(side_table, str | Path):
        return [Path(side_table)]
    return [Path(p) for p in side_table]


def load_market(data: str | Path | None, *, side_table: SideTables = None) -> MarketInput:
    """Load and validate ``data`` (the bundled sample when None), completed by the
    ``side_table`` file(s).

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
    sides = _side_paths(side_table)
    for side in sides:
        if not side.is_file():
            raise DragonUserError(f"{side}: no such side table")
    result = validate_file(path, side_table=sides or None)
    if result.bars is None:
        raise DragonUserError(result.report.format(ERROR_LISTING_LIMIT))
    market = MarketInput(
        path=path,
        sha256=file_sha256(path),
        bars=result.bars,
        bundled=bundled,
        side_tables=tuple((side, file_sha256(side)) for side in sides),
    )
    quality = data_quality(result.report, sources={str(path): market.input_path})
    return dataclasses.replace(market, quality=quality)


def data_quality(
    report: ValidationReport, *, sources: Mapping[str, str] | None = None
) -> DataQuality:
    """The manifest's summary of a validation report: counts per rule and the first
    lines of its listing (errors first, then warnings, as ``dragon validate`` shows).
    ``sources`` renames a finding's file to the path the run records (the bundled
    sample's machine-independent ``bundled-sample/<name>``)."""
    names = sources or {}
    lines = report.listing(Severity.ERROR) + report.listing(Severity.WARNING)
    return DataQuality(
        errors=report.error_count,
        warnings=report.warning_count,
        rules={rule.value: count for rule, count in report.rule_counts().items()},
        examples=tuple(
            QualityExample(
                source=names.get(line.source, line.source),
                row=line.row,
                symbol=line.symbol,
                column=line.column,
                rule=line.rule.value,
                value=line.value,
                count=line.count,
            )
            for line in lines[:DATA_QUALITY_EXAMPLES]
        ),
    )


def recorded_file(entry: FileDigest, *, recorded_in: Path) -> Path:
    """The file a recorded input names (the bundled sample for its recorded path),
    checked to hold the recorded bytes; :class:`DragonUserError` naming it otherwise."""
    what = str(entry.role).replace("_", " ")
    path = Path(entry.path)
    if entry.role is InputRole.BARS and entry.path.startswith(BUNDLED_INPUT_PREFIX):
        from dragon_compat.sample import bundled_sample_path

        bundled = bundled_sample_path()
        if bundled.name == entry.path.removeprefix(BUNDLED_INPUT_PREFIX):
            path = bundled
    if not path.is_file():
        raise DragonUserError(
            f"{entry.path}: the run's {what} (recorded in {recorded_in}) is not there; "
            "`dragon forward` reads the run's own inputs — restore the file, or run from "
            "the directory `dragon daily` ran in when the path is relative"
        )
    if file_sha256(path) != entry.sha256:
        raise DragonUserError(
            f"{entry.path}: the run's {what} changed since the run (sha256 recorded in "
            f"{recorded_in} is {entry.sha256[:12]}…); re-run `dragon daily` on it"
        )
    return path


def load_recorded_market(inputs: Sequence[FileDigest], *, recorded_in: Path) -> pd.DataFrame:
    """The normalized bars of a run, loaded from the bars and side tables its manifest
    records (``inputs``; ``recorded_in`` names the manifest in errors).

    Raises :class:`DragonUserError` when the bars are not recorded exactly once, or a
    recorded file is missing or no longer has the recorded sha256.
    """
    bars = [entry for entry in inputs if entry.role is InputRole.BARS]
    if len(bars) != 1:
        raise DragonUserError(f"{recorded_in}: inputs record {len(bars)} bars files, not 1")
    sides = [
        recorded_file(entry, recorded_in=recorded_in)
        for entry in inputs
        if entry.role is InputRole.SIDE_TABLE
    ]
    return load_bars(recorded_file(bars[0], recorded_in=recorded_in), side_table=sides or None)
