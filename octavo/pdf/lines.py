"""Laid-out pages (WeasyPrint Document) -> the lines that end too early: a line inside a paragraph that holds
one word, or whose words fill much less than the measure, while the paragraph goes on below it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: What a space and the kerning on both sides of it may take from the width the piece has alone, at most, in ems
#: (kerning across a space is worth a tenth of an em in Vollkorn): a piece wider than the room by more than that
#: cannot fit, whatever it measures in context.
KERNED = 0.25
#: A line that is not its paragraph's last is short when its words (without the space justification adds)
#: fill less than this share of the measure.
SHORT = 0.6
#: Lines narrower than this (in points) are too narrow to judge: a measure beside a float, a table cell.
MIN_MEASURE = 120.0


@dataclass(frozen=True)
class ShortLine:
    """One line that ends too early."""

    page: int
    """The page it is on, from 1 (the PDF's page index, not the folio)."""
    text: str
    """The line's words."""
    next_text: str
    """The words of the line after it, which would have fitted."""
    fill: float
    """The share of the measure its words fill, 0 to 1."""
    element: Any
    """The paragraph's element (an lxml element of the print HTML), to find its source line."""

    @property
    def why(self) -> str:
        if len(self.text.split()) <= 1:
            return "holds a single word"
        return f"fills {self.fill:.0%} of the measure"


def short_lines(document: Any) -> list[ShortLine]:
    """Every line of the laid-out book that ends too early while its paragraph goes on."""
    from weasyprint.formatting_structure import boxes

    # Lines per paragraph element, in page order: a paragraph split across pages has a box on each.
    lines: dict[Any, list[tuple[int, Any, Any]]] = {}
    for number, page in enumerate(document.pages, start=1):
        for block in _line_blocks(page._page_box, boxes):
            for line in block.children:
                if isinstance(line, boxes.LineBox):
                    lines.setdefault(block.element, []).append((number, block, line))
    found = []
    for element, rows in lines.items():
        for (number, block, line), (_, _, after) in zip(rows, rows[1:], strict=False):
            if not _judged(block, line, boxes) or _ends_with_break(line, boxes):
                continue
            text, next_text = _text(line, boxes).strip(), _text(after, boxes).strip()
            if not text or not next_text:
                continue
            measure = block.width - (line.position_x - block.content_box_x())
            natural = _natural_width(line, boxes)
            fill = natural / measure if measure > 0 else 1.0
            # A paragraph set as a whole (paragraphs: even, pdf/even.py) leaves room at a line's end by design:
            # its breaks are chosen for the paragraph, not for the line, and only a short line is a defect there.
            fits = not _set_as_whole(element) and _next_word_fits(line, after, measure - natural, boxes)
            justified = block.style["text_align_all"] == "justify"
            if fits or (justified and (fill < SHORT or (len(text.split()) == 1 and fill < 0.9))):
                found.append(ShortLine(number, text, next_text, fill, element))
    return found


def _line_blocks(box: Any, boxes: Any) -> Iterator[Any]:
    """Every block box of a page's running text (the footnote area included) whose children are lines; not
    the running heads and folios, not the contents (its entries end where their titles do), not the index (its
    entries end where their page numbers do, and a range of pages is not broken)."""
    if isinstance(box, boxes.MarginBox) or _skipped(getattr(box, "element", None)):
        return
    children = [getattr(child, "_box", child) for child in getattr(box, "children", ())]
    if isinstance(box, boxes.BlockContainerBox) and any(isinstance(c, boxes.LineBox) for c in children):
        yield box
    for child in children:
        if not isinstance(child, boxes.LineBox):
            yield from _line_blocks(child, boxes)
        else:  # inline-blocks and floats inside a line hold lines of their own
            for inner in child.descendants():
                if inner is not child and isinstance(inner, boxes.BlockContainerBox) and not isinstance(
                        inner, boxes.LineBox):
                    yield from _line_blocks(inner, boxes)


def _set_as_whole(element: Any) -> bool:
    from octavo.pdf.paragraphs import EVEN

    return element is not None and isinstance(element.tag, str) and EVEN in (element.get("class") or "").split()


def _skipped(element: Any) -> bool:
    if element is None or not isinstance(element.tag, str):
        return False
    return element.tag == "nav" or bool({"contents", "index-groups"} & set((element.get("class") or "").split()))


def _next_word_fits(line: Any, after: Any, room: float, boxes: Any) -> bool:
    """Whether the first unbreakable piece of the line `after` (a word, or a word of code and the comma after
    it), and a space before it, would have fitted in the `room` points left at the end of `line`.

    The piece is measured as laid out: from the start of its line to its first break opportunity, across
    inline boxes (code and links may carry padding, and a word may run on from one box into the next). When the
    piece lies in one text whose style is that of the last text of `line`, it is measured in context, as the
    line breaker measures it: the width the last text grows by when the space and the piece are added
    (kerning across the space is worth a tenth of an em in Vollkorn: "of its" is wider than "of" and " its")."""
    from octavo.pdf.internals import text_advance

    leaves = [box for box in after.descendants() if isinstance(box, boxes.InlineReplacedBox) or
              (isinstance(box, boxes.TextBox) and box.text.strip())]
    if leaves and isinstance(leaves[0], boxes.InlineReplacedBox):  # an image in the text (a formula) opens
        first, glued = leaves[0], leaves[1] if len(leaves) > 1 else None  # the line, with "." glued to it: "$1$."
        width = first.margin_width()
        if isinstance(glued, boxes.TextBox) and not glued.text[:1].isspace():
            width += text_advance(glued.text.split(" ")[0], glued.style)
        return bool(width < room)
    texts = [box for box in after.descendants() if isinstance(box, boxes.TextBox)]
    if not texts or not texts[0].text.strip():
        return False
    size = float(texts[0].style["font_size"])
    if room < 0.2 * size * 2:  # no glyph and space are narrower
        return False
    piece = _first_piece(after, texts)
    if piece is None:
        return False
    width, box, end = piece
    last = next((b for b in reversed(list(line.descendants())) if isinstance(b, boxes.TextBox)), None)
    if (last is not None and box is texts[0] and box.position_x <= after.position_x + 0.01
            and _same_font(last.style, box.style)):
        if width - KERNED * size >= room:  # too wide even with no space: most lines, without two measures
            return False
        before = last.text.rstrip(" ")
        grows = text_advance(before + " " + box.text[:end].strip(" "), box.style) - text_advance(before, box.style)
        return grows < room - 0.01  # the line breaker is exact: 516.485 px does not fit 516.48
    space = text_advance(" ", last.style if last is not None else texts[0].style)
    return space + width <= room - 0.1 * size


def _first_piece(after: Any, texts: list[Any]) -> tuple[float, Any, int] | None:
    """The width from the start of `after` to its first break opportunity (Pango's, across the line's text
    boxes: `ptr::read` and the "!" after it are one piece, and so are "[i+1 .." of code), the text box where
    the piece ends and the offset of its end in that box's text."""
    from octavo.pdf.internals import first_break, text_advance

    joined = "".join(box.text for box in texts)
    lead = len(joined) - len(joined.lstrip(" "))
    cut = first_break(joined[lead:], texts[0].style["lang"])
    end = len(joined) if cut is None else lead + cut
    start = 0
    for box in texts:
        if start + len(box.text) >= end:
            local = box.text[:end - start].rstrip(" ")
            if box is texts[0]:
                local = local.lstrip(" ")
            return float(box.position_x - after.position_x + text_advance(local, box.style)), box, end - start
        start += len(box.text)
    return None


def _same_font(one: Any, other: Any) -> bool:
    keys = ("font_family", "font_size", "font_weight", "font_style", "font_stretch", "font_variant_caps",
            "letter_spacing", "word_spacing")
    return all(one[key] == other[key] for key in keys)


def _judged(block: Any, line: Any, boxes: Any) -> bool:
    """Lines of running text: white space collapsing, a measure wide enough, not a heading or a list of pages."""
    style = block.style
    if style["white_space"] not in ("normal", "pre-line") or block.width < MIN_MEASURE:
        return False
    tag = getattr(block, "element_tag", "") or ""
    return not (tag in ("h1", "h2", "h3", "h4", "h5", "h6", "td", "th") or "::" in tag)


def _ends_with_break(line: Any, boxes: Any) -> bool:
    """A line ended by the author (<br>), not by the measure."""
    last = None
    for box in line.descendants():
        if isinstance(box, boxes.TextBox):
            last = box
    return last is not None and last.text.endswith("\n") or any(
        getattr(box, "element_tag", None) == "br" for box in line.descendants())


def _text(line: Any, boxes: Any) -> str:
    return "".join(box.text for box in line.descendants() if isinstance(box, boxes.TextBox))


def _natural_width(line: Any, boxes: Any) -> float:
    """The width the line's content takes without the space that justification added between its words."""
    added = 0.0
    for box in line.descendants():
        spacing = float(getattr(box, "justification_spacing", 0.0) or 0.0)
        if isinstance(box, boxes.TextBox) and spacing:
            added += spacing * (box.text.count(" ") + box.text.count("\u00a0"))
    right = max((child.position_x + child.margin_width() for child in line.children), default=line.position_x)
    return max(0.0, float(right - line.position_x) - added)


@dataclass(frozen=True)
class WrappedCode:
    """A code block the layout wrapped although the print HTML had cut its lines to the measure."""

    page: int
    """The page its first wrapped line is on."""
    text: str
    """The start of the line that did not fit."""
    element: Any
    """The <pre> element."""


def wrapped_code(document: Any) -> list[WrappedCode]:
    """Code blocks with more lines on the pages than in the print HTML: a line the measure did not hold."""
    from weasyprint.formatting_structure import boxes

    lines: dict[Any, list[tuple[int, str]]] = {}
    for number, page in enumerate(document.pages, start=1):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if isinstance(box, boxes.BlockContainerBox) and getattr(box, "element_tag", None) == "pre":
                for line in box.children:
                    if isinstance(line, boxes.LineBox):
                        lines.setdefault(element, []).append((number, _text(line, boxes)))
    found = []
    for element, rows in lines.items():
        # One line end closes the block; a blank line before it is a line of its own on the page.
        written = "".join(element.itertext()).removesuffix("\n").split("\n")
        if len(rows) > len(written):
            laid = iter(rows)
            for source_line in written:
                page, text = next(laid, (rows[-1][0], ""))
                if text.strip() != source_line.strip() and source_line.strip():
                    found.append(WrappedCode(page, source_line.strip()[:60], element))
                    break
                if not text.strip() and source_line.strip():
                    break
            else:
                found.append(WrappedCode(rows[0][0], written[0].strip()[:60], element))
    return found


def page_defects(document: Any, book: Any, first: int = 1) -> list[str]:
    """One message per line that ends too early and per code line the layout wrapped, with file and line (`first`:
    the number of the document's first page, as layoutcheck.findings counts it: a part of the book laid out
    alone)."""
    root = document.pages[0]._page_box.children[0].element if document.pages else None
    parents = {child: parent for parent in root.iter() for child in parent} if root is not None else {}

    def where(element: Any, texts: list[str]) -> str:
        return _where(element, parents, book, texts)

    messages = [f"{where(short.element, [short.text, short.next_text])}a line ends too early on page "
                f"{short.page + first - 1} (it {short.why}): '{_clip(short.text)}', then '{_clip(short.next_text)}'; "
                "reword the sentence, or report it as a bug (docs/errors.md)" for short in short_lines(document)]
    messages += [f"{where(wrap.element, [wrap.text])}a code line does not fit the measure on page "
                 f"{wrap.page + first - 1} and wraps without a mark: '{_clip(wrap.text)}'; shorten it"
                 for wrap in wrapped_code(document)]
    return messages


def report(document: Any, book: Any, log: Any) -> int:
    """Warn about every line that ends too early and every code line the layout wrapped; return how many."""
    messages = page_defects(document, book)
    for message in messages:
        log.warning("%s", message)
    return len(messages)


def _clip(text: str, length: int = 40) -> str:
    text = " ".join(text.split())  # the note marker's en space, too
    return text if len(text) <= length else text[:length] + "…"


def _where(element: Any, parents: dict[Any, Any], book: Any, texts: list[str]) -> str:
    """'content/02-x.md:14: ', or just the file, or '' when the element is not in a chapter."""
    from octavo.source import place_in

    ids = {chapter.id: chapter for chapter in book.chapters}
    chapter = None
    node = element
    while node is not None and chapter is None:
        if isinstance(node.tag, str) and node.tag == "section":
            chapter = ids.get(node.get("id"))
        node = parents.get(node)
    if chapter is None:
        return ""
    for text in texts:
        words = text.replace("\u2002", " ").split()
        for size in (4, 3, 2):
            for start in range(max(1, len(words) - size + 1)):
                needle = " ".join(words[start:start + size])
                if len(needle) >= 8 and (found := place_in(chapter.name, chapter.sources or (chapter.source,),
                                                            needle)):
                    return f"{found[0]}:{found[1]}: "
    return f"{chapter.name}: "
