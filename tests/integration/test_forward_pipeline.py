"""The forward pipeline over real daily runs, in the three governance modes.

``governed_run`` is a PROCEED or HOLD run; ``orders_run`` is a run whose candidate
signals entries and exits at its close; ``rollback_run`` is a copy of it whose
``monitor_health.json`` is deleted or corrupted, which makes the decision
ROLLBACK_REVIEW_REQUIRED (G2 FAIL, and G1 OUTPUT_HASH_MISMATCH since the file no
longer matches the manifest).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from dragon_compat.data.write import write_bars
from dragon_compat.errors import DragonUserError
from dragon_compat.market_input import file_sha256, load_market
from dragon_compat.pipelines.daily import DailyRun, run_daily
from dragon_compat.pipelines.forward import (
    GOVERNANCE_EXTRA_HINT,
    ForwardPlan,
    GovernanceMode,
    run_forward,
)
from dragon_compat.rundir import ForwardPlanDocument
from dragon_compat.sample import generate_market
from dragon_governance import Decision, read_decision, verify_ledger
from tests.integration.builders import (
    CANDIDATE,
    EVE_SESSION,
    FALLBACK,
    MARKET_END,
    NEXT_AFTER_EVE,
    DragonCli,
    close_signals,
    signals_of,
)

PLAN = "forward_plan.json"
DECISION = "rollout_decision.json"
ZERO_HASH = "0" * 64


def _plan_on_disk(run_dir: Path) -> dict:
    return json.loads((run_dir / PLAN).read_text(encoding="utf-8"))


@pytest.fixture(params=["deleted", "corrupt"])
def rollback_run(request: pytest.FixtureRequest, orders_copy: Path) -> Path:
    """A copy of the orders run whose monitor_health.json is deleted or not JSON."""
    health = orders_copy / "monitor_health.json"
    if request.param == "deleted":
        health.unlink()
    else:
        health.write_text('{"schema": "dragon.monitor_health/1", "as_of": ', encoding="utf-8")
    return orders_copy


def _session(run_dir: Path) -> date:
    manifest = json.loads((run_dir / "daily_manifest.json").read_text(encoding="utf-8"))
    return date.fromisoformat(manifest["as_of"])


def _signals(run_dir: Path, branch: str) -> dict[str, list[dict[str, object]]]:
    return close_signals(run_dir, branch, _session(run_dir))


# --- preconditions of the scenario ----------------------------------------------------------


def test_scenario_orders_run_has_entries_and_exits_that_differ_by_branch(orders_run: DailyRun):
    signals = _signals(orders_run.run_dir, CANDIDATE)
    assert signals["entries"] and signals["exits"]
    assert signals != _signals(orders_run.run_dir, FALLBACK)


# --- enforce -------------------------------------------------------------------------------


def test_enforce_keeps_the_candidate_when_the_decision_is_not_rollback(governed_copy: Path):
    plan = run_forward(governed_copy, GovernanceMode.ENFORCE)
    governance = plan.document["governance"]
    assert governance["decision"] in {Decision.PROCEED, Decision.HOLD}
    assert governance["recommended_branch"] == CANDIDATE
    assert plan.active_branch == CANDIDATE


def test_enforce_follows_the_fallback_on_rollback(rollback_run: Path):
    plan = run_forward(rollback_run, GovernanceMode.ENFORCE)
    governance = plan.document["governance"]
    assert governance["decision"] == Decision.ROLLBACK_REVIEW_REQUIRED
    assert governance["recommended_branch"] == governance["fallback_branch"] == FALLBACK
    assert plan.active_branch == FALLBACK


def test_enforce_on_rollback_plans_the_fallbacks_orders(rollback_run: Path):
    plan = run_forward(rollback_run, GovernanceMode.ENFORCE)
    assert signals_of(plan.document["orders"]) == _signals(rollback_run, FALLBACK)


def test_enforce_follows_a_policys_fallback_branch(rollback_run: Path, tmp_path: Path):
    policy = tmp_path / "policy.toml"
    policy.write_text(
        'schema = "dragon.governance_policy/1"\nname = "strict-fallback"\n'
        "warning_streak_limit = 3\nlag_warn_sessions = 1\nlag_fail_sessions = 2\n"
        'fallback_branch = "strict_veto"\n',
        encoding="utf-8",
    )
    plan = run_forward(rollback_run, GovernanceMode.ENFORCE, policy=policy)
    assert plan.active_branch == "strict_veto"
    assert signals_of(plan.document["orders"]) == _signals(rollback_run, "strict_veto")


def test_invalid_policy_is_a_user_error_and_writes_no_plan(run_copy: Path, tmp_path: Path):
    policy = tmp_path / "policy.toml"
    policy.write_text("this is = not [valid toml\n", encoding="utf-8")
    with pytest.raises(DragonUserError) as caught:
        run_forward(run_copy, GovernanceMode.ENFORCE, policy=policy)
    assert caught.value.exit_code == 2
    assert not (run_copy / PLAN).exists()


def test_enforce_writes_the_decision_the_plan_names(run_copy: Path):
    plan = run_forward(run_copy, GovernanceMode.ENFORCE)
    decision = read_decision(run_copy / DECISION)
    governance = plan.document["governance"]
    assert governance["decision_id"] == decision.decision_id
    assert governance["decision"] == decision.decision
    assert governance["file"] == DECISION


# --- shadow --------------------------------------------------------------------------------


def test_shadow_keeps_the_candidate_on_rollback(rollback_run: Path):
    plan = run_forward(rollback_run, GovernanceMode.SHADOW)
    assert plan.document["governance"]["decision"] == Decision.ROLLBACK_REVIEW_REQUIRED
    assert plan.active_branch == CANDIDATE
    assert signals_of(plan.document["orders"]) == _signals(rollback_run, CANDIDATE)


def test_shadow_records_the_decision(rollback_run: Path):
    plan = run_forward(rollback_run, GovernanceMode.SHADOW)
    decision = read_decision(rollback_run / DECISION)
    assert plan.document["mode"] == "shadow"
    assert plan.document["governance"]["decision_id"] == decision.decision_id
    assert plan.document["governance"]["recommended_branch"] == FALLBACK


def test_shadow_and_enforce_take_the_same_decision(rollback_run: Path):
    shadow = run_forward(rollback_run, GovernanceMode.SHADOW).document["governance"]
    enforce = run_forward(rollback_run, GovernanceMode.ENFORCE).document["governance"]
    assert shadow == enforce


# --- off -----------------------------------------------------------------------------------


def test_off_plans_the_candidate_without_a_decision(run_copy: Path):
    plan = run_forward(run_copy, GovernanceMode.OFF)
    assert plan.document["mode"] == "off"
    assert plan.document["governance"] is None
    assert plan.active_branch == CANDIDATE
    assert not (run_copy / DECISION).exists()


def test_off_never_imports_dragon_governance(run_copy: Path, python_without_governance):
    done = python_without_governance(
        "from dragon_compat.cli import main\n"
        f"code = main(['forward', {str(run_copy)!r}, '--governance', 'off'])\n"
        "print('EXIT', code)\n"
        "print('ATTEMPTS', _blocker.attempts)\n"
    )
    assert done.returncode == 0, done.stderr
    assert "EXIT 0" in done.stdout
    assert "ATTEMPTS []" in done.stdout
    assert _plan_on_disk(run_copy)["governance"] is None


@pytest.mark.parametrize("mode", ["enforce", "shadow"])
def test_governed_modes_without_the_governance_extra_exit_2_with_the_install_hint(
    run_copy: Path, python_without_governance, mode: str
):
    done = python_without_governance(
        "import sys\n"
        "from dragon_compat.cli import main\n"
        f"code = main(['forward', {str(run_copy)!r}, '--governance', {mode!r}])\n"
        "print('ATTEMPTS', _blocker.attempts)\n"
        "sys.exit(code)\n"
    )
    assert done.returncode == 2
    assert "pip install 'dragon-compat[governance]'" in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr
    assert "ATTEMPTS ['dragon_governance']" in done.stdout
    assert not (run_copy / PLAN).exists()


def test_install_hint_names_the_extra():
    assert GOVERNANCE_EXTRA_HINT == "pip install 'dragon-compat[governance]'"


# --- the plan ------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", list(GovernanceMode))
def test_plan_orders_are_the_active_branchs_signals_at_the_close(orders_copy: Path, mode):
    plan = run_forward(orders_copy, mode)
    assert signals_of(plan.document["orders"]) == _signals(orders_copy, plan.active_branch)


def test_plan_lists_orders_for_every_signal_of_the_candidate(orders_copy: Path):
    plan = run_forward(orders_copy, GovernanceMode.OFF)
    orders = plan.document["orders"]
    assert orders["entries"] and orders["exits"]


def test_next_session_skips_national_day(run_copy: Path):
    plan = run_forward(run_copy, GovernanceMode.OFF)
    assert plan.document["as_of"] == EVE_SESSION.isoformat()
    assert plan.document["next_session"] == NEXT_AFTER_EVE.isoformat()


def test_next_session_after_an_ordinary_session_is_the_next_day(full_run: DailyRun, tmp_path):
    run_dir = Path(shutil.copytree(full_run.run_dir, tmp_path / "run"))
    plan = run_forward(run_dir, GovernanceMode.OFF)
    assert plan.document["as_of"] == MARKET_END.isoformat()
    assert plan.document["next_session"] == "2024-10-11"


def test_next_session_is_found_for_a_run_twenty_years_old(tmp_path: Path):
    bars = generate_market(30, 40, 7, end=date(2005, 6, 30))
    market = load_market(write_bars(bars, tmp_path / "bars.parquet"))
    daily = run_daily(market, tmp_path / "run")
    plan = run_forward(daily.run_dir, GovernanceMode.OFF)
    assert (plan.document["as_of"], plan.document["next_session"]) == ("2005-06-30", "2005-07-01")


def test_plan_on_disk_is_the_document_returned(run_copy: Path):
    plan = run_forward(run_copy, GovernanceMode.ENFORCE)
    assert isinstance(plan, ForwardPlan)
    assert plan.path == run_copy / PLAN
    assert _plan_on_disk(run_copy) == plan.document
    assert plan.document["schema"] == "dragon.forward_plan/2"
    assert plan.document["candidate_branch"] == CANDIDATE


def test_plan_on_disk_is_a_valid_plan_document(orders_copy: Path):
    plan = run_forward(orders_copy, GovernanceMode.ENFORCE)
    on_disk = ForwardPlanDocument.from_document(_plan_on_disk(orders_copy), source=plan.path)
    assert on_disk == plan.plan


def _close_rows(run_dir: Path, branch: str, event_type: str) -> list[dict[str, str]]:
    text = (run_dir / "branches" / branch / "events.csv").read_text(encoding="utf-8")
    session = _session(run_dir).isoformat()
    return [
        row
        for row in csv.DictReader(io.StringIO(text))
        if (row["trade_date"], row["phase"], row["event_type"]) == (session, "CLOSE", event_type)
    ]


def test_plan_prices_and_scores_are_json_numbers_equal_to_the_events_text(orders_copy: Path):
    plan = run_forward(orders_copy, GovernanceMode.OFF)
    written = json.loads(plan.path.read_text(encoding="utf-8"), parse_float=Decimal)
    entries = written["orders"]["entries"]
    rows = _close_rows(orders_copy, plan.active_branch, "ENTER_SIGNAL")
    assert entries and len(entries) == len(rows)
    for entry, row in zip(entries, rows, strict=True):
        assert isinstance(entry["close"], Decimal) and isinstance(entry["alpha_score"], Decimal)
        assert entry["close"] == Decimal(row["price"])
        assert entry["alpha_score"] == Decimal(row["alpha_score"])


def test_plan_ranks_heights_and_shares_are_json_integers(orders_copy: Path):
    orders = run_forward(orders_copy, GovernanceMode.OFF).document["orders"]
    assert orders["entries"] and orders["exits"]
    numbers = [e[k] for e in orders["entries"] for k in ("rank", "board_height")]
    numbers += [e["shares"] for e in orders["exits"]]
    assert all(type(n) is int for n in numbers)


@pytest.mark.parametrize("mode", list(GovernanceMode))
def test_plan_is_reproducible(run_copy: Path, mode):
    run_forward(run_copy, mode)
    first = (run_copy / PLAN).read_bytes()
    run_forward(run_copy, mode)
    assert (run_copy / PLAN).read_bytes() == first


def _damage_events(run_dir: Path, branch: str) -> None:
    (run_dir / "branches" / branch / "events.csv").write_text("garbage\n", encoding="utf-8")


@pytest.mark.parametrize("mode", [GovernanceMode.OFF, GovernanceMode.SHADOW])
def test_candidate_events_changed_after_the_run_are_never_planned(orders_copy: Path, mode):
    _damage_events(orders_copy, CANDIDATE)
    with pytest.raises(DragonUserError, match="sha256 differs"):
        run_forward(orders_copy, mode)
    assert not (orders_copy / PLAN).exists()


def test_enforce_plans_the_fallback_when_the_candidates_events_were_damaged(orders_copy: Path):
    _damage_events(orders_copy, CANDIDATE)
    plan = run_forward(orders_copy, GovernanceMode.ENFORCE)
    assert plan.document["governance"]["decision"] == Decision.ROLLBACK_REVIEW_REQUIRED
    assert plan.active_branch == FALLBACK
    assert signals_of(plan.document["orders"]) == _signals(orders_copy, FALLBACK)


def test_forward_refuses_a_directory_without_manifest(run_copy: Path):
    (run_copy / "daily_manifest.json").unlink()
    with pytest.raises(DragonUserError, match="not a complete daily run"):
        run_forward(run_copy, GovernanceMode.OFF)
    assert not (run_copy / PLAN).exists()


def test_forward_refuses_a_missing_directory(tmp_path: Path):
    with pytest.raises(DragonUserError, match="no such run directory"):
        run_forward(tmp_path / "nowhere", GovernanceMode.OFF)


# --- a manifest that is not what the run wrote -------------------------------------------


def _edit_manifest(run_dir: Path, edit) -> None:
    path = run_dir / "daily_manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    edit(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def _nul_in_first_output(manifest: dict) -> None:
    manifest["outputs"][0]["path"] = manifest["outputs"][0]["path"].replace("/", "\u0000/", 1)


BAD_MANIFESTS = {
    "as_of integer": (lambda m: m.update(as_of=20240930), "as_of"),
    "as_of garbage": (lambda m: m.update(as_of="the day before the holiday"), "as_of"),
    "branches null": (lambda m: m.update(branches=None), "branches"),
    "branches string": (lambda m: m.update(branches=" ".join(m["branches"])), "branches"),
    "NUL in an outputs path": (_nul_in_first_output, "outputs[0].path"),
}


@pytest.mark.parametrize("case", list(BAD_MANIFESTS))
@pytest.mark.parametrize("mode", list(GovernanceMode))
def test_a_bad_manifest_is_a_user_error_naming_the_field(run_copy: Path, mode, case):
    edit, field = BAD_MANIFESTS[case]
    _edit_manifest(run_copy, edit)
    with pytest.raises(DragonUserError) as caught:
        run_forward(run_copy, mode)
    assert caught.value.exit_code == 2
    assert f"daily_manifest.json: field {field}:" in str(caught.value)
    assert not (run_copy / PLAN).exists()
    assert not (run_copy / DECISION).exists()


@pytest.mark.parametrize("case", list(BAD_MANIFESTS))
def test_dragon_forward_on_a_bad_manifest_exits_2_without_traceback(
    run_copy: Path, dragon_cli: DragonCli, case
):
    edit, field = BAD_MANIFESTS[case]
    _edit_manifest(run_copy, edit)
    done = dragon_cli("forward", run_copy)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"field {field}:" in " ".join(done.stderr.split())
    assert not (run_copy / PLAN).exists()


# --- ledger --------------------------------------------------------------------------------


def test_ledger_records_a_run_s_decision_once_however_often_it_is_planned(
    run_copy: Path, tmp_path: Path
):
    ledger = tmp_path / "decisions.jsonl"
    first = run_forward(run_copy, GovernanceMode.ENFORCE, ledger=ledger)
    second = run_forward(run_copy, GovernanceMode.SHADOW, ledger=ledger)
    entries = verify_ledger(ledger)
    assert [e.seq for e in entries] == [1]
    assert entries[0].prev_hash == ZERO_HASH
    assert entries[0].decision_id == first.document["governance"]["decision_id"]
    assert second.document["governance"]["decision_id"] == entries[0].decision_id
    assert entries[0].as_of == EVE_SESSION
    assert entries[0].recommended_branch == first.document["governance"]["recommended_branch"]
    assert entries[0].run_dir == str(run_copy)


def test_off_mode_leaves_the_ledger_alone(run_copy: Path, tmp_path: Path):
    ledger = tmp_path / "decisions.jsonl"
    run_forward(run_copy, GovernanceMode.OFF, ledger=ledger)
    assert not ledger.exists()


def test_broken_ledger_is_refused_with_exit_3_and_left_as_is(run_copy: Path, tmp_path: Path):
    ledger = tmp_path / "decisions.jsonl"
    run_forward(run_copy, GovernanceMode.ENFORCE, ledger=ledger)
    entry = json.loads(ledger.read_text(encoding="utf-8"))
    entry["as_of"] = "2000-01-04"  # an edit that keeps the line valid JSON but breaks its hash
    tampered = json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n"
    ledger.write_text(tampered, encoding="utf-8")
    with pytest.raises(DragonUserError) as caught:
        run_forward(run_copy, GovernanceMode.ENFORCE, ledger=ledger)
    assert caught.value.exit_code == 3
    assert "line 1" in str(caught.value)
    assert ledger.read_text(encoding="utf-8") == tampered


# --- the run's policy is one of its inputs -----------------------------------------------

STRICT_FALLBACK = (
    'schema = "dragon.governance_policy/1"\nname = "strict-fallback"\n'
    "warning_streak_limit = 3\nlag_warn_sessions = 1\nlag_fail_sessions = 2\n"
    'fallback_branch = "strict_veto"\n'
)


@pytest.fixture
def policy_run(orders_run: DailyRun, market, tmp_path: Path) -> tuple[Path, Path]:
    """A rollback copy of the orders run made with a recorded policy (fallback strict_veto)."""
    policy = tmp_path / "policy.toml"
    policy.write_text(STRICT_FALLBACK, encoding="utf-8")
    run_dir = tmp_path / "run"
    run_daily(market, run_dir, as_of=orders_run.as_of, policy=policy)
    (run_dir / "monitor_health.json").unlink()
    return run_dir, policy


def test_forward_governs_with_the_policy_the_run_recorded(policy_run: tuple[Path, Path]):
    run_dir, policy = policy_run
    plan = run_forward(run_dir, GovernanceMode.ENFORCE)
    assert plan.active_branch == "strict_veto"
    assert plan.document["inputs"][-1] == {
        "path": str(policy),
        "role": "policy",
        "sha256": file_sha256(policy),
    }


def test_forward_refuses_a_policy_other_than_the_runs(policy_run: tuple[Path, Path], tmp_path):
    run_dir, _ = policy_run
    other = tmp_path / "other.toml"
    other.write_text(STRICT_FALLBACK.replace("strict_veto", "rc1_baseline"), encoding="utf-8")
    with pytest.raises(DragonUserError, match=r"not the policy run .* was made with"):
        run_forward(run_dir, GovernanceMode.ENFORCE, policy=other)
    assert not (run_dir / DECISION).exists()
    assert not (run_dir / PLAN).exists()


def test_forward_refuses_the_runs_policy_once_it_changed(policy_run: tuple[Path, Path]):
    run_dir, policy = policy_run
    policy.write_text(STRICT_FALLBACK + "# edited\n", encoding="utf-8")
    with pytest.raises(DragonUserError, match="the run's policy changed since the run"):
        run_forward(run_dir, GovernanceMode.SHADOW)
    assert not (run_dir / PLAN).exists()


def test_mode_off_reads_no_policy(policy_run: tuple[Path, Path]):
    run_dir, policy = policy_run
    policy.unlink()
    assert run_forward(run_dir, GovernanceMode.OFF).document["inputs"][0]["role"] == "bars"


def test_daily_refuses_a_policy_whose_fallback_is_not_a_branch(market, tmp_path: Path):
    policy = tmp_path / "policy.toml"
    policy.write_text(STRICT_FALLBACK.replace("strict_veto", "no_such_branch"), encoding="utf-8")
    with pytest.raises(DragonUserError, match="fallback_branch 'no_such_branch' is not a branch"):
        run_daily(market, tmp_path / "run", as_of=EVE_SESSION, policy=policy)
    assert not (tmp_path / "run").exists()
