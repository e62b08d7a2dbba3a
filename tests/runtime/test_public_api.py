"""The package's public surface: every exported name resolves and none is missing."""

from __future__ import annotations

import importlib
from pathlib import Path

import dragon_runtime

MODULES = ["market", "reasons", "panel", "hooks", "payloads", "portfolio", "loop",
           "canonical", "silent_paths"]  # fmt: skip


def test_every_exported_name_resolves() -> None:
    missing = [name for name in dragon_runtime.__all__ if not hasattr(dragon_runtime, name)]
    assert missing == []


def test_every_module_exports_what_it_lists() -> None:
    for name in MODULES:
        module = importlib.import_module(f"dragon_runtime.{name}")
        assert [n for n in module.__all__ if not hasattr(module, n)] == [], name


def test_the_runtime_never_imports_a_strategy_package() -> None:
    for name in MODULES:
        module = importlib.import_module(f"dragon_runtime.{name}")
        source = Path(str(module.__file__)).read_text(encoding="utf-8")
        assert "dragon_compat" not in source and "dragon_governance" not in source, name
