"""Stage 1: Markdown chapters -> HTML fragments, headings and notes (fixture files, one case each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from octavo.content.markdown import IdPool, make_markdown, parse_chapter, split_front_matter
from octavo.errors import ContentError

from .conftest import assert_matches_golden, png

CASES = Path(__file__).parent / "fixtures" / "markdown"
NAMES = sorted(p.stem for p in CASES.glob("*.md"))


def render_case(name: str) -> str:
    path = CASES / f"{name}.md"
    front, body, offset = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    chapter = parse_chapter(make_markdown("en"), path, path.name, front, body, offset, "chapter", 1, IdPool(),
                            CASES)
    notes = "\n".join(f"<!-- {n.id} ({n.number}) -->\n{n.html}" for n in chapter.footnotes)
    headings = "\n".join(f"<!-- h{h.level} #{h.id}: {h.text} -->" for h in chapter.headings)
    return f"<!-- #{chapter.id}: {chapter.title} -->\n{headings}\n{chapter.html}{notes}\n"


@pytest.mark.parametrize("name", NAMES)
def test_markdown_case(name: str) -> None:
    """Each case's HTML is a golden file beside it: OCTAVO_REGENERATE=1 pytest tests/test_content.py rewrites them."""
    assert_matches_golden(render_case(name), CASES / f"{name}.html")


def test_smart_punctuation_leaves_no_straight_quotes() -> None:
    html = render_case("smart-punctuation")
    assert "“Double”" in html and "‘single’" in html and "it’s" in html
    assert "–" in html and "—" in html and "…" in html
    assert '"' not in html.split("-->", 1)[1].replace('="', "").replace('">', "")


def test_notes_are_numbered_in_call_order_and_repeat_calls_share_a_number() -> None:
    html = render_case("footnotes")
    assert html.count('href="#fn-notes-1"') == 2
    assert 'href="#fn-notes-2"' in html
    assert "<p>And a second paragraph.</p>" in html


def test_duplicate_heading_ids_are_made_unique_deterministically_as_github_does() -> None:
    html = render_case("heading-ids")
    assert 'id="same-title"' in html and 'id="same-title-1"' in html  # GitHub and mdBook: -1, -2, ...
    assert 'id="my-id"' in html and "{#" not in html
    assert 'id="émigré-café--co"' in html  # GitHub keeps letters of any script; '&' goes, its spaces stay


def test_raw_html_scripts_frames_and_handlers_are_removed() -> None:
    html = render_case("raw-html")
    for banned in ("<script", "<iframe", "onclick", "javascript:"):
        assert banned not in html
    assert "Kept text" in html and '<span class="smcp">small caps</span>' in html


def test_a_footnote_call_without_definition_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    with pytest.raises(ContentError) as error:
        parse_chapter(make_markdown("en"), path, "x.md", {}, "# T\n\nText.[^missing]\n", 0, "chapter", 1,
                      IdPool(), tmp_path)
    assert str(error.value) == ("x.md:3: footnote [^missing] has no definition; "
                                "add a line '[^missing]: text of the note'")


@pytest.mark.parametrize("body, line, example", [
    ("# T\n\n![A map](map.png)\n\n![](map.png)\n", 5, "![A map of the region](map.png)"),
    ('# T\n\n<img src="map.png" alt="A map">\n\n<img src="map.png">\n', 5,
     '<img src="map.png" alt="A map of the region">'),
    ("# T\n\nText.[^1]\n\n[^1]: A note with ![](map.png) in it.\n", 5, "![A map of the region](map.png)"),
])
def test_an_image_without_alt_text_is_found_wherever_it_is(tmp_path: Path, body: str, line: int, example: str) -> None:
    """One check for Markdown and raw images, in the body and in notes, naming the line without alt text."""
    (tmp_path / "map.png").write_bytes(png())
    with pytest.raises(ContentError) as error:
        parse_chapter(make_markdown("en"), tmp_path / "x.md", "x.md", {}, body, 0, "chapter", 1, IdPool(), tmp_path)
    assert str(error.value) == (f"x.md:{line}: image 'map.png' has no alt text: describe it, {example}, so readers "
                                "who cannot see it are not left out")
