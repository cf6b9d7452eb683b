"""The print edition written from the screen edition's drawing (pdf/drawonce.py): the bytes WeasyPrint writes
when it draws the print edition itself."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.model import Book, Edition
from octavo.pdf.drawonce import recorded, replayed, untagged
from octavo.pdf.editions import write_edition
from octavo.pdf.layout import lay_out
from octavo.pipeline import source_date_epoch
from octavo.render import make_environment, render_print_html
from octavo.resources import TEMPLATES, Resources

from .conftest import FIXTURE_BOOK

WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def _book(tmp_path: Path, image: bool) -> tuple[Book, str]:
    """The fixture book (notes, a table, a callout, links across chapters) with code in colour, with or without
    its picture; and its print HTML."""
    content = shutil.copytree(FIXTURE_BOOK, tmp_path / "book")
    second = content / "03-second.md"
    second.write_text(second.read_text(encoding="utf-8") + '\n```python\ndef f(x):\n    return "x"  # no\n```\n',
                      encoding="utf-8")
    if not image:
        first = content / "02-first.md"
        first.write_text(first.read_text(encoding="utf-8").replace(
            "![A bar chart rising from left to right](images/chart.png)", ""), encoding="utf-8")
    book = read_book(load_config(content), content)
    return book, render_print_html(book, make_environment(TEMPLATES), "screen", WHEN, "test")


def _laid(book: Book, html: str) -> Any:
    return lay_out(html, book, Edition.PRINT, Resources.search())


def test_the_print_edition_written_from_the_screen_drawing_is_the_one_drawn_for_it(tmp_path: Path) -> None:
    book, html = _book(tmp_path, image=False)
    with source_date_epoch(WHEN):
        write_edition(_laid(book, html), book, Edition.PRINT, tmp_path / "drawn.pdf")  # a layout of its own each
        document = _laid(book, html)
        with recorded() as recording:
            write_edition(document, book, Edition.SCREEN, tmp_path / "screen.pdf")
        assert recording.serves(document)
        with replayed(recording):
            write_edition(document, book, Edition.PRINT, tmp_path / "replayed.pdf")
        write_edition(_laid(book, html), book, Edition.SCREEN, tmp_path / "screen-alone.pdf")
    assert (tmp_path / "replayed.pdf").read_bytes() == (tmp_path / "drawn.pdf").read_bytes()
    assert (tmp_path / "screen.pdf").read_bytes() == (tmp_path / "screen-alone.pdf").read_bytes()


def test_a_page_with_a_picture_is_drawn_again(tmp_path: Path) -> None:
    book, html = _book(tmp_path, image=True)
    with source_date_epoch(WHEN):
        document = _laid(book, html)
        with recorded() as recording:
            write_edition(document, book, Edition.SCREEN, tmp_path / "screen.pdf")
    assert not recording.serves(document)
    assert sum(not tape.plain for tape in recording.tapes.values()) == 1


@pytest.mark.parametrize(("tagged", "plain"), [
    # Marked content goes, with its property list.
    ([b"q", "/P", {"MCID": 0}, b"BDC", b"BT", b"/F1 9 Tf", b"ET", b"EMC", b"Q"],
     [b"q", b"BT", b"/F1 9 Tf", b"ET", b"Q"]),
    # A state saved and restored around nothing but an artifact is not written.
    ([b"q", b"1 0 0 1 0 0 cm", b"q", "/Artifact", b"BMC", b"EMC", b"Q", b"Q"], [b"q", b"1 0 0 1 0 0 cm", b"Q"]),
    # Two text objects kept apart by a tag are one, and the font they share is set once.
    ([b"BT", b"/F1 9 Tf", b"(a) Tj", b"ET", b"EMC", "/Span", {"MCID": 1}, b"BDC", b"BT", b"/F1 9 Tf", b"(b) Tj",
      b"/F2 9 Tf", b"ET"],
     [b"BT", b"/F1 9 Tf", b"(a) Tj", b"(b) Tj", b"/F2 9 Tf", b"ET"]),
    # After a restored state the font is set again.
    ([b"q", b"BT", b"/F1 9 Tf", b"ET", b"Q", "/Artifact", b"BMC", b"BT", b"/F1 9 Tf", b"ET", b"EMC"],
     [b"q", b"BT", b"/F1 9 Tf", b"ET", b"Q", b"BT", b"/F1 9 Tf", b"ET"]),
])
def test_untagged_operators_are_those_weasyprint_appends_untagged(tagged: list[Any], plain: list[Any]) -> None:
    assert untagged(tagged) == plain
