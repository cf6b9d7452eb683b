"""Even paragraphs (book.yaml paragraphs: even): the total-fit breaks, the hyphenation they use, and what
WeasyPrint makes of the print HTML they rewrite: the breaks kept, the inline markup and notes intact, the EPUB
left alone."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.errors import ConfigError
from octavo.pdf.hyphenation import Hyphenator
from octavo.pdf.knuthplass import Box, Glue, Item, Penalty, breaks, ratios
from octavo.pdf.layout import lay_out
from octavo.render import make_environment, render_print_html
from octavo.resources import TEMPLATES, Resources

from .conftest import build_into, write_book

# 1. The algorithm ------------------------------------------------------------------------------------------


def _words(widths: list[float], space: float = 3.0) -> list[Item]:
    items: list[Item] = []
    for width in widths:
        if items:
            items.append(Glue(space, space, space * 0.2))
        items.append(Box(width))
    return [*items, Penalty(0, -1e9, False)]


def _first_fit(items: list[Item], measure: float) -> list[int]:
    """The breaks a browser takes: each line as full as it goes."""
    ends, start, width = [], 0, 0.0
    for index, item in enumerate(items):
        if isinstance(item, Box):
            if width + item.width > measure - 0.5 and ends is not None:
                ends.append(index - 1)
                width = 0.0
            width += item.width
        elif isinstance(item, Glue) and width:
            width += item.width
        start = index
    return [*ends, start]


def test_total_fit_evens_out_what_first_fit_leaves_loose() -> None:
    """First fit leaves one line loose and the next full; total fit spreads the room over the paragraph."""
    items = _words([20, 20, 30, 20, 20, 30, 45, 45, 30, 20, 30, 20])  # first fit: 0.1, 15.7, 2.3; total: 4, 4, 2.3
    greedy = ratios(items, _first_fit(items, 100), 100, 100)[:-1]
    ends = breaks(items, 100, 100, tolerance=10)
    assert ends is not None
    even = ratios(items, ends, 100, 100)[:-1]
    assert max(even) < max(greedy) and sum(r ** 2 for r in even) < sum(r ** 2 for r in greedy), (even, greedy)


def test_no_more_than_two_hyphens_in_a_row() -> None:
    """Words that fit best broken in two, every line: without the limit every line ends at a hyphen; with it,
    two do, and the third is set loose rather than hyphenated."""
    items: list[Item] = [Box(20, 0.2), Glue(3, 3, 0.6)]
    for _ in range(8):
        items += [Box(50, 0.5), Penalty(4, 50, True), Box(50, 0.5), Glue(3, 3, 0.6)]
    items[-1:] = [Penalty(0, -1e9, False)]
    ends = breaks(items, 81, 110, tolerance=1000)
    assert ends is not None
    hyphens = [isinstance(items[end], Penalty) and items[end].flagged for end in ends]
    assert hyphens[:3] == [True, True, False]
    assert not any(all(hyphens[i:i + 3]) for i in range(len(hyphens) - 2)), hyphens


def test_a_word_wider_than_the_measure_has_no_breaks() -> None:
    assert breaks(_words([30, 130, 30]), 100, 100, tolerance=100) is None


def test_the_language_chooses_the_patterns_and_the_book_its_exceptions() -> None:
    assert Hyphenator("en").word_points("sensitivities") == [3, 5, 8, 9]  # sen-si-tiv-i-ties
    assert Hyphenator("en-US").word_points("responsibility") == Hyphenator("en").word_points("responsibility")
    assert Hyphenator("en-GB").word_points("sensitivities") == [4, 6, 8, 10]  # sens-it-iv-it-ies
    own = Hyphenator("en", ("Octavo", "peace-keep-ing"))
    assert own.word_points("Octavo") == [] and own.word_points("peacekeeping") == [5, 9]
    assert own.points("The peacekeeping force") == [9, 13]


def test_book_yaml_paragraphs_and_hyphenation(tmp_path: Path) -> None:
    base = "title: T\nauthors: [A]\nlanguage: en\nchapters: [01.md]\n"
    write_book(tmp_path, {"book.yaml": base + "paragraphs: even\nhyphenation: {exceptions: [Octavo, "
                                              "peace-keep-ing]}\n", "01.md": "# One\n\nText.\n"})
    meta = load_config(tmp_path)
    assert (meta.paragraphs, meta.hyphenation_exceptions) == ("even", ("Octavo", "peace-keep-ing"))
    (tmp_path / "book.yaml").write_text(base + "paragraphs: knuth\nhyphenation: {exceptions: [two words]}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert [str(e) for e in caught.value.problems] == [
        f"{tmp_path}/book.yaml:5: 'paragraphs' must be one of greedy, even, not 'knuth' (even sets each "
        "paragraph as a whole)",
        f"{tmp_path}/book.yaml:6: 'hyphenation.exceptions' must be a list of words, each written whole or with "
        "hyphens where it may break, for example hyphenation: {exceptions: [Octavo, \"peace-keep-ing\"]}"]


# 2. What WeasyPrint makes of it -----------------------------------------------------------------------------

YAML = ("title: Even\nauthors: [A. Author]\nlanguage: en\nparagraphs: {mode}\nprint:\n  trim: 5in 8in\n"
        "chapters: [01.md]\n")
TEXT = ("Diplomatic negotiations among member states are fundamental to effective peacekeeping efforts. "
        "They facilitate *agreement on mandates, resource allocation and operational directives*, ensuring "
        "that missions are supported by a broad coalition. This process involves extensive [consultation with "
        "regional organisations](#one), the `Security Council` and troop-contributing countries,{note} "
        "balancing diverse national interests with the responsibilities of the international community. ")
NOTE = ("\n\n[^n]: A note, set whole at its call. It runs over more than one line of the note area, where it wraps "
        "as any note does, though the line of the paragraph it is called from does not.")
CHAPTER = "# One\n\n" + "\n\n".join([TEXT.format(note="[^n]"), *[TEXT.format(note="")] * 2]) + NOTE + "\n"


def laid_out(root: Path) -> tuple[Any, Any]:
    book = read_book(load_config(root), root)
    html = render_print_html(book, make_environment(TEMPLATES), "screen", dt.datetime(2026, 1, 1), "test")
    return book, lay_out(html, book, "print", Resources.search())


@pytest.fixture(scope="module")
def even(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = write_book(tmp_path_factory.mktemp("even") / "book", {
        "book.yaml": YAML.format(mode="even"), "01.md": CHAPTER})
    return laid_out(root)[1]


def _paragraph_lines(document: Any) -> list[list[Any]]:
    from weasyprint.formatting_structure import boxes

    found: dict[Any, list[Any]] = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.LineBox) and getattr(box, "element_tag", "") == "p" \
                    and "Diplomatic" in "".join(box.element.itertext()):
                found.setdefault(box.element, []).append(box)
    return list(found.values())


def _text(line: Any) -> str:
    """A line's text, without the note call WeasyPrint generates."""
    from weasyprint.formatting_structure import boxes

    return "".join(b.text for b in line.descendants() if isinstance(b, boxes.TextBox)
                   and not (getattr(b, "element_tag", "") or "").endswith("::footnote-call")).replace("\u2060", "")


def _asked(p: Any) -> list[str]:
    """The lines a rewritten paragraph asks for: each span.line, and in the text outside them a break at each
    space without a word joiner after it and after each hyphen added (pdf/paragraphs.py `_rewrite`)."""
    out: list[str] = []

    def walk(element: Any, spanned: bool) -> None:
        if "footnote" in (element.get("class") or "").split():
            return
        if element.text:
            out.append(element.text if spanned else _breaks(element.text))
        for child in element:
            line = element is p and "line" in (child.get("class") or "").split()
            if line:
                out.append("\n")
            walk(child, spanned or line)
            if line:
                out.append("\n")
            if child.tail:
                out.append(child.tail if spanned else _breaks(child.tail))

    walk(p, False)
    return [" ".join(line.replace("\u2060", "").split()) for line in "".join(out).split("\n") if line.strip()]


def _breaks(text: str) -> str:
    return re.sub("\u2010", "\u2010\n", re.sub(" (?!\u2060)", "\n", text))


def test_weasyprint_breaks_where_the_paragraph_was_set(even: Any) -> None:
    """Each laid-out line is a line the rewritten paragraph asked for: WeasyPrint broke nowhere else. Most lines
    are written without a span (only those with a spacing class, or text Pango might break, have one)."""
    paragraphs = _paragraph_lines(even)
    assert len(paragraphs) == 3
    spans = 0
    for lines in paragraphs:
        asked = _asked(lines[0].element)
        spans += sum(1 for e in lines[0].element if "line" in (e.get("class") or "").split())
        assert len(lines) == len(asked) > 4
        for line, text in zip(lines, asked, strict=True):
            assert " ".join(_text(line).split()) == text
    assert 0 < spans < sum(len(lines) for lines in paragraphs)


def test_the_words_and_the_markup_are_kept(even: Any) -> None:
    from weasyprint.formatting_structure import boxes

    lines = _paragraph_lines(even)[0]
    text = " ".join(_text(line).strip() for line in lines)
    joined = re.sub("\u2010 ", "", text)  # a hyphen added at a line's end joins the word again
    assert " ".join(joined.split()) == " ".join(re.sub(r"[*`\[\]]|\(#one\)", "", TEXT.format(note="")).split())
    italic = [" ".join(b.text for b in line.descendants()
                       if isinstance(b, boxes.TextBox) and b.style["font_style"] == "italic") for line in lines]
    assert re.sub("\u2010 ", "", " ".join(" ".join(italic).split())) == \
        "agreement on mandates, resource allocation and operational directives"
    code = [" ".join(b.text.strip() for b in line.descendants()
                     if isinstance(b, boxes.TextBox) and "Mono" in " ".join(b.style["font_family"])) for line in lines]
    assert " ".join(" ".join(code).split()) == "Security Council"
    links = {b.element.get("href") for line in lines for b in line.descendants()
             if getattr(b, "element_tag", "") == "a" and b.element.get("href")}
    assert "#one" in links
    notes = [b for page in even.pages for b in page._page_box.descendants()
             if isinstance(b, boxes.FootnoteAreaBox)]
    assert any("A note, set whole at its call." in "".join(t.text for t in n.descendants()
                                                              if isinstance(t, boxes.TextBox)) for n in notes)


def test_a_note_called_from_a_line_wraps_in_the_note_area(even: Any) -> None:
    from weasyprint.formatting_structure import boxes

    areas = [b for page in even.pages for b in page._page_box.descendants() if isinstance(b, boxes.FootnoteAreaBox)]
    lines = [line for area in areas for line in area.descendants() if isinstance(line, boxes.LineBox)]
    assert len(lines) >= 2
    for area in areas:
        for line in area.descendants():
            if isinstance(line, boxes.LineBox):
                assert line.position_x + line.width <= area.content_box_x() + area.width + 0.5


def test_a_note_called_from_a_spaced_line_is_spaced_as_any_note(even: Any) -> None:
    """The note's calling line opens its letters (an ls- span); the note, set whole in that span, does not."""
    from weasyprint.formatting_structure import boxes

    calling = [b for page in even.pages for b in page._page_box.descendants() if isinstance(b, boxes.InlineBox)
               and any(isinstance(c, boxes.FootnoteAreaBox) or "footnote" in (getattr(c, "element", None) is not None
                       and c.element.get("class") or "") for c in b.children) and b.style["letter_spacing"] != "normal"]
    assert calling  # what the test is about: a note called from a letter-spaced line
    texts = [t for page in even.pages for area in page._page_box.descendants()
             if isinstance(area, boxes.FootnoteAreaBox) for t in area.descendants() if isinstance(t, boxes.TextBox)]
    assert any("A note, set whole at its call." in t.text for t in texts)
    for text in texts:
        assert text.style["letter_spacing"] == "normal" and text.style["word_spacing"] == 0, text.text


def test_the_spaces_are_even(even: Any) -> None:
    """No justified line of the three paragraphs stretches its spaces beyond 3x the font's own."""
    from weasyprint.formatting_structure import boxes

    from octavo.pdf.internals import text_advance

    for lines in _paragraph_lines(even):
        for line in lines[:-1]:
            texts = [b for b in line.descendants() if isinstance(b, boxes.TextBox) and " " in b.text.strip()]
            spacing = max(float(getattr(b, "justification_spacing", 0) or 0) for b in texts)
            natural = text_advance(" ", line.style)
            assert (text_advance(" ", texts[0].style) + spacing) / natural < 3.0, _text(line)


@pytest.mark.slow
def test_the_epub_is_not_touched(tmp_path: Path) -> None:
    """Built through the pipeline with paragraphs: even, the EPUB's text has no line spans and no added hyphens,
    and is the same as with WeasyPrint's breaks (but for the page markers, which follow the print pages)."""
    texts = {}
    for mode in ("even", "greedy"):
        root = write_book(tmp_path / mode, {"book.yaml": YAML.format(mode=mode),
                                            "01.md": CHAPTER})
        built = build_into(root, tmp_path / f"{mode}-out")
        with zipfile.ZipFile(built.path("epub")) as epub:
            name = next(n for n in epub.namelist() if n.endswith(".xhtml") and b"Diplomatic" in epub.read(n))
            texts[mode] = epub.read(name).decode()
    assert 'class="line' not in texts["even"] and "\u2010" not in texts["even"]
    strip = re.compile(r'<span[^>]*epub:type="pagebreak"[^>]*/>|<span[^>]*epub:type="pagebreak"[^>]*></span>')
    assert strip.sub("", texts["even"]) == strip.sub("", texts["greedy"])


#: A paragraph of the long benchmark book (benchmarks/longbook.py) whose indented first line has seven spaces and
#: no hyphenation point in reach: its spaces stretched to 3.2x when letter-spacing was reckoned on the spaces too.
LOOSE = ("In from election civilians economy more province however sovereignty province this well humanitarian "
         "than without the troops commitment during security since. Approach their two impartiality border those "
         "after instrument road.")


@pytest.fixture(scope="module")
def loose(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = write_book(tmp_path_factory.mktemp("loose") / "book", {
        "book.yaml": YAML.format(mode="even").replace("5in 8in", "6in 9in"),
        "01.md": "# One\n\nA first paragraph.\n\n" + LOOSE + "\n"})
    return laid_out(root)[1]


def test_a_line_with_few_spaces_opens_its_letters_below_3x(loose: Any) -> None:
    """The loose first line is letter-spaced (a class on its span) so that its spaces, letter-spacing included,
    stay below 3x; every other justified line of the paragraph below 2x."""
    from weasyprint.formatting_structure import boxes

    from octavo.pdf.internals import text_advance

    lines = [box for page in loose.pages for box in page._page_box.descendants()
             if isinstance(box, boxes.LineBox) and getattr(box, "element_tag", "") == "p"
             and "sovereignty" in "".join(box.element.itertext())]
    stretches = []
    for line in lines[:-1]:
        texts = [b for b in line.descendants() if isinstance(b, boxes.TextBox) and " " in b.text.strip()]
        spacing = max(float(getattr(b, "justification_spacing", 0) or 0) for b in texts)
        stretches.append((text_advance(" ", texts[0].style) + spacing) / text_advance(" ", line.style))
    assert _text(lines[0]).strip() == "In from election civilians economy more province however"
    assert 2.5 < stretches[0] < 3.0 and max(stretches[1:]) < 2.0, stretches
    assert float(lines[0].children[0].style["letter_spacing"]) > 0


def test_a_line_that_fits_as_pango_sets_it_needs_no_span(even: Any) -> None:
    """A line `_spacing` would close only for the SAFETY its word-by-word widths keep is measured whole (its
    kerning across the spaces): when it fits, it is written without a span (pdf/paragraphs.py `_fits`)."""
    from octavo.pdf.internals import text_advance
    from octavo.pdf.paragraphs import FIT, JOINER, Measures, _fits
    from octavo.pdf.words import Piece, Space

    style = _paragraph_lines(even)[0][0].style
    measures = Measures({(): style}, 300.0, {}, 0.0, text_advance)
    line = [Piece("Peace", ()), Space(()), Piece("keeping", ()), Space(()), Piece("missions", ())]
    width = text_advance(f"Peace {JOINER}keeping {JOINER}missions", style)
    assert _fits(line, [], width + FIT, measures)
    assert not _fits(line, [], width, measures)
    assert not _fits([Piece("Peace", (even.pages[0]._page_box.element,)), *line[1:]], [], width + FIT, measures)


def test_a_paragraph_kept_with_the_code_after_it_is_set_as_a_whole_and_still_kept_with_it(tmp_path: Path) -> None:
    """Octavo gives a paragraph that ends with ':' before a code block the class keep-with-next (render.py): it is
    running text still (a fifth of the Rustonomicon's paragraphs), set as a whole, its page break rule kept."""
    root = write_book(tmp_path / "book", {"book.yaml": YAML.format(mode="even"), "01.md": (
        "# One\n\n" + TEXT.format(note="").strip() + " So it reads as follows:\n\n```rust\nfn main() {}\n```\n")})
    document = laid_out(root)[1]
    found = {tuple((line.element.get("class") or "").split()) for line in _paragraph_lines(document)[0]}
    assert found == {("even", "keep-with-next")}
    assert len(_paragraph_lines(document)[0]) > 3


FRAMED = ("# One\n\nA chapter's own paragraph, before a quotation and lists.\n\n> " + TEXT.format(note="").strip()
          + "\n\n- " + TEXT.format(note="").strip() + "\n- A short item.\n\n1. " + TEXT.format(note="").strip()
          + "\n\n   " + TEXT.format(note="").strip() + "\n\n   - " + TEXT.format(note="").strip() + "\n\n"
          "2. The last item.\n\n::: note\n" + TEXT.format(note="").strip() + "\n:::\n")


def test_quotations_lists_and_callouts_are_set_as_wholes_at_their_own_measure(tmp_path: Path) -> None:
    """A quotation's paragraph, a tight list's item, a loose list's paragraphs, a nested list's item and a callout's
    paragraph are set as wholes (the Rustonomicon has 194 such paragraphs; WeasyPrint's breaks left 17.7 % of their
    lines beyond 2x), each at the width of its own frame, which the probe measures (pdf/paragraphs.py probe_html):
    WeasyPrint breaks exactly where each was set, and every line but the last ends at its box's right edge, none
    past it."""
    from weasyprint.formatting_structure import boxes

    root = write_book(tmp_path / "book", {"book.yaml": YAML.format(mode="even"), "01.md": FRAMED})
    document = laid_out(root)[1]
    found: dict[Any, list[Any]] = {}
    right: dict[Any, float] = {}  # each line -> the right edge of its block on its page (rectos and versos differ)
    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.BlockBox) and box.element_tag in ("p", "li"):
                for line in box.children:
                    right[line] = box.content_box_x() + box.width
            if isinstance(box, boxes.LineBox) and box.element_tag in ("p", "li") \
                    and "Diplomatic" in "".join(box.element.itertext()):
                found.setdefault(box.element, []).append(box)
    tree = document.pages[0]._page_box.children[0].element
    parents = {child: parent for parent in tree.iter() for child in parent}
    kinds = sorted("/".join(_frame(e, parents)) for e in found)
    assert kinds == ["blockquote/p", "div/p", "ol/li/p", "ol/li/p", "ol/li/ul/li", "ul/li"]
    widths = set()
    for element, lines in found.items():
        assert "even" in (element.get("class") or "").split(), _frame(element, parents)
        asked = _asked(element)
        assert len(lines) == len(asked) > 3
        for line, text in zip(lines, asked, strict=True):
            assert " ".join(_text(line).split()) == text
        widths.add(round(lines[0].width))
        for line in lines[:-1]:
            end = max(b.position_x + b.width for b in line.descendants() if isinstance(b, boxes.TextBox) and b.text)
            assert right[line] - 0.5 <= end <= right[line] + 0.01, (_frame(element, parents), _text(line))
    assert len(widths) >= 2  # the quotation (and the nested item) and the items: each frame its own measure


def _frame(element: Any, parents: dict[Any, Any]) -> list[str]:
    names = []
    while element is not None and element.tag != "section":
        names.append(element.tag)
        element = parents.get(element)
    return names[::-1]
