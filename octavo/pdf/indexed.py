"""Print HTML for a page map + stylesheets -> the layout whose index prints the pages its marks are on: a first
layout finds the pages; then the index alone is laid out with them and takes the place of its first draft (or, when
the index is not last, the whole book is laid out again until the index no longer changes)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from lxml import html as lxml_html

from octavo.model import Book, Edition
from octavo.pages import PageMap
from octavo.pdf.layout import ignore, lay_out
from octavo.pdf.pagemap import page_map
from octavo.resources import Resources
from octavo.scholarly.index import FIRST_DRAFT, index_html

log = logging.getLogger("octavo")

#: Layouts at most when the whole book is laid out again: the first (placeholders), the one with the pages found,
#: and one more in case the index's own length moved a mark (an index placed before text that holds marks).
MAX_LAYOUTS = 3


def lay_out_indexed(html: Callable[[PageMap | None], str], book: Book, edition: Edition, styles: Resources,
                    warn: Callable[[str], None] | None = None, join: bool = True) -> tuple[Any, PageMap]:
    """The WeasyPrint Document of `html` and its page map. A book without index marks is laid out once. A book
    whose index ends it is laid out once with an empty index, then its index alone with the pages found, and the
    pages joined: the pages before the index cannot change, and the index holds no mark (the same bytes as a
    second layout of the whole book, at the cost of the index's own pages). Otherwise (or `join=False`) the book is
    laid out again with the pages of the layout before until its index prints what the pages hold."""
    document = lay_out(html(FIRST_DRAFT if book.index_marks else None), book, edition, styles, warn)
    pages = page_map(document)
    if not book.index_marks:
        return document, pages
    if join and (joined := _join_index(document, pages, html, book, edition, styles)) is not None:
        return joined, page_map(joined)
    for _ in range(MAX_LAYOUTS - 1):
        printed = index_html(book, pages)
        document = lay_out(html(pages), book, edition, styles, warn=ignore)  # the first layout warned
        pages = page_map(document)
        if index_html(book, pages) == printed:
            return document, pages
    log.warning("the index's page numbers still changed after %d layouts; check the index against its pages",
                MAX_LAYOUTS)
    return document, pages


def _join_index(document: Any, pages: PageMap, html: Callable[[PageMap | None], str], book: Book,
                edition: Edition, styles: Resources) -> Any | None:
    """The first layout's pages before the index, then the index laid out alone; None when that cannot give the
    same pages as a whole layout: the index is not last or is in a part, its folio is not a number, or the book
    brings its own templates or styles (what they carry from page to page is unknown here)."""
    index = book.chapters[-1]
    overridden = len(styles.styles) > 1 or len(styles.templates) > 1  # the last folder is the defaults'
    if index.kind != "index" or index.part is not None or book.parts or overridden:
        return None
    first = next((n for n, page in enumerate(document.pages) if index.id in page.anchors), None)
    if first is None or not pages.folio(first + 1).isdigit():
        return None
    alone = _index_alone(html(pages), index.id, book.meta.short_title, first, int(pages.folio(first + 1)))
    tail = lay_out(alone, book, edition, styles, warn=ignore)
    return document.copy([*document.pages[:first], *tail.pages])


def _index_alone(full: str, index_id: str, booktitle: str, first: int, folio: int) -> str:
    """The print HTML with only the index chapter in its body, set on the side, with the folio and the running
    head it has in the whole book (the string the half-title sets; the index's own title sets the other)."""
    root = lxml_html.document_fromstring(full)
    body = root.body
    for child in list(body):
        if child.get("id") == index_id:
            child.set("data-booktitle", booktitle)
            break
        body.remove(child)
    style = lxml_html.Element("style")
    side = "recto" if first % 2 == 0 else "verso"  # page 1 is a recto; the pages alternate
    style.text = (f"html {{ break-before: {side}; }} @page :first {{ counter-reset: page {folio}; }} "
                  "section.chapter[data-booktitle] { string-set: booktitle attr(data-booktitle); }")
    root.head.append(style)
    return str(lxml_html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>"))
