"""Import-time guard: the installed dragon-runtime must satisfy compat's pinned range.

The range has exactly one source of truth, this distribution's own metadata
(``Requires-Dist: dragon-runtime>=1.1,<1.2`` from ``pyproject.toml``); it is read
back here rather than repeated, so the pin and the check cannot disagree.
"""

from __future__ import annotations

from importlib import metadata

from packaging.requirements import Requirement
from packaging.version import InvalidVersion, Version

RUNTIME_DIST = "dragon-runtime"
COMPAT_DIST = "dragon-compat"


def pinned_runtime_requirement() -> Requirement:
    """The ``dragon-runtime`` requirement declared by the installed dragon-compat."""
    try:
        declared = metadata.requires(COMPAT_DIST) or []
    except metadata.PackageNotFoundError as exc:  # running from a bare source tree
        raise ImportError(
            f"{COMPAT_DIST} is not installed, so its pinned {RUNTIME_DIST} range is "
            f"unknown; install it (pip install dragon-compat, or `hatch shell` in the repo)"
        ) from exc
    for line in declared:
        req = Requirement(line)
        if req.name == RUNTIME_DIST and req.marker is None:
            return req
    raise ImportError(f"{COMPAT_DIST} metadata declares no {RUNTIME_DIST} requirement")


def check_runtime_version(installed: str, requirement: Requirement) -> None:
    """Raise ImportError naming both versions and the range unless *installed* fits."""
    from dragon_compat.__about__ import __version__ as compat_version

    try:
        ok = requirement.specifier.contains(Version(installed), prereleases=True)
    except InvalidVersion:
        ok = False
    if not ok:
        raise ImportError(
            f"dragon-compat {compat_version} requires {RUNTIME_DIST}"
            f"{requirement.specifier} (the pinned RC1 schema surface), but "
            f"{RUNTIME_DIST} {installed} is installed; install a matching version, "
            f"e.g. pip install '{RUNTIME_DIST}{requirement.specifier}'"
        )


def ensure_runtime_pin() -> None:
    """Check the installed dragon-runtime against the pinned range (called on import)."""
    try:
        installed = metadata.version(RUNTIME_DIST)
    except metadata.PackageNotFoundError as exc:
        raise ImportError(f"dragon-compat needs {RUNTIME_DIST}, which is not installed") from exc
    check_runtime_version(installed, pinned_runtime_requirement())
