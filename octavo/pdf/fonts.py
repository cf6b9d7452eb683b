"""Font coverage: every character of the book must be drawable by a font that the chosen fonts.css loads."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

from octavo.errors import FontError
from octavo.markup import plain_text
from octavo.model import Book
from octavo.resources import Resources
from octavo.source import line_in_file

#: Characters that draw nothing and need no glyph (format controls, variation selectors).
INVISIBLE = frozenset(range(0x200B, 0x2010)) | frozenset(range(0xFE00, 0xFE10)) | {0x2060, 0xAD, 0xFEFF}
#: A local font file in a stylesheet: url(fonts/x.ttf), url("x.otf"), url('x.woff2').
_FONT_URL = re.compile(r"""url\(\s*['"]?([^'")]+?\.(?:[ot]tf|woff2?))['"]?\s*\)""", re.IGNORECASE)


def fonts_of(stylesheet: Path) -> tuple[Path, ...]:
    """The local font files `stylesheet` loads with url(), resolved relative to it (as WeasyPrint does)."""
    text = re.sub(r"/\*.*?\*/", "", stylesheet.read_text(encoding="utf-8"), flags=re.DOTALL)
    found = [(stylesheet.parent / url).resolve() for url in _FONT_URL.findall(text) if ":" not in url]
    return tuple(dict.fromkeys(path for path in found if path.is_file()))


@lru_cache(maxsize=8)
def coverage(fonts: tuple[Path, ...]) -> frozenset[int]:
    """Code points that at least one of `fonts` maps to a glyph."""
    points: set[int] = set()
    for path in fonts:
        with TTFont(path, lazy=True) as font:
            points.update(font.getBestCmap() or {})
    return frozenset(points)


def check_coverage(book: Book, styles: Resources, config_name: str) -> None:
    """Raise FontError for the first character that no font of the chosen fonts.css can draw."""
    fonts = fonts_of(styles.find_style("fonts.css"))
    covered = coverage(fonts)
    meta = book.meta
    book_text = " ".join(filter(None, (meta.title, meta.subtitle, *meta.authors, meta.publisher, meta.rights,
                                       meta.notice, meta.edition, meta.date, meta.dedication, meta.thanks,
                                       *meta.affiliations,
                                       plain_text(book.abstract_html), *(part.title for part in meta.parts))))
    sources: list[tuple[str, Path | None, str]] = [(config_name, None, book_text)]
    for chapter in book.chapters:
        notes = " ".join(note.html for note in chapter.footnotes)
        sources.append((chapter.name, chapter.source, chapter.title + " " + plain_text(chapter.epigraph_html +
                                                                                       chapter.html + notes)))
    for name, path, text in sources:
        missing = {c for c in set(text) if ord(c) not in covered and not c.isspace() and ord(c) not in INVISIBLE}
        if missing:
            char = min(missing, key=text.index)  # the first one in the text
            raise FontError(_message(char, fonts), name, line_in_file(path, char) if path else None)


def _message(char: str, fonts: tuple[Path, ...]) -> str:
    name = unicodedata.name(char, "unnamed character")
    folders = ", ".join(dict.fromkeys(f"{font.parent.name}/" for font in fonts)) or "fonts.css"
    return (f"character '{char}' (U+{ord(char):04X} {name}) cannot be drawn by any font in {folders}; "
            "remove it, replace it with words, or add a font that has it")
