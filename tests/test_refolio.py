"""A part laid out on a recto with a guessed first folio, then moved to its real side and folio (pdf/refolio.py),
against the same part laid out there: the same text at the same places, the same margins, folios and running
heads, the same page labels (issue 18: the parts laid out ahead of the chain)."""

from __future__ import annotations

from typing import Any

import pytest

CSS = """
@page { size: 300px 400px; margin: 40px 30px 50px 60px; @bottom-center { content: counter(page); } }
@page :right { margin-left: 60px; margin-right: 30px; @top-center { content: string(chapter); } }
@page :left { margin-left: 30px; margin-right: 60px; @top-center { content: "The Book"; } }
h1 { string-set: chapter content(); break-before: page; }
p { margin: 0 0 8px; text-align: justify; line-height: 1.4; }
.box { background: #eee; }
"""
WORDS = "peace mission council member states diplomacy conflict resolution mandate ceasefire observers".split()


def _html(folio: int, side: str) -> str:
    paragraphs = "".join(f"<p{' class=box' if n % 5 == 0 else ''}>"
                         + " ".join(WORDS[(n + i) % len(WORDS)] for i in range(40)) + "</p>" for n in range(24))
    return (f"<html><head><style>{CSS} html {{ break-before: {side}; }} "
            f"@page :first {{ counter-reset: page {folio}; }}</style></head>"
            f"<body><h1 id=one>One</h1>{paragraphs}<h1 id=two>Two</h1>{paragraphs}</body></html>")


def _lay_out(folio: int, side: str) -> Any:
    from weasyprint import HTML

    from octavo.pdf.refolio import record_margins

    record_margins()
    return HTML(string=_html(folio, side)).render()


def _seen(document: Any) -> list[tuple[Any, ...]]:
    """Every text box of every page: its text, place, and whether it is in a margin box; then each page's size."""
    from weasyprint.formatting_structure import boxes

    out: list[tuple[Any, ...]] = []
    for page in document.pages:
        box = page._page_box
        out.append((box.page_type.side, box.margin_left, box.margin_right, page.width))
        for child in box.children:
            margin = isinstance(child, boxes.MarginBox)
            out += [(margin, text.text, round(text.position_x, 6), round(text.position_y, 6))
                    for text in child.descendants() if isinstance(text, boxes.TextBox)]
    return out


@pytest.mark.parametrize(("folio", "side", "move"), [(14, "recto", False), (8, "verso", True)])
def test_a_part_moved_to_its_side_and_folio_is_the_part_laid_out_there(folio: int, side: str, move: bool) -> None:
    from weasyprint.formatting_structure import boxes

    from octavo.pdf.pagemap import page_labels
    from octavo.pdf.refolio import counted, movable, refolio

    guessed, real = _lay_out(1, "recto"), _lay_out(folio, side)
    assert len(guessed.pages) == len(real.pages) > 4
    assert movable(guessed)
    assert _seen(guessed) != _seen(real)
    refolio(guessed, folio - 1, counted(guessed, 1), move)
    assert _seen(guessed) == _seen(real)
    labels = page_labels([page._page_box for page in guessed.pages], boxes)
    assert labels == page_labels([page._page_box for page in real.pages], boxes)
    assert labels[0] == str(folio)
    anchors = [page.anchors for page in guessed.pages]
    assert anchors == [page.anchors for page in real.pages] and any(anchors)  # the Page objects made anew


def test_a_part_whose_breaks_chose_a_side_does_not_move() -> None:
    from weasyprint import HTML

    from octavo.pdf.refolio import movable, record_margins

    record_margins()
    sided = _html(1, "recto").replace("break-before: page; }", "break-before: right; }")
    assert not movable(HTML(string=sided).render())
