"""The sample market shipped with dragon-compat (the demo's input).

It is ``generate_market(**BUNDLED_SAMPLE.arguments())`` written by
:func:`dragon_compat.data.write.write_bars` as Parquet (zstd) under this package,
300 symbols × 250 XSHG sessions around the 2023-08-28 stamp-duty cut. Its tape
statistics lie within the stated tolerances of a real cross-section
(:mod:`dragon_compat.sample.calibration`), and across the four branches every RC1
event type and reason code occurs; the seed was picked among those that give both
(and the demo scenarios of :mod:`dragon_compat.scenarios`). Golden keeps its own
pinned input (``golden/rc1/input/``) and never reads this file. Regenerate it
(deliberately: the scenario dates name its sessions) with::

    dragon sample --out packages/dragon-compat/src/dragon_compat/sample/sample_market.parquet

whose defaults are :data:`BUNDLED_SAMPLE`. A test checks that the file holds exactly
what a fresh generation holds (``frame_sha256``: content, not container bytes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final

import pandas as pd


@dataclass(frozen=True)
class SampleSpec:
    """Arguments of :func:`~dragon_compat.sample.generate_market` for a named sample."""

    symbols: int
    sessions: int
    seed: int
    end: dt.date | None = None

    def arguments(self) -> dict[str, object]:
        return {
            "symbols": self.symbols,
            "sessions": self.sessions,
            "seed": self.seed,
            "end": self.end,
        }


BUNDLED_SAMPLE: Final = SampleSpec(symbols=300, sessions=250, seed=20230864)
"""The bundled sample's generator arguments (also ``dragon sample``'s defaults)."""

BUNDLED_SAMPLE_FILE: Final = "sample_market.parquet"


def bundled_sample_path() -> Path:
    """Path of the bundled sample file inside the installed package."""
    return Path(str(resources.files("dragon_compat.sample").joinpath(BUNDLED_SAMPLE_FILE)))


def load_bundled_sample() -> pd.DataFrame:
    """The bundled sample as a normalized bars frame (loaded and validated)."""
    from dragon_compat.data.load import load_bars

    return load_bars(bundled_sample_path())
