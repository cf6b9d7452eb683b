"""Print HTML of a book in parts -> each part laid out in a worker process (or taken from the cache), the parts'
pages placed one after the other, and what the parts refer to across their cuts filled from the real pages.

The parts are placed in reading order (each one's first folio and side follow from the pages before it), but the
next ones are laid out ahead, before the pages before them are known (pdf/chain.py: on a recto, from a guessed
folio, then moved to where they stand), while the workers draw the parts already placed. A page number that a
part prints for an id in a later part is laid out from the last build's pages (or '0'), and the part is laid out
again when the real one differs. The contents (in the front matter) and the index are laid out once the pages
they print are known."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from octavo.model import Book
from octavo.pages import PageMap, PrintPage, folio_value, shift_folio
from octavo.pdf.chain import Chain, workers
from octavo.pdf.partcache import PartCache
from octavo.pdf.parts import (
    Part,
    Source,
    Start,
    blank_html,
    booktitles,
    page_refs,
    part_html,
    part_ids,
)
from octavo.pdf.partwork import Laid
from octavo.resources import Resources

log = logging.getLogger("octavo")
#: Where WeasyPrint reports its pages (progress.py shows them): the parts report theirs there, counted in the body.
_PROGRESS = logging.getLogger("weasyprint.progress")

#: Rounds of the chain at most: the first (later pages guessed), one with the pages found, one more in case a
#: page number's new width moved a page.
MAX_ROUNDS = 3
@dataclass
class Slot:
    """One laid-out piece of the book, in reading order: a part, or a blank page between two."""

    part: Part | None
    """The part, or None for a blank page."""
    key: str
    """Its cache key."""
    laid: Laid
    """What its layout made."""
    html: str
    """The HTML it was laid out from."""
    first: int
    """Its first page, counted from the body's first page as 1 (the front matter's own from 1)."""


@dataclass
class Placed:
    """Every part placed: the book's pages, in reading order."""

    slots: list[Slot]
    """The front matter, a blank page when it ends on a recto, then the body's parts (with blanks between)."""
    cache: PartCache
    """Where the part PDFs are."""
    counts: dict[str, int] = field(default_factory=dict)
    """How many parts were laid out, taken from the cache, and laid out more than once in this build."""

    def pdfs(self, edition: str) -> list[Path]:
        """The part PDFs of one edition ('print' or 'screen'), in reading order."""
        return [self.cache.pdfs(slot.key)[0 if edition == "print" else 1] for slot in self.slots]

    def labels(self) -> list[str]:
        """The folio of every page of the book."""
        return [label for slot in self.slots for label in slot.laid.labels]

    def page_map(self) -> PageMap:
        """The book's page map, the parts' maps joined."""
        pages: list[PrintPage] = []
        anchors: dict[str, int] = {}
        for slot in self.slots:
            offset = len(pages)
            pages += [PrintPage(p.number + offset, p.label, p.start) for p in slot.laid.page_map.pages]
            anchors.update({name: n + offset for name, n in slot.laid.page_map.anchors.items()})
        return PageMap(tuple(pages), anchors)


def place_parts(html: Callable[[PageMap | None], str], source: Source, parts: tuple[Part, ...], book: Book,
                styles: Resources, out: Path, ahead: Callable[[PageMap], None] | None = None) -> Placed:
    """Lay out every part (rounds of the chain until what each part prints of the others' pages is what they
    hold), give `ahead` the book's page map, wait for their PDFs, and keep them in the cache."""
    cache = PartCache(out)
    guesses: dict[str, str] = dict(cache.read_json("folios.json") or {})
    last = cache.read_json("last-build.json") or {}
    starts = {int(n): int(folio) for n, folio in dict(last.get("starts") or {}).items()}
    plan = _plan(source, parts, book)
    chain = Chain(book, styles, cache, max(1, min(workers(), len(parts))))
    try:
        keys: list[str] = []
        kept = set[str]()  # the blank page a recto may need, laid out first: kept even when no part needs it, so
        if any(part.recto for part in parts[1:]):  # that the next build (a save in watch) does not lay it out again
            kept.add(chain.place(-1, blank_html(source), 1, blank=True))
        for _ in range(MAX_ROUNDS + 1):  # the last round only confirms: every part's HTML is the one laid out
            slots, folios = _round(chain, html, plan, guesses, starts)
            if keys == (keys := [slot.key for slot in slots]):
                break
            guesses = folios
        else:
            log.warning("the page numbers printed across the book's parts still changed after %d rounds; "
                        "build it in one layout (book.yaml print: {layout: single})", MAX_ROUNDS)
        _PROGRESS.info("Step 6 - Drawing")  # the page counter's line is erased
        chain.settle([slot.key for slot in slots])
        for slot in slots:
            slot.laid = replace(slot.laid, page_map=chain.now[slot.key].page_map) if slot.part else slot.laid
        if ahead is not None:
            ahead(Placed(slots, cache).page_map())  # the EPUB, made while the workers draw
        chain.finish({slot.key for slot in slots} | kept)
        for slot in slots:
            drawn = chain.now[slot.key]
            slot.laid = replace(slot.laid, records=drawn.records, findings=drawn.findings)
    except BaseException:  # an error, or the build interrupted: the workers stop now, drawing or not
        chain.stop()
        raise
    cache.prune()
    cache.write_json("folios.json", folios)
    placed = Placed(slots, cache, chain.counts)
    cache.write_json("last-build.json", {**chain.counts, "parts": len(parts),
                                         "laid": sorted(n for n in chain.numbers), "starts": starts})
    return placed


@dataclass(frozen=True)
class Plan:
    """What the rounds read of the book's parts, found once."""

    source: Source
    parts: tuple[Part, ...]
    ids: tuple[frozenset[str], ...]
    """Every element id of each part."""
    titles: tuple[str, ...]
    """The running head in force where each part begins."""
    refs: tuple[tuple[frozenset[str], bool], ...]
    """The ids of other parts whose pages each part prints, and whether it prints pages of its own (parts.page_refs)."""
    before: tuple[frozenset[str], ...]
    """The ids of the body's parts before each part."""
    made: dict[tuple[int, Start, tuple[tuple[str, str | None], ...]], str] = field(default_factory=dict, compare=False)
    """Each part's HTML from the first draft, by where it starts and the folios it prints: the rounds and the look
    ahead ask for the same ones again."""

    def html(self, source: Source, part: Part, start: Start, folios: dict[str, str]) -> str:
        """parts.part_html of `part` set at `start`, printing `folios` (made once from the first draft)."""
        if source is not self.source:
            return part_html(source, part, start, self.ids[part.number], folios)
        key = (part.number, start, tuple((name, folios.get(name)) for name in sorted(self.refs[part.number][0])))
        if key not in self.made:
            self.made[key] = part_html(source, part, start, self.ids[part.number], folios)
        return self.made[key]


def _plan(source: Source, parts: tuple[Part, ...], book: Book) -> Plan:
    ids = part_ids(source, parts)
    before, seen = [], frozenset[str]()
    for part in parts:
        before.append(seen)
        seen = seen | ids[part.number] if part.kind == "body" else seen
    return Plan(source, parts, ids, booktitles(source, parts, book.meta.short_title),
                tuple(page_refs(source, part, ids[part.number]) for part in parts), tuple(before))


def _round(chain: Chain, html: Callable[[PageMap | None], str], plan: Plan, guesses: dict[str, str],
           starts: dict[int, int]) -> tuple[list[Slot], dict[str, str]]:
    """One pass of the chain: the body's parts in order (the next ones laid out ahead, their first folios guessed
    from `starts`, the last round's or build's: what they print does not depend on them), the index, then the
    front matter."""
    known: dict[str, str] = {}
    first_draft, parts = plan.source, plan.parts
    blank = blank_html(first_draft)
    body: list[Slot] = []
    position, folio, last_label = 1, 1, ""
    for index, part in enumerate(parts[1:], start=1):
        source = first_draft if part.kind == "body" else Source(html(_body_map(body)))
        recto = position % 2 == 1
        if part.recto and not recto:
            key, laid = chain.lay(-part.number, blank, position, blank=True)
            laid = _relabel(laid, shift_folio(last_label, 1))
            body.append(Slot(None, key, laid, blank, position))
            position, folio, recto = position + 1, folio + 1, True
        start = Start(folio, recto, plan.titles[part.number])
        text = plan.html(source, part, start, {**guesses, **known})
        key = chain.place(part.number, text, position, start, own_pages=plan.refs[part.number][1])
        starts[part.number] = folio
        _look_ahead(chain, plan, parts[index + 1:index + 1 + chain.window], {**guesses, **known}, known, starts)
        laid = chain.laid(key)
        _PROGRESS.info("Step 5 - Creating layout - Page %d", position + laid.pages - 1)  # the page counter
        known.update({name: laid.labels[n] for name, n in laid.anchors.items()})
        body.append(Slot(part, key, laid, text, position))
        position += laid.pages
        folio = folio_value(laid.labels[-1]) + 1
        last_label = laid.labels[-1]
    front_text = plan.html(first_draft, parts[0], Start(1, True, ""), {**guesses, **known})
    key, front = chain.lay(0, front_text, 1)  # set as its HTML sets it: it resets no page counter of its own
    known.update({name: front.labels[n] for name, n in front.anchors.items()})
    slots = [Slot(parts[0], key, front, front_text, 1)]
    if front.pages % 2:
        key, laid = chain.lay(-1000, blank, front.pages + 1, blank=True)
        slots.append(Slot(None, key, _relabel(laid, shift_folio(front.labels[-1], 1)), blank, front.pages + 1))
    return slots + body, known


def _look_ahead(chain: Chain, plan: Plan, upcoming: tuple[Part, ...], folios: dict[str, str], known: dict[str, str],
                starts: dict[int, int]) -> None:
    """Lay out ahead the next parts of the body whose pages printed of the parts before them are known, on a recto,
    each from a guessed first folio; one that prints its own pages only when a guess was made from a real build
    (a wrong guess lays it out again)."""
    for part in upcoming:
        if len(chain.ahead) >= chain.window:
            return
        if part.number in chain.ahead:  # laid out ahead already (Chain.guess would find it there)
            continue
        refs, own_pages = plan.refs[part.number]
        if part.kind != "body" or (refs & plan.before[part.number]) - known.keys():
            continue
        if own_pages and part.number not in starts:
            continue
        guess = starts.get(part.number, 1)
        start = Start(guess, True, plan.titles[part.number])
        chain.guess(part.number, plan.html(plan.source, part, start, folios), guess)


def _body_map(body: list[Slot]) -> PageMap:
    """The pages laid out so far after the front matter, numbered from 1: what the index prints them as."""
    return Placed(body, PartCache(Path())).page_map()


def _relabel(laid: Laid, label: str) -> Laid:
    """A blank page with the folio it has where it stands (the one after the page before it)."""
    pages = PageMap(tuple(PrintPage(p.number, label, p.start) for p in laid.page_map.pages))
    return Laid(laid.number, laid.key, laid.pages, (label,), laid.anchors, pages, (), laid.records)


_PAGE = re.compile(r"(PDF page |on page )(\d+)\b(?! \(PDF)")


def log_findings(placed: Placed) -> None:
    """The parts' log records, then their layout findings, in reading order."""
    for slot in placed.slots:
        for name, level, message in slot.laid.records:
            logging.getLogger(name).log(level, "%s", message)
    for message in findings(placed):
        log.warning("%s", message)


def findings(placed: Placed) -> list[str]:
    """The parts' layout findings in reading order, with their pages counted in the whole book."""
    front = sum(slot.laid.pages for slot in placed.slots if slot.part is not None and slot.part.kind == "front")
    offset = front + (front % 2)
    out = []
    for slot in placed.slots:
        shift = 0 if slot.part is not None and slot.part.kind == "front" else offset
        out += [shifted(message, shift) for message in slot.laid.findings]
    return out


def shifted(message: str, by: int) -> str:
    """A layout finding with its pages counted `by` pages further on."""
    return _PAGE.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + by}", message)
