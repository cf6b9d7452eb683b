"""One part's HTML, in a worker process -> its print and screen PDFs from one layout, and what the parent needs as
plain data: its page count, folios, anchors, page map, layout findings and log records (sent as soon as it is laid
out, so the next part can start before this one is drawn)."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from octavo.children import die_with_parent
from octavo.model import Book, Edition
from octavo.pages import PageMap
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


def run(job: Job) -> tuple[tuple[str, int, str], ...]:
    """In a worker: lay the part out, report it on the queue, write both editions; return what was logged while
    they were drawn."""
    book, styles, collect = _STATE["book"], _STATE["styles"], _STATE["collect"]
    collect.records = []
    laid, document = lay_out_part(job, book, styles, collect)
    _STATE["reports"].put(laid)
    collect.records = []
    write_part(document, job, book)
    return tuple(collect.records)


def lay_out_part(job: Job, book: Book, styles: Resources, collect: _Collect) -> tuple[Laid, Any]:
    """The part's layout and what it made, with the log records `collect` gathered meanwhile."""
    from octavo.pdf.layout import lay_out
    from octavo.pdf.layoutcheck import layout_defects
    from octavo.pdf.lines import page_defects
    from octavo.pdf.pagemap import page_map

    warned: list[str] = []
    document = lay_out(job.html, book, Edition.PRINT, styles, warn=warned.append)
    lines = [_shift(message, job.first - 1) for message in page_defects(document, book)]
    findings = () if job.blank else (*warned, *lines, *layout_defects(document, book, job.first))
    pages = page_map(document)
    anchors: dict[str, int] = {}
    for n, page in enumerate(document.pages):  # a block split across pages has its anchor on each
        for name in page.anchors:
            anchors.setdefault(name, n)
    labels = tuple(page.label for page in pages.pages)
    return Laid(job.number, job.key, len(document.pages), labels, anchors, pages, tuple(findings),
                tuple(collect.records)), document


def _shift(message: str, by: int) -> str:
    """A message of lines.py with its page counted from the part's first page number."""
    return re.sub(r"on page (\d+)\b(?! \(PDF)", lambda m: f"on page {int(m.group(1)) + by}", message)


def write_part(document: Any, job: Job, book: Book) -> None:
    """Both editions of the part, from its one layout: with `job.split`, the screen edition in a forked copy of this
    worker while this one draws the print edition (the same bytes as one after the other, measured: writing one
    edition leaves nothing the other reads); else one after the other."""
    from octavo.pdf.editions import write_edition

    child = _fork_screen(document, job, book) if job.split and hasattr(os, "fork") else None
    write_edition(document, book, Edition.PRINT, job.print_pdf)
    if child is None or not _joined(child):
        write_edition(document, book, Edition.SCREEN, job.screen_pdf)


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
