"""Stylesheets parsed once for many layouts of one book in a process (pdf/sheets.py): the same bytes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.model import Edition
from octavo.pdf import sheets
from octavo.pdf.editions import write_edition
from octavo.pdf.layout import lay_out
from octavo.pipeline import source_date_epoch
from octavo.render import make_environment, render_print_html
from octavo.resources import TEMPLATES, Resources

from .conftest import FIXTURE_BOOK


def test_layouts_sharing_their_stylesheets_write_the_bytes_of_their_own(tmp_path: Path) -> None:
    book = read_book(load_config(FIXTURE_BOOK), FIXTURE_BOOK)
    when = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    html = render_print_html(book, make_environment(TEMPLATES), "screen", when, "test")
    styles = Resources.search()
    written = []
    with source_date_epoch(when):
        for n, keep in enumerate((False, True, True, True)):
            write_edition(lay_out(html, book, Edition.PRINT, styles, keep=keep), book, Edition.PRINT,
                          tmp_path / f"{n}.pdf")  # the print edition: its output intent holds the CMYK profile
            written.append((tmp_path / f"{n}.pdf").read_bytes())
    assert len(sheets._KEPT) == 1
    assert written[1:] == written[:1] * 3
