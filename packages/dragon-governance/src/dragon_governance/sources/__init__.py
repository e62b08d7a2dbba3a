"""The sources of a run directory: strict models, the registry of files, loading.

``dragon_governance.sources`` exposes the models (the authoritative schemas the
compat monitor and the daily pipeline write), the registry and the loader. Names
load on first access, so ``dragon_governance.sources.registry`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dragon_governance.lazy import lazy_exports

if TYPE_CHECKING:
    from dragon_governance.sources.load import (
        LoadedSource,
        ProblemKind,
        RunSources,
        SourceProblem,
        load_run_sources,
    )
    from dragon_governance.sources.models import (
        Condition,
        ControlStatus,
        DailyManifest,
        Divergence,
        DivergenceLevel,
        FileDigest,
        HistoryRow,
        MonitorHealth,
        MonitorHistory,
        OutputFile,
        RefinedControl,
        Tier,
    )
    from dragon_governance.sources.registry import SOURCES, SourceSpec

_LOAD = "dragon_governance.sources.load"
_MODELS = "dragon_governance.sources.models"
_REGISTRY = "dragon_governance.sources.registry"
_LAZY: dict[str, str] = {
    "LoadedSource": _LOAD,
    "ProblemKind": _LOAD,
    "RunSources": _LOAD,
    "SourceProblem": _LOAD,
    "load_run_sources": _LOAD,
    "Condition": _MODELS,
    "ControlStatus": _MODELS,
    "DailyManifest": _MODELS,
    "Divergence": _MODELS,
    "DivergenceLevel": _MODELS,
    "FileDigest": _MODELS,
    "HistoryRow": _MODELS,
    "MonitorHealth": _MODELS,
    "MonitorHistory": _MODELS,
    "OutputFile": _MODELS,
    "RefinedControl": _MODELS,
    "Tier": _MODELS,
    "SOURCES": _REGISTRY,
    "SourceSpec": _REGISTRY,
}
__all__ = [
    "SOURCES",
    "Condition",
    "ControlStatus",
    "DailyManifest",
    "Divergence",
    "DivergenceLevel",
    "FileDigest",
    "HistoryRow",
    "LoadedSource",
    "MonitorHealth",
    "MonitorHistory",
    "OutputFile",
    "ProblemKind",
    "RefinedControl",
    "RunSources",
    "SourceProblem",
    "SourceSpec",
    "Tier",
    "load_run_sources",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
