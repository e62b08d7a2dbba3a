"""The one lazy-import helper: names load on first use, once, and unknown names fail."""

from __future__ import annotations

import sys
import types

import pytest

from dragon_governance.lazy import import_attribute, lazy_exports


@pytest.fixture
def package(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    module = types.ModuleType("lazy_test_package")
    getattr_, dir_ = lazy_exports(module.__name__, {"dumps": "json", "nowhere": "json"}, ["dumps"])
    vars(module).update(__getattr__=getattr_, __dir__=dir_)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return module


def test_a_name_loads_from_its_module_and_is_bound_once(package: types.ModuleType):
    import json

    assert "dumps" not in vars(package)
    assert package.dumps is json.dumps
    assert vars(package)["dumps"] is json.dumps


def test_an_unknown_name_is_an_attribute_error_naming_the_package(package: types.ModuleType):
    with pytest.raises(AttributeError, match="'lazy_test_package' has no attribute 'other'"):
        package.other  # noqa: B018


def test_a_name_its_module_lacks_is_an_attribute_error(package: types.ModuleType):
    with pytest.raises(AttributeError):
        package.nowhere  # noqa: B018


def test_dir_lists_the_public_names(package: types.ModuleType):
    assert dir(package) == ["dumps"]


def test_import_attribute_imports_the_module():
    assert import_attribute("json", "loads")("[1]") == [1]
