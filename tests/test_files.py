"""Defects in the files (issue 12): each on a small book made for it, built through the real command line,
asserting on what a reader gets: the PDF's text and links, the EPUB's documents and navigation, epubcheck."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from .conftest import EPOCH, ROOT, write_book
from .epubcheck_loop import EpubCheckLoop
from .pdftext import margin_texts, page_texts

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/"}
BOOK = "title: Files\nauthors: [A. Author]\nlanguage: en\n"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """`python build.py ARGS` as a user runs it, with a fixed build date."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def warnings(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith(("warning:", "error:"))]


def documents(epub: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(epub) as archive:
        return {name.removeprefix("EPUB/"): etree.fromstring(archive.read(name)) for name in archive.namelist()
                if name.endswith((".xhtml", ".ncx"))}


def text_of(element: etree._Element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


@pytest.fixture(scope="module")
def checker() -> Iterator[EpubCheckLoop]:
    loop = EpubCheckLoop()
    yield loop
    loop.close()


# 1. An HTML comment made the sanitiser write the chapter as XML: <a id="x"></a> became <a id="x"/>.

def test_a_comment_and_an_empty_anchor_build_strict_with_the_text_after_the_anchor_intact(tmp_path: Path) -> None:
    book = write_book(tmp_path / "book", {"book.yaml": BOOK, "01-one.md": (
        "# One <a id=\"old-one\"></a><!-- the old name -->\n\n"
        "<!-- a note to the editor -->\n\nBefore the anchor.\n\n"
        "## A section <a id=\"old-name\"></a><!-- kept for old links -->\n\n"
        "<a id=\"x\"></a>\n\nAfter the anchor the text is intact, and [a link to it](#old-name).\n\n"
        "## Another section\n\nMore text in the second section.\n")})
    result = run("--content", book, "--out", tmp_path / "out", "--strict")
    assert result.returncode == 0, result.stderr
    assert warnings(result) == []  # before: "Anchor defined twice" from WeasyPrint, failing --strict
    pages = page_texts(tmp_path / "out" / "files-print.pdf")
    body = next(page for page in pages if "Before the anchor." in page)
    assert "A section After the anchor the text is intact, and a link to it. Another section More text in " \
           "the second section." in body
    contents = next(page for page in pages if page.lower().startswith("contents"))
    assert "A section" in contents and "Another section" in contents
    chapter = documents(tmp_path / "out" / "files.epub")["text/one.xhtml"]
    assert [a.get("id") for a in chapter.iterfind(".//x:a[@id]", NS)] == ["old-one", "old-name", "x"]
    nav = documents(tmp_path / "out" / "files.epub")["nav.xhtml"]
    assert nav.xpath("//x:nav[@epub:type='toc']//x:a[@id]", namespaces=NS) == []  # the contents copy: no ids


# 2. Unknown raw HTML elements went into the EPUB; the build exited 0 with no warning.

@pytest.mark.slow
def test_unknown_elements_become_div_or_span_with_classes_and_one_warning_per_name(
        tmp_path: Path, checker: EpubCheckLoop) -> None:
    listing = "<Listing number=\"1-1\" file-name=\"src/main.rs\">\n\n```rust\nfn main() {}\n```\n\n</Listing>\n"
    book = write_book(tmp_path / "book", {
        "book.yaml": BOOK,
        "01-one.md": f"# One\n\nIntro.\n\n{listing}\nInline <Tabs group=\"os\">tab text</Tabs> here.\n",
        "02-two.md": f"# Two\n\n{listing}\n<my-widget>custom</my-widget>\n\n"
                     "<div align=\"center\" foo=\"bar\">x</div>\n"})
    result = run("--content", book, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    shown = tmp_path / "book"
    assert warnings(result) == [
        f"warning: {shown}/01-one.md:5: raw HTML <Listing> is not an HTML element: it became a "
        "<div class=\"listing\"> (style it by that class, or remove it)",
        f"warning: {shown}/01-one.md:13: raw HTML <Tabs> is not an HTML element: it became a "
        "<span class=\"tabs\"> (style it by that class, or remove it)",
        f"warning: {shown}/02-two.md:11: raw HTML <my-widget> is not an HTML element: it became a "
        "<span class=\"my-widget\"> (style it by that class, or remove it)",
        f"warning: {shown}/02-two.md:13: raw HTML <div align=...>: <div> has no attribute align in HTML, so it "
        "became data-align",
        f"warning: {shown}/02-two.md:13: raw HTML <div foo=...>: <div> has no attribute foo in HTML, so it "
        "became data-foo"]
    docs = documents(tmp_path / "out" / "files.epub")
    div = docs["text/one.xhtml"].find(".//x:div[@data-file-name]", NS)
    assert div.get("class") == "listing number-1-1 file-name-src-main-rs"
    assert div.get("data-file-name") == "src/main.rs" and "fn main() {}" in text_of(div)
    span = docs["text/one.xhtml"].find(".//x:p/x:span[@class='tabs group-os']", NS)
    assert span is not None and span.text == "tab text"
    assert checker.problems(tmp_path / "out" / "files.epub") == ""
    assert "fn main() {}" in " ".join(page_texts(tmp_path / "out" / "files.pdf"))


def test_an_epub_whose_documents_break_the_content_model_is_never_written(tmp_path: Path) -> None:
    """The raw HTML is cleaned; a book's own template can still put anything in: the EPUB is checked before it
    is packaged, and the build fails (exit 3) instead of writing it."""
    chapter = (ROOT / "templates" / "partials" / "chapter.html.j2").read_text(encoding="utf-8")
    book = write_book(tmp_path / "book", {
        "book.yaml": BOOK, "01-one.md": "# One\n\nText.\n",
        "templates/partials/chapter.html.j2": chapter.replace("{{ body | safe }}",
                                                              "<blink>new!</blink>\n{{ body | safe }}")})
    result = run("epub", "--content", book, "--out", tmp_path / "out")
    assert result.returncode == 3
    assert warnings(result) == [
        "error: the EPUB would be invalid: text/one.xhtml:15: <blink> is not an HTML element; no EPUB was "
        "written. Raw HTML is cleaned before this, so a template of the book is the likely cause"]
    assert not (tmp_path / "out").exists()


# 3. check listed 25 of epubcheck's 129 errors (its JSON report lists 25 places per message).

@pytest.mark.slow
def test_check_reports_every_epubcheck_message_grouped_with_counts(tmp_path: Path) -> None:
    book = write_book(tmp_path / "book", {"book.yaml": BOOK, "01-one.md": "# One\n\nText.\n",
                                          "02-two.md": "# Two\n\nText.\n"})
    out = tmp_path / "out"
    assert run("epub", "--content", book, "--out", out).returncode == 0
    epub = out / "files.epub"
    with zipfile.ZipFile(epub) as archive:
        files = {info: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(epub, "w") as archive:  # 20 + 15 elements that are not HTML, in two documents
        for info, data in files.items():
            if info.filename in ("EPUB/text/one.xhtml", "EPUB/text/two.xhtml"):
                count = 20 if "one" in info.filename else 15
                data = data.replace(b"</section>", b"<blink>x</blink>\n" * count + b"</section>")
            archive.writestr(info, data)
    result = run("check", "--content", book, "--out", out)
    assert result.returncode == 3
    lines = result.stderr.splitlines()
    full = [line for line in lines if line.startswith("error: files.epub: epubcheck error: RSC-005")]
    assert len(full) == 10  # the first ten in full
    assert 'element "blink" not allowed here' in full[0]
    assert "error: epubcheck: 35 message(s), the first 10 above; all of them, by message id:" in lines
    summary = next(line for line in lines if line.startswith("error: epubcheck RSC-005 error:"))
    assert summary.startswith("error: epubcheck RSC-005 error: 35 message(s) in 2 file(s): EPUB/text/one.xhtml "
                              "(20), EPUB/text/two.xhtml (15); the first: Error while parsing file: element "
                              "\"blink\" not allowed here")
    assert f"checked 1 file(s) in {out}/: 35 failure(s), 0 warning(s)" in lines


# 4. Heading ids were cut to six words.

@pytest.mark.slow  # a whole book built: about 10-15 s (the default suite's budget)
def test_heading_ids_are_githubs_full_slugs_unique_with_github_suffixes(tmp_path: Path,
                                                                          checker: EpubCheckLoop) -> None:
    book = write_book(tmp_path / "book", {"book.yaml": BOOK, "01-one.md": (
        "# 1948: The First Mission\n\nSee [the tables](#how-to-read-the-tables-in-this-chapter), "
        "[again](#same-title-1), [the café](#émigré-café--co) and [the mission](#1948-the-first-mission).\n\n"
        "## How to Read the Tables in This Chapter\n\nText.\n\n## Same Title\n\nOne.\n\n## Same Title\n\nTwo.\n\n"
        "## Émigré Café & Co.\n\nThree.\n\n## `cargo new --vcs=git`: Options_and More!\n\nFour.\n")})
    result = run("--content", book, "--out", tmp_path / "out", "--strict")
    assert result.returncode == 0, result.stderr
    docs = documents(tmp_path / "out" / "files.epub")
    chapter = docs["text/the-first-mission.xhtml"]  # the file keeps an ASCII name that starts with a letter
    assert [h.get("id") for h in chapter.iterfind(".//x:h2", NS)] == [
        "how-to-read-the-tables-in-this-chapter", "same-title", "same-title-1", "émigré-café--co",
        "cargo-new---vcsgit-options_and-more"]
    assert chapter.find(".//x:section", NS).get("id") == "1948-the-first-mission"
    hrefs = [a.get("href") for a in chapter.iterfind(".//x:p/x:a", NS)]
    assert hrefs == ["#how-to-read-the-tables-in-this-chapter", "#same-title-1", "#émigré-café--co",
                     "#1948-the-first-mission"]
    assert checker.problems(tmp_path / "out" / "files.epub") == ""


# 5. Links to other files of the book were errors, one per run.

LINKS_BOOK = {
    "book.yaml": BOOK + "chapters: [01-start.md, ch02-section.md, sub/x.md]\n",
    "01-start.md": "# Start\n\nSee [the section](ch02-section.md), [its part](ch02-section.md#the-part), "
                   "[x](./sub/x.md) and [the page](ch02-section.html#the-part).\n",
    "ch02-section.md": "# The Section\n\nIntro.\n\n## The Part\n\nPart text. Back to [start](01-start.md).\n",
    "sub/x.md": "# Deep X\n\nUp to [the part](../ch02-section.md#the-part).\n",
}


@pytest.mark.slow  # 9 s: a whole build and epubcheck
def test_links_to_the_books_own_files_go_to_that_chapter_in_every_edition(tmp_path: Path,
                                                                           checker: EpubCheckLoop) -> None:
    book = write_book(tmp_path / "book", LINKS_BOOK)
    result = run("--content", book, "--out", tmp_path / "out", "--strict")
    assert result.returncode == 0, result.stderr
    docs = documents(tmp_path / "out" / "files.epub")
    assert [a.get("href") for a in docs["text/start.xhtml"].iterfind(".//x:p/x:a", NS)] == [
        "the-section.xhtml#the-section", "the-section.xhtml#the-part", "deep-x.xhtml#deep-x",
        "the-section.xhtml#the-part"]
    assert [a.get("href") for a in docs["text/deep-x.xhtml"].iterfind(".//x:p/x:a", NS)] == [
        "the-section.xhtml#the-part"]
    assert checker.problems(tmp_path / "out" / "files.epub") == ""
    pages = page_texts(tmp_path / "out" / "files-print.pdf")
    start = next(i for i, page in enumerate(pages) if page.startswith("1 Start"))
    part = next(i for i, page in enumerate(pages) if "Part text." in page)
    deep = next(i for i, page in enumerate(pages) if page.startswith("3 Deep X"))
    assert (part, deep) == (start + 1, start + 2)  # chapters open on the next page; Start is page 1
    assert margin_texts(tmp_path / "out" / "files-print.pdf")[deep + 1:] == []  # nothing after: the last page
    # On paper, where nothing is clickable: the page each link leads to.
    assert pages[start] == "1 Start See the section (p. 2), its part (p. 2), x (p. 3) and the page (p. 2)."
    with pikepdf.open(tmp_path / "out" / "files.pdf") as pdf:  # on screen: links to those pages
        names = pikepdf.NameTree(pdf.Root.Names.Dests)
        pages_of = {page.objgen: index for index, page in enumerate(pdf.pages)}
        targets = [(str(annot.Dest), pages_of[names[str(annot.Dest)][0].objgen])
                   for annot in pdf.pages[start].obj.get("/Annots", []) if "/Dest" in annot]
    assert sorted(set(targets)) == [("deep-x", deep), ("the-part", part), ("the-section", part)]


def test_every_link_that_cannot_be_resolved_is_reported_in_one_run(tmp_path: Path) -> None:
    book = write_book(tmp_path / "book", {
        **LINKS_BOOK,
        "01-start.md": "# Start\n\nSee [a](missing.md) and [b](ch02-section.md#no-part).\n\n"
                       "And [c](#nowhere) and [d](sub/missing.html).\n",
        "sub/x.md": "# Deep X\n\nUp to [the part](ch02-section.md#the-part).\n"})  # relative to sub/: wrong
    out = tmp_path / "out"
    result = run("--content", book, "--out", out)
    assert result.returncode == 1
    shown = tmp_path / "book"
    fix = "which is no chapter or section file of the book: link to one of its .md files, or to a heading or an " \
          "anchor, [text](#its-id)"
    assert result.stderr.splitlines() == [
        f"error: {shown}/01-start.md:3: link to 'missing.md', {fix}",
        f"error: {shown}/01-start.md:3: link to 'ch02-section.md#no-part', but ch02-section.md has no heading "
        "or anchor with that id",
        f"error: {shown}/01-start.md:5: link to '#nowhere', but no heading or anchor has that id",
        f"error: {shown}/01-start.md:5: link to 'sub/missing.html', {fix}",
        f"error: {shown}/sub/x.md:3: link to 'ch02-section.md#the-part', {fix}"]
    assert not out.exists()


# 6. Metadata dropped silently; abstract, dedication, epigraph, thanks.

@pytest.mark.slow  # 12 s: a whole build of a book with every kind of front matter
def test_abstract_dedication_epigraph_thanks_and_affiliations_are_printed_and_in_the_epub(
        tmp_path: Path, checker: EpubCheckLoop) -> None:
    book = write_book(tmp_path / "book", {
        "book.yaml": "title: Files\nlanguage: en\nauthors:\n  - {name: Ada Lovelace, affiliation: University of "
                     "London}\n  - Charles Babbage\n"
                     "dedication: For everyone who reads the manual.\nthanks: Supported by the Grant "
                            "Foundation.\nabstract: |\n  This paper *studies* parts.\n\n  It has two paragraphs.\n",
        "01-one.md": "---\nepigraph:\n  text: All beginnings are hard.\n  source: A proverb\n---\n\n# One\n\n"
                     "Body text.\n"})
    result = run("--content", book, "--out", tmp_path / "out", "--strict")
    assert result.returncode == 0, result.stderr
    pages = page_texts(tmp_path / "out" / "files-print.pdf")
    title = next(i for i, page in enumerate(pages) if "Supported by the Grant Foundation." in page)
    assert "Ada Lovelace: University of London" in pages[title]
    dedication = pages.index("For everyone who reads the manual.")  # a page of its own
    abstract = next(i for i, page in enumerate(pages) if page.lower().startswith("abstract"))
    contents = next(i for i, page in enumerate(pages) if page.lower().startswith("contents"))
    assert title < dedication < abstract < contents and dedication % 2 == 0  # recto (page index 0 is page 1)
    assert pages[abstract].lower().startswith("abstract this paper studies parts. it has two paragraphs.")
    assert "One All beginnings are hard. — A proverb Body text." in " ".join(pages)
    docs = documents(tmp_path / "out" / "files.epub")
    assert docs["text/dedication.xhtml"].find(".//x:section", NS).get(f"{{{NS['epub']}}}type") == "dedication"
    assert text_of(docs["text/abstract.xhtml"].find(".//x:section", NS)) == \
        "Abstract This paper studies parts. It has two paragraphs."
    assert text_of(docs["text/one.xhtml"].find(".//x:div[@class='epigraph']", NS)) == \
        "All beginnings are hard. A proverb"
    assert "Ada Lovelace, Charles Babbage Ada Lovelace: University of London Supported by the Grant Foundation." in \
        text_of(docs["text/titlepage.xhtml"])
    assert checker.problems(tmp_path / "out" / "files.epub") == ""


# 7. A chapter as several files, and parts.

PARTS_BOOK = {
    "book.yaml": BOOK + "chapters:\n  - 00-preface.md\n  - part: \"Part I: Foundations\"\n    chapters:\n"
                        "      - 01-start.md\n      - file: 02-core.md\n        sections: [02-core-1.md, "
                        "sub/02-core-2.md]\n  - part: \"Part II: Practice\"\n    chapters: [03-use.md]\n",
    "00-preface.md": "---\nkind: preface\n---\n\n# Preface\n\nSee [the core](02-core.md).\n",
    "01-start.md": "# Start\n\nStart text.\n",
    "02-core.md": "# The Core\n\nCore intro.[^1]\n\n[^1]: Core note one.\n",
    "02-core-1.md": "## Deep Dive\n\nDeep text.[^1]\n\n[^1]: Deep note.\n",
    "sub/02-core-2.md": "## Second Section\n\nSecond text, [up](../02-core-1.md#deep-dive).\n",
    "03-use.md": "# Use\n\n" + "Use text that goes on for a while, so that the chapter fills pages. " * 300 + "\n",
}


def test_parts_and_chapters_in_several_files(tmp_path: Path, checker: EpubCheckLoop) -> None:
    book = write_book(tmp_path / "book", PARTS_BOOK)
    result = run("--content", book, "--out", tmp_path / "out", "--strict")
    assert result.returncode == 0, result.stderr
    pages = page_texts(tmp_path / "out" / "files-print.pdf")
    part_one = pages.index("Part I: Foundations")  # a page of its own, recto
    assert part_one % 2 == 0 and pages.index("Part II: Practice") % 2 == 0
    contents = next(page for page in pages if page.lower().startswith("contents"))
    assert re.search(r"Preface .* PART I: FOUNDATIONS .* 1 Start .* 2 The Core .* Deep Dive .* Second Section .* "
                     r"PART II: PRACTICE .* 3 Use", contents, re.I)
    margins = margin_texts(tmp_path / "out" / "files-print.pdf")
    heads = {head.upper() for head, _ in margins[pages.index("Part II: Practice"):]}
    assert heads == {"", "PART II: PRACTICE", "USE"}  # left pages: the part; right: the chapter (small caps)
    core = " ".join(page for page in pages if "Core intro." in page or "Deep text." in page)
    assert "Core intro.1 Deep Dive Deep text.2 Second Section Second text, up" in core
    assert "1. Core note one." in core and "2. Deep note." in core  # notes numbered through the chapter
    docs = documents(tmp_path / "out" / "files.epub")
    toc = docs["nav.xhtml"].find(".//x:nav[@id='contents']/x:ol", NS)
    assert [text_of(li.find("x:a", NS)) for li in toc.iterfind("x:li", NS)] == [
        "Preface", "Part I: Foundations", "Part II: Practice"]
    part = toc.findall("x:li", NS)[1]
    assert [text_of(a) for a in part.iterfind("x:ol/x:li/x:a", NS)] == ["1 Start", "2 The Core"]
    assert [text_of(a) for a in part.iterfind("x:ol/x:li/x:ol/x:li/x:a", NS)] == ["Deep Dive", "Second Section"]
    ncx = docs["toc.ncx"]
    top = [text_of(p.find("ncx:navLabel", NS)) for p in ncx.iterfind("ncx:navMap/ncx:navPoint", NS)]
    assert top == ["Preface", "Part I: Foundations", "Part II: Practice"]
    inner = ncx.findall("ncx:navMap/ncx:navPoint", NS)[1].findall("ncx:navPoint", NS)
    assert [text_of(p.find("ncx:navLabel", NS)) for p in inner] == ["1 Start", "2 The Core"]  # as the nav says
    assert "part-1.xhtml" in docs["nav.xhtml"].find(".//x:li[2]/x:a", NS).get("href")
    assert docs["text/part-1.xhtml"].find(".//x:section", NS).get(f"{{{NS['epub']}}}type") == "part"
    assert [h.get("id") for h in docs["text/the-core.xhtml"].iterfind(".//x:h2", NS)] == ["deep-dive",
                                                                                        "second-section"]
    assert checker.problems(tmp_path / "out" / "files.epub") == ""


def test_a_section_file_must_start_with_a_section_heading(tmp_path: Path) -> None:
    book = write_book(tmp_path / "book", {**PARTS_BOOK, "02-core-1.md": "# Deep Dive\n\nDeep text.\n"})
    result = run("--content", book, "--out", tmp_path / "out")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {tmp_path}/book/02-core-1.md:1: a section file starts with a '##' heading (the chapter's title "
        "is in its chapter file)"]
