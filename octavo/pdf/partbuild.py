"""Print HTML of a long book -> both PDF editions laid out in parts (pdf/parallel.py) and merged, with the book's
page map; or None when the book is laid out in one piece."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from octavo.model import Book, Edition
from octavo.pages import PageMap
from octavo.pdf.layout import PdfLayout, chapter_break, shares_layout
from octavo.pdf.merge import merge_editions
from octavo.pdf.parallel import findings, log_findings, place_parts
from octavo.pdf.parts import AUTO_WORDS, MIN_CHAPTERS, Part, Source, split
from octavo.resources import Resources
from octavo.scholarly.index import FIRST_DRAFT

log = logging.getLogger("octavo")


def plan(html: Callable[[PageMap | None], str], book: Book, styles: Resources) -> tuple[Source, tuple[Part, ...]]:
    """The print HTML (its index a first draft) and its parts; no parts when one layout serves: a proof with crop
    marks (one layout per edition), a book with its own templates or styles (what they carry from page to page is
    unknown here), or what parts.split refuses."""
    overridden = len(styles.styles) > 1 or len(styles.templates) > 1  # the last folder is the defaults'
    layout = book.meta.print.layout
    words = sum(len(chapter.html.split()) for chapter in book.chapters)  # a bound: tags count as words here
    few = (len(book.chapters) < MIN_CHAPTERS or words < AUTO_WORDS) and layout != "parts"
    if not shares_layout(book) or overridden or layout == "single" or few:
        return Source("<html><body></body></html>"), ()
    source = Source(html(FIRST_DRAFT if book.index_marks else None))
    return source, split(source, book, chapter_break(book))


def write_in_parts(html: Callable[[PageMap | None], str], source: Source, parts: tuple[Part, ...], book: Book,
                   targets: dict[Edition, Path], styles: Resources, out: Path,
                   ahead: Callable[[PageMap], None] | None = None) -> dict[Edition, PdfLayout]:
    """Lay the parts out (the cache in `out` holds those an earlier build laid out) and merge each edition in
    `targets`; what each edition's layout produced. `ahead` gets the book's page map as soon as every part is laid
    out, while the workers still draw."""
    started = time.perf_counter()
    placed = place_parts(html, source, parts, book, styles, out, ahead)
    log_findings(placed)
    counts = placed.counts
    log.debug("laid out in %d parts: %d laid out, %d from the cache, %d laid out twice (%.1f s)", len(parts),
              counts["laid out"], counts["from the cache"], counts["laid out twice"], time.perf_counter() - started)
    labels = placed.labels()
    pages = placed.page_map()
    # The editions merged side by side (merge.merge_editions: the screen edition in a forked process).
    jobs = {edition: (placed.pdfs(edition.value), target) for edition, target in targets.items()}
    return {edition: PdfLayout(count, pages) for edition, count in merge_editions(jobs, book, labels).items()}


def page_findings(html: Callable[[PageMap | None], str], source: Source, parts: tuple[Part, ...], book: Book,
                  styles: Resources, out: Path) -> list[str]:
    """What the layout check finds on the pages of a book laid out in parts: its parts' findings, from the cache
    the build of `out` left (the parts it does not hold are laid out now, and kept)."""
    return findings(place_parts(html, source, parts, book, styles, out))


def page_map_of(html: Callable[[PageMap | None], str], book: Book, styles: Resources, out: Path) -> PageMap | None:
    """The print edition's page map of a book laid out in parts (for an EPUB built alone: the parts an earlier
    build of `out` left are reused, those missing laid out in parallel and kept); None when one layout serves."""
    source, parts = plan(html, book, styles)
    return place_parts(html, source, parts, book, styles, out).page_map() if parts else None
