"""`python build.py check` and `--check`: epubcheck and a printer's preflight on what is in the output folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from octavo.cli import main

from .conftest import EPOCH, FIXTURE_BOOK, Built, png, write_book

KDP_SHORT = "a-small-test-book-print.pdf: 11 pages; Amazon KDP accepts 24 to 828 pages (for proofs of a short book, " \
            "use printer: generic)"
ODD = "a-small-test-book-print.pdf: 11 pages, an odd number: a printed book has two pages to a leaf, so the printer " \
      "will add a blank page at the end"


def test_a_kdp_book_under_24_pages_fails_and_an_odd_count_is_advice(
        fixture_book: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(fixture_book.path("print"), tmp_path)
    assert main(["check", "--content", str(FIXTURE_BOOK), "--out", str(tmp_path)]) == 3
    assert capsys.readouterr().err.splitlines() == [
        f"error: {KDP_SHORT}",
        f"warning: {ODD}",
        f"checked 1 file(s) in {tmp_path}/: 1 failure(s), 1 warning(s)",
        f"error: 1 problem(s) found in {tmp_path}/"]


def test_a_damaged_pdf_is_reported_not_a_traceback(fixture_book: Built, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    data = fixture_book.path("screen").read_bytes()
    (tmp_path / "a-small-test-book.pdf").write_bytes(data[: len(data) // 3])
    assert main(["check", "--content", str(FIXTURE_BOOK), "--out", str(tmp_path), "-q"]) == 3
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("error: a-small-test-book.pdf: cannot be read as a PDF (")
    assert lines[0].endswith("); build it again")
    assert lines[1:] == [f"error: 1 problem(s) found in {tmp_path}/"]


def test_nothing_to_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--content", str(FIXTURE_BOOK), "--out", str(tmp_path), "-q"]) == 3
    assert capsys.readouterr().err.splitlines() == [
        f"error: nothing to check in {tmp_path}/: build first (python build.py)"]


@pytest.mark.slow
def test_check_after_a_build_and_strict_advice(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """--check: build, then validate, in one command. The book has an odd page count: advice, which
    fails only with --strict."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    book = write_book(tmp_path / "book", {
        "book.yaml": "title: T\nauthors: [A]\nlanguage: en\n",
        "01-one.md": "# One\n\nText with a picture.\n\n![A grey square](images/pic.png)\n",
        "images/pic.png": png()})
    out = tmp_path / "out"
    assert main(["--check", "--content", str(book), "--out", str(out)]) == 0
    lines = capsys.readouterr().err.splitlines()
    odd = "t-print.pdf: 7 pages, an odd number: a printed book has two pages to a leaf, so the printer will add " \
          "a blank page at the end"
    assert lines[-3:-1] == [f"warning: {odd}", f"checked 3 file(s) in {out}/: 0 failure(s), 1 warning(s)"]
    assert lines[-1].startswith("Built in ")
    (out / "t.epub").unlink()  # epubcheck has passed it above; spare the second run
    assert main(["check", "--strict", "--content", str(book), "--out", str(out), "-q"]) == 3
    assert capsys.readouterr().err.splitlines() == [f"error: {odd}", f"error: 1 problem(s) found in {out}/ (--strict)"]
