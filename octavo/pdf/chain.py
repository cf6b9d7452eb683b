"""The parts' HTML -> their layouts in worker processes: each laid out ahead of the chain (on a recto, from a
guessed first folio) or when its place is known, then told where it stands (its real folio and side: the worker
sets it there, pdf/refolio.py, and draws it), or taken from this build's layouts or the cache."""

from __future__ import annotations

import itertools
import logging
import multiprocessing as mp
import os
import queue
import shutil
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from octavo.model import Book
from octavo.pdf.partcache import PRINT, SCREEN, PartCache, inputs_key, part_key
from octavo.pdf.parts import Start, folio_rule, placed_at
from octavo.pdf.partwork import Job, Laid, decide, refolioed, run, start_worker
from octavo.resources import Resources

log = logging.getLogger("octavo")

#: The file of a part's staging folder its worker waits for (partwork.decide).
DECISION = "decision.json"
#: The environment variable that sets how many worker processes lay out parts (the bytes are the same for any).
WORKERS_VARIABLE = "OCTAVO_WORKERS"


def workers() -> int:
    """How many worker processes: OCTAVO_WORKERS if set (a number), else one per core and one more, so that the
    next part's layout (the chain everything waits for) never queues behind the drawing of earlier parts."""
    given = os.environ.get(WORKERS_VARIABLE, "")
    return int(given) if given.isdigit() and int(given) > 0 else (os.cpu_count() or 1) + 1


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
        context = worker_context()
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


def worker_context() -> Any:
    """How the workers start: forked, when this process has not used WeasyPrint yet (it is imported first, so each
    worker starts with it loaded: a third of a second per worker less, measured); else from a fork server, whose
    process never lays anything out (a fork after Pango and fontconfig have been used could inherit their locks)."""
    methods = mp.get_all_start_methods()
    if "fork" in methods and "weasyprint" not in sys.modules:
        import weasyprint  # noqa: F401  (loaded, not used: the libraries opened, no font read, no thread started)

        return mp.get_context("fork")
    context = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["octavo.pdf.partwork", "octavo.pdf.layout", "weasyprint", "octavo.pdf.warmup"])
    return context


