"""The layout check of every page (octavo/pdf/layoutcheck.py): a small book made to trip each check, laid out
once; a clean book; book.yaml switching a check off; the messages through the real command line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.errors import ConfigError
from octavo.pdf.layout import lay_out
from octavo.pdf.layoutcheck import findings, layout_defects
from octavo.render import make_environment, render_print_html
from octavo.resources import TEMPLATES, Resources

from .conftest import FIXTURE_BOOK, png, write_book
from .test_page import build, octavo, warnings

YAML = ("title: Trips\nauthors: [A. Author]\nlanguage: en\nprint:\n  trim: 4in 6in\n  chapter_start: page\n"
        "chapters: [01-heading.md, 02-widows.md, 03-short.md, 04-overflow.md, 05-ladder.md, 06-figure.md, "
        "07-recto.md]\n")
WORDS = "the mission of peace in the region asked for patience from every party and the council".split()
LONG = ("incomprehensibilities counterrevolutionaries internationalisation characteristically "
        "disproportionately electroencephalography").split()


def _para(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def trip_files() -> dict[str, str | bytes]:
    """One chapter per check, each made to trip it (an author's forced page break where it is the simplest way)."""
    rng = random.Random(8)
    forced = '<p style="break-before: page">{}</p>'
    loose = '<p style="orphans: 1; widows: 1">{}</p>'
    return {
        "book.yaml": YAML,
        "01-heading.md": f"# Heading\n\n{_para(rng, 40)}\n\n## Stranded here\n\n{forced.format(_para(rng, 30))}\n",
        "02-widows.md": "# Widows\n\n" + "\n\n".join(loose.format(_para(rng, rng.randint(20, 90)))
                                                     for _ in range(14)) + "\n",
        "03-short.md": f"# Short\n\n{_para(rng, 40)}\n\n{forced.format(_para(rng, 200))}\n\n"
                       f"{forced.format('The end.')}\n",
        "04-overflow.md": f"# Overflow\n\n{_para(rng, 20)} {'1234567890' * 7} {_para(rng, 20)}\n",
        "05-ladder.md": "# Ladder\n\n" + " ".join(LONG[i % len(LONG)] for i in range(9)) + "\n",
        "06-figure.md": f"# Figure\n\nAs [the figure](#fig-far) shows, {_para(rng, 30)}\n\n"
                        + "\n\n".join(_para(rng, 80) for _ in range(8))
                        + '\n\n<figure id="fig-far"><img src="fig.png" alt="A grey field"></figure>\n',
        "fig.png": png((40, 30)),
        "07-recto.md": "# Recto\n\n" + " ".join(LONG[i % len(LONG)] for i in range(400)) + "\n",
    }


def laid_out(content: Path) -> tuple[Any, Any]:
    book = read_book(load_config(content), content)
    html = render_print_html(book, make_environment(TEMPLATES), "screen", dt.datetime(2026, 1, 1), "test")
    return book, lay_out(html, book, "print", Resources.search())


@pytest.fixture(scope="module")
def trips(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, list[str]]:
    root = write_book(tmp_path_factory.mktemp("trips") / "book", trip_files())
    book, document = laid_out(root)
    return book, document, [m.replace(f"{root}/", "") for m in layout_defects(document, book)]


def _of(messages: list[str], check: str) -> list[str]:
    return [m for m in messages if m.endswith(f"(check {check})")]


def test_a_heading_at_the_foot_of_a_page(trips: tuple[Any, Any, list[str]]) -> None:
    assert _of(trips[2], "heading_at_foot") == [
        "01-heading.md:5: the heading 'Stranded here' ends page 1 (PDF page 7) with no text after it: it belongs "
        "on the next page, with its text (check heading_at_foot)"]


def test_a_widow(trips: tuple[Any, Any, list[str]]) -> None:
    assert _of(trips[2], "widows") == [
        "02-widows.md:9: a widow at the top of page 5 (PDF page 11): the last line of a paragraph alone, 'in.' "
        "(check widows)",
        "02-widows.md:15: an orphan at the foot of page 5 (PDF page 11): the first line of a paragraph alone, "
        "'The in patience patience the mission' (check widows)"]


def test_a_short_page_and_a_short_chapter_end(trips: tuple[Any, Any, list[str]]) -> None:
    short = _of(trips[2], "short_pages")
    assert len(short) == 1 and short[0].startswith("03-short.md:"), short
    assert "page 12 (PDF page 18) is 34% full, before the chapter ends: what follows '" in short[0]
    assert _of(trips[2], "chapter_ends") == [
        "03-short.md:7: the chapter ends on page 13 (PDF page 19) with 1 line(s) on it: shorten or lengthen the "
        "chapter by a few lines (check chapter_ends)"]


def test_a_line_wider_than_the_text_block(trips: tuple[Any, Any, list[str]]) -> None:
    over = _of(trips[2], "overflow")
    assert len(over) == 1 and over[0].startswith("04-overflow.md:3: a line is "), over
    assert "pt wider than the text block on page 14 (PDF page 20): '1234567890" in over[0]


def test_hyphenated_lines_in_a_row(trips: tuple[Any, Any, list[str]]) -> None:
    ladder = [m for m in _of(trips[2], "hyphen_ladders") if not m.startswith("07-recto.md")]
    assert ladder and all(m.startswith("05-ladder.md:3: ") and " hyphenated lines in a row on page 15 (PDF page "
                                       "21), from '" in m for m in ladder), ladder


def test_a_figure_far_from_its_reference(trips: tuple[Any, Any, list[str]]) -> None:
    far = _of(trips[2], "figure_distance")
    assert len(far) == 1 and far[0].startswith("06-figure.md:3: figure 'fig-far' is on page "), far
    assert "pages after its first reference on page 16 (PDF page 22): move the figure nearer" in far[0]


def test_book_yaml_switches_a_check_off(trips: tuple[Any, Any, list[str]]) -> None:
    book, document, _ = trips
    quiet = dataclasses.replace(book, meta=dataclasses.replace(book.meta, checks_off=(("widows", "poems"),)))
    kinds = {found.check for found in findings(document, quiet)}
    assert "widows" not in kinds and {"heading_at_foot", "overflow", "figure_distance"} <= kinds


def test_a_clean_book_has_no_finding() -> None:
    book, document = laid_out(FIXTURE_BOOK)
    assert layout_defects(document, book) == []


def test_checks_in_book_yaml(tmp_path: Path) -> None:
    base = "title: T\nauthors: [A]\nlanguage: en\nchapters: [01.md]\n"
    write_book(tmp_path, {"book.yaml": base + 'checks:\n  widows: {skip: "poems keep stanzas whole"}\n',
                          "01.md": "# One\n\nText.\n"})
    assert load_config(tmp_path).checks_off == (("widows", "poems keep stanzas whole"),)
    (tmp_path / "book.yaml").write_text(base + "checks:\n  widow: {skip: x}\n  overflow: {skip: ''}\n  "
                                        "short_pages: false\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert [str(e) for e in caught.value.problems] == [
        f"{tmp_path}/book.yaml:6: unknown check 'checks.widow' (did you mean 'checks.widows'?)",
        f"{tmp_path}/book.yaml:7: 'checks.overflow' must be {{skip: reason}}, the reason saying why the book does "
        'without the check, for example checks: {widows: {skip: "the poems keep their stanzas whole"}}',
        f"{tmp_path}/book.yaml:8: 'checks.short_pages' must be {{skip: reason}}, the reason saying why the book "
        'does without the check, for example checks: {widows: {skip: "the poems keep their stanzas whole"}}']


@pytest.mark.slow
def test_the_build_warns_strict_fails_and_check_reports(tmp_path: Path) -> None:
    """Through the command line: the build warns with file, line and page; `check` says the same, and fails
    with --strict."""
    files = trip_files()
    book = write_book(tmp_path / "book", {"book.yaml": YAML.replace(
        "chapters: [01-heading.md, 02-widows.md, 03-short.md, 04-overflow.md, 05-ladder.md, 06-figure.md, "
        "07-recto.md]", "chapters: [01-heading.md]"), "01-heading.md": files["01-heading.md"]})
    run = build(book, "pdf")
    expected = (f"warning: {book}/01-heading.md:5: the heading 'Stranded here' ends page 1 (PDF page 7) with no "
                "text after it: it belongs on the next page, with its text (check heading_at_foot)")
    assert run.code == 0 and expected in warnings(run), run.stderr
    checked = octavo("check", "--content", book, "--out", tmp_path / "dist")
    assert checked.code == 0 and expected.replace("warning: ", "warning: trips-print.pdf: ") in \
        checked.stderr.splitlines(), checked.stderr
    assert octavo("check", "--content", book, "--out", tmp_path / "dist", "--strict").code == 3


def test_a_word_broken_at_the_foot_of_a_recto(trips: tuple[Any, Any, list[str]]) -> None:
    recto = _of(trips[2], "recto_hyphen")
    assert recto and all(m.startswith("07-recto.md:3: the last line of page ") and " a recto, ends with a "
                         "broken word: '" in m for m in recto), recto
    assert all(int(m.split("(PDF page ")[1].split(")")[0]) % 2 == 1 for m in recto)
