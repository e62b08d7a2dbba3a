"""dragon-compat refuses to import against a dragon-runtime outside its pinned range."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib import metadata

import pytest
from packaging.requirements import Requirement

from dragon_compat._runtime_pin import check_runtime_version, pinned_runtime_requirement


def test_pinned_range_is_read_from_compat_metadata():
    req = pinned_runtime_requirement()
    assert req.name == "dragon-runtime"
    assert str(req.specifier) in {">=1.1,<1.2", "<1.2,>=1.1"}


@pytest.mark.parametrize("installed", ["1.1.0", "1.1.7", "1.1.12"])
def test_versions_inside_the_range_are_accepted(installed):
    check_runtime_version(installed, Requirement("dragon-runtime>=1.1,<1.2"))


@pytest.mark.parametrize("installed", ["1.2.0", "1.0.9", "2.0.0", "1.1.0rc1", "not-a-version"])
def test_versions_outside_the_range_raise_import_error_naming_both_and_the_range(installed):
    with pytest.raises(ImportError) as info:
        check_runtime_version(installed, Requirement("dragon-runtime>=1.1,<1.2"))
    message = str(info.value)
    assert installed in message
    assert f"dragon-compat {metadata.version('dragon-compat')}" in message
    assert "<1.2" in message and ">=1.1" in message


def test_importing_compat_with_a_drifted_runtime_fails_at_import_time():
    script = textwrap.dedent(
        """
        from importlib import metadata
        real = metadata.version
        metadata.version = lambda d: "1.2.0" if d == "dragon-runtime" else real(d)
        try:
            import dragon_compat
        except ImportError as err:
            print("IMPORT-ERROR:", err)
        else:
            print("IMPORTED")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith("IMPORT-ERROR:")
    assert "dragon-runtime 1.2.0 is installed" in out
