"""Stage 2: Book + templates -> print HTML and EPUB XHTML (the fixture book's print HTML is a golden file)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import jinja2
import pytest

from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.errors import EXIT_INPUT, TemplateError
from octavo.model import BuildOptions
from octavo.pipeline import build
from octavo.render import make_environment, render_print_html, render_template
from octavo.resources import TEMPLATES

from .conftest import FIXTURE_BOOK, REGENERATE, assert_matches_golden

GOLDEN = Path(__file__).parent / "fixtures" / "book.print.html"
WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def fixture_html(edition: str) -> str:
    book = read_book(load_config(FIXTURE_BOOK), FIXTURE_BOOK)
    return render_print_html(book, make_environment(TEMPLATES), edition, WHEN, "Octavo test")


def test_print_html_matches_the_golden_file() -> None:
    """Regenerate on purpose only: OCTAVO_REGENERATE=1 pytest tests/test_render.py, then review the diff."""
    assert_matches_golden(fixture_html("print"), GOLDEN)


def test_a_missing_golden_file_fails_and_is_not_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REGENERATE, raising=False)
    missing = tmp_path / "missing.html"
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_matches_golden("<p>x</p>", missing)
    assert str(failure.value) == (f"golden file {missing} is missing: run OCTAVO_REGENERATE=1 pytest "
                                  "tests/test_render.py and review what it wrote")
    assert not missing.exists()


def test_print_edition_has_no_live_links_and_screen_edition_does() -> None:
    print_html, screen_html = fixture_html("print"), fixture_html("screen")
    assert re.search(r'\shref="#', print_html) is None and 'data-href="#second"' in print_html
    assert 'href="#second"' in screen_html


def test_notes_are_inline_floats_in_print_with_repeated_calls_as_numbers() -> None:
    html = fixture_html("print")
    assert '<span class="footnote" id="fn-first-1">The first note, with <em>emphasis</em>.</span>' in html
    assert '<span class="noteref-repeat">1</span>' in html
    assert "It has a second paragraph." in html and "<p>It has a second paragraph.</p>" not in html


def test_front_matter_kinds_numbering_and_running_titles() -> None:
    book = read_book(load_config(FIXTURE_BOOK), FIXTURE_BOOK)
    assert [(c.kind, c.number, c.running) for c in book.chapters] == [
        ("preface", None, "Preface"), ("chapter", 1, "First"), ("chapter", 2, "The Second Chapter")]
    assert [c.division for c in book.chapters] == ["frontmatter", "bodymatter", "bodymatter"]


def write_template(tmp_path: Path, text: str) -> jinja2.Environment:
    (tmp_path / "bad.html.j2").write_text(text)
    return make_environment(tmp_path)


def test_a_template_syntax_error_names_the_template_and_line(tmp_path: Path) -> None:
    env = write_template(tmp_path, "<p>\n{% if x %}\n<p>unclosed\n")
    with pytest.raises(TemplateError) as error:
        render_template(env, "bad.html.j2", x=1)
    assert str(error.value).startswith(f"{tmp_path}/bad.html.j2:3: template syntax error: Unexpected end of template")


def test_an_undefined_variable_names_the_template_and_line(tmp_path: Path) -> None:
    env = write_template(tmp_path, "<p>one</p>\n<p>{{ meta.titel }}</p>\n")
    with pytest.raises(TemplateError) as error:
        render_template(env, "bad.html.j2", meta={"title": "T"})
    assert str(error.value) == f"{tmp_path}/bad.html.j2:2: undefined variable: 'dict object' has no attribute 'titel'"


#: (template, line to insert the mistake before, the mistake, target, line reported, message after "<file>:<line>: ")
CASES = {
    "undefined-attribute": ("partials/chapter.html.j2", 4, "{{ chapter.subtitle }}", "epub", 4,
                            "undefined variable: 'octavo.model.Chapter object' has no attribute 'subtitle'"),
    "undefined-name": ("epub/nav.xhtml.j2", 4, "{{ landmark_count }}", "epub", 4,
                       "undefined variable: 'landmark_count' is undefined"),
    "syntax": ("print.html.j2", 12, "{% if %}", "pdf", 12,
               "template syntax error: Expected an expression, got 'end of statement block'"),
    # Jinja notices an unclosed block at the end of the template, and says so.
    "unclosed-block": ("partials/contents.html.j2", 2, "{% for x in chapters %}", "epub", 33,
                       "template syntax error: Unexpected end of template. Jinja was looking for the following "
                       "tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for'."),
    "missing-include": ("partials/chapter.html.j2", 4, '{% include "partials/epigraph.html.j2" %}', "pdf", 4,
                        "template 'partials/epigraph.html.j2' not found in {templates}/"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_template_mistake_names_the_template_and_line(name: str, tmp_path: Path) -> None:
    template, at, text, target, line, message = CASES[name]
    templates = shutil.copytree(TEMPLATES, tmp_path / "templates")
    path = templates / template
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[: at - 1] + [text + "\n"] + lines[at - 1:]))
    with pytest.raises(TemplateError) as error:
        build(BuildOptions(content=FIXTURE_BOOK, out=tmp_path / "out", targets=(target,), templates=templates))
    assert str(error.value) == f"{path}:{line}: " + message.format(templates=templates)
    assert error.value.exit_code == EXIT_INPUT
    assert not (tmp_path / "out").exists()
