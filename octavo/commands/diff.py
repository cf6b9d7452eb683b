"""Two PDFs of a book (OLD, NEW) -> the first page where the pagination moved, every page whose picture changed,
and a contact sheet (PNG) of the changed pages side by side."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from octavo.errors import OutputError, UsageError

log = logging.getLogger("octavo")

#: Pages are compared at this resolution (dots per inch): enough to see a word move, quick for 300 pages.
DPI = 40
#: A pixel differs when its grey differs by more than this (anti-aliasing noise stays below it).
NOISE = 24
#: How many characters of each page's opening text say where it begins.
OPENING = 60
#: The contact sheet's pages are drawn this many pixels high.
SHEET_HEIGHT = 240


@dataclass(frozen=True)
class PageOf:
    """One page as the diff sees it."""

    picture: Any
    """Its picture, greyscale (a PIL image)."""
    opening: str
    """The first words of its text, spaces collapsed."""


@dataclass(frozen=True)
class Difference:
    """What changed between two PDFs."""

    old_pages: int
    new_pages: int
    moved: int | None
    """The first page (from 1) that begins with other words than before: the pagination moved there."""
    changed: tuple[int, ...]
    """Every page (from 1) whose picture changed, or that one of the two lacks."""


def read_pages(path: Path, dpi: int = DPI) -> list[PageOf]:
    """Each page of a PDF, rendered at `dpi` and with its opening words."""
    import pypdfium2 as pdfium

    if not path.is_file():
        raise UsageError(f"diff: {path} does not exist; give two PDFs: OLD.pdf NEW.pdf")
    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        raise OutputError(f"diff: {path} cannot be read as a PDF ({exc})") from None
    try:
        pages = []
        for page in pdf:
            picture = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            text = " ".join(page.get_textpage().get_text_range().split())
            pages.append(PageOf(picture, text[:OPENING]))
        return pages
    finally:
        pdf.close()


def compare(old: list[PageOf], new: list[PageOf]) -> Difference:
    """Which pages changed, and where the pagination first moved."""
    moved = next((n for n in range(1, max(len(old), len(new)) + 1)
                  if n > len(old) or n > len(new) or old[n - 1].opening != new[n - 1].opening), None)
    changed = tuple(n for n in range(1, max(len(old), len(new)) + 1)
                    if n > len(old) or n > len(new) or _differs(old[n - 1].picture, new[n - 1].picture))
    return Difference(len(old), len(new), moved, changed)


def _differs(a: Any, b: Any) -> bool:
    from PIL import ImageChops

    if a.size != b.size:
        return True
    mask = ImageChops.difference(a, b).point(lambda v: 255 if v > NOISE else 0)
    return mask.getbbox() is not None


def contact_sheet(old: list[PageOf], new: list[PageOf], pages: tuple[int, ...], target: Path) -> None:
    """A PNG with one row per changed page: the old page, the new one with what changed boxed in red."""
    from PIL import Image, ImageChops, ImageDraw

    rows = []
    for number in pages:
        before = _fit(old[number - 1].picture if number <= len(old) else None)
        after = _fit(new[number - 1].picture if number <= len(new) else None).convert("RGB")
        if number <= len(old) and number <= len(new) and before.size == after.size:
            box = ImageChops.difference(before, after.convert("L")).point(
                lambda v: 255 if v > NOISE else 0).getbbox()
            if box is not None:
                ImageDraw.Draw(after).rectangle(box, outline=(220, 0, 0), width=2)
        row = Image.new("RGB", (before.width + after.width + 90, SHEET_HEIGHT + 8), "white")
        ImageDraw.Draw(row).text((4, SHEET_HEIGHT // 2), f"p. {number}", fill="black")
        row.paste(before.convert("RGB"), (60, 4))
        row.paste(after, (60 + before.width + 20, 4))
        rows.append(row)
    width = max((row.width for row in rows), default=1)
    sheet = Image.new("RGB", (width, sum(row.height for row in rows) or 1), "white")
    y = 0
    for row in rows:
        sheet.paste(row, (0, y))
        y += row.height
    sheet.save(target, format="PNG", optimize=True)


def _fit(picture: Any) -> Any:
    """A page scaled to the sheet's height; a grey page where one PDF has none."""
    from PIL import Image

    if picture is None:
        return Image.new("L", (int(SHEET_HEIGHT * 2 / 3), SHEET_HEIGHT), 200)
    width = max(1, round(picture.width * SHEET_HEIGHT / picture.height))
    return picture.resize((width, SHEET_HEIGHT), Image.Resampling.LANCZOS)


def diff(old_path: Path, new_path: Path, sheet: Path | None) -> Difference:
    """Compare two PDFs, say what changed, and write the contact sheet of the changed pages (if any)."""
    old, new = read_pages(old_path), read_pages(new_path)
    found = compare(old, new)
    log.info("%s: %d pages; %s: %d pages", old_path, found.old_pages, new_path, found.new_pages)
    if not found.changed:
        log.info("no page changed")
        return found
    if found.moved is not None:
        log.info("the pagination moves from page %d on", found.moved)
    else:
        log.info("the pagination is the same: every page begins with the same words")
    log.info("%d page(s) changed: %s", len(found.changed), _ranges(found.changed))
    if sheet is not None:
        contact_sheet(old, new, found.changed, sheet)
        log.info("contact sheet: %s (old left, new right, changes boxed in red)", sheet)
    return found


def diff_against(old: Path, content: Path, out: Path, version: str | None, sheet: Path) -> Difference:
    """`check --against OLD.pdf`: compare OLD with the print PDF the book's last build wrote into `out`."""
    from octavo.config import load_config
    from octavo.model import Edition
    from octavo.output import output_names
    from octavo.program import program

    meta = load_config(content.resolve(), content, version)
    printed = out / output_names(meta.slug, version)[Edition.PRINT]
    if not printed.is_file():
        raise OutputError(f"--against: {printed} does not exist: build the print edition first ({program()} build "
                          "print)")
    return diff(old, printed, sheet)


def _ranges(numbers: tuple[int, ...]) -> str:
    """(3, 4, 5, 9) -> '3-5, 9'."""
    parts: list[str] = []
    start = previous = numbers[0]
    for number in (*numbers[1:], None):
        if number is not None and number == previous + 1:
            previous = number
            continue
        parts.append(f"{start}-{previous}" if previous > start else str(start))
        if number is not None:
            start = previous = number
    return ", ".join(parts)
