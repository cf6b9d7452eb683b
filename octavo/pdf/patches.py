"""WeasyPrint 70 patched to make the same boxes with less work: a line of an even paragraph (pdf/paragraphs.py)
laid out once, not twice; no style computed for a pseudo-element no box is made of. Beside pdf/internals.py
(every other reach into WeasyPrint's internals), checked against the same versions; `patch_engines` applies
these and internals.py's mends together, for everything Octavo lays out or draws.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from octavo.pdf.internals import check_engines, fix_trailing_space_breaks, kerned_justification


def patch_engines() -> None:
    """Every patch of WeasyPrint's layout and drawing, once per process: whatever Octavo lays out or draws (a book,
    a probe, the EPUB's generated cover) goes through the same engine, whichever ran first in the process. The
    cover drawn before or after a book's layout gave other PNG bytes once the drawing was patched (a release's
    EPUB then depended on what the process had done before)."""
    check_engines()
    fix_trailing_space_breaks()
    kerned_justification()
    pseudo_styles_where_used()


def lines_kept_whole(paragraph: str, line: str) -> None:
    """Replace WeasyPrint 70's `split_inline_level` (as `weasyprint.layout.inline` calls it) with one that does
    not lay out a line kept whole (`.{paragraph} > span.{line}`, pdf/paragraphs.py) where it cannot fit: after
    what a line already holds, with a break before it; once per process.

    WeasyPrint lays out each child of a line until one overflows, then ends the line at the last break: such a
    span was laid out twice, at the end of the line before (to find that it does not fit there, then thrown
    away) and on its own line, a third of the cost of even paragraphs' spans. The line before is full and the
    span is a whole line, so it is taken as overflowing unseen: the line ends at the same break, with the same
    boxes (tests/test_internals.py). Not for a paragraph's last line (it may be short), a span holding more than
    text (a note), the first line's first letter or a line with no break before the span."""
    from math import inf

    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline

    check_engines()
    if getattr(inline.split_inline_level, "_octavo_whole", False):
        return
    original, can_break = inline.split_inline_level, cache(inline.can_break_text)

    def split_inline_level(context: Any, box: Any, position_x: float, max_x: float, *args: Any) -> Any:
        # args: bottom_space, skip_stack, containing_block, absolute_boxes, fixed_boxes, line_placeholders,
        # waiting_floats, line_children (what the line holds so far), first_letter_style, first_line_style
        if args[7] and args[1] is None and not args[9] and isinstance(box, boxes.InlineBox) \
                and (first := _whole_line_start(box, args[2], paragraph, line, boxes)) \
                and can_break(_last_letter(args[7][-1][1], boxes) + first, box.style["lang"]):
            overflowing = box.copy_with_children([])
            overflowing.position_x, overflowing.width = position_x, inf
            for side in ("left", "right"):
                setattr(overflowing, f"margin_{side}", 0)
                setattr(overflowing, f"padding_{side}", 0)
                setattr(overflowing, f"border_{side}_width", 0)
            return overflowing, None, False, first, first, {"left": 0, "right": 0}
        return original(context, box, position_x, max_x, *args)

    split_inline_level._octavo_whole = True  # type: ignore[attr-defined]
    inline.split_inline_level = split_inline_level


def _whole_line_start(box: Any, block: Any, paragraph: str, line: str, boxes: Any) -> str:
    """The first letter of a line kept whole (a span of text, not its paragraph's last line), else ''; kept on
    the box, which each layout of its lines meets again."""
    found = box.__dict__.get("_octavo_whole_start")
    if found is None:
        element, parent = box.element, getattr(block, "element", None)
        first = next((b for b in box.descendants() if isinstance(b, boxes.TextBox) and b.text), None)
        whole = (box.element_tag == "span" and line in (element.get("class") or "").split()
                 and parent is not None and paragraph in (parent.get("class") or "").split()
                 and (parent[-1] is not element or bool((element.tail or "").strip())) and first is not None
                 and all(isinstance(b, (boxes.InlineBox, boxes.TextBox)) for b in box.descendants()))
        found = box._octavo_whole_start = first.text[0] if whole and first is not None else ""
    return str(found)


def _last_letter(box: Any, boxes: Any) -> str:
    """The last letter of what a line holds so far (a text, or the last text inside an inline box)."""
    while isinstance(box, boxes.InlineBox) and box.children:
        box = box.children[-1]
    return str(box.text[-1:]) if isinstance(box, boxes.TextBox) else ""


#: The pseudo-elements WeasyPrint makes a box of only for an element that is a list item (::marker), a footnote
#: (float: footnote) or a note (position: note()): formatting_structure/build.py asks for their styles only then.
_USED_ONLY_BY = {"marker": "list-item", "footnote-call": "footnote", "footnote-marker": "footnote",
                 "note-call": "note", "note-marker": "note", "note-callback": "note"}


def pseudo_styles_where_used() -> None:
    """Compute the style of ::marker, the note calls and markers only for the elements that make their boxes;
    once per process. WeasyPrint 70 computes, and shares with no other, a style for each pseudo-element a rule
    could give an element: its own stylesheet gives these six to every element, a hundred thousand styles on the
    long book, of which it uses a few hundred. The pages are the same (tests/test_internals.py)."""
    from weasyprint import css

    check_engines()
    original = css.StyleFor.set_computed_styles
    if getattr(original, "_octavo_used", False):
        return

    def set_computed_styles(self: Any, element: Any, parent: Any, root: Any = None, pseudo_type: Any = None,
                            base_url: Any = None, target_collector: Any = None) -> Any:
        kind = _USED_ONLY_BY.get(pseudo_type) if pseudo_type else None
        if kind is not None and parent is element:
            style = self.get_computed_styles().get((element, None))
            if style is not None and not _makes(style, kind):
                return None  # as a pseudo-element without declarations: no style, no box
        return original(self, element, parent, root, pseudo_type, base_url, target_collector)

    set_computed_styles._octavo_used = True  # type: ignore[attr-defined]
    css.StyleFor.set_computed_styles = set_computed_styles


def _makes(style: Any, kind: str) -> bool:
    """Whether an element of this style makes the boxes of `kind`'s pseudo-elements."""
    if kind == "list-item":
        return "list-item" in style["display"]
    if kind == "footnote":
        return bool(style["float"] == "footnote")
    return bool(style["position"][0] == "note()")
