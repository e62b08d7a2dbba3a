"""The dependency direction of the root README holds in the installed metadata."""

from __future__ import annotations

from importlib import metadata

from packaging.requirements import Requirement

DISTS = ("dragon-runtime", "dragon-compat", "dragon-governance")


def _requirements(dist: str) -> list[Requirement]:
    return [Requirement(line) for line in metadata.requires(dist) or []]


def _dragon_requirements(dist: str) -> dict[str, Requirement]:
    return {r.name: r for r in _requirements(dist) if r.name in DISTS}


def test_versions_are_the_released_ones():
    assert metadata.version("dragon-runtime").startswith("1.1.")
    assert metadata.version("dragon-compat").startswith("3.0.")
    assert metadata.version("dragon-governance").startswith("0.2.")


def test_runtime_requires_no_other_dragon_distribution():
    assert _dragon_requirements("dragon-runtime") == {}


def test_governance_requires_no_other_dragon_distribution():
    assert _dragon_requirements("dragon-governance") == {}


def test_compat_pins_runtime_and_offers_governance_as_an_extra():
    reqs = _dragon_requirements("dragon-compat")
    runtime = reqs["dragon-runtime"]
    assert runtime.marker is None
    assert runtime.specifier.contains("1.1.9") and not runtime.specifier.contains("1.2.0")
    governance = reqs["dragon-governance"]
    assert governance.marker is not None and "governance" in str(governance.marker)
    assert governance.specifier.contains("0.2.5") and not governance.specifier.contains("0.3.0")


def test_metadata_carries_ranges_never_paths():
    for dist in DISTS:
        for req in _requirements(dist):
            assert req.url is None, f"{dist} requires {req} by path/url"
