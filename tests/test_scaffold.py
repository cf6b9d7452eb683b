"""`new PATH`: a documented book.yaml and sample chapters that build cleanly, EPUB checked by epubcheck."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest

from octavo.check import epubcheck, preflight_pdf
from octavo.cli import main
from octavo.commands.new import book_yaml, title_from_folder
from octavo.config import PRINT_SCHEMA, SCHEMA, load_config
from octavo.model import BuildOptions
from octavo.pipeline import build

from .preview_helpers import collected_warnings, new_book


def test_new_writes_the_publication_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", str(tmp_path / "my-book")]) == 0
    written = sorted(p.relative_to(tmp_path / "my-book").as_posix() for p in (tmp_path / "my-book").rglob("*")
                     if p.is_file())
    assert written == ["01-getting-started.md", "02-notes-and-pictures.md", "book.yaml", "images/open-book.png"]
    err = capsys.readouterr().err
    assert f"Next: python build.py watch --content {tmp_path / 'my-book'}" in err
    assert "Built in" not in err
    assert (tmp_path / "my-book/images/open-book.png").stat().st_size < 10_000


def test_book_yaml_documents_every_key_of_the_schema(tmp_path: Path) -> None:
    """Each key appears (set, or commented out) right under a comment that explains it."""
    lines = book_yaml(tmp_path / "my-book", dt.date(2026, 1, 2)).splitlines()
    keys = [*SCHEMA, *(f"print.{key}" for key in PRINT_SCHEMA)]
    for key in keys:
        name = key.removeprefix("print.")
        indent = "  " if key.startswith("print.") else ""
        pattern = re.compile(rf"^{indent}(# )?{name}:")
        found = [i for i, line in enumerate(lines) if pattern.match(line)]
        assert found, f"book.yaml does not show '{key}'"
        above = lines[found[0] - 1].strip()
        assert above.startswith("# ") and not re.match(r"# \w+:", above), f"'{key}' has no comment above it"


def test_book_yaml_is_filled_in(tmp_path: Path) -> None:
    text = book_yaml(tmp_path / "my-first-novel", dt.date(2026, 1, 2))
    assert 'title: "My First Novel"' in text
    assert "date: 2026-01-02" in text
    assert re.search(r"^identifier: urn:uuid:[0-9a-f-]{36}$", text, re.MULTILINE)
    assert f"python build.py watch --content {tmp_path / 'my-first-novel'}" in text


@pytest.mark.parametrize(("folder", "title"), [
    ("my-first-novel", "My First Novel"),
    ("field_notes", "Field Notes"),
    ("McKinsey-memo", "McKinsey Memo"),
    ("---", "Untitled"),
])
def test_title_from_folder(folder: str, title: str) -> None:
    assert title_from_folder(folder) == title


def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "notes.txt").write_text("mine")
    assert main(["new", str(tmp_path / "book")]) == 2
    assert capsys.readouterr().err == (f"error: {tmp_path / 'book'}/ is not empty; give a new folder name: "
                                       "python build.py new my-book\n")
    assert (tmp_path / "book" / "notes.txt").read_text() == "mine"


def test_new_needs_a_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new"]) == 2
    assert capsys.readouterr().err == "error: new needs a folder to create: python build.py new my-book\n"


@pytest.mark.slow
def test_new_book_builds_an_epub_without_warnings_that_passes_epubcheck(tmp_path: Path) -> None:
    content = new_book(tmp_path)
    with collected_warnings() as warnings:
        result = build(BuildOptions(content=content, out=tmp_path / "dist", targets=("epub",)))
    assert warnings == []
    epub = result.outputs[0]
    assert epub.name == "my-book.epub"
    assert epubcheck(epub) == []
    with zipfile.ZipFile(epub) as archive:
        text = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xhtml"))
        assert "OEBPS/images/open-book.png" in archive.namelist() or any(
            n.endswith("images/open-book.png") for n in archive.namelist())
    # What the samples are there to show: sections, notes, a note block, a described picture, a table.
    assert text.count('role="doc-footnote"') == 3
    assert 'class="callout callout-note"' in text
    assert 'alt="An open book seen from above: two pages of grey text lines either side of the gutter."' in text
    assert "<table>" in text and "<th>Standard</th>" in text
    assert '<h3 id="a-subsection">' in text


def test_new_book_metadata(tmp_path: Path) -> None:
    meta = load_config(new_book(tmp_path, "field-notes"))
    assert (meta.title, meta.slug, meta.language, meta.authors) == ("Field Notes", "field-notes", "en", ("Your Name",))
    assert [p.name for p in meta.chapters] == ["01-getting-started.md", "02-notes-and-pictures.md"]
    assert meta.print.trim_width == 432 and meta.print.bleed == 9


def test_new_book_builds_both_pdfs_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = new_book(tmp_path)
    capsys.readouterr()
    assert main(["--content", str(content), "--out", str(tmp_path / "dist")]) == 0
    assert "warning" not in capsys.readouterr().err
    meta = load_config(content)
    for edition, name in (("print", "my-book-print.pdf"), ("screen", "my-book.pdf")):
        assert preflight_pdf(tmp_path / "dist" / name, edition, meta) == []
