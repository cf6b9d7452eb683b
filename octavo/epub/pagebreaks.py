"""PageMap + EPUB XHTML trees -> page-break markers where the print edition's pages begin."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from lxml import etree

from octavo.markup import local_name
from octavo.pages import PageMap, Position, countable, index_elements, is_skipped

log = logging.getLogger("octavo")

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
#: Elements laid out as blocks of their own: their text is not part of the enclosing block's.
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure", "footer",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "nav", "ol", "p", "pre", "section", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
#: Parents whose children cannot include a <span>: a marker for their child goes inside the child.
NO_PHRASING = frozenset({"ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr", "colgroup", "hgroup"})
#: A page that begins after one of these begins at a word boundary (the line broke there).
BREAK_AFTER = frozenset("-\u2010\u2011\u2013\u2014/")


@dataclass(frozen=True)
class PageBreak:
    """A page-break marker to put into the EPUB."""

    label: str
    """The print page's folio, shown by reading systems (aria-label)."""
    id: str
    """The marker's id, unique in the book: page-<label>."""
    file: str
    """The EPUB document that holds it (relative to the text folder)."""
    position: Position | None
    """Where the page's text begins; None for pages after the last text (they go at the end of `file`)."""

    @property
    def href(self) -> str:
        return f"{self.file}#{self.id}"


def plan_page_breaks(page_map: PageMap, anchors: Mapping[str, str], last_file: str) -> tuple[PageBreak, ...]:
    """One marker per print page, in page order. `anchors` maps every id in the EPUB to its document.

    A page with no text the EPUB has (a blank verso, the half-title) is still marked, at the place where
    the next page's text begins, so that the page list has every page and cites a real place.
    """
    taken = set(anchors)
    breaks: list[PageBreak] = []
    following: Position | None = None
    for page in reversed(page_map.pages):
        if page.start is not None and page.start.anchor in anchors:
            following = page.start
        marker_id = _unique(f"page-{page.label}", taken)
        file = anchors[following.anchor] if following is not None else last_file
        breaks.append(PageBreak(page.label, marker_id, file, following))
    return tuple(reversed(breaks))


def _unique(wanted: str, taken: set[str]) -> str:
    candidate, number = wanted, 1
    while candidate in taken:
        number += 1
        candidate = f"{wanted}-{number}"
    taken.add(candidate)
    return candidate


def insert_page_breaks(root: etree._Element, breaks: Sequence[PageBreak]) -> None:
    """Put each marker of this document in place; markers at one place keep their page order."""
    # The index is built from `root`, so every element in it is an lxml element.
    index = {where: cast(etree._Element, element) for element, where in index_elements(root).items()}
    groups: dict[Position | None, list[PageBreak]] = {}
    for page_break in breaks:
        groups.setdefault(page_break.position, []).append(page_break)
    for position, group in groups.items():
        spans = [marker(b) for b in group]
        block = index.get((position.anchor, position.block)) if position is not None else None
        if position is not None and block is None:  # markup only the print edition has: mark its anchor
            position = Position(position.anchor, 0, 0, "")
            block = index.get((position.anchor, 0))
        if position is None or block is None:
            body = root.find(f"{{{XHTML}}}body")
            (body if body is not None else root).extend(spans)
            continue
        # Markers cannot go inside the navigation list: a contents page is marked before it, whatever
        # its first words (they may be a chapter number set apart from its entry).
        in_nav = any(local_name(e.tag) == "nav" for e in (block, *block.iterancestors()))
        _place(block, 0 if in_nav else _checked_offset(block, position, group[0].label), spans)


def marker(page_break: PageBreak) -> etree._Element:
    """<span epub:type="pagebreak" role="doc-pagebreak" id="page-7" aria-label="7"/>."""
    span = etree.Element(f"{{{XHTML}}}span", nsmap={"epub": OPS})
    span.set(f"{{{OPS}}}type", "pagebreak")
    span.set("role", "doc-pagebreak")
    span.set("id", page_break.id)
    span.set("aria-label", page_break.label)
    return span


def _chars(block: etree._Element) -> list[tuple[etree._Element, str, int, str]]:
    """Every character of the block's own text: (owner, 'text' or 'tail', index, character)."""
    return [(owner, attr, i, ch) for owner, attr in _segments(block, top=True)
            for i, ch in enumerate(getattr(owner, attr) or "")]


def _segments(element: etree._Element, top: bool = False) -> Iterator[tuple[etree._Element, str]]:
    """Where the block's text lives, in document order: text of elements, tails of their children."""
    nested = not top and (local_name(element.tag) in BLOCK_TAGS or is_skipped(element))
    if not nested:
        yield element, "text"
        for child in element:
            yield from _segments(child)
    if not top:
        yield element, "tail"


def _checked_offset(block: etree._Element, position: Position, label: str) -> int:
    """The position's offset, or where its sample text is found in the block if the counts disagree."""
    text = "".join(ch for *_, ch in _chars(block))
    shared = countable(text).casefold()
    sample = countable(position.sample).casefold()
    if shared[position.offset:].startswith(sample[:20]):
        return position.offset
    found = shared.find(sample[:20])
    if found < 0:
        log.warning("page %s: its first words '%s' are not in the EPUB text; marked at the start of the block",
                    label, position.sample)
        return 0
    return found


def _place(block: etree._Element, offset: int, spans: list[etree._Element]) -> None:
    """Insert the spans before the offset-th countable character of the block, at a word boundary."""
    if offset == 0:
        _before_block(block, spans)
        return
    chars = _chars(block)
    counted = [i for i, (*_, ch) in enumerate(chars) if not ch.isspace() and ch not in "\u00ad\u2010"]
    at = counted[offset] if offset < len(counted) else len(chars)
    if 0 < at < len(chars) and not chars[at - 1][3].isspace() and chars[at - 1][3] not in BREAK_AFTER:
        while at < len(chars) and not chars[at][3].isspace():  # a word hyphenated across the pages:
            at += 1                                             # mark the page after it
        while at < len(chars) and chars[at][3].isspace():
            at += 1
    if at >= len(chars):
        block.extend(spans)
        return
    owner, attr, i, _ = chars[at]
    _split_insert(owner, attr, i, spans)


def _split_insert(owner: etree._Element, attr: str, i: int, spans: list[etree._Element]) -> None:
    text = getattr(owner, attr) or ""
    setattr(owner, attr, text[:i] or None)
    spans[-1].tail = text[i:] or None
    if attr == "text":
        for position, span in enumerate(spans):
            owner.insert(position, span)
    else:
        parent = owner.getparent()
        start = parent.index(owner) + 1
        for position, span in enumerate(spans):
            parent.insert(start + position, span)


def _before_block(block: etree._Element, spans: list[etree._Element]) -> None:
    """Before the block, outside any navigation list; inside it where its parent takes no <span>."""
    target = block
    for ancestor in block.iterancestors():
        if local_name(ancestor.tag) == "nav":
            target = ancestor
    parent = target.getparent()
    # A figure's caption that opens it must stay its first child: the marker goes inside the caption.
    opens_figure = local_name(target.tag) == "figcaption" and parent is not None and parent.index(target) == 0
    if parent is None or local_name(parent.tag) in NO_PHRASING or opens_figure:
        _split_insert(block, "text", 0, spans)
        return
    start = parent.index(target)
    for position, span in enumerate(spans):
        parent.insert(start + position, span)
