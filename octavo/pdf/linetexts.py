"""Laid-out pages (WeasyPrint boxes) -> the lines of their running text, each with its block, the text the book
wrote in it and the text the stylesheet generated (note calls, a cross-reference's page); which pages are rectos."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def is_recto(page_box: Any) -> bool:
    """A right-hand page in a book read from left to right, a left-hand one in a right-to-left book (the side
    WeasyPrint gave the page: a part of the book laid out alone may begin on a verso)."""
    rtl = bool(page_box.children) and page_box.children[0].style["direction"] == "rtl"
    return bool(page_box.page_type.side == ("left" if rtl else "right"))


def flow_lines(box: Any, boxes: Any) -> Iterator[tuple[Any, Any]]:
    """(block, line box) of the page's running text in order: not its margin boxes, not its footnote area."""
    for child in getattr(box, "children", ()):
        if isinstance(child, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            continue
        if isinstance(child, boxes.LineBox):
            yield box, child
        else:
            yield from flow_lines(child, boxes)


def own_text(line: Any, boxes: Any) -> str:
    """A line's own text, without what the stylesheet generates (a note call, a cross-reference's page)."""
    return "".join(_own_texts(line, boxes))


def generated(box: Any, boxes: Any, kind: str = "::", inside: bool = False) -> Iterator[str]:
    """The texts the stylesheet generates in a line (`kind`: of these pseudo-elements only), in order."""
    for child in getattr(box, "children", ()):
        mine = inside or kind in (getattr(child, "element_tag", "") or "")
        if isinstance(child, boxes.TextBox) and mine:
            yield child.text
        else:
            yield from generated(child, boxes, kind, mine)


def _own_texts(box: Any, boxes: Any) -> Iterator[str]:
    for child in getattr(box, "children", ()):
        if "::" in (getattr(child, "element_tag", "") or ""):
            continue
        if isinstance(child, boxes.TextBox):
            yield child.text
        else:
            yield from _own_texts(child, boxes)
