"""Print HTML of a book in parts -> each part laid out in a worker process (or taken from the cache), the parts'
pages placed one after the other, and what the parts refer to across their cuts filled from the real pages.

The parts are laid out in reading order, each as soon as the one before it is laid out (its first folio and side
follow from the pages before it), while the workers that laid out the earlier parts draw their PDFs: the layouts
form one chain, the drawing runs beside it. A page number that a part prints for an id in a later part is laid out
from the last build's pages (or '0'), and the part is laid out again when the real one differs. The contents (in
the front matter) and the index are laid out once the pages they print are known."""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue
import re
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
from octavo.pdf.parts import Part, Source, Start, blank_html, booktitles, part_html, part_ids
from octavo.pdf.partwork import Job, Laid, run, start_worker
from octavo.resources import Resources

log = logging.getLogger("octavo")
#: Where WeasyPrint reports its pages (progress.py shows them): the parts report theirs there, counted in the body.
_PROGRESS = logging.getLogger("weasyprint.progress")

#: Rounds of the chain at most: the first (later pages guessed), one with the pages found, one more in case a
#: page number's new width moved a page.
MAX_ROUNDS = 3
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


class Chain:
    """The workers, the cache, and the layouts of this build."""

    def __init__(self, book: Book, styles: Resources, cache: PartCache, workers: int):
        self.book, self.cache = book, cache
        self.inputs = inputs_key(book, styles)
        context = _context()
        self.reports: Any = context.Queue()
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=start_worker,
                                        initargs=(book, styles, self.reports))
        self.now: dict[str, Laid] = {}
        self.pending: dict[str, tuple[Future[tuple[tuple[str, int, str], ...]], Path]] = {}
        self.counts = {"laid out": 0, "from the cache": 0, "laid out twice": 0}
        self.numbers: dict[int, int] = {}

    def lay(self, number: int, html: str, first: int, blank: bool = False) -> tuple[str, Laid]:
        """The layout of one piece: made in this build, cached, or laid out now (waiting for its report only)."""
        key = part_key(html, self.inputs)
        if key in self.now:
            return key, self.now[key]
        if (cached := self.cache.get(key)) is not None:
            self.counts["from the cache"] += 1
            self.now[key] = cached
            return key, cached
        self.numbers[number] = self.numbers.get(number, 0) + 1
        self.counts["laid out"] += 1
        self.counts["laid out twice"] += self.numbers[number] == 2
        staged = self.cache.staging(key)
        busy = sum(not future.done() for future, _ in self.pending.values())
        split = busy + 2 <= (os.cpu_count() or 1)  # a core for each edition: an edit's one part, drawn sooner
        job = Job(number, key, html, staged / PRINT, staged / SCREEN, first, split, blank)
        began = time.perf_counter()
        future = self.pool.submit(run, job)
        self.pending[key] = (future, staged)
        laid = self._report(key, future)
        log.debug("part %d laid out: %d pages in %.1f s", number, laid.pages, time.perf_counter() - began)
        self.now[key] = laid
        return key, laid

    def _report(self, key: str, future: Future[Any]) -> Laid:
        while True:
            try:
                laid: Laid = self.reports.get(timeout=0.2)
            except queue.Empty:
                if future.done():
                    future.result()  # the worker's error, raised here
                    raise RuntimeError(f"part {key} was laid out without a report") from None
                continue
            if laid.key == key:
                return laid

    def stop(self) -> None:
        """End the workers this build started, whatever they are doing."""
        for process in list(getattr(self.pool, "_processes", {}).values()):  # the executor's own table
            process.terminate()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def finish(self, used: set[str]) -> None:
        """Wait for every part to be drawn and keep those used in the cache; stop the workers."""
        try:
            for key, (future, staged) in self.pending.items():
                drawn = future.result()  # what was logged while its PDFs were drawn: kept with its layout's
                self.now[key] = replace(self.now[key], records=self.now[key].records + drawn)
                if key in used:
                    self.cache.put(key, staged, self.now[key])
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
    ids = part_ids(source, parts)
    titles = booktitles(source, parts, book.meta.short_title)
    chain = Chain(book, styles, cache, max(1, min(workers(), len(parts))))
    try:
        keys: list[str] = []
        for _ in range(MAX_ROUNDS + 1):  # the last round only confirms: every part's HTML is the one laid out
            slots, folios = _round(chain, html, source, parts, ids, titles, guesses)
            if keys == (keys := [slot.key for slot in slots]):
                break
            guesses = folios
        else:
            log.warning("the page numbers printed across the book's parts still changed after %d rounds; "
                        "build it in one layout (book.yaml print: {layout: single})", MAX_ROUNDS)
        _PROGRESS.info("Step 6 - Drawing")  # the page counter's line is erased
        if ahead is not None:
            ahead(Placed(slots, cache).page_map())  # the EPUB, made while the workers draw
        chain.finish({slot.key for slot in slots})
        for slot in slots:
            slot.laid = replace(slot.laid, records=chain.now[slot.key].records)
    except BaseException:  # an error, or the build interrupted: the workers stop now, drawing or not
        chain.stop()
        raise
    cache.prune()
    cache.write_json("folios.json", folios)
    placed = Placed(slots, cache, chain.counts)
    cache.write_json("last-build.json", {**chain.counts, "parts": len(parts),
                                         "laid": sorted(n for n in chain.numbers)})
    return placed


def workers() -> int:
    """How many worker processes: OCTAVO_WORKERS if set (a number), else one per core and one more, so that the
    next part's layout (the chain everything waits for) never queues behind the drawing of earlier parts."""
    given = os.environ.get(WORKERS_VARIABLE, "")
    return int(given) if given.isdigit() and int(given) > 0 else (os.cpu_count() or 1) + 1


def _round(chain: Chain, html: Callable[[PageMap | None], str], first_draft: Source, parts: tuple[Part, ...],
           ids: tuple[frozenset[str], ...], titles: tuple[str, ...],
           guesses: dict[str, str]) -> tuple[list[Slot], dict[str, str]]:
    """One pass of the chain: the body's parts in order, the index, then the front matter."""
    known: dict[str, str] = {}
    blank = blank_html(first_draft)
    body: list[Slot] = []
    position, folio, last_label = 1, 1, ""
    for part in parts[1:]:
        source = first_draft if part.kind == "body" else Source(html(_body_map(body)))
        recto = position % 2 == 1
        if part.recto and not recto:
            key, laid = chain.lay(-part.number, blank, position, blank=True)
            laid = _relabel(laid, _next_label(last_label))
            body.append(Slot(None, key, laid, blank, position))
            position, folio, recto = position + 1, folio + 1, True
        start = Start(folio, recto, titles[part.number])
        text = part_html(source, part, start, ids[part.number], {**guesses, **known})
        key, laid = chain.lay(part.number, text, position)
        _PROGRESS.info("Step 5 - Creating layout - Page %d", position + laid.pages - 1)  # the page counter
        known.update({name: laid.labels[n] for name, n in laid.anchors.items()})
        body.append(Slot(part, key, laid, text, position))
        position += laid.pages
        folio = _value(laid.labels[-1]) + 1
        last_label = laid.labels[-1]
    front_text = part_html(first_draft, parts[0], Start(1, True, ""), ids[0], {**guesses, **known})
    key, front = chain.lay(0, front_text, 1)
    known.update({name: front.labels[n] for name, n in front.anchors.items()})
    slots = [Slot(parts[0], key, front, front_text, 1)]
    if front.pages % 2:
        key, laid = chain.lay(-1000, blank, front.pages + 1, blank=True)
        slots.append(Slot(None, key, _relabel(laid, _next_label(front.labels[-1])), blank, front.pages + 1))
    return slots + body, known


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
