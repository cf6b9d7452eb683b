"""A paragraph of the print HTML -> its words as pieces in their inline elements, the spaces between them
(each a break or not, as Unicode line breaking has it) and their hyphenation points; which paragraphs qualify."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from octavo.pdf.hyphenation import Hyphenator

#: Inline elements a paragraph may hold and still be measured; anything else keeps WeasyPrint's breaks.
INLINE = frozenset({"em", "i", "strong", "b", "code", "a", "span", "abbr", "cite", "small", "sup", "sub",
                    "mark", "kbd", "samp", "var", "dfn", "s", "u", "bdi", "time"})


#: Classes Octavo itself gives a paragraph (render.py) that change where a page may break, not how its lines are
#: set: such a paragraph is running text still (a fifth of the Rustonomicon's paragraphs introduce code).
LAYOUT_CLASSES = frozenset({"keep-with-next"})
#: Characters after which a word may break without a hyphen drawn (it has its own).
BREAK_AFTER = ("-", "\u2013", "\u2014", "/")


_SPACE = re.compile(r"[ \t\n\r\f]+")


#: A space is no break before these (UAX #14 classes CL, CP, IS, EX, NS and the like) or after these (OP).
NO_BREAK_BEFORE = frozenset(".,;:!?)]}\u2019\u201d\u00bb\u2026%")


NO_BREAK_AFTER = frozenset("([{\u2018\u201c\u00ab")


@dataclass(frozen=True)
class Piece:
    """A run of a word (or a note) in one style."""

    text: str
    path: tuple[Any, ...]
    """The inline elements it is inside, outermost first (elements of the original paragraph)."""
    note: Any = None
    """A note (span.footnote) set whole where it is called: it takes the call's width."""
    hidden: bool = False
    """Text the stylesheet generates (a cross-reference's page), measured but not written."""


@dataclass(frozen=True)
class Space:
    """A break between words."""

    path: tuple[Any, ...]


@dataclass(frozen=True)
class Hyph:
    """A place a word may break: `drawn` when a hyphen is added there."""

    path: tuple[Any, ...]
    drawn: bool


Token = Piece | Space | Hyph


#: A style: the path's tags and classes -> WeasyPrint's computed style for text there.
Signature = tuple[tuple[str, str], ...]


def candidates(root: Any) -> list[Any]:
    """The paragraphs of running text, of inline content only (`is_running_text`), in document order: a chapter's
    `<p>`, and a `<p>`, list item or description inside a quotation, a list or a callout of the chapter
    (`stands_in_chapter`)."""
    found: list[Any] = []
    for section in root.iter("section"):
        if "chapter" in (section.get("class") or "").split():
            found += (element for element in section.iterdescendants(*PARAGRAPHS)
                      if stands_in_chapter(element, _parent) and is_running_text(element) and _measurable(element))
    return found


#: What a paragraph of running text may stand in between its chapter's section and itself.
CONTAINERS = frozenset({"blockquote", "ol", "ul", "li", "dl", "dd"})
#: What is set as a paragraph: a <p>; in a list, an item or a description of inline content only (a tight list).
PARAGRAPHS = frozenset({"p", "li", "dd"})
#: The frame of a chapter's own paragraphs (`frame_of`).
TOP: Signature = (("p", ""),)


def stands_in_chapter(element: Any, parent_of: Callable[[Any], Any]) -> bool:
    """Whether `element` (a <p>, <li> or <dd>) stands where running text does: a <p> of a chapter's section, or
    any of them inside its quotations, lists and callouts (`is_container`) only; a contents list, an index or a
    bibliography has a class of its own, and is not one. `parent_of`: lxml's getparent, or a parent map for the
    trees WeasyPrint lays out (benchmarks/spacing.py)."""
    parent = parent_of(element)
    if element.tag not in PARAGRAPHS or (element.tag != "p" and (parent is None or parent.tag == "section")):
        return False
    while parent is not None and parent.tag != "section":
        if not is_container(parent):
            return False
        parent = parent_of(parent)
    return parent is not None and "chapter" in (parent.get("class") or "").split()


def _parent(element: Any) -> Any:
    return element.getparent()


def is_container(element: Any) -> bool:
    """Whether a paragraph of running text may stand in `element` (CONTAINERS with no class or style of their
    own, and Octavo's callouts: `div.callout`, whose title is a paragraph with a class, not set)."""
    if element.get("style"):
        return False
    names = (element.get("class") or "").split()
    return (element.tag in CONTAINERS and not names) or (element.tag == "div" and "callout" in names)


def frame_of(p: Any) -> Signature:
    """Where a paragraph stands: the tags (and classes) of the containers between its chapter's section and it,
    then its own tag; the probe measures the width, indents and styles of each frame (paragraphs.py)."""
    chain = [(p.tag, "")]
    element = p.getparent()
    while element is not None and element.tag != "section":
        chain.append((element.tag, element.get("class") or ""))
        element = element.getparent()
    return tuple(reversed(chain))


def is_running_text(p: Any) -> bool:
    """Whether a paragraph is running text by its own attributes: no style, no class but Octavo's LAYOUT_CLASSES."""
    return not p.get("style") and set((p.get("class") or "").split()) <= LAYOUT_CLASSES


def _measurable(p: Any) -> bool:
    for element in p.iterdescendants():
        if not isinstance(element.tag, str):
            return False
        if _is_note(element):
            continue
        if element.tag not in INLINE or element.get("style") or any(_is_note(a) for a in element.iterancestors()):
            if not any(_is_note(a) for a in element.iterancestors()):
                return False
    return bool("".join(p.itertext()).strip())


def is_xref(element: Any) -> bool:
    return element.tag == "a" and "xref" in (element.get("class") or "").split() and bool(
        element.get("href") or element.get("data-href"))


def _is_note(element: Any) -> bool:
    return isinstance(element.tag, str) and element.tag == "span" and "footnote" in (
        element.get("class") or "").split()


def context_of(p: Any) -> tuple[bool, str]:
    """What a paragraph's indent depends on: whether it is the first <p> of its section, what comes before it."""
    previous = p.getprevious()
    while previous is not None and not isinstance(previous.tag, str):
        previous = previous.getprevious()
    first = not any(isinstance(s.tag, str) and s.tag == "p" for s in p.itersiblings(preceding=True))
    before = "" if previous is None else f"{previous.tag}.{previous.get('class') or ''}"
    return first, before


def signature(path: tuple[Any, ...]) -> Signature:
    return tuple((element.tag, element.get("class") or "") for element in path)


def tokens(p: Any, hyphenate: Hyphenator, known: dict[tuple[str, tuple[Any, ...]], list[Token]] | None = None
           ) -> list[Token]:
    """The paragraph as pieces of words, spaces and hyphenation points, in order. `known` keeps the tokens of each
    word written in one style, for the next paragraphs (tokens are immutable)."""
    out: list[Token] = []
    word: list[Piece] = []
    seen: dict[Any, Any] = {} if known is None else known

    def word_of(text: str, path: tuple[Any, ...]) -> list[Token]:
        """The tokens of a word of one piece, made once for all the paragraphs."""
        found: list[Token] | None = seen.get((text, path))
        if found is None:
            found = seen[(text, path)] = _word_tokens([Piece(text, path)], hyphenate)
        return found

    def flush() -> None:
        if len(word) == 1 and word[0].note is None and not word[0].hidden:
            out.extend(word_of(word[0].text, word[0].path))
        elif word:
            out.extend(_word_tokens(word, hyphenate))
        word.clear()

    for kind, text, path, note in runs(p, ()):
        if kind == "note":
            word.append(Piece("", path, note))
            continue
        if kind == "generated":
            word.append(Piece(text, path, hidden=True))
            continue
        parts = _SPACE.split(text)
        last = len(parts) - 1
        space = seen.get(path)  # one Space a path: tokens are immutable
        if space is None:
            space = seen[path] = Space(path)
        for index, part in enumerate(parts):
            if index > 0:
                flush()
                if out and type(out[-1]) is not Space:
                    out.append(space)
            if not part:
                continue
            if 0 < index < last:  # a whole word, between two spaces of this run
                out.extend(word_of(part, path))
            else:
                word.append(Piece(part, path))
    flush()
    while out and isinstance(out[-1], Space):
        out.pop()
    return out


def runs(element: Any, path: tuple[Any, ...]) -> Iterator[tuple[str, str, tuple[Any, ...], Any]]:
    """('text', text, path, None) and ('note', '', path, element) in document order."""
    if element.text:
        yield "text", element.text, path, None
    for child in element:
        if _is_note(child):
            yield "note", "", path, child
        else:
            yield from runs(child, (*path, child))
            if is_xref(child):  # styles/print.css: a.xref::after, " (p. 12)"; the widest page number assumed
                yield "generated", f"\u2009({child.get('data-page-label') or ''}\u00a0888)", (*path, child), None
        if child.tail:
            yield "text", child.tail, path, None


def _word_tokens(word: list[Piece], hyphenate: Hyphenator) -> list[Token]:
    """A word's pieces, split at its hyphenation points (not in code) and after its own hyphens and dashes."""
    if len(word) == 1 and not word[0].hidden:
        piece = word[0]
        if piece.note is not None or (not hyphenate.points(piece.text) and not _own_breaks(piece.text)) \
                or any(element.tag in ("code", "kbd", "samp") for element in piece.path):
            return [piece]
    text = "".join(piece.text for piece in word)
    code = any(element.tag in ("code", "kbd", "samp") for piece in word for element in piece.path)
    points = set() if code else set(hyphenate.points(text))
    own = set() if code else {i + 1 for i, c in enumerate(text[:-1]) if c in BREAK_AFTER and i > 0}
    out: list[Token] = []
    offset = 0
    for piece in word:
        start = 0
        if piece.hidden:
            out.append(piece)
            offset += len(piece.text)
            continue
        for cut in sorted(p - offset for p in (points | own) if offset < p < offset + len(piece.text)):
            out.append(Piece(piece.text[start:cut], piece.path))
            out.append(Hyph(piece.path, drawn=cut + offset not in own))
            start = cut
        if piece.note is not None or start < len(piece.text):
            out.append(Piece(piece.text[start:], piece.path, piece.note))
        offset += len(piece.text)
    return out


def _own_breaks(text: str) -> bool:
    return any(c in BREAK_AFTER for c in text[1:-1])


def space_breaks(found: list[Token]) -> list[bool]:
    """For each token, whether it is a space WeasyPrint (Pango) may break at: not before a closing bracket or a
    full stop, not after an opening one (UAX #14); False for every other token. In one pass: a space waits for
    the first character of the text after it."""
    out = [False] * len(found)
    last = ""  # the last character of text so far
    waiting: list[tuple[int, str]] = []  # spaces since that text, with the character before each
    for index, token in enumerate(found):
        kind = type(token)
        if kind is Space:
            waiting.append((index, last))
        elif kind is Piece and token.text:  # type: ignore[union-attr]
            text = token.text  # type: ignore[union-attr]
            if waiting:
                if text[0] not in NO_BREAK_BEFORE:
                    for number, before in waiting:
                        out[number] = before not in NO_BREAK_AFTER
                waiting.clear()
            last = text[-1]
    for number, before in waiting:  # no text after them
        out[number] = before not in NO_BREAK_AFTER
    return out
