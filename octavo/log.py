"""Log records from our logger and WeasyPrint's -> a tally of warnings and errors (--strict, failed renders)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from octavo.progress import PageCounter

log = logging.getLogger("octavo")

#: The loggers a build listens to: WeasyPrint logs and carries on when an image, font or CSS rule is bad.
LOGGERS = ("octavo", "weasyprint")
#: WeasyPrint's notes about this machine's libraries: they say nothing about the book.
ENVIRONMENT_NOTES = ("Using fontTools instead of HarfBuzz-Subset",)


class Tally(logging.Handler):
    """Counts the warnings and errors logged while it is attached."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.warnings = 0
        self.errors = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.errors += 1
        elif not record.getMessage().startswith(ENVIRONMENT_NOTES):
            self.warnings += 1


@contextmanager
def tally() -> Iterator[Tally]:
    """Count what the octavo and weasyprint loggers report during the block."""
    handler = Tally()
    loggers = [logging.getLogger(name) for name in LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
        if logger.getEffectiveLevel() > logging.WARNING:
            logger.setLevel(logging.WARNING)  # -q must not hide what --strict counts
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


class _EnvironmentNotes(logging.Filter):
    """Demote WeasyPrint's notes about this machine's libraries: they say nothing about the book.

    Also say each warning and error once: both PDF editions lay out the same HTML, so WeasyPrint would
    report the same CSS mistake twice.
    """

    def __init__(self) -> None:
        super().__init__()
        self.said: set[tuple[int, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and record.getMessage().startswith(ENVIRONMENT_NOTES):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        if record.levelno >= logging.WARNING:
            key = (record.levelno, record.getMessage())
            if key in self.said:
                return False
            self.said.add(key)
        return True


class _Console(logging.StreamHandler):  # type: ignore[type-arg]
    """stderr, erasing the live page counter before each line."""

    def __init__(self, pages: PageCounter | None):
        super().__init__(sys.stderr)
        self.pages = pages

    def emit(self, record: logging.LogRecord) -> None:
        if self.pages:
            self.pages.clear()
        super().emit(record)


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        source = "weasyprint: " if record.name.startswith("weasyprint") else ""
        if record.levelno >= logging.ERROR:
            return f"error: {source}{message}"
        if record.levelno >= logging.WARNING:
            return f"warning: {source}{message}"
        return message


def setup_console(quiet: bool, verbose: bool) -> None:
    # The page counter shows while WeasyPrint lays out; -q silences it, -v prints WeasyPrint's own steps instead.
    pages = None if quiet or verbose else PageCounter(sys.stderr, live=sys.stderr.isatty())
    handler = _Console(pages)
    handler.setFormatter(_Formatter())
    notes = _EnvironmentNotes()
    for name in ("octavo", "weasyprint"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.filters = [notes]
        logger.propagate = False
    log.setLevel(logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("weasyprint").setLevel(logging.INFO if verbose else logging.WARNING)
    progress = logging.getLogger("weasyprint.progress")
    progress.handlers = [pages] if pages else []
    progress.propagate = pages is None
    progress.setLevel(logging.INFO if pages else logging.NOTSET)
