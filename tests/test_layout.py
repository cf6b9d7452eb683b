"""Book typography measured on WeasyPrint's own page boxes: widows, orphans, stranded headings."""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.pdf.layout import lay_out as layout
from octavo.render import make_environment, render_print_html
from octavo.resources import TEMPLATES, Resources

from .conftest import CONTENT, FIXTURE_BOOK

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def lines_per_page(document: Any) -> list[list[Any]]:
    """For every page, the elements owning its body line boxes, top to bottom (no margin boxes, no notes)."""
    pages = []
    for page in document.pages:
        root = next(child for child in page._page_box.children if type(child).__name__ not in (
            "MarginBox", "FootnoteAreaBox"))
        pages.append([box.element for box in root.descendants() if type(box).__name__ == "LineBox"])
    return pages


def laid_out(content: Path, collected: list[int] | None = None) -> Any:
    """The print layout of a book; the generation of each cycle collection run during it goes to `collected`."""
    book = read_book(load_config(content), content)
    html = render_print_html(book, make_environment(TEMPLATES), "print", dt.datetime(2026, 1, 1), "test")

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and collected is not None:
            collected.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        return layout(html, book, "print", Resources.search())
    finally:
        gc.callbacks.remove(seen)


#: The cycle collections Python ran while each book was laid out (pdf/layout.py pauses the collector).
COLLECTIONS: dict[str, list[int]] = {}


@pytest.fixture(scope="module", params=[CONTENT, FIXTURE_BOOK], ids=["seed", "fixture"])
def pages(request: pytest.FixtureRequest) -> list[list[Any]]:
    return lines_per_page(laid_out(request.param, COLLECTIONS.setdefault(request.param.name, [])))


def test_no_cycle_collection_runs_during_a_layout_and_the_collector_is_on_after(pages: list[list[Any]]) -> None:
    """Each full collection walks the whole growing document: seconds of a long book's layout."""
    assert gc.isenabled()
    # at most the young objects' one, as the collector is switched on again at the end
    assert COLLECTIONS and all(len(found) <= 1 and 2 not in found for found in COLLECTIONS.values()), COLLECTIONS


def test_no_paragraph_leaves_a_widow_or_an_orphan(pages: list[list[Any]]) -> None:
    fragments: dict[Any, list[int]] = defaultdict(list)
    for lines in pages:
        counts: dict[Any, int] = defaultdict(int)
        for element in lines:
            counts[element] += 1
        for element, count in counts.items():
            fragments[element].append(count)
    split = {e: f for e, f in fragments.items() if len(f) > 1 and e.tag == "p"}
    for element, counts in split.items():
        assert min(counts) >= 2, f"paragraph split {counts} across pages: {(element.text or '')[:50]!r}"


def test_no_heading_is_stranded_at_the_foot_of_a_page(pages: list[list[Any]]) -> None:
    for number, lines in enumerate(pages[:-1], start=1):
        if lines:
            last = lines[-1]
            assert last.tag not in HEADINGS, f"page {number} ends with heading {''.join(last.itertext())!r}"


def test_the_seed_splits_paragraphs_across_pages_so_the_widow_check_means_something() -> None:
    pages = lines_per_page(laid_out(CONTENT))
    first_lines = [lines[0] for lines in pages if lines]
    last_lines = [lines[-1] for lines in pages if lines]
    assert set(first_lines) & set(last_lines), "no paragraph crosses a page: the checks above prove nothing"
