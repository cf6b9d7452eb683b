"""The code blocks of an imported book -> the smallest usual trim size whose print measure holds its longest code
lines (6 x 9 in, else 7 x 10 in), so that a book of wide code is not wrapped line after line.

mdBook and Quarto books are written for the web, where code scrolls; the print edition wraps each line longer
than the measure with a mark and a warning (pdf/code.py). Octavo's default trim needs no key in book.yaml. No
wider trim is chosen: at 8.5 x 11 in, a line of the 10.5 pt text would hold some 100 characters, too many to read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from octavo.commands.importer.markdown_text import fenced
from octavo.model import PrintSettings
from octavo.pdf.code import CODE_FONT, estimated_columns
from octavo.pdf.layout import text_width
from octavo.resources import Resources

log = logging.getLogger("octavo")

#: The trims tried, smallest first, as book.yaml writes them; None is Octavo's default (6 x 9 in).
TRIMS: tuple[tuple[str | None, float, float], ...] = ((None, 6, 9), ("7in 10in", 7, 10))


def code_widths(texts: Iterable[str]) -> list[int]:
    """The width in characters of every line inside a code block (the fences excluded)."""
    widths = []
    for text in texts:
        lines = list(fenced(text))
        for index, (_, line, inside) in enumerate(lines):
            opening = inside is not None and (index == 0 or lines[index - 1][2] is None)
            closing = inside is not None and (index + 1 == len(lines) or lines[index + 1][2] is None)
            if inside is not None and not opening and not closing:
                widths.append(len(line.rstrip("\r\n").expandtabs(8)))
    return widths


def columns(width_in: float, height_in: float) -> int:
    """How many characters of a code block's line the print measure of a trim holds."""
    settings = PrintSettings(trim_width=width_in * 72, trim_height=height_in * 72, bleed=9.0, printer="generic",
                             crop_marks=False, chapter_start="auto")
    font = Resources.search().find_style(CODE_FONT)
    return estimated_columns(text_width(settings), font)


def choose_trim(texts: Iterable[str], source: str) -> str | None:
    """The trim for book.yaml (None: the default), and a warning when even the widest leaves lines too long."""
    widths = code_widths(texts)
    longest = max(widths, default=0)
    for trim, width, height in TRIMS:
        if longest <= columns(width, height):
            if trim:
                log.info("%s: code lines of up to %d characters: print trim %s, whose measure holds them", source,
                         longest, trim)
            return trim
    trim, width, height = TRIMS[-1]
    room = columns(width, height)
    over = sum(1 for w in widths if w > room)
    log.warning("%s: %d code line(s) are longer than the %d characters the widest trim (%s) holds: the print "
                "edition wraps them, with a warning each; shorten them in the source", source, over, room, trim)
    return trim
