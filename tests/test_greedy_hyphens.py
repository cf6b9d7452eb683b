"""WeasyPrint's own breaks (paragraphs: greedy) hyphenate as even paragraphs do: the book's language chooses the
patterns (a bare `en` is American) and book.yaml `hyphenation: exceptions` apply (pdf/internals.book_hyphenation)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pypdfium2 as pdfium
import pytest

from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.pdf.layout import lay_out
from octavo.render import make_environment, render_print_html
from octavo.resources import TEMPLATES, Resources

from .conftest import write_book

#: Narrow paragraphs, each word wider than its measure: the line ends where the patterns let it break last.
CHAPTER = """# Words

<p style="width: 4.6em; text-align: left">sensitivities</p>

<p style="width: 4.6em; text-align: left">internationalisation</p>

<p style="width: 7.4em; text-align: left">reconstruction</p>

<p style="width: 4.6em; text-align: left"><code>sensitivities</code></p>
"""


@pytest.fixture(scope="module")
def lines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The last page's lines of the book laid out in each language (and in `en` with exceptions)."""
    root = write_book(tmp_path_factory.mktemp("greedy") / "book", {
        "book.yaml": "title: Words\nauthors: [A. Author]\nlanguage: en\nprint:\n  trim: 4in 6in\n",
        "01.md": CHAPTER})
    book = read_book(load_config(root), root)
    assert book.meta.paragraphs == "greedy"
    found = {}
    for name, language, exceptions in (("en", "en", ()), ("en-US", "en-US", ()), ("en-GB", "en-GB", ()),
                                       ("exceptions", "en", ("internationalisation", "recon-struction"))):
        meta = dataclasses.replace(book.meta, language=language, hyphenation_exceptions=exceptions)
        variant = dataclasses.replace(book, meta=meta)
        html = render_print_html(variant, make_environment(TEMPLATES), "screen", dt.datetime(2026, 1, 1), "test")
        target = root.parent / f"{name}.pdf"
        lay_out(html, variant, "print", Resources.search()).write_pdf(target)
        pdf = pdfium.PdfDocument(target)
        try:
            found[name] = pdf[len(pdf) - 1].get_textpage().get_text_range().splitlines()
        finally:
            pdf.close()
    return found


def test_the_language_chooses_the_patterns(lines: dict[str, list[str]]) -> None:
    """sen-si-tiv-i-ties in American English, sens-it-iv-it-ies in British; a bare `en` is American."""
    assert lines["en-US"][2:7] == ["sensitivi\u2010", "ties", "inter\u2010", "nationali\u2010", "sation"]
    assert lines["en-GB"][2:7] == ["sensitivit\u2010", "ies", "inter\u2010", "national\u2010", "isation"]
    assert lines["en"] == lines["en-US"]


def test_the_books_exceptions(lines: dict[str, list[str]]) -> None:
    """A word written whole is never broken (it runs past its measure); one written with hyphens breaks only
    there, where the patterns would break 're-con-struc-tion' later."""
    assert lines["en"][7:9] == ["reconstruc\u2010", "tion"]
    assert lines["exceptions"][2:7] == ["sensitivi\u2010", "ties", "internationalisation", "recon\u2010", "struction"]


def test_code_is_not_hyphenated_and_the_text_has_no_soft_hyphen(lines: dict[str, list[str]]) -> None:
    assert lines["en"][-1] == "sensitivities"
    assert not any("\u00ad" in line for page in lines.values() for line in page)
