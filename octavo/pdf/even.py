"""Print HTML + the book's stylesheets -> the print HTML with its paragraphs of running text set as wholes
(pdf/paragraphs.py), measured on a small probe document that WeasyPrint lays out with the book's own styles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from octavo.model import Book
from octavo.pdf.hyphenation import Hyphenator
from octavo.pdf.paragraphs import EVEN, LINE, Measures, ProbeIds, parse, probe_html, set_paragraph, spacing_css
from octavo.pdf.words import candidates, context_of, frame_of

#: Lays out a probe document (HTML) with the book's stylesheets and returns the WeasyPrint Document.
Render = Callable[[str], Any]


def even_paragraphs(html: str, book: Book, render: Render) -> tuple[Any, int, int]:
    """(the HTML with its paragraphs set as wholes, as an lxml tree; paragraphs set; paragraphs left to
    WeasyPrint)."""
    from octavo.pdf.patches import lines_kept_whole

    lines_kept_whole(EVEN, LINE)  # WeasyPrint lays each line out once, not twice
    root = parse(html)
    paragraphs = candidates(root)
    if not paragraphs:
        return root, 0, 0
    probe, ids = probe_html(root, paragraphs)
    measures = read_probe(render(probe), ids)
    hyphenate = Hyphenator(book.meta.language, book.meta.hyphenation_exceptions)
    # before any is rewritten: a rewritten one has a class
    contexts_of = [(frame_of(p), context_of(p)) for p in paragraphs]
    known: dict[Any, Any] = {}  # each word's tokens, for every paragraph
    done = sum(set_paragraph(p, hyphenate, measures[frame], context, known)
               for p, (frame, context) in zip(paragraphs, contexts_of, strict=True))
    classes = {name for p in paragraphs for span in p.iter("span") for name in (span.get("class") or "").split()
               if name.startswith(("ws-", "ls-"))}
    head = root.find("head")
    if classes and head is not None:
        style = etree.SubElement(head, "style")
        style.text = spacing_css(classes)
    return root, done, len(paragraphs) - done


def read_probe(document: Any, ids: dict[Any, ProbeIds]) -> dict[Any, Measures]:
    """Each frame's styles, measure and indents, and a note call's width, from the probe's laid-out boxes."""
    from weasyprint.formatting_structure import boxes

    from octavo.pdf.internals import text_advance

    by_id: dict[str, Any] = {}
    indents: dict[str, float] = {}
    widths: dict[str, float] = {}
    call = 0.0
    for page in document.pages:
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            probe = element.get("data-probe") if element is not None and hasattr(element, "get") else None
            tag = getattr(box, "element_tag", "") or ""
            if isinstance(box, boxes.TextBox) and probe and probe not in by_id:
                by_id[probe] = box.style
            elif isinstance(box, boxes.BlockBox) and probe and "ctx" in probe:
                indents[probe] = _length(box.style["text_indent"], box.width)
                if probe.endswith("ctx0"):
                    widths[probe] = float(box.width)
            elif tag.endswith("::footnote-call") and not call:
                call = float(box.margin_width())
    cache: dict[tuple[str, int], float] = {}

    def advance(text: str, style: Any) -> float:
        key = (text, id(style))
        if key not in cache:
            cache[key] = text_advance(text, style)
        return cache[key]

    return {frame: Measures({sig: by_id[name] for sig, name in signatures.items() if name in by_id},
                            widths.get(signatures[()], 0.0),
                            {ctx: indents[name] for ctx, name in contexts.items() if name in indents}, call, advance)
            for frame, (signatures, contexts) in ids.items()}


def _length(value: Any, width: float) -> float:
    """A computed length (px, or a percentage of the measure) in WeasyPrint's units."""
    if getattr(value, "unit", None) == "%":
        return float(value.value) * width / 100
    return float(getattr(value, "value", value) or 0.0)
