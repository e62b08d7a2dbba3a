"""The grid file of ``dragon sweep``: branches × windows × universes, and policies.

A grid is TOML (docs/sweep.md has a working example)::

    branches = "branches.toml"      # a branch file, relative to the grid; or [[branch]] here

    [[window]]                      # explicit windows: first and last session, inclusive
    start = 2023-03-01
    end = 2023-06-30

    [rolling]                       # walk-forward windows over the data's sessions
    length = 60                     # sessions per window
    step = 30                       # sessions between window starts
    start = 2023-01-03              # optional: the first window's earliest start
    end = 2023-12-29                # optional: no window ends after it

    [[universe]]                    # a filter of the market's symbols (all filters AND)
    name = "growth"
    boards = ["chinext", "star"]    # main | chinext | star | bse
    sectors = ["半导体"]             # optional: the bars' sector values
    symbols = ["300001.SZ"]         # optional: explicit symbols

    [[policy]]                      # a governance policy and the roles it decides over
    name = "rc1"
    file = "policy.toml"            # optional: default dragon-governance's built-in rc1
    candidate = "alpha_first"
    reference = "rc1_baseline"
    control = "alpha_first_selective_veto"

A cell is one (branch, window, universe). Without ``[[universe]]`` the one universe is
``all`` (every symbol); ``[[policy]]`` is optional. Every mistake found before the
sweep runs — an unknown key, a bad date, a window that ends before it starts, a role
that names no branch of the grid — is a :class:`DragonUserError` (exit 2) naming the
file, the table and the key. What only the data can tell (a window without sessions,
a universe selecting no symbol) is a failed cell, not a grid error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from dragon_compat.branch_file import (
    BRANCH_NAME_RULE,
    BranchSet,
    load_branch_file,
    parse_branch_tables,
    resolve_roles,
)
from dragon_compat.branches import BranchRoles
from dragon_compat.errors import DragonUserError
from dragon_compat.toml_file import parse_toml, read_toml_text
from dragon_runtime import Board

__all__ = [
    "BOARDS",
    "GRID_KEYS",
    "Grid",
    "PolicySpec",
    "RollingWindows",
    "Universe",
    "Window",
    "load_grid",
]

GRID_KEYS: Final = ("branches", "branch", "window", "rolling", "universe", "policy")
"""The top-level keys of a grid file."""
WINDOW_KEYS: Final = ("start", "end")
ROLLING_KEYS: Final = ("length", "step", "start", "end")
UNIVERSE_KEYS: Final = ("name", "boards", "sectors", "symbols")
POLICY_KEYS: Final = ("name", "file", "candidate", "reference", "control")
BOARDS: Final = tuple(board.value for board in Board if board is not Board.OTHER)
"""The board filters a universe may name (dragon-runtime's boards)."""
ALL_UNIVERSE: Final = "all"
"""The universe of a grid without ``[[universe]]`` tables: every symbol."""
_SYMBOL = re.compile(r"[0-9]{6}\.(SH|SZ|BJ)")


@dataclass(frozen=True, slots=True)
class Window:
    """Sessions from ``start`` to ``end``, both inclusive (calendar dates)."""

    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True, slots=True)
class RollingWindows:
    """Walk-forward windows of ``length`` sessions every ``step`` sessions of the data,
    within ``[start, end]`` when given (:meth:`windows`)."""

    length: int
    step: int
    start: dt.date | None = None
    end: dt.date | None = None

    def windows(self, sessions: Sequence[dt.date]) -> tuple[Window, ...]:
        """The windows over ``sessions`` (ascending): the first starts at the first
        session on or after ``start``; each later one ``step`` sessions on; only whole
        windows (``length`` sessions, none after ``end``)."""
        inside = [
            day
            for day in sessions
            if (self.start is None or day >= self.start) and (self.end is None or day <= self.end)
        ]
        return tuple(
            Window(inside[first], inside[first + self.length - 1])
            for first in range(0, len(inside) - self.length + 1, self.step)
        )


@dataclass(frozen=True, slots=True)
class Universe:
    """A named filter of symbols: ``boards``, ``sectors`` and ``symbols`` (each empty =
    no filter on it; a symbol must pass every given one)."""

    name: str
    boards: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    symbols: tuple[str, ...] = ()

    def document(self) -> dict[str, object]:
        """The definition as JSON (part of a cell's key)."""
        return {
            "boards": list(self.boards),
            "sectors": list(self.sectors),
            "symbols": list(self.symbols),
        }


@dataclass(frozen=True, slots=True)
class PolicySpec:
    """A governance policy (``path`` None: the built-in one) and the roles it governs."""

    name: str
    path: Path | None
    sha256: str | None
    roles: BranchRoles

    def document(self) -> dict[str, object]:
        """The definition as JSON (part of a cell's key): the file's bytes, not its path."""
        return {
            "name": self.name,
            "policy_sha256": self.sha256,
            "candidate": self.roles.candidate,
            "reference": self.roles.reference,
            "control": self.roles.control,
        }


@dataclass(frozen=True, eq=False)
class Grid:
    """A checked grid file (see the module docstring)."""

    path: Path
    branches: BranchSet
    windows: tuple[Window, ...]
    rolling: RollingWindows | None
    universes: tuple[Universe, ...]
    policies: tuple[PolicySpec, ...]

    def resolve_windows(self, sessions: Sequence[dt.date]) -> tuple[Window, ...]:
        """The explicit windows, then the rolling ones over the data's ``sessions``;
        a window given twice counts once."""
        rolled = self.rolling.windows(sessions) if self.rolling is not None else ()
        return tuple(dict.fromkeys((*self.windows, *rolled)))


# ----------------------------------------------------------------------- parsing
def _fail(path: Path, where: str, message: str) -> DragonUserError:
    return DragonUserError(f"{path}: {where}{message}")


def _check_keys(path: Path, where: str, table: Mapping[str, Any], keys: Sequence[str]) -> None:
    unknown = [key for key in table if key not in keys]
    if unknown:
        raise _fail(path, where, f"unknown key {unknown[0]!r} (the keys are {', '.join(keys)})")


def _date(path: Path, where: str, key: str, value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        raise _fail(path, where, f"key {key!r}: {value!r} is not a date (YYYY-MM-DD, no time)")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _fail(path, where, f"key {key!r}: {value!r} is not a date YYYY-MM-DD")


def _positive(path: Path, where: str, key: str, value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise _fail(path, where, f"key {key!r}: {value!r} is not an integer >= 1 (sessions)")


def _strings(path: Path, where: str, key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(path, where, f"key {key!r}: {value!r} is not a list of non-empty strings")
    if len(set(value)) != len(value):
        raise _fail(path, where, f"key {key!r}: a value is given twice")
    return tuple(value)


def _tables(path: Path, document: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    tables = document.get(key, [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise _fail(path, "", f"key {key!r}: write it as [[{key}]] tables")
    return tables


def _name(path: Path, where: str, table: Mapping[str, Any], seen: set[str]) -> str:
    name = table.get("name")
    if name is None:
        raise _fail(path, where, "key 'name' missing")
    if not isinstance(name, str) or not BRANCH_NAME_RULE.fullmatch(name):
        raise _fail(
            path, where, f"key 'name': {name!r} is not 1-64 letters, digits, '_', '-' or '.'"
        )
    if name in seen:
        raise _fail(path, where, f"key 'name': {name!r} is defined twice")
    seen.add(name)
    return name


def _branches(path: Path, document: Mapping[str, Any], text: str) -> BranchSet:
    given = document.get("branches")
    if given is not None and "branch" in document:
        raise _fail(path, "", "key 'branches': give a branch file or [[branch]] tables, not both")
    if given is not None:
        if not isinstance(given, str) or not given:
            raise _fail(path, "", f"key 'branches': {given!r} is not a branch file's path")
        return load_branch_file(path.parent / given)
    if "branch" not in document:
        raise _fail(path, "", "no branches: give branches = FILE or [[branch]] tables")
    return BranchSet(parse_branch_tables(path, document["branch"], text), path=path)


def _windows(path: Path, document: Mapping[str, Any]) -> tuple[Window, ...]:
    windows = []
    for number, table in enumerate(_tables(path, document, "window"), start=1):
        where = f"[[window]] {number}: "
        _check_keys(path, where, table, WINDOW_KEYS)
        missing = [key for key in WINDOW_KEYS if key not in table]
        if missing:
            raise _fail(path, where, f"key {missing[0]!r} missing (a date YYYY-MM-DD)")
        start = _date(path, where, "start", table["start"])
        end = _date(path, where, "end", table["end"])
        if end < start:
            raise _fail(path, where, f"key 'end': {end} is before start {start}")
        windows.append(Window(start, end))
    return tuple(windows)


def _rolling(path: Path, document: Mapping[str, Any]) -> RollingWindows | None:
    table = document.get("rolling")
    if table is None:
        return None
    where = "[rolling]: "
    if not isinstance(table, dict):
        raise _fail(path, "", "key 'rolling': write it as a [rolling] table")
    _check_keys(path, where, table, ROLLING_KEYS)
    for key in ("length", "step"):
        if key not in table:
            raise _fail(path, where, f"key {key!r} missing (sessions, an integer >= 1)")
    start = _date(path, where, "start", table["start"]) if "start" in table else None
    end = _date(path, where, "end", table["end"]) if "end" in table else None
    if start is not None and end is not None and end < start:
        raise _fail(path, where, f"key 'end': {end} is before start {start}")
    return RollingWindows(
        length=_positive(path, where, "length", table["length"]),
        step=_positive(path, where, "step", table["step"]),
        start=start,
        end=end,
    )


def _universes(path: Path, document: Mapping[str, Any]) -> tuple[Universe, ...]:
    tables = _tables(path, document, "universe")
    if not tables:
        return (Universe(ALL_UNIVERSE),)
    universes, seen = [], set[str]()
    for number, table in enumerate(tables, start=1):
        where = f"[[universe]] {number}: "
        _check_keys(path, where, table, UNIVERSE_KEYS)
        name = _name(path, where, table, seen)
        boards = _strings(path, where, "boards", table.get("boards", []))
        bad = [board for board in boards if board not in BOARDS]
        if bad:
            raise _fail(path, where, f"key 'boards': {bad[0]!r} is not one of {', '.join(BOARDS)}")
        symbols = _strings(path, where, "symbols", table.get("symbols", []))
        bad = [symbol for symbol in symbols if not _SYMBOL.fullmatch(symbol)]
        if bad:
            raise _fail(path, where, f"key 'symbols': {bad[0]!r} is not NNNNNN.SH|SZ|BJ")
        sectors = _strings(path, where, "sectors", table.get("sectors", []))
        universes.append(Universe(name, boards, sectors, symbols))
    return tuple(universes)


def _policies(
    path: Path, document: Mapping[str, Any], branches: BranchSet
) -> tuple[PolicySpec, ...]:
    from dragon_compat.market_input import file_sha256
    from dragon_compat.pipelines.daily import check_policy

    policies, seen = [], set[str]()
    for number, table in enumerate(_tables(path, document, "policy"), start=1):
        where = f"[[policy]] {number}: "
        _check_keys(path, where, table, POLICY_KEYS)
        name = _name(path, where, table, seen)
        missing = [role for role in ("candidate", "reference", "control") if role not in table]
        if missing:
            raise _fail(path, where, f"key {missing[0]!r} missing (a branch of the grid)")
        roles = {role: table[role] for role in ("candidate", "reference", "control")}
        for role, value in roles.items():
            if not isinstance(value, str):
                raise _fail(path, where, f"key {role!r}: {value!r} is not a branch name")
        try:
            resolved = resolve_roles(branches, **roles)
        except DragonUserError as err:
            raise _fail(path, where, str(err).replace("--", "key ")) from None
        policy_file = table.get("file")
        if policy_file is not None and (not isinstance(policy_file, str) or not policy_file):
            raise _fail(path, where, f"key 'file': {policy_file!r} is not a policy file's path")
        policy_path = path.parent / policy_file if policy_file else None
        if policy_path is not None:
            if not policy_path.is_file():
                raise _fail(path, where, f"key 'file': {policy_path}: no such policy file")
            check_policy(policy_path, branches)
        sha = file_sha256(policy_path) if policy_path is not None else None
        policies.append(PolicySpec(name, policy_path, sha, resolved))
    return tuple(policies)


def load_grid(path: str | Path) -> Grid:
    """The grid file at ``path``, checked (see the module docstring).

    Raises :class:`DragonUserError` naming the file, the table and the key.
    """
    path = Path(path)
    text = read_toml_text(path, "the grid file", missing="no such grid file")
    document = parse_toml(path, text)
    unknown = [key for key in document if key not in GRID_KEYS]
    if unknown:
        raise _fail(path, "", f"unknown key {unknown[0]!r} (the keys are {', '.join(GRID_KEYS)})")
    branches = _branches(path, document, text)
    windows, rolling = _windows(path, document), _rolling(path, document)
    if not windows and rolling is None:
        raise _fail(path, "", "no windows: give [[window]] tables or a [rolling] table")
    return Grid(
        path=path,
        branches=branches,
        windows=windows,
        rolling=rolling,
        universes=_universes(path, document),
        policies=_policies(path, document, branches),
    )
