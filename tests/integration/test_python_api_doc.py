"""docs/python-api.md: every fenced ``python`` block runs, in order, on the bundled sample.

The blocks share one namespace (a later block uses what an earlier one defined) and
run in a fresh working directory, so the files they write stay in ``tmp_path``. A
block that raises fails this test with the block's number and first line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "python-api.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def python_blocks(text: str) -> list[str]:
    """The fenced ``python`` blocks of a Markdown text, in order."""
    return [match.group(1) for match in _BLOCK.finditer(text)]


def test_the_page_has_examples_for_each_part_of_the_api() -> None:
    code = "\n".join(python_blocks(PAGE.read_text(encoding="utf-8")))
    for name in (
        "load_bars",
        "DragonRuleEngine",
        "prepare",
        "run_all",
        "BranchConfig",
        "load_branch_file",
        "run_daily",
        "evaluate_run",
        "append_to_ledger",
        "run_forward",
    ):
        assert name in code, name


def test_every_python_block_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "python_api_doc"}
    blocks = python_blocks(PAGE.read_text(encoding="utf-8"))
    assert len(blocks) >= 8
    for number, block in enumerate(blocks, start=1):
        try:
            exec(compile(block, f"docs/python-api.md block {number}", "exec"), namespace)
        except Exception as err:  # name the block, keep the traceback
            first = block.splitlines()[0]
            raise AssertionError(f"block {number} ({first!r}) raised {err!r}") from err
    assert (tmp_path / "runs" / "2023-08-24" / "forward_plan.json").is_file()
    assert (tmp_path / "decisions.jsonl").read_text(encoding="utf-8").count("\n") == 1


def test_a_broken_example_fails(tmp_path: Path) -> None:
    """The extraction is real: a page whose block raises is caught."""
    page = "text\n\n```python\nx = 1\n```\n\n```python\nraise RuntimeError('boom')\n```\n"
    blocks = python_blocks(page)
    assert blocks == ["x = 1\n", "raise RuntimeError('boom')\n"]
    with pytest.raises(RuntimeError, match="boom"):
        exec(compile(blocks[1], "page", "exec"), {})
