"""Numbered figures, tables, listings and equations, cross-references and math (octavo/scholarly), on one small
book built once through the real command line: the printed pages (captions, numbers, "on page N" equal to the
page the target is printed on), the EPUB (links resolve, MathML with the manifest property, no print pages in
the text, epubcheck), and numbering through the book."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from lxml import etree

from octavo.check import epubcheck
from octavo.cli import main
from octavo.config import load_config
from octavo.content.markdown import read_book

from .conftest import EPOCH, ROOT, png, write_book
from .pdftext import margin_texts, page_texts

BOOK = {
    "book.yaml": "title: Numbered Things\nauthors: [Ada Lovelace]\nlanguage: en\nchapters: [01-one.md, 02-two.md]\n"
                 "crossref:\n  list_of_figures: true\n  list_of_tables: true\n",
    "01-one.md": """# First Chapter {#sec:first}

A picture of a book is @fig:book and a table of counts is @tbl:counts. Both figures at once:
[@fig:book; @fig:second]. The number alone, [-@fig:book], and a prefix of its own, [Fig. @fig:book].
Inline math $e^{i\\pi} + 1 = 0$ sits in the text, and @eq:energy is displayed.

![An open book on a desk](images/book.png){#fig:book}

$$ E = mc^2 $$ {#eq:energy}

| Kind | Count |
|------|------:|
| Apples | 3 |
| Pears | 5 |

: Fruit counted in the garden {#tbl:counts}

![A second picture](images/book.png "The same book again"){#fig:second}

An unlabelled figure has a caption and no number:

![Only a caption](images/book.png)

## Code {#sec:code}

<figure class="listing" id="lst:hello"><figcaption>Hello in Python</figcaption>
<pre><code>print("hello")</code></pre></figure>

```python {#lst:fence caption="A fenced listing"}
x = 1
```

See @lst:hello and @lst:fence; the next chapter is @sec:second.
""",
    "02-two.md": """# Second Chapter {#sec:second}

Back to @fig:book, to @eq:energy, to @sec:code and to @tbl:counts. The sum
$$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$$ {#eq:sum}
has its number, and the text goes on after it.

Table: Weights {#tbl:weights}

| Item | Weight |
|------|-------:|
| Box | 2 kg |

See @tbl:weights and @eq:sum.[^n]

[^n]: A note refers to @fig:second, with $x^2$.
""",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book, built with --strict through the command line: the output folder."""
    root = tmp_path_factory.mktemp("scholarly")
    write_book(root / "book", {**BOOK, "images/book.png": png((400, 200))})
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        assert main(["build", "--content", str(root / "book"), "--out", str(root / "dist"), "--strict", "-q"]) == 0
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    return root / "dist"


@pytest.fixture(scope="module")
def printed(built: Path) -> tuple[list[str], list[str]]:
    """The print PDF: the text of each page, and each page's folio."""
    path = built / "numbered-things-print.pdf"
    folios = [foot for _, foot in margin_texts(path)]
    for index in range(len(folios) - 2, -1, -1):  # an opening page prints no folio: the next page's less one
        if not folios[index] and folios[index + 1].isdigit() and int(folios[index + 1]) > 1:
            folios[index] = str(int(folios[index + 1]) - 1)
    for index in range(1, len(folios)):  # ... or the page before's and one, for the last page
        if not folios[index] and folios[index - 1].isdigit():
            folios[index] = str(int(folios[index - 1]) + 1)
    return page_texts(path), folios


def test_captions_and_numbers_are_printed(printed: tuple[list[str], list[str]]) -> None:
    text = " ".join(printed[0])
    for caption in ("Figure 1.1: An open book on a desk", "Figure 1.2: The same book again",
                    "Table 1.1: Fruit counted in the garden", "Table 2.1: Weights", "Listing 1.1: Hello in Python",
                    "Listing 1.2: A fenced listing", "(1.1)", "(2.1)"):
        assert caption in text
    assert "Only a caption" in text and "Figure 1.3" not in text  # an unlabelled figure has no number
    assert "@fig" not in text and "{#" not in text and "$" not in text
    assert re.search(r"Both figures at once: Figures 1\.1 on page \d+ and 1\.2 on page \d+\.", text)
    assert re.search(r"The number alone, 1\.1 on page \d+, and a prefix of its own, Fig\. 1\.1 on page \d+\.", text)


#: A reference as printed -> the words on the page its target is on.
TARGETS = {
    "Figure 1.1": "Figure 1.1: An open book on a desk", "Table 1.1": "Table 1.1: Fruit counted",
    "Listing 1.2": "Listing 1.2: A fenced listing", "Equation (2.1)": "has its number", "“Code”": "Code Listing 1.1",
    "Chapter 2": "Second Chapter Back to",
}


@pytest.mark.parametrize("reference", list(TARGETS))
def test_a_reference_prints_the_page_its_target_is_on(reference: str,
                                                       printed: tuple[list[str], list[str]]) -> None:
    texts, folios = printed
    said = {int(n) for n in re.findall(re.escape(reference) + r" on page (\d+)", " ".join(texts))}
    where = [folios[index] for index, text in enumerate(texts) if TARGETS[reference] in text]
    assert said and len(where) == 1 and said == {int(where[0])}, (said, where)


def test_the_lists_of_figures_and_tables_give_the_pages(printed: tuple[list[str], list[str]]) -> None:
    texts, folios = printed
    figures = next(text for text in texts if text.startswith("LIST OF FIGURES"))
    tables = next(text for text in texts if text.startswith("LIST OF TABLES"))
    page_of = {caption: folios[i] for i, t in enumerate(texts) for caption in ("Figure 1.2:", "Table 2.1:")
               if caption in t}
    assert re.search(r"1\.1 An open book on a desk[ .]+\d+ 1\.2 The same book again[ .]+" + page_of["Figure 1.2:"],
                     figures)
    assert re.search(r"1\.1 Fruit counted in the garden[ .]+\d+ 2\.1 Weights[ .]+" + page_of["Table 2.1:"], tables)
    assert folios[texts.index(figures)] == "vii"  # in the front matter, after the contents


def test_formulas_are_vectors_not_bitmaps_or_fonts(built: Path) -> None:
    """Three PNG figures are the only images; no math font is embedded (ziamath draws outlines)."""
    for name in ("numbered-things-print.pdf", "numbered-things.pdf"):
        pdf = pdfium.PdfDocument(built / name)
        images = sum(1 for page in pdf for obj in page.get_objects(max_depth=8)
                     if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE)
        assert images == 3, name
        if shutil.which("pdffonts"):
            fonts = subprocess.run(["pdffonts", str(built / name)], capture_output=True, text=True, check=True)
            assert "STIX" not in fonts.stdout and "Vollkorn" in fonts.stdout


def test_formulas_are_tagged_figures_with_their_tex_as_alt_text_in_the_screen_pdf(built: Path) -> None:
    import pikepdf

    alts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Dictionary):
            if "/Alt" in node and str(node.get("/S")) == "/Figure":
                alts.append(str(node["/Alt"]))
            if "/K" in node:
                walk(node["/K"])
        elif isinstance(node, pikepdf.Array):
            for child in node:
                walk(child)

    with pikepdf.open(built / "numbered-things.pdf") as pdf:
        walk(pdf.Root.StructTreeRoot)
    assert {"e^{i\\pi} + 1 = 0", "E = mc^2", "\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}", "x^2"} <= set(alts)


def _epub(built: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(built / "numbered-things.epub") as epub:
        return {name: epub.read(name) for name in epub.namelist()}


MATHML = "{http://www.w3.org/1998/Math/MathML}math"


def test_the_epub_has_mathml_with_alt_text_and_the_manifest_property(built: Path) -> None:
    files = _epub(built)
    opf = etree.fromstring(next(data for name, data in files.items() if name.endswith(".opf")))
    items = {item.get("href"): (item.get("properties") or "").split() for item in opf.iter("{*}item")}
    for name, data in files.items():
        if name.endswith(".xhtml"):
            maths = list(etree.fromstring(data).iter(MATHML))
            href = name.removeprefix("EPUB/")
            assert ("mathml" in items[href]) == bool(maths), name
    first = etree.fromstring(files["EPUB/text/first-chapter.xhtml"])
    assert [m.get("alttext") for m in first.iter(MATHML)] == ["e^{i\\pi} + 1 = 0", "E = mc^2"]
    assert next(m for m in first.iter(MATHML)).get("display") == "inline"


def test_epub_references_are_links_that_resolve_and_print_no_page(built: Path) -> None:
    files = _epub(built)
    ids = {name.removeprefix("EPUB/text/"): set(etree.fromstring(data).xpath("//@id"))
           for name, data in files.items() if name.startswith("EPUB/text/")}
    second = etree.fromstring(files["EPUB/text/second-chapter.xhtml"])
    refs = [a for a in second.iter("{*}a") if "crossref" in (a.get("class") or "")]
    assert [a.text for a in refs] == ["Figure\u00a01.1", "Equation\u00a0(1.1)", "“Code”", "Table\u00a01.1",
                                      "Table\u00a02.1", "Equation\u00a0(2.1)", "Figure\u00a01.2"]
    for link in refs:
        file, _, anchor = str(link.get("href")).rpartition("#")
        assert anchor in ids[file or "second-chapter.xhtml"], link.get("href")
    lists = etree.fromstring(files["EPUB/text/lists.xhtml"])
    assert [a.get("href") for a in lists.iter("{*}a")] == ["first-chapter.xhtml#fig:book",
                                                            "first-chapter.xhtml#fig:second",
                                                            "first-chapter.xhtml#tbl:counts",
                                                            "second-chapter.xhtml#tbl:weights"]
    text = " ".join(" ".join(etree.fromstring(d).itertext()) for n, d in files.items() if n.endswith(".xhtml"))
    assert "on page" not in text and "on page" not in b"".join(files.values()).decode("utf-8", "replace")


@pytest.mark.slow
def test_the_epub_passes_epubcheck(built: Path) -> None:
    assert epubcheck(built / "numbered-things.epub") == []


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("node") and shutil.which("npm")), reason="DAISY Ace needs node and npm")
def test_the_epub_passes_ace(built: Path) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "run_ace.py"), str(built / "numbered-things.epub")],
                            capture_output=True, text=True, check=False, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr


def test_numbering_through_the_book(tmp_path: Path) -> None:
    root = write_book(tmp_path, {**BOOK, "images/book.png": png()})
    (root / "book.yaml").write_text(BOOK["book.yaml"] + "  numbering: book\n  pages: false\n", encoding="utf-8")
    book = read_book(load_config(root), root)
    assert [(n.id, n.number) for n in book.numbered if n.kind == "tbl"] == [("tbl:counts", "1"), ("tbl:weights", "2")]
    assert '<a href="#tbl:weights" class="crossref">Table\u00a02</a>' in book.chapters[1].html
    assert "data-on-page" not in book.chapters[1].html


def test_labels_after_a_formula_as_manuscripts_write_them(tmp_path: Path) -> None:
    """pandoc-crossref reads `{#eq:id}` straight after `$$`, on the line under it, and under a `$$` block."""
    chapter = ("# One\n\n$$a = 1$${#eq:a}\n\n$$b = 2,$$\n{#eq:b}\n\n$$\nc = 3\n$$\n{#eq:c}\n\n"
               "See [@eq:a; @eq:b; @eq:c].\n\n![**A bold lead-in.** And a long caption that goes on and on, far "
               "past what a list of figures should print for it, with @eq:a in it.](images/book.png){#fig:x}\n")
    root = write_book(tmp_path, {"book.yaml": "title: T\nauthors: [A]\nlanguage: en\n", "01-one.md": chapter,
                                 "images/book.png": png()})
    book = read_book(load_config(root), root)
    html = book.chapters[0].html
    for key, number in (("eq:a", "1.1"), ("eq:b", "1.2"), ("eq:c", "1.3")):
        assert re.search(f'<span class="equation" id="{key}">.*?<span class="equation-number">\\({number}\\)</span>',
                         html)
    assert "{#" not in html and "@eq" not in html
    assert ('See <a href="#eq:a" class="crossref">Equations\u00a0(1.1)</a>\u2013<a href="#eq:c" class="crossref">'
            '(1.3)</a>.') in html  # a run of three: its first and last
    assert [n.caption_html for n in book.numbered if n.kind == "fig"] == ["A bold lead-in"]


def test_quartos_labels_and_references_are_read_as_pandoc_crossrefs_are(tmp_path: Path) -> None:
    """Quarto writes `{#fig-map}` and `@fig-map` (a dash, not pandoc-crossref's colon): a Quarto manuscript builds
    without edits. Before, `@fig-map` was taken for a citation ("not in the bibliography")."""
    chapter = ("# Methods {#sec-methods}\n\nSee @fig-map, @tbl-counts and @eq-energy, and [@fig-map; @fig:other].\n\n"
               "![A map](images/book.png){#fig-map}\n\n![Another](images/book.png){#fig:other}\n\n"
               "| a | b |\n|---|---|\n| 1 | 2 |\n\n: Counts {#tbl-counts}\n\n$$E = mc^2$$ {#eq-energy}\n\n"
               "# Results\n\nAs @sec-methods shows.\n")
    root = write_book(tmp_path, {"book.yaml": "title: T\nauthors: [A]\nlanguage: en\n", "01-one.md": chapter,
                                 "images/book.png": png()})
    book = read_book(load_config(root), root)
    html = book.chapters[0].html
    for key, text in (("fig-map", "Figure\u00a01.1"), ("tbl-counts", "Table\u00a01.1"),
                      ("eq-energy", "Equation\u00a0(1.1)"), ("sec-methods", "Chapter\u00a01")):
        assert re.search(f'<a href="#{key}" class="crossref[^"]*"[^>]*>{re.escape(text)}</a>', html), key
    assert "Figures\u00a0" in html and "@fig" not in html and "{#" not in html
    assert [(n.id, n.number) for n in book.numbered] == [("fig-map", "1.1"), ("fig:other", "1.2"),
                                                         ("tbl-counts", "1.1"), ("eq-energy", "1.1")]
