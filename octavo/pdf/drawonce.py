"""A layout's screen edition as WeasyPrint draws it -> the print edition's pages from the same drawing: each page's
operators less the PDF/UA marked content, as WeasyPrint would have drawn them untagged, without drawing again.

Both editions draw the same boxes with the same stream state: what differs while a page is drawn is the marked
content (tags, screen only) and what depends on the PDF's colour profiles and output intent (groups, patterns,
shadings: a part with one such page is drawn again, as is one with a colour profile of its own name, `--x`). Drawing
is a third of a long book's CPU (WeasyPrint shapes every line again with Pango as it draws it), so the print
edition of a part costs its writing only. The bytes are those WeasyPrint writes when it draws the print edition
itself (tests/test_drawonce.py). Reaches into WeasyPrint 70's `Page.paint`, `Stream` and `generate_pdf`'s fonts
(the versions pdf/internals.check_engines checks).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from octavo.pdf.internals import check_engines

#: What the resources of a page say when it drew nothing that depends on the PDF's colour profiles: these stay
#: empty (images, groups, patterns and shadings are drawn again, they are few).
_UNSHARED = ("XObject", "Pattern", "Shading")


@dataclass
class Tape:
    """What drawing one page made."""

    ops: list[Any]
    """The operators it appended to the page's stream."""
    states: dict[str, Any]
    """The graphics states (ExtGState: alpha, blend modes) it added to the resources, in order."""
    plain: bool
    """Whether nothing it drew depends on the PDF it is drawn for (no image, group, pattern, shading)."""


@dataclass
class Recording:
    """A screen edition's drawing, page by page (by the page box drawn), and its fonts as drawn."""

    tapes: dict[int, Tape] = field(default_factory=dict)
    fonts: dict[Any, Any] = field(default_factory=dict)
    """WeasyPrint's fonts with the glyphs the pages use, copied before they were subset for the screen edition."""

    def serves(self, document: Any) -> bool:
        """Whether every page of `document` can be written from this drawing."""
        return not any(name.startswith("--") for name in document.color_profiles) and all(
            (tape := self.tapes.get(id(page._page_box))) is not None and tape.plain for page in document.pages)


@contextmanager
def recorded() -> Iterator[Recording]:
    """Record what WeasyPrint draws on each page while the screen edition is written in this block."""
    from weasyprint import pdf as weasy_pdf
    from weasyprint.document import Page

    check_engines()
    recording = Recording()
    paint, build_fonts = Page.paint, weasy_pdf.build_fonts_dictionary

    def recording_paint(page: Any, stream: Any, scale: float = 1) -> None:
        resources = stream._resources
        start, states = len(stream.stream), dict(resources["ExtGState"])
        unshared = [len(resources.get(name) or ()) for name in _UNSHARED]
        images = len(stream._images)
        paint(page, stream, scale)
        plain = unshared == [len(resources.get(name) or ()) for name in _UNSHARED] and images == len(stream._images)
        added = {key: value for key, value in resources["ExtGState"].items() if key not in states}
        recording.tapes[id(page._page_box)] = Tape(stream.stream[start:], added, plain)

    def recording_fonts(pdf: Any, fonts: dict[Any, Any], *args: Any, **kwargs: Any) -> Any:
        recording.fonts = {key: _font_copy(font) for key, font in fonts.items()}
        return build_fonts(pdf, fonts, *args, **kwargs)

    Page.paint, weasy_pdf.build_fonts_dictionary = recording_paint, recording_fonts
    try:
        yield recording
    finally:
        Page.paint, weasy_pdf.build_fonts_dictionary = paint, build_fonts


@contextmanager
def replayed(recording: Recording) -> Iterator[None]:
    """Write the pages of the print edition written in this block from `recording` (which must serve its
    document) instead of drawing them."""
    from weasyprint.document import Page

    check_engines()
    paint = Page.paint

    def replaying_paint(page: Any, stream: Any, scale: float = 1) -> None:
        tape = recording.tapes[id(page._page_box)]
        if not stream._fonts:  # the first page: the fonts as drawing every page leaves them, in the same order
            stream._fonts.update({key: _font_copy(font) for key, font in recording.fonts.items()})
        stream.stream.extend(untagged(tape.ops))
        stream._resources["ExtGState"].update({key: copy.copy(value) for key, value in tape.states.items()})

    Page.paint = replaying_paint
    try:
        yield
    finally:
        Page.paint = paint


def _font_copy(font: Any) -> Any:
    """A WeasyPrint Font as drawing left it, apart from the one it was copied from (subsetting rewrites a font's
    file, and drawing adds to its glyph tables)."""
    twin = copy.copy(font)
    for name in ("widths", "to_unicode", "missing", "variations"):
        setattr(twin, name, dict(getattr(font, name)))
    return twin


def untagged(ops: list[Any]) -> list[Any]:
    """A tagged page's operators as WeasyPrint appends them when it draws the page untagged: without the marked
    content (`/Tag BMC`, `/Tag <<...>> BDC`, `EMC`), and with the peephole steps of its Stream that the marked
    content kept apart: `q Q` with nothing between is dropped (pop_state), `ET BT` joined (begin_text, which
    then takes up the font in force before the ET, so that a `Tf` setting it again is left out)."""
    out: list[Any] = []
    font: bytes | None = None  # Stream._current_font, as its operator
    old: bytes | None = None  # Stream._old_font
    index, count = 0, len(ops)
    while index < count:
        op = ops[index]
        if op == b"EMC":
            index += 1
            continue
        if isinstance(op, str) and index + 1 < count and ops[index + 1] == b"BMC":
            index += 2
            continue
        if isinstance(op, str) and index + 2 < count and ops[index + 2] == b"BDC":
            index += 3
            continue
        index += 1
        if op == b"Q":
            font = None
            if out and out[-1] == b"q":
                out.pop()
                continue
        elif op == b"BT" and out and out[-1] == b"ET":
            out.pop()
            font = old
            continue
        elif op == b"ET":
            old, font = font, None
        elif isinstance(op, bytes) and op.endswith(b" Tf"):
            if op == font:
                continue
            font = op
        out.append(op)
    return out
