"""No word broken at a recto's foot (pdf/recto.py): the paragraph is set again in as many lines, through the
command line, and the pages are the same; where it cannot be, the layout check still says so. With
`paragraphs: even`, and with WeasyPrint's breaks (`greedy`: the paragraph is set as a whole)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest

from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.pdf.knuthplass import Box, Glue, Penalty, breaks, breaks_in_lines
from octavo.pdf.layout import lay_out
from octavo.render import make_environment, render_print_html
from octavo.resources import TEMPLATES, Resources

from .conftest import write_book
from .test_page import octavo

VOCABULARY = ("peace mission council member states diplomacy conflict resolution mandate ceasefire observers troops "
              "operation security negotiation envoy settlement agreement region border civilians election monitoring "
              "humanitarian reconstruction institution authority legitimacy consensus cooperation partnership "
              "framework strategy the of and to in that is was for on with as by at from this which be are").split()
YAML = ("title: Rectos\nauthors: [A. Author]\nlanguage: en\nparagraphs: even\nprint:\n  trim: 4in 6in\n"
        "  chapter_start: right\n")
#: The recto whose last line the first chapter breaks a word on (set again), and the second's (it cannot be).
FIXED, LEFT = 9, 19
#: Where the first chapter calls its notes: (paragraph, word).
NOTES = ((0, 8), (3, 20))


def chapter(title: str, seed: int, notes: tuple[tuple[int, int], ...] = ()) -> str:
    """Nine paragraphs of 40 to 90 words, with a note called after each (paragraph, word) of `notes`. Seed 4
    with notes after words 8 and 20 of its first and fourth paragraphs breaks 'reso-lution' at the foot of PDF
    page 9, the second note's call just after it; seed 1 breaks 'partner-ship' at the foot of page 11 (of that
    chapter alone), in a 4 x 6 in book."""
    rng = random.Random(seed)
    paragraphs = [[rng.choice(VOCABULARY) for _ in range(rng.randint(40, 90))] for _ in range(9)]
    for number, (paragraph, word) in enumerate(notes):
        paragraphs[paragraph][word] += f"[^{number}]"
    text = "\n\n".join(" ".join(words).capitalize() + "." for words in paragraphs)
    defined = "".join(f"\n[^{number}]: {'A first note.' if number == 0 else 'A second note, of a few words.'}\n"
                      for number in range(len(notes)))
    return f"# {title}\n\n{text}\n{defined}"


def _pages(path: Path) -> list[list[str]]:
    pdf = pdfium.PdfDocument(path)
    try:
        return [page.get_textpage().get_text_range().splitlines() for page in pdf]
    finally:
        pdf.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[list[str]]]:
    root = write_book(tmp_path_factory.mktemp("rectos") / "book",
                      {"book.yaml": YAML, "01.md": chapter("Recto", 4, NOTES), "02.md": chapter("Fallback", 1)})
    run = octavo("build", "print", "--content", root, "--out", root.parent / "dist")
    assert run.code == 0, run.stderr
    return root, run.stderr, _pages(root.parent / "dist" / "rectos-print.pdf")


def test_no_word_is_broken_at_a_rectos_foot(built: tuple[Path, str, list[list[str]]]) -> None:
    _, stderr, pages = built
    lines = pages[FIXED - 1]
    assert lines[-2:] == ["RECTO", "3"]  # the running head and the folio come after the text block
    assert lines[-3].endswith("civilians to"), lines[-3]  # 'reso-' went over with the rest of its word
    assert pages[FIXED][0].endswith("resolution2"), pages[FIXED][:2]  # the note's call, on the note's page
    assert "2. A second note, of a few words." in pages[FIXED]
    assert "PDF page 9" not in stderr


def test_what_cannot_be_set_again_is_still_reported(built: tuple[Path, str, list[list[str]]]) -> None:
    """The second chapter's paragraph fits no other 13 lines: it keeps its lines, and the build says so."""
    root, stderr, pages = built
    assert pages[LEFT - 1][-3].endswith("partner\u2010")
    assert [line for line in stderr.splitlines() if line.endswith("(check recto_hyphen)")] == [
        f"warning: {root}/02.md:17: the last line of page 13 (PDF page 19), a recto, ends with a broken word: "
        "'are of region and settlement by partner‐'; the reader turns the leaf in the middle of it "
        "(check recto_hyphen)"]


def test_the_pages_are_the_same(built: tuple[Path, str, list[list[str]]], tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Laid out without the fix, every page holds as many lines, and every page but the recto and the page after
    it reads the same."""
    root, _, pages = built
    monkeypatch.setattr("octavo.pdf.recto.keep_rectos", lambda *args: (0, 0))
    book = read_book(load_config(root), root)
    html = render_print_html(book, make_environment(TEMPLATES), "screen", dt.datetime(2026, 1, 1), "test")
    lay_out(html, book, "print", Resources.search()).write_pdf(tmp_path / "before.pdf")
    before = _pages(tmp_path / "before.pdf")
    assert [len(page) for page in before] == [len(page) for page in pages]
    assert before[FIXED - 1][-3].endswith("reso\u2010") and before[FIXED][0].endswith("lution2")
    changed = [n for n, (old, new) in enumerate(zip(before, pages, strict=True), start=1) if old != new]
    assert changed == [4, FIXED, FIXED + 1]  # the copyright page says when and which version it was built


def _without_fix(root: Path, target: Path, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    monkeypatch.setattr("octavo.pdf.recto.keep_rectos", lambda *args: (0, 0))
    book = read_book(load_config(root), root)
    html = render_print_html(book, make_environment(TEMPLATES), "screen", dt.datetime(2026, 1, 1), "test")
    lay_out(html, book, "print", Resources.search()).write_pdf(target)
    return _pages(target)


@pytest.mark.slow
def test_greedy_paragraphs_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With WeasyPrint's breaks, the first chapter breaks 'agree-ment' at the foot of PDF page 7; the paragraph
    is set as a whole in as many lines instead, and the pages keep their lines."""
    root = write_book(tmp_path / "book", {"book.yaml": YAML.replace("paragraphs: even", "paragraphs: greedy"),
                                          "01.md": chapter("Recto", 4)})
    run = octavo("build", "print", "--content", root, "--out", tmp_path / "dist")
    assert run.code == 0 and "(check recto_hyphen)" not in run.stderr, run.stderr
    pages = _pages(tmp_path / "dist" / "rectos-print.pdf")
    before = _without_fix(root, tmp_path / "before.pdf", monkeypatch)
    assert before[6][-1].endswith("agree\u2010") and not pages[6][-1].endswith("\u2010"), (before[6], pages[6])
    assert [len(page) for page in before] == [len(page) for page in pages]
    assert [n for n, (old, new) in enumerate(zip(before, pages, strict=True), start=1) if old != new] == [4, 7, 8]


def _items(words: list[float]) -> list[Any]:
    items: list[Any] = []
    for width in words:
        items += [Box(width / 2), Penalty(3.0, 50.0, True), Box(width / 2), Glue(5.0, 2.5, 1.0)]
    return [*items[:-1], Penalty(0.0, -1e9, False)]


def test_breaks_in_a_given_number_of_lines() -> None:
    """As many lines as the best breaks, and no hyphen ending the line asked for; None when none can."""
    rng = random.Random(4)
    items = _items([rng.uniform(20, 60) for _ in range(60)])
    best = breaks(items, 200.0, 200.0, 4.0)
    assert best is not None
    same = breaks_in_lines(items, 200.0, 200.0, 4.0, len(best), frozenset())
    assert same is not None and len(same) == len(best)
    hyphenated = [n for n, end in enumerate(best) if isinstance(items[end], Penalty) and items[end].flagged]
    assert hyphenated
    for line in hyphenated:
        whole = breaks_in_lines(items, 200.0, 200.0, 4.0, len(best), frozenset({line}))
        assert whole is not None and len(whole) == len(best) and isinstance(items[whole[line]], Glue)
    assert breaks_in_lines(items, 200.0, 200.0, 4.0, 2, frozenset()) is None
