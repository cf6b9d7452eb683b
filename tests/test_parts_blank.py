"""The blank page a part opening on a recto may need is laid out first, and kept in the cache even when no part needs
it (pdf/parallel.py): before, a save in `watch` laid it out again each time, beside the edited part."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.model import BuildOptions, Edition
from octavo.pages import PageMap, PrintPage
from octavo.pdf import parallel
from octavo.pdf.partbuild import plan
from octavo.pdf.parts import Start
from octavo.pdf.partwork import Laid
from octavo.pipeline import Stamp
from octavo.render import make_environment, render_print_html
from tests.conftest import write_book
from tests.test_parts import book_files


@dataclass
class TwoPages:
    """A chain whose every piece is two pages long (so that no part needs the blank page): what it was asked for."""

    now: dict[str, Laid] = field(default_factory=dict)
    ahead: dict[int, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    numbers: dict[int, int] = field(default_factory=dict)
    window: int = 1
    blank: str = ""
    kept: set[str] = field(default_factory=set)

    def place(self, number: int, html: str, first: int, start: Start | None = None, blank: bool = False,
              own_pages: bool = False) -> str:
        key = f"{number}-{len(self.now)}" if number == -1 else f"{number}-{hash(html)}"
        self.blank = key if number == -1 else self.blank
        folio = 1 if start is None else start.folio
        labels = ("i", "ii") if number == 0 else (str(folio),) if blank else (str(folio), str(folio + 1))
        pages = PageMap(tuple(PrintPage(n, label, None) for n, label in enumerate(labels, start=1)))
        self.now.setdefault(key, Laid(number, key, len(labels), labels, {}, pages))
        return key

    def lay(self, number: int, html: str, first: int, blank: bool = False) -> tuple[str, Laid]:
        key = self.place(number, html, first, blank=blank)
        return key, self.now[key]

    def laid(self, key: str) -> Laid:
        return self.now[key]

    def guess(self, number: int, html: str, folio: int) -> None:
        pass

    def settle(self, keys: list[str]) -> None:
        pass

    def finish(self, used: set[str]) -> None:
        self.kept = used

    def stop(self) -> None:
        pass


def test_the_blank_page_is_kept_when_no_part_needs_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = write_book(tmp_path / "book", book_files("parts", "right"))
    options = BuildOptions(content=content, out=tmp_path / "dist")
    book = read_book(load_config(content.resolve(), content, None), content.resolve(), content)
    env, stamp = make_environment(options.resources.templates), Stamp.of(book)

    def html(pages: PageMap | None) -> str:
        return render_print_html(book, env, Edition.SCREEN, *stamp.fields, pages)

    source, parts = plan(html, book, options.resources)
    assert any(part.recto for part in parts[1:])
    chain = TwoPages()
    monkeypatch.setattr(parallel, "Chain", lambda *args: chain)
    placed = parallel.place_parts(html, source, parts, book, options.resources, options.out)
    assert all(slot.part is not None for slot in placed.slots)  # every part two pages long: no blank between
    assert chain.blank and chain.blank in chain.kept
