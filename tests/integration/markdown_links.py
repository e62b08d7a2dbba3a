"""Relative links in Markdown files, and whether they resolve (GitHub's rules).

A link resolves when its path (relative to the linking file; empty = the file
itself) names an existing file or directory, and its ``#fragment``, if any, names
a heading of the target Markdown file by GitHub's slug: the heading's text without
its Markdown (code spans keep their text, links their label), lower-cased, every
character that is not a letter, digit, space, ``-`` or ``_`` dropped, spaces made
``-``; a repeated slug gets ``-1``, ``-2``, … in file order. Explicit
``<a name="…">``/``id="…"`` anchors count too. Links with a scheme (``https:``,
``mailto:``) or protocol-relative ones are not checked. Text inside fenced code
blocks and inline code spans is not Markdown, so it holds no links or headings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^()\s]+)(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
)
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
_HTML_ANCHOR = re.compile(r"""<a\s[^>]*(?:name|id)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "build", "dist"})


@dataclass(frozen=True, slots=True)
class Link:
    """One relative link: the file holding it, its 1-based line and its target text."""

    source: Path
    line: int
    target: str


def markdown_files(root: Path) -> list[Path]:
    """Every ``*.md`` below ``root``, sorted, skipping hidden and build directories."""
    return sorted(
        path
        for path in root.rglob("*.md")
        if not any(
            part.startswith(".") or part in _SKIPPED_DIRS
            for part in path.relative_to(root).parts[:-1]
        )
    )


def unfenced_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of the lines outside fenced code blocks, as written."""
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = _FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        if match:
            fence = match.group(1)
            continue
        yield number, line


def prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` outside fenced code blocks, code spans blanked."""
    for number, line in unfenced_lines(text):
        yield number, _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)


def links(path: Path) -> list[Link]:
    """The relative links of one Markdown file, in order."""
    found: list[Link] = []
    for number, line in prose_lines(path.read_text(encoding="utf-8")):
        targets = [m.group(1) for m in _INLINE_LINK.finditer(line)]
        reference = _REFERENCE.match(line)
        if reference:
            targets.append(reference.group(1))
        for raw in targets:
            target = raw.strip("<>")
            if target and not _SCHEME.match(target) and not target.startswith("//"):
                found.append(Link(path, number, target))
    return found


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's Markdown text (without its suffix for repeats)."""
    text = _CODE_SPAN.sub(lambda m: m.group(2), heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link keeps its label
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = re.sub(r"(\*\*|__|\*|_(?=\W|$)|(?<=\W)_|~~)", "", text)  # emphasis markers
    text = text.strip().lower()
    text = "".join(ch for ch in text if ch.isalnum() or ch in " -_")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every fragment a link into ``path`` may name."""
    text = path.read_text(encoding="utf-8")
    seen: dict[str, int] = {}
    found: set[str] = set()
    for _, line in unfenced_lines(text):
        found.update(_HTML_ANCHOR.findall(line))
        heading = _HEADING.match(line)
        if heading:
            base = slug(heading.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def problem(link: Link) -> str | None:
    """Why ``link`` does not resolve, or None when it does."""
    path_part, _, fragment = link.target.partition("#")
    path_part = unquote(path_part)
    target = link.source if not path_part else (link.source.parent / path_part)
    if not target.exists():
        return f"{path_part} does not exist"
    if path_part.endswith("/") and not target.is_dir():
        return f"{path_part} is not a directory"
    markdown = target.is_file() and target.suffix.lower() == ".md"
    if fragment and markdown and unquote(fragment) not in anchors(target):
        return f"#{fragment}: no such heading in {target.name}"
    return None


def broken_links(root: Path) -> list[str]:
    """``FILE:LINE: TARGET: why`` for every relative link below ``root`` that does not
    resolve, FILE relative to ``root``."""
    broken: list[str] = []
    for path in markdown_files(root):
        for link in links(path):
            why = problem(link)
            if why is not None:
                where = link.source.relative_to(root).as_posix()
                broken.append(f"{where}:{link.line}: {link.target}: {why}")
    return broken
