"""dragon-compat uses dragon-runtime through its public face only.

compat pins the runtime to a minor range; that pin protects only what the runtime
promises (its ``__all__``, pinned by tests/runtime/test_surface.py). So every import
of the runtime in compat's source — module level or lazy, inside a function — is
``from dragon_runtime import <supported name>``: never a submodule, never a name
outside ``__all__``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import dragon_compat
import dragon_runtime

COMPAT_SOURCE = Path(dragon_compat.__file__).parent


def _runtime_imports(path: Path) -> list[tuple[int, str, tuple[str, ...]]]:
    """``(line, module, names)`` of every import of the runtime in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dragon_runtime"):
            found.append((node.lineno, node.module or "", tuple(a.name for a in node.names)))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("dragon_runtime"):
                    found.append((node.lineno, alias.name, ()))
    return found


def _all_runtime_imports() -> dict[str, list[tuple[int, str, tuple[str, ...]]]]:
    return {
        str(path.relative_to(COMPAT_SOURCE)): imports
        for path in sorted(COMPAT_SOURCE.rglob("*.py"))
        if (imports := _runtime_imports(path))
    }


def test_compat_imports_no_runtime_submodule() -> None:
    private = [
        f"{file}:{line}: {module}"
        for file, imports in _all_runtime_imports().items()
        for line, module, _ in imports
        if module != "dragon_runtime"
    ]
    assert private == []


def test_compat_imports_only_supported_runtime_names() -> None:
    outside = [
        f"{file}:{line}: {name}"
        for file, imports in _all_runtime_imports().items()
        for line, _, names in imports
        for name in names
        if name not in dragon_runtime.__all__
    ]
    assert outside == []


def test_the_scan_sees_compat_runtime_imports() -> None:
    imports = _all_runtime_imports()
    assert "dragon_strategy.py" in imports  # the scan reads the real source tree
    assert any("whole_cents" in names for _, _, names in imports["data/validate.py"])  # lazy
