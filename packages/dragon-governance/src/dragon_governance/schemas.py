"""``dragon-governance schema NAME``: JSON Schema of every file governance reads or writes.

Names: the five sources (``daily_manifest``, ``monitor_health``, ``monitor_history`` —
one CSV row —, ``divergence``, ``refined_control``), ``rollout_decision``, ``policy``,
``ledger_entry``, and ``reasons`` (the reason catalogue, a JSON list). Standard
library at import; the models load when a schema is asked for.
"""

from __future__ import annotations

from typing import Any

from dragon_governance.lazy import import_attribute
from dragon_governance.sources.registry import SOURCES

_SOURCE_MODELS = {
    "daily_manifest": "DailyManifest",
    "monitor_health": "MonitorHealth",
    "monitor_history": "HistoryRow",
    "divergence": "Divergence",
    "refined_control": "RefinedControl",
}

#: schema name -> (module, model class)
MODELS: dict[str, tuple[str, str]] = {
    **{
        spec.name: ("dragon_governance.sources.models", _SOURCE_MODELS[spec.name])
        for spec in SOURCES
    },
    "rollout_decision": ("dragon_governance.decision", "RolloutDecision"),
    "policy": ("dragon_governance.policy", "PolicyValues"),
    "ledger_entry": ("dragon_governance.ledger_entries", "LedgerLine"),
}
REASONS = "reasons"
SCHEMA_NAMES: tuple[str, ...] = (*MODELS, REASONS)


def reason_catalogue() -> list[dict[str, Any]]:
    """The reason catalogue as JSON values, in catalogue order."""
    from dragon_governance.reasons import CATALOGUE

    return [
        {
            "code": spec.code,
            "status": spec.status.value,
            "gates": [f"{gate.gate_id} {gate.value}" for gate in spec.gates],
            "summary": spec.summary,
        }
        for spec in CATALOGUE.values()
    ]


def schema_document(name: str) -> Any:
    """JSON Schema of ``name`` (for ``reasons``: the catalogue); ``KeyError`` if unknown."""
    if name == REASONS:
        return reason_catalogue()
    module_name, class_name = MODELS[name]
    model = import_attribute(module_name, class_name)
    return model.model_json_schema(by_alias=True)
