"""One part's HTML, in a worker process -> its layout reported as plain data (its page count, folios, anchors, page
map), as soon as it is laid out; then, told where it stands (its real folio and side: pdf/refolio.py), its print and
screen PDFs from that one layout, its layout findings and log records."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from octavo.children import die_with_parent
from octavo.model import Book, Edition
from octavo.pages import PageMap, shift_folio
from octavo.resources import Resources

#: What a worker process keeps between jobs: the book, its resources, and the queue its layout reports go to.
_STATE: dict[str, Any] = {}


@dataclass(frozen=True)
class Job:
    """One part to lay out and write."""

    number: int
    """The part's place in reading order."""
    key: str
    """Its cache key (partcache.part_key): what its report is known by."""
    html: str
    """Its own print HTML (parts.part_html)."""
    print_pdf: Path
    """Where its print edition goes."""
    screen_pdf: Path
    """Where its screen edition goes."""
    first: int = 1
    """The number of its first page, counted so that odd numbers are rectos (the layout check's sides and pages)."""
    split: bool = False
    """Whether to draw the screen edition in a forked copy while the print edition is drawn (a core is free)."""
    blank: bool = False
    """A blank page that no part holds (before a part that opens on a recto after a recto): no findings."""
    ticket: int = 0
    """Which job of the build it is: its report is known by it."""
    folio: int = 0
    """The first folio its HTML sets (parts.folio_rule; 0: none), maybe a guess: the decision gives the real one."""
    recto: bool | None = None
    """The side its HTML sets (parts.side_rule; None: as it is): the decision says whether to move it."""
    decision: Path | None = None
    """The file the parent writes once it knows where the part stands (`decide`): the worker waits for it after
    its report, then draws the part (its margins made again when its folio was a guess) or drops it."""


@dataclass(frozen=True)
class Laid:
    """What one part's layout made, as plain data."""

    number: int
    """The part's place in reading order."""
    key: str
    """The key of the job it was laid out for."""
    pages: int
    """Its page count."""
    labels: tuple[str, ...]
    """Each page's folio."""
    anchors: dict[str, int] = field(default_factory=dict)
    """The page (from 0, in the part) of every element id."""
    page_map: PageMap = PageMap(())
    """Its page map, numbered from its first page as 1."""
    findings: tuple[str, ...] = ()
    """The layout check's messages (lines.py and layoutcheck.py)."""
    records: tuple[tuple[str, int, str], ...] = ()
    """The log records the layout made: (logger, level, message), logged again by the parent."""


def start_worker(book: Book, styles: Resources, reports: Any) -> None:
    """A worker's initializer: keep the book, its resources and the queue layout reports go to; what the octavo and
    weasyprint loggers say is collected for the parent (which counts it), never printed here. The worker dies with
    its parent (the build, or the fork server that dies with the build), so a killed build leaves none behind."""
    die_with_parent(os.getppid())
    collect = _Collect()
    for name in ("octavo", "weasyprint"):
        logger = logging.getLogger(name)
        logger.handlers, logger.propagate = [collect], False
    progress = logging.getLogger("weasyprint.progress")  # the parent counts the parts' pages (parallel.py)
    progress.handlers, progress.propagate = [], False
    _STATE.update(book=book, styles=styles, reports=reports, collect=collect)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            self.records.append((record.name, record.levelno, record.getMessage()))


def run(job: Job) -> Laid | None:
    """In a worker: lay the part out, report it on the queue (with how many pages count from its first folio, and
    whether its pages can move to the other side), wait for the parent's decision, then set it where it stands
    (refolio.py), report its page map again, and write both editions; return what the part's layout and drawing
    made (None when the parent dropped it)."""
    from octavo.pdf.pagemap import page_map
    from octavo.pdf.refolio import counted, movable, refolio

    book, styles, collect = _STATE["book"], _STATE["styles"], _STATE["collect"]
    collect.records = []
    later: list[Callable[[], Any]] = []
    laid, document, warned = lay_out_part(job, book, styles, later)
    laid = replace(laid, records=tuple(collect.records))
    pages = counted(document, job.folio)
    _STATE["reports"].put((job.ticket, laid, pages, job.recto is None or movable(document)))
    decision = _wait(job.decision)
    if not decision["draw"]:
        return None
    by = int(decision["folio"]) - job.folio
    refolio(document, by, pages, bool(decision["move"]))
    collect.records = []
    for step in later:  # the sides known: no word broken at a recto's foot
        step()
    placed = page_map(document)  # the labels as refolio shifted them (pagemap.page_labels reads the shift)
    laid = replace(laid, key=str(decision["key"]), page_map=placed, labels=tuple(page.label for page in placed.pages))
    _STATE["reports"].put((job.ticket, laid, -1, True))
    findings = write_part(document, job, book, lambda: () if job.blank else check_part(
        document, book, int(decision["first"]), warned))  # the check beside the screen edition's drawing
    return replace(laid, findings=findings, records=laid.records + tuple(collect.records))


def decide(path: Path | None, draw: bool, folio: int = 0, first: int = 1, key: str = "", move: bool = False) -> None:
    """Tell the worker waiting at `path` whether to draw its part, and where it stands: its first folio, its first
    page (counted as Job.first), its cache key, and whether its pages move to the other side."""
    if path is None:
        return
    temp = path.with_name(path.name + ".new")
    decision = {"draw": draw, "folio": folio, "first": first, "key": key, "move": move}
    temp.write_text(json.dumps(decision), encoding="utf-8")
    os.replace(temp, path)


def _wait(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {"draw": True, "folio": 0, "first": 1, "key": "", "move": False}
    while not path.is_file():
        time.sleep(0.01)
    decision: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    path.unlink()
    return decision


def refolioed(laid: Laid, by: int, pages: int) -> Laid:
    """What a part's layout made with the folios of its first `pages` pages `by` further on (refolio.py)."""
    if by == 0 or pages == 0:
        return laid
    labels = tuple(shift_folio(label, by) if n < pages else label for n, label in enumerate(laid.labels))
    page_map = PageMap(tuple(replace(page, label=labels[page.number - 1]) for page in laid.page_map.pages),
                       laid.page_map.anchors)
    return replace(laid, labels=labels, page_map=page_map)


def lay_out_part(job: Job, book: Book, styles: Resources,
                 later: list[Callable[[], Any]]) -> tuple[Laid, Any, list[str]]:
    """The part's layout and what it made (without its findings: `check_part`, once its first page is known), and
    what the layout warned of; what depends on its pages' sides is left in `later`."""
    from octavo.pdf.layout import lay_out
    from octavo.pdf.pagemap import page_map
    from octavo.pdf.refolio import record_margins

    record_margins(defer=job.folio > 0)  # a body part (decimal folios, print.css): refolio makes its margins
    warned: list[str] = []
    document = lay_out(job.html, book, Edition.PRINT, styles, warn=warned.append, later=later, keep=True)
    pages = page_map(document)
    anchors: dict[str, int] = {}
    for n, page in enumerate(document.pages):  # a block split across pages has its anchor on each
        for name in page.anchors:
            anchors.setdefault(name, n)
    labels = tuple(page.label for page in pages.pages)
    return Laid(job.number, job.key, len(document.pages), labels, anchors, pages), document, warned


def check_part(document: Any, book: Book, first: int, warned: list[str]) -> tuple[str, ...]:
    """The layout check's findings on a part whose first page is `first` (odd on a recto)."""
    from octavo.pdf.layoutcheck import layout_defects
    from octavo.pdf.lines import page_defects

    return (*warned, *page_defects(document, book, first), *layout_defects(document, book, first))


def write_part(document: Any, job: Job, book: Book, check: Callable[[], tuple[str, ...]]) -> tuple[str, ...]:
    """Both editions of the part, from its one layout, and what `check` finds on its pages: with `job.split`, the
    screen edition in a forked copy of this worker while this one draws the print edition and then checks the
    pages (the same bytes as one after the other, measured: writing one edition leaves nothing the other reads, and
    the check only reads); else the screen edition drawn, the print edition written from that drawing."""
    from octavo.pdf.editions import write_edition

    child = _fork_screen(document, job, book) if job.split and hasattr(os, "fork") else None
    if child is None:
        _drawn_once(document, job, book)
        return check()
    write_edition(document, book, Edition.PRINT, job.print_pdf)
    found = check()
    if not _joined(child):
        write_edition(document, book, Edition.SCREEN, job.screen_pdf)
    return found


def _drawn_once(document: Any, job: Job, book: Book) -> None:
    """The screen edition drawn, then the print edition written from that drawing (pdf/drawonce.py), unless a page
    drew what depends on the edition: then drawn again."""
    from octavo.pdf.drawonce import recorded, replayed
    from octavo.pdf.editions import write_edition

    with recorded() as recording:
        write_edition(document, book, Edition.SCREEN, job.screen_pdf)
    if recording.serves(document):
        with replayed(recording):
            write_edition(document, book, Edition.PRINT, job.print_pdf)
    else:
        write_edition(document, book, Edition.PRINT, job.print_pdf)


def _fork_screen(document: Any, job: Job, book: Book) -> tuple[int, int] | None:
    """(pid, the read end of a pipe) of a child drawing the screen edition; its log records come through the pipe."""
    import json

    read, write = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write)
        return pid, read
    os.close(read)  # the child: draw, send what was logged, and leave without the parent's exit handlers
    status = 1
    try:
        from octavo.pdf.editions import write_edition

        die_with_parent(os.getppid())
        collect: _Collect = _STATE["collect"]
        collect.records = []
        write_edition(document, book, Edition.SCREEN, job.screen_pdf)
        os.write(write, json.dumps(collect.records).encode())
        status = 0
    finally:
        os._exit(status)


def _joined(child: tuple[int, int]) -> bool:
    """Whether the child drew the screen edition; its log records join this worker's."""
    import json

    pid, read = child
    with os.fdopen(read, "rb") as stream:
        sent = stream.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not sent:
        return False
    _STATE["collect"].records += [(str(n), int(level), str(text)) for n, level, text in json.loads(sent)]
    return True
