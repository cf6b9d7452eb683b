"""A laid-out book -> the same pages with no word broken at a recto's foot: a paragraph of running text whose
line ends a recto with a hyphen is set again as a whole (pdf/paragraphs.py) in as many lines, that line ending
whole, laid out alone on a probe at the same measure, and its changed lines take the old ones' places (same
heights, so no page moves). A paragraph this cannot set again safely keeps its lines; the layout check reports it.
With `paragraphs: even` the paragraphs even.py set are set again; with WeasyPrint's breaks, those it would set."""

from __future__ import annotations

import bisect
import copy
import itertools
import logging
from dataclasses import dataclass
from typing import Any

from lxml import etree

from octavo.model import Book
from octavo.pdf.even import Render, read_probe
from octavo.pdf.hyphenation import Hyphenator
from octavo.pdf.knuthplass import breaks_in_lines
from octavo.pdf.linetexts import flow_lines, generated, is_recto, own_text
from octavo.pdf.paragraphs import (
    EVEN,
    HYPHEN,
    JOINER,
    TOLERANCES,
    Measures,
    items_of,
    parse,
    probe_html,
    set_at,
    set_whole,
    spacing_css,
)
from octavo.pdf.words import (
    TOP,
    Hyph,
    Piece,
    Token,
    candidates,
    context_of,
    is_running_text,
    is_xref,
    signature,
    tokens,
)

log = logging.getLogger("octavo")

#: Points two lines' heights or widths may differ by and still be the same.
EPSILON = 0.01


@dataclass
class _Laid:
    """An even paragraph's lines as laid out, in order: (page index, the block box holding it, the line box)."""

    element: Any
    lines: list[tuple[int, Any, Any]]
    rectos: set[int]
    """The lines (from 0) that end a recto."""


@dataclass(frozen=True)
class _Plan:
    """A paragraph set again: the new paragraph, its context, and the lines that changed."""

    laid: _Laid
    paragraph: Any
    context: tuple[bool, str]
    changed: tuple[int, ...]
    notes_before: int
    """The notes of the chapter before the paragraph's first (the probe's footnote counter starts there)."""


def keep_rectos(document: Any, html: str, book: Book, render: Render) -> tuple[int, int]:
    """Set again, in `document`, each paragraph of running text whose line ends a recto with a broken word: with
    `paragraphs: even` the paragraphs even.py set, else (WeasyPrint's breaks) those it would set. `html` is the
    print HTML before even.py rewrote it. Returns (paragraphs set again, paragraphs left as they were)."""
    laid = _broken_rectos(document, book.meta.paragraphs == "even")
    if not laid:
        return 0, 0
    root = parse(html)
    originals = _originals(root, document, laid)
    found = [p for p in originals.values() if p is not None]
    if not found:
        return 0, len(laid)
    probe, ids = probe_html(root, found)
    measures = read_probe(render(probe), ids)[TOP]  # a chapter's own paragraphs (`_chapter_paragraphs`)
    hyphenate = Hyphenator(book.meta.language, book.meta.hyphenation_exceptions)
    plans = [plan for item in laid if (plan := _plan(item, originals.get(item.element), hyphenate, measures))]
    if not plans:
        return 0, len(laid)
    done = _replace(document, plans, render(_probe_of(plans, root.get("lang") or "en")))
    return done, len(laid) - done


def _broken_rectos(document: Any, even: bool) -> list[_Laid]:
    """The paragraphs of running text (`even`: those set as wholes; else those without a class) with a line that
    ends a recto with a hyphen, with all their lines."""
    from weasyprint.formatting_structure import boxes

    running = {p for p in _chapter_paragraphs(document.pages[0]._page_box.children[0].element)
               if (EVEN in (p.get("class") or "").split() if even else is_running_text(p))} \
        if document.pages else set()
    lines: dict[Any, _Laid] = {}
    for index, page in enumerate(document.pages):
        last: tuple[Any, Any] | None = None
        for block, line in flow_lines(page._page_box, boxes):
            last = block, line
            if block.element in running:
                lines.setdefault(block.element, _Laid(block.element, [], set())).lines.append((index, block, line))
        if last is not None and is_recto(page._page_box) and own_text(last[1], boxes).rstrip().endswith(HYPHEN) \
                and last[0].element in lines:
            mine = lines[last[0].element]
            mine.rectos.add(len(mine.lines) - 1)
    return [laid for laid in lines.values() if laid.rectos]


def _originals(root: Any, document: Any, laid: list[_Laid]) -> dict[Any, Any]:
    """Each laid-out paragraph -> its paragraph in the print HTML before even.py (None when they differ): the
    n-th `section.chapter > p` of one is the n-th of the other, as even.py rewrites paragraphs in place."""
    laid_root = document.pages[0]._page_box.children[0].element
    ours, theirs = _chapter_paragraphs(root), _chapter_paragraphs(laid_root)
    where = {element: n for n, element in enumerate(theirs)}
    measurable = set(candidates(root))
    found: dict[Any, Any] = {}
    for item in laid:
        n = where.get(item.element)
        original = ours[n] if n is not None and len(ours) == len(theirs) and ours[n] in measurable else None
        same = original is not None and _letters(original.itertext()) == _letters(item.element.itertext())
        found[item.element] = original if same else None
    return found


def _chapter_paragraphs(root: Any) -> list[Any]:
    return [p for section in root.iter("section") if "chapter" in (section.get("class") or "").split()
            for p in section if p.tag == "p"]


def _letters(texts: Any) -> str:
    """The letters of `texts`: no white space, no drawn hyphen, and no word joiner (paragraphs.py writes one after
    each space of a line it writes without a span, where no line may break)."""
    return "".join("".join(texts).replace(HYPHEN, "").replace(JOINER, "").split())


def _plan(laid: _Laid, original: Any, hyphenate: Hyphenator, measures: Measures) -> _Plan | None:
    """The paragraph set again in as many lines with no recto's line ending at a hyphen; None when it cannot be,
    or when a changed line holds what would change with it (a note call, a cross-reference, an anchor)."""
    from weasyprint.formatting_structure import boxes

    if original is None:
        return None
    found = tokens(original, hyphenate)
    if not found or any(signature(path) not in measures.styles for path in {t.path for t in found}):
        return None
    items = items_of(found, measures)
    context = context_of(original)
    first = measures.measure - measures.indents.get(context, max(measures.indents.values(), default=0.0))
    ends = None
    for tolerance in TOLERANCES:
        ends = breaks_in_lines(items, first, measures.measure, tolerance, len(laid.lines), frozenset(laid.rectos))
        if ends is not None:
            break
    if ends is None:
        return None
    spans = _spans(found, ends)
    old = [_letters([own_text(line, boxes)]) for _, _, line in laid.lines]
    changed = tuple(n for n, (start, end) in enumerate(spans) if _line_text(found, start, end) != old[n])
    if not changed or not _anchors_stay(found, spans, old, [page for page, _, _ in laid.lines], set(changed)):
        return None
    paragraph = copy.deepcopy(original)
    paragraph.tail = None
    set_at(paragraph, found, items, ends, measures, first)
    calls = [text for _, _, line in laid.lines for text in generated(line, boxes, "::footnote-call")]
    return _Plan(laid, paragraph, context, changed, int(calls[0]) - 1 if calls and calls[0].isdigit() else 0)


def _spans(found: list[Token], ends: list[int]) -> list[tuple[int, int]]:
    """Each line's first and last token (the break's own token last), as paragraphs._rewrite writes them."""
    spans, start = [], 0
    for end in ends:
        spans.append((start, min(end, len(found))))
        start = end + 1
    return spans


def _line_text(found: list[Token], start: int, end: int) -> str:
    text = "".join(t.text for t in found[start:end] if isinstance(t, Piece) and not t.hidden and t.note is None)
    breaking = found[end] if end < len(found) else None
    return _letters([text + (HYPHEN if isinstance(breaking, Hyph) and breaking.drawn else "")])


def _anchors_stay(found: list[Token], spans: list[tuple[int, int]], old: list[str], pages: list[int],
                  changed: set[int]) -> bool:
    """Whether what a line carries to a page of its own stays on its page: a note call (its note is in that
    page's footnote area), an element with an id (an anchor, an index mark); and whether no cross-reference is
    on a changed line (the probe cannot print its page)."""
    ends = list(itertools.accumulate(len(text) for text in old))  # the letters up to each old line's end
    offset, line = 0, 0
    for index, token in enumerate(found):
        while index > spans[line][1]:
            line += 1
        if not isinstance(token, Piece):
            continue
        xref = any(is_xref(element) for element in token.path)
        if xref or token.note is not None or any(element.get("id") for element in token.path):
            before = min(bisect.bisect_right(ends, offset - 1 if token.note is not None else offset), len(old) - 1)
            if pages[before] != pages[line] or (xref and (line in changed or before in changed)):
                return False
        if not token.hidden and token.note is None:
            offset += len(_letters([token.text]))
    return True


def _probe_of(plans: list[_Plan], lang: str) -> str:
    """Each paragraph set again in a chapter of its own, after what comes before it in the book (its indent)."""
    body, classes = [], set()
    for number, plan in enumerate(plans):
        plan.paragraph.set("data-recto", str(number))
        classes |= {name for span in plan.paragraph.iter("span") for name in (span.get("class") or "").split()
                    if name.startswith(("ws-", "ls-"))}
        first, before = plan.context
        tag, _, cls = before.partition(".")
        previous = f'<{tag} class="{cls}"></{tag}>' if tag else ""
        body.append(f'<section class="chapter" style="counter-reset: footnote {plan.notes_before}">'
                    f'{"" if first else "<p>w</p>"}{previous}'
                    f'{etree.tostring(plan.paragraph, encoding="unicode", method="html")}</section>')
    return (f'<html lang="{lang}"><head><style>{spacing_css(classes)}</style></head>'
            f'<body>{"".join(body)}</body></html>')


def _replace(document: Any, plans: list[_Plan], probe: Any) -> int:
    """Put each plan's changed lines, from the probe, in the old lines' places; the number of plans done."""
    from weasyprint.formatting_structure import boxes

    from octavo.pdf.internals import replace_lines

    probed: dict[str, list[tuple[Any, Any]]] = {}
    for page in probe.pages:
        for block, line in flow_lines(page._page_box, boxes):
            number = block.element.get("data-recto") if block.element is not None else None
            if number is not None:
                probed.setdefault(number, []).append((block, line))
    done = 0
    for number, plan in enumerate(plans):
        new = probed.get(str(number), [])
        swaps = [(index, block, line, new[n][1]) for n, (index, block, line) in enumerate(plan.laid.lines)
                 if n in plan.changed] if len(new) == len(plan.laid.lines) else []
        if not swaps or not all(_same_place(old, line, block, new[0][0]) for _, block, old, line in swaps) \
                or _calls(swaps, 2, boxes) != _calls(swaps, 3, boxes):
            continue  # the lines would not fit, or a note call would print another number
        for _, _, old, line in swaps:
            for box in (line, *line.descendants()):
                if box.element is new[0][0].element:
                    box.element = old.element  # the lines are the book's paragraph's, for what reads them
        replace_lines(document, swaps)
        set_whole(plan.laid.element)  # set as a whole now, for what reads the pages (pdf/lines.py)
        done += 1
    return done


def _calls(swaps: list[tuple[int, Any, Any, Any]], which: int, boxes: Any) -> list[str]:
    """What the stylesheet generates in the old lines (`which` 2) or the new (3): note calls, in order."""
    return [text for swap in swaps for text in generated(swap[which], boxes)]


def _same_place(old: Any, new: Any, block: Any, probe_block: Any) -> bool:
    """Whether a probe's line can take an old line's place: the same measure, height and indent."""
    return bool(abs(block.width - probe_block.width) < EPSILON
            and abs(old.margin_height() - new.margin_height()) < EPSILON
            and block.style["text_indent"] == probe_block.style["text_indent"])
