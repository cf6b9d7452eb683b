"""A part laid out with a guessed first folio and side (WeasyPrint Document) -> the same pages with the real ones:
the pages moved to the other side when the guess was wrong (their margins swapped, their content moved across,
the width the same), the margin boxes made again with the page counter shifted (the body never prints it there:
parts.page_refs), and the shift kept on the first page for pagemap.page_labels.

WeasyPrint makes each page's margin boxes last, from the page's counter state (layout/__init__.py,
`make_margin_boxes(context, page, state)`); `record_margins` keeps that call's context and state on the page box,
so the boxes can be made again once the part's place is known, without laying the part out again."""

from __future__ import annotations

import copy
from typing import Any

#: The page box attribute that keeps (layout context, counter state, page number) of its margin boxes.
MARGINS = "_octavo_margins"
#: The first page box's attribute: how far its page counter was shifted after its layout (pagemap.page_labels).
SHIFT = "_octavo_folio_shift"
#: The layout context's attribute that keeps the HTML it lays out (the page styles of the other side need it).
HTML = "_octavo_html"
#: Breaks that choose the side of the page after them (WeasyPrint's page_maker).
SIDED = frozenset({"left", "right", "recto", "verso"})
#: The page box attribute set when its margin boxes were left to `refolio` (`record_margins(defer=True)`).
DEFERRED = "_octavo_margins_deferred"
#: Whether the layouts of this process leave their margin boxes to `refolio` (record_margins).
_DEFER = [False]


def record_margins(defer: bool = False) -> None:
    """Have WeasyPrint keep, on each page box, what its margin boxes were made from (installed once per process);
    with `defer`, the layouts that follow make none: `refolio` makes them once the part's folio and side are known
    (a part laid out ahead would make them twice; a tenth of its layout). The page map of a page without margin
    boxes reads no printed folio, so its labels are in figures (pagemap.page_labels), as a body's are."""
    from weasyprint import document, layout

    from octavo.pdf.internals import check_engines

    check_engines()
    _DEFER[0] = defer
    if getattr(layout.make_margin_boxes, "_octavo_recording", False):
        return
    margins, pages = layout.make_margin_boxes, document.layout_document

    def make_margin_boxes(context: Any, page: Any, state: Any) -> Any:
        setattr(page, MARGINS, (context, state, context.current_page))
        if _DEFER[0]:
            setattr(page, DEFERRED, True)
            return ()
        return margins(context, page, state)

    def layout_document(html: Any, root_box: Any, context: Any, *args: Any) -> Any:
        setattr(context, HTML, html)
        return pages(html, root_box, context, *args)

    make_margin_boxes._octavo_recording = True  # type: ignore[attr-defined]
    layout.make_margin_boxes, document.layout_document = make_margin_boxes, layout_document


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


def movable(document: Any) -> bool:
    """Whether the part's pages can move to the other side: none blank, none after a break that chose its side,
    and the other side's pages as wide and high."""
    pages = [page._page_box for page in document.pages]
    for n, page in enumerate(pages):
        context = getattr(page, MARGINS)[0]
        if page.page_type.blank or (n and context.page_maker[n][1]["break"] in SIDED):
            return False
        probe = _other_side(copy.copy(page), context)
        if (probe.width, probe.height, probe.margin_width()) != (page.width, page.height, page.margin_width()):
            return False
    return True


def _other_side(page: Any, context: Any) -> Any:
    """`page` given the page type and geometry of the other side."""
    from weasyprint.layout.page import (
        _standardize_page_based_counters,
        page_height,
        page_width,
        set_page_type_computed_styles,
    )
    from weasyprint.layout.percent import resolve_percentages

    page_type = page.page_type._replace(side="left" if page.page_type.side == "right" else "right")
    set_page_type_computed_styles(page_type, getattr(context, HTML), context.style_for)
    style = context.style_for(page_type)
    style["overflow"] = page.style["overflow"]  # as make_page does: propagated from the root
    _standardize_page_based_counters(style, None)  # as make_page does: the page counter counts
    page.page_type, page.style = page_type, style
    size = style["size"]
    resolve_percentages(page, size)
    page.position_x = page.position_y = 0
    page_width(page, context, size[0])
    page_height(page, context, size[1])
    return page


def refolio(document: Any, by: int, pages: int, move: bool = False) -> None:
    """The first `pages` pages with their page counter `by` further on, and every page on the other side when
    `move` (then `movable` must have said yes): their margin boxes made again (or made, when deferred)."""
    deferred = bool(document.pages) and getattr(document.pages[0]._page_box, DEFERRED, False)
    if (by == 0 or pages == 0) and not move and not deferred:
        return
    from weasyprint.document import Page
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.background import layout_backgrounds, layout_box_backgrounds

    page_boxes = [page._page_box for page in document.pages]
    for n, page in enumerate(page_boxes):
        if n >= pages and not move and not deferred:
            break
        context, state, number = getattr(page, MARGINS)
        if move:
            before = page.content_box_x()
            _other_side(page, context)
            for child in page.children:
                if not isinstance(child, boxes.MarginBox):
                    child.translate(page.content_box_x() - before, 0)
        shifted = copy.deepcopy(state)
        if n < pages:
            shifted[1]["page"][-1] += by
        context.current_page = number  # what string() and element() in the margins read
        made = list(_make_margin_boxes(context, page, shifted))
        page.children = (*(child for child in page.children if not isinstance(child, boxes.MarginBox)), *made)
        if move:
            layout_backgrounds(page, context.get_image_from_uri)
            document.pages[n] = Page(page)
        else:
            for box in made:
                layout_box_backgrounds(page, box, context.get_image_from_uri)
    if pages:
        setattr(page_boxes[0], SHIFT, getattr(page_boxes[0], SHIFT, 0) + by)


def _make_margin_boxes(context: Any, page: Any, state: Any) -> Any:
    from weasyprint.layout.page import make_margin_boxes

    return make_margin_boxes(context, page, state)
