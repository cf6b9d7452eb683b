"""WeasyPrint's page reports (the `weasyprint.progress` logger) -> a live page counter on stderr."""

from __future__ import annotations

import logging
import re
import time
from typing import TextIO

#: WeasyPrint 70 reports each page it lays out, and each repagination pass (layout/page.py, layout/__init__.py).
_PAGE = re.compile(r"^Step 5 - Creating layout - Page (\d+)")
_PASS = re.compile(r"^Step 5 - Creating layout - Repagination #(\d+)")


class PageCounter(logging.Handler):
    """Shows the page WeasyPrint is laying out, so that a long book never looks hung.

    On a terminal, one line rewritten in place ("laying out: page 57") and erased when the layout ends or
    anything else is printed. Elsewhere (a CI log), a line every `every` seconds of layout, and nothing for a
    layout that takes less.
    """

    def __init__(self, stream: TextIO, live: bool, every: float = 5.0):
        super().__init__(logging.INFO)
        self.stream = stream
        self.live = live
        self.every = every
        self.shown = False
        """Whether a live line is on screen."""
        self.last: float | None = None
        """When the last line was printed (or the layout began), for the periodic lines."""
        self.passes = 1

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if page := _PAGE.match(message):
            self.show(int(page[1]))
        elif repagination := _PASS.match(message):
            self.passes = int(repagination[1]) + 1
        else:  # another step: the layout is over
            self.clear()
            self.passes, self.last = 1, None

    def show(self, page: int) -> None:
        text = f"laying out: page {page}" + (f" (pass {self.passes})" if self.passes > 1 else "")
        now = time.monotonic()
        if self.live:
            self.stream.write(f"\r{text}\033[K")
            self.stream.flush()
            self.shown = True
        elif self.last is None:
            self.last = now
        elif now - self.last >= self.every:
            self.stream.write(text + "\n")
            self.stream.flush()
            self.last = now

    def clear(self) -> None:
        """Erase the live line, before other output or when the layout is over."""
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False
