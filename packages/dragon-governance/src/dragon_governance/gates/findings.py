"""Reasons every gate builds the same way: a source's loading problem, an unreadable
manifest, and the PASS evidence that a rule found nothing."""

from __future__ import annotations

from typing import Any

from dragon_governance.outcomes import Gate, Status
from dragon_governance.reasons import CATALOGUE, WHOLE_FILE, Evidence, Reason, make_reason
from dragon_governance.sources.load import LoadedSource, ProblemKind
from dragon_governance.sources.registry import MANIFEST


def problem_reason(loaded: LoadedSource[Any]) -> Reason:
    """``<SOURCE>_MISSING`` (FAIL if required, WARN if optional) or ``<SOURCE>_CORRUPT`` (FAIL).

    Call only for a source that did not load (``loaded.problem`` is set).
    """
    problem = loaded.problem
    if problem is None:
        raise ValueError(f"{loaded.spec.filename} loaded fine: no problem to report")
    spec = loaded.spec
    if problem.kind is ProblemKind.MISSING:
        requirement = "required" if spec.required else "optional"
        return make_reason(
            spec.missing_code,
            message=f"{spec.filename} is missing ({requirement} source)",
            source=spec.filename,
            field=problem.field,
            value=None,
            threshold=requirement,
        )
    return make_reason(
        spec.corrupt_code,
        message=f"{problem.message} [{problem.kind}]",
        source=spec.filename,
        field=problem.field,
        value=problem.value,
        threshold=spec.contract,
    )


def manifest_unavailable(gate: Gate) -> Reason:
    """The reason G2 and G3 give when the manifest could not be read."""
    return make_reason(
        "MANIFEST_UNAVAILABLE",
        message=f"{gate.gate_id} cannot check branches without a readable {MANIFEST.filename}",
        source=MANIFEST.filename,
        field=WHOLE_FILE,
        value=None,
        threshold="readable",
    )


def findings_or_pass(
    findings: list[Reason],
    code: str,
    *,
    message: str,
    source: str,
    field: str,
    observed: Evidence,
) -> list[Reason]:
    """``findings`` when a rule found anything; else the one PASS reason ``code``.

    The PASS reason is the evidence that the rule held: what was observed is what
    was required, so its ``value`` and ``threshold`` are both ``observed`` (a count
    of files or conditions, or the session they agree on). ``code`` must be a PASS
    code of the catalogue (``ValueError`` otherwise, ``KeyError`` if unknown).
    """
    if CATALOGUE[code].status is not Status.PASS:
        raise ValueError(f"{code} is a {CATALOGUE[code].status} code, not PASS evidence")
    if findings:
        return findings
    return [
        make_reason(
            code, message=message, source=source, field=field, value=observed, threshold=observed
        )
    ]
