"""The RC1 monitor: conditions, divergence and control alignment of one daily run.

``compute_monitor`` turns the candidate, reference and control branches' RC1
tables into :class:`MonitorArtifacts`; ``write_monitor`` writes them into a run
directory (``monitor_health.json``, ``monitor_history.csv``, ``divergence.json``,
``refined_control.json``) atomically and returns their sha256. Thresholds live in
:data:`RC1_MONITOR`. See this package's README ("Monitor").
"""

from dragon_compat.monitor.artifacts import (
    ConditionStatus,
    Divergence,
    HistoryRow,
    MonitorArtifacts,
    MonitorHealth,
    MonitorHistory,
    RefinedControl,
    write_monitor,
)
from dragon_compat.monitor.compute import compute_monitor
from dragon_compat.monitor.conditions import CONDITIONS, ConditionSpec
from dragon_compat.monitor.config import RC1_MONITOR, DivergenceBand, MonitorConfig
from dragon_compat.monitor.inputs import BranchTables
from dragon_compat.rundir import (  # the file names are the run-directory contract's
    DIVERGENCE_FILE,
    MONITOR_HEALTH_FILE,
    MONITOR_HISTORY_FILE,
    REFINED_CONTROL_FILE,
)

__all__ = [
    "CONDITIONS",
    "DIVERGENCE_FILE",
    "MONITOR_HEALTH_FILE",
    "MONITOR_HISTORY_FILE",
    "RC1_MONITOR",
    "REFINED_CONTROL_FILE",
    "BranchTables",
    "ConditionSpec",
    "ConditionStatus",
    "Divergence",
    "DivergenceBand",
    "HistoryRow",
    "MonitorArtifacts",
    "MonitorConfig",
    "MonitorHealth",
    "MonitorHistory",
    "RefinedControl",
    "compute_monitor",
    "write_monitor",
]
