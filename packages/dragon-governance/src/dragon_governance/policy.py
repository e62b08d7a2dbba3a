"""Rollout policy: the named thresholds of the gates, as validated TOML.

The built-in ``rc1-default`` ships as package data (``policies/rc1-default.toml``);
``--policy FILE`` replaces it. A policy must set every threshold key (no hidden
defaults), unknown keys are rejected, and its sha256 — taken over the file's bytes,
i.e. its TOML text — is recorded in every decision. Two keys are optional:
``sessions_file`` names a sessions file (relative to the policy file's directory)
that extends the XSHG calendar (``--sessions FILE`` overrides it), and
``rollback_requires_review`` (default true) says whether a rollback recorded in a
ledger waits for a review. The built-in file leaves the latter at its default, so its
bytes — and the sha256 every decision records — are those of earlier releases. A policy file is
read as a regular file of at most ``POLICY_MAX_BYTES`` (a FIFO or a device is refused
without blocking).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)
from pydantic.fields import FieldInfo

from dragon_governance.canonical import sha256_hex
from dragon_governance.errors import PolicyError
from dragon_governance.regular_file import Refusal, read_bytes
from dragon_governance.sources.models import Identifier, check_path_text

BUILTIN_POLICY_NAME = "rc1-default"
PolicySchemaId = Literal["dragon.governance_policy/1"]
POLICY_MAX_BYTES = 1 << 20
"""A policy file larger than this is refused (1 MiB; the built-in one is ~0.3 KiB)."""
#: Keys that are not thresholds: kept out of a decision's ``policy.values``.
_NOT_THRESHOLDS = {"schema_", "name", "sessions_file", "rollback_requires_review"}


class PolicyValues(BaseModel):
    """The keys of a policy file (TOML). Comparisons the gates make with them:

    - G1: ``lag >= lag_fail_sessions`` → FAIL, else ``lag >= lag_warn_sessions`` → WARN.
    - G2: an active warning with ``streak >= warning_streak_limit`` → FAIL.
    - Decision: ROLLBACK_REVIEW_REQUIRED recommends ``fallback_branch``.
    - Calendar: ``sessions_file`` (optional) extends it (see ``sessions_file``).
    - Lifecycle: ``rollback_requires_review`` (optional, default true — the value
      ``rc1-default`` has): a recorded rollback keeps the fallback active until a
      review (see ``rollout_state``). It never changes a decision.
    """

    model_config = ConfigDict(
        defer_build=True, strict=True, extra="forbid", frozen=True, populate_by_name=True
    )

    schema_: PolicySchemaId = Field(alias="schema")
    name: Identifier
    warning_streak_limit: Annotated[StrictInt, Field(ge=1)]
    lag_warn_sessions: Annotated[StrictInt, Field(ge=1)]
    lag_fail_sessions: Annotated[StrictInt, Field(ge=1)]
    fallback_branch: Identifier
    sessions_file: (
        Annotated[StrictStr, Field(min_length=1), AfterValidator(check_path_text)] | None
    ) = None
    rollback_requires_review: StrictBool = True

    @model_validator(mode="after")
    def _lag_thresholds_ordered(self) -> PolicyValues:
        if self.lag_fail_sessions < self.lag_warn_sessions:
            raise ValueError(
                f"lag_fail_sessions ({self.lag_fail_sessions}) must be >= "
                f"lag_warn_sessions ({self.lag_warn_sessions})"
            )
        return self

    def thresholds(self) -> dict[str, int | str]:
        """The values recorded in a decision's ``policy.values``: the thresholds and the
        fallback branch (not schema, name, sessions_file — the sessions file is recorded
        by its sha256 in the decision's ``sessions_file`` — or rollback_requires_review,
        which ledger lines record: it shapes the rollout state, not the decision)."""
        return self.model_dump(exclude=_NOT_THRESHOLDS)


@dataclass(frozen=True)
class Policy:
    """A validated policy with its provenance."""

    values: PolicyValues
    sha256: str
    """sha256 of the policy file's bytes (its TOML text)."""
    origin: str
    """``built-in:rc1-default`` or the path it was read from."""
    sessions_path: Path | None = None
    """``sessions_file`` resolved against the policy file's directory (None: not set)."""

    @property
    def name(self) -> str:
        return self.values.name


def _describe_errors(origin: str, err: ValidationError) -> str:
    allowed = ", ".join(field.alias or name for name, field in PolicyValues.model_fields.items())
    problems = []
    for error in err.errors(include_url=False):
        key = ".".join(str(part) for part in error["loc"]) or "(policy)"
        if error["type"] == "extra_forbidden":
            problems.append(f"unknown key {key!r} (allowed keys: {allowed})")
        elif error["type"] == "missing":
            problems.append(f"missing key {key!r}")
        else:
            message = error["msg"].removeprefix("Value error, ")
            shown = "" if key == "(policy)" else f" (got {error['input']!r})"
            problems.append(f"key {key!r}: {message}{shown}")
    return f"invalid policy {origin}: " + "; ".join(problems)


def parse_policy(data: bytes, origin: str, base_dir: Path | None = None) -> Policy:
    """Validate policy bytes (TOML); raise ``PolicyError`` naming origin, key and rule.

    A relative ``sessions_file`` is resolved against ``base_dir`` (the policy file's
    directory; None: the current directory).
    """
    try:
        document: dict[str, Any] = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise PolicyError(f"invalid policy {origin}: not UTF-8 ({err.reason})") from err
    except tomllib.TOMLDecodeError as err:
        raise PolicyError(f"invalid policy {origin}: not valid TOML: {err}") from err
    try:
        values = PolicyValues.model_validate(document)
    except ValidationError as err:
        raise PolicyError(_describe_errors(origin, err)) from err
    sessions_path = None
    if values.sessions_file is not None:
        sessions_path = Path(values.sessions_file)
        if base_dir is not None and not sessions_path.is_absolute():
            sessions_path = base_dir / sessions_path
    return Policy(
        values=values, sha256=sha256_hex(data), origin=origin, sessions_path=sessions_path
    )


def load_policy(path: str | os.PathLike[str]) -> Policy:
    """Read and validate a policy file; ``PolicyError`` when unreadable or invalid.

    The file must be a regular file of at most ``POLICY_MAX_BYTES``: a FIFO, a device
    (``/dev/zero``) or a directory is refused at once, naming what it is.
    """
    policy_path = Path(path)
    try:
        data = read_bytes(policy_path, limit=POLICY_MAX_BYTES)
    except Refusal as refusal:
        detail = refusal.reason if refusal.reason is not None else refusal.detail
        raise PolicyError(f"cannot read policy {policy_path}: {detail}") from None
    return parse_policy(data, str(policy_path), policy_path.parent)


def builtin_policy_bytes() -> bytes:
    """The TOML text of the built-in ``rc1-default`` policy."""
    return (
        resources.files("dragon_governance")
        .joinpath("policies", f"{BUILTIN_POLICY_NAME}.toml")
        .read_bytes()
    )


@cache
def builtin_policy() -> Policy:
    """The built-in ``rc1-default`` policy (the thresholds of docs/governance.md)."""
    return parse_policy(builtin_policy_bytes(), f"built-in:{BUILTIN_POLICY_NAME}")


_KEY_RULES: dict[str, str] = {
    "schema": "fixed",
    "name": "identifier, recorded in the decision",
    "warning_streak_limit": "G2: active warning with `streak ≥` it → FAIL",
    "lag_warn_sessions": "G1: `lag ≥` it → WARN",
    "lag_fail_sessions": "not below `lag_warn_sessions`; G1: `lag ≥` it → FAIL",
    "fallback_branch": "identifier; recommended on rollback",
    "sessions_file": "optional path, relative to the policy file: a sessions file extending "
    "the XSHG calendar (`--sessions` overrides it)",
    "rollback_requires_review": "optional bool, default true: a rollback recorded in a "
    "ledger keeps the fallback active until `dragon-governance review` (never changes a "
    "decision)",
}
"""What each policy key does, in words (no values: those are the policy file's)."""


def _key_rule(key: str, field: FieldInfo) -> str:
    """The key's rule: its integer lower bound (from the model), then its words."""
    bounds = [f"int ≥ {m.ge}" for m in field.metadata if isinstance(getattr(m, "ge", None), int)]
    return "; ".join([*bounds, _KEY_RULES[key]])


def policy_markdown(policy: Policy | None = None) -> str:
    """The policy keys (key, value, rule) as a Markdown table; default: ``rc1-default``.

    Values are the policy's own (for the built-in, its TOML file); a key without a
    rule in words raises ``KeyError``. The package README embeds this text between
    ``generated:policy`` markers; a test keeps the two equal.
    """
    chosen = builtin_policy() if policy is None else policy
    values = chosen.values.model_dump(by_alias=True)
    lines = [f"| key | {chosen.name} | rule |", "|---|---|---|"]
    for name, field in PolicyValues.model_fields.items():
        key = field.alias or name
        value = values[key]
        if value is None:
            shown = "(unset)"
        elif isinstance(value, bool):
            shown = str(value).lower()
        else:
            shown = f'`"{value}"`' if isinstance(value, str) else str(value)
        lines.append(f"| `{key}` | {shown} | {_key_rule(key, field)} |")
    return "\n".join(lines) + "\n"
