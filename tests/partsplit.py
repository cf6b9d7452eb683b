"""Test helpers: a book laid out whole, and in parts split by hand at chapter boundaries (each part laid out
alone with its first folio and side, its links to other parts made `octavo-part:#ID`, the contents' page numbers
of other parts written in), both editions of each written with write_edition."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import html as lxml_html

from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.model import Book
from octavo.pdf.editions import write_edition
from octavo.pdf.layout import lay_out
from octavo.pdf.merge import PART_LINK
from octavo.pdf.pagemap import page_map
from octavo.pipeline import source_date_epoch
from octavo.render import make_environment, render_print_html
from octavo.resources import TEMPLATES, Resources

WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
EDITIONS = ("print", "screen")


@dataclass
class Layouts:
    """A book's two editions laid out whole, and the same editions' parts, in reading order."""

    book: Book
    whole: dict[str, Path]
    parts: dict[str, list[Path]]
    labels: list[str]
    """The whole layout's folios."""


def lay_out_in_parts(content: Path, out: Path, starts: list[str]) -> Layouts:
    """The book at `content` laid out whole, and in len(starts) + 1 parts: each chapter id of `starts` opens one."""
    book = read_book(load_config(content), content)
    env = make_environment(TEMPLATES)
    styles = Resources.search()
    out.mkdir(parents=True, exist_ok=True)
    with source_date_epoch(WHEN):
        full = render_print_html(book, env, "screen", WHEN, "test")
        document = lay_out(full, book, "print", styles)
        labels = [page.label for page in page_map(document).pages]
        whole = {edition: out / f"whole-{edition}.pdf" for edition in EDITIONS}
        for edition in EDITIONS:
            write_edition(document, book, edition, whole[edition])
        parts = lay_out_parts(book, full, document, starts, out)
    return Layouts(book, whole, parts, labels)


def lay_out_parts(book: Book, full: str, document: Any, starts: list[str], out: Path,
                  stem: str = "part") -> dict[str, list[Path]]:
    """Both editions of each part of `full` (the print HTML whose whole layout is `document`), each chapter id
    of `starts` opening one, written to `out`/{stem}{k}-{edition}.pdf."""
    styles = Resources.search()
    labels = [page.label for page in page_map(document).pages]
    anchors: dict[str, int] = {}
    for n, page in enumerate(document.pages):  # the first page an id is on (a chapter's id is on each of its pages)
        for name in page.anchors:
            anchors.setdefault(name, n)
    parts: dict[str, list[Path]] = {edition: [] for edition in EDITIONS}
    bounds: list[str | None] = [None, *starts, None]
    for k in range(len(bounds) - 1):
        html = part_html(full, bounds[k], bounds[k + 1], book.meta.short_title, anchors, labels)
        part = lay_out(html, book, "print", styles)
        for edition in EDITIONS:
            parts[edition].append(out / f"{stem}{k}-{edition}.pdf")
            write_edition(part, book, edition, parts[edition][-1])
    return parts


#: A rule of the print stylesheet that prints the page of another element: its selector and its content.
_REFERENCE = re.compile(r"([^{}]+)\{\s*content:([^;{}]*target-counter\([^;{}]*);", re.S)
_COUNTER = re.compile(r"target-counter\(attr\([\w-]+\),\s*page(?:,\s*[\w-]+)?\)")


@functools.cache
def reference_rules() -> tuple[str, ...]:
    """Each rule of print.css that prints another element's page, made to print `data-part-page` instead (the
    page of an element laid out in another part, which target-counter() cannot see)."""
    rules = []
    sheet = Resources.search().find_style("print.css").read_text(encoding="utf-8")
    for selectors, content in _REFERENCE.findall(sheet):
        marked = ", ".join(re.sub(r"(::?(?:after|before))$", r"[data-part-page]\1", selector.strip())
                           for selector in selectors.split(","))
        rules.append(f"{marked} {{ content:{_COUNTER.sub('attr(data-part-page)', content)}; }}")
    return tuple(rules)


def part_html(full: str, start: str | None, stop: str | None, booktitle: str, anchors: dict[str, int],
              labels: list[str]) -> str:
    """The print HTML with only the body's children from the one with id `start` (None: the first) to the one
    with id `stop` (None: the end), laid out as they are in the whole book."""
    root = lxml_html.document_fromstring(full)
    keep = start is None
    for child in list(root.body):
        if child.get("id") == start:
            keep = True
            child.set("data-booktitle", booktitle)
        if stop is not None and child.get("id") == stop:
            keep = False
        if not keep:
            root.body.remove(child)
    present = {element.get("id") for element in root.iter() if element.get("id")}
    for element in root.iter():
        for name in ("href", "data-href", "data-ref"):
            target = element.get(name) or ""
            if target.startswith("#") and target[1:] not in present:
                element.set("data-part-page", labels[anchors[target[1:]]])  # the page a reference prints
                if name == "href":
                    element.set("href", PART_LINK + target[1:])
    css = list(reference_rules())  # a copy: the rules are cached, and this part adds its own
    if start is not None:
        first = anchors[start]
        side = "recto" if first % 2 == 0 else "verso"
        css.append(f"html {{ break-before: {side}; }} @page :first {{ counter-reset: page {labels[first]}; }} "
                   "section.chapter[data-booktitle] { string-set: booktitle attr(data-booktitle); }")
    style = lxml_html.Element("style")
    style.text = "\n".join(css)
    root.head.append(style)
    return str(lxml_html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>"))
