"""A book laid out in parts, in worker processes, against the same book laid out in one piece (issue 18): the same
pages, text, page list and index; the same bytes on one and two workers; an edit lays out only its part again."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from octavo.pipeline import BuildResult
from tests import pdfcompare
from tests.conftest import EPOCH, ROOT, Built, write_book
from tests.pdftext import page_texts

WORDS = ("peace mission council member states diplomacy conflict resolution mandate ceasefire observers troops "
         "operation security general assembly negotiation envoy settlement agreement region border civilians").split()
CHAPTERS = 7


def _paragraph(seed: int, words: int = 90) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(words)).capitalize() + "."


def _chapter(number: int) -> str:
    lines = [f"# Chapter {number}", ""]
    for n in range(4):
        text = _paragraph(number * 10 + n)
        if n == 1:
            text += f" The [mandate]{{.index}} of chapter {number}.[^n{number}]"
        lines += [text, ""]
        if n == 2:
            lines += [f"## Section {number}.1", ""]
    if number == 2:  # a reference forward, across the cut, and one back
        lines += ["See [the last chapter](07-last.md) and [the first](01-first.md).", ""]
    lines += [f"[^n{number}]: A note of chapter {number}.", ""]
    return "\n".join(lines)


def book_files(layout: str, start: str = "auto") -> dict[str, str | bytes]:
    names = ["01-first", *(f"{n:02d}-middle" for n in range(2, CHAPTERS)), "07-last"]
    files: dict[str, str | bytes] = {f"{name}.md": _chapter(n) for n, name in enumerate(names, start=1)}
    files["book.yaml"] = ("title: Parts\nauthors: [A. Tester]\nlanguage: en\n"
                          "identifier: urn:uuid:0b7a1d44-5a4e-5c57-9d0b-3f3c2f2e6d13\n"
                          f"print:\n  trim: 5in 8in\n  layout: {layout}\n  chapter_start: {start}\n")
    return files


def cli_build(content: Path, out: Path, workers: int = 2, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "OCTAVO_WORKERS": str(workers), "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "octavo", "build", str(content), "--out", str(out), *extra],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    return run


def record(out: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((out / ".octavo-parts" / "last-build.json").read_text(encoding="utf-8"))
    return data


#: What each build of the pair said on stderr.
SAID: dict[str, str] = {}


def build_pair(root: Path, start: str = "auto") -> tuple[Built, Built]:
    """The book built in one layout and in parts (two workers), through the command line."""
    built = []
    for layout in ("single", "parts"):
        content = write_book(root / layout, book_files(layout, start))
        SAID[f"{layout}-{start}"] = cli_build(content, root / f"{layout}-dist").stderr
        built.append(Built(content, root / f"{layout}-dist", BuildResult()))
    assert record(built[1].out)["parts"] == 5, "not laid out in parts"  # what the tests compare
    return built[0], built[1]


def warnings(said: str, layout: str) -> list[str]:
    return sorted(line.replace(f"/{layout}/", "/") for line in said.splitlines() if line.startswith("warning:"))


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Built, Built]:
    return build_pair(tmp_path_factory.mktemp("parts"))


def test_the_book_is_laid_out_in_three_parts_and_its_front_matter(pair: tuple[Built, Built]) -> None:
    found = record(pair[1].out)
    assert found["parts"] == 5  # the front matter, three parts of chapters, the index
    assert found["laid out twice"] == 1  # the part that refers forward, laid out again with the real page
    # The second and third parts of chapters were laid out ahead of the chain, before the part before them was:
    # on a recto, from folio 1; both moved to their real folios, one to a verso (pdf/refolio.py). What follows
    # compares their pages with the single layout's.
    assert (found["laid out ahead"], found["folios moved"], found["sides moved"]) == (2, 2, 1)
    assert not (pair[0].out / ".octavo-parts").exists()


def test_the_layout_check_finds_what_it_finds_in_one_layout(pair: tuple[Built, Built]) -> None:
    single, parts = warnings(SAID["single-auto"], "single"), warnings(SAID["parts-auto"], "parts")
    assert any("(PDF page 1" in line for line in parts)  # counted in the whole book, not in a part
    assert parts == single


@pytest.mark.slow
def test_chapters_on_rectos_have_the_pages_of_one_layout(tmp_path: Path) -> None:
    single, parts = build_pair(tmp_path, "right")
    assert record(parts.out)["laid"][0] < 0  # a blank verso of its own before a part that opens on a recto
    for kind in ("print", "screen"):
        assert page_texts(parts.path(kind)) == page_texts(single.path(kind))
    assert warnings(SAID["parts-right"], "parts") == warnings(SAID["single-right"], "single")


@pytest.mark.parametrize("kind", ["print", "screen"])
def test_every_page_has_the_text_of_the_single_layout(pair: tuple[Built, Built], kind: str) -> None:
    single, parts = (page_texts(built.path(kind)) for built in pair)
    assert len(parts) == len(single) > 12
    assert parts == single


def test_the_contents_the_references_and_the_index_print_the_real_pages(pair: tuple[Built, Built]) -> None:
    texts = [" ".join(text.split()) for text in page_texts(pair[1].path("screen"))]
    assert texts[24].startswith("7 Chapter 7")  # PDF page 25, folio 19: five pages of front matter and a blank
    assert "7 Chapter 7 . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . 19" in texts[4]
    assert any("See the last chapter (p. 19) and the first (p. 1)." in text for text in texts)
    assert texts[-1] == "Index M mandate, 2, 5, 8, 11, 14, 17, 20"


def test_the_epub_lists_the_same_pages(pair: tuple[Built, Built]) -> None:
    single, parts = (zipfile.ZipFile(built.path("epub")) for built in pair)
    names = [name for name in single.namelist() if name.endswith(".xhtml")]
    assert names == [name for name in parts.namelist() if name.endswith(".xhtml")]
    assert any(b"epub:type=\"pagebreak\"" in single.read(name) for name in names)
    for name in names:
        assert parts.read(name) == single.read(name), name


@pytest.mark.slow
def test_an_epub_built_alone_takes_its_page_list_from_the_parts(pair: tuple[Built, Built], tmp_path: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "OCTAVO_WORKERS": "2", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "octavo", "build", "epub", str(pair[1].content), "--out",
                          str(tmp_path)], capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    assert record(tmp_path)["parts"] == 5  # laid out in parts, kept for the PDFs' build
    assert (tmp_path / "parts.epub").read_bytes() == pair[1].path("epub").read_bytes()
    assert not list(tmp_path.glob("*.pdf"))


def test_the_part_pdfs_pass_qpdf(pair: tuple[Built, Built]) -> None:
    for kind in ("print", "screen"):
        check = subprocess.run(["qpdf", "--check", str(pair[1].path(kind))], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.slow
def test_one_worker_makes_the_same_bytes_as_two(pair: tuple[Built, Built], tmp_path: Path) -> None:
    cli_build(pair[1].content, tmp_path / "dist", 1)
    for name in ("parts-print.pdf", "parts.pdf", "parts.epub"):
        assert (tmp_path / "dist" / name).read_bytes() == (pair[1].out / name).read_bytes(), name


@pytest.mark.slow
def test_an_edit_lays_out_its_part_only(pair: tuple[Built, Built], tmp_path: Path) -> None:
    content, out = tmp_path / "book", tmp_path / "dist"
    shutil.copytree(pair[1].content, content)
    shutil.copytree(pair[1].out, out)
    chapter = content / "04-middle.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("A note of chapter 4.", "A note of chapter four."),
                       encoding="utf-8")
    cli_build(content, out)
    found = record(out)
    assert found["laid"] == [2]  # chapters 4 to 6 are the second part of chapters; its pages did not change
    assert (found["laid out"], found["laid out twice"]) == (1, 0)
    assert any("A note of chapter four." in text for text in page_texts(out / "parts.pdf"))


# What the merge keeps (pdf/merge.py): the same labels, outline, link targets and structure as one layout.

@pytest.mark.parametrize("kind", ["print", "screen"])
def test_the_merge_keeps_labels_outline_links_and_structure(pair: tuple[Built, Built], kind: str) -> None:
    single, parts = (built.path(kind) for built in pair)
    tagged = (pdfcompare.structure,) if kind == "screen" else ()  # the print edition has no structure tree
    for facts in (pdfcompare.page_labels, pdfcompare.outline, pdfcompare.links, *tagged):
        assert facts(parts) == facts(single), facts.__name__


@pytest.mark.slow
def test_the_workers_die_with_a_killed_build(pair: tuple[Built, Built], tmp_path: Path) -> None:
    from tests.test_faults import _alive, _children

    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "octavo", "build", str(pair[1].content), "--out",
                                str(tmp_path / "dist")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, cache = time.monotonic() + 120, tmp_path / "dist" / ".octavo-parts"
    while not (cache.is_dir() and any(cache.iterdir())):  # a part is being laid out: its folder is staged
        assert time.monotonic() < deadline and process.poll() is None, "no part was laid out"
        time.sleep(0.05)
    workers = _children(process.pid)
    assert workers
    process.kill()
    process.wait()
    time.sleep(2)
    alive = [child for child in workers if _alive(child)]
    for child in alive:
        os.kill(child, signal.SIGKILL)
    assert not alive


@pytest.mark.slow
def test_octavo_check_passes_on_the_parts(pair: tuple[Built, Built]) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(ROOT)}
    check = subprocess.run([sys.executable, "-m", "octavo", "check", str(pair[1].content), "--out", str(pair[1].out)],
                           capture_output=True, text=True, env=env, timeout=600)
    assert check.returncode == 0, check.stderr[-2000:]
    assert "0 failure(s)" in check.stderr + check.stdout


# The split and each part's HTML, without a layout

def _source(tmp_path: Path, layout: str = "parts", extra: str = "",
            more: dict[str, str | bytes] | None = None) -> tuple[Any, Any]:
    import datetime as dt

    from octavo.config import load_config
    from octavo.content.markdown import read_book
    from octavo.model import Edition
    from octavo.pdf.parts import Source
    from octavo.render import make_environment, render_print_html
    from octavo.resources import Resources

    files = book_files(layout)
    files["book.yaml"] = str(files["book.yaml"]) + extra
    files.update(more or {})
    root = write_book(tmp_path / "book", files).resolve()
    book = read_book(load_config(root, root), root, root)
    html = render_print_html(book, make_environment(Resources.search().templates), Edition.SCREEN,
                             dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), "Octavo")
    return book, Source(html)


def test_the_split_keeps_whole_chapters_and_the_index_alone(tmp_path: Path) -> None:
    from octavo.pdf.parts import split

    book, source = _source(tmp_path)
    parts = split(source, book, "page")
    assert [part.kind for part in parts] == ["front", "body", "body", "body", "index"]
    ids = [[child.get("id") for child in source.children[part.first:part.end]] for part in parts]
    assert ids == [[None, "titlepage", "copyright", "contents"], ["chapter-1", "chapter-2", "chapter-3"],
                   ["chapter-4", "chapter-5", "chapter-6"], ["chapter-7"], ["index"]]
    assert [part.recto for part in parts] == [True, True, False, False, True]  # the body and the back matter open
    single = split(*reversed(_source(tmp_path / "one", "single")), "page")  # type: ignore[call-arg]
    assert single == ()


def test_an_index_mark_in_the_front_matter_keeps_the_book_in_one_layout(tmp_path: Path) -> None:
    from octavo.pdf.parts import split

    preface = {"00-preface.md": "---\nkind: preface\n---\n# Preface\n\nThe [mandate]{.index} first.\n"}
    book, source = _source(tmp_path, more=preface)
    assert book.chapters[0].kind == "preface"
    assert split(source, book, "page") == ()
    book, source = _source(tmp_path / "without", more={"00-preface.md": preface["00-preface.md"].replace(
        "[mandate]{.index}", "mandate")})
    assert len(split(source, book, "page")) == 5


def test_a_part_title_stays_with_its_chapters(tmp_path: Path) -> None:
    from octavo.pdf.parts import split

    book, source = _source(tmp_path, extra="chapters:\n  - 01-first.md\n  - part: Part One\n    chapters: ["
                           "02-middle.md, 03-middle.md]\n  - part: Part Two\n    chapters: [04-middle.md, "
                           "05-middle.md, 06-middle.md, 07-last.md]\n")
    parts = split(source, book, "page")
    classes = [(source.children[part.first].get("class") or "").split() for part in parts]
    assert [("part" in first, part.recto) for first, part in zip(classes, parts, strict=True)] == [
        (False, True), (False, True), (True, True), (False, False), (False, True)]  # Part Two opens a part
    assert all("part" not in (source.children[part.end - 1].get("class") or "") for part in parts)


def test_a_part_refers_to_others_through_their_pages(tmp_path: Path) -> None:
    from lxml import html as lxml_html

    from octavo.pdf.parts import ELSEWHERE, LITERAL, Start, part_html, part_ids, split

    book, source = _source(tmp_path)
    parts = split(source, book, "page")
    ids = part_ids(source, parts)
    text = part_html(source, parts[1], Start(1, True, "Parts"), ids[1], {"chapter-7": "19"})
    root = lxml_html.document_fromstring(text)
    xref = next(a for a in root.iter("a") if "chapter-7" in (a.get("href") or ""))
    assert (xref.get("href"), xref.get(LITERAL)) == (ELSEWHERE + "chapter-7", "19")
    back = next(a for a in root.iter("a") if (a.get("href") or "").endswith("chapter-1"))
    assert back.get("href") == "#chapter-1" and back.get(LITERAL) is None  # in this part: target-counter() prints it
    later = part_html(source, parts[2], Start(13, False, "Parts"), ids[2], {})
    assert "@page :first { counter-reset: page 13; }" in later and "html { break-before: verso; }" in later
    front = lxml_html.document_fromstring(part_html(source, parts[0], Start(1, True, ""), ids[0], {"chapter-7": "19"}))
    pages = [span.get(LITERAL) for span in front.iter("span") if "toc-page" in (span.get("class") or "")]
    assert "19" in pages and "0" in pages  # an id not laid out yet prints 0 until its page is known


def test_folios_count_on_in_their_numbering() -> None:
    from octavo.pages import from_roman, shift_folio
    from octavo.pdf.parts import counter_text

    assert [from_roman(label) for label in ("i", "iv", "xiv", "xl", "mcmxc", "", "x1")] == [1, 4, 14, 40, 1990, 0, 0]
    assert [shift_folio(label, 1) for label in ("", "9", "vii", "IX")] == ["1", "10", "viii", "X"]
    assert [shift_folio(label, by) for label, by in (("xiv", -2), ("3", -5), ("ii", -3))] == ["xii", "-2", "-1"]
    assert counter_text("xii", False) == "12" and counter_text("7", True) == "vii"
