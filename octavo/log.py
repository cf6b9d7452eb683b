"""Log records from our logger and WeasyPrint's -> the console, and one tally of the warnings and errors
(--strict, failed renders, the preview, --json, GitHub annotations)."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from octavo.messages import Message, message_from_record
from octavo.progress import PageCounter

log = logging.getLogger("octavo")

#: The loggers a build listens to: WeasyPrint logs and carries on when an image, font or CSS rule is bad.
LOGGERS = ("octavo", "weasyprint")
#: WeasyPrint's notes about this machine's libraries: they say nothing about the book.
ENVIRONMENT_NOTES = ("Using fontTools instead of HarfBuzz-Subset",)


class Tally(logging.Handler):
    """Keeps (and counts) the warnings and errors logged while it is attached: the one collector behind the
    --strict gate, the preview's problem list, --json and the GitHub annotations."""

    def __init__(self, this_thread: bool = False) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[Message] = []
        self.thread = threading.get_ident() if this_thread else None

    def emit(self, record: logging.LogRecord) -> None:
        if self.thread is not None and record.thread != self.thread:
            return
        if record.levelno < logging.ERROR and record.getMessage().startswith(ENVIRONMENT_NOTES):
            return
        self.messages.append(message_from_record(record))

    @property
    def lines(self) -> Sequence[str]:
        """The messages as the console says them, kept up to date while the tally is attached."""
        return _Lines(self.messages)

    @property
    def warnings(self) -> int:
        """How many warnings were logged."""
        return sum(m.level == "warning" for m in self.messages)

    @property
    def errors(self) -> int:
        """How many errors were logged."""
        return sum(m.level == "error" for m in self.messages)


class _Lines(Sequence[str]):
    def __init__(self, messages: list[Message]):
        self.messages = messages

    def __len__(self) -> int:
        return len(self.messages)

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        return str(self.messages[index])


@contextmanager
def tally(this_thread: bool = False) -> Iterator[Tally]:
    """Keep what the octavo and weasyprint loggers report during the block (from this thread only, if asked)."""
    handler = Tally(this_thread)
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
