"""`watch` on a book laid out in parts (issue 18): one warm child builds every save, a save lays out only the part it
touches, the PDFs are in place before the EPUB is made, and the files are the bytes a fresh `build` writes."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from octavo.model import BuildOptions
from octavo.pipeline import build
from octavo.preview.watch import Preview
from tests.conftest import EPOCH, write_book
from tests.pdftext import page_texts
from tests.test_parts import book_files, cli_build, record

pytestmark = pytest.mark.slow  # a book in parts built in watch, twice after a save, and once more fresh

NAMES = ("parts-print.pdf", "parts.pdf", "parts.epub")


@dataclass
class Watched:
    content: Path
    out: Path
    fresh: Path
    children: int = 0
    """How many build processes the watch started for its first build and two saves."""
    laid: list[object] = field(default_factory=list)
    """What each save laid out (last-build.json)."""
    states: list[str] = field(default_factory=list)


def _wait(condition: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"still waiting after {timeout} s"
        time.sleep(0.05)


def _save(chapter: Path, old: str, new: str) -> None:
    chapter.write_text(chapter.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def watched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Watched]:
    root = tmp_path_factory.mktemp("watch-parts")
    content = write_book(root / "book", book_files("parts"))
    found = Watched(content, root / "dist", root / "fresh")
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH  # the child inherits it: the same dates as the fresh build
    try:
        preview = Preview(BuildOptions(content=content, out=found.out, targets=("pdf", "epub")), port=0).start()
        try:
            outputs = lambda: preview.live.snapshot.outputs  # noqa: E731
            _wait(lambda: outputs().state == "done")
            for old, new in (("chapter 4.", "chapter four."), ("chapter four.", "chapter 4, again.")):
                version = outputs().version
                _save(content / "04-middle.md", f"A note of {old}", f"A note of {new}")
                _wait(lambda version=version: outputs().version > version and outputs().state in ("done", "failed"))
                found.states.append(outputs().state)
                found.laid.append(record(found.out))
            found.children = preview.rebuilder.outputs.children
        finally:
            preview.stop()
        cli_build(content, found.fresh)
        yield found
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def test_one_child_builds_every_save(watched: Watched) -> None:
    assert watched.states == ["done", "done"]
    assert watched.children == 1  # before: a new interpreter, WeasyPrint imported and workers forked, each save


def test_a_save_lays_out_only_its_part(watched: Watched) -> None:
    for laid in watched.laid:
        assert laid["laid"] == [2] and laid["laid out"] == 1, laid  # chapters 4 to 6: the second part of chapters
    assert any("A note of chapter 4, again." in text for text in page_texts(watched.out / "parts.pdf"))


def test_the_files_are_the_bytes_of_a_fresh_build(watched: Watched) -> None:
    for name in NAMES:
        assert (watched.out / name).read_bytes() == (watched.fresh / name).read_bytes(), name


def test_the_pdfs_are_in_place_before_the_epub_is_made(watched: Watched) -> None:
    started = time.time_ns()
    seen: dict[str, bool] = {}

    def placed() -> None:
        seen.update({name: (watched.out / name).stat().st_mtime_ns >= started for name in NAMES})

    time.sleep(0.01)  # the fixture's SOURCE_DATE_EPOCH holds: nothing changed, every part from the cache
    build(BuildOptions(content=watched.content, out=watched.out, targets=("pdf", "epub")), pdfs_placed=placed)
    assert seen == {"parts-print.pdf": True, "parts.pdf": True, "parts.epub": False}
    assert (watched.out / "parts.epub").stat().st_mtime_ns >= started  # and then the EPUB
