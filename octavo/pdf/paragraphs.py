"""Print HTML + the styles WeasyPrint computes -> the same HTML with each justified paragraph of running text set
as a whole: its breaks chosen by total fit (pdf/knuthplass.py) on WeasyPrint's own glyph widths, and each line
kept together (a nowrap span), so that WeasyPrint, which breaks lines one at a time, breaks exactly there.

Only the print HTML changes (the EPUB reflows). A paragraph this cannot measure (an image, a line break, an
element with a style of its own) keeps WeasyPrint's breaks.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from octavo.pages import LINE_CLASS, PRINT_ONLY
from octavo.pdf.hyphenation import Hyphenator
from octavo.pdf.knuthplass import HYPHEN_PENALTY, SAFETY, Box, Glue, Item, Penalty, breaks, lines
from octavo.pdf.words import (
    TOP,
    Hyph,
    Piece,
    Signature,
    Space,
    Token,
    context_of,
    frame_of,
    is_xref,
    runs,
    signature,
    space_breaks,
    tokens,
)

#: Stretch ratios tried in turn: spaces at most 2x, then 3x, then 5x their width, then an emergency pass with no
#: bound, which still sets the paragraph as a whole with the fewest loose lines (WeasyPrint's breaks, one line at a
#: time, are looser still); only a word wider than the measure leaves the paragraph to WeasyPrint.
TOLERANCES = (1.0, 2.0, 4.0, math.inf)
#: How far a space may shrink, as a share of its width (TeX's is a third of a wider space).
SHRINK = 0.2
#: How far letter-spacing may open a loose line, in ems per letter, so that its spaces need not stretch as far.
TRACKING = 0.02
#: Letter-spacing opens only a line whose spaces would otherwise stretch beyond 1 + SPACED times their width: 1.9x,
#: a tenth within the 2x the spacing targets count (the widths measured word by word are a little off).
SPACED = 0.9
#: A line whose spaces would still stretch beyond 1 + LOOSEST times their width (no better breaks exist: its
#: next word has no hyphenation point) opens its letters further, up to RESCUE times TRACKING.
LOOSEST, RESCUE = 1.9, 2.5
#: What a line set whole by Pango keeps from its measure, in CSS px, to need no span (`_fits`).
FIT = 0.1
#: The spacing classes' step, in CSS px: the word- and letter-spacing of a line are rounded to it; word-spacing
#: to CLOSE steps (a justified line's spaces fill its measure whatever it closes them by: it need only fit).
STEP, CLOSE = 0.005, 10
#: The hyphen drawn at a break inside a word (WeasyPrint's own hyphenate-character).
HYPHEN = "\u2010"
#: After a space within a line written without a span: no break there (UAX #14, LB11); invisible, and not in the
#: PDF's text.
JOINER = "\u2060"
#: Inline elements and punctuation a line without a span may hold: Pango breaks nowhere in them but at spaces.
PLAIN_TAGS = frozenset({"em", "i", "strong", "b", "a", "cite", "small", "abbr", "dfn", "var", "mark", "s", "u"})
PLAIN_PUNCTUATION = frozenset(".,;:!?'\"()\u2018\u2019\u201c\u201d")
#: Text of PLAIN_PUNCTUATION and of letters and digits below U+0590 (Hebrew, Arabic and beyond break otherwise).
_PLAIN_TEXT = re.compile("[" + re.escape("".join(sorted(
    PLAIN_PUNCTUATION | {chr(c) for c in range(0x590) if chr(c).isalnum()}))) + "]*").fullmatch
#: The class marking a paragraph set here, and each of its lines (styles/print.css: nowrap; the EPUB's page map does
#: not count a span of that first class, pages.py).
EVEN, LINE = "even", LINE_CLASS


@dataclass(frozen=True)
class Measures:
    """What the probe measured: styles for each signature, the measure, the indents, a note call's width."""

    styles: dict[Signature, Any]
    measure: float
    indents: dict[tuple[bool, str], float]
    call: float
    advance: Callable[[str, Any], float]
    made: dict[Any, Any] = field(default_factory=dict)
    """The items made so far, for the next paragraphs (items are immutable): each word's box, by (text, path), and
    each path's (style, tracking, glue, glue where no break is, hyphen)."""


def items_of(found: list[Token], measures: Measures) -> list[Item]:
    """KP items for the tokens, one for one, and the closing forced break. A word's box is made once per style (the
    items are immutable), and a space's glue and a hyphen's penalty once per style."""
    items: list[Item] = []
    append, made = items.append, measures.made
    breaks = space_breaks(found)
    for index, token in enumerate(found):
        path = token.path
        if (styled := made.get(path)) is None:
            style = measures.styles[signature(path)]
            space = measures.advance(" ", style)
            styled = made[path] = (style, 0.0 if _is_code(path) else TRACKING * _size(style),
                                   Glue(space, space, space * SHRINK), Glue(space, space, space * SHRINK, False),
                                   Penalty(measures.advance(HYPHEN, style), HYPHEN_PENALTY, True))
        kind = type(token)
        if kind is Piece:
            if token.note is not None:  # type: ignore[union-attr]
                append(Box(measures.call))
            elif (box := made.get((token.text, path))) is not None:  # type: ignore[union-attr]
                append(box)
            else:
                text = token.text  # type: ignore[union-attr]
                box = made[(text, path)] = Box(measures.advance(text, styled[0]), styled[1] * len(text))
                append(box)
        elif kind is Space:
            append(styled[2] if breaks[index] else styled[3])
        else:
            append(styled[4] if token.drawn else _UNDRAWN)  # type: ignore[union-attr]
    append(Penalty(0.0, -1e9, False))
    return items


#: A hyphenation point where the word has its own hyphen (or dash): no hyphen is drawn.
_UNDRAWN = Penalty(0.0, HYPHEN_PENALTY, True)


def _is_code(path: tuple[Any, ...]) -> bool:
    return any(element.tag in ("code", "kbd", "samp") for element in path)


def _size(style: Any) -> float:
    return float(style["font_size"])


def set_paragraph(p: Any, hyphenate: Hyphenator, measures: Measures, context: tuple[bool, str],
                  known: dict[tuple[str, tuple[Any, ...]], list[Token]] | None = None) -> bool:
    """Choose `p`'s breaks and rewrite it line by line; False (and `p` untouched) when no breaks fit. `known`: the
    words' tokens so far (words.py `tokens`)."""
    found = tokens(p, hyphenate, known)
    if not found or any(signature(path) not in measures.styles for path in {t.path for t in found}):
        return False
    items = items_of(found, measures)
    first = measures.measure - measures.indents.get(context, max(measures.indents.values(), default=0.0))
    ends = None
    for tolerance in TOLERANCES:
        ends = breaks(items, first, measures.measure, tolerance)
        if ends is not None:
            break
    if ends is None:
        return False
    set_at(p, found, items, ends, measures, first)
    return True


def _spacing(line: list[Item], room: float, letters: int, last: bool) -> str:
    """The class that sets a line to its measure: word-spacing closing a line too wide (`ws-N`, -N steps), and
    letter-spacing (`ls-N`) opening a line whose spaces would stretch beyond 1 + SPACED times their width, as
    far as TRACKING lets it (RESCUE times that beyond 1 + LOOSEST); WeasyPrint's justification widens the spaces
    for the rest. Most lines need neither, and are written without a span (see `_rewrite`). Classes, not style
    attributes: WeasyPrint parses each style attribute on its own, which cost a third of the layout's time on
    the long book. Letter-spacing is rounded down to a STEP, word-spacing up to CLOSE steps."""
    spaces, tracked, glue = 0, 0.0, 0.0  # in one pass: 7,000 lines on the long book
    for item in line:
        if type(item) is Glue:
            spaces += 1
            glue += item.stretch
        elif type(item) is Box:
            tracked += item.stretch
    safe = room - SAFETY  # what the line may take for sure; `room` is what justification will share out
    if safe < 0 and spaces:  # rounded up to a CLOSE: fewer classes, fewer styles for WeasyPrint to compute
        return f"ws-{math.ceil(-safe / spaces / (CLOSE * STEP)) * CLOSE}"
    if last or safe <= 0 or not tracked or not glue or not letters or room / glue <= SPACED:
        return ""
    wanted, most = room - SPACED * glue, tracked
    if (room - tracked) / glue > LOOSEST:  # spaces beyond 1 + LOOSEST: the letters take more, up to RESCUE x
        wanted, most = room - LOOSEST * glue, RESCUE * tracked
    # letter-spacing follows every character, spaces too: what it adds to a space is space, so only what the
    # letters take narrows the spaces; rounded up, so that the spaces come within the bound where they may
    steps = min(math.ceil(wanted / letters / STEP), math.floor(most / letters / STEP),
                math.floor(safe / (letters + spaces + 1) / STEP))
    return f"ls-{steps}" if steps > 0 else ""


def spacing_css(classes: set[str]) -> str:
    """The rules of the spacing classes a rewrite used."""
    rules = []
    for name in sorted(classes):
        kind, _, steps = name.partition("-")
        value = int(steps) * STEP
        rules.append(f".{EVEN} span.{LINE}.{name} {{ {'word-spacing' if kind == 'ws' else 'letter-spacing'}: "
                     f"{'-' if kind == 'ws' else ''}{value:.3f}px }}")
    return "\n".join(rules)


def _rewrite(p: Any, found: list[Token], ends: list[int], spacing: dict[int, str]) -> None:
    """Replace p's content by its lines: a line with a spacing class is a nowrap span (the inline elements opened
    again in it), any other is written straight into the paragraph with a word joiner after each space that is no
    break (Pango then breaks at the line's end only); a line with text Pango might break elsewhere (dashes,
    slashes, code, notes, generated text) is a span too. Spans cost WeasyPrint a cascade and a layout each."""
    tail = p.tail
    attributes = dict(p.attrib)
    p.clear()
    p.attrib.update(attributes)
    p.tail = tail
    set_whole(p)
    used: set[str] = set()
    clones: dict[Any, list[Any]] = {}
    stack: list[tuple[Any, Any]] = []
    text = _Text()
    start, spanned = 0, True
    for number, end in enumerate(ends):
        tokens = found[start:min(end, len(found))]
        breaking = found[end] if end < len(found) else None
        plain = not spacing.get(number) and _plain(tokens, isinstance(breaking, Hyph))
        if plain:
            line, joiner = p, JOINER
            if spanned:
                stack = []
        else:
            text.flush()
            line, joiner, stack = etree.SubElement(p, "span", {"class": f"{LINE} {spacing[number]}".rstrip()}), "", []
        spanned = not plain
        for token in tokens:
            if isinstance(token, Hyph):
                continue
            container = line if not token.path and not stack else _open(line, stack, token.path, used, clones, text)
            if isinstance(token, Space):
                text.write(container, " " + joiner)
            elif token.hidden:
                continue
            elif token.note is not None:
                note = copy.deepcopy(token.note)
                note.tail = None  # the words after the call are tokens of their own
                text.flush()
                container.append(note)
            else:
                text.write(container, token.text)
        if isinstance(breaking, Hyph) and breaking.drawn:
            text.write(_open(line, stack, breaking.path, used, clones, text), HYPHEN)
        if isinstance(breaking, Space) and number < len(ends) - 1:
            if plain:
                text.write(_open(line, stack, breaking.path, used, clones, text), " ")
            else:
                text.flush()
                line.tail = " "
        start = end + 1
    text.flush()
    for source, made in clones.items():  # a cross-reference split across lines gives its page once, at its end
        if is_xref(source):
            for clone in made[:-1]:
                clone.set("class", " ".join(c for c in (clone.get("class") or "").split() if c != "xref"))


def set_whole(p: Any) -> None:
    """Mark `p` as set as a whole (print.css, pdf/lines.py), beside the classes it has."""
    p.set("class", " ".join([EVEN, *(name for name in (p.get("class") or "").split() if name != EVEN)]))


def _plain(line: list[Token], hyphenated: bool) -> bool:
    """Whether Pango finds no break opportunity in the line's text but at its spaces: words of letters, digits and
    common punctuation, in no code, with no generated text (a hyphen or dash that ends the line is its break).
    A note call may be there: WeasyPrint lays its note out with the line, and once more for each time it tries the
    line again, as it does for a span that does not fit."""
    pieces = [t for t in line if isinstance(t, Piece)]
    for index, piece in enumerate(pieces):
        if piece.hidden or any(e.tag not in PLAIN_TAGS or is_xref(e) for e in piece.path):
            return False
        text = piece.text[:-1] if hyphenated and index == len(pieces) - 1 else piece.text
        if not _PLAIN_TEXT(text):
            return False
    return True


def _open(line: Any, stack: list[tuple[Any, Any]], path: tuple[Any, ...], used: set[str],
          clones: dict[Any, list[Any]], text: _Text) -> Any:
    """The element to write into for `path` on this line: clones of the path's elements, opened as needed."""
    depth = 0
    while depth < len(stack) and depth < len(path) and stack[depth][0] is path[depth]:
        depth += 1
    del stack[depth:]
    if depth < len(path):
        text.flush()
    for source in path[depth:]:
        parent = stack[-1][1] if stack else line
        attributes = {k: v for k, v in source.attrib.items() if k != "id" or v not in used}
        if source.get("id"):
            used.add(source.get("id"))
        if source in clones:
            attributes[PRINT_ONLY] = ""  # a second part: the EPUB has the element once
        clone = etree.SubElement(parent, source.tag, attributes)
        clones.setdefault(source, []).append(clone)
        stack.append((source, clone))
    return stack[-1][1] if stack else line


class _Text:
    """Text written into one element at a time, joined and set once when the writing moves on (flush before the
    tree changes)."""

    def __init__(self) -> None:
        self.target: Any = None
        self.parts: list[str] = []

    def write(self, container: Any, text: str) -> None:
        if container is not self.target:
            self.flush()
            self.target = container
        self.parts.append(text)

    def flush(self) -> None:
        if self.parts:
            _append_text(self.target, "".join(self.parts))
            self.parts.clear()


def _append_text(container: Any, text: str) -> None:
    if len(container):
        container[-1].tail = (container[-1].tail or "") + text
    else:
        container.text = (container.text or "") + text


#: Each frame's probe ids: the signatures' and the indent contexts' (`probe_html`, `read_probe`).
ProbeIds = tuple[dict[Signature, str], dict[tuple[bool, str], str]]


def probe_html(root: Any, paragraphs: list[Any]) -> tuple[str, dict[Signature, ProbeIds]]:
    """A small document, styled as the book, holding for each frame the paragraphs stand in (words.frame_of: a
    chapter's own, a quotation's, a list item's) one sample of each style and each indent context."""
    frames: dict[Signature, list[Any]] = {}
    for p in paragraphs:
        frames.setdefault(frame_of(p), []).append(p)
    body: list[str] = []
    ids: dict[Signature, ProbeIds] = {}
    # a chapter's own paragraphs first, with the ids they always had: the same probe, the same measures
    for number, frame in enumerate(sorted(frames, key=lambda f: (f != TOP, f))):
        ids[frame] = _probe_frame(frames[frame], frame, "" if frame == TOP else f"f{number}-", body)
    lang = root.get("lang") or "en"
    # the samples on one page: each page costs its margin boxes (running heads, folios), and the widths are alike
    style = "<style>section.chapter { break-before: auto !important }</style>"
    return f'<html lang="{lang}"><head>{style}</head><body>{"".join(body)}</body></html>', ids


def _probe_frame(paragraphs: list[Any], frame: Signature, prefix: str, body: list[str]) -> ProbeIds:
    """Append to `body` the samples of one frame's paragraphs, inside its containers; their ids."""
    signatures = sorted({signature(t) for p in paragraphs for t in _paths(p)})
    contexts = sorted({context_of(p) for p in paragraphs})
    *around, (tag, _) = frame
    opened = "".join(f'<{name}{f" class={cls!r}" if cls else ""}>' for name, cls in around)
    closed = "".join(f"</{name}>" for name, _ in reversed(around))
    body.append(f'<section class="chapter">{opened}<{tag} data-probe="{prefix}ctx0">w')
    sig_ids: dict[Signature, str] = {(): f"{prefix}ctx0"}
    for number, sig in enumerate(s for s in signatures if s):
        sig_ids[sig] = f"{prefix}sig{number}"
        inner = "".join(f'<{name}{f" class={cls!r}" if cls else ""}'
                        f'{f" data-probe={sig_ids[sig]!r}" if depth == len(sig) - 1 else ""}>'
                        for depth, (name, cls) in enumerate(sig))
        body.append(f" {inner}w{''.join(f'</{name}>' for name, _ in reversed(sig))}")
    body.append(f'<span class="footnote">w</span></{tag}>{closed}</section>')
    ctx_ids = {}
    for number, (first, before) in enumerate(contexts):
        ctx_ids[(first, before)] = f"{prefix}ctx{number + 1}"
        name, _, cls = before.partition(".")
        previous = f'<{name} class="{cls}"></{name}>' if name else ""
        body.append(f'<section class="chapter">{opened}{"" if first else "<p>w</p>"}{previous}'
                    f'<{tag} data-probe="{prefix}ctx{number + 1}">w</{tag}>{closed}</section>')
    return sig_ids, ctx_ids


def _paths(p: Any) -> Iterator[tuple[Any, ...]]:
    yield ()
    for kind, _, path, _ in runs(p, ()):
        if kind == "text":
            yield path


def parse(html: str) -> Any:
    """The document as plain lxml elements (lxml.html's element classes cost a lookup at each element's touch)."""
    return etree.fromstring(html, etree.HTMLParser())


def serialise(root: Any) -> str:
    return "<!DOCTYPE html>\n" + str(etree.tostring(root, encoding="unicode", method="html"))


def set_at(p: Any, found: list[Token], items: list[Item], ends: list[int], measures: Measures, first: float) -> None:
    """Rewrite `p` line by line at the breaks `ends` (chosen by `set_paragraph`, or again by pdf/recto.py), each
    line spaced to its measure (`_spacing`)."""
    spacing: dict[int, str] = {}
    for number, ((start, natural, room), end) in enumerate(zip(lines(items, ends, first, measures.measure), ends,
                                                               strict=True)):
        letters = sum(len(t.text) for t in found[start:end] if isinstance(t, Piece))
        spacing[number] = _spacing(items[start:end], room, letters, last=number == len(ends) - 1)
        if room >= 0 and spacing[number].startswith("ws-") and _fits(found[start:end], found[end:end + 1],
                                                                       natural + room, measures):
            spacing[number] = ""
    _rewrite(p, found, ends, spacing)


def _fits(line: list[Token], breaking: list[Token], width: float, measures: Measures) -> bool:
    """Whether a line of plain text in the paragraph's own style, which `_spacing` closes only for the SAFETY
    its widths measured word by word keep, fits `width` as Pango sets it whole (kerning across its spaces): then
    it needs no span. About 300 lines of the long book, a Pango layout each."""
    hyphen = bool(breaking) and isinstance(breaking[0], Hyph)
    if any(t.path or (isinstance(t, Piece) and (t.note is not None or t.hidden)) for t in line) \
            or not _plain(line, hyphen) or () not in measures.styles:
        return False
    text = "".join(t.text if isinstance(t, Piece) else " " + JOINER if isinstance(t, Space) else "" for t in line)
    if hyphen and isinstance(breaking[0], Hyph) and breaking[0].drawn:
        text += HYPHEN
    return measures.advance(text, measures.styles[()]) <= width - FIT

