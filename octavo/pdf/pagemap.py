"""Laid-out print edition (WeasyPrint Document) -> PageMap: where each printed page begins, and its folio."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from octavo.pages import INDEX_ANCHOR_PREFIX, Element, PageMap, Position, PrintPage, countable, index_elements, roman
from octavo.pdf.refolio import SHIFT

#: How many characters of each page's opening text to keep, to check where a marker lands.
SAMPLE = 40


def page_map(document: Any) -> PageMap:
    """The map of a laid-out WeasyPrint Document: labels from its page counters, starts from its boxes."""
    from weasyprint.formatting_structure import boxes

    pages = document.pages
    if not pages:
        return PageMap(())
    index: dict[Element, tuple[str | None, int]] = {}
    # One document's pages, or pages joined from two layouts (pdf/indexed.py: the index laid out alone).
    for html in dict.fromkeys(page._page_box.children[0].element for page in pages):
        index.update(index_elements(html))
    labels = page_labels([page._page_box for page in pages], boxes)
    seen: dict[Element, int] = {}
    repeated: set[Element] = set()
    out = []
    for number, (page, label) in enumerate(zip(pages, labels, strict=True), start=1):
        start = _page_start(page._page_box.children[0], index, seen, repeated, boxes)
        out.append(PrintPage(number, label, start))
    return PageMap(tuple(out), mark_pages(pages))


def mark_pages(pages: list[Any]) -> dict[str, int]:
    """The physical page (from 1) of each index mark's anchor, from WeasyPrint's pages' anchors."""
    return {name: number for number, page in enumerate(pages, start=1)
            for name in page.anchors if name.startswith(INDEX_ANCHOR_PREFIX)}


def _page_start(root: Any, index: Mapping[Element, tuple[str | None, int]], seen: dict[Element, int],
                repeated: set[Element], boxes: Any) -> Position | None:
    """Count this page's text into `seen`; return where its first shared text is."""
    first: tuple[Element, str, int, int] | None = None
    sample: list[str] = []
    groups: set[Element] = set()
    for block, box in _content_boxes(root, None, boxes, repeated, groups):
        text = box.text if isinstance(box, boxes.TextBox) else ""
        before = seen.get(block, 0)
        seen[block] = before + len(countable(text))
        anchor, ordinal = index.get(block, (None, 0))
        if first is None and anchor is not None:
            first = (block, anchor, ordinal, before)
        if first is not None and block is first[0] and len(" ".join(sample)) < SAMPLE:
            sample.append(text.strip())
    repeated |= groups
    if first is None:
        return None
    return Position(first[1], first[2], first[3], " ".join(s for s in sample if s)[:SAMPLE].strip())


def _content_boxes(box: Any, block: Element | None, boxes: Any, repeated: set[Element],
                   groups: set[Element]) -> Iterator[tuple[Element, Any]]:
    """(block element, box) for every text and image box of a page's flow, in order.

    Generated content (::before, ::marker, footnote calls, the mark of a wrapped code line) is not text of
    the book, and table
    header rows that WeasyPrint repeats on every page are counted only where they first appear.
    """
    tag = getattr(box, "element_tag", "") or ""
    if "::" in tag:
        return
    element: Any = getattr(box, "element", None)
    if tag == "span" and "code-continued" in (element.get("class") or "").split():
        return  # the mark of a wrapped code line (pdf/code.py) is not text of the book
    if isinstance(box, boxes.TableRowGroupBox) and tag in ("thead", "tfoot"):
        if element in repeated:
            return
        groups.add(element)
    if isinstance(box, boxes.TextBox) and block is not None:
        yield block, box
        return
    if isinstance(box, boxes.ReplacedBox) and (block is not None or element is not None):
        yield (block if block is not None else element), box
        return
    inner = element if isinstance(box, boxes.BlockContainerBox) else block
    for child in getattr(box, "children", ()):
        child = getattr(child, "_box", child)  # absolutely positioned boxes sit behind a placeholder
        yield from _content_boxes(child, inner, boxes, repeated, groups)


def page_labels(page_boxes: list[Any], boxes: Any) -> list[str]:
    """Each page's folio: its page counter, replayed from the page styles WeasyPrint laid out with,
    written in the numbering its run of pages prints (lower roman in the front matter, arabic after).

    A run starts wherever a page resets or sets the page counter; a run whose pages print no folio
    at all is numbered in arabic figures.
    """
    values: list[int] = []
    runs: list[int] = []
    value, run = 0, 0
    for page in page_boxes:
        style = page.style
        touched = False
        for name, number in (*style["counter_reset"], *style["counter_set"]):
            if name == "page":
                value, touched = number + getattr(page, SHIFT, 0), True  # refolio.py: margins made again
        run += touched
        value += sum(number for name, number in style["counter_increment"] if name == "page")
        values.append(value)
        runs.append(run)
    styles: dict[int, str] = {}
    for page, value, run in zip(page_boxes, values, runs, strict=True):
        printed = _margin_texts(page, boxes)
        if roman(value) in printed or roman(value).upper() in printed:
            styles.setdefault(run, "upper-roman" if roman(value).upper() in printed else "lower-roman")
        elif str(value) in printed:
            styles.setdefault(run, "decimal")
    return [_format(value, styles.get(run, "decimal")) for value, run in zip(values, runs, strict=True)]


def _margin_texts(page: Any, boxes: Any) -> set[str]:
    return {"".join(d.text for d in child.descendants() if isinstance(d, boxes.TextBox)).strip()
            for child in page.children if isinstance(child, boxes.MarginBox)}


def _format(value: int, style: str) -> str:
    if value < 1 or style == "decimal":
        return str(value)
    return roman(value).upper() if style == "upper-roman" else roman(value)
