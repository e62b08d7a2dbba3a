"""G1 freshness_alignment: is the run for the session we expect, complete and consistent?

Rules (strict comparisons, in this order):

1. The evaluation date must lie inside the calendar's known range, else FAIL
   ``CALENDAR_OUT_OF_RANGE``; the expected session E = latest XSHG session ≤ as_of.
   When at most 30 known sessions follow the evaluation date, PASS
   ``CALENDAR_ENDS_SOON`` (a notice: value = the last known session, threshold = 30).
2. Without a readable manifest: FAIL ``MANIFEST_MISSING``/``MANIFEST_CORRUPT``, stop.
3. manifest.as_of must be a known XSHG session (FAIL ``CALENDAR_OUT_OF_RANGE`` outside
   the range, ``MANIFEST_NOT_A_SESSION`` inside it); if after E → FAIL
   ``MANIFEST_FROM_FUTURE``; else lag = #sessions s with manifest.as_of < s ≤ E:
   ``lag >= lag_fail_sessions`` FAIL ``MANIFEST_STALE``, else ``lag >=
   lag_warn_sessions`` WARN ``MANIFEST_LAGGING``, else PASS ``MANIFEST_CURRENT``.
4. ``data_latest_date != as_of`` → FAIL ``DATA_DATE_MISMATCH``; monitor_health's
   ``as_of`` ≠ manifest's → FAIL ``HEALTH_DATE_MISMATCH``; divergence/refined_control
   ``as_of`` or the history's last session ≠ manifest's → WARN
   ``ARTIFACT_DATE_MISMATCH``; none of these → PASS ``ARTIFACTS_ALIGNED``.
5. ``outputs`` empty → FAIL ``NO_OUTPUTS`` (a real run always lists its branch files).
   Every entry must be a regular file inside RUN_DIR (a symlink may point elsewhere
   inside it, never outside) of at most ``OUTPUT_MAX_BYTES`` with its sha256, else FAIL
   ``OUTPUT_HASH_MISMATCH`` (one reason per entry); all fine → PASS ``OUTPUTS_VERIFIED``.
"""

from __future__ import annotations

from datetime import date

from dragon_governance.gates.context import GateContext
from dragon_governance.gates.findings import findings_or_pass, problem_reason
from dragon_governance.gates.result import GateResult
from dragon_governance.outcomes import Gate
from dragon_governance.reasons import Reason, make_reason
from dragon_governance.regular_file import Refusal, sha256_of
from dragon_governance.session_calendar import END_NOTICE_SESSIONS
from dragon_governance.sources.models import DailyManifest
from dragon_governance.sources.registry import (
    DIVERGENCE,
    HEALTH,
    HISTORY,
    MANIFEST,
    OUTPUT_MAX_BYTES,
    REFINED_CONTROL,
)

CALENDAR_SOURCE = "calendar"


def _calendar_range(ctx: GateContext) -> str:
    cal = ctx.calendar
    return f"{cal.first_day.isoformat()}..{cal.last_day.isoformat()}"


def _out_of_range(ctx: GateContext, day: date, *, source: str, field: str, what: str) -> Reason:
    cal = ctx.calendar
    return make_reason(
        "CALENDAR_OUT_OF_RANGE",
        message=(
            f"{what} {day.isoformat()} lies outside the {cal.name} range known to "
            f"{cal.described} ({_calendar_range(ctx)}); "
            "upgrade exchange-calendars"
        ),
        source=source,
        field=field,
        value=day.isoformat(),
        threshold=_calendar_range(ctx),
    )


def _session_reasons(ctx: GateContext, manifest: DailyManifest) -> list[Reason]:
    """Rule 3: the manifest's session and its lag behind E."""
    cal, policy, expected = ctx.calendar, ctx.policy, ctx.expected_session
    day = manifest.as_of
    source = MANIFEST.filename
    if not cal.covers(day):
        return [_out_of_range(ctx, day, source=source, field="as_of", what="manifest as_of")]
    if not cal.is_session(day):
        return [
            make_reason(
                "MANIFEST_NOT_A_SESSION",
                message=f"manifest as_of {day.isoformat()} is not an {cal.name} session",
                source=source,
                field="as_of",
                value=day.isoformat(),
                threshold=f"an {cal.name} session",
            )
        ]
    if expected is None:
        return []
    if day > expected:
        return [
            make_reason(
                "MANIFEST_FROM_FUTURE",
                message=(
                    f"manifest as_of {day.isoformat()} is after the expected session "
                    f"{expected.isoformat()} (as-of {ctx.as_of.isoformat()})"
                ),
                source=source,
                field="as_of",
                value=day.isoformat(),
                threshold=expected.isoformat(),
            )
        ]
    lag = cal.count_sessions(after=day, upto=expected)
    bands = f"WARN at lag >= {policy.lag_warn_sessions}, FAIL at lag >= {policy.lag_fail_sessions}"
    if lag >= policy.lag_fail_sessions:
        code, threshold = "MANIFEST_STALE", policy.lag_fail_sessions
    elif lag >= policy.lag_warn_sessions:
        code, threshold = "MANIFEST_LAGGING", policy.lag_warn_sessions
    else:
        code, threshold = "MANIFEST_CURRENT", policy.lag_warn_sessions
    return [
        make_reason(
            code,
            message=(
                f"manifest as_of {day.isoformat()} is {lag} session(s) behind the expected "
                f"session {expected.isoformat()} ({bands})"
            ),
            source=source,
            field="as_of",
            value=lag,
            threshold=threshold,
        )
    ]


def _date_reasons(ctx: GateContext, manifest: DailyManifest) -> list[Reason]:
    """Rule 4: every artifact speaks about the manifest's session."""
    session = manifest.as_of.isoformat()
    reasons: list[Reason] = []
    if manifest.data_latest_date != manifest.as_of:
        reasons.append(
            make_reason(
                "DATA_DATE_MISMATCH",
                message=(
                    f"data_latest_date {manifest.data_latest_date.isoformat()} differs from "
                    f"the manifest as_of {session}"
                ),
                source=MANIFEST.filename,
                field="data_latest_date",
                value=manifest.data_latest_date.isoformat(),
                threshold=session,
            )
        )
    sources = ctx.sources
    dated: list[tuple[str, str, str, date]] = []
    if sources.health.model is not None:
        dated.append(("HEALTH_DATE_MISMATCH", HEALTH.filename, "as_of", sources.health.model.as_of))
    if sources.history.model is not None:
        dated.append(
            (
                "ARTIFACT_DATE_MISMATCH",
                HISTORY.filename,
                "as_of (last session)",
                sources.history.model.last_session,
            )
        )
    for loaded, spec in (
        (sources.divergence, DIVERGENCE),
        (sources.refined_control, REFINED_CONTROL),
    ):
        if loaded.model is not None:
            dated.append(("ARTIFACT_DATE_MISMATCH", spec.filename, "as_of", loaded.model.as_of))
    for code, filename, field, day in dated:
        if day != manifest.as_of:
            reasons.append(
                make_reason(
                    code,
                    message=(
                        f"{filename} {field} {day.isoformat()} differs from the manifest "
                        f"as_of {session}"
                    ),
                    source=filename,
                    field=field,
                    value=day.isoformat(),
                    threshold=session,
                )
            )
    names = ", ".join([MANIFEST.filename] + [filename for _, filename, _, _ in dated])
    return findings_or_pass(
        reasons,
        "ARTIFACTS_ALIGNED",
        message=f"{names} all carry as_of {session}",
        source=MANIFEST.filename,
        field="as_of",
        observed=session,
    )


def _calendar_end(ctx: GateContext) -> list[Reason]:
    """Rule 1's notice: the known sessions end soon after the evaluation date."""
    end = ctx.calendar.end_notice(ctx.as_of)
    if end is None:
        return []
    return [
        make_reason(
            "CALENDAR_ENDS_SOON",
            message=end.message,
            source=CALENDAR_SOURCE,
            field="last_session",
            value=end.last_session.isoformat(),
            threshold=END_NOTICE_SESSIONS,
        )
    ]


def _output_problem(ctx: GateContext, path: str, recorded: str) -> tuple[str | None, str | None]:
    """(actual sha256 or None, what is wrong or None) for one listed output."""
    if ctx.output_digests is not None:
        held = ctx.output_digests.get(path)
        if held is None:
            return None, "it cannot be read (not among the run's outputs)"
        return held, None if held == recorded else "its sha256 differs (edited?)"
    try:
        actual = sha256_of(ctx.run_dir / path, limit=OUTPUT_MAX_BYTES, confine_to=ctx.run_dir)
    except Refusal as refusal:
        if refusal.reason is not None:  # missing, a directory, an OS error
            return None, f"it cannot be read ({refusal.reason})"
        return None, f"it {refusal.detail}"
    return actual, None if actual == recorded else "its sha256 differs (edited?)"


def _output_reasons(ctx: GateContext, manifest: DailyManifest) -> list[Reason]:
    """Rule 5: the outputs list is not empty and every listed output exists with its sha256."""
    if not manifest.outputs:
        return [
            make_reason(
                "NO_OUTPUTS",
                message=(
                    f"{MANIFEST.filename} lists no outputs: a real run always lists its "
                    "branch files, so nothing can be verified"
                ),
                source=MANIFEST.filename,
                field="outputs",
                value=0,
                threshold=1,
            )
        ]
    reasons: list[Reason] = []
    for entry in manifest.outputs:
        actual, problem = _output_problem(ctx, entry.path, entry.sha256)
        if problem is not None:
            reasons.append(
                make_reason(
                    "OUTPUT_HASH_MISMATCH",
                    message=f"output {entry.path} is listed in the manifest but {problem}",
                    source=MANIFEST.filename,
                    field=f"outputs[{entry.path}].sha256",
                    value=actual,
                    threshold=entry.sha256,
                )
            )
    count = len(manifest.outputs)
    return findings_or_pass(
        reasons,
        "OUTPUTS_VERIFIED",
        message=f"{count} output(s) listed in the manifest exist with their sha256",
        source=MANIFEST.filename,
        field="outputs",
        observed=count,
    )


def evaluate_freshness(ctx: GateContext) -> GateResult:
    """G1: see the module docstring for the rules."""
    reasons: list[Reason] = []
    if ctx.expected_session is None:
        reasons.append(
            _out_of_range(ctx, ctx.as_of, source=CALENDAR_SOURCE, field="as_of", what="as-of")
        )
    reasons += _calendar_end(ctx)
    manifest = ctx.sources.manifest.model
    if manifest is None:
        reasons.append(problem_reason(ctx.sources.manifest))
        return GateResult.from_reasons(Gate.FRESHNESS_ALIGNMENT, reasons)
    reasons += _session_reasons(ctx, manifest)
    reasons += _date_reasons(ctx, manifest)
    reasons += _output_reasons(ctx, manifest)
    return GateResult.from_reasons(Gate.FRESHNESS_ALIGNMENT, reasons)
