"""The whole scholarly apparatus in one book (issue 14's done-when): citations and a bibliography, a figure, a
table and a listing with captions and labels, an equation, cross-references with their pages, lists of figures
and tables, and index terms, built once through the real command line with --strict. The pages are read as a
reader reads them; the EPUB goes through epubcheck and DAISY Ace (slow)."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from octavo.check import epubcheck

from .conftest import ROOT, png, write_book
from .pdftext import margin_texts, page_texts
from .test_ace import _missing as ace_missing
from .test_ace import run_ace

FILLER = ("The argument goes on for a while in plain words, so that the chapter fills its pages and the "
          "references, the index and the figures spread over several leaves. ") * 5

ONE = f"""# Methods {{#sec:methods}}

Typographers have long argued about the page [@bringhurst2004, 12; see also @knuth1984]. As
@tschichold1991 put it, the form follows the reading. The [kerning]{{.index}} of a line matters, and
@fig:press shows a press; the counts are in @tbl:counts and the program in @lst:hello.

![A hand press in a workshop](press.png){{#fig:press}}

{FILLER}

| Press | Sheets |
|-------|-------:|
| Hand  | 250 |
| Steam | 2500 |

: Sheets printed in an hour {{#tbl:counts}}

```python {{#lst:hello caption="Hello in Python"}}
print("hello")
```

{FILLER}

The energy of a sheet is given by @eq:energy, and [leading]{{index="type!leading"}} is set by eye.

$$ E = m c^2 $$ {{#eq:energy}}
"""

TWO = f"""# Results

As shown in @sec:methods and [@fig:press; @tbl:counts], the [kerning]{{.index}} held, and
[leading]{{index="type!leading"}} too [-@knuth1984].

{FILLER}
"""

BIB = """@book{knuth1984, author = {Knuth, Donald E.}, title = {The {TeXbook}}, publisher = {Addison-Wesley},
  address = {Reading, MA}, year = {1984}}
@book{bringhurst2004, author = {Bringhurst, Robert}, title = {The Elements of Typographic Style}, edition = {3},
  publisher = {Hartley \\& Marks}, address = {Vancouver}, year = {2004}}
@book{tschichold1991, author = {Tschichold, Jan}, title = {The Form of the Book}, publisher = {Hartley \\& Marks},
  address = {Vancouver}, year = {1991}}
@book{never, author = {Nobody, A.}, title = {Never Cited}, publisher = {None}, year = {2000}}
"""

YAML = ("title: The Apparatus\nauthors: [A. Scholar]\nlanguage: en\nchapters: [01-one.md, 02-two.md]\n"
        "bibliography: refs.bib\ncrossref:\n  list_of_figures: true\n  list_of_tables: true\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("apparatus")
    book = write_book(root / "book", {"book.yaml": YAML, "01-one.md": ONE, "02-two.md": TWO, "refs.bib": BIB,
                                      "press.png": png((60, 40))})
    run = subprocess.run([sys.executable, "-m", "octavo", "build", str(book), "--strict", "--out", str(root / "dist")],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "warning" not in run.stderr, run.stderr
    return root / "dist"


def _print(dist: Path) -> Path:
    return next(p for p in dist.glob("*-print.pdf"))


def _folios(dist: Path) -> list[str]:
    """The page number of every page of the body, as printed or, on a chapter's opening page (which prints
    none), as counted from its neighbours; '' in the front matter."""
    printed = [folio for _, folio in margin_texts(_print(dist))]
    known = next(i for i, folio in enumerate(printed) if folio.isdigit())
    first = known - int(printed[known]) + 1  # the body's page 1
    return [str(i - first + 1) if i >= first else "" for i in range(len(printed))]


def _folio_of(text: str, texts: list[str], folios: list[str], after: int = 0) -> str:
    """The printed folio of the first page (from `after`) whose text holds `text`."""
    index = next(i for i in range(after, len(texts)) if text in texts[i])
    return folios[index]


def test_citations_references_and_the_bibliography_are_on_the_pages(built: Path) -> None:
    texts = page_texts(_print(built))
    body = " ".join(texts)
    assert "(Bringhurst 2004, 12; see also Knuth 1984)" in body
    assert "Tschichold (1991) put it" in body
    assert "Never Cited" not in body  # an entry never cited is left out
    assert "Figure 1.1" in body and "Table 1.1" in body and "Listing 1.1" in body and "(1.1)" in body
    references = next(i for i, t in enumerate(texts) if t.startswith("References") or " References " in t[:40])
    assert "Bringhurst, Robert" in texts[references] and "Knuth, Donald E" in texts[references]


def test_a_reference_prints_the_real_page_of_its_figure(built: Path) -> None:
    texts, folios = page_texts(_print(built)), _folios(built)
    caption_page = _folio_of("Figure 1.1: A hand press", texts, folios)
    match = re.search(r"Figure 1\.1 on page (\w+)", " ".join(texts))
    assert match is not None and match.group(1) == caption_page


def test_the_index_gives_the_real_pages_of_its_terms(built: Path) -> None:
    texts, folios = page_texts(_print(built)), _folios(built)
    start = max(i for i, t in enumerate(texts) if t.startswith("Index"))
    kerning = sorted({folios[i] for i, t in enumerate(texts[:start]) if "kerning" in t and i > 2}, key=int)
    entry = re.search(r"kerning,? ([\d–, ]+)", texts[start])
    assert entry is not None, texts[start]
    printed = [n for part in entry.group(1).replace(" ", "").split(",") if part for n in part.split("–")]
    assert set(kerning) <= set(printed) or printed == [kerning[0], kerning[-1]], (kerning, printed)
    assert "leading" in texts[start] and "type" in texts[start]


def _epub(dist: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(next(dist.glob("*.epub"))) as epub:
        return {name: epub.read(name) for name in epub.namelist()}


def test_the_epub_links_every_citation_reference_and_locator_and_holds_mathml(built: Path) -> None:
    files = _epub(built)
    ns = {"x": "http://www.w3.org/1999/xhtml", "m": "http://www.w3.org/1998/Math/MathML"}
    ids: dict[str, set[str]] = {}
    trees = {}
    for name, data in files.items():
        if name.endswith(".xhtml"):
            trees[name] = etree.fromstring(data)
            ids[name] = set(trees[name].xpath("//@id"))
    assert any(tree.xpath("//m:math", namespaces=ns) for tree in trees.values())
    checked = 0
    for name, tree in trees.items():
        for href in tree.xpath("//x:a/@href", namespaces=ns):
            if href.startswith(("http", "mailto")):
                continue
            file, _, anchor = href.partition("#")
            target = str(Path(name).parent / file) if file else name
            target = str(Path(target)).replace("\\", "/")
            assert target in trees, (name, href)
            assert not anchor or anchor in ids[target], (name, href)
            checked += 1
    assert checked > 10
    text = b" ".join(files[n] for n in trees).decode()
    assert "on page" not in text  # no print page in the EPUB's running text


@pytest.mark.slow
@pytest.mark.skipif(ace_missing() is not None, reason=ace_missing() or "")
def test_the_epub_passes_epubcheck_and_ace(built: Path) -> None:
    epub = next(built.glob("*.epub"))
    assert epubcheck(epub) == []
    result = run_ace(epub)
    assert result.stdout.splitlines() == [f"{epub.name}: pass, 0 violation(s)"], result.stdout + result.stderr
