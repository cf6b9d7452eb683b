"""The print edition's pages as the EPUB shares them: PageMap (where each page begins, its folio), the rules that
count the text both sides share, and roman folios."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from octavo.markup import local_name

#: Elements whose text the EPUB and the print edition do not share: notes (inline floats in print,
#: asides in the EPUB), note calls, the EPUB's page-break markers themselves, and the continuation marks of
#: long code lines (print only, octavo/pdf/code.py).
SKIPPED_CLASSES = frozenset({"footnote", "footnotes", "noteref", "noteref-repeat", "code-continued",
                             "math",  # a formula: an SVG image in print, MathML in the EPUB
                             "crossref-pageno"})  # "on page 47" after a reference: print only


#: The start of every index mark's anchor id (octavo/scholarly/indexterms.py): the layout finds their pages by it.
INDEX_ANCHOR_PREFIX = "ix-"

#: Elements one HTML parser adds and another does not; never counted.
TRANSPARENT_TAGS = frozenset({"tbody"})
#: Marks an element only the print HTML has (the second part of an element split across the lines of an even
#: paragraph: octavo/pdf/paragraphs.py): it is not counted, so that both sides number their elements alike.
PRINT_ONLY = "data-print-only"
#: The first class of a line of an even paragraph (a span the print HTML alone has, too many for an attribute
#: each: WeasyPrint's parser pays for every one): a span of that class is counted on neither side.
LINE_CLASS = "line"


class Element(Protocol):
    """What both xml.etree (WeasyPrint's parse) and lxml (the EPUB's) elements offer."""

    tag: Any
    text: str | None
    tail: str | None

    def get(self, key: str, default: str | None = None) -> str | None: ...

    def __iter__(self) -> Iterator[Element]: ...


@dataclass(frozen=True)
class Position:
    """A place in the text that the print edition and the EPUB share."""

    anchor: str
    """id of the nearest element (itself or an ancestor) with an id: a chapter, heading or front page."""
    block: int
    """Which element under the anchor holds the text: 0 is the anchor, then document order."""
    offset: int
    """Characters of that element's own text before the place, whitespace and hyphens not counted."""
    sample: str
    """The text that starts there, a few words, as printed."""


@dataclass(frozen=True)
class PrintPage:
    """One page of the print edition."""

    number: int
    """Physical page number in the PDF, from 1."""
    label: str
    """The folio: as printed, or as it would be printed on a page that shows none (roman in front matter)."""
    start: Position | None
    """Where the page's first text is, or None for a page with no text the EPUB has (blank, half-title)."""


@dataclass(frozen=True)
class PageMap:
    """Every page of the print edition, in order."""

    pages: tuple[PrintPage, ...]
    """One entry per page."""
    anchors: Mapping[str, int] = field(default_factory=dict)
    """The physical page number (from 1) of each index mark's anchor (ids 'ix-...'), for the index's locators."""

    def folio(self, number: int) -> str:
        """The folio of physical page `number` (from 1)."""
        return self.pages[number - 1].label


def is_skipped(element: Element) -> bool:
    """Whether the element's subtree is left out of the shared text (notes, calls, page-break markers)."""
    classes = set((element.get("class") or "").split())
    types = set((element.get("{http://www.idpf.org/2007/ops}type") or "").split())
    return bool(classes & SKIPPED_CLASSES) or "pagebreak" in types or not local_name(element.tag)


def index_elements(root: Element) -> dict[Element, tuple[str | None, int]]:
    """(anchor id, ordinal) of every element that is not skipped; the same on both sides of the map."""
    index: dict[Element, tuple[str | None, int]] = {}
    counters: dict[str | None, int] = {None: 0}

    def visit(element: Element, anchor: str | None) -> None:
        if is_skipped(element):
            return
        own = element.get("id")
        if own:
            anchor = own
            counters[anchor] = 0
            index[element] = (anchor, 0)
        elif local_name(element.tag) not in TRANSPARENT_TAGS and element.get(PRINT_ONLY) is None \
                and not _is_line(element):
            counters[anchor] = counters.get(anchor, 0) + 1
            index[element] = (anchor, counters[anchor])
        if local_name(element.tag) == "pre":
            return  # the print edition rewraps code (pdf/code.py), splitting its spans: only the block is counted
        for child in element:
            visit(child, anchor)

    visit(root, None)
    return index


def _is_line(element: Element) -> bool:
    return local_name(element.tag) == "span" and (element.get("class") or "").split(" ", 1)[0] == LINE_CLASS


_UNCOUNTED = re.compile(r"[\s\u00ad\u2010\u2060]+")


def countable(text: str) -> str:
    """The characters that locate a place in text: no whitespace, no soft or inserted hyphens, no word joiners
    (the print HTML adds them after hyphens in code)."""
    return _UNCOUNTED.sub("", text)


def roman(number: int) -> str:
    """12 -> 'xii' (folios and chapter numbers in front matter)."""
    values = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
              (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
    out = []
    for value, letters in values:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def folio_value(label: str) -> int:
    """The number a folio stands for, arabic or roman ('14', 'xiv', 'XIV' -> 14); 0 for none."""
    return int(label) if label.lstrip("-").isdigit() else from_roman(label)


def shift_folio(label: str, by: int) -> str:
    """The folio `by` pages further on, in `label`'s numbering (arabic, lower or upper roman; '' counts as 0)."""
    if not label or label.lstrip("-").isdigit():
        return str(folio_value(label or "0") + by)
    value = from_roman(label) + by
    if value <= 0:
        return str(value)
    return roman(value).upper() if label.isupper() else roman(value)


def from_roman(label: str) -> int:
    """The number a roman folio stands for ('xiv' or 'XIV' -> 14); 0 when it is none."""
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    text = label.lower()
    if not text or any(ch not in values for ch in text):
        return 0
    total = 0
    for ch, after in zip(text, [*text[1:], ""], strict=True):
        value = values[ch]
        total += -value if after and values[after] > value else value
    return total
