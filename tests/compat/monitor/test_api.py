"""The public surface of dragon_compat.monitor is pinned, so it cannot drift by accident."""

from __future__ import annotations

import inspect
import subprocess
import sys

from dragon_compat import monitor
from dragon_compat.branches import DEMO_ROLES


def test_public_names_are_pinned():
    assert set(monitor.__all__) == {
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
        "MonitorInputs",
        "RefinedControl",
        "compute_monitor",
        "monitor_at",
        "monitor_inputs",
        "write_monitor",
    }


def test_compute_monitor_signature_is_pinned_with_demo_role_defaults():
    signature = inspect.signature(monitor.compute_monitor)
    assert list(signature.parameters) == ["tables", "as_of", "candidate", "reference", "control"]
    params = signature.parameters
    assert params["as_of"].kind is inspect.Parameter.KEYWORD_ONLY
    assert (
        params["candidate"].default,
        params["reference"].default,
        params["control"].default,
    ) == (
        DEMO_ROLES.candidate,
        DEMO_ROLES.reference,
        DEMO_ROLES.control,
    )


def test_write_monitor_signature_is_pinned():
    assert list(inspect.signature(monitor.write_monitor).parameters) == ["run_dir", "artifacts"]


def test_the_monitor_never_imports_dragon_governance():
    code = (
        "import sys, dragon_compat.monitor; "
        "sys.exit(any(m.split('.')[0] == 'dragon_governance' for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
