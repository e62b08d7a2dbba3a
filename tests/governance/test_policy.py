"""Policy: the built-in rc1-default, custom TOML files, validation, the recorded hash."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import pytest

from dragon_governance.errors import PolicyError
from dragon_governance.evaluation import evaluate_run
from dragon_governance.outcomes import Decision
from dragon_governance.policy import builtin_policy, load_policy
from tests.governance.builders import AS_OF, RunDir

BUILTIN_TEXT = (
    resources.files("dragon_governance").joinpath("policies/rc1-default.toml").read_bytes()
)

CUSTOM = """\
schema = "dragon.governance_policy/1"
name = "strict-desk"
warning_streak_limit = 2
lag_warn_sessions = 2
lag_fail_sessions = 3
fallback_branch = "rc1_baseline"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    return path


def test_the_builtin_policy_holds_the_spec_thresholds():
    values = builtin_policy().values
    assert (values.name, values.warning_streak_limit) == ("rc1-default", 3)
    assert (values.lag_warn_sessions, values.lag_fail_sessions) == (1, 2)
    assert values.fallback_branch == "alpha_first_selective_veto"


def test_the_builtin_policy_hash_is_taken_over_its_toml_text():
    assert builtin_policy().sha256 == hashlib.sha256(BUILTIN_TEXT).hexdigest()


def test_a_decision_records_the_policy_name_hash_and_values(run: RunDir):
    record = evaluate_run(run.build(), as_of=AS_OF).policy
    assert (record.name, record.sha256) == ("rc1-default", builtin_policy().sha256)
    assert record.values == {
        "warning_streak_limit": 3,
        "lag_warn_sessions": 1,
        "lag_fail_sessions": 2,
        "fallback_branch": "alpha_first_selective_veto",
    }


def test_a_custom_policy_changes_thresholds_and_its_hash(run: RunDir, tmp_path: Path):
    run.set_condition("W1_DRAWDOWN", active=True, streak=2)
    root = run.build()
    assert evaluate_run(root, as_of=AS_OF).decision is Decision.HOLD
    path = _write(tmp_path, CUSTOM)
    decision = evaluate_run(root, as_of=AS_OF, policy=path)
    assert decision.decision is Decision.ROLLBACK_REVIEW_REQUIRED
    assert decision.policy.sha256 == hashlib.sha256(CUSTOM.encode()).hexdigest()
    assert decision.policy.sha256 != builtin_policy().sha256
    assert (decision.policy.name, decision.policy.values["warning_streak_limit"]) == (
        "strict-desk",
        2,
    )
    assert decision.recommended_branch == decision.fallback_branch == "rc1_baseline"


def test_a_custom_policy_moves_the_lag_bands(run: RunDir, tmp_path: Path):
    root = run.for_session(run.sessions[-2]).build()  # one session behind 2024-10-08
    assert evaluate_run(root, as_of=AS_OF).decision is Decision.HOLD
    decision = evaluate_run(root, as_of=AS_OF, policy=load_policy(_write(tmp_path, CUSTOM)))
    assert decision.gates[0].reasons[0].code == "MANIFEST_CURRENT"


def test_an_unknown_key_is_rejected_naming_it_and_the_file(tmp_path: Path):
    path = _write(tmp_path, CUSTOM + "warning_streak = 4\n")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert "unknown key 'warning_streak'" in caught.value.message
    assert str(path) in caught.value.message and "allowed keys" in caught.value.message


def test_a_missing_key_is_rejected(tmp_path: Path):
    text = CUSTOM.replace('fallback_branch = "rc1_baseline"\n', "")
    with pytest.raises(PolicyError, match="missing key 'fallback_branch'"):
        load_policy(_write(tmp_path, text))


@pytest.mark.parametrize("value", ['"3"', "true", "3.0", "0"])
def test_warning_streak_limit_must_be_a_positive_integer(tmp_path: Path, value: str):
    text = CUSTOM.replace("warning_streak_limit = 2", f"warning_streak_limit = {value}")
    with pytest.raises(PolicyError, match="key 'warning_streak_limit'"):
        load_policy(_write(tmp_path, text))


def test_lag_fail_below_lag_warn_is_rejected(tmp_path: Path):
    text = CUSTOM.replace("lag_fail_sessions = 3", "lag_fail_sessions = 1")
    with pytest.raises(PolicyError, match=r"lag_fail_sessions \(1\) must be >= lag_warn_sessions"):
        load_policy(_write(tmp_path, text))


def test_another_schema_is_rejected(tmp_path: Path):
    text = CUSTOM.replace("governance_policy/1", "governance_policy/9")
    with pytest.raises(PolicyError, match="key 'schema'"):
        load_policy(_write(tmp_path, text))


def test_invalid_toml_is_rejected_with_its_position(tmp_path: Path):
    with pytest.raises(PolicyError, match=r"not valid TOML: .*line 1"):
        load_policy(_write(tmp_path, "warning_streak_limit = \n"))


def test_an_unreadable_policy_is_a_policy_error(tmp_path: Path):
    with pytest.raises(PolicyError, match="cannot read policy"):
        load_policy(tmp_path / "absent.toml")


def test_evaluate_run_rejects_an_invalid_policy_before_reading_the_run(run: RunDir, tmp_path):
    path = _write(tmp_path, "name = 1\n")
    with pytest.raises(PolicyError):
        evaluate_run(run.build(), as_of=AS_OF, policy=path)
