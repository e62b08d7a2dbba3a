"""Every relative link in every Markdown file of the repository resolves.

Files must exist and ``#anchor`` fragments must name a heading of the target (GitHub's
slugs; see :mod:`tests.integration.markdown_links`). The checker is itself tested on
hand-made files so a broken link cannot pass unnoticed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.markdown_links import anchors, broken_links, links, markdown_files, slug

ROOT = Path(__file__).resolve().parents[2]


def test_every_relative_link_in_the_repository_resolves() -> None:
    assert markdown_files(ROOT), "no Markdown found: wrong root?"
    assert broken_links(ROOT) == []


def test_the_manual_is_linked_from_the_root_readme() -> None:
    targets = {link.target for link in links(ROOT / "README.md")}
    assert "docs/README.md" in targets


_MD_NAME = re.compile(r"(?<![\w/{}-])([\w-]{2,}(?:\.[\w-]+)*\.md)\b")
"""A Markdown file name in text; one-letter names (``X.md``) are test placeholders."""


def test_every_markdown_file_named_in_docs_or_source_exists() -> None:
    """A page named in prose or a docstring (``rc1-strategy.md §4``) must be in the repo."""
    present = {path.name for path in ROOT.rglob("*.md") if ".git" not in path.parts}
    texts = markdown_files(ROOT) + sorted((ROOT / "packages").rglob("*.py"))
    texts += sorted((ROOT / "tests").rglob("*.py")) + sorted((ROOT / "benchmarks").rglob("*.py"))
    missing = [
        f"{path.relative_to(ROOT)}:{number}: {name}"
        for path in texts
        if path.name != Path(__file__).name
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for name in _MD_NAME.findall(line)
        if name not in present
    ]
    assert missing == []


def test_no_text_cites_numbered_sections() -> None:
    """No page of the repository is numbered in sections: a ``§4`` names a page outside it."""
    texts = markdown_files(ROOT) + sorted((ROOT / "packages").rglob("*.py"))
    texts += sorted((ROOT / "tests").rglob("*.py"))
    cited = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in texts
        if path.name != Path(__file__).name
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"§\s?\d", line)
    ]
    assert cited == []


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_file_is_reported_with_file_and_line(tmp_path: Path) -> None:
    _write(tmp_path / "docs" / "a.md", "# A\n\nsee [b](b.md) and [gone](missing.md)\n")
    _write(tmp_path / "docs" / "b.md", "# B\n")
    assert broken_links(tmp_path) == ["docs/a.md:3: missing.md: missing.md does not exist"]


def test_a_missing_anchor_is_reported_and_a_present_one_resolves(tmp_path: Path) -> None:
    _write(
        tmp_path / "a.md",
        "# Top\n\n[ok](b.md#project-configuration-dragontoml) [self](#top) "
        "[bad](b.md#nowhere) [bad self](#no-heading)\n",
    )
    _write(tmp_path / "b.md", "## Project configuration: `dragon.toml`\n")
    assert broken_links(tmp_path) == [
        "a.md:3: b.md#nowhere: #nowhere: no such heading in b.md",
        "a.md:3: #no-heading: #no-heading: no such heading in a.md",
    ]


def test_links_in_code_and_external_links_are_not_checked(tmp_path: Path) -> None:
    _write(
        tmp_path / "a.md",
        "```\n[x](nope.md)\n```\n`[y](nope.md)` [web](https://example.com/x.md) "
        "[mail](mailto:a@b.c)\n[ref]: also-missing.md\n",
    )
    assert broken_links(tmp_path) == ["a.md:5: also-missing.md: also-missing.md does not exist"]


def test_a_directory_link_and_a_link_to_source_resolve(tmp_path: Path) -> None:
    _write(tmp_path / "pkg" / "mod.py", "x = 1\n")
    _write(tmp_path / "a.md", "[dir](pkg/) [src](pkg/mod.py) [not dir](pkg/mod.py/)\n")
    assert broken_links(tmp_path) == ["a.md:1: pkg/mod.py/: pkg/mod.py/ is not a directory"]


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Project configuration: `dragon.toml`", "project-configuration-dragontoml"),
        ("Tradeable plans: the desk's book", "tradeable-plans-the-desks-book"),
        ("HTML report: `dragon report`", "html-report-dragon-report"),
        ("Exit rule — `dragon_compat.exit_rule`", "exit-rule--dragon_compatexit_rule"),
        ("The [manual](docs/README.md) *here*", "the-manual-here"),
        ("板块 leaders", "板块-leaders"),
    ],
)
def test_slugs_follow_github(heading: str, expected: str) -> None:
    assert slug(heading) == expected


def test_repeated_headings_get_numbered_anchors(tmp_path: Path) -> None:
    page = _write(tmp_path / "a.md", "## Golden\n\n## Golden\n\n```\n## not a heading\n```\n")
    assert anchors(page) == {"golden", "golden-1"}
