"""Log records from our logger and WeasyPrint's -> a tally of warnings and errors (--strict, failed renders)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

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
