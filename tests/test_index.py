"""The index: marks in the text -> an index whose page numbers are the real pages (print), whose locators link
(screen PDF, EPUB Indexes markup), sorted in the book's language. One small book, built once for the module."""

from __future__ import annotations

import logging
import re
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from octavo.check import epubcheck
from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.errors import ContentError
from octavo.pages import PageMap, PrintPage
from octavo.scholarly.collate import letter_group, sort_key
from octavo.scholarly.index import EN_DASH, locators

from .conftest import Built, build_into, write_book
from .pdftext import margin_texts, page_texts

#: Some 120 words without any term of the index: a paragraph of it fills a third of a page.
FILLER = ("The delegates spoke at length about the work that lay before them, and the record of the meeting "
          "gives their words in full, with the replies of the chair and the notes of the clerks. ") * 5

ONE = "\n\n".join([
    "# One",
    "The [Ebert]{.index} report opens the book, and [Oslo]{index=\"Norway!Oslo\"} is named. " + FILLER,
    "A word on [Eton]{.index} and [Paris]{index=\"France\" index-seealso=\"Norway\"}, and an argon"
    "[]{index=\"argon gas\"} lamp. " + FILLER,
    "Here [Émile]{.index} speaks, [NO]{index=\"NO\" index-see=\"Norway\"} is the code, and "
    "[Åland]{.index} is an island.[^a] " + FILLER,
    "[^a]: The note names [delta]{.index}.",
    *(f"Paragraph {n}. [Alps]{{.index}} again. " + FILLER for n in range(2)),
    "[zebra]{.index} and [Bergen]{index=\"Norway!Bergen\"}. " + FILLER,
]) + "\n"
TWO = "\n\n".join(["# Two", *(f"Part {n}: the [kappa]{{.index}} study. " + FILLER for n in range(9)),
                   "[Oslo]{index=\"Norway!Oslo\"} once more, and [Émile]{.index}. An address, ada@example.org, "
                   "stays text.",
                   ]) + "\n"
BOOK = {"book.yaml": "title: Indexed\nauthors: [A. Writer]\nlanguage: en\nchapters: [01-one.md, 02-two.md]\n",
        "01-one.md": ONE, "02-two.md": TWO}
#: Each term as the text shows it (a word found on its pages) -> how the index prints it.
TERMS = {"Ebert": "Ebert", "Eton": "Eton", "Émile": "Émile", "Åland": "Åland", "delta": "delta", "Alps": "Alps",
         "zebra": "zebra", "kappa": "kappa", "Oslo": "Oslo", "Bergen": "Bergen", "Paris": "France",
         "argon": "argon gas"}  # an empty mark, [](...), is an anchor of its own


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("indexed")
    return build_into(write_book(root / "book", BOOK), root / "dist")


def _index_start(texts: list[str]) -> int:
    return next(i for i, text in enumerate(texts) if text.startswith("Index "))


def _pages_of(word: str, texts: list[str]) -> list[int]:
    """The physical pages (from 1) before the index whose text holds `word`."""
    return [i + 1 for i, text in enumerate(texts[:_index_start(texts)]) if re.search(rf"\b{word}\b", text)]


def _collapsed(pages: list[int], folio: int) -> str:
    """Physical pages -> the folios a reader expects: '3, 5–7' (`folio`: the physical page of folio 1)."""
    runs: list[list[int]] = []
    for page in pages:
        if runs and page - runs[-1][-1] <= 1:
            runs[-1].append(page)
        else:
            runs.append([page])
    as_folio = [(run[0] - folio + 1, run[-1] - folio + 1) for run in runs]
    return ", ".join(str(a) if a == b else f"{a}{EN_DASH}{b}" for a, b in as_folio)


def test_the_printed_page_numbers_are_the_pages_the_terms_are_on(indexed: Built) -> None:
    texts = page_texts(indexed.path("print"))
    first = next(i for i, text in enumerate(texts) if text.startswith("1 One")) + 1  # folio 1
    assert margin_texts(indexed.path("print"))[first][1] == "2"  # the page after the opening prints folio 2
    index = " ".join(texts[_index_start(texts):])
    for word, term in TERMS.items():
        pages = _pages_of(word, texts)
        assert pages, word
        printed = re.search(rf"(?<![\w]){term}, ([\d{EN_DASH}, ]+)", index)
        assert printed is not None, (term, index)
        # pdfium reads the dash of a range as a run of its own ('4 – 7'); the page shows '4–7'
        assert re.sub(rf"\s*{EN_DASH}\s*", EN_DASH, printed.group(1)).strip(" ,") == _collapsed(pages, first), term
    assert re.search(rf"kappa, \d+ ?{EN_DASH} ?\d+", index), "a term on consecutive pages is a range"


def test_the_index_is_sorted_grouped_and_has_sub_entries_see_and_see_also(indexed: Built) -> None:
    texts = page_texts(indexed.path("print"))
    index = " ".join(texts[_index_start(texts):])
    terms = [m.group(1) for m in re.finditer(r"(Åland|Alps|Ebert|Émile|Eton|zebra|France|Norway|NO)\b", index)]
    assert terms == ["Åland", "Alps", "Ebert", "Émile", "Eton", "France", "Norway", "NO", "Norway", "Norway",
                     "zebra"]  # accents with their base letter; 'see' names its target
    assert re.search(r"\bA Åland, .* E Ebert, .* Z zebra", index)
    assert re.search(r"NO, see Norway", index)
    assert re.search(r"France, \d+; see also Norway", index)
    assert re.search(r"Norway Bergen, \d+ Oslo, \d+, \d+", index)
    contents = next(text for text in texts if text.upper().startswith("CONTENTS"))
    assert "Index" in contents  # the index chapter is in the contents


def _destination_pages(pdf: pikepdf.Pdf, page: pikepdf.Page) -> list[tuple[str, int]]:
    """(the text under each link of `page`... as its rectangle's order, the physical page it goes to)."""
    numbers = {page.objgen: n for n, page in enumerate(pdf.pages, start=1)}
    names = {}
    if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
        tree = pikepdf.NameTree(pdf.Root.Names.Dests)
        names = {key: value for key, value in tree.items()}
    found = []
    for annot in page.get("/Annots", []):
        action = annot.get("/A")
        dest = annot.get("/Dest") if action is None else action.get("/D")
        if dest is None:
            continue
        if isinstance(dest, (pikepdf.String, pikepdf.Name)):
            dest = names[str(dest)]
        found.append((str(annot.Rect), numbers[dest[0].objgen]))
    return found


def test_the_screen_pdf_locators_link_to_the_pages(indexed: Built) -> None:
    texts = page_texts(indexed.path("screen"))
    start = _index_start(texts)
    kappa = _pages_of("kappa", texts)
    every = {p for word in TERMS for p in _pages_of(word, texts)}
    with pikepdf.open(indexed.path("screen")) as pdf:
        targets = [n for page in pdf.pages[start:] for _, n in _destination_pages(pdf, page)]
    body_targets = [n for n in targets if n <= start]
    assert body_targets and set(body_targets) <= every
    assert kappa[0] in body_targets and kappa[-1] in body_targets  # a range links its first and last page


def test_the_epub_index_uses_epub_indexes_markup_and_its_links_resolve(indexed: Built) -> None:
    ns = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
    with zipfile.ZipFile(indexed.path("epub")) as epub:
        docs = {Path(n).name: etree.fromstring(epub.read(n)) for n in epub.namelist() if n.endswith(".xhtml")}
    index = docs["index.xhtml"]
    section = index.find(".//x:section[@epub:type='index']", ns)
    assert section is not None and section.get("role") == "doc-index"
    types = {t for t in index.xpath("//@epub:type", namespaces=ns)}
    assert {"index-group", "index-entry-list", "index-entry", "index-term", "index-locator",
            "index-locator-range", "index-xref-preferred", "index-xref-related"} <= types
    links = index.xpath("//x:a[@href]", namespaces=ns)
    assert len(links) > 10
    for link in links:
        file, _, anchor = str(link.get("href")).rpartition("#")
        target = docs[file or "index.xhtml"]
        assert target.xpath("//*[@id=$a]", a=anchor), link.get("href")
    landmarks = docs["nav.xhtml"].xpath("//x:nav[@epub:type='landmarks']//x:a[@epub:type='index']/@href",
                                        namespaces=ns)
    assert landmarks == ["text/index.xhtml"]  # the nav sits beside the package document


@pytest.mark.slow
def test_the_index_laid_out_alone_gives_the_bytes_of_a_second_layout(indexed: Built, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import octavo.pdf.indexed

    monkeypatch.setattr(octavo.pdf.indexed, "_join_index", lambda *args: None)  # the whole book laid out again
    again = build_into(indexed.content, tmp_path / "whole")
    assert (again.out / "SHA256SUMS").read_text() == (indexed.out / "SHA256SUMS").read_text()


@pytest.mark.slow
def test_the_epub_passes_epubcheck(indexed: Built) -> None:
    assert epubcheck(indexed.path("epub")) == []


# Sorting, without a build


@pytest.mark.parametrize(("language", "words", "expected"), [
    ("en", ["zebra", "Émile", "Eton", "Ebert", "eagle", "Åland", "Alps"],
     ["Åland", "Alps", "eagle", "Ebert", "Émile", "Eton", "zebra"]),
    ("de", ["Zug", "Äpfel", "Apfel", "Österreich", "Ofen", "Bär"], ["Apfel", "Äpfel", "Bär", "Ofen", "Österreich",
                                                                     "Zug"]),
    # French: accents weigh before case (the UCA's levels).
    ("fr", ["élève", "école", "Ecole", "zèbre", "côte", "cote"], ["cote", "côte", "Ecole", "école", "élève", "zèbre"]),
    # Swedish: å, ä, ö are letters after z.
    ("sv", ["Örebro", "Åre", "Ängelholm", "Zinkgruva", "Arboga", "Oskarshamn"],
     ["Arboga", "Oskarshamn", "Zinkgruva", "Åre", "Ängelholm", "Örebro"]),
    # Spanish: ñ between n and o.
    ("es", ["ñandú", "nube", "oso", "nutria"], ["nube", "nutria", "ñandú", "oso"]),
])
def test_terms_sort_in_the_books_language(language: str, words: list[str], expected: list[str]) -> None:
    assert sorted(words, key=lambda w: sort_key(w, language)) == expected


def test_letter_groups_follow_the_language() -> None:
    assert [letter_group(w, "en") for w in ("Émile", "Åland", "1948", "“Blue”")] == ["E", "A", None, "B"]
    assert [letter_group(w, "sv") for w in ("Åre", "Örebro", "Émile")] == ["Å", "Ö", "E"]


def test_runs_of_pages_collapse_into_ranges_with_their_folios() -> None:
    pages = PageMap(tuple(PrintPage(n, label, None) for n, label in enumerate(["i", "ii", "1", "2", "3", "4", "5"],
                                                                                 start=1)),
                    {"a": 1, "b": 2, "c": 4, "d": 5, "e": 5, "f": 6, "g": 7, "h": 3})
    shown = [(loc.text, loc.end) for loc in locators(["c", "a", "b", "d", "e", "f"], pages, {})]
    assert shown == [("i", "ii"), ("2", "4")]
    assert [loc.text for loc in locators(["g", "x"], pages, {"x": "One"})] == ["5", "One"]


def _read(tmp_path: Path, text: str) -> None:
    root = write_book(tmp_path / "b", {"book.yaml": "title: T\nauthors: [A]\nlanguage: en\n", "01-one.md": text})
    read_book(load_config(root, root), root, root)


@pytest.mark.parametrize(("text", "message", "line"), [
    ("# One\n\nText.\n\n[UN]{index=\"United Nations!!Council\"}\n",
     "index mark {index=\"United Nations!!Council\"}: the entry 'United Nations!!Council' has an empty level: '!' "
     "separates an entry from its sub-entries", 5),
    ("# One\n\n[UN]{index-se=\"UN\"}\n",
     "index mark {index-se=\"UN\"}: unknown attribute 'index-se' (did you mean 'index-see'?)", 3),
    ("# One\n\nText [UN]{index=United Nations}.\n",
     "index mark {index=United Nations}: its attributes cannot be read: quote a value with spaces, "
     "index=\"Main!Sub\"", 3),
    ("# One\n\n[]{.index}\n", "index mark {.index}: the entry is empty: write the term, [term]{.index}, or give "
     "it, index=\"Term\"", 3),
])
def test_a_malformed_mark_is_an_error_at_its_line(tmp_path: Path, text: str, message: str, line: int) -> None:
    with pytest.raises(ContentError) as caught:
        _read(tmp_path, text)
    assert (caught.value.message, caught.value.line) == (message, line)


def test_a_see_to_no_entry_is_a_warning_at_its_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "octavo"):
        _read(tmp_path, "# One\n\nText.\n\n[UN]{index=\"UN\" index-see=\"United Natoins\"}\n")
    assert [r.getMessage().split(": ", 1)[1] for r in caplog.records] == [
        "index mark {index=\"UN\" index-see=\"United Natoins\"}: 'United Natoins' is no entry of the index; mark "
        "the term it names, or correct the name"]
    assert caplog.records[0].getMessage().startswith(f"{tmp_path / 'b' / '01-one.md'}:5: ")


def test_brackets_that_are_not_marks_stay_as_they_were(tmp_path: Path) -> None:
    root = write_book(tmp_path / "b", {"book.yaml": "title: T\nauthors: [A]\nlanguage: en\nbibliography: refs.bib\n",
                                       "refs.bib": "@book{key, title={Title}, author={Writer, Ada}, year={2020}}\n",
                                       "01-one.md": "# One\n\n[@key]{.index} and [x]{.smallcaps} and "
                                                    "[a link](#one) and [@key].\n"})
    book = read_book(load_config(root, root), root, root)
    assert book.index_marks == ()  # a citation is never a mark; no index chapter (the bibliography's, only)
    assert [c.kind for c in book.chapters if c.kind == "index"] == []
    html = book.chapters[0].html
    assert "Writer 2020" in html and "{.index}" in html  # the citation, then the attribute list as text
    assert "[x]{.smallcaps}" in html and '<a href="#one">a link</a>' in html


def test_the_book_places_its_index_where_a_chapter_of_kind_index_stands(tmp_path: Path) -> None:
    from octavo.scholarly.index import with_index

    root = write_book(tmp_path / "b", {
        "book.yaml": "title: T\nauthors: [A]\nlanguage: de\nchapters: [01-one.md, 02-register.md, 03-anhang.md]\n",
        "01-one.md": "# Eins\n\nDie [Äpfel]{.index} und der [Apfel]{.index}.\n",
        "02-register.md": "---\nkind: index\n---\n\n# Register der Begriffe\n\nEine Vorbemerkung.\n",
        "03-anhang.md": "---\nkind: appendix\n---\n\n# Anhang\n\nDer [Zaun]{.index}.\n"})
    book = read_book(load_config(root, root), root, root)
    assert [c.title for c in book.chapters] == ["Eins", "Register der Begriffe", "Anhang"]
    html = with_index(book, None).chapters[1].html
    assert html.startswith("<p>Eine Vorbemerkung.</p>")  # the chapter's own text, then the entries
    assert re.findall(r'epub:type="index-term">([^<]+)<', html) == ["Apfel", "Äpfel", "Zaun"]


def test_a_book_that_places_no_index_gets_one_at_the_end_in_its_language(tmp_path: Path) -> None:
    root = write_book(tmp_path / "b", {"book.yaml": "title: T\nauthors: [A]\nlanguage: es\n",
                                       "01-one.md": "# Uno\n\nEl [ñandú]{.index}.\n"})
    book = read_book(load_config(root, root), root, root)
    assert [(c.title, c.kind, c.division) for c in book.chapters][-1] == ("Índice alfabético", "index",
                                                                           "backmatter")
    assert [m.entry for m in book.index_marks] == [("ñandú",)]
