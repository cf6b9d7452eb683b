"""A part laid out with a guessed first folio (WeasyPrint Document) -> the same pages with the real one: the margin
boxes of the pages that count from it made again with the page counter shifted (the body never prints it there,
parts.self_paged), and the shift kept on the first page for pagemap.page_labels.

WeasyPrint makes each page's margin boxes last, from the page's counter state (layout/__init__.py,
`make_margin_boxes(context, page, state)`); `record_margins` keeps that call's context and state on the page box,
so the boxes can be made again once the part's first folio is known, without laying the part out again."""

from __future__ import annotations

import copy
from typing import Any

#: The page box attribute that keeps (layout context, counter state, page number) of its margin boxes.
MARGINS = "_octavo_margins"
#: The first page box's attribute: how far its page counter was shifted after its layout (pagemap.page_labels).
SHIFT = "_octavo_folio_shift"


def record_margins() -> None:
    """Have WeasyPrint keep, on each page box, what its margin boxes were made from (once per process)."""
    from weasyprint import layout

    from octavo.pdf.internals import check_engines

    check_engines()
    if getattr(layout.make_margin_boxes, "_octavo_recording", False):
        return
    original = layout.make_margin_boxes

    def make_margin_boxes(context: Any, page: Any, state: Any) -> Any:
        setattr(page, MARGINS, (context, state, context.current_page))
        return original(context, page, state)

    make_margin_boxes._octavo_recording = True  # type: ignore[attr-defined]
    layout.make_margin_boxes = make_margin_boxes


def counted(document: Any, folio: int) -> int:
    """How many pages, from the first, count their folio from `folio`, the page counter the part's first page
    resets (0 when it sets another, or none): up to the next page that resets or sets the counter."""
    pages = [page._page_box for page in document.pages]
    if not pages or _resets(pages[0]) != folio:
        return 0
    return next((n for n, page in enumerate(pages) if n and _resets(page) is not None), len(pages))


def _resets(page: Any) -> int | None:
    style = page.style
    values = [number for name, number in (*style["counter_reset"], *style["counter_set"]) if name == "page"]
    return values[-1] if values else None


def refolio(document: Any, by: int, pages: int) -> None:
    """Make the margin boxes of the first `pages` pages again with their page counter `by` further on."""
    if by == 0 or pages == 0:
        return
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.background import layout_box_backgrounds
    from weasyprint.layout.page import make_margin_boxes

    page_boxes = [page._page_box for page in document.pages[:pages]]
    for page in page_boxes:
        context, state, number = getattr(page, MARGINS)
        shifted = copy.deepcopy(state)
        shifted[1]["page"][-1] += by
        context.current_page = number  # what string() and element() in the margins read
        made = list(make_margin_boxes(context, page, shifted))
        for box in made:
            layout_box_backgrounds(page, box, context.get_image_from_uri)
        page.children = (*(child for child in page.children if not isinstance(child, boxes.MarginBox)), *made)
    setattr(page_boxes[0], SHIFT, getattr(page_boxes[0], SHIFT, 0) + by)
