"""Print HTML -> the book's parts: the front matter, runs of chapters cut where a chapter begins, the index; and one
part's own HTML, told where it starts (folio, side, running head) and the pages of what it refers to elsewhere."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import html as lxml_html

from octavo.model import Book
from octavo.pages import folio_value, roman

#: Words of chapters per part: a part ends with the chapter that brings it to this many. The split depends on the
#: book alone (never on the cores), so the outputs are the same bytes on any machine. In most books a chapter a part:
#: a save in `watch` lays out the edited chapter alone (issue 18; 3,000 before, two chapters of the benchmark book:
#: the part laid out, drawn and checked took 1.9 s of CPU, now 0.8 s; a full build's CPU and the PDFs' sizes the same).
PART_WORDS = 1500
#: A book is laid out in parts (book.yaml print: layout: auto) from this many chapters and words of chapters on,
#: about 60 pages at 6 x 9 in: below, one layout costs less than starting the workers and merging.
MIN_CHAPTERS = 6
AUTO_WORDS = 18000
#: The URI a link to an anchor in another part is written with; the merge turns it into a link to the named
#: destination (WeasyPrint drops a link to an anchor missing from its document but keeps this one).
ELSEWHERE = "octavo-part:#"
#: The attribute a page number laid out as text (its target in another part) is carried in.
LITERAL = "data-octavo-page"

#: The rules of print.css that print a page number with target-counter(), as text for a target in another part
#: (the same content, `attr(data-octavo-page)` in place of the counter; more specific, so they win).
LITERAL_CSS = (
    ":root .toc .toc-page[data-octavo-page]::after { content: attr(data-octavo-page); }\n"
    ':root a.xref[data-octavo-page]::after { content: "\\2009(" attr(data-page-label) "\\00a0" attr(data-octavo-page)'
    ' ")"; }\n'
    ':root .crossref-pageno[data-octavo-page]::after { content: " " attr(data-words) "\\00a0" attr(data-octavo-page);'
    ' }\n'
    ":root a.backlink[data-octavo-page]::before { content: attr(data-octavo-page); }\n")
#: Classes whose page number prints in lower-roman figures (print.css: the front matter's targets).
ROMAN_CLASSES = frozenset({"xref-front", "backlink-front", "crossref-front"})


@dataclass(frozen=True)
class Part:
    """A run of the print HTML's top-level elements laid out on its own."""

    number: int
    """Its place in reading order, from 0 (the front matter)."""
    kind: str
    """'front' (laid out last: its contents print every part's pages), 'body', or 'index' (laid out with the pages)."""
    first: int
    """The index of its first top-level element in the print HTML's body."""
    end: int
    """The index after its last top-level element."""
    recto: bool
    """Whether its first element opens on a recto whatever comes before (a part, an opening, chapters on the right)."""


@dataclass(frozen=True)
class Start:
    """Where a part begins in the whole book."""

    folio: int
    """The page counter of its first page."""
    recto: bool
    """Whether its first page is a recto."""
    booktitle: str
    """The running head the pages before it set last (the half-title's, or a part title's)."""


class Source:
    """The print HTML, parsed once for all its parts."""

    def __init__(self, html: str):
        self.root = lxml_html.document_fromstring(html)
        self.children = list(self.root.body)


def split(source: Source, book: Book, chapter_break: str) -> tuple[Part, ...]:
    """The parts of the print HTML: empty when the book is laid out in one piece (too few chapters, or no place to
    cut: no body opening, an index that is not last)."""
    children = source.children
    opening = next((n for n, child in enumerate(children) if _classes(child) & {"opening"}
                    and _classes(child) & {"bodymatter", "part"}), None)
    forced = book.meta.print.layout == "parts"
    if opening is None or book.meta.print.layout == "single" or (len(book.chapters) < MIN_CHAPTERS and not forced):
        return ()
    index = book.chapters[-1].id if book.chapters[-1].kind == "index" else None
    if book.index_marks and (index is None or children[-1].get("id") != index):
        return ()
    front_ids = {e.get("id") for child in children[:opening] for e in child.iter()}
    if any(mark.anchor in front_ids for mark in book.index_marks):
        return ()  # the index is laid out before the front matter: it could not print the front's pages
    parts = [Part(0, "front", 0, opening, True)]
    end = len(children) - (index is not None)
    target, words = PART_WORDS, sum(len(" ".join(c.itertext()).split()) for c in children[opening:end])
    if forced:  # at least three parts of the body, where it has chapters enough
        target = min(target, words // 3 + 1)
    elif words < AUTO_WORDS:
        return ()
    first, words = opening, 0
    for n in range(opening, end):
        words += len(" ".join(children[n].itertext()).split())
        last = n + 1 == end
        cut = last or (words >= target and "part" not in _classes(children[n])
                       and _classes(children[n + 1]) & {"chapter", "part"})
        if cut:
            parts.append(Part(len(parts), "body", first, n + 1, _opens_recto(children[first], chapter_break)))
            first, words = n + 1, 0
    if index is not None:
        parts.append(Part(len(parts), "index", end, end + 1, _opens_recto(children[end], chapter_break)))
    return tuple(parts) if len(parts) > 2 else ()


def _opens_recto(element: lxml_html.HtmlElement, chapter_break: str) -> bool:
    classes = _classes(element)
    return bool(classes & {"part", "opening"}) or ("chapter" in classes and chapter_break == "right")


def _classes(element: lxml_html.HtmlElement) -> set[str]:
    return set((element.get("class") or "").split())


def booktitles(source: Source, parts: tuple[Part, ...], fallback: str) -> tuple[str, ...]:
    """The running head (string booktitle) in force where each part begins: the last one set before it."""
    children = source.children
    out, current = [], fallback
    for part in parts:
        out.append(current)
        for child in children[part.first:part.end]:
            for element in child.iter():
                if "halftitle-title" in _classes(element) or "part-title" in _classes(element):
                    current = element.get("data-running") or current
    return tuple(out)


def part_ids(source: Source, parts: tuple[Part, ...]) -> tuple[frozenset[str], ...]:
    """Every element id in each part."""
    children = source.children
    return tuple(frozenset(e.get("id") for c in children[p.first:p.end] for e in c.iter() if e.get("id"))
                 for p in parts)


def part_html(source: Source, part: Part, start: Start, own: frozenset[str], folios: Mapping[str, str]) -> str:
    """The print HTML with only `part`'s elements in its body, set at `start`; a link to an id of another part leads
    there through ELSEWHERE, and a page number printed for it is the text of its folio (`folios`: id -> label; an
    id not found there prints '0', and the part is laid out again once the pages are known)."""
    root = lxml_html.Element("html", dict(source.root.attrib))
    root.append(copy.deepcopy(source.root.head))
    body = lxml_html.Element("body", dict(source.root.body.attrib))
    root.append(body)
    body.extend(copy.deepcopy(child) for child in source.children[part.first:part.end])
    if len(body) and part.kind != "front":
        body[0].set("data-booktitle", start.booktitle)
    for element in body.iter():
        _refer_elsewhere(element, own, folios)
    style = lxml_html.Element("style")
    rules = [side_rule(start.recto), LITERAL_CSS,
             "body > [data-booktitle] { string-set: booktitle attr(data-booktitle); }"]
    if part.kind != "front":
        rules.append(folio_rule(start.folio))
    style.text = "\n".join(rules)
    root.head.append(style)
    return str(lxml_html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>"))


def side_rule(recto: bool) -> str:
    """The rule of a part's HTML that sets the side of its first page (the first rule of its last style sheet)."""
    return f"html {{ break-before: {'recto' if recto else 'verso'}; }}"


def placed_at(html: str, start: Start, folio: int, recto: bool) -> str:
    """A part's HTML made for `start`, set at another first folio and side instead."""
    return html.replace(side_rule(start.recto), side_rule(recto), 1).replace(folio_rule(start.folio),
                                                                            folio_rule(folio), 1)


def folio_rule(folio: int) -> str:
    """The rule of a part's HTML that sets its first folio (the only place the folio is in it)."""
    return f"@page :first {{ counter-reset: page {folio}; }}"


#: Classes of the elements that print a page number (print.css, target-counter()).
PAGE_NUMBERS = frozenset({"xref", "backlink", "toc-page", "crossref-pageno"})


def page_refs(source: Source, part: Part, own: frozenset[str]) -> tuple[frozenset[str], bool]:
    """The ids outside `part` whose page numbers it prints, and whether it prints the page of one of its own ids
    (from its own page counter, in the body: then its lines depend on its first folio)."""
    targets: set[str] = set()
    for child in source.children[part.first:part.end]:
        for element in child.iter():
            if _classes(element) & PAGE_NUMBERS:
                refs = (element.get(name) or "" for name in ("href", "data-href", "data-ref"))
                targets.update(ref[1:] for ref in refs if ref.startswith("#"))
    return frozenset(targets - own), bool(targets & own)


def blank_html(source: Source) -> str:
    """A page no part holds: the verso left blank before a part that opens on a recto after a recto (the book's
    head, its language and metadata, and an empty body, with no running head or folio, as on a :blank page)."""
    root = lxml_html.Element("html", dict(source.root.attrib))
    root.append(copy.deepcopy(source.root.head))
    root.append(lxml_html.Element("body", dict(source.root.body.attrib)))
    style = lxml_html.Element("style")
    style.text = ("html { break-before: verso; } "
                  "@page { @top-center { content: none; } @bottom-center { content: none; } }")
    root.head.append(style)
    return str(lxml_html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>"))


def _refer_elsewhere(element: lxml_html.HtmlElement, own: frozenset[str], folios: Mapping[str, str]) -> None:
    """A reference from `element` to an id outside its part: the link rewritten, the page number as text."""
    href = element.get("href") or ""
    target = href[1:] if href.startswith("#") else None
    if target is not None and target not in own:
        element.set("href", ELSEWHERE + target)
    ref = element.get("data-ref") or ""
    number_of = target if target is not None else (ref[1:] if ref.startswith("#") else None)
    if number_of is None or number_of in own:
        return
    classes = _classes(element)
    if classes & {"xref", "backlink", "toc-page", "crossref-pageno"}:
        roman_style = bool(classes & ROMAN_CLASSES) or _in_front_toc(element)
        element.set(LITERAL, counter_text(folios.get(number_of, "0"), roman_style))


def _in_front_toc(element: lxml_html.HtmlElement) -> bool:
    return any("toc-frontmatter" in _classes(parent) for parent in element.iterancestors())


def counter_text(label: str, roman_style: bool) -> str:
    """What target-counter(..., page[, lower-roman]) prints for a page whose folio is `label`."""
    value = folio_value(label)
    return roman(value) if roman_style and value > 0 else str(value)
