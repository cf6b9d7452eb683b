"""Laid-out pages (WeasyPrint Document) -> each page's rows: its lines, images and figures in order, with the
element, the chapter and the height they take, as the layout check reads them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

#: Elements whose lines are headings.
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
#: The characters a line ends with when a word is broken across it (WeasyPrint's hyphen, a hyphen, a soft one).
HYPHENS = ("\u2010", "-", "\u00ad")


@dataclass(frozen=True)
class Row:
    """One line of text, or one image, of a page's text block."""

    element: Any
    """The element of the block the line belongs to (an element of the print HTML)."""
    text: str
    """The line's text ('' for an image)."""
    top: float
    """Its top, in points from the page's top edge."""
    bottom: float
    """Its bottom."""
    right: float
    """Where its content ends on the right (points from the page's left edge)."""
    measure_right: float
    """Where its block's measure ends: content beyond it overflows."""
    heading: bool = False
    """A line of a heading (h1 to h6)."""
    footnote: bool = False
    """A line of the footnote area."""
    breakable: bool = True
    """Running text (white space collapses), whose lines may be judged as a paragraph's."""


@dataclass
class Page:
    """One laid-out page as the check reads it."""

    number: int
    """Its index in the PDF, from 1."""
    folio: str
    """The folio printed on it (or that its place would print: '' when none is counted)."""
    chapter: str | None
    """The id of the chapter whose text it holds, or None (front matter, blank pages, part titles)."""
    top: float
    """The top of the text block, in points from the page's top edge."""
    height: float
    """The height of the text block."""
    rows: list[Row] = field(default_factory=list)
    """Its lines and images in reading order, the footnote area's last."""
    elements: set[Any] = field(default_factory=set)
    """Every element with a box on this page (for figures and the links to them)."""

    @property
    def label(self) -> str:
        """'page 12 (PDF page 18)', or 'PDF page 3' where no folio is counted."""
        return f"page {self.folio} (PDF page {self.number})" if self.folio else f"PDF page {self.number}"

    @property
    def text_rows(self) -> list[Row]:
        """The rows of the running text, without the footnote area."""
        return [row for row in self.rows if not row.footnote]

    @property
    def filled(self) -> float:
        """The share of the text block that its text and notes fill, 0 to 1."""
        flow = [row.bottom for row in self.rows if not row.footnote]
        notes = [row for row in self.rows if row.footnote]
        used = (max(flow) - self.top) if flow else 0.0
        if notes:
            used += max(row.bottom for row in notes) - min(row.top for row in notes)
        return used / self.height if self.height > 0 else 1.0


def read_pages(document: Any, chapter_ids: set[str], first: int = 1) -> list[Page]:
    """Every page of `document` with its rows, numbered from `first`; `chapter_ids` are the ids of the chapters'
    <section>s."""
    from weasyprint.formatting_structure import boxes

    from octavo.pdf.pagemap import page_labels

    page_boxes = [page._page_box for page in document.pages]
    if not page_boxes:
        return []
    root = page_boxes[0].children[0].element
    parents = {child: parent for parent in root.iter() for child in parent}
    sections = _chapter_of(root, parents, chapter_ids)
    pages = []
    for number, (box, folio) in enumerate(zip(page_boxes, page_labels(page_boxes, boxes), strict=True), start=first):
        page = Page(number, folio, None, box.content_box_y(), box.height)
        for child in box.children:
            footnote = isinstance(child, boxes.FootnoteAreaBox)
            if not isinstance(child, boxes.MarginBox):
                _collect(child, page, boxes, footnote)
        page.chapter = next((sections[row.element] for row in page.rows if sections.get(row.element)), None)
        pages.append(page)
    return pages


def _chapter_of(root: Any, parents: dict[Any, Any], chapter_ids: set[str]) -> dict[Any, str | None]:
    """Each element -> the id of the chapter <section> it is in, or None."""
    found: dict[Any, str | None] = {}
    for element in root.iter():
        parent = parents.get(element)
        mine = element.get("id") if element.tag == "section" and element.get("id") in chapter_ids else None
        found[element] = mine or (found.get(parent) if parent is not None else None)
    return found


def _collect(box: Any, page: Page, boxes: Any, footnote: bool, block: Any = None) -> None:
    """Add `box`'s lines and images to the page, in order."""
    box = getattr(box, "_box", box)  # absolutely positioned boxes sit behind a placeholder
    element = getattr(box, "element", None)
    if element is not None and isinstance(getattr(element, "tag", None), str):
        if element.tag == "nav" or "contents" in (element.get("class") or "").split():
            return  # the contents: its leaders run into the margin on purpose, its entries end where titles do
        page.elements.add(element)
    if isinstance(box, boxes.LineBox):
        page.rows.append(_line_row(box, block, footnote, boxes))
        for inner in box.descendants():
            inner_element = getattr(inner, "element", None)
            if inner_element is not None:
                page.elements.add(inner_element)
        return
    if isinstance(box, boxes.ReplacedBox):
        top, bottom = box.position_y, box.position_y + box.margin_height()
        right = box.position_x + box.margin_width()
        edge = block.content_box_x() + block.width if block is not None else right
        page.rows.append(Row(element, "", top, bottom, right, edge, footnote=footnote, breakable=False))
        return
    inner_block = box if isinstance(box, boxes.BlockContainerBox) else block
    for child in getattr(box, "children", ()):
        _collect(child, page, boxes, footnote, inner_block)


def _line_row(line: Any, block: Any, footnote: bool, boxes: Any) -> Row:
    # without the word joiners an even paragraph writes after its spaces (pdf/paragraphs.py): they print nothing
    text = "".join(box.text for box in line.descendants() if isinstance(box, boxes.TextBox)).replace("\u2060", "")
    right = max((_right(box) for box in line.descendants() if box is not line), default=line.position_x)
    edge = block.content_box_x() + block.width
    tag = getattr(block, "element_tag", "") or ""
    breakable = block.style["white_space"] in ("normal", "pre-line") and tag not in ("td", "th") \
        and "::" not in tag
    return Row(block.element, text, line.position_y, line.position_y + line.margin_height(), right, edge,
               heading=tag in HEADINGS, footnote=footnote, breakable=breakable)


def _right(box: Any) -> float:
    """Where a box's ink ends on the right: a text box's trailing space (which justification leaves) is not ink."""
    width = float(box.margin_width())
    text = getattr(box, "text", None)
    if isinstance(text, str) and text.endswith(" ") and width > 0:
        from octavo.pdf.internals import text_advance

        width -= text_advance(" " * (len(text) - len(text.rstrip(" "))), box.style)
    return float(box.position_x) + width


def runs(pages: list[Page]) -> Iterator[tuple[Any, list[tuple[Page, Row]]]]:
    """Each running-text element with its lines across the pages, in order (not headings, not notes)."""
    lines: dict[Any, list[tuple[Page, Row]]] = {}
    for page in pages:
        for row in page.rows:
            if row.text and row.breakable and not row.heading and not row.footnote:
                lines.setdefault(row.element, []).append((page, row))
    yield from lines.items()
