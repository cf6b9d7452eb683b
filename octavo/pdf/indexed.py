"""Print HTML for a page map + stylesheets -> the layout whose index prints the pages its marks are on: a first
layout finds the pages, the book is laid out again with them, until the index no longer changes."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from octavo.model import Book, Edition
from octavo.pages import PageMap
from octavo.pdf.layout import ignore, lay_out
from octavo.pdf.pagemap import page_map
from octavo.resources import Resources
from octavo.scholarly.index import index_html

log = logging.getLogger("octavo")

#: Layouts at most: the first (placeholders), the one with the pages found, and one more in case the index's
#: own length moved a mark (an index placed before text that holds marks).
MAX_LAYOUTS = 3


def lay_out_indexed(html: Callable[[PageMap | None], str], book: Book, edition: Edition, styles: Resources,
                    warn: Callable[[str], None] | None = None) -> tuple[Any, PageMap]:
    """The WeasyPrint Document of `html` and its page map. A book with index marks is laid out again with the
    pages of the layout before until its index prints what the pages hold (twice, as a rule: the index is at
    the end, and the pages before it cannot move); a book without is laid out once."""
    document = lay_out(html(None), book, edition, styles, warn)
    pages = page_map(document)
    if not book.index_marks:
        return document, pages
    started = time.monotonic()
    for _ in range(MAX_LAYOUTS - 1):
        printed = index_html(book, pages)
        document = lay_out(html(pages), book, edition, styles, warn=ignore)  # the first layout warned
        pages = page_map(document)
        if index_html(book, pages) == printed:
            log.debug("index: laid out again with its pages in %.1f s", time.monotonic() - started)
            return document, pages
    log.warning("the index's page numbers still changed after %d layouts; check the index against its pages",
                MAX_LAYOUTS)
    return document, pages
