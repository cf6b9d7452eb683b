"""The page counter shown while WeasyPrint lays out: live on a terminal, now and then in a log, silent with -q."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.pdf.layout import lay_out as layout
from octavo.progress import PageCounter
from octavo.render import make_environment, render_print_html
from octavo.resources import TEMPLATES, Resources

from .conftest import FIXTURE_BOOK, ROOT

pty = pytest.importorskip("pty")


def run_in_terminal(*args: str) -> str:
    """build.py with a pseudo-terminal for stdout and stderr, as a person at a terminal runs it: all it prints."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), *args], cwd=ROOT, stdin=subprocess.DEVNULL,
                               stdout=terminal, stderr=terminal)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closes when the build ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert process.wait(timeout=300) == 0
    return b"".join(chunks).decode()


def test_a_terminal_sees_each_page_counted_then_the_counter_erased(tmp_path: Path) -> None:
    output = run_in_terminal("pdf", "--content", str(FIXTURE_BOOK), "--out", str(tmp_path))
    counted = [int(n) for n in re.findall(r"\rlaying out: page (\d+)(?: \(pass \d+\))?\x1b\[K", output)]
    assert counted[:11] == list(range(1, 12))  # the fixture book has 11 pages
    # The counter is erased before the next line, which then starts at the left margin.
    assert f"\r\x1b[K[2/4] {tmp_path}/a-small-test-book-print.pdf (11 pages)\r\n" in output
    assert output.count("laying out") == len(counted)


def test_quiet_silences_the_counter(tmp_path: Path) -> None:
    assert run_in_terminal("pdf", "-q", "--content", str(FIXTURE_BOOK), "--out", str(tmp_path)) == ""


def test_in_a_log_the_counter_prints_a_line_at_most_every_few_seconds() -> None:
    book = read_book(load_config(FIXTURE_BOOK), FIXTURE_BOOK)
    html = render_print_html(book, make_environment(TEMPLATES), "screen", dt.datetime(2026, 1, 1), "test")
    log, every_time = io.StringIO(), io.StringIO()
    handlers = [PageCounter(log, live=False), PageCounter(every_time, live=False, every=0)]
    progress = logging.getLogger("weasyprint.progress")
    level, propagate = progress.level, progress.propagate
    progress.setLevel(logging.INFO)
    progress.propagate = False
    for handler in handlers:
        progress.addHandler(handler)
    try:
        document = layout(html, book, "print", Resources.search())
    finally:
        for handler in handlers:
            progress.removeHandler(handler)
        progress.setLevel(level)
        progress.propagate = propagate
    assert log.getvalue() == ""  # this layout takes well under five seconds
    lines = every_time.getvalue().splitlines()
    assert lines[:2] == ["laying out: page 2", "laying out: page 3"]  # page 1 starts the clock
    assert f"laying out: page {len(document.pages)}" in lines
    assert all(re.fullmatch(r"laying out: page \d+( \(pass \d+\))?", line) for line in lines)
