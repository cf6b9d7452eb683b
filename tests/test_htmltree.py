"""pdf/htmltree.py: the tree WeasyPrint gets from even paragraphs' rewrite is the one its parser makes of the text."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import tinyhtml5

from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.pdf import htmltree
from octavo.pdf.layout import lay_out
from octavo.pdf.paragraphs import parse, serialise
from octavo.render import make_environment, render_print_html
from octavo.resources import TEMPLATES, Resources

from .conftest import CONTENT, FIXTURE_BOOK

TRICKY = ("<!DOCTYPE html>\n<html lang='en'>\n<head><meta charset='utf-8'><title>T</title>\n<style>p{}</style></head>\n"
          "<body class='x'>\n<p>A&nbsp;b\u2060 c &amp; d<br>e<img src='i.png' alt=''> <em>f</em>g</p>\n"
          "<table><tbody><tr><td>1</td></tr></tbody></table>\n<p class='even'><span class='line ls-3'>h</span> i</p>"
          "\n</body>\n</html>\n")


def shape(element: ET.Element) -> list[tuple[Any, ...]]:
    """Every element in document order: its tag, attributes, text and tail."""
    return [(e.tag, dict(e.attrib), e.text or "", e.tail or "") for e in element.iter()]


def print_html(content: Path) -> str:
    book = read_book(load_config(content), content)
    return render_print_html(book, make_environment(TEMPLATES), "print", dt.datetime(2026, 1, 1), "test")


@pytest.mark.parametrize("html", [print_html(CONTENT), print_html(FIXTURE_BOOK), TRICKY],
                         ids=["seed", "fixture", "tricky"])
def test_the_tree_is_the_one_the_parser_makes_of_the_text(html: str) -> None:
    root = parse(html)
    made = htmltree.element_tree(root)
    assert made is not None
    assert shape(made) == shape(tinyhtml5.parse(serialise(root), namespace_html_elements=False))


@pytest.mark.parametrize("inside", ["<svg width='1' height='1'><rect width='1' height='1'/></svg>",
                                    "<math><mi>x</mi></math>", "<!-- a note to self -->", "<template>t</template>"])
def test_what_the_parser_makes_otherwise_goes_as_text(inside: str) -> None:
    assert htmltree.element_tree(parse(f"<html><body><p>a {inside} b</p></body></html>")) is None


def test_a_base_element_goes_as_text() -> None:
    root = parse("<html><head><base href='sub/'></head><body><p>a</p></body></html>")
    assert htmltree.document_of(root, "https://example.org/", None) is None


@pytest.mark.slow  # two layouts of the first publication
def test_the_seed_laid_out_from_its_tree_is_the_seed_laid_out_from_its_text(monkeypatch: pytest.MonkeyPatch) -> None:
    book = read_book(load_config(CONTENT), CONTENT)
    html = print_html(CONTENT)

    def texts() -> list[tuple[float, float, str]]:
        document = lay_out(html, book, "print", Resources.search())
        return [(round(box.position_x, 3), round(box.position_y, 3), box.text) for page in document.pages
                for box in page._page_box.descendants() if type(box).__name__ == "TextBox"]

    from_tree = texts()
    monkeypatch.setattr(htmltree, "element_tree", lambda root: None)  # every tree goes as text, as before
    assert from_tree == texts()
