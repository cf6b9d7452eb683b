"""Code blocks: fence info strings, Pygments highlighting, the colour scheme and its greys, and the print edition's
wrapping of highlighted lines (no build here: test_import.py builds a book of code)."""

from __future__ import annotations

import logging
import re
from types import SimpleNamespace
from typing import Any

import pytest
from lxml import html as lxml_html

from octavo.codestyle import HIGHLIGHT, PRINT_GREYS, ROLES, code_css, contrast
from octavo.content.fences import Fence, parse_info, render_code
from octavo.content.markdown import make_markdown
from octavo.pdf.code import CONTINUED, Measure, wrap_code


@pytest.mark.parametrize(("info", "expected"), [
    ("rust,ignore", Fence(language="rust")),
    ("rust,editable", Fence(language="rust")),
    ("{.python}", Fence(language="python")),
    ("{python}", Fence(language="python")),
    ("{r echo=false}", Fence(language="r")),
    ('{.python .numberLines startFrom="5"}', Fence(language="python", numbered=True, start=5)),
    ('python title="src/a.py" hl_lines="2 4-5"', Fence(language="python", title="src/a.py",
                                                       highlighted=frozenset({2, 4, 5}))),
    ('{.python filename="loop.py"}', Fence(language="python", title="loop.py")),
    ('{#lst:loop .python caption="A loop"}', Fence(language="python", anchor="lst:loop", caption="A loop")),
    ("rust linenos", Fence(language="rust", numbered=True)),
    ("", Fence()),
    ("text", Fence(language="text")),
])
def test_info_strings_of_mdbook_pandoc_quarto_and_mkdocs(info: str, expected: Fence) -> None:
    assert parse_info(info) == expected


def test_a_known_language_is_highlighted_with_pygments_classes() -> None:
    html = make_markdown("en").render('```rust\nfn main() { let s = "a-b"; }\n```\n')
    assert '<pre class="code" data-language="rust"><code class="language-rust">' in html
    assert '<span class="k">fn</span>' in html and '<span class="s">&quot;a-b&quot;</span>' in html


@pytest.mark.parametrize("language", ["text", "nosuchlanguage", ""])
def test_text_and_unknown_languages_are_plain_and_quiet(language: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="octavo"):
        html = make_markdown("en").render(f"```{language}\nfn main() {{}}\n```\n")
    assert "<span" not in html and "fn main() {}" in html
    assert not caplog.records


def test_a_fence_with_an_id_or_caption_is_a_listing_figure() -> None:
    html = render_code(parse_info('{#lst:loop .python caption="A loop" title="loop.py"}'), "x = 1\n")
    assert html.startswith('<figure class="listing" id="lst:loop">\n<figcaption>A loop</figcaption>\n'
                           '<div class="code-title">loop.py</div>\n<pre class="code" data-language="python">')
    assert html.endswith("</pre>\n</figure>\n")


def test_a_caption_may_hold_code_and_commas() -> None:
    html = render_code(parse_info('rust {#lst:1-1 caption="Prints `Hello, world!`"}'), "x\n")
    assert "<figcaption>Prints <code>Hello, world!</code></figcaption>" in html


def test_line_numbers_and_highlighted_lines() -> None:
    html = render_code(parse_info('python linenos hl_lines="2"'), "a = 1\nb = 2\n")
    lines = html.split("<code", 1)[1].split("\n")
    assert '<span class="ln" aria-hidden="true">1 </span>' in lines[0]
    assert lines[1].startswith('<span class="hll"><span class="ln" aria-hidden="true">2 </span>')


def test_every_colour_of_the_scheme_meets_wcag_aa_on_white_and_on_a_highlighted_line() -> None:
    colours = set(re.findall(r"#[0-9a-f]{6}", code_css())) - {HIGHLIGHT}
    assert colours and all(contrast(c, "#ffffff") >= 4.5 and contrast(c, HIGHLIGHT) >= 4.5 for c in colours), \
        {c: round(contrast(c, HIGHLIGHT), 2) for c in colours}


def test_every_colour_the_css_uses_has_its_grey_of_k_for_print() -> None:
    assert set(re.findall(r"#[0-9a-f]{6}", code_css())) <= set(PRINT_GREYS)
    assert all(0 < grey <= 1 for grey in PRINT_GREYS.values())
    assert {role.colour for role in ROLES.values()} <= set(PRINT_GREYS)


def _wrap(html: str, columns: int = 30) -> tuple[Any, list[str]]:
    warnings: list[str] = []
    book: Any = SimpleNamespace(chapters=())
    # A measure of `columns` characters of pre code: width = columns advances of 6 px.
    measure = Measure(width=columns * 6.0 + 0.01, advance=6.0, bare=6.0, em=14.0)
    out = wrap_code(f"<!DOCTYPE html><html><body>{html}</body></html>", book, measure, warnings.append)
    return lxml_html.document_fromstring(out), warnings


def test_a_long_highlighted_line_is_wrapped_and_keeps_its_spans() -> None:
    code = "    let total = compute(first_argument, second_argument);\nlet x = 1;\n"
    tree, warnings = _wrap(render_code(parse_info("rust"), code))
    pre = tree.find(".//pre")
    text = "".join(pre.itertext())
    assert CONTINUED in text and len(warnings) == 1
    first, *continued, last = text.split("\n")
    assert len(first) <= 30 and continued and all(line.startswith("    " + CONTINUED + " ") for line in continued)
    joined = " ".join([first, *(line.split(CONTINUED + " ", 1)[1] for line in continued)])
    assert joined.replace(" ", "") == code.split("\n")[0].replace(" ", "")
    assert last == "let x = 1;"
    classes = [span.get("class") for span in pre.iter("span")]
    assert classes.count("kd") == 2 and "code-continued" in classes and classes.count("p") == 4
    mark = next(span for span in pre.iter("span") if span.get("class") == "code-continued")
    assert mark.getparent().tag == "code"  # outside every token's span


def test_a_token_cut_by_a_wrap_keeps_its_class_on_both_sides() -> None:
    tree, _ = _wrap(render_code(parse_info("python"), 'x = "a string much longer than the measure of this test"\n'))
    strings = [span for span in tree.iter("span") if span.get("class") == "s2"]
    assert len(strings) == 2 and (strings[0].text or "").startswith('"a string')
    assert (strings[1].text or "").endswith('test"')


def test_a_numbered_line_hangs_under_its_code_not_its_number() -> None:
    code = "x = [first_value, second_value, third_value]\n"
    tree, _ = _wrap(render_code(parse_info("python linenos"), code))
    text = "".join(tree.find(".//pre").itertext())
    assert text.split("\n")[0].startswith("1 x = [")
    assert text.split("\n")[1].startswith("  " + CONTINUED)


def test_a_highlighted_block_that_fits_is_left_as_written() -> None:
    html = render_code(parse_info("rust"), "fn main() {}\n")
    page = f"<!DOCTYPE html><html><body>{html}</body></html>"
    book: Any = SimpleNamespace(chapters=())
    assert wrap_code(page, book, Measure(width=1000, advance=6.0, bare=6.0, em=14.0), lambda _: None) == page


def test_the_page_map_counts_a_code_block_whole_so_wrapped_spans_shift_nothing() -> None:
    from octavo.pages import index_elements

    block = render_code(parse_info("python"), 'x = "a string much longer than the measure of this test"\n')
    page = f"<!DOCTYPE html><html><body><section id='c'>{block}<p>after</p></section></body></html>"
    wrapped, _ = _wrap(block)
    before = index_elements(lxml_html.document_fromstring(page))
    after = index_elements(lxml_html.document_fromstring(
        page.replace(block, lxml_html.tostring(wrapped.find(".//pre"), encoding="unicode"))))
    assert [v for k, v in before.items() if k.tag == "p"] == [v for k, v in after.items() if k.tag == "p"]
