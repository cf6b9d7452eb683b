"""Every reach into WeasyPrint's or pydyf's internals, in one place (but for pdf/patches.py, WeasyPrint patched to
make the same boxes with less work, and pdf/drawonce.py, the print edition written from the screen drawing), with
the versions they were written for.

Whatever here reads or patches something that is not public API: a new WeasyPrint or pydyf may change it, so
the versions are pinned in pyproject.toml (and requirements.lock) and checked before anything here is used:
a version the code does not know fails the build with one line, not a KeyError half way through a PDF.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

from octavo.errors import InstallationError

#: The versions every function here was written and tested against; pyproject.toml pins the last one (pydyf
#: 0.13.0 needs Python 3.11, so Python 3.10 gets 0.12.1, whose page_references and _to_bytes are the same).
KNOWN_VERSIONS = {"pydyf": ("0.12.1", "0.13.0"), "weasyprint": ("70.0",)}


@cache
def check_engines() -> None:
    """Raise InstallationError unless the installed pydyf and WeasyPrint are versions named in KNOWN_VERSIONS."""
    from importlib import metadata

    for name, known in KNOWN_VERSIONS.items():
        try:
            installed: str | None = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed not in known:
            raise InstallationError(engine_message(name, installed, known))


def engine_message(name: str, installed: str | None, known: tuple[str, ...]) -> str:
    """The one line a wrong engine version gets."""
    from octavo import __version__

    found = f"{name} {installed} is installed" if installed else f"{name} is not installed"
    pinned = known[0] if name == "pydyf" and sys.version_info < (3, 11) else known[-1]
    return (f"{found}, but Octavo {__version__} reaches into {name} {' or '.join(known)} (octavo/pdf/internals.py); "
            f'install the pinned version: pip install "{name}=={pinned}"')


class CachedPageReferences(property):
    """pydyf's `PDF.page_references`, built once per page list instead of once per read."""

    def __init__(self, build: Callable[[Any], tuple[bytes, ...]]):
        self.build = build
        """pydyf's own getter, which builds the tuple of page references from the page list."""
        super().__init__(self.read)

    def read(self, pdf: Any) -> tuple[bytes, ...]:
        kids = pdf.pages["Kids"]  # [number, 0, 'R', ...]: pydyf only ever appends to it
        key = (len(kids), kids[-3] if kids else None)
        cached = pdf.__dict__.get("_octavo_page_references")
        if cached is None or cached[0] != key:
            cached = pdf.__dict__["_octavo_page_references"] = (key, self.build(pdf))
        return cached[1]  # type: ignore[no-any-return]


def cache_page_references() -> None:
    """Install CachedPageReferences on pydyf.PDF, once per process.

    WeasyPrint's PDF/UA tagging (weasyprint/pdf/tags.py) reads `pdf.page_references[page]` for every structure
    element, and pydyf builds the whole tuple again on every read: pages x elements string formats, 0.6 to
    1.0 s of CPU in the screen edition of a 273-page book. The cached tuple is the same tuple, so the bytes
    written are the same (tests/test_pdf.py); drop this when WeasyPrint reads it once per page.
    """
    import pydyf

    check_engines()
    current = pydyf.PDF.__dict__["page_references"]
    if not isinstance(current, CachedPageReferences):
        pydyf.PDF.page_references = CachedPageReferences(current.fget)


def drawing_streams(pdf: Any) -> Iterator[Any]:
    """WeasyPrint's own drawing streams among a pydyf PDF's objects (pages, and the groups drawn into them):
    `weasyprint.pdf.stream.Stream`, whose `stream` is the list of operators."""
    from weasyprint.pdf.stream import Stream

    check_engines()
    return (obj for obj in pdf.objects if isinstance(obj, Stream))


def stream_bytes(stream: Any) -> bytes:
    """A pydyf Stream's content as pydyf writes it (Stream.data before compression): its operators through
    pydyf's private `_to_bytes`, joined by newlines."""
    from pydyf import _to_bytes

    check_engines()
    return b"\n".join(_to_bytes(item) for item in stream.stream)


def text_advance(text: str, style: Any) -> float:
    """The width `text` takes on one line in a laid-out box's computed style, in points: WeasyPrint's own Pango
    layout (`weasyprint.text.line_break.create_layout`, `line_size`), as its line breaking measures text."""
    from weasyprint.text.line_break import create_layout, line_size

    check_engines()
    layout = create_layout(text, style, None, None, 0)
    line, _ = layout.get_first_line()
    width, _ = line_size(line, style)
    layout.deactivate()
    return float(width)


def _without_kerned_overflow(original: Any, found: Any, text: str, style: Any, context: Any, max_width: float,
                             justification_spacing: float, minimum: bool) -> Any:
    """A first line Pango found to fit, but wider than `max_width` once its trailing space is dropped, cut at
    an earlier break opportunity that fits (or `found` when there is none).

    The defect (found on the Rustonomicon at 6 x 9 in: "Our first instinct might be to blame the" / "assign
    impl, but ..."): Vollkorn kerns letters against the space ("y " and "f " pairs), so "... really " fits
    where "... really" alone is 0.3 px too wide; `first_line_metrics` measures the line without the space,
    the text after an inline element (code, a link) overflows, and `split_inline_box` goes back to the break
    before that element, ending the line at 58% of the measure. Reproduction: tests/test_page.py."""
    narrower, step = max_width - (found[3] - max_width) - 0.01, 0.05 * float(style["font_size"])
    for _ in range(8):  # the kerning of one space is at most a few tenths of an em
        if narrower <= 0:
            break
        retry = original(text, style, context, narrower, justification_spacing, False, minimum)
        # an earlier break; or none of the text ((0, 1): the line ends at the space the text opens with, as in
        # "Also, `make_room` directly": " directly" is 0.04 px too wide once its kerned space is dropped)
        if retry[2] is not None and retry[1] < found[1]:
            return retry if retry[3] <= max_width else found
        narrower -= step
    return found


def first_break(text: str, lang: str | None) -> int | None:
    """Where the first line break opportunity of `text` is (the index of the character a line may start with),
    by Pango's rules as WeasyPrint's line breaking reads them (UAX #14: none before ".." even after a space)."""
    from weasyprint.text.line_break import get_next_break_point_from_text

    check_engines()
    found = get_next_break_point_from_text(text, lang)
    return None if found is None else int(found) + 1


def fix_trailing_space_breaks() -> None:
    """Replace WeasyPrint 70's `split_first_line` (as `weasyprint.layout.inline` calls it) with one that does not
    set the first word of a line alone when the rest of a text fits except for its trailing space, once per
    process.

    The defect (found by the page check on the Rustonomicon: "(which have" / "no" / "aliasing requirements ..."):
    Pango says that a text ending in a space before an inline element (code, a link, a note call) fits, the
    space hanging past the edge; `line_size` counts the space, so the text seems too wide, step #3 of
    `text/line_break.py split_first_line` takes "the line can't be split earlier" and returns only the first
    word. Here, such a text that fits once its trailing spaces are dropped is laid out as the one line it is
    (the caller already takes trailing white space off the width). Reproduction and the upstream report:
    tests/fixtures/weasyprint/trailing-space-break.html.
    """
    from math import inf

    from weasyprint.layout import inline
    from weasyprint.text import line_break

    check_engines()
    if getattr(inline.split_first_line, "_octavo_fixed", False):
        return
    original = line_break.split_first_line

    def split_first_line(text: str, style: Any, context: Any, max_width: float | None, justification_spacing: float,
                         is_line_start: bool = True, minimum: bool = False) -> tuple[Any, ...]:
        found = original(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        if max_width is None or max_width == inf or style["white_space"] not in ("normal", "nowrap", "pre-line"):
            return tuple(found)
        if found[2] is not None and text.endswith(" ") and "\n" not in text:
            stripped = original(text.rstrip(" "), style, context, max_width, justification_spacing, is_line_start,
                                minimum)
            if stripped[2] is None and stripped[3] <= max_width:
                return tuple(original(text, style, context, inf, justification_spacing, is_line_start, minimum))
        if found[2] is not None and found[3] > max_width and not is_line_start:
            return tuple(_without_kerned_overflow(original, found, text, style, context, max_width,
                                                  justification_spacing, minimum))
        return tuple(found)

    split_first_line._octavo_fixed = True  # type: ignore[attr-defined]
    inline.split_first_line = split_first_line


def kerned_justification() -> None:
    """Justify a line of text by widening its spaces' glyphs once Pango has shaped it, not with Pango
    letter-spacing attributes on each space (WeasyPrint 70's `Layout.set_text(justify=True)`); once per process.

    The defect (seen on the first publication: "rules of engagement , and", a gap before the comma after an
    index mark): a letter-spacing attribute on a space makes it a shaping run of its own, so HarfBuzz no longer
    kerns the letter before it against it. Vollkorn kerns "f " and "y " (and others), so the text WeasyPrint draws
    is up to 0.64 of a justification space narrower or wider than the box it measured for it: a gap opens after a
    text that ends inside an element (the comma after `<span>rules of engagement</span>`), and a justified line
    ends short of the measure or past it (17 of the seed's 245 justified lines by more than 1 pt). Here the
    drawing lays the text out as the line breaking did (style spacing only) and adds the justification to each
    space's glyph, what `add_word_spacing` added to the box's width: the glyphs fill the box, kerned as
    measured. Reproduction and the upstream report: tests/fixtures/weasyprint/justified-space-kerning.html.
    The glyphs' advances are then written rounded, not cut (below)."""
    from weasyprint.text import line_break

    check_engines()
    layout = line_break.Layout
    if getattr(layout.reactivate, "_octavo_kerned", False):
        return
    set_text, get_first_line = layout.set_text, layout.get_first_line

    def reactivate(self: Any, style: Any) -> None:
        """What the drawing calls before it draws a text box's line (WeasyPrint's own: `set_text(justify=True)`);
        the layout has nothing of this to pay."""
        self.setup(style)
        set_text(self, self.text)  # as laid out: the style's word and letter spacing, kerned where no attribute cuts
        if self.justification_spacing:
            # the mode the drawing sets next (then a no-op): the line widened here is the line it draws
            line_break.pango.pango_layout_set_single_paragraph_mode(self.layout, True)
            _widen_spaces(get_first_line(self)[0], self.text.encode(),
                          round(self.justification_spacing * line_break.TO_UNITS))

    reactivate._octavo_kerned = True  # type: ignore[attr-defined]
    layout.reactivate = reactivate
    # The drawing writes each glyph's advance as a TJ adjustment in thousandths of an em, `int(kerning)`: cut
    # toward zero, so every letter-spaced glyph (an even paragraph's `ls-` line) and widened space lost half a
    # unit on average, and a letter-spaced line ended up to 0.6 pt short of the measure. Rounded, the errors
    # do not add up (0.06 pt on the same line). `int` is looked up in the module's globals before the builtins.
    from weasyprint.draw import text as drawn

    drawn.int = round


def _widen_spaces(line: Any, text: bytes, extra: int) -> None:
    """Add `extra` Pango units to the glyph of each space and no-break space of a laid-out line (the characters
    WeasyPrint's `count_expandable_spaces` counts). A line's text has a few spaces and many glyphs: each space's
    glyph is found among its run's clusters (read in one call), not each glyph looked at in Python."""
    from weasyprint.text.ffi import ffi

    spaces = [found.start() for found in _SPACES.finditer(text)]
    if not spaces:
        return
    run = line.runs
    while run != ffi.NULL:
        item, run = run.data, run.next
        offset, length, glyphs = item.item.offset, item.item.length, item.glyphs
        inside = [at - offset for at in spaces if offset <= at < offset + length]
        if inside:
            clusters = ffi.unpack(glyphs.log_clusters, glyphs.num_glyphs)
            for at in inside:
                if at in clusters:  # a space drawn by no glyph of its own (in a ligature) is not widened
                    glyphs.glyphs[clusters.index(at)].geometry.width += extra


_SPACES = re.compile(b" |\xc2\xa0")


def replace_lines(document: Any, swaps: list[tuple[int, Any, Any, Any]]) -> None:
    """Put each new LineBox (laid out elsewhere, at the same width and height) in the place of an old one in
    `document`'s page trees: (page index, the block holding it, old, new). Each page touched is made again as
    WeasyPrint 70 makes it (`Page(page_box)`), for its anchors and links gathered from the boxes."""
    from weasyprint.document import Page

    touched = set()
    for index, block, old, new in swaps:
        new.translate(old.position_x - new.position_x, old.position_y - new.position_y)
        block.children[block.children.index(old)] = new
        touched.add(index)
    for index in touched:
        document.pages[index] = Page(document.pages[index]._page_box)


#: The book's hyphenation while one of its layouts runs: (WeasyPrint's pyphen language for the book's `lang`, a
#: function (word, left, right) -> where the word may break), set by `book_hyphenation`.
_BOOK_HYPHENATION: ContextVar[tuple[str, Callable[[str, int, int], list[int]]] | None] = ContextVar(
    "octavo_book_hyphenation", default=None)


@contextmanager
def book_hyphenation(language: str, points: Callable[[str, int, int], list[int]]) -> Iterator[None]:
    """While the block runs, WeasyPrint 70 hyphenates the words of the book's language (`hyphens: auto`) where
    `points` says, not with pyphen's patterns for the `lang` attribute.

    WeasyPrint hyphenates a word with the dictionary it keeps in its layout context for (language,
    hyphenate-limit-chars) (`text/line_break.py split_first_line`, step 4: `context.dictionaries`, where the
    language is `pyphen.language_fallback(lang)`); each layout context made meanwhile finds ours there. Text in
    another language (a `lang` attribute of its own) keeps pyphen's patterns, and `hyphens: manual` text (code,
    headings) is never hyphenated, as before."""
    import pyphen
    from weasyprint.layout import LayoutContext

    check_engines()
    if not getattr(LayoutContext.__init__, "_octavo_hyphenation", False):
        original = LayoutContext.__init__

        def init(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            if (book := _BOOK_HYPHENATION.get()) is not None:
                self.dictionaries = _Dictionaries(*book)

        init._octavo_hyphenation = True  # type: ignore[attr-defined]
        LayoutContext.__init__ = init
    token = _BOOK_HYPHENATION.set((str(pyphen.language_fallback(language.replace("-", "_"))), points))
    try:
        yield
    finally:
        _BOOK_HYPHENATION.reset(token)


class _Dictionaries(dict[tuple[Any, ...], Any]):
    """A layout context's hyphenation dictionaries, keyed (language, left, right, total): the book's own for its
    language, made on first use; pyphen's (WeasyPrint makes them) for any other."""

    def __init__(self, language: str, points: Callable[[str, int, int], list[int]]):
        super().__init__()
        self.language, self.points = language, points

    def get(self, key: tuple[Any, ...], default: Any = None) -> Any:
        if key not in self and key[0] == self.language:
            self[key] = _Dictionary(self.points, int(key[1]), int(key[2]))
        return super().get(key, default)


class _Dictionary:
    """What WeasyPrint asks of a pyphen dictionary: `iterate(word)`, the ways to split it, the longest first."""

    def __init__(self, points: Callable[[str, int, int], list[int]], left: int, right: int):
        self.points, self.left, self.right = points, left, right

    def iterate(self, word: str) -> Iterator[tuple[str, str]]:
        for point in sorted(self.points(word, self.left, self.right), reverse=True):
            yield word[:point], word[point:]
