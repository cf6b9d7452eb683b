"""Book's IndexMarks + the print edition's pages -> the index chapter's HTML: entries sorted in the book's language,
letter groups, page numbers with runs collapsed into ranges, see and see also (EPUB Indexes 1.0 markup)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import groupby

from octavo.language import labels_for
from octavo.markup import escape
from octavo.model import Book, IndexMark
from octavo.pages import PageMap
from octavo.scholarly.collate import letter_group, sort_key

#: What a locator prints before the pages are known (the first layout): about as wide as a page number.
PLACEHOLDER = "00"
#: Between the first and last page of a range.
EN_DASH = "\u2013"
#: The ids of the index's own entries and groups: a '.' is in no heading's slug, so they meet no id of the text.
ENTRY_ID = "ix.e{}"
GROUP_ID = "ix.g{}"


@dataclass
class Entry:
    """One entry of the index (or a sub-entry), as the marks build it."""

    path: tuple[str, ...]
    """Its levels: ('United Nations', 'Security Council')."""
    sort: str = ""
    """What its last level sorts as (index-sort), '' for the term itself."""
    anchors: list[str] = field(default_factory=list)
    """The marks that point at it, in reading order."""
    see: list[tuple[str, ...]] = field(default_factory=list)
    """The entries it sends the reader to instead."""
    see_also: list[tuple[str, ...]] = field(default_factory=list)
    """The entries it sends the reader to as well."""
    children: dict[str, Entry] = field(default_factory=dict)
    """Its sub-entries, by term."""

    @property
    def term(self) -> str:
        return self.path[-1]


def entries(marks: Sequence[IndexMark]) -> dict[str, Entry]:
    """The marks as a tree of entries, by term; a sub-entry's parents exist even when nothing marks them."""
    top: dict[str, Entry] = {}
    for mark in marks:
        level, entry = top, None
        for depth in range(len(mark.entry)):
            entry = level.setdefault(mark.entry[depth], Entry(mark.entry[: depth + 1]))
            level = entry.children
        assert entry is not None  # a mark's entry has at least one level (indexterms._levels)
        entry.sort = mark.sort or entry.sort
        if mark.see:
            entry.see += [mark.see] if mark.see not in entry.see else []
        else:
            entry.anchors.append(mark.anchor)
        if mark.see_also and mark.see_also not in entry.see_also:
            entry.see_also.append(mark.see_also)
    return top


def find(top: dict[str, Entry], path: tuple[str, ...]) -> Entry | None:
    """The entry at `path`, if the index has it."""
    level, entry = top, None
    for term in path:
        entry = level.get(term)
        if entry is None:
            return None
        level = entry.children
    return entry


def ordered(level: dict[str, Entry], language: str) -> list[Entry]:
    """A level's entries in the book's language's order."""
    return sorted(level.values(), key=lambda entry: sort_key(entry.sort or entry.term, language))


@dataclass(frozen=True)
class Locator:
    """Where an entry is: one page, or a run of pages ('12–14'), linked to the first (and last) mark."""

    first: str
    """The anchor of the first mark on the first page."""
    text: str
    """The folio, '12', or the first of a range."""
    last: str | None = None
    """The anchor of the last mark of a range; None for one page."""
    end: str = ""
    """The folio that ends a range."""


def locators(anchors: Sequence[str], page_map: PageMap | None, fallback: dict[str, str]) -> list[Locator]:
    """An entry's marks -> its locators: one per page, consecutive pages collapsed into a range. Before the
    pages are known, a placeholder per mark; a mark that is on no page is listed by its chapter's title."""
    if page_map is None:
        return [Locator(anchor, PLACEHOLDER) for anchor in anchors]
    placed = sorted((page_map.anchors[a], i, a) for i, a in enumerate(anchors) if a in page_map.anchors)
    found: list[Locator] = []
    runs: list[list[tuple[int, int, str]]] = []
    for item in placed:
        if runs and item[0] - runs[-1][-1][0] <= 1:
            runs[-1].append(item)
        else:
            runs.append([item])
    for run in runs:
        first, last = run[0], run[-1]
        if first[0] == last[0]:
            found.append(Locator(first[2], page_map.folio(first[0])))
        else:
            found.append(Locator(first[2], page_map.folio(first[0]), last[2], page_map.folio(last[0])))
    missing = [a for a in anchors if a not in page_map.anchors]
    return found + [Locator(a, fallback.get(a, PLACEHOLDER)) for a in missing]


@dataclass
class _Writer:
    """Writes the index's HTML, numbering its entries as it goes (the numbers follow the sorted order)."""

    book: Book
    page_map: PageMap | None
    top: dict[str, Entry]
    ids: dict[tuple[str, ...], str] = field(default_factory=dict)
    fallback: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        titles = {chapter.id: chapter.running for chapter in self.book.chapters}
        self.fallback = {mark.anchor: titles.get(mark.chapter, PLACEHOLDER) for mark in self.book.index_marks}
        self.labels = labels_for(self.book.meta.language)
        self._number(ordered(self.top, self.language))

    @property
    def language(self) -> str:
        return self.book.meta.language

    def _number(self, level: list[Entry]) -> None:
        for entry in level:
            self.ids[entry.path] = ENTRY_ID.format(len(self.ids) + 1)
            self._number(ordered(entry.children, self.language))

    def html(self) -> str:
        parts = ['<div class="index-groups">']
        groups = groupby(ordered(self.top, self.language), key=lambda e: letter_group(e.sort or e.term,
                                                                                      self.language))
        for number, (letter, members) in enumerate(_symbols_first(groups), start=1):
            heading = escape(letter) if letter else escape(self.labels["index_symbols"])
            parts.append(f'<section class="index-group" epub:type="index-group" id="{GROUP_ID.format(number)}">'
                         f'<h2 class="index-letter">{heading}</h2>')
            parts.append(self._list(list(members)))
            parts.append("</section>")
        parts.append("</div>")
        return "\n".join(parts)

    def _list(self, level: list[Entry]) -> str:
        items = "".join(self._entry(entry) for entry in level)
        return f'<ul class="index-entries" epub:type="index-entry-list">{items}</ul>'

    def _entry(self, entry: Entry) -> str:
        html = (f'<li class="index-entry" epub:type="index-entry" id="{self.ids[entry.path]}">'
                f'<span class="index-term" epub:type="index-term">{escape(entry.term)}</span>')
        found = locators(entry.anchors, self.page_map, self.fallback)
        if found:
            html += ", " + ", ".join(_locator(locator) for locator in found)
        if entry.see:
            html += (", " if not found else "; ") + self._xref(entry.see, "index-xref-preferred", "index_see")
        if entry.see_also:
            html += "; " + self._xref(entry.see_also, "index-xref-related", "index_see_also")
        if entry.children:
            html += self._list(ordered(entry.children, self.language))
        return html + "</li>"

    def _xref(self, targets: list[tuple[str, ...]], kind: str, label: str) -> str:
        names = []
        for target in targets:
            name = escape(", ".join(target))
            anchor = self.ids.get(target)
            names.append(f'<a href="#{anchor}">{name}</a>' if anchor else name)
        return (f'<span class="index-xref {kind}" epub:type="{kind}"><em>{escape(self.labels[label])}</em> '
                + "; ".join(names) + "</span>")


def _locator(locator: Locator) -> str:
    one = f'<a class="index-locator" epub:type="index-locator" href="#{locator.first}">{escape(locator.text)}</a>'
    if locator.last is None:
        return one
    other = f'<a class="index-locator" epub:type="index-locator" href="#{locator.last}">{escape(locator.end)}</a>'
    return f'<span class="index-locator-range" epub:type="index-locator-range">{one}{EN_DASH}{other}</span>'


def _symbols_first(groups: Iterator[tuple[str | None, Iterator[Entry]]]) -> list[tuple[str | None, list[Entry]]]:
    """Entries that start with no letter are one group, before the letters (groupby may meet them apart)."""
    symbols: list[Entry] = []
    letters: list[tuple[str | None, list[Entry]]] = []
    for letter, members in groups:
        if letter is None:
            symbols += members
        elif letters and letters[-1][0] == letter:
            letters[-1][1].extend(members)
        else:
            letters.append((letter, list(members)))
    return ([(None, symbols)] if symbols else []) + letters


def index_html(book: Book, page_map: PageMap | None) -> str:
    """The index's entries as HTML, for the print edition (page numbers, once `page_map` is known), the screen
    PDF and the EPUB (the same numbers, each a link to its place)."""
    return _Writer(book, page_map, entries(book.index_marks)).html()


#: The page map a first layout is given, which only looks for the pages of the marks: the index chapter is laid out
#: without its entries (two columns cost WeasyPrint a second per page), from the page where it will begin.
FIRST_DRAFT = PageMap(())


def with_index(book: Book, page_map: PageMap | None) -> Book:
    """The book with its index chapter's entries written (after any text of its own), with placeholders for the
    page numbers when `page_map` is None (the live preview), none for FIRST_DRAFT; the book as it is when nothing
    is marked."""
    if not book.index_marks or page_map == FIRST_DRAFT:
        return book
    place = next(i for i, chapter in enumerate(book.chapters) if chapter.kind == "index")
    chapter = book.chapters[place]
    filled = replace(chapter, html="\n".join(filter(None, [chapter.html, index_html(book, page_map)])))
    return replace(book, chapters=(*book.chapters[:place], filled, *book.chapters[place + 1:]))
