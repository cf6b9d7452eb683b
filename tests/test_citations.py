"""Citations and the bibliography: pandoc's syntax read, formatted by pandoc's citeproc, linked both ways, placed
where the book asks; the errors a user can make, word for word. One fixture book (tests/fixtures/citations/book)
is built once, through the real command line, with --strict."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from octavo.check import epubcheck
from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.errors import ContentError
from octavo.scholarly.citesyntax import citation_plugin

from .conftest import EPOCH, FIXTURES, write_book
from .pdftext import margin_texts, page_texts
from .test_ace import _missing as ace_missing
from .test_ace import run_ace
from .test_cli import run_module

BOOK = FIXTURES / "citations" / "book"
ERRORS_PAGE = FIXTURES.parent.parent / "docs" / "errors.md"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cited")
    result = run_module("build", "--content", str(BOOK), "--out", str(out), "--strict",
                        env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    return out


def _pages(built: Path, edition: str = "print") -> list[str]:
    name = "sources-and-citations-print.pdf" if edition == "print" else "sources-and-citations.pdf"
    return page_texts(built / name)


# The syntax, as pandoc reads it -------------------------------------------------------------------------------

def _cites(text: str) -> list[tuple[str, str, str]]:
    md = MarkdownIt("commonmark")
    md.use(citation_plugin)
    html = md.render(text)
    return re.findall(r'<span class="citation" data-cites="([^"]*)" data-cite-mode="(\w+)">([^<]*)</span>', html)


@pytest.mark.parametrize(("text", "expected"), [
    ("[@doe]", [("doe", "bracket", "[@doe]")]),
    ("[@doe, p. 33]", [("doe", "bracket", "[@doe, p. 33]")]),
    ("[see @a; @b, chap. 2]", [("a b", "bracket", "[see @a; @b, chap. 2]")]),
    ("[-@doe]", [("doe", "bracket", "[-@doe]")]),
    ("as @doe says", [("doe", "narrative", "@doe")]),
    ("as @doe [p. 4] says", [("doe", "narrative", "@doe [p. 4]")]),
    ("(@doe2020a).", [("doe2020a", "narrative", "@doe2020a")]),
    ("[*see* @a, pp. 3-4]", [("a", "bracket", "[*see* @a, pp. 3-4]")]),
    ("[@{odd.key/x}]", [("odd.key/x", "bracket", "[@{odd.key/x}]")]),
])
def test_citation_forms(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert _cites(text) == expected


@pytest.mark.parametrize("text", [
    "write to a@b.org", "see https://medium.com/@karpathy/software-2-0 there",
    "see @fig:map", "[@fig:a; @fig:b]", "[@tbl:x]", "@eq:one and @sec:intro and @lst:code",
    "[^1]\n\n[^1]: x", "[no key here]", "[see doe]", "x@y",
])
def test_not_citations(text: str) -> None:
    assert _cites(text) == []


def test_a_link_text_may_hold_a_narrative_citation_but_the_link_stays_a_link() -> None:
    html = MarkdownIt("commonmark").use(citation_plugin).render("[@doe](https://example.org)")
    assert '<a href="https://example.org">' in html


# The book: pages, links, EPUB ---------------------------------------------------------------------------------

def test_every_citation_form_prints_as_the_style_formats_it(built: Path) -> None:
    text = " ".join(_pages(built))
    for printed in ("A plain citation (Knuth 1984) and one with a page (Knuth 1984, 33).",
                    "with a prefix and a chapter (see Doe 2020b; 2020a, chap. 2).",
                    "In the sentence, Bringhurst (2004) sets the rules, and Lupton (2010, 12) shows them.",
                    "Tschichold said so himself (1991).", "A translated book (Eco 2015).",
                    "on the web (W3C 2023) and so is the checker (DAISY Consortium, n.d.).",
                    "The report of World Health Organization (2019) has a corporate author",
                    "this has no date (Wilson, n.d.).", "Write to a@b.org, which is an address",
                    "As Brown (2010) shows.", "cites the Kelmscott book (Morris 1893).",
                    "A thesis (Nguyen 2016) and a chapter cited again (Knuth 1984, 5–7)."):
        assert printed in text
    assert "@" not in text.replace("a@b.org", "")


def _references(pages: list[str]) -> str:
    """The text of the References chapter (the pages from its heading to the end), running heads and folios
    dropped."""
    first = next(i for i, p in enumerate(pages) if p.startswith("References Bringhurst"))
    return " ".join(re.sub(r" SOURCES AND CITATIONS \d+$", "", p) for p in pages[first:])


def test_the_bibliography_holds_the_cited_and_nocite_entries_only_in_the_style_s_order(built: Path) -> None:
    refs = _references(_pages(built))
    names = ["Bringhurst, Robert. 2004.", "Brown, Alice. 2010.", "DAISY Consortium. n.d.", "Doe, John. 2020a.",
             "Doe, John. 2020b.", "Eco, Umberto. 2015.", "Knuth, Donald E. 1984.", "Lupton, Ellen. 2010.",
             "Morris, William. 1893.", "Nguyen, Thi. 2016.", "Smith, Jane, and Peter Jones, eds. 2010.",
             "Tschichold, Jan. 1991.", "W3C. 2023.", "Wilson, Grace. n.d.", "World Health Organization. 2019."]
    assert [refs.find(name) for name in names] == sorted(refs.find(name) for name in names)
    assert -1 not in [refs.find(name) for name in names]
    assert "Doe, John. 2020a. “Hyphenation Patterns Revisited.” Journal of Typography 12 (4): 301–20." in refs
    assert "Doe, John. 2020b. “Line Breaking in Justified Text.”" in refs
    assert ("Eco, Umberto. 2015. How to Write a Thesis. Translated by Caterina Mongiat Farina and Geoff Farina. "
            "MIT Press.") in refs
    assert "Smith, Jane, and Peter Jones, eds. 2010. Essays on the History of Printing." in refs  # nocite
    assert "Widows, Orphans" not in refs and "Knuth, Donald E., and Michael" not in refs  # in refs.bib, never cited


ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}


def _folio(folios: list[str], index: int, roman: bool) -> str:
    """The folio of page `index`, counted from the nearest page that prints one (a chapter opening prints none)."""
    for near in sorted(range(len(folios)), key=lambda i: abs(i - index)):
        if folios[near] and (folios[near] in ROMAN) == roman:
            number = (ROMAN[folios[near]] if roman else int(folios[near])) + index - near
            return next(k for k, v in ROMAN.items() if v == number) if roman else str(number)
    raise AssertionError(f"no folio near page {index}")


def test_entries_print_the_pages_of_their_citations(built: Path) -> None:
    path = built / "sources-and-citations-print.pdf"
    pages, folios = page_texts(path), [foot for _, foot in margin_texts(path)]

    def folio(words: str, roman: bool = False) -> str:
        return _folio(folios, next(i for i, p in enumerate(pages) if words in p), roman)

    refs = _references(pages)
    assert f"The TeXbook. Addison-Wesley. pp. {folio('(Knuth 1984, 33)')}, {folio('(Knuth 1984, 5–7)')} " in refs
    assert folio("(Knuth 1984, 33)") != folio("(Knuth 1984, 5–7)")
    morris = folio("(Morris 1893)", roman=True)  # the preface: numbered i, ii, ...
    assert f"The Ideal Book. Kelmscott Press. p. {morris} " in refs
    assert f"Oxford University Press. p. {folio('As Brown (2010)')} " in refs  # cited in a note


def test_contents_lists_the_references_chapter(built: Path) -> None:
    contents = next(p for p in _pages(built) if p.lower().startswith("contents"))
    assert re.search(r"More Sources[ .]+\d+ References[ .]+\d+", contents)


def _dests(path: Path) -> list[tuple[int, str]]:
    with pikepdf.open(path) as pdf:
        return [(index, str(a.get("/Dest"))) for index, page in enumerate(pdf.pages)
                for a in page.obj.get("/Annots", []) if a.Subtype == "/Link" and "/Dest" in a]


def test_screen_pdf_citations_link_to_entries_and_entries_back(built: Path) -> None:
    pages = _pages(built, "screen")
    dests = _dests(built / "sources-and-citations.pdf")
    body = next(i for i, p in enumerate(pages) if "(Knuth 1984, 33)" in p)
    refs = next(i for i, p in enumerate(pages) if p.startswith("References Bringhurst"))
    on_body = {d for i, d in dests if i == body}
    assert {"ref-knuth1984", "ref-doe2020a", "ref-doe2020b", "ref-bringhurst2004", "ref-daisy"} <= on_body
    on_refs = {d for i, d in dests if i >= refs}
    assert {"cite-knuth1984", "cite-knuth1984-2", "cite-morris1893", "fn-every-form-1"} <= on_refs
    with pikepdf.open(built / "sources-and-citations-print.pdf") as pdf:
        assert not any("/Annots" in page.obj for page in pdf.pages)


def _epub_docs(built: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(built / "sources-and-citations.epub") as epub:
        return {Path(name).name: etree.fromstring(epub.read(name)) for name in epub.namelist()
                if name.endswith(".xhtml")}


def test_epub_links_resolve_both_ways_and_the_bibliography_is_a_document_of_its_own(built: Path) -> None:
    docs = _epub_docs(built)
    ids = {(name, e.get("id")) for name, doc in docs.items() for e in doc.iter() if e.get("id")}
    citations = [(name, a) for name, doc in docs.items() for a in doc.iter(f"{XHTML}a")
                 if a.get("role") in ("doc-biblioref", "doc-backlink")]
    assert len(citations) > 25
    for name, link in citations:
        target, _, anchor = str(link.get("href")).partition("#")
        assert (target or name, anchor) in ids, link.get("href")
    bibliography = next(doc for doc in docs.values() if doc.find(f".//{XHTML}div[@id='refs']") is not None)
    section = bibliography.find(f".//{XHTML}section")
    assert section is not None and section.get("role") == "doc-bibliography"
    entries = ["".join(e.itertext()).split("↩")[0].strip() for e in bibliography.iter(f"{XHTML}div")
               if "csl-entry" in (e.get("class") or "")]
    assert len(entries) == 15
    assert "Knuth, Donald E. 1984. The TeXbook. Addison-Wesley." in entries[6]
    nav = docs["nav.xhtml"] if "nav.xhtml" in docs else next(d for d in docs.values() if d.find(f".//{XHTML}nav"))
    assert "References" in "".join(nav.itertext())


@pytest.mark.slow
def test_the_cited_book_passes_epubcheck(built: Path) -> None:
    assert epubcheck(built / "sources-and-citations.epub") == []


# Errors, word for word ---------------------------------------------------------------------------------------

def _book(tmp_path: Path, yaml: str, chapter: str = "# One\n\nSee [@knuth1984].\n",
          extra: dict[str, str] | None = None) -> tuple[int, list[str]]:
    root = write_book(tmp_path / "book", {"book.yaml": "title: T\nauthors: [A]\nlanguage: en\n" + yaml,
                                          "01.md": chapter, "refs.bib": (BOOK / "refs.bib").read_text(),
                                          **(extra or {})})
    result = run_module("build", "--content", str(root), "--out", str(tmp_path / "out"))
    errors = [line.replace(f"{root}/", "") for line in result.stderr.splitlines()]
    rows = [row for row in ERRORS_PAGE.read_text(encoding="utf-8").splitlines() if row.startswith("|")]
    for error in (e for e in errors if e.startswith(("error: ", "warning: "))):  # each is on the errors page
        assert any(re.sub(r"^(error|warning): ", "", error) in row for row in rows), error
    return result.returncode, errors


def test_unknown_keys_are_all_reported_with_file_line_and_a_suggestion(tmp_path: Path) -> None:
    code, errors = _book(tmp_path, "bibliography: refs.bib\n",
                         "# One\n\nSee [@knuht1984] and\n@brigurst2004 too [see @zzz, p. 3].\n")
    assert code == 1
    assert errors == [
        "error: 01.md:3: citation '@knuht1984' is not in the bibliography (did you mean 'knuth1984'?)",
        "error: 01.md:4: citation '@brigurst2004' is not in the bibliography (did you mean 'bringhurst2004'?)",
        "error: 01.md:4: citation '@zzz' is not in the bibliography"]


def test_a_bibliography_that_does_not_parse_names_its_file_and_line(tmp_path: Path) -> None:
    bad = '[\n  {"id": "a", "title": "X"},\n  {"id": "b" "title": "Y"}\n]\n'
    code, errors = _book(tmp_path, "bibliography: [refs.bib, bad.json, bad.bib]\n",
                         extra={"bad.json": bad, "bad.bib": "@book{a,\n  title = {X},\n\n@book{b, title = {Y}}\n"})
    assert code == 1
    assert errors == ["error: bad.json:3: the bibliography is not valid CSL-JSON: Expecting ',' delimiter",
                      "error: bad.bib:4: the bibliography does not parse: unexpected '@'"]


def test_bibliography_files_and_styles_are_checked_with_book_yaml(tmp_path: Path) -> None:
    code, errors = _book(tmp_path, "bibliography: [refs.bib, missing.json, notes.txt]\ncsl: chicago-autor-date\n"
                                   'nocite: "@knuth1984"\n')
    assert code == 1
    assert errors == [
        "error: book.yaml:4: 'bibliography' file 'missing.json' does not exist",
        "error: book.yaml:4: 'bibliography' file 'notes.txt' is not BibTeX (.bib), CSL-JSON (.json) or CSL-YAML "
        "(.yaml)",
        "error: book.yaml:5: 'csl' style 'chicago-autor-date' is not one Octavo ships (did you mean "
        "'chicago-author-date'?): use chicago-author-date, apa, ieee, or a .csl file of the book"]
    code, errors = _book(tmp_path, "bibliography: refs.bib\ncsl: styles/mine.csl\n")
    assert errors == ["error: book.yaml:5: 'csl' file 'styles/mine.csl' does not exist"]
    note = '<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">'
    code, errors = _book(tmp_path, "bibliography: refs.bib\ncsl: notes.csl\n", extra={"notes.csl": note})
    assert errors == ["error: book.yaml:5: 'csl' style 'notes.csl' is a note style, whose citations are footnotes: "
                      "Octavo sets in-text styles only (author-date or numeric)"]


def test_nocite_keys_must_be_in_the_bibliography(tmp_path: Path) -> None:
    code, errors = _book(tmp_path, 'bibliography: refs.bib\nnocite: "@knuht1984, @doe2020a"\n')
    assert code == 1
    assert errors == ["error: book.yaml:5: 'nocite' key 'knuht1984' is not in the bibliography "
                      "(did you mean 'knuth1984'?)"]


def test_a_citation_without_a_bibliography_is_an_error_a_handle_is_text(tmp_path: Path) -> None:
    code, errors = _book(tmp_path, "", "# One\n\nAsk @octavo_dev, or see\n[@knuth1984, p. 3].\n")
    assert code == 1
    assert errors == ["error: 01.md:4: citation [@knuth1984, p. 3] but book.yaml has no 'bibliography': list the "
                      ".bib (or CSL-JSON, CSL-YAML) file that holds its sources"]


def test_chapter_front_matter_bibliography_points_to_book_yaml(tmp_path: Path) -> None:
    code, errors = _book(tmp_path, "bibliography: refs.bib\n", "---\nbibliography: refs.bib\n---\n# One\n\nText.\n")
    assert code == 1
    assert errors == ["error: 01.md:2: unknown front matter key 'bibliography' (it is about the whole book: set it "
                      "in book.yaml)"]


# Where the bibliography goes, and numeric styles ---------------------------------------------------------------

def _read(tmp_path: Path, yaml: str, files: dict[str, str]) -> list[tuple[str, str, str]]:
    """The chapters read (no layout): (kind, title, text) each."""
    root = write_book(tmp_path, {"book.yaml": "title: T\nauthors: [A]\nlanguage: en\nbibliography: refs.bib\n" + yaml,
                                 "refs.bib": (BOOK / "refs.bib").read_text(), **files})
    book = read_book(load_config(root), root)
    return [(c.kind, c.title, " ".join(lxml_html.fragment_fromstring(c.html, create_parent="div")
                                       .text_content().split())) for c in book.chapters]


def test_nocite_star_lists_every_entry_at_the_end_of_the_bibliography_chapter(tmp_path: Path) -> None:
    chapters = _read(tmp_path, "nocite: '@*'\nchapters: [01.md, 02.md]\n",
                     {"01.md": "# One\n\nNothing cited.\n",
                      "02.md": "---\nkind: bibliography\n---\n# Sources\n\nAll.\n"})
    assert [c[:2] for c in chapters] == [("chapter", "One"), ("bibliography", "Sources")]
    assert chapters[1][2].startswith("All. Bringhurst, Robert. 2004.")
    assert "Widows, Orphans and the Page Grid" in chapters[1][2] and chapters[1][2].count("csl-entry") == 0


def test_a_book_that_cites_nothing_has_no_references_chapter(tmp_path: Path) -> None:
    assert [c[:2] for c in _read(tmp_path, "", {"01.md": "# One\n\nNothing cited.\n"})] == [("chapter", "One")]


@pytest.mark.slow
def test_numeric_style_numbers_by_first_citation_across_the_book_in_the_refs_div(tmp_path: Path) -> None:
    root = write_book(tmp_path / "book", {
        "book.yaml": "title: Numbered\nauthors: [A]\nlanguage: en\nbibliography: refs.bib\ncsl: ieee\n"
                     "reference-section-title: Ignored Here\nchapters: [01.md, 02.md, 03.md]\n",
        "refs.bib": (BOOK / "refs.bib").read_text(),
        "01.md": "# One\n\nFirst Lupton [@lupton2010], a note,[^n] then Knuth [@knuth1984, p. 3].\n\n"
                 "[^n]: Morris in a note [@morris1893].\n",
        "02.md": "# Two\n\nEco [@eco2015] and Lupton again [@lupton2010; @knuth1984].\n",
        "03.md": "# Works Cited\n\nThe sources, in the order cited.\n\n::: {#refs}\n:::\n\nEnd of the list.\n"})
    result = run_module("build", "--content", str(root), "--out", str(tmp_path / "out"), "--strict")
    assert result.returncode == 0, result.stderr
    pages = page_texts(tmp_path / "out" / "numbered-print.pdf")
    text = " ".join(pages)
    assert "First Lupton [1], a note,1 then Knuth [3, p. 3]." in text
    assert "Morris in a note [2]." in text  # numbered where the note is called, before Knuth
    assert "Eco [4] and Lupton again [1], [3]." in text
    works = next(p for p in pages if "3 Works Cited The sources" in p)
    # The numbers float in the margin of their entries: the text of the page has them first.
    assert works.startswith("[1] [2] [3] [4] 3 Works Cited The sources, in the order cited. E. Lupton, Thinking with")
    assert re.search(r"2010\. pp\. 1, 2 W\. Morris, The ideal book\..* 1893\. p\. 1 D\. E\. Knuth, The TeXbook\..* "
                     r"1984\. pp\. 1, 2 U\. Eco, How to write a thesis\..* 2015\. p\. 2 End of the list\.", works)
    assert "References" not in text and "Ignored Here" not in text


def test_a_book_that_ends_with_a_references_heading_gets_the_bibliography_under_it(tmp_path: Path) -> None:
    chapters = _read(tmp_path, "", {"01.md": "# Paper\n\nAs shown [@knuth1984].\n\n## Works\n"})
    assert chapters == [("chapter", "Paper", "As shown (Knuth 1984). Works Knuth, Donald E. 1984. The TeXbook. "
                                             "Addison-Wesley. p. ↩")]


def test_link_citations_false_leaves_the_citations_unlinked(tmp_path: Path) -> None:
    root = write_book(tmp_path, {"book.yaml": "title: T\nauthors: [A]\nlanguage: en\nbibliography: refs.bib\n"
                                              "link-citations: false\n",
                                 "refs.bib": (BOOK / "refs.bib").read_text(), "01.md": "# One\n\n[@knuth1984]\n"})
    book = read_book(load_config(root), root)
    assert 'href="#ref-knuth1984"' not in book.chapters[0].html and "(Knuth 1984)" in book.chapters[0].html
    assert 'href="#cite-knuth1984"' in book.chapters[1].html


@pytest.mark.slow
@pytest.mark.skipif(ace_missing() is not None, reason=ace_missing() or "")
def test_the_cited_book_passes_ace(built: Path) -> None:
    result = run_ace(built / "sources-and-citations.epub")
    assert result.stdout.splitlines() == ["sources-and-citations.epub: pass, 0 violation(s)"], result.stderr


def test_a_citation_in_a_title_or_heading_is_formatted_in_the_contents_copies_too(tmp_path: Path) -> None:
    root = write_book(tmp_path, {"book.yaml": "title: T\nauthors: [A]\nlanguage: en\nbibliography: refs.bib\n",
                                 "refs.bib": (BOOK / "refs.bib").read_text(),
                                 "01.md": "# After @knuth1984\n\nText.\n\n## On [@eco2015]\n\nMore.\n"})
    chapter = read_book(load_config(root), root).chapters[0]
    assert chapter.title_html == ('After <span class="citation" data-cites="knuth1984">Knuth (<a href="#ref-knuth1984" '
                                  'role="doc-biblioref">1984</a>)</span>')
    assert chapter.toc_html == 'After <span class="citation" data-cites="knuth1984">Knuth (1984)</span>'
    assert chapter.headings[0].html == 'On <span class="citation" data-cites="eco2015">(Eco 2015)</span>'
    assert '<h2 id="on">On <span class="citation" data-cites="eco2015" id="cite-eco2015">(<a' in chapter.html


def test_a_key_defined_twice_is_a_warning_and_the_later_entry_wins(tmp_path: Path) -> None:
    again = "@book{knuth1984, author = {Knuth, Donald E.}, title = {Again}, year = {1986}}\n"
    code, errors = _book(tmp_path, "bibliography: [refs.bib, again.bib]\n", extra={"again.bib": again})
    assert code == 0
    assert [e for e in errors if e.startswith("warning")] == [
        "warning: again.bib: citation key 'knuth1984' is defined twice (first in refs.bib): the later entry is "
        "used, as pandoc does; remove one"]


def test_a_citation_in_the_abstract_is_an_error_not_raw_text(tmp_path: Path) -> None:
    """book.yaml's abstract is rendered on its own, outside the citations' pass: its [@key] was printed as
    written. It is an error naming book.yaml and the line."""
    root = write_book(tmp_path, {"book.yaml": "title: T\nauthors: [A]\nlanguage: en\nabstract: As [@knuth1984] says.\n"
                                              "bibliography: refs.bib\n",
                                 "refs.bib": (BOOK / "refs.bib").read_text(), "01.md": "# One\n\nText.\n"})
    with pytest.raises(ContentError) as raised:
        read_book(load_config(root), root)
    assert str(raised.value) == (f"{root / 'book.yaml'}:4: the abstract cites @knuth1984: citations are formatted in "
                                 "the chapters only; name the source in words, or move the abstract into a chapter "
                                 "(kind: preface)")
