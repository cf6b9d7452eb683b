"""Print HTML + the measure of a probe laid out with the book's stylesheets -> the same HTML with every code
line longer than the measure wrapped, marked ↪ and indented under itself, and a warning naming its file and line.

WeasyPrint cannot mark the point where it wraps a line, and a silent wrap breaks the columns of compiler
output; so the print HTML is wrapped here, at the measure the code font's advance width and the text block
give, and lines that fit are left exactly as written.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from octavo.markup import local_name
from octavo.model import Book, Chapter
from octavo.pdf.codespans import is_highlighted, rewrite_spans
from octavo.source import place_in

#: The continuation mark, drawn by the code font (DejaVu Sans Mono has U+21AA).
CONTINUED = "↪"
#: Indentation of the containers code may sit in, in body ems (common.css: lists, blockquotes, definitions).
INDENT_EM = {"blockquote": 3.2, "ol": 1.6, "ul": 1.6, "dd": 1.6}
#: A wrapped line breaks at a space when there is one in the last part of the measure.
SPACE_WINDOW = 0.35
#: Characters a wrapped code line may break after when it has no space near the measure.
BREAK_AFTER = frozenset(",;(){}[]=.:/|&+-*<>")
#: How far a continuation is indented at most, in characters (it hangs under the line's own indentation).
MAX_HANG = 16
#: The probe's characters: as many as a wide measure holds, so that one character's advance is exact.
PROBE = "M" * 200


@dataclass(frozen=True)
class Measure:
    """How many characters of code one line of a code block holds, as the book's own stylesheets set code: the
    widths come from laying out a probe (`probe_html`) with the stylesheets of the build, so a book that sets
    a smaller code size, another code font or wider margins gets the measure it asked for."""

    width: float
    """The content width of a code block in the running text, in CSS px."""
    advance: float
    """One character's advance in a Markdown code block (<code> inside <pre>), in CSS px."""
    bare: float
    """One character's advance in a <pre> without <code> (raw HTML), in CSS px."""
    em: float
    """The body text's em, in CSS px: containers (lists, block quotes) indent code by body ems."""

    def columns(self, in_code: bool, indent_em: float = 0.0) -> int:
        """Characters per line of a block, `indent_em` body ems in from the running text's edges."""
        advance = self.advance if in_code else self.bare
        return max(20, math.floor((self.width - indent_em * self.em) / advance + 1e-6))


#: The default stylesheets' code font and sizes (styles/common.css: `pre, code { font-size: 0.85em }` of the
#: 10.5pt body, so a <code> inside a <pre> is 0.85 of 0.85em): for an estimate before any layout (the import's
#: choice of trim); a build measures its own stylesheets instead (`probe_html`).
CODE_FONT = "fonts/DejaVuSansMono.ttf"
BODY_SIZE = 10.5
PRE_CODE_SIZE = BODY_SIZE * 0.85 * 0.85


def advance_of(font: Path) -> float:
    """The advance width of a monospaced font, in ems (DejaVu Sans Mono: 1233/2048)."""
    from fontTools.ttLib import TTFont

    with TTFont(font, lazy=True) as ttf:
        return float(ttf["hmtx"]["M"][0]) / float(ttf["head"].unitsPerEm)


def estimated_columns(text_width: float, font: Path) -> int:
    """How many characters of a Markdown code block a text block `text_width` points wide holds with the
    default stylesheets."""
    return max(20, math.floor(text_width / (advance_of(font) * PRE_CODE_SIZE) + 1e-6))


def probe_html(html: str, book: Book) -> str:
    """The print HTML's head and a chapter's section, holding only the two kinds of code block (`probe` lays
    it out); the section keeps its classes, so that a stylesheet's rules for chapter code apply."""
    document = lxml_html.document_fromstring(html)
    ids = {chapter.id for chapter in book.chapters}
    section = next((s for s in document.iter("section") if s.get("id") in ids), None)
    body = document.find("body")
    attrs = "".join(f' {k}="{escape(v)}"' for k, v in (section.attrib.items() if section is not None else ()))
    head = document.find("head")
    return (f'<!DOCTYPE html>\n<html lang="{escape(document.get("lang") or "en")}">'
            f'{etree.tostring(head, encoding="unicode", method="html") if head is not None else ""}'
            f'<body class="{escape(body.get("class") or "") if body is not None else ""}"><section{attrs}>'
            f'<p>{PROBE[:1]}</p><pre><code>{PROBE}</code></pre><pre>{PROBE}</pre></section></body></html>')


def measure_of(document: Any) -> Measure | None:
    """The laid-out probe -> the measure of its code blocks (None if the stylesheets hid them)."""
    from weasyprint.formatting_structure import boxes

    from octavo.pdf.internals import text_advance

    pres, paragraph = [], None
    for page in document.pages:
        for box in page._page_box.descendants():
            tag = getattr(box, "element_tag", None)
            if isinstance(box, boxes.BlockContainerBox) and tag == "pre" and not isinstance(box, boxes.LineBox):
                pres.append(box)
            elif isinstance(box, boxes.TextBox) and paragraph is None and box.text == PROBE[:1]:
                paragraph = box
    if len(pres) < 2 or paragraph is None:
        return None
    advances = []
    for pre in pres[:2]:
        text = next(b for b in pre.descendants() if isinstance(b, boxes.TextBox) and b.text.strip())
        advances.append(text_advance(PROBE, text.style) / len(PROBE))
    return Measure(float(pres[0].width), advances[0], advances[1], float(paragraph.style["font_size"]))


def wrap_code(html: str, book: Book, measure: Measure, warn: Callable[[str], None]) -> str:
    """`html` with its long code lines wrapped (unchanged when every line fits); `warn` is told of each long line,
    with its file and line."""
    if "<pre" not in html:
        return html
    document = lxml_html.document_fromstring(html)
    changed = False
    for pre in document.iter("pre"):
        code = pre[0] if len(pre) == 1 and local_name(pre[0].tag) == "code" and not (pre.text or "").strip() \
            else pre
        if len(code) and not is_highlighted(code):  # raw HTML: left to the layout, whose check reports what wraps
            continue
        indent = sum(INDENT_EM.get(local_name(a.tag), 0.0) for a in pre.iterancestors())
        columns = measure.columns(code is not pre, indent)
        if len(code):  # highlighted (content/fences.py): wrapped the same way, each span kept around its text
            chapter = _chapter_of(pre, book)
            changed |= rewrite_spans(code, columns, split_line, CONTINUED, MAX_HANG,
                                     lambda line, c=columns, ch=chapter: warn(_message(line, c, ch)))  # type: ignore[misc]
            continue
        lines = (code.text or "").expandtabs(8).split("\n")
        if all(len(line) <= columns for line in lines):
            continue
        _rewrite(code, lines, columns, _chapter_of(pre, book), warn)
        changed = True
    if not changed:
        return html
    return "<!DOCTYPE html>\n" + str(etree.tostring(document, encoding="unicode", method="html"))


def _chapter_of(element: etree._Element, book: Book) -> Chapter | None:
    ids = {chapter.id: chapter for chapter in book.chapters}
    return next((ids[a.get("id")] for a in element.iterancestors("section") if a.get("id") in ids), None)


def _rewrite(code: etree._Element, lines: list[str], columns: int, chapter: Chapter | None,
             warn: Callable[[str], None]) -> None:
    """Replace the text of `code` with its lines, each long one cut into pieces joined by marked breaks."""
    code.text = ""
    last: etree._Element | None = None

    def add(text: str) -> None:
        if last is None:
            code.text = (code.text or "") + text
        else:
            last.tail = (last.tail or "") + text

    for number, line in enumerate(lines):
        if number:
            add("\n")
        if len(line) <= columns:
            add(line)
            continue
        warn(_message(line, columns, chapter))
        pieces = split_line(line, columns)
        hang = " " * min(len(line) - len(line.lstrip(" ")), MAX_HANG)
        for index, piece in enumerate(pieces):
            if index:
                add("\n" + hang)
                mark = etree.SubElement(code, "span")
                mark.set("class", "code-continued")
                mark.set("aria-hidden", "true")
                mark.text = CONTINUED
                last = mark
                add(" ")
            add(piece)


def split_line(line: str, columns: int) -> list[str]:
    """`line` cut into pieces: the first fills the measure, each next one fits after the hang and the mark."""
    hang = min(len(line) - len(line.lstrip(" ")), MAX_HANG)
    pieces = []
    rest = line
    room = columns
    while len(rest) > room:
        cut = _break_point(rest, room)
        pieces.append(rest[:cut].rstrip(" ") if cut < len(rest) else rest[:cut])
        rest = rest[cut:].lstrip(" ") or rest[cut:]
        room = max(10, columns - hang - 2)
    pieces.append(rest)
    return pieces


def _break_point(text: str, room: int) -> int:
    """Where to cut `text` to fit `room` characters: after the last space in the last part of the room, else
    after the last punctuation there (`,` `(` `.` `::`...), else at the room."""
    low = math.floor(room * (1 - SPACE_WINDOW))
    space = text.rfind(" ", low, room + 1)
    if space > 0:
        return space + 1
    for index in range(room, low, -1):
        if text[index - 1] in BREAK_AFTER:
            return index
    return room


def _message(line: str, columns: int, chapter: Chapter | None) -> str:
    where = ""
    if chapter is not None:
        stripped = line.strip()
        found = next((f for needle in (stripped, stripped[:40], stripped[:20]) if needle
                      and (f := place_in(chapter.name, chapter.sources or (chapter.source,), needle))), None)
        where = f"{found[0]}:{found[1]}: " if found else f"{chapter.name}: "
    return (f"{where}a code line of {len(line)} characters does not fit the print measure of {columns}: it is "
            f"wrapped with {CONTINUED} in the PDF; shorten it to keep its columns")
