"""`new PATH`: a book repository (content/ with a documented book.yaml and sample chapters that build cleanly,
a .gitignore, a README, GitHub workflows), written whole or not at all."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from octavo import __version__
from octavo.check import epubcheck, preflight_pdf
from octavo.cli import main
from octavo.commands.new import SCAFFOLD, book_yaml, new_publication, title_from_folder
from octavo.config import PRINT_SCHEMA, SCHEMA, load_config
from octavo.model import BuildOptions
from octavo.pipeline import build

from .conftest import ROOT
from .preview_helpers import collected_warnings, new_book


def test_new_writes_a_book_repository(tmp_path: Path) -> None:
    result = run("new", "my-book", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    book = tmp_path / "my-book"
    written = sorted(p.relative_to(book).as_posix() for p in book.rglob("*") if p.is_file())
    assert written == [".github/workflows/build.yml", ".github/workflows/release.yml", ".gitignore", "README.md",
                       "content/01-getting-started.md", "content/02-notes-and-pictures.md", "content/book.yaml",
                       "content/images/open-book.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-book"]  # nothing staged is left beside it
    assert result.stderr.splitlines()[1:] == [
        "Next: python build.py watch my-book   (a live preview; Ctrl-C stops it)",
        "  or: python build.py build my-book   (the PDFs and the EPUB, in my-book/dist)"]
    assert (book / "content/images/open-book.png").stat().st_size < 10_000
    assert (book / ".gitignore").read_text().splitlines()[2] == "dist/"
    readme = (book / "README.md").read_text()
    assert readme.startswith("# My Book\n")
    for command in (f'pip install "octavo=={__version__}"', "octavo watch", "octavo check", "octavo release v1.0.0",
                    "git push origin v1.0.0"):
        assert command in readme
    assert "@@" not in readme and "python build.py" not in readme
    assert oct(book.stat().st_mode & 0o777) == oct(0o777 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)


def test_new_leaves_nothing_behind_when_it_fails(tmp_path: Path) -> None:
    broken = tmp_path / "scaffold"
    shutil.copytree(SCAFFOLD, broken)
    (broken / "repository" / "README.md").write_bytes(b"\xff not UTF-8")
    with pytest.raises(UnicodeDecodeError):
        new_publication(tmp_path / "out" / "deeper" / "my-book", scaffold=broken)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scaffold"]


def test_new_keeps_an_empty_folder_and_takes_its_place(tmp_path: Path) -> None:
    (tmp_path / "my-book").mkdir()
    new_publication(tmp_path / "my-book")
    assert (tmp_path / "my-book" / "content" / "book.yaml").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-book"]


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
    assert f"# Build it with:    octavo build {tmp_path / 'my-first-novel'}   (" in text
    assert f"# Preview it with:  octavo watch {tmp_path / 'my-first-novel'}   (" in text


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
    assert main(["build", str(content.parent)]) == 0
    assert "warning" not in capsys.readouterr().err
    meta = load_config(content)
    for edition, name in (("print", "my-book-print.pdf"), ("screen", "my-book.pdf")):
        assert preflight_pdf(content.parent / "dist" / name, edition, meta) == []
