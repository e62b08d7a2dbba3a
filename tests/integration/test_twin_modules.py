"""The twin modules of the two CLIs stay the same code.

dragon-governance imports nothing from dragon-compat (and compat has governance only
as an optional extra), so the few stdlib-only CLI plumbing modules both need exist
once per distribution. This test is what keeps each pair one fact: their code, with
docstrings removed and the package names made equal, must be identical.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGES = Path(__file__).resolve().parents[2] / "packages"
COMPAT = PACKAGES / "dragon-compat" / "src" / "dragon_compat"
GOVERNANCE = PACKAGES / "dragon-governance" / "src" / "dragon_governance"

TWINS = ("streams.py", "cli_logging.py", "completion.py")
"""Modules that exist in both distributions as the same code."""

NAMES = (("dragon_governance", "PKG"), ("dragon_compat", "PKG"), ("dragon-governance", "DIST"))


def _without_docstrings(tree: ast.AST) -> ast.AST:
    """``tree`` with every module, class and function docstring removed."""
    for node in ast.walk(tree):
        documented = ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        if isinstance(node, documented) and ast.get_docstring(node, clean=False) is not None:
            node.body = node.body[1:] or [ast.Pass()]
    return tree


def _code_of(path: Path) -> str:
    """The module's code as an AST dump, docstrings dropped, package names unified."""
    dump = ast.dump(_without_docstrings(ast.parse(path.read_text(encoding="utf-8"))))
    for name, placeholder in NAMES:
        dump = dump.replace(name, placeholder)
    return dump.replace("'dragon'", "'DIST'")


@pytest.mark.parametrize("module", TWINS)
def test_the_twin_modules_of_the_two_clis_are_the_same_code(module: str):
    assert _code_of(COMPAT / module) == _code_of(GOVERNANCE / module)


def test_a_changed_twin_is_noticed(tmp_path: Path):
    changed = tmp_path / "streams.py"
    changed.write_text(
        (COMPAT / "streams.py").read_text(encoding="utf-8").replace("4096", "4097"),
        encoding="utf-8",
    )
    assert _code_of(changed) != _code_of(GOVERNANCE / "streams.py")
