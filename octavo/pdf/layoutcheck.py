"""Laid-out pages (WeasyPrint Document) -> what a book designer would send back: a heading stranded at a page's
foot, widows and orphans, pages less than two-thirds full, a chapter ending on a page of one or two lines, lines
wider than the text block, hyphen ladders, a word broken at a recto's foot, a figure far from its first reference
(a warning each)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from octavo.pdf.pagerows import HYPHENS, Page, Row, read_pages, runs

#: A page other than a chapter's last is short when its text fills less than this share of its text block.
FULL = 2 / 3
#: A chapter's last page should hold at least this many lines.
LAST_PAGE_LINES = 3
#: Hyphenated lines in a row that make a ladder.
LADDER = 3
#: Points a line may pass its measure by before it overflows (rounding, a hanging hyphen).
SLACK = 1.0


@dataclass(frozen=True)
class Finding:
    """One thing the layout check found."""

    check: str
    """The check's name, as book.yaml `checks:` switches it off (octavo/pagechecks.py)."""
    element: Any
    """The element it is about, to find its file and line (None: the chapter's file)."""
    texts: tuple[str, ...]
    """Text of the element to find its line by."""
    message: str
    """What to say, without the file and line."""


def findings(document: Any, book: Any, first: int = 1) -> list[Finding]:
    """Everything the checks find on the laid-out pages, except what book.yaml switches off (`first`: the number of
    the first page, odd on a recto: a part of the book laid out alone, pdf/parallel.py)."""
    pages = read_pages(document, {chapter.id for chapter in book.chapters}, first)
    off = dict(book.meta.checks_off)
    found: list[Finding] = []
    for name, check in CHECKS:
        if name not in off:
            found += check(pages)
    return found


def _heading_at_foot(pages: list[Page]) -> Iterator[Finding]:
    for page in pages:
        rows = page.text_rows
        # a page of headings alone is a display page (a part's title), not a heading stranded below text
        if rows and rows[-1].heading and rows[-1].text.strip() and not all(row.heading for row in rows):
            heading = [row.text.strip() for row in rows if row.element is rows[-1].element]
            title = " ".join(" ".join(heading).split())
            yield Finding("heading_at_foot", rows[-1].element, (title,),
                          f"the heading '{_clip(title)}' ends {page.label} with no text after it: "
                          "it belongs on the next page, with its text")


def _widows(pages: list[Page]) -> Iterator[Finding]:
    for element, rows in runs(pages):
        if len(rows) < 2:
            continue
        first_page, last_page = rows[0][0], rows[-1][0]
        if first_page is last_page:
            continue
        if sum(1 for page, _ in rows if page is first_page) == 1:
            text = rows[0][1].text.strip()
            yield Finding("widows", element, (text,), f"an orphan at the foot of {first_page.label}: the first "
                          f"line of a paragraph alone, '{_clip(text)}'")
        if sum(1 for page, _ in rows if page is last_page) == 1:
            text = rows[-1][1].text.strip()
            yield Finding("widows", element, (text, rows[-2][1].text.strip()), f"a widow at the top of "
                          f"{last_page.label}: the last line of a paragraph alone, '{_clip(text)}'")


def _chapters(pages: list[Page]) -> dict[str, list[Page]]:
    chapters: dict[str, list[Page]] = {}
    for page in pages:
        if page.chapter is not None:
            chapters.setdefault(page.chapter, []).append(page)
    return chapters


def _short_pages(pages: list[Page]) -> Iterator[Finding]:
    for chapter in _chapters(pages).values():
        for page in chapter[:-1]:
            if page.filled < FULL:
                rows = page.text_rows
                text = rows[-1].text.strip() if rows else ""
                last = f"'{_clip(text)}'" if text else "the image at its foot"
                yield Finding("short_pages", rows[-1].element if rows else None, (text,),
                              f"{page.label} is {page.filled:.0%} full, before the chapter ends: "
                              f"what follows {last} did not fit below it (a figure, a table, a long code block?)")


def _chapter_ends(pages: list[Page]) -> Iterator[Finding]:
    for chapter in _chapters(pages).values():
        last = chapter[-1]
        lines = [row for row in last.text_rows if row.text.strip()]
        if len(chapter) > 1 and len(lines) < LAST_PAGE_LINES and not any(not row.text for row in last.text_rows):
            text = lines[0].text.strip() if lines else ""
            yield Finding("chapter_ends", lines[0].element if lines else None, (text,),
                          f"the chapter ends on {last.label} with {len(lines)} line(s) on it: "
                          "shorten or lengthen the chapter by a few lines")


def _overflow(pages: list[Page]) -> Iterator[Finding]:
    for page in pages:
        for row in page.rows:
            if row.right > row.measure_right + SLACK:
                what = f"'{_clip(row.text.strip())}'" if row.text.strip() else "an image"
                yield Finding("overflow", row.element, (row.text.strip(),),
                              f"a line is {row.right - row.measure_right:.0f} pt wider than the text block on "
                              f"{page.label}: {what}; break it (a long URL or word, a code line, an image too "
                              "wide)")


def _hyphen_ladders(pages: list[Page]) -> Iterator[Finding]:
    for element, rows in runs(pages):
        run: list[tuple[Page, Row]] = []
        for page, row in [*rows, (rows[-1][0], None)]:
            if row is not None and row.text.rstrip().endswith(HYPHENS):
                run.append((page, row))
                continue
            if len(run) >= LADDER:
                first = run[0][1].text.strip()
                yield Finding("hyphen_ladders", element, (first,),
                              f"{len(run)} hyphenated lines in a row on {run[0][0].label}, from '{_clip(first)}': "
                              "reword a line, or keep a word whole (book.yaml hyphenation)")
            run = []


def _recto_hyphen(pages: list[Page]) -> Iterator[Finding]:
    """A word broken across the turn of a leaf: the reader turns the page in the middle of it."""
    for page in pages:
        rows = [row for row in page.text_rows if row.text.strip()]
        if page.number % 2 and rows and rows[-1].breakable and rows[-1].text.rstrip().endswith(HYPHENS[0]):
            text = rows[-1].text.strip()
            yield Finding("recto_hyphen", rows[-1].element, (text,),
                          f"the last line of {page.label}, a recto, ends with a broken word: '{_clip(text)}'; the "
                          "reader turns the leaf in the middle of it")


def _figure_distance(pages: list[Page]) -> Iterator[Finding]:
    where: dict[Any, int] = {}
    for index, page in enumerate(pages):
        for element in page.elements:
            where.setdefault(element, index)
    figures = {element.get("id"): element for element in where
               if element.tag == "figure" and element.get("id")}
    referred: set[str] = set()
    for element, index in sorted(where.items(), key=lambda item: item[1]):
        target = (element.get("href") or "")[1:] if element.tag == "a" else ""
        if not (element.get("href") or "").startswith("#") or target not in figures or target in referred:
            continue
        referred.add(target)
        distance = where[figures[target]] - index
        if abs(distance) > 1:
            text = "".join(element.itertext()).strip()
            yield Finding("figure_distance", element, (text,),
                          f"figure '{target}' is on {pages[where[figures[target]]].label}, {abs(distance)} pages "
                          f"{'after' if distance > 0 else 'before'} its first reference on {pages[index].label}: "
                          "move the figure nearer the text that refers to it")


#: The checks in the order they report, by their names in book.yaml `checks:`.
CHECKS: tuple[tuple[str, Callable[[list[Page]], Iterator[Finding]]], ...] = (
    ("heading_at_foot", _heading_at_foot),
    ("widows", _widows),
    ("short_pages", _short_pages),
    ("chapter_ends", _chapter_ends),
    ("overflow", _overflow),
    ("hyphen_ladders", _hyphen_ladders),
    ("recto_hyphen", _recto_hyphen),
    ("figure_distance", _figure_distance),
)


def layout_defects(document: Any, book: Any, first: int = 1) -> list[str]:
    """One message per finding, with the file and line in front."""
    from octavo.pdf.lines import _where  # the file and line of an element of the print HTML

    pages = document.pages
    root = pages[0]._page_box.children[0].element if pages else None
    parents = {child: parent for parent in root.iter() for child in parent} if root is not None else {}
    return [f"{_where(found.element, parents, book, [t.rstrip(''.join(HYPHENS)) for t in found.texts if t])}"
            f"{found.message} (check {found.check})" for found in findings(document, book, first)]


def _clip(text: str, length: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length] + "…"
