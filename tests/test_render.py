"""Stage 2: a mistake in a template names the template and its line, for every kind of Jinja error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from octavo.errors import EXIT_INPUT, TemplateError
from octavo.pipeline import TEMPLATES, BuildOptions, build

from .conftest import FIXTURE_BOOK

#: (template, line to insert the mistake before, the mistake, target, line reported, message after "<file>:<line>: ")
CASES = {
    "undefined-attribute": ("partials/chapter.html.j2", 4, "{{ chapter.subtitle }}", "epub", 4,
                            "undefined variable: 'octavo.model.Chapter object' has no attribute 'subtitle'"),
    "undefined-name": ("epub/nav.xhtml.j2", 4, "{{ landmark_count }}", "epub", 4,
                       "undefined variable: 'landmark_count' is undefined"),
    "syntax": ("print.html.j2", 12, "{% if %}", "pdf", 12,
               "template syntax error: Expected an expression, got 'end of statement block'"),
    # Jinja notices an unclosed block at the end of the template, and says so.
    "unclosed-block": ("partials/contents.html.j2", 2, "{% for x in chapters %}", "epub", 17,
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
