"""Stage 3b: the EPUBs of the first publication and the fixture book, unzipped and read like a reading system."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from PIL import Image

from octavo.check import epub_structure, epubcheck
from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.epub.a11y import Features, accessibility_metadata, add_missing_roles, conformance_problems
from octavo.epub.typography import smarten
from octavo.errors import ContentError
from octavo.model import BuildOptions
from octavo.pipeline import build

from .conftest import FIXTURE_BOOK, Built, build_into
from .pdftext import fold, margin_texts, page_texts

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
BOOKS = ["seed_book", "fixture_book"]


class Epub:
    """An EPUB opened as a reading system sees it."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as archive:
            self.files = {name: archive.read(name) for name in archive.namelist()}
        self.opf = etree.fromstring(self.files["EPUB/content.opf"])

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.files[f"EPUB/{name}"])

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.iterfind(f".//opf:meta[@property='{prop}']", NS)]

    @property
    def documents(self) -> dict[str, etree._Element]:
        return {name.removeprefix("EPUB/"): etree.fromstring(data) for name, data in self.files.items()
                if name.endswith(".xhtml")}

    @property
    def spine(self) -> list[str]:
        hrefs = {item.get("id"): item.get("href") for item in self.opf.iterfind(".//opf:item", NS)}
        return [hrefs[ref.get("idref")] for ref in self.opf.iterfind(".//opf:itemref", NS)]


def opened(request: pytest.FixtureRequest, book: str) -> tuple[Built, Epub]:
    built: Built = request.getfixturevalue(book)
    return built, Epub(built.path("epub"))


def text_after(marker: etree._Element, words: int) -> str:
    """The first words after an element in reading order, note calls left out."""
    out = ""
    for text in marker.xpath("following::text()"):
        owner = text.getparent()
        holder = owner.getparent() if text.is_tail else owner
        if any("noteref" in (e.get("class") or "") for e in [holder, *holder.iterancestors()]):
            continue
        out += text
        if len(out.split()) > words:
            break
    return " ".join(out.split()[:words])


def words(text: str) -> str:
    """Text compared without case, contents leaders, or numbers (chapter numbers, folios in the contents)."""
    tokens = fold(re.sub(r"(\. ?){2,}", " ", text)).casefold().split()
    return " ".join(t for t in tokens if not re.fullmatch(r"\d+|[ivxlc]+", t))


@pytest.mark.parametrize("book", BOOKS)
def test_epub_passes_the_structure_checks(book: str, request: pytest.FixtureRequest) -> None:
    built, _ = opened(request, book)  # epubcheck on both books: tests/test_build.py
    assert epub_structure(built.path("epub")) == []


def test_the_structure_check_fails_an_epub_whose_page_list_points_nowhere(fixture_book: Built,
                                                                           tmp_path: Path) -> None:
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(fixture_book.path("epub")) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "EPUB/text/second.xhtml":
                data = re.sub(rb'<span epub:type="pagebreak"[^>]*/>', b"", data)
            target.writestr(info, data)
    nav = Epub(fixture_book.path("epub")).xml("nav.xhtml")
    labels = nav.xpath("//x:nav[@epub:type='page-list']//x:a[starts-with(@href, 'text/second.xhtml')]/text()",
                       namespaces=NS)
    assert labels
    assert [f.message for f in epub_structure(broken)] == [
        f"page list entry {label} (text/second.xhtml#page-{label}) is not a page-break marker with that label"
        for label in labels]


@pytest.mark.parametrize("book", BOOKS)
def test_package_and_every_document_carry_the_book_language(book: str, request: pytest.FixtureRequest) -> None:
    _, epub = opened(request, book)
    language = epub.opf.findtext(".//dc:language", namespaces=NS)
    assert epub.opf.get("{http://www.w3.org/XML/1998/namespace}lang") == language
    for root in epub.documents.values():
        assert root.get("lang") == language and root.get("{http://www.w3.org/XML/1998/namespace}lang") == language


def test_one_document_per_chapter_after_cover_title_page_copyright_and_contents(fixture_book: Built) -> None:
    epub = Epub(fixture_book.path("epub"))
    assert epub.spine == ["text/cover.xhtml", "text/titlepage.xhtml", "text/copyright.xhtml", "nav.xhtml",
                          "text/preface.xhtml", "text/first.xhtml", "text/second.xhtml"]
    semantics = {name: (root.find("x:body", NS).get(EPUB_TYPE),
                        [(e.get(EPUB_TYPE), e.get("role")) for e in root.find("x:body", NS).iterfind("*")])
                 for name, root in epub.documents.items()}
    assert semantics["text/titlepage.xhtml"][1][-1] == ("titlepage", None)
    assert semantics["text/copyright.xhtml"][1][-1] == ("copyright-page", None)
    assert semantics["nav.xhtml"][1][1] == ("toc", "doc-toc")
    assert semantics["text/preface.xhtml"] == ("frontmatter", [("preface", "doc-preface")])
    assert semantics["text/first.xhtml"] == ("bodymatter", [("chapter", "doc-chapter")])


def test_navigation_has_contents_landmarks_page_list_and_an_ncx(fixture_book: Built) -> None:
    epub = Epub(fixture_book.path("epub"))
    nav = epub.xml("nav.xhtml")
    toc = [a.get("href") for a in nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS)]
    assert toc == ["text/preface.xhtml#preface", "text/first.xhtml#first", "text/first.xhtml#a-section-with-emphasis",
                   "text/second.xhtml#second"]
    landmarks = [(a.get(EPUB_TYPE), a.get("href")) for a in
                 nav.xpath("//x:nav[@epub:type='landmarks']//x:a", namespaces=NS)]
    assert landmarks == [("cover", "text/cover.xhtml"), ("titlepage", "text/titlepage.xhtml"),
                         ("toc", "nav.xhtml#contents"), ("bodymatter", "text/first.xhtml")]
    assert nav.xpath("//x:nav[@epub:type='page-list']/@role", namespaces=NS) == ["doc-pagelist"]
    ncx = etree.fromstring(epub.files["EPUB/toc.ncx"])
    labels = [fold("".join(t.itertext())) for t in ncx.iterfind(".//ncx:navPoint/ncx:navLabel", NS)]
    assert labels == ["Preface", "1 The First Chapter", "A Section With Emphasis", "2 The Second Chapter"]


def test_footnotes_are_epub3_notes_linked_both_ways(fixture_book: Built) -> None:
    chapter = Epub(fixture_book.path("epub")).xml("text/first.xhtml")
    calls = chapter.xpath("//x:a[@epub:type='noteref']", namespaces=NS)
    assert [a.get("href") for a in calls] == ["#fn-first-1", "#fn-first-2", "#fn-first-1"]
    assert all(a.get("role") == "doc-noteref" for a in calls)
    notes = chapter.xpath("//x:aside[@epub:type='footnote']", namespaces=NS)
    assert [(n.get("id"), n.get("role")) for n in notes] == [("fn-first-1", "doc-footnote"),
                                                              ("fn-first-2", "doc-footnote")]
    back = notes[0].xpath(".//x:a[@role='doc-backlink']/@href", namespaces=NS)
    assert back == ["#fnref-first-1"]


@pytest.mark.parametrize("book", BOOKS)
def test_text_is_typeset_no_straight_quotes_double_hyphens_or_soft_hyphens(book: str,
                                                                            request: pytest.FixtureRequest) -> None:
    _, epub = opened(request, book)
    for name, root in epub.documents.items():
        for element in root.iter():
            if not isinstance(element.tag, str) or element.tag.endswith(("}code", "}pre")):
                continue
            for text in (element.text, element.tail, element.get("alt"), element.get("aria-label")):
                assert not re.search("[\"'\u00ad\ufeff]|--", text or ""), f"{name}: {text!r}"
    for dc in ("title", "description", "rights", "creator"):
        for value in epub.opf.iterfind(f".//dc:{dc}", NS):
            assert not re.search("[\"']|--", value.text or "")


@pytest.fixture(scope="module")
def variant(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The fixture book with its own cover, a print ISBN, and quotes and dashes typed straight in book.yaml."""
    book = tmp_path_factory.mktemp("variant") / "book"
    shutil.copytree(FIXTURE_BOOK, book)
    yaml = (book / "book.yaml").read_text().replace("title: A Small Test Book",
                                                      "title: \"Ada's \\\"Small\\\" Book -- Tested\"")
    yaml += "cover: images/chart.png\nprint_source: 978-0-306-40615-7\n"
    (book / "book.yaml").write_text(yaml)
    return build_into(book, book.parent / "out", ("epub",))


def test_metadata_from_book_yaml_is_typeset_too(variant: Built) -> None:
    epub = Epub(variant.path("epub"))
    assert epub.opf.findtext(".//dc:title", namespaces=NS) == "Ada’s “Small” Book – Tested"
    title = epub.xml("text/titlepage.xhtml").xpath("//x:h1/text()", namespaces=NS)
    assert title == ["Ada’s “Small” Book – Tested"]


def test_print_source_from_book_yaml_names_the_isbn(variant: Built) -> None:
    epub = Epub(variant.path("epub"))
    assert epub.meta("pageBreakSource") == ["urn:isbn:9780306406157"]
    assert epub.opf.xpath("//dc:source/text()", namespaces=NS) == ["urn:isbn:9780306406157"]


@pytest.mark.slow
def test_the_books_own_cover_is_used_when_given(variant: Built) -> None:
    epub = Epub(variant.path("epub"))
    item = epub.opf.find(".//opf:item[@properties='cover-image']", NS)
    assert item.get("href") == "images/chart.png"
    assert epub.files["EPUB/images/chart.png"] == (variant.content / "images" / "chart.png").read_bytes()
    assert "EPUB/cover.png" not in epub.files
    assert "alternativeText" in epub.meta("schema:accessibilityFeature")  # the chart is still in a chapter
    assert epubcheck(variant.path("epub")) == [] and epub_structure(variant.path("epub")) == []


@pytest.mark.parametrize("text, before, expected", [
    ('"Quoted" and \'single\'', " ", "“Quoted” and ‘single’"),
    ("it's the 'nineties' -- or---not...", " ", "it’s the ‘nineties’ – or—not…"),
    ('He said "no"', "(", "He said “no”"),
    ('"Après"', " ", "«\u202fAprès\u202f»"),
    ("soft\u00adhyphen\ufeff", " ", "softhyphen"),
])
def test_smarten_curls_quotes_by_language_and_sets_dashes(text: str, before: str, expected: str) -> None:
    assert smarten(text, "fr" if "Après" in text else "en-GB", before) == expected


def test_conformance_checks_find_what_would_make_the_claim_untrue() -> None:
    root = etree.fromstring(
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en" '
        'xml:lang="en"><head><title>T</title></head><body><section epub:type="chapter" id="a">'
        '<img src="x.png"/><p id="a">x</p><span epub:type="pagebreak" role="doc-pagebreak" id="p1"/>'
        '</section></body></html>')
    assert conformance_problems([("c.xhtml", root)], "en-GB") == [
        "c.xhtml: <html> lang/xml:lang is not 'en-GB'",
        "c.xhtml: <section epub:type=\"chapter\"> has no role=\"doc-chapter\"",
        "c.xhtml: image 'x.png' has no text alternative",
        "c.xhtml: id 'a' is used twice",
        "c.xhtml: page break 'p1' has no aria-label"]
    add_missing_roles(root)
    assert root.find(".//{http://www.w3.org/1999/xhtml}section").get("role") == "doc-chapter"
    book = read_book(load_config(FIXTURE_BOOK), FIXTURE_BOOK)
    claims = [(prop, value) for prop, value, _ in
              accessibility_metadata(book, Features(images=False, page_list=False, conforms=False))]
    assert not [value for prop, value in claims if prop == "dcterms:conformsTo"]
    assert not {"printPageNumbers", "alternativeText"} & {value for _, value in claims}


def test_accessibility_metadata_follows_the_content(seed_book: Built, fixture_book: Built) -> None:
    plain, illustrated = Epub(seed_book.path("epub")), Epub(fixture_book.path("epub"))
    assert plain.meta("schema:accessMode") == ["textual"]
    assert illustrated.meta("schema:accessMode") == ["textual", "visual"]
    assert "alternativeText" not in plain.meta("schema:accessibilityFeature")
    assert "alternativeText" in illustrated.meta("schema:accessibilityFeature")
    assert illustrated.meta("schema:accessModeSufficient") == ["textual", "textual,visual"]
    for epub in (plain, illustrated):
        features = epub.meta("schema:accessibilityFeature")
        assert {"tableOfContents", "readingOrder", "structuralNavigation", "printPageNumbers"} <= set(features)
        assert epub.meta("schema:accessibilityHazard") == ["none"]
        assert epub.meta("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
        assert epub.meta("a11y:certifiedBy") and epub.meta("schema:accessibilitySummary")
    assert "Every image has a text alternative." in illustrated.meta("schema:accessibilitySummary")[0]


def test_page_source_is_the_print_edition_named_in_its_pdf_not_the_epub(seed_book: Built) -> None:
    epub = Epub(seed_book.path("epub"))
    source = epub.meta("pageBreakSource")
    assert source == epub.opf.xpath("//dc:source/text()", namespaces=NS)
    assert source[0] != epub.opf.findtext(".//dc:identifier", namespaces=NS)
    with pikepdf.open(seed_book.path("print")) as pdf:
        xmp = pdf.Root.Metadata.read_bytes().decode()
    assert f"xmp.did:{source[0].removeprefix('urn:uuid:')}" in xmp


@pytest.mark.parametrize("book", BOOKS)
def test_page_list_has_every_print_page_with_the_folio_it_prints(book: str, request: pytest.FixtureRequest) -> None:
    built, epub = opened(request, book)
    nav = epub.xml("nav.xhtml")
    labels = nav.xpath("//x:nav[@epub:type='page-list']//x:a/text()", namespaces=NS)
    folios = [foot for _, foot in margin_texts(built.path("print"))]
    assert len(labels) == len(folios) == built.result.pages["print"]
    printed = [(label, folio) for label, folio in zip(labels, folios, strict=True) if folio]
    assert len(printed) >= 2 and all(label == folio for label, folio in printed)
    assert labels[0] == "i" and "1" in labels


@pytest.mark.parametrize("book", BOOKS)
def test_each_page_break_marker_sits_where_that_print_page_begins(book: str, request: pytest.FixtureRequest) -> None:
    built, epub = opened(request, book)
    nav = epub.xml("nav.xhtml")
    pages = page_texts(built.path("print"))
    heads = [head for head, _ in margin_texts(built.path("print"))]
    documents = epub.documents
    checked = 0
    for number, link in enumerate(nav.xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)):
        file, _, anchor = link.get("href").partition("#")
        marker = documents[file].xpath("//*[@id=$id]", id=anchor)[0]
        body = words(pages[number].removeprefix(heads[number]))
        following = marker.getnext()
        shared = not (marker.tail or "").strip() and following is not None and following.get(EPUB_TYPE) == "pagebreak"
        if not body or shared:
            continue  # a blank page or the half-title: marked where the next page's text begins
        after = words(text_after(marker, 5))[:24]
        assert after in body[:120], f"page {link.text}: marked before '{after}'; the print page begins '{body[:80]}'"
        checked += 1
    assert checked >= built.result.pages["print"] // 2


def test_two_builds_give_the_same_bytes_and_an_epub_alone_equals_the_full_builds(fixture_book: Built,
                                                                                   tmp_path: Path) -> None:
    alone = build_into(FIXTURE_BOOK, tmp_path / "again", ("epub",))
    assert hashlib.sha256(alone.path("epub").read_bytes()).hexdigest() == \
        hashlib.sha256(fixture_book.path("epub").read_bytes()).hexdigest()


def test_zip_is_ocf_mimetype_first_and_stored_every_entry_at_a_fixed_time(fixture_book: Built) -> None:
    with zipfile.ZipFile(fixture_book.path("epub")) as archive:
        entries = archive.infolist()
    assert entries[0].filename == "mimetype" and entries[0].compress_type == zipfile.ZIP_STORED
    assert entries[0].extra == b""
    assert {entry.date_time for entry in entries} == {(1980, 1, 1, 0, 0, 0)}
    assert Epub(fixture_book.path("epub")).meta("dcterms:modified") == ["2026-01-01T00:00:00Z"]


def test_without_source_date_epoch_the_date_is_the_newest_content_file(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    book = tmp_path / "book"
    shutil.copytree(FIXTURE_BOOK, book)
    for path in book.rglob("*"):
        os.utime(path, (1700000000, 1700000000))
    os.utime(book / "02-first.md", (1750000000, 1750000000))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    build(BuildOptions(content=book, out=tmp_path / "out", targets=("epub",)))
    epub = Epub(tmp_path / "out" / "a-small-test-book.epub")
    assert epub.meta("dcterms:modified") == ["2025-06-15T15:06:40Z"]


def test_generated_cover_is_a_1600_by_2560_image_shown_first_and_named_everywhere(fixture_book: Built) -> None:
    epub = Epub(fixture_book.path("epub"))
    item = epub.opf.find(".//opf:item[@properties='cover-image']", NS)
    assert item.get("href") == "cover.png" and item.get("id") == "cover-image"
    assert epub.opf.find(".//opf:meta[@name='cover']", NS).get("content") == "cover-image"
    assert Image.open(io.BytesIO(epub.files["EPUB/cover.png"])).size == (1600, 2560)
    assert epub.spine[0] == "text/cover.xhtml"
    cover = epub.xml("text/cover.xhtml")
    assert cover.find("x:body", NS).get(EPUB_TYPE) == "cover"
    image = cover.find(".//x:img", NS)
    assert image.get("src") == "../cover.png" and image.get("role") == "doc-cover"
    assert image.get("alt") == "Cover: A Small Test Book: Fixtures for Octavo. Ada Tester, Bo Writer."


@pytest.mark.parametrize("markup, line", [("![](images/chart.png)", 5),
                                          ('Text <img src="images/chart.png"> inline.', 5),
                                          ('<div>\n<p>A block.</p>\n<img src="images/chart.png" alt="">\n</div>', 7)])
def test_an_image_without_alt_text_fails_the_build_naming_file_and_line(tmp_path: Path, markup: str,
                                                                        line: int) -> None:
    book = tmp_path / "book"
    shutil.copytree(FIXTURE_BOOK, book)
    (book / "03-second.md").write_text("# The Second Chapter {#second}\n\nA paragraph.\n\n" + markup + "\n")
    with pytest.raises(ContentError) as error:
        build_into(book, tmp_path / "out", ("epub",))
    assert str(error.value).startswith(f"{book}/03-second.md:{line}: image 'images/chart.png' has no alt text: "
                                       "describe it, ")
    assert not (tmp_path / "out" / "a-small-test-book.epub").exists()


def test_a_contents_running_over_several_pages_is_listed_without_warnings(tmp_path: Path) -> None:
    """Each contents page is marked before the navigation list (markers cannot go inside it), silently,
    even when a page begins with a chapter number set apart from its entry."""
    book = tmp_path / "book"
    shutil.copytree(FIXTURE_BOOK, book)
    sections = "".join(f"\n## Section number {n} of a long contents\n\nText {n}.\n" for n in range(1, 61))
    (book / "03-second.md").write_text((book / "03-second.md").read_text().split("[^x]:")[0] + sections
                                       + "\n[^x]: Numbered 1 again.\n")
    built = build(BuildOptions(content=book, out=tmp_path / "out", targets=("epub",), strict=True))
    with zipfile.ZipFile(built.outputs[0]) as epub:
        nav = epub.read("EPUB/nav.xhtml").decode()
    contents_pages = re.findall(r'aria-label="([ivx]+)"', nav)
    assert len(contents_pages) >= 3 and "<li><span" not in nav


_COVER_BEFORE_AND_AFTER_A_LAYOUT = """
import hashlib, sys
from pathlib import Path
from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.epub.cover import generated_cover
from octavo.pdf.layout import lay_out
from octavo.render import make_environment
from octavo.resources import Resources
content = Path(sys.argv[1])
book = read_book(load_config(content), content)
styles = Resources.search()
first = generated_cover(book, make_environment(styles.templates), styles)
lay_out("<html><body><p>A page, laid out with Octavo's engine.</p></body></html>", book, "print", styles)
again = generated_cover(book, make_environment(styles.templates), styles)
print(hashlib.sha256(first).hexdigest() == hashlib.sha256(again).hexdigest())
"""


def test_the_generated_cover_does_not_depend_on_what_the_process_drew_before() -> None:
    """The cover was drawn with WeasyPrint as it comes when a process had laid out nothing yet, and with Octavo's
    patched drawing after a layout: a release's EPUB differed from a build's of the same book (a CI run's
    test_release). Now every drawing goes through pdf/patches.py patch_engines."""
    import subprocess
    import sys

    from .conftest import FIXTURE_BOOK

    result = subprocess.run([sys.executable, "-c", _COVER_BEFORE_AND_AFTER_A_LAYOUT, str(FIXTURE_BOOK)],
                            capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "True", result.stderr
