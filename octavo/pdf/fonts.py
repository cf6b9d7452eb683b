"""Font coverage: every character of the book must be drawable by a committed font."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

from octavo.errors import FontError
from octavo.markup import plain_text
from octavo.model import Book
from octavo.source import line_in_file

#: Characters that draw nothing and need no glyph (format controls, variation selectors).
INVISIBLE = frozenset(range(0x200B, 0x2010)) | frozenset(range(0xFE00, 0xFE10)) | {0x2060, 0xAD, 0xFEFF}


@lru_cache(maxsize=8)
def coverage(fonts_dir: Path) -> frozenset[int]:
    """Code points that at least one font in `fonts_dir` maps to a glyph."""
    points: set[int] = set()
    for path in sorted(fonts_dir.glob("*.[ot]tf")):
        with TTFont(path, lazy=True) as font:
            points.update(font.getBestCmap() or {})
    return frozenset(points)


def check_coverage(book: Book, fonts_dir: Path, config_name: str) -> None:
    """Raise FontError for the first character that no committed font can draw."""
    covered = coverage(fonts_dir)
    meta = book.meta
    sources = [(config_name, None, " ".join(filter(None, (meta.title, meta.subtitle, *meta.authors, meta.publisher,
                                                         meta.rights, meta.notice, meta.edition, meta.date))))]
    for chapter in book.chapters:
        notes = " ".join(note.html for note in chapter.footnotes)
        sources.append((chapter.name, chapter.source, chapter.title + " " + plain_text(chapter.html + notes)))
    for name, path, text in sources:
        missing = {c for c in set(text) if ord(c) not in covered and not c.isspace() and ord(c) not in INVISIBLE}
        if missing:
            char = min(missing, key=text.index)  # the first one in the text
            raise FontError(_message(char, fonts_dir), name, line_in_file(path, char) if path else None)


def _message(char: str, fonts_dir: Path) -> str:
    name = unicodedata.name(char, "unnamed character")
    return (f"character '{char}' (U+{ord(char):04X} {name}) cannot be drawn by any font in {fonts_dir.name}/; "
            "remove it, replace it with words, or add a font that has it")
