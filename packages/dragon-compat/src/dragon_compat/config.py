"""The project configuration ``dragon.toml``: defaults for the ``dragon`` commands' flags.

The file is found as: ``--config FILE``, else the ``DRAGON_CONFIG`` environment
variable, else ``dragon.toml`` in the working directory (none is fine). It holds only
these keys (:data:`SETTINGS`); any other key is an error naming it::

    data = "data/bars.parquet"           # --data
    side_tables = ["data/st.csv"]        # --side-table (each)
    branches = "branches.toml"           # --branches (a branch file)
    run_dir = "runs/{as_of}"             # dragon daily's --out; {as_of} = the run's session
    ledger = "governance/ledger.jsonl"   # --ledger
    policy = "governance/policy.toml"    # --policy
    sessions = "sessions.txt"            # --sessions (dragon forward)

    [roles]
    candidate = "alpha_first"            # --candidate
    reference = "rc1_baseline"           # --reference
    control = "alpha_first_selective_veto"   # --control

Paths in the file are relative to the file's own directory. Precedence, highest first:
a flag on the command line, an environment variable (``DRAGON_DATA``,
``DRAGON_SIDE_TABLES`` — paths separated by ``os.pathsep`` —, ``DRAGON_BRANCHES``,
``DRAGON_RUN_DIR``, ``DRAGON_LEDGER``, ``DRAGON_POLICY``, ``DRAGON_SESSIONS``,
``DRAGON_CANDIDATE``, ``DRAGON_REFERENCE``, ``DRAGON_CONTROL``; relative to the
working directory), ``dragon.toml``, the built-in default. ``dragon config show``
prints every value with where it came from.

Each command takes the settings it has a flag for (:data:`COMMAND_SETTINGS`). Only
the standard library is imported here (``tomllib``, through
:mod:`dragon_compat.toml_file`, when a file is read), so ``dragon --help`` stays fast.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from dragon_compat.errors import DragonUserError

__all__ = [
    "COMMAND_SETTINGS",
    "CONFIG_ENV",
    "CONFIG_FILE",
    "RUN_DIR_PLACEHOLDER",
    "SETTINGS",
    "ProjectConfig",
    "Resolved",
    "Setting",
    "apply_config",
    "find_config",
    "load_config",
    "resolve",
    "run_dir_for",
]

CONFIG_FILE: Final = "dragon.toml"
CONFIG_ENV: Final = "DRAGON_CONFIG"
RUN_DIR_PLACEHOLDER: Final = "{as_of}"
"""The one placeholder of ``run_dir``: the run's session (YYYY-MM-DD)."""

Kind = Literal["path", "paths", "name", "pattern"]


@dataclass(frozen=True, slots=True)
class Setting:
    """One key of ``dragon.toml``: its flag's argparse ``dest``, what kind of value it
    holds, its environment variable and the built-in default in words."""

    key: str
    dest: str
    flag: str
    kind: Kind
    default: str
    flag_dest: str | None = None
    """The dest of the flag that overrides it, when not ``dest`` (``run_dir``: --out)."""

    @property
    def env(self) -> str:
        return "DRAGON_" + self.key.removeprefix("roles.").upper()

    @property
    def overridden_by(self) -> str:
        return self.flag_dest or self.dest


SETTINGS: Final = (
    Setting("data", "data", "--data", "path", "the bundled sample market"),
    Setting("side_tables", "side_table", "--side-table", "paths", "none"),
    Setting("branches", "branches", "--branches", "path", "RC1's four branches"),
    Setting("roles.candidate", "candidate", "--candidate", "name", "alpha_first"),
    Setting("roles.reference", "reference", "--reference", "name", "rc1_baseline"),
    Setting("roles.control", "control", "--control", "name", "alpha_first_selective_veto"),
    Setting(
        "run_dir", "run_dir_pattern", "--out", "pattern", "none: dragon daily needs --out", "out"
    ),
    Setting("ledger", "ledger", "--ledger", "path", "none"),
    Setting("policy", "policy", "--policy", "path", "the built-in rc1-default policy"),
    Setting("sessions", "sessions", "--sessions", "path", "exchange-calendars' XSHG sessions"),
)
"""Every key of ``dragon.toml``, in the order ``dragon config show`` lists them."""
_BY_KEY: Final = {setting.key: setting for setting in SETTINGS}
_ROLES: Final = ("roles.candidate", "roles.reference", "roles.control")

COMMAND_SETTINGS: Final[Mapping[str, tuple[str, ...]]] = {
    "validate": ("data", "side_tables"),
    "run": ("data", "side_tables", "branches"),
    "daily": ("data", "side_tables", "branches", *_ROLES, "run_dir", "policy"),
    "forward": ("ledger", "policy", "sessions"),
    "replay": ("data", "side_tables", "branches", *_ROLES),
    "report": ("ledger",),
}
"""The settings each command takes from the configuration (it has their flags)."""

_KINDS: Final[Mapping[Kind, str]] = {
    "path": "a non-empty string (a path)",
    "paths": "a list of non-empty strings (paths)",
    "name": "a branch name (letters, digits, '_', '-', '.')",
    "pattern": "a path whose only placeholder is {as_of}",
}
_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_TABLE: Final = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]\s*(#.*)?$")
_KEY: Final = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*=")


@dataclass(frozen=True, slots=True)
class Resolved:
    """A setting's value (None: the built-in default) and where it came from:
    ``default``, ``dragon.toml:LINE`` (the file's path and line), ``env NAME`` or
    ``flag --name``."""

    setting: Setting
    value: str | tuple[str, ...] | None
    source: str


@dataclass(frozen=True, slots=True)
class ProjectConfig:
    """A read ``dragon.toml``: its path, how it was found, and each key's value with
    its line (values already checked; paths resolved against the file's directory)."""

    path: Path | None
    found_by: str
    values: Mapping[str, tuple[str | tuple[str, ...], int]]


NO_CONFIG: Final = ProjectConfig(None, "none", {})


def find_config(
    explicit: str | None, env: Mapping[str, str] | None = None
) -> tuple[Path, str] | None:
    """The configuration file and how it was found (``--config``, ``env DRAGON_CONFIG``,
    ``working directory``); None when there is none. An explicit or environment path
    that does not exist is a :class:`DragonUserError`."""
    env = os.environ if env is None else env
    for given, how in ((explicit, "--config"), (env.get(CONFIG_ENV) or None, f"env {CONFIG_ENV}")):
        if given is not None:
            path = Path(given)
            if not path.is_file():
                raise DragonUserError(f"{path}: no such configuration file ({how})")
            return path, how
    local = Path(CONFIG_FILE)
    return (local, "working directory") if local.is_file() else None


def _lines(text: str) -> dict[str, int]:
    """The line of each ``key =`` (dotted by its table) in TOML text."""
    lines: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE.match(line)
        if header:
            table = header.group(1)
            continue
        key = _KEY.match(line)
        if key:
            lines.setdefault(f"{table}.{key.group(1)}" if table else key.group(1), number)
    return lines


def _flatten(document: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    """Tables as dotted keys (``[roles] candidate`` is ``roles.candidate``)."""
    flat: dict[str, object] = {}
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _check(setting: Setting, value: object, base: Path | None) -> str | tuple[str, ...]:
    """A value of ``setting`` checked and, for paths, resolved against ``base``;
    ``ValueError`` when it is not of the setting's kind."""

    def path(text: object) -> str:
        if not isinstance(text, str) or not text:
            raise ValueError
        return str(base / text) if base is not None and not Path(text).is_absolute() else text

    if setting.kind == "paths":
        if not isinstance(value, list | tuple):
            raise ValueError
        return tuple(path(item) for item in value)
    if setting.kind == "name":
        if not isinstance(value, str) or not _NAME.fullmatch(value):
            raise ValueError
        return value
    if setting.kind == "pattern":
        rest = value.replace(RUN_DIR_PLACEHOLDER, "") if isinstance(value, str) else "{"
        if "{" in rest or "}" in rest:
            raise ValueError
    return path(value)


def load_config(found: tuple[Path, str] | None) -> ProjectConfig:
    """Read and check the configuration file :func:`find_config` found (None: no file).

    Raises :class:`DragonUserError` naming the file, line, key and rule for a file that
    is not TOML, an unknown key, or a value of the wrong kind.
    """
    if found is None:
        return NO_CONFIG
    from dragon_compat.toml_file import parse_toml, read_toml_text

    path, how = found
    text = read_toml_text(path, "the configuration")
    document = parse_toml(path, text)
    lines = _lines(text)
    values: dict[str, tuple[str | tuple[str, ...], int]] = {}
    for key, value in _flatten(document).items():
        line = lines.get(key, 0)
        where = f"{path}:{line}" if line else str(path)
        setting = _BY_KEY.get(key)
        if setting is None:
            raise DragonUserError(
                f"{where}: unknown key {key!r} (the keys are {', '.join(_BY_KEY)})"
            )
        try:
            values[key] = (_check(setting, value, path.absolute().parent), line)
        except ValueError:
            raise DragonUserError(
                f"{where}: key {key!r}: {value!r} is not {_KINDS[setting.kind]}"
            ) from None
    return ProjectConfig(path, how, values)


def _from_env(setting: Setting, env: Mapping[str, str]) -> str | tuple[str, ...] | None:
    text = env.get(setting.env)
    if not text:
        return None
    value: object = text.split(os.pathsep) if setting.kind == "paths" else text
    try:
        return _check(setting, value, None)
    except ValueError:
        raise DragonUserError(
            f"env {setting.env}: {text!r} is not {_KINDS[setting.kind]}"
        ) from None


def resolve(
    config: ProjectConfig,
    flags: Mapping[str, object],
    keys: tuple[str, ...] = tuple(_BY_KEY),
    env: Mapping[str, str] | None = None,
) -> list[Resolved]:
    """Each setting of ``keys`` resolved: a flag given (``flags`` by dest, None = not
    given), else its environment variable, else ``dragon.toml``, else the default."""
    env = os.environ if env is None else env
    resolved = []
    for key in keys:
        setting = _BY_KEY[key]
        flag = flags.get(setting.overridden_by)
        if flag is not None:
            value = tuple(flag) if isinstance(flag, list | tuple) else str(flag)
            resolved.append(Resolved(setting, value, f"flag {setting.flag}"))
            continue
        from_env = _from_env(setting, env)
        if from_env is not None:
            resolved.append(Resolved(setting, from_env, f"env {setting.env}"))
            continue
        if key in config.values:
            value, line = config.values[key]
            resolved.append(Resolved(setting, value, f"{config.path}:{line}"))
            continue
        resolved.append(Resolved(setting, None, "default"))
    return resolved


def apply_config(args: argparse.Namespace) -> None:
    """Fill the command's unset flags from the environment and ``dragon.toml``
    (:func:`resolve`); a command without settings is left alone."""
    keys = COMMAND_SETTINGS.get(getattr(args, "command", ""), ())
    if not keys:
        return
    config = load_config(find_config(getattr(args, "config", None)))
    dests = [_BY_KEY[key].overridden_by for key in keys]
    flags = {dest: getattr(args, dest, None) for dest in dests}
    for item in resolve(config, flags, keys):
        if item.source.startswith("flag") or item.value is None:
            continue
        value = list(item.value) if isinstance(item.value, tuple) else item.value
        setattr(args, item.setting.dest, value)


def run_dir_for(pattern: str, as_of: str) -> Path:
    """The run directory of ``as_of`` (YYYY-MM-DD) from a ``run_dir`` pattern."""
    return Path(pattern.replace(RUN_DIR_PLACEHOLDER, as_of))
