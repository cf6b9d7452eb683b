"""A book overrides Octavo's defaults with files of the same name in its own templates/ and styles/."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont

from octavo.manifest import input_key
from octavo.model import BuildOptions
from octavo.preview.watch import Plan, plan_for
from octavo.resources import STYLES, TEMPLATES, Resources

from .conftest import EPOCH, FIXTURE_BOOK, ROOT, Built
from .pdftext import page_texts

#: The changed chapter opening: a line above every numbered chapter's title.
OPENING = '<p class="chapter-number" aria-hidden="true">{{ chapter.number }}</p>'
OWN_OPENING = OPENING + '\n<p class="chapter-motto">Here opens chapter {{ chapter.number }}</p>'
#: A rule the book's own common.css adds to the default one.
OWN_RULE = '\n.chapter-title::after { content: " (styled by the book)"; }\n'
OWN_EPUB_CSS = "/* the book's own EPUB stylesheet */\nbody { margin: 0; }\n"


def own_book(tmp_path: Path) -> Path:
    """The fixture book with its own chapter opening, common.css and epub.css beside its book.yaml."""
    book = shutil.copytree(FIXTURE_BOOK, tmp_path / "book")
    partial = TEMPLATES / "partials" / "chapter.html.j2"
    assert OPENING in partial.read_text(encoding="utf-8")
    (book / "templates" / "partials").mkdir(parents=True)
    (book / "templates" / "partials" / "chapter.html.j2").write_text(
        partial.read_text(encoding="utf-8").replace(OPENING, OWN_OPENING), encoding="utf-8")
    (book / "styles").mkdir()
    (book / "styles" / "common.css").write_text((STYLES / "common.css").read_text(encoding="utf-8") + OWN_RULE,
                                                encoding="utf-8")
    (book / "styles" / "epub.css").write_text(OWN_EPUB_CSS, encoding="utf-8")
    return book


def run_build(content: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out),
                           *extra], capture_output=True, text=True, timeout=600, env=env, check=False)


def embedded_families(path: Path) -> set[str]:
    """The family names inside the font programs a PDF embeds (its /BaseFont names follow the CSS family)."""
    names = set()
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descriptor = font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font else \
                    font.FontDescriptor
                names.add(TTFont(io.BytesIO(descriptor.FontFile2.read_bytes()))["name"].getDebugName(1))
    return names


def epub_text(path: Path) -> str:
    with zipfile.ZipFile(path) as epub:
        return "\n".join(epub.read(name).decode() for name in epub.namelist() if name.endswith(".xhtml"))


def epub_css(path: Path) -> str:
    with zipfile.ZipFile(path) as epub:
        [name] = [name for name in epub.namelist() if name.endswith("epub.css")]
        return epub.read(name).decode()


@pytest.fixture(scope="module")
def overridden(tmp_path_factory: pytest.TempPathFactory) -> Built:
    tmp_path = tmp_path_factory.mktemp("overrides")
    book = own_book(tmp_path)
    result = run_build(book, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    return Built(book, tmp_path / "out", None)  # type: ignore[arg-type]


def test_a_books_own_chapter_opening_shows_in_both_pdfs_and_the_epub(overridden: Built, fixture_book: Built) -> None:
    for kind in ("print", "screen"):
        text = " ".join(page_texts(overridden.path(kind)))
        assert "Here opens chapter 1" in text and "Here opens chapter 2" in text, kind
    assert '<p class="chapter-motto">Here opens chapter 1</p>' in epub_text(overridden.path("epub"))
    # The same book without the override: the defaults.
    assert "Here opens" not in " ".join(page_texts(fixture_book.path("print")))
    assert "Here opens" not in epub_text(fixture_book.path("epub"))


def test_a_books_own_stylesheets_replace_the_defaults_of_the_same_name(overridden: Built,
                                                                       fixture_book: Built) -> None:
    assert "(styled by the book)" in " ".join(page_texts(overridden.path("screen")))
    assert "(styled by the book)" not in " ".join(page_texts(fixture_book.path("screen")))
    assert epub_css(overridden.path("epub")) == OWN_EPUB_CSS
    assert epub_css(fixture_book.path("epub")) == (STYLES / "epub.css").read_text(encoding="utf-8")
    # What the book does not override still comes from the defaults: print.css sets the K-only black,
    # fonts.css the committed faces.
    assert "Vollkorn" in embedded_families(overridden.path("print"))


def test_a_books_own_fonts_css_brings_its_own_fonts(tmp_path: Path) -> None:
    # url() in a stylesheet resolves relative to the file chosen: the book's fonts.css loads the book's fonts.
    book = shutil.copytree(FIXTURE_BOOK, tmp_path / "book")
    (book / "styles" / "faces").mkdir(parents=True)
    shutil.copyfile(STYLES / "fonts" / "DejaVuSansMono.ttf", book / "styles" / "faces" / "Mono.ttf")
    faces = [f'@font-face {{ font-family: "{family}"; font-style: {style}; font-weight: {weight}; '
             f"src: url(faces/Mono.ttf); }}"
             for family in ("Vollkorn", "DejaVu Sans Mono") for style in ("normal", "italic")
             for weight in (400, 600, 700)]
    (book / "styles" / "fonts.css").write_text("\n".join(faces) + "\n", encoding="utf-8")
    result = run_build(book, tmp_path / "out", "screen")
    assert result.returncode == 0, result.stderr
    [pdf_path] = (tmp_path / "out").glob("*.pdf")
    assert embedded_families(pdf_path) == {"DejaVu Sans Mono"}


def test_a_book_without_templates_or_styles_folders_uses_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "book").mkdir()
    assert Resources.search([tmp_path / "book"]) == Resources.search() == Resources((TEMPLATES.resolve(),),
                                                                                     (STYLES.resolve(),))
    found = Resources.search([own_book(tmp_path / "own")])
    assert found.find_style("common.css") == (tmp_path / "own" / "book" / "styles" / "common.css").resolve()
    assert found.find_style("print.css") == (STYLES / "print.css").resolve()
    assert found.find_style("icc/OctavoGenericCMYK.icc") == (STYLES / "icc" / "OctavoGenericCMYK.icc").resolve()


def test_overrides_are_searched_in_order_before_the_defaults(tmp_path: Path) -> None:
    first, second = tmp_path / "content", tmp_path / "project"
    for folder, text in ((first, "first"), (second, "second")):
        (folder / "styles").mkdir(parents=True)
        (folder / "styles" / "print.css").write_text(text)
    (second / "styles" / "epub.css").write_text("second")
    found = Resources.search([first, second])
    assert found.styles == (first.resolve() / "styles", second.resolve() / "styles", STYLES.resolve())
    assert found.find_style("print.css").read_text() == "first"
    assert found.find_style("epub.css").read_text() == "second"
    assert found.find_style("fonts.css") == (STYLES / "fonts.css").resolve()


def test_the_no_op_key_changes_when_an_override_is_added_or_edited(tmp_path: Path) -> None:
    book = shutil.copytree(FIXTURE_BOOK, tmp_path / "book")
    options = BuildOptions(content=book, out=tmp_path / "out", overrides=(book, tmp_path))
    keys = [input_key(options)]
    (tmp_path / "styles").mkdir()  # the project folder's own styles/, outside the content folder
    (tmp_path / "styles" / "print.css").write_text("h1 { color: red; }")
    keys.append(input_key(options))
    (tmp_path / "styles" / "print.css").write_text("h1 { color: blue; }")
    keys.append(input_key(options))
    assert len(set(keys)) == 3


def test_a_rebuild_follows_an_edited_override(tmp_path: Path) -> None:
    book = own_book(tmp_path)
    assert run_build(book, tmp_path / "out", "epub").returncode == 0
    again = run_build(book, tmp_path / "out", "epub")
    assert again.returncode == 0 and "nothing changed" in again.stderr.lower(), again.stderr
    (book / "styles" / "epub.css").write_text(OWN_EPUB_CSS + "p { text-indent: 1em; }\n", encoding="utf-8")
    rebuilt = run_build(book, tmp_path / "out", "epub")
    assert rebuilt.returncode == 0, rebuilt.stderr
    [epub] = (tmp_path / "out").glob("*.epub")
    assert epub_css(epub).endswith("p { text-indent: 1em; }\n")


def test_watch_rebuilds_for_an_override_and_not_for_the_default_it_hides(tmp_path: Path) -> None:
    book = own_book(tmp_path)
    options = BuildOptions(content=book, out=tmp_path / "out", overrides=(book,))
    assert plan_for([book / "templates" / "partials" / "chapter.html.j2"], options) == Plan(
        True, frozenset({"pdf", "epub"}))
    assert plan_for([TEMPLATES / "partials" / "chapter.html.j2"], options) == Plan(False, frozenset())
    assert plan_for([book / "styles" / "epub.css"], options) == Plan(False, frozenset({"epub"}))
    assert plan_for([STYLES / "epub.css"], options) == Plan(False, frozenset())
    assert plan_for([STYLES / "print.css"], options) == Plan(True, frozenset({"pdf"}))  # not overridden
