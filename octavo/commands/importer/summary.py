"""An mdBook SUMMARY.md -> its entries in order: prefix chapters, part titles, numbered chapters with their nesting
depth, drafts, suffix chapters (mdBook's grammar: https://rust-lang.github.io/mdBook/format/summary.html).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import unquote

log = logging.getLogger("octavo")

_ITEM = re.compile(r"^(\s*)[-*+]\s+\[((?:[^\[\]]|\\.|\[[^\]]*\])*)\]\(\s*<?([^)>]*?)>?\s*\)\s*$")
_AFFIX = re.compile(r"^\[((?:[^\[\]]|\\.|\[[^\]]*\])*)\]\(\s*<?([^)>]*?)>?\s*\)\s*$")
_PART = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_SEPARATOR = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")


@dataclass(frozen=True)
class Entry:
    """One line of SUMMARY.md that makes a chapter or a part."""

    kind: str
    """'prefix', 'numbered', 'suffix' or 'part'."""
    title: str
    """The title as SUMMARY.md gives it (for a part: the part's title)."""
    path: str | None
    """The page, relative to src/ (None: a draft, or a part)."""
    depth: int
    """Nesting: 0 for a chapter, 1 for its pages, 2 for theirs..."""
    line: int
    """Its line in SUMMARY.md."""


def read_summary(text: str, shown: str) -> list[Entry]:
    """Every entry of SUMMARY.md, in order; a line it cannot read is a warning."""
    entries: list[Entry] = []
    indents: list[int] = []
    numbered_seen = titled = False
    comment = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if comment or stripped.startswith("<!--"):
            comment = "-->" not in stripped
            continue
        if not stripped or _SEPARATOR.match(line):
            continue
        if part := _PART.match(stripped):
            if not entries and not titled:
                titled = True  # the summary's own title, "# Summary"
            else:
                entries.append(Entry("part", _unescape(part.group(1)), None, 0, number))
            continue
        if item := _ITEM.match(line):
            indent = len(item.group(1).expandtabs(4))
            while indents and indent < indents[-1]:
                indents.pop()
            if not indents or indent > indents[-1]:
                indents.append(indent)
            numbered_seen = True
            entries.append(Entry("numbered", _unescape(item.group(2)), _path(item.group(3)), len(indents) - 1,
                                 number))
            continue
        if affix := _AFFIX.match(stripped):
            kind = "suffix" if numbered_seen else "prefix"
            entries.append(Entry(kind, _unescape(affix.group(1)), _path(affix.group(2)), 0, number))
            continue
        log.warning("%s:%d: this line of SUMMARY.md is no chapter, part title or separator: left out", shown, number)
    return entries


def _path(target: str) -> str | None:
    path = unquote(target.strip()).split("#", 1)[0]
    return path.removeprefix("./") or None


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text).strip()
