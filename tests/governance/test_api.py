"""The public surface pipelines import: pinned so it cannot drift by accident."""

from __future__ import annotations

import inspect
import subprocess
import sys
from datetime import date, datetime

import pytest

import dragon_governance
from dragon_governance import evaluate_run
from dragon_governance.decision import RolloutDecision
from tests.governance.builders import RunDir


def test_the_public_names_are_pinned():
    assert dragon_governance.__all__ == [
        "Appended",
        "Decision",
        "GovernanceUserError",
        "LedgerEntry",
        "Policy",
        "RolloutDecision",
        "RolloutState",
        "RolloutStatus",
        "SessionCalendar",
        "Status",
        "__version__",
        "append_review",
        "append_to_ledger",
        "builtin_policy",
        "derive_state",
        "evaluate_run",
        "ledger_status",
        "load_calendar",
        "load_policy",
        "read_decision",
        "read_sessions_file",
        "verify_ledger",
        "write_decision",
    ]


def test_every_public_name_resolves():
    for name in dragon_governance.__all__:
        assert getattr(dragon_governance, name) is not None


def test_evaluate_run_signature_is_pinned():
    assert str(inspect.signature(evaluate_run)) == (
        "(run_dir: 'str | os.PathLike[str]', *, as_of: 'date | None' = None, "
        "policy: 'Policy | str | os.PathLike[str] | None' = None, "
        "now: 'datetime | None' = None, calendar: 'SessionCalendar | None' = None, "
        "sessions: 'str | os.PathLike[str] | None' = None) -> 'RolloutDecision'"
    )


def test_evaluate_run_returns_the_decision_model(run: RunDir):
    decision = evaluate_run(run.build(), as_of=date(2024, 10, 8))
    assert isinstance(decision, RolloutDecision)
    assert decision.decision.value == "PROCEED"


def test_a_datetime_as_of_is_refused(run: RunDir):
    with pytest.raises(TypeError, match="not a datetime"):
        evaluate_run(run.build(), as_of=datetime(2024, 10, 8, 16, 0))


def test_importing_the_package_stays_light():
    code = (
        "import sys, dragon_governance\n"
        "heavy = ('pydantic', 'rich', 'pandas', 'exchange_calendars', 'filelock')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert done.stdout.strip() == b"[]"


def test_governance_imports_neither_runtime_nor_compat():
    code = (
        "import sys\n"
        "from dragon_governance import evaluate_run\n"
        "import dragon_governance.cli, dragon_governance.render, dragon_governance.ledger\n"
        "others = ('dragon_runtime', 'dragon_compat')\n"
        "print(sorted(m for m in sys.modules if m.startswith(others)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert done.stdout.strip() == b"[]"


def test_the_source_schema_surface_is_pinned():
    from dragon_governance import sources

    assert sources.__all__ == [
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
    assert all(getattr(sources, name) is not None for name in sources.__all__)
    assert [spec.filename for spec in sources.SOURCES] == [
        "daily_manifest.json",
        "monitor_health.json",
        "monitor_history.csv",
        "divergence.json",
        "refined_control.json",
    ]
