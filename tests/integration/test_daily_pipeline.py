"""The daily pipeline end to end: artifacts, manifest, determinism, run-directory safety.

Every artifact is checked against dragon-governance's own source models (the
authoritative schemas), and the manifest against the bytes on disk.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from datetime import date
from importlib import metadata
from pathlib import Path

import pytest

from dragon_compat.data.write import write_bars
from dragon_compat.dragon_strategy import BRANCH_NAMES
from dragon_compat.errors import DragonUserError
from dragon_compat.market_input import MarketInput, load_market
from dragon_compat.pipelines import daily as daily_module
from dragon_compat.pipelines.daily import DailyRun, run_daily
from dragon_compat.pipelines.forward import GovernanceMode, run_forward
from dragon_compat.sample import generate_market
from dragon_governance import evaluate_run
from dragon_governance.outcomes import Gate, Status
from dragon_governance.sources import load_run_sources
from dragon_runtime import canonical_json
from tests.integration.builders import (
    BRANCH_FILES,
    CANDIDATE,
    EVE_SESSION,
    HOLIDAY,
    MARKET_END,
    MONITOR_FILES,
    OTHER_SESSION,
    snapshot,
)

MANIFEST = "daily_manifest.json"
DRAGON_DISTRIBUTIONS = ("dragon-compat", "dragon-governance", "dragon-runtime")


def _manifest(run_dir: Path) -> dict:
    return json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _artifact_files(run_dir: Path) -> set[str]:
    return {name for name in snapshot(run_dir) if not name.startswith(".")}


# --- artifacts and schemas ---------------------------------------------------------------


def test_every_artifact_is_written(eve_run: DailyRun):
    expected = {f"branches/{branch}/{name}" for branch in BRANCH_NAMES for name in BRANCH_FILES} | {
        *MONITOR_FILES,
        MANIFEST,
    }
    assert len(BRANCH_NAMES) == 4
    assert _artifact_files(eve_run.run_dir) == expected


def test_every_source_validates_against_governances_models(eve_run: DailyRun):
    sources = load_run_sources(eve_run.run_dir)
    problems = {s.spec.filename: s.problem for s in sources.all() if not s.ok}
    assert problems == {}
    assert all(s.present for s in sources.all())


def test_manifest_outputs_are_every_artifact_with_its_sha256(eve_run: DailyRun):
    run_dir = eve_run.run_dir
    outputs = {entry["path"]: entry["sha256"] for entry in _manifest(run_dir)["outputs"]}
    assert set(outputs) == _artifact_files(run_dir) - {MANIFEST}
    for path, digest in outputs.items():
        assert hashlib.sha256((run_dir / path).read_bytes()).hexdigest() == digest, path


def test_manifest_records_the_input_file_and_its_sha256(eve_run: DailyRun, market_path: Path):
    inputs = _manifest(eve_run.run_dir)["inputs"]
    digest = hashlib.sha256(market_path.read_bytes()).hexdigest()
    assert inputs == [{"path": str(market_path), "role": "bars", "sha256": digest}]


def test_manifest_versions_are_the_installed_dragon_distributions(eve_run: DailyRun):
    versions = _manifest(eve_run.run_dir)["versions"]
    assert versions == {dist: metadata.version(dist) for dist in DRAGON_DISTRIBUTIONS}


def test_manifest_names_the_session_the_roles_and_the_branches(eve_run: DailyRun):
    manifest = _manifest(eve_run.run_dir)
    assert manifest["schema"] == "dragon.daily_manifest/1"
    assert manifest["as_of"] == manifest["data_latest_date"] == EVE_SESSION.isoformat()
    assert (
        manifest["candidate_branch"],
        manifest["reference_branch"],
        manifest["control_branch"],
    ) == (eve_run.roles.candidate, eve_run.roles.reference, eve_run.roles.control)
    assert manifest["branches"] == list(BRANCH_NAMES)


def test_manifest_is_the_one_the_run_returns(eve_run: DailyRun):
    assert _manifest(eve_run.run_dir) == eve_run.manifest.to_document()


def _manifest_as_a_dict_literal(run: DailyRun, market: MarketInput, input_path: str) -> dict:
    """The manifest exactly as ``run_daily`` built it before the typed document (a dict
    literal), from the files on disk and the installed versions — plus the ``role`` of
    the input, recorded since a run is identified by all its inputs (the only byte
    change of the default run's manifest)."""
    written = snapshot(run.run_dir)
    outputs = {
        path: hashlib.sha256(data).hexdigest()
        for path, data in written.items()
        if path not in {MANIFEST, ".dragon-run.json"}
    }
    return {
        "schema": "dragon.daily_manifest/1",
        "as_of": run.as_of.isoformat(),
        "data_latest_date": run.as_of.isoformat(),  # the bars are truncated at the session
        "candidate_branch": run.roles.candidate,
        "reference_branch": run.roles.reference,
        "control_branch": run.roles.control,
        "branches": list(BRANCH_NAMES),
        "versions": {dist: metadata.version(dist) for dist in DRAGON_DISTRIBUTIONS},
        "inputs": [{"path": input_path, "role": "bars", "sha256": market.sha256}],
        "outputs": [{"path": path, "sha256": outputs[path]} for path in sorted(outputs)],
        # the generator's two main-board IPO days before 2023-04-10 close above +44 %
        "data_quality": {
            "errors": 0,
            "warnings": 2,
            "rules": {"BEYOND_OWN_LIMITS": 2},
            "examples": [
                {
                    "source": input_path,
                    "row": row,
                    "symbol": symbol,
                    "column": "high/low",
                    "rule": "BEYOND_OWN_LIMITS",
                    "value": value,
                    "count": 1,
                }
                for row, symbol, value in (
                    (18021, "601253.SH", "2023-03-29: high 5.55 > up_limit 3.82"),
                    (18595, "601929.SH", "2023-03-31: high 31.76 > up_limit 22.69"),
                )
            ],
        },
    }


def test_bundled_sample_manifest_bytes_are_those_of_the_dict_literal(tmp_path: Path):
    market = load_market(None)
    run = run_daily(market, tmp_path / "run")
    expected = _manifest_as_a_dict_literal(run, market, "bundled-sample/sample_market.parquet")
    assert (run.run_dir / MANIFEST).read_bytes() == canonical_json(expected).encode()


def test_governance_finds_the_run_fresh_aligned_and_complete(eve_run: DailyRun):
    decision = evaluate_run(eve_run.run_dir, as_of=EVE_SESSION)
    freshness = next(g for g in decision.gates if g.name == Gate.FRESHNESS_ALIGNMENT)
    assert freshness.status == Status.PASS, [r.message for r in freshness.reasons]


def test_monitor_health_is_the_candidates_at_the_run_session(eve_run: DailyRun):
    health = json.loads((eve_run.run_dir / "monitor_health.json").read_text(encoding="utf-8"))
    assert (health["branch"], health["as_of"]) == (CANDIDATE, EVE_SESSION.isoformat())


def test_progress_reports_each_step_in_order(market: MarketInput, tmp_path: Path):
    labels: list[str] = []
    run_daily(market, tmp_path / "run", as_of=EVE_SESSION, progress=labels.append)
    assert labels == [
        "features",
        *(f"branch {branch}" for branch in BRANCH_NAMES),
        "monitor",
        "manifest",
    ]


# --- determinism and re-runs -------------------------------------------------------------


def test_two_runs_into_two_directories_are_byte_identical(
    eve_run: DailyRun, market: MarketInput, tmp_path: Path
):
    again = run_daily(market, tmp_path / "again", as_of=EVE_SESSION)
    assert snapshot(again.run_dir) == snapshot(eve_run.run_dir)


def test_rerun_into_the_same_directory_is_allowed_and_identical(
    run_copy: Path, market: MarketInput
):
    before = snapshot(run_copy)
    run_daily(market, run_copy, as_of=EVE_SESSION)
    assert snapshot(run_copy) == before


def test_rerun_clears_decision_and_plan_of_the_earlier_run(run_copy: Path, market: MarketInput):
    run_forward(run_copy, GovernanceMode.ENFORCE)
    assert (run_copy / "rollout_decision.json").is_file()
    assert (run_copy / "forward_plan.json").is_file()
    run_daily(market, run_copy, as_of=EVE_SESSION)
    assert not (run_copy / "rollout_decision.json").exists()
    assert not (run_copy / "forward_plan.json").exists()


# --- run-directory safety ----------------------------------------------------------------


def test_directory_holding_another_session_is_refused_and_unchanged(
    run_copy: Path, market: MarketInput
):
    before = snapshot(run_copy)
    with pytest.raises(DragonUserError, match=r"holds a different run.*--force"):
        run_daily(market, run_copy, as_of=OTHER_SESSION)
    assert snapshot(run_copy) == before


def test_directory_holding_a_run_of_other_data_is_refused_and_unchanged(
    run_copy: Path, tmp_path: Path
):
    other_bars = generate_market(30, 40, 11, end=MARKET_END)
    other = load_market(write_bars(other_bars, tmp_path / "other.parquet"))
    before = snapshot(run_copy)
    with pytest.raises(DragonUserError, match="holds a different run"):
        run_daily(other, run_copy, as_of=EVE_SESSION)
    assert snapshot(run_copy) == before


# --- a run is identified by all its inputs ----------------------------------------------


def test_the_marker_records_the_session_and_every_input_with_role_and_sha256(
    eve_run: DailyRun, market_path: Path
):
    marker = json.loads((eve_run.run_dir / ".dragon-run.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256(market_path.read_bytes()).hexdigest()
    assert marker == {
        "schema": "dragon.run_marker/1",
        "as_of": EVE_SESSION.isoformat(),
        "inputs": [{"path": str(market_path), "role": "bars", "sha256": digest}],
    }
    assert marker["inputs"] == _manifest(eve_run.run_dir)["inputs"]


def _with_branch_file(tmp_path: Path, *names: str) -> Path:
    from dragon_compat.branches import BRANCHES

    lines = []
    for name in names:
        branch = BRANCHES[name]
        top_k = "all" if branch.top_k is None else branch.top_k
        vetoes = ", ".join(f'"{code}"' for code in branch.selective_vetoes)
        lines += [
            "[[branch]]",
            f'name = "{name}"',
            f'ordering = "{branch.ordering.value}"',
            f"top_k = {top_k if isinstance(top_k, int) else chr(34) + top_k + chr(34)}",
            f"selective_vetoes = [{vetoes}]",
            "",
        ]
    path = tmp_path / "branches.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_a_rerun_with_a_branch_file_added_is_refused_naming_it(
    run_copy: Path, market: MarketInput, tmp_path: Path
):
    from dragon_compat.branch_file import load_branch_file

    branches = load_branch_file(_with_branch_file(tmp_path, *BRANCH_NAMES))
    before = snapshot(run_copy)
    with pytest.raises(DragonUserError) as caught:
        run_daily(market, run_copy, as_of=EVE_SESSION, branches=branches)
    assert f"branches {str(branches.path)!r} added" in str(caught.value)
    assert "--force" in str(caught.value)
    assert snapshot(run_copy) == before


def test_a_rerun_with_a_changed_branch_file_is_refused_then_forced(
    market: MarketInput, tmp_path: Path
):
    from dragon_compat.branch_file import load_branch_file

    path = _with_branch_file(tmp_path, *BRANCH_NAMES)
    run_dir = tmp_path / "run"
    run_daily(market, run_dir, as_of=EVE_SESSION, branches=load_branch_file(path))
    path.write_text(path.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    changed = load_branch_file(path)
    with pytest.raises(DragonUserError, match=r"branches '.*branches\.toml' changed \(sha256"):
        run_daily(market, run_dir, as_of=EVE_SESSION, branches=changed)
    run_daily(market, run_dir, as_of=EVE_SESSION, branches=changed, force=True)
    assert _manifest(run_dir)["inputs"][1] == {
        "path": str(path),
        "role": "branches",
        "sha256": changed.sha256,
    }


def test_the_same_inputs_from_another_path_are_the_same_run(
    run_copy: Path, market_path: Path, tmp_path: Path
):
    moved = tmp_path / "moved.parquet"
    moved.write_bytes(market_path.read_bytes())
    run_daily(load_market(moved), run_copy, as_of=EVE_SESSION)
    assert _manifest(run_copy)["inputs"][0]["path"] == str(moved)


def test_a_directory_of_a_run_written_before_markers_had_a_schema_is_still_that_run(
    run_copy: Path, market: MarketInput
):
    legacy = {"as_of": EVE_SESSION.isoformat(), "input_sha256": market.sha256}
    (run_copy / ".dragon-run.json").write_text(json.dumps(legacy), encoding="utf-8")
    run_daily(market, run_copy, as_of=EVE_SESSION)
    marker = json.loads((run_copy / ".dragon-run.json").read_text(encoding="utf-8"))
    assert marker["schema"] == "dragon.run_marker/1"


def test_a_policy_recorded_by_the_run_is_part_of_its_identity(market: MarketInput, tmp_path: Path):
    policy = tmp_path / "policy.toml"
    policy.write_text(_POLICY.format(name="mine"), encoding="utf-8")
    run_dir = tmp_path / "run"
    run_daily(market, run_dir, as_of=EVE_SESSION, policy=policy)
    assert _manifest(run_dir)["inputs"][-1]["role"] == "policy"
    policy.write_text(_POLICY.format(name="theirs"), encoding="utf-8")
    with pytest.raises(DragonUserError, match=r"policy '.*policy\.toml' changed"):
        run_daily(market, run_dir, as_of=EVE_SESSION, policy=policy)
    with pytest.raises(DragonUserError, match=r"policy '.*policy\.toml' removed"):
        run_daily(market, run_dir, as_of=EVE_SESSION)


_POLICY = (
    'schema = "dragon.governance_policy/1"\nname = "{name}"\nwarning_streak_limit = 3\n'
    "lag_warn_sessions = 1\nlag_fail_sessions = 2\n"
    'fallback_branch = "alpha_first_selective_veto"\n'
)


def test_force_overwrites_a_directory_holding_another_run(run_copy: Path, market: MarketInput):
    daily = run_daily(market, run_copy, as_of=OTHER_SESSION, force=True)
    manifest = _manifest(run_copy)
    assert daily.as_of == OTHER_SESSION
    assert manifest["as_of"] == OTHER_SESSION.isoformat()
    for entry in manifest["outputs"]:
        digest = hashlib.sha256((run_copy / entry["path"]).read_bytes()).hexdigest()
        assert digest == entry["sha256"], entry["path"]


def test_forced_run_equals_a_fresh_run_of_that_session(
    run_copy: Path, market: MarketInput, tmp_path: Path
):
    run_daily(market, run_copy, as_of=OTHER_SESSION, force=True)
    fresh = run_daily(market, tmp_path / "fresh", as_of=OTHER_SESSION)
    assert snapshot(run_copy) == snapshot(fresh.run_dir)


def test_non_empty_directory_that_is_not_a_run_is_refused_and_unchanged(
    market: MarketInput, tmp_path: Path
):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("my notes\n", encoding="utf-8")
    with pytest.raises(DragonUserError, match="not a Dragon run directory"):
        run_daily(market, foreign, as_of=EVE_SESSION)
    assert snapshot(foreign) == {"notes.txt": b"my notes\n"}


def test_run_dir_that_is_a_file_is_refused(market: MarketInput, tmp_path: Path):
    target = tmp_path / "run"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(DragonUserError, match="not a directory"):
        run_daily(market, target, as_of=EVE_SESSION)
    assert target.read_text(encoding="utf-8") == "x"


def test_missing_nested_run_dir_is_created(market: MarketInput, tmp_path: Path):
    daily = run_daily(market, tmp_path / "a" / "b" / "run", as_of=EVE_SESSION)
    assert (daily.run_dir / MANIFEST).is_file()


# --- as-of and truncation ----------------------------------------------------------------


def test_as_of_on_a_holiday_snaps_to_the_previous_data_session(
    eve_run: DailyRun, market: MarketInput, tmp_path: Path
):
    daily = run_daily(market, tmp_path / "run", as_of=HOLIDAY)
    assert daily.as_of == EVE_SESSION
    assert snapshot(daily.run_dir) == snapshot(eve_run.run_dir)


def test_default_as_of_is_the_datas_last_session(full_run: DailyRun):
    assert full_run.as_of == MARKET_END
    assert _manifest(full_run.run_dir)["as_of"] == MARKET_END.isoformat()


@pytest.mark.parametrize("as_of", [date(2024, 1, 2), date(2024, 10, 11)], ids=["before", "after"])
def test_as_of_outside_the_data_is_refused_naming_the_range(
    market: MarketInput, tmp_path: Path, as_of: date
):
    first = market.bars["trade_date"].min().date().isoformat()
    with pytest.raises(DragonUserError) as caught:
        run_daily(market, tmp_path / "run", as_of=as_of)
    message = str(caught.value)
    assert as_of.isoformat() in message
    assert f"{first} .. {MARKET_END.isoformat()}" in message
    assert not (tmp_path / "run").exists()


def test_every_branch_ends_at_the_as_of_session(eve_run: DailyRun, full_run: DailyRun):
    # Whether a branch has events on the eve itself depends on the generated data, so
    # the eve run's event sessions are compared with the full run's up to the eve
    # (orders left pending at the end of the truncated data expire there: left out).
    day = EVE_SESSION.isoformat()
    for branch in BRANCH_NAMES:
        folder = eve_run.run_dir / "branches" / branch
        equity = _rows(folder / "equity.csv")
        assert equity[-1]["trade_date"] == day, branch
        events = _rows(folder / "events.csv")
        assert max(row["trade_date"] for row in events) <= day, branch
        full = _rows(full_run.run_dir / "branches" / branch / "events.csv")
        assert {r["trade_date"] for r in events if r["event_type"] != "ORDER_EXPIRED"} == {
            r["trade_date"] for r in full if r["trade_date"] <= day
        }, branch


def test_truncated_run_equals_the_full_run_up_to_its_session(eve_run: DailyRun, full_run: DailyRun):
    day = EVE_SESSION.isoformat()
    for branch in BRANCH_NAMES:
        cut = eve_run.run_dir / "branches" / branch
        full = full_run.run_dir / "branches" / branch
        assert _rows(cut / "equity.csv") == [
            row for row in _rows(full / "equity.csv") if row["trade_date"] <= day
        ], branch
        assert [r for r in _rows(cut / "events.csv") if r["trade_date"] < day] == [
            r for r in _rows(full / "events.csv") if r["trade_date"] < day
        ], branch


# --- a crash mid-run ---------------------------------------------------------------------
#
# A run stages every file (written in full beside its target) before it moves any into
# place. A crash before that commit leaves the previous run as it was; a crash during
# the commit leaves no manifest (the previous manifest, decision and plan go first).


class _Crash(RuntimeError):
    """Stands for whatever kills a run part-way (a full disk, a bug, a signal)."""


def _raise_crash(*_args: object, **_kwargs: object) -> None:
    raise _Crash("interrupted")


DERIVED = ("daily_manifest.json", "rollout_decision.json", "forward_plan.json")


def _crash_in_commit(monkeypatch: pytest.MonkeyPatch, *, after: int, seen=None) -> None:
    """Crash at the ``after``-th move of a staged file into place (counting from 0);
    ``seen`` (a callable) is called before each such move."""
    real_replace = os.replace
    moves = iter(range(10_000))

    def replace(src, dst) -> None:
        if Path(src).name.endswith("-staged"):  # a commit move, not a staging write
            if seen is not None:
                seen()
            if next(moves) == after:
                raise _Crash("killed while moving files into place")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)


def _litter(run_dir: Path) -> list[str]:
    return [name for name in snapshot(run_dir) if Path(name).name.startswith(".dragon-tmp-")]


def test_crash_before_the_commit_leaves_the_previous_run_as_it_was(
    run_copy: Path, market: MarketInput, monkeypatch: pytest.MonkeyPatch
):
    run_forward(run_copy, GovernanceMode.ENFORCE)
    before = snapshot(run_copy)
    assert all(name in before for name in DERIVED)
    monkeypatch.setattr(daily_module, "compute_monitor", _raise_crash)
    with pytest.raises(_Crash):
        run_daily(market, run_copy, as_of=EVE_SESSION)
    assert snapshot(run_copy) == before  # manifest, decision and plan too; no litter


def test_crash_while_moving_files_into_place_leaves_no_manifest(
    run_copy: Path, market: MarketInput, monkeypatch: pytest.MonkeyPatch
):
    run_forward(run_copy, GovernanceMode.ENFORCE)
    _crash_in_commit(monkeypatch, after=3)
    with pytest.raises(_Crash):
        run_daily(market, run_copy, as_of=EVE_SESSION)
    assert not any((run_copy / name).exists() for name in DERIVED)


def test_previous_manifest_decision_and_plan_are_removed_before_the_first_move(
    run_copy: Path, market: MarketInput, monkeypatch: pytest.MonkeyPatch
):
    run_forward(run_copy, GovernanceMode.ENFORCE)
    states: list[dict[str, bool]] = []
    _crash_in_commit(
        monkeypatch,
        after=0,
        seen=lambda: states.append({name: (run_copy / name).exists() for name in DERIVED}),
    )
    with pytest.raises(_Crash):
        run_daily(market, run_copy, as_of=EVE_SESSION)
    assert states == [dict.fromkeys(DERIVED, False)]


def test_a_crashed_run_is_not_usable_by_the_forward_pipeline(
    run_copy: Path, market: MarketInput, monkeypatch: pytest.MonkeyPatch
):
    _crash_in_commit(monkeypatch, after=5)
    with pytest.raises(_Crash):
        run_daily(market, run_copy, as_of=EVE_SESSION)
    with pytest.raises(DragonUserError, match="not a complete daily run"):
        run_forward(run_copy, GovernanceMode.OFF)


@pytest.mark.parametrize("where", ["computing", "committing"])
def test_the_directory_of_a_crashed_run_accepts_the_same_run_again(
    run_copy: Path,
    market: MarketInput,
    monkeypatch: pytest.MonkeyPatch,
    eve_run: DailyRun,
    where: str,
):
    with monkeypatch.context() as patch:
        if where == "computing":
            patch.setattr(daily_module, "compute_monitor", _raise_crash)
        else:
            _crash_in_commit(patch, after=7)
        with pytest.raises(_Crash):
            run_daily(market, run_copy, as_of=EVE_SESSION)
    run_daily(market, run_copy, as_of=EVE_SESSION)
    assert snapshot(run_copy) == snapshot(eve_run.run_dir)
    assert _litter(run_copy) == []
