"""Turn a source's loading problem into the owning gate's reason."""

from __future__ import annotations

from typing import Any

from dragon_governance.reasons import Reason, make_reason
from dragon_governance.sources.load import LoadedSource, ProblemKind


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
