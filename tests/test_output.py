"""Writers: nothing lost (a failed or interrupted build leaves the old outputs) and every build reproducible."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from octavo.errors import TemplateError
from octavo.model import BuildOptions
from octavo.output import staged
from octavo.pipeline import build
from octavo.resources import STYLES, TEMPLATES

from .conftest import EPOCH, FIXTURE_BOOK, ROOT, Built, build_into


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in a folder, hidden ones (temporary .part files) included."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A copy of the fixture book and a folder of outputs built from it, as a user has after a build."""
    root = tmp_path_factory.mktemp("previous")
    book = shutil.copytree(FIXTURE_BOOK, root / "book")
    build_into(book, root / "dist")
    # The next build would differ: the chapter has changed since.
    chapter = book / "03-second.md"
    chapter.write_text(chapter.read_text() + "\nA paragraph added after the last build.\n")
    return book, snapshot(root / "dist")


def fresh_copy(previous: tuple[Path, dict[str, bytes]], tmp_path: Path) -> tuple[Path, Path]:
    book, outputs = previous
    out = tmp_path / "dist"
    out.mkdir()
    for name, data in outputs.items():
        (out / name).write_bytes(data)
    return book, out


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_build_interrupted_while_writing_leaves_the_previous_outputs(
        previous: tuple[Path, dict[str, bytes]], tmp_path: Path, signum: int) -> None:
    book, out = fresh_copy(previous, tmp_path)
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--content", str(book), "--out", str(out)],
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    # The screen PDF being written means the print PDF is finished and waiting in its own temporary file.
    deadline = time.monotonic() + 120
    while not list(out.glob(".a-small-test-book.pdf.*.part")):
        assert process.poll() is None and time.monotonic() < deadline, "the build ended before it could be stopped"
        time.sleep(0.005)
    assert list(out.glob(".a-small-test-book-print.pdf.*.part"))
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    assert stderr.splitlines()[-1] == "error: interrupted; the previous outputs are untouched"
    assert snapshot(out) == previous[1]


def test_a_build_failing_after_the_pdfs_leaves_every_previous_output(
        previous: tuple[Path, dict[str, bytes]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDFs are rendered, then the EPUB's template fails: neither PDF may replace its predecessor."""
    book, out = fresh_copy(previous, tmp_path)
    templates = shutil.copytree(TEMPLATES, tmp_path / "templates")
    document = templates / "epub" / "document.xhtml.j2"
    document.write_text(document.read_text().replace("{{ doc_title }}", "{{ doc_title | no_such_filter }}"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    with pytest.raises(TemplateError) as error:
        build(BuildOptions(content=book, out=out, templates=templates))
    assert str(error.value) == f"{document}:6: template syntax error: No filter named 'no_such_filter'."
    assert snapshot(out) == previous[1]


def copy_book(to: Path) -> Path:
    """The fixture book copied elsewhere, file times kept."""
    return shutil.copytree(FIXTURE_BOOK, to, copy_function=shutil.copy2)


def test_two_builds_from_different_folders_are_byte_identical(
        fixture_book: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same source, same SOURCE_DATE_EPOCH: the same bytes, PDF/X document id and all, wherever the book, the
    styles and the outputs are (a CI checkout is not where the author's copy is)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out = tmp_path / "out"
    build(BuildOptions(content=copy_book(tmp_path / "elsewhere" / "book"), out=out,
                       styles=shutil.copytree(STYLES, tmp_path / "elsewhere" / "styles")))
    assert sorted(os.listdir(out)) == sorted(os.listdir(fixture_book.out))
    for name in os.listdir(fixture_book.out):
        assert (out / name).read_bytes() == (fixture_book.out / name).read_bytes(), name


def test_without_source_date_epoch_the_date_is_the_newest_content_files(
        fixture_book: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No SOURCE_DATE_EPOCH: the newest content file gives the date, so the bytes match a build given that date."""
    book = copy_book(tmp_path / "book")
    for path in book.rglob("*"):
        os.utime(path, (int(EPOCH) - 86400, int(EPOCH) - 86400))
    os.utime(book / "02-first.md", (int(EPOCH), int(EPOCH)))  # the newest
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    build(BuildOptions(content=book, out=tmp_path / "out"))
    with zipfile.ZipFile(tmp_path / "out" / "a-small-test-book.epub") as epub:
        opf = epub.read("EPUB/content.opf").decode()
    assert re.search(r'<meta property="dcterms:modified">([^<]+)</meta>', opf).group(1) == "2026-01-01T00:00:00Z"
    for name in os.listdir(fixture_book.out):
        assert (tmp_path / "out" / name).read_bytes() == (fixture_book.out / name).read_bytes(), name


def test_staging_replaces_every_output_together_or_none(tmp_path: Path) -> None:
    out = tmp_path / "new" / "dist"
    with pytest.raises(RuntimeError), staged() as staging:
        staging.write(out / "a.pdf", b"new a")
        raise RuntimeError("the EPUB failed")
    assert not (tmp_path / "new").exists()  # a failed first build leaves no empty folder either
    out.mkdir(parents=True)
    (out / "a.pdf").write_bytes(b"old a")
    with staged() as staging:
        staging.write(out / "a.pdf", b"new a")
        staging.write(out / "b.epub", b"new b")
        assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["a.pdf"]
    assert snapshot(out) == {"a.pdf": b"new a", "b.epub": b"new b"}
