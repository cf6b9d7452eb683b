"""octavo diff OLD.pdf NEW.pdf: the pages whose picture changed, where the pagination moved, a contact sheet."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from octavo.commands.diff import SHEET_HEIGHT, compare, contact_sheet, read_pages

from .conftest import build_into, write_book
from .test_page import octavo

WORDS = ("The mission asked every party for patience, and the council answered in kind, "
         "with a mandate that could be read in more than one way. ") * 4
ADDED = "An added paragraph, which pushes the text below it down by a few lines, and so onto the next page. " * 2


def _pdf(path: Path, paragraphs: list[str]) -> Path:
    from weasyprint import HTML

    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    HTML(string=f"<style>@page {{ size: A6 }} p {{ margin: 0 0 1em }}</style>{body}").write_pdf(path)
    return path


def test_an_added_paragraph_moves_the_pages_after_it(tmp_path: Path) -> None:
    old = read_pages(_pdf(tmp_path / "old.pdf", [WORDS] * 6))
    new = read_pages(_pdf(tmp_path / "new.pdf", [WORDS, ADDED, *[WORDS] * 5]))
    found = compare(old, new)
    assert (found.old_pages, found.new_pages) == (len(old), len(new)) and found.new_pages > found.old_pages
    assert found.moved == 2 and found.changed == tuple(range(2, found.new_pages + 1))  # page 1 holds no change
    assert compare(old, old).changed == () and compare(old, old).moved is None
    contact_sheet(old, new, found.changed, tmp_path / "sheet.png")
    with Image.open(tmp_path / "sheet.png") as sheet:
        assert sheet.height == len(found.changed) * (SHEET_HEIGHT + 8)
        # the new page's changes are boxed in red; the old page on the left is grey only
        red = [(x, y) for x in range(sheet.width) for y in range(0, SHEET_HEIGHT, 3)
               if sheet.getpixel((x, y)) == (220, 0, 0)]
        assert red and min(x for x, _ in red) > sheet.width // 2


def test_a_file_that_is_not_there_or_not_a_pdf(tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_text("not a PDF")
    missing = octavo("diff", tmp_path / "none.pdf", tmp_path / "notes.pdf")
    assert missing.code == 2
    assert missing.stderr.strip() == f"error: diff: {tmp_path}/none.pdf does not exist; give two PDFs: OLD.pdf NEW.pdf"
    broken = octavo("diff", tmp_path / "notes.pdf", tmp_path / "notes.pdf")
    assert broken.code == 3 and broken.stderr.startswith(f"error: diff: {tmp_path}/notes.pdf cannot be read as a "
                                                         "PDF ("), broken.stderr


@pytest.mark.slow
def test_two_builds_that_differ_by_one_paragraph(tmp_path: Path) -> None:
    """Through the command line, on the print PDFs of two builds of a book, one paragraph added to chapter 2."""
    yaml = "title: Diff\nauthors: [A. Author]\nlanguage: en\nprint:\n  trim: 4in 6in\n  chapter_start: page\n"
    chapters = {"01.md": "# One\n\n" + "\n\n".join([WORDS] * 5) + "\n",
                "02.md": "# Two\n\n" + "\n\n".join([WORDS] * 8) + "\n"}
    old = build_into(write_book(tmp_path / "old", {"book.yaml": yaml, **chapters}), tmp_path / "old-out", ("print",))
    chapters["02.md"] = chapters["02.md"].replace(WORDS, WORDS + "\n\n" + ADDED, 1)
    new = build_into(write_book(tmp_path / "new", {"book.yaml": yaml, **chapters}), tmp_path / "new-out", ("print",))
    run = octavo("diff", old.path("print"), new.path("print"), "--out", tmp_path / "sheet.png")
    assert run.code == 0, run.stderr
    # Chapter 2 opens on page 11, its first paragraph runs onto page 12, where the new one follows it: page 12
    # changes but begins as before, page 13 begins with other words; the last page is full, and is 17 still.
    assert run.stderr.splitlines()[1:3] == ["the pagination moves from page 13 on", "6 page(s) changed: 12-17"]
    with Image.open(tmp_path / "sheet.png") as sheet:
        assert sheet.height == 6 * (SHEET_HEIGHT + 8)


@pytest.mark.slow
def test_build_and_check_against_the_old_print_pdf(tmp_path: Path) -> None:
    """`build --against OLD` and `check --against OLD`, through the command line, on two builds of a book that
    differ by one paragraph: the same report as `diff`, and the contact sheet in the output folder."""
    yaml = "title: Diff\nauthors: [A. Author]\nlanguage: en\nprint:\n  trim: 4in 6in\n  chapter_start: page\n"
    chapters = {"01.md": "# One\n\n" + "\n\n".join([WORDS] * 5) + "\n",
                "02.md": "# Two\n\n" + "\n\n".join([WORDS] * 8) + "\n"}
    old = build_into(write_book(tmp_path / "old", {"book.yaml": yaml, **chapters}), tmp_path / "old-out", ("print",))
    chapters["02.md"] = chapters["02.md"].replace(WORDS, WORDS + "\n\n" + ADDED, 1)
    book = write_book(tmp_path / "new", {"book.yaml": yaml, **chapters})
    out = tmp_path / "new-out"
    missing = octavo("check", "--content", book, "--out", out, "--against", old.path("print"))
    assert missing.code == 3
    assert missing.stderr.strip() == (f"error: --against: {out}/diff-print.pdf does not exist: build the print "
                                      "edition first (python build.py build print)")
    built = octavo("build", "print", "--content", book, "--out", out, "--against", old.path("print"))
    assert built.code == 0, built.stderr
    report = ["the pagination moves from page 13 on", "6 page(s) changed: 12-17"]
    assert all(line in built.stderr.splitlines() for line in report), built.stderr
    with Image.open(out / "changes.png") as sheet:
        assert sheet.height == 6 * (SHEET_HEIGHT + 8)
    checked = octavo("check", "--content", book, "--out", out, "--against", old.path("print"), "--sheet",
                     tmp_path / "sheet.png")
    assert all(line in checked.stderr.splitlines() for line in report), checked.stderr
    assert (tmp_path / "sheet.png").is_file()
    assert octavo("check", "--content", book, "--out", out, "--against", out / "diff-print.pdf").stderr.count(
        "no page changed") == 1
