"""A run's branches and roles from configuration: the branch file and role resolution.

A branch file is TOML, one ``[[branch]]`` table per branch, with exactly
:class:`~dragon_compat.branches.BranchConfig`'s fields::

    [[branch]]
    name = "strict_top2"            # letters, digits, '_', '-', '.'; unique; a directory name
    ordering = "height_first"       # height_first | alpha_first
    top_k = 2                       # an integer >= 1, or "all" (no cutoff)
    selective_vetoes = ["W1_BROKEN_RATE", "W2_LIMIT_DOWNS"]   # optional, default []

The run's branches are the file's, in file order (RC1's four are the default when no
file is given). A name of an RC1 branch may be used only with RC1's own definition of
it, so a branch name always means one thing in a run directory. Any other key, a
missing key or a bad value is a :class:`DragonUserError` (exit 2) naming the file,
the branch (number, line and name), the key and the rule.

Roles (candidate, reference, control) default to RC1's demo roles and must name
branches of the run: :func:`resolve_roles`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from dragon_compat.branches import (
    BRANCHES,
    DEMO_ROLES,
    WEAK_PREDICATE_IDS,
    BranchConfig,
    BranchRoles,
    Ordering,
)
from dragon_compat.errors import DragonUserError

__all__ = [
    "BRANCH_KEYS",
    "BRANCH_NAME_RULE",
    "NO_CUTOFF",
    "RC1_BRANCH_SET",
    "ROLE_NAMES",
    "BranchSet",
    "branch_set",
    "load_branch_file",
    "parse_branch_tables",
    "pick_branch",
    "resolve_roles",
]

BRANCH_KEYS: Final = tuple(field.name for field in dataclasses.fields(BranchConfig))
"""The keys of a ``[[branch]]`` table: BranchConfig's fields, in order."""
_REQUIRED: Final = tuple(
    field.name
    for field in dataclasses.fields(BranchConfig)
    if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
)
NO_CUTOFF: Final = "all"
"""The ``top_k`` value meaning no cutoff (``BranchConfig.top_k`` None; TOML has no null)."""
BRANCH_NAME_RULE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
"""A branch name: 1-64 letters, digits, ``_``, ``-`` or ``.``, not starting with a
punctuation character (it is a directory name under ``branches/``)."""
ROLE_NAMES: Final = ("candidate", "reference", "control")

_RULES: Final[Mapping[str, str]] = {
    "name": "1-64 letters, digits, '_', '-' or '.', starting with a letter or digit; unique",
    "ordering": " or ".join(f'"{o.value}"' for o in Ordering),
    "top_k": f'an integer >= 1, or "{NO_CUTOFF}" for no cutoff',
    "selective_vetoes": "a list of weak predicate ids, distinct, in table order ("
    + ", ".join(WEAK_PREDICATE_IDS)
    + ")",
}
_HEADER = re.compile(r"^\s*\[\[\s*branch\s*\]\]")


@dataclass(frozen=True, eq=False)
class BranchSet:
    """The branches of a run, in run order, and the file they came from (None: RC1's)."""

    branches: tuple[BranchConfig, ...]
    path: Path | None = None
    sha256: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(branch.name for branch in self.branches)

    def __iter__(self) -> Iterator[BranchConfig]:
        return iter(self.branches)

    def __len__(self) -> int:
        return len(self.branches)

    @property
    def label(self) -> str:
        """How to name the set to a person: the file, or "RC1's branches"."""
        return str(self.path) if self.path is not None else "RC1's branches"


RC1_BRANCH_SET: Final = BranchSet(tuple(BRANCHES.values()))
"""RC1's four branches (the default of every run)."""


def _header_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if _HEADER.match(line)]


def _where(path: Path, index: int, lines: list[int], table: Mapping[str, Any]) -> str:
    line = f", line {lines[index]}" if index < len(lines) else ""
    name = table.get("name")
    named = f" ({name!r})" if isinstance(name, str) else ""
    return f"{path}: branch {index + 1}{line}{named}"


def _top_k(value: object) -> int | None:
    if value == NO_CUTOFF:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise ValueError


def _branch(table: Mapping[str, Any]) -> BranchConfig:
    """One table as a BranchConfig; ``KeyError(key)`` naming the first bad value."""
    name = table["name"]
    if not isinstance(name, str) or not BRANCH_NAME_RULE.fullmatch(name):
        raise KeyError("name")
    ordering = table["ordering"]
    if not isinstance(ordering, str) or ordering not in {o.value for o in Ordering}:
        raise KeyError("ordering")
    try:
        top_k = _top_k(table["top_k"])
    except ValueError:
        raise KeyError("top_k") from None
    vetoes = table.get("selective_vetoes", [])
    if not isinstance(vetoes, list) or not all(isinstance(v, str) for v in vetoes):
        raise KeyError("selective_vetoes")
    try:
        return BranchConfig(name, Ordering(ordering), top_k, tuple(vetoes))
    except ValueError:
        raise KeyError("selective_vetoes") from None


def _describe(config: BranchConfig) -> str:
    top_k = NO_CUTOFF if config.top_k is None else config.top_k
    vetoes = ", ".join(config.selective_vetoes) or "none"
    return f"ordering {config.ordering.value}, top_k {top_k}, selective_vetoes {vetoes}"


def _parse(path: Path, text: str) -> tuple[BranchConfig, ...]:
    from dragon_compat.toml_file import parse_toml

    document = parse_toml(path, text)
    unknown = sorted(set(document) - {"branch"})
    if unknown:
        raise DragonUserError(
            f"{path}: unknown key {unknown[0]!r} (a branch file holds only [[branch]] tables)"
        )
    return parse_branch_tables(path, document.get("branch"), text)


def parse_branch_tables(path: Path, tables: object, text: str) -> tuple[BranchConfig, ...]:
    """The ``[[branch]]`` tables of a parsed TOML document (``text``: the document's
    source, for line numbers) checked as a branch file's; :class:`DragonUserError`
    naming ``path``, the branch, the key and the rule (``dragon sweep``'s grid file
    holds the same tables)."""
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise DragonUserError(f"{path}: no [[branch]] table (a branch file defines at least one)")
    lines = _header_lines(text)
    branches: list[BranchConfig] = []
    for index, table in enumerate(tables):
        where = _where(path, index, lines, table)
        extra = [key for key in table if key not in BRANCH_KEYS]
        if extra:
            raise DragonUserError(
                f"{where}: unknown key {extra[0]!r} (the keys are {', '.join(BRANCH_KEYS)})"
            )
        missing = [key for key in _REQUIRED if key not in table]
        if missing:
            raise DragonUserError(f"{where}: key {missing[0]!r} missing ({_RULES[missing[0]]})")
        try:
            config = _branch(table)
        except KeyError as err:
            key = str(err.args[0])
            raise DragonUserError(
                f"{where}: key {key!r}: {table.get(key)!r} is not {_RULES[key]}"
            ) from None
        if config.name in (b.name for b in branches):
            raise DragonUserError(f"{where}: key 'name': {config.name!r} is defined twice")
        rc1 = BRANCHES.get(config.name)
        if rc1 is not None and rc1 != config:
            raise DragonUserError(
                f"{where}: key 'name': {config.name!r} is an RC1 branch, defined as "
                f"{_describe(rc1)}; give a branch with other fields another name"
            )
        branches.append(config)
    return tuple(branches)


def load_branch_file(path: str | Path) -> BranchSet:
    """The branches defined in the TOML file ``path`` (see the module docstring).

    Raises :class:`DragonUserError` naming the file, branch, key and rule.
    """
    from dragon_compat.market_input import file_sha256
    from dragon_compat.toml_file import read_toml_text

    path = Path(path)
    text = read_toml_text(path, "the branch file", missing="no such branch file")
    branches = _parse(path, text)
    return BranchSet(branches, path=path, sha256=file_sha256(path))


def branch_set(path: str | Path | None) -> BranchSet:
    """The branch file at ``path`` (:func:`load_branch_file`), or RC1's when None."""
    return RC1_BRANCH_SET if path is None else load_branch_file(path)


def pick_branch(branches: BranchSet, name: str) -> BranchConfig:
    """The branch called ``name`` in ``branches``; :class:`DragonUserError` naming the
    branches there are otherwise (``name`` usually comes from ``--branch``)."""
    for branch in branches:
        if branch.name == name:
            return branch
    raise DragonUserError(
        f"unknown branch {name!r} in {branches.label}; choose one of: {', '.join(branches.names)}"
    )


def resolve_roles(
    branches: BranchSet,
    *,
    candidate: str | None = None,
    reference: str | None = None,
    control: str | None = None,
) -> BranchRoles:
    """The run's roles: each given one, else RC1's demo role, checked to be a branch of
    ``branches``; the three differ.

    Raises :class:`DragonUserError` naming the role, the branch and the branches there
    are (a default role that the branch file lacks says to choose one).
    """
    given = {"candidate": candidate, "reference": reference, "control": control}
    chosen: dict[str, str] = {}
    for role in ROLE_NAMES:
        name = given[role] or getattr(DEMO_ROLES, role)
        if name not in branches.names:
            how = (
                f"--{role} {name!r}"
                if given[role]
                else f"the default {role} {name!r}; choose one with --{role}"
            )
            raise DragonUserError(
                f"{how}: not a branch of {branches.label} ({', '.join(branches.names)})"
            )
        chosen[role] = name
    if len(set(chosen.values())) < len(chosen):
        raise DragonUserError(
            "the roles must be three different branches (the monitor compares the candidate "
            "with the reference and the control): "
            + ", ".join(f"{role} {name!r}" for role, name in chosen.items())
        )
    fallback = DEMO_ROLES.fallback if DEMO_ROLES.fallback in branches.names else chosen["control"]
    return BranchRoles(fallback=fallback, **chosen)
