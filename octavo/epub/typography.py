"""Text -> the same text set as a book: curly quotes, real dashes and ellipses, no soft hyphens or BOMs.

Markdown text is already typographer-processed (markdown-it); this catches what did not pass through
it: book.yaml metadata shown in the EPUB and its OPF, and raw HTML in chapters.
"""

from __future__ import annotations

import re

from lxml import etree

from octavo.language import QUOTES
from octavo.markup import local_name

#: Text in these elements is code or data, left exactly as written.
VERBATIM = frozenset({"code", "pre", "kbd", "samp", "script", "style", "var", "math"})
#: Attributes that hold words a reader hears or sees.
TEXT_ATTRIBUTES = ("alt", "title", "aria-label")
#: After these (or at the start), a quote opens.
OPENERS = frozenset("([{\u201c\u2018\u00ab\u2039\u201e\u201a\u2014\u2013-/")
INVISIBLE = re.compile("[\u00ad\ufeff]")
_DASHES = ((re.compile(r"(?<!-)---(?!-)"), "\u2014"), (re.compile(r"(?<!-)--(?!-)"), "\u2013"),
           (re.compile(r"(?<!\.)\.\.\.(?!\.)"), "\u2026"))


def smarten(text: str, language: str, before: str = " ") -> str:
    """Straight quotes to the language's curly ones, -- and --- to dashes, ... to an ellipsis;
    soft hyphens and byte-order marks removed. `before` is the character preceding the text."""
    text = INVISIBLE.sub("", text)
    for pattern, replacement in _DASHES:
        text = pattern.sub(replacement, text)
    if "'" not in text and '"' not in text:
        return text
    double_open, double_close, single_open, single_close = QUOTES.get(language.split("-")[0].lower(), QUOTES["en"])
    out: list[str] = []
    previous = before
    for i, ch in enumerate(text):
        following = text[i + 1] if i + 1 < len(text) else " "
        opens = previous.isspace() or previous in OPENERS
        if ch == '"':
            ch = double_open if opens else double_close
        elif ch == "'":
            if previous.isalnum() and following.isalpha():
                ch = "\u2019"  # an apostrophe: it's, l'homme
            else:
                ch = single_open if opens else single_close
        out.append(ch)
        previous = ch[-1]
    return "".join(out)


def typeset_tree(root: etree._Element, language: str) -> None:
    """Smarten every text node and text attribute of an XHTML tree, code excepted, in reading order."""
    previous = " "

    def visit(element: etree._Element, verbatim: bool) -> None:
        nonlocal previous
        verbatim = verbatim or local_name(element.tag) in VERBATIM
        if not verbatim:
            for name in TEXT_ATTRIBUTES:
                if element.get(name):
                    element.set(name, smarten(element.get(name) or "", language))
        if element.text:
            element.text = element.text if verbatim else smarten(element.text, language, previous)
            previous = element.text[-1:] or previous
        for child in element:
            if isinstance(child.tag, str):
                visit(child, verbatim)
            if child.tail:
                child.tail = smarten(child.tail, language, previous) if not verbatim else child.tail
                previous = child.tail[-1:] or previous

    visit(root, False)
