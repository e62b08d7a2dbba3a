"""Small run directories for governance tests, healthy unless a test says otherwise.

``RunDir`` holds each source as a JSON-like dict (or raw bytes); a test edits what
it needs and calls ``build()``, which writes the files and then a manifest whose
``outputs`` list every written file with its sha256 (so editing a source before
``build`` never trips G1's hash check by accident). The default run is for the
session 2024-10-08, the first session after China's National Day holiday 2024.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from dragon_governance.decision import RolloutDecision
from dragon_governance.gates.result import GateResult
from dragon_governance.outcomes import Gate
from dragon_governance.session_calendar import SessionCalendar

AS_OF = date(2024, 10, 8)
#: The XSHG sessions up to AS_OF (the holiday ran 2024-10-01..07).
SESSIONS = (
    date(2024, 9, 24),
    date(2024, 9, 25),
    date(2024, 9, 26),
    date(2024, 9, 27),
    date(2024, 9, 30),
    date(2024, 10, 8),
)
CANDIDATE = "alpha_first"
REFERENCE = "rc1_baseline"
CONTROL = "alpha_first_selective_veto"

MANIFEST = "daily_manifest.json"
HEALTH = "monitor_health.json"
HISTORY = "monitor_history.csv"
DIVERGENCE = "divergence.json"
REFINED_CONTROL = "refined_control.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def condition(
    cid: str,
    tier: str = "warning",
    *,
    active: bool = False,
    streak: int = 0,
    value: Any = 0.01,
    threshold: Any = 0.1,
) -> dict[str, Any]:
    return {
        "id": cid,
        "tier": tier,
        "active": active,
        "value": value,
        "threshold": threshold,
        "streak": streak,
    }


def healthy_conditions() -> list[dict[str, Any]]:
    return [
        condition("H1_DRAWDOWN", "hard", value=0.04, threshold=0.2),
        condition("W1_DRAWDOWN", value=0.04, threshold=0.1),
        condition("W2_RETURN_GAP_20D", value=0.012, threshold=-0.05),
        condition("W3_HIT_RATE_20", value=None, threshold=0.35),
        condition("W4_IDLE", value=2, threshold=10),
    ]


def history_csv(conditions: list[dict[str, Any]], sessions: tuple[date, ...] = SESSIONS) -> bytes:
    """A history consistent with each streak: active on the last ``streak`` sessions."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["as_of", "condition_id", "active"])
    for index, session in enumerate(sessions):
        from_end = len(sessions) - index
        for cond in conditions:
            streak = cond["streak"] if type(cond["streak"]) is int else 0
            writer.writerow(
                [session.isoformat(), cond["id"], "true" if from_end <= streak else "false"]
            )
    return out.getvalue().encode()


@dataclass
class RunDir:
    """A run directory under construction (see the module docstring)."""

    root: Path
    manifest: dict[str, Any] = field(
        default_factory=lambda: {
            "schema": "dragon.daily_manifest/1",
            "as_of": AS_OF.isoformat(),
            "data_latest_date": AS_OF.isoformat(),
            "candidate_branch": CANDIDATE,
            "reference_branch": REFERENCE,
            "control_branch": CONTROL,
            "branches": [CANDIDATE, REFERENCE, CONTROL],
            "versions": {"dragon-compat": "2.0.0", "dragon-runtime": "1.0.0"},
            "inputs": [{"path": "bars.csv", "sha256": sha256(b"bars")}],
        }
    )
    health: dict[str, Any] = field(
        default_factory=lambda: {
            "schema": "dragon.monitor_health/1",
            "as_of": AS_OF.isoformat(),
            "branch": CANDIDATE,
            "conditions": healthy_conditions(),
        }
    )
    divergence: dict[str, Any] = field(
        default_factory=lambda: {
            "schema": "dragon.divergence/1",
            "as_of": AS_OF.isoformat(),
            "candidate_branch": CANDIDATE,
            "reference_branch": REFERENCE,
            "entry_jaccard": 0.85,
            "return_gap": 0.004,
            "level": "none",
        }
    )
    refined_control: dict[str, Any] = field(
        default_factory=lambda: {
            "schema": "dragon.refined_control/1",
            "as_of": AS_OF.isoformat(),
            "candidate_branch": CANDIDATE,
            "control_branch": CONTROL,
            "alignment_ratio": 0.95,
            "status": "aligned",
        }
    )
    history: bytes | None = None
    """None: derived from the health conditions and ``sessions`` at build time."""
    sessions: tuple[date, ...] = SESSIONS
    raw: dict[str, bytes] = field(default_factory=dict)
    """File name -> exact bytes, replacing the document of that name."""
    omitted: set[str] = field(default_factory=set)
    """Files not written (and not listed in the manifest outputs)."""
    branch_files: dict[str, bytes] = field(
        default_factory=lambda: {
            f"{branch}/equity.csv": f"session,equity\n2024-10-08,{n}\n".encode()
            for n, branch in enumerate((CANDIDATE, REFERENCE, CONTROL), start=1000000)
        }
    )

    def set_condition(self, cid: str, **changes: Any) -> RunDir:
        for cond in self.health["conditions"]:
            if cond["id"] == cid:
                cond.update(changes)
                return self
        raise KeyError(cid)

    def for_session(self, day: date) -> RunDir:
        """Date every artifact (and the history's last session) ``day``."""
        iso = day.isoformat()
        self.manifest["as_of"] = self.manifest["data_latest_date"] = iso
        for document in (self.health, self.divergence, self.refined_control):
            document["as_of"] = iso
        self.sessions = (*(s for s in SESSIONS if s < day), day)
        return self

    def _documents(self) -> dict[str, bytes]:
        docs = {
            HEALTH: json.dumps(self.health, indent=2).encode(),
            DIVERGENCE: json.dumps(self.divergence, indent=2).encode(),
            REFINED_CONTROL: json.dumps(self.refined_control, indent=2).encode(),
            HISTORY: self.history
            if self.history is not None
            else history_csv(self.health["conditions"], self.sessions),
        }
        docs.update({name: data for name, data in self.raw.items() if name != MANIFEST})
        return {name: data for name, data in docs.items() if name not in self.omitted}

    def build(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        outputs = []
        for name, data in {**self.branch_files, **self._documents()}.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            outputs.append({"path": name, "sha256": sha256(data)})
        manifest = {"outputs": sorted(outputs, key=lambda o: o["path"]), **self.manifest}
        if MANIFEST in self.raw:
            (self.root / MANIFEST).write_bytes(self.raw[MANIFEST])
        elif MANIFEST not in self.omitted:
            (self.root / MANIFEST).write_text(json.dumps(manifest, indent=2))
        return self.root


def weekdays(first: date, count: int) -> tuple[date, ...]:
    """``count`` consecutive Monday-to-Friday dates from ``first`` (a weekday) on."""
    days: list[date] = []
    day = first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return tuple(days)


def calendar_of(sessions: tuple[date, ...], *, first_day: date | None = None) -> SessionCalendar:
    """A hand-made XSHG calendar: exactly ``sessions``, its range ending on the last one."""
    return SessionCalendar(
        name="XSHG",
        library_version="0.0-test",
        first_day=first_day or sessions[0],
        last_day=sessions[-1],
        timezone="Asia/Shanghai",
        close=time(15, 0),
        sessions=tuple(day.isoformat() for day in sessions),
    )


Evaluate = Callable[..., RolloutDecision]
"""The ``evaluate`` fixture (conftest): build a ``RunDir`` and evaluate it."""


def gate(decision: RolloutDecision, which: Gate) -> GateResult:
    """The result of one gate."""
    return next(result for result in decision.gates if result.name is which)


def codes(decision: RolloutDecision, which: Gate) -> list[str]:
    """The reason codes one gate gave, in order."""
    return [reason.code for reason in gate(decision, which).reasons]
