"""Print HTML of a book in parts -> each part laid out in a worker process (or taken from the cache), the parts'
pages placed one after the other, and what the parts refer to across their cuts filled from the real pages.

The parts are laid out in reading order, each as soon as the one before it is laid out (its first folio and side
follow from the pages before it), while the workers that laid out the earlier parts draw their PDFs: the layouts
form one chain, the drawing runs beside it. A page number that a part prints for an id in a later part is laid out
from the last build's pages (or '0'), and the part is laid out again when the real one differs. The contents (in
the front matter) and the index are laid out once the pages they print are known."""

from __future__ import annotations

import itertools
import logging
import multiprocessing as mp
import os
import queue
import re
import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from octavo.model import Book
from octavo.pages import PageMap, PrintPage, from_roman, roman
from octavo.pdf.partcache import PRINT, SCREEN, PartCache, inputs_key, part_key
from octavo.pdf.parts import (
    Part,
    Source,
    Start,
    blank_html,
    booktitles,
    folio_rule,
    page_refs,
    part_html,
    part_ids,
    placed_at,
)
from octavo.pdf.partwork import Job, Laid, decide, refolioed, run, start_worker
from octavo.resources import Resources

log = logging.getLogger("octavo")
#: Where WeasyPrint reports its pages (progress.py shows them): the parts report theirs there, counted in the body.
_PROGRESS = logging.getLogger("weasyprint.progress")

#: Rounds of the chain at most: the first (later pages guessed), one with the pages found, one more in case a
#: page number's new width moved a page.
MAX_ROUNDS = 3
#: The file of a part's staging folder its worker waits for (partwork.decide).
DECISION = "decision.json"
#: The environment variable that sets how many worker processes lay out parts (the bytes are the same for any).
WORKERS_VARIABLE = "OCTAVO_WORKERS"
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


@dataclass
class Flight:
    """A job given to the workers: being laid out, waiting for its decision (partwork.decide), or being drawn."""

    job: Job
    future: Future[Laid | None]
    staged: Path
    """Its staging folder in the cache."""
    real: tuple[str, int, int, bool | None] = ("", 0, 1, None)
    """Where it stands, once known: its HTML there (its key's), first folio, first page and side."""
    decided: bool = False
    """Whether its worker was told where it stands."""
    began: float = field(default_factory=time.perf_counter)


class Chain:
    """The workers, the cache, and the layouts of this build."""

    def __init__(self, book: Book, styles: Resources, cache: PartCache, workers: int):
        self.book, self.cache = book, cache
        self.inputs = inputs_key(book, styles)
        context = _context()
        self.reports: Any = context.Queue()
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=start_worker,
                                        initargs=(book, styles, self.reports))
        self.window = workers - 1  # parts laid out ahead at once: a worker is always left for the chain's own
        self.now: dict[str, Laid] = {}
        self.flights: dict[str, Flight] = {}
        self.ahead: dict[int, tuple[Flight, str]] = {}
        self.dropped: list[Flight] = []
        self.arrived: dict[tuple[int, bool], tuple[Laid, int, bool]] = {}
        self.counts = {"laid out": 0, "from the cache": 0, "laid out twice": 0, "laid out ahead": 0,
                       "folios moved": 0, "sides moved": 0}
        self.numbers: dict[int, int] = {}
        self.tickets = itertools.count(1)

    def lay(self, number: int, html: str, first: int, blank: bool = False) -> tuple[str, Laid]:
        """The layout of one piece (as its HTML sets it): made in this build, cached, or laid out now (waiting for
        its report only)."""
        key = self.place(number, html, first, blank=blank)
        return key, self.laid(key)

    def place(self, number: int, html: str, first: int, start: Start | None = None, blank: bool = False,
              own_pages: bool = False) -> str:
        """The key of one piece, its layout found in this build or the cache, or laid out from its HTML set on a recto
        (`start`: where the HTML sets it; its pages move to a verso once laid out): the part laid out ahead when only
        its first folio differs (and it prints none of its own pages), else given to a worker now."""
        key = part_key(html, self.inputs)
        ahead = self.ahead.pop(number, None)
        if key in self.now or key in self.flights or self._cached(key):
            if ahead is not None:
                self._drop(ahead[0])
            return key
        folio = 0 if start is None else start.folio
        text = html if start is None else placed_at(html, start, folio, True)
        flight = None
        if ahead is not None:
            flight, guessed = ahead
            guess = flight.job.folio
            if guessed.replace(folio_rule(guess), folio_rule(folio), 1) != text or (guess != folio and own_pages):
                self._drop(flight)
                flight = None
        if flight is None:
            flight = self._submit(number, text, first, folio, start is not None, blank, key)
        flight.real = (html, folio, first, None if start is None else start.recto)
        self.flights[key] = flight
        if start is None or start.recto:  # nothing to wait for: it stays on its recto, or as its HTML sets it
            self._decide(flight, key, False)
        return key

    def guess(self, number: int, html: str, folio: int) -> None:
        """Lay a part out ahead of the chain, with a guessed first folio, on a recto (`place` decides what becomes of
        it)."""
        key = part_key(html, self.inputs)
        verso = part_key(placed_at(html, Start(folio, True, ""), folio, False), self.inputs)
        if number in self.ahead or any(self._known(k) for k in (key, verso)):
            return  # the part as it stood in the last round or build, on either side: likely where it stands
        self.ahead[number] = (self._submit(number, html, 1, folio, True, False, key), html)
        self.counts["laid out ahead"] += 1

    def laid(self, key: str) -> Laid:
        """What the piece of `key` made: its report, with the real folios; a part that cannot move to the verso it
        stands on is laid out again there."""
        if key in self.now:
            return self.now[key]
        flight = self.flights[key]
        html, folio, first, recto = flight.real
        report, pages, movable = self._report(flight, False)
        move = recto is False
        if move and not movable:
            self._drop(flight)
            flight = self.flights[key] = self._submit(flight.job.number, html, first, folio, None, False, key)
            flight.real = (html, folio, first, None)
            report, pages, movable = self._report(flight, False)
            move = False
        if not flight.decided:
            self._decide(flight, key, move)
        by = self._by(flight)
        laid = replace(refolioed(report, by, pages), key=key)
        log.debug("part %d laid out: %d pages in %.1f s%s", flight.job.number, laid.pages,
                  time.perf_counter() - flight.began, " (ahead)" if flight.job.first != first else "")
        self.now[key] = laid
        return laid

    def settle(self, keys: list[str]) -> None:
        """Wait for the page maps of these pieces as they are drawn (once set on their sides, recto.py may have
        moved the text at a page's top)."""
        for key in dict.fromkeys(keys):
            if (flight := self.flights.get(key)) is not None:
                self.now[key] = replace(self.now[key], page_map=self._report(flight, True)[0].page_map)

    def _decide(self, flight: Flight, key: str, move: bool) -> None:
        """Tell the flight's worker to draw its part where it stands."""
        _, folio, first, _ = flight.real
        decide(flight.job.decision, True, folio, first, key, move)
        flight.decided = True
        self.counts["folios moved"] += self._by(flight) != 0
        self.counts["sides moved"] += move

    @staticmethod
    def _by(flight: Flight) -> int:
        return flight.real[1] - flight.job.folio if flight.job.recto is not None else 0

    def _known(self, key: str) -> bool:
        return key in self.now or key in self.flights or self.cache.pdfs(key)[1].is_file()

    def _cached(self, key: str) -> bool:
        if (cached := self.cache.get(key)) is None:
            return False
        self.counts["from the cache"] += 1
        self.now[key] = cached
        return True

    def _submit(self, number: int, html: str, first: int, folio: int, recto: bool | None, blank: bool,
                key: str) -> Flight:
        self.numbers[number] = self.numbers.get(number, 0) + 1
        self.counts["laid out"] += 1
        self.counts["laid out twice"] += self.numbers[number] == 2
        staged = self.cache.staging(key)
        busy = sum(not flight.future.done() for flight in self.flights.values())
        split = busy + 2 <= (os.cpu_count() or 1)  # a core for each edition: an edit's one part, drawn sooner
        job = Job(number, key, html, staged / PRINT, staged / SCREEN, first, split, blank, next(self.tickets), folio,
                  recto, staged / DECISION)
        return Flight(job, self.pool.submit(run, job), staged)

    def _drop(self, flight: Flight) -> None:
        decide(flight.job.decision, False)
        self.dropped.append(flight)

    def _report(self, flight: Flight, final: bool) -> tuple[Laid, int, bool]:
        """The worker's report of its layout, or (`final`) of its page map once set where it stands."""
        wanted = (flight.job.ticket, final)
        while wanted not in self.arrived:
            try:
                ticket, laid, pages, movable = self.reports.get(timeout=0.2)
            except queue.Empty:
                if flight.future.done():
                    flight.future.result()  # the worker's error, raised here
                    raise RuntimeError(f"part {flight.job.key} was laid out without a report") from None
                continue
            self.arrived[(ticket, pages < 0)] = (laid, pages, movable)
        return self.arrived.pop(wanted)

    def stop(self) -> None:
        """End the workers this build started, whatever they are doing."""
        for process in list(getattr(self.pool, "_processes", {}).values()):  # the executor's own table
            process.terminate()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def finish(self, used: set[str]) -> None:
        """Wait for every part to be drawn and keep those used in the cache; stop the workers."""
        try:
            for flight, _ in self.ahead.values():
                self._drop(flight)
            for key, flight in self.flights.items():
                drawn = flight.future.result()  # with the layout's findings and what was logged while it was drawn
                if drawn is None or drawn.labels != self.laid(key).labels:
                    raise RuntimeError(f"part {flight.job.number} was drawn with other folios than it was placed")
                self.now[key] = drawn
                if key in used:
                    self.cache.put(key, flight.staged, drawn)
                else:
                    shutil.rmtree(flight.staged, ignore_errors=True)
            for flight in self.dropped:
                flight.future.result()
                shutil.rmtree(flight.staged, ignore_errors=True)
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.reports.close()


def _context() -> Any:
    """How the workers start: forked, when this process has not used WeasyPrint yet (it is imported first, so each
    worker starts with it loaded: a third of a second per worker less, measured); else from a fork server, whose
    process never lays anything out (a fork after Pango and fontconfig have been used could inherit their locks)."""
    methods = mp.get_all_start_methods()
    if "fork" in methods and "weasyprint" not in sys.modules:
        import weasyprint  # noqa: F401  (loaded, not used: the libraries opened, no font read, no thread started)

        return mp.get_context("fork")
    context = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["octavo.pdf.partwork", "octavo.pdf.layout", "weasyprint"])
    return context


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
        if any(part.recto for part in parts[1:]):
            chain.place(-1, blank_html(source), 1, blank=True)  # the blank page a recto may need, laid out first
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
        chain.finish({slot.key for slot in slots})
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


def workers() -> int:
    """How many worker processes: OCTAVO_WORKERS if set (a number), else one per core and one more, so that the
    next part's layout (the chain everything waits for) never queues behind the drawing of earlier parts."""
    given = os.environ.get(WORKERS_VARIABLE, "")
    return int(given) if given.isdigit() and int(given) > 0 else (os.cpu_count() or 1) + 1


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
            laid = _relabel(laid, _next_label(last_label))
            body.append(Slot(None, key, laid, blank, position))
            position, folio, recto = position + 1, folio + 1, True
        start = Start(folio, recto, plan.titles[part.number])
        text = part_html(source, part, start, plan.ids[part.number], {**guesses, **known})
        key = chain.place(part.number, text, position, start, own_pages=plan.refs[part.number][1])
        starts[part.number] = folio
        _look_ahead(chain, plan, parts[index + 1:index + 1 + chain.window], {**guesses, **known}, known, starts)
        laid = chain.laid(key)
        _PROGRESS.info("Step 5 - Creating layout - Page %d", position + laid.pages - 1)  # the page counter
        known.update({name: laid.labels[n] for name, n in laid.anchors.items()})
        body.append(Slot(part, key, laid, text, position))
        position += laid.pages
        folio = _value(laid.labels[-1]) + 1
        last_label = laid.labels[-1]
    front_text = part_html(first_draft, parts[0], Start(1, True, ""), plan.ids[0], {**guesses, **known})
    key, front = chain.lay(0, front_text, 1)  # set as its HTML sets it: it resets no page counter of its own
    known.update({name: front.labels[n] for name, n in front.anchors.items()})
    slots = [Slot(parts[0], key, front, front_text, 1)]
    if front.pages % 2:
        key, laid = chain.lay(-1000, blank, front.pages + 1, blank=True)
        slots.append(Slot(None, key, _relabel(laid, _next_label(front.labels[-1])), blank, front.pages + 1))
    return slots + body, known


def _look_ahead(chain: Chain, plan: Plan, upcoming: tuple[Part, ...], folios: dict[str, str], known: dict[str, str],
                starts: dict[int, int]) -> None:
    """Lay out ahead the next parts whose side is known (they open on a recto) and whose pages printed of the parts
    before them are known, each with its first folio guessed; one that prints its own pages only when a guess was
    made from a real build."""
    for part in upcoming:
        if len(chain.ahead) >= chain.window:
            return
        refs, own_pages = plan.refs[part.number]
        if part.kind != "body" or (refs & plan.before[part.number]) - known.keys():
            continue
        if own_pages and part.number not in starts:
            continue
        guess = starts.get(part.number, 1)
        start = Start(guess, True, plan.titles[part.number])
        chain.guess(part.number, part_html(plan.source, part, start, plan.ids[part.number], folios), guess)


def _body_map(body: list[Slot]) -> PageMap:
    """The pages laid out so far after the front matter, numbered from 1: what the index prints them as."""
    return Placed(body, PartCache(Path())).page_map()


def _relabel(laid: Laid, label: str) -> Laid:
    """A blank page with the folio it has where it stands (the one after the page before it)."""
    pages = PageMap(tuple(PrintPage(p.number, label, p.start) for p in laid.page_map.pages))
    return Laid(laid.number, laid.key, laid.pages, (label,), laid.anchors, pages, (), laid.records)


def _value(label: str) -> int:
    return int(label) if label.lstrip("-").isdigit() else from_roman(label)


def _next_label(label: str) -> str:
    """The folio after `label`, in its numbering."""
    if not label or label.lstrip("-").isdigit():
        return str(_value(label or "0") + 1)
    following = roman(from_roman(label) + 1)
    return following.upper() if label.isupper() else following


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
