"""Shared by the new/watch tests: a fresh book from `new`, a running preview, a reader of its event stream."""

from __future__ import annotations

import http.client
import logging
import re
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from octavo.commands.new import new_publication
from octavo.model import BuildOptions
from octavo.preview.watch import Preview

#: The PDF stage needs the CMYK output-intent profile; without it the PDF tests cannot run.
CHAPTER = "01-getting-started.md"
FIRST_LINE = "This is the first chapter of your book."


def new_book(tmp_path: Path, name: str = "my-book") -> Path:
    """The content folder of a book made by `new`, as a newcomer gets it."""
    folder = tmp_path / name
    new_publication(folder)
    return folder / "content"


@contextmanager
def running_preview(content: Path, out: Path, targets: tuple[str, ...] = ()) -> Iterator[Preview]:
    """The watch server on a free loopback port; stopped however the test ends."""
    preview = Preview(BuildOptions(content=content, out=out, targets=targets), port=0)
    preview.start()
    try:
        yield preview
    finally:
        preview.stop()


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


def token(page: str) -> str:
    match = re.search(r"token=([0-9a-f]+)", page)
    assert match, "the preview page has no event-stream script"
    return match.group(1)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


class EventStream:
    """An open /_octavo/events stream, read event by event."""

    def __init__(self, preview: Preview):
        page = get(preview.url)
        snap = preview.live.snapshot
        host, port = preview.http.server_address[:2]
        self.connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
        self.connection.request("GET", f"/_octavo/events?generation={snap.generation}"
                                       f"&outputs={snap.outputs.version}&token={token(page)}")
        self.response = self.connection.getresponse()
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def next(self, name: str, timeout: float = 10.0) -> str:
        """The data of the next event called `name` (others are skipped)."""
        deadline = time.monotonic() + timeout
        event = None
        while time.monotonic() < deadline:
            line = self.response.readline().decode().rstrip("\n")
            if not line and self.response.isclosed():
                raise AssertionError(f"the stream closed before a '{name}' event")
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == name:
                return line.removeprefix("data: ")
        raise AssertionError(f"no '{name}' event within {timeout} s")

    def close(self) -> None:
        self.connection.close()


class Warnings(logging.Handler):
    """Every warning octavo and WeasyPrint log while attached."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def collected_warnings() -> Iterator[list[str]]:
    handler = Warnings()
    loggers = [logging.getLogger("octavo"), logging.getLogger("weasyprint")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
