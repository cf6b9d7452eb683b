"""Text direction: which languages are written right to left, and which blocks of a chapter are, so that the
PDF sets a Hebrew or Arabic paragraph from the right and the EPUB marks it `dir="rtl"`."""

from __future__ import annotations

import unicodedata
from collections import Counter

from lxml import etree

from octavo.markup import local_name

#: Languages written right to left (BCP 47 primary subtags), and scripts that are (the script subtag).
RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd", "syr", "ug", "ur",
                           "yi"})
RTL_SCRIPTS = frozenset({"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg"})
LTR_SCRIPTS = frozenset({"latn", "cyrl", "grek", "deva"})
#: The blocks whose direction is decided from their own text.
BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "dd", "dt", "td", "th",
                    "figcaption", "caption", "aside", "div"})


def language_direction(tag: str | None) -> str | None:
    """'he', 'ar-EG', 'ku-Arab' -> 'rtl'; 'en', 'ku-Latn' -> 'ltr'; None for no tag."""
    if not tag:
        return None
    parts = tag.lower().split("-")
    script = next((p for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    if script in RTL_SCRIPTS:
        return "rtl"
    if script in LTR_SCRIPTS:
        return "ltr"
    return "rtl" if parts[0] in RTL_LANGUAGES else "ltr"


def text_direction(text: str) -> str | None:
    """'rtl' when most strongly directional letters are right-to-left, 'ltr' when most are left-to-right,
    None when it has none (digits and punctuation take the direction around them)."""
    rtl = ltr = 0
    for char, count in Counter(text).items():  # each distinct character looked up once (a chapter's: a few dozen)
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            rtl += count
        elif kind == "L":
            ltr += count
    if rtl == ltr == 0:
        return None
    return "rtl" if rtl > ltr else "ltr"


def mark_direction(root: etree._Element, base: str = "ltr") -> None:
    """Set `dir` on each block (paragraph, list item, heading, cell...) whose text runs the other way from the
    block around it; an element the author gave `dir` keeps it, and one given an RTL `lang` gets `dir="rtl"`."""
    _mark(root, base)


def _mark(element: etree._Element, around: str) -> None:
    for child in element:
        if not isinstance(child.tag, str):
            continue
        own = child.get("dir")
        if own is None:
            lang = child.get("lang") or child.get("{http://www.w3.org/XML/1998/namespace}lang")
            by_lang = language_direction(lang) if lang else None
            if by_lang == "rtl" and around != "rtl":
                child.set("dir", "rtl")
            elif local_name(child.tag) in BLOCKS and _leaf_block(child):
                found = text_direction("".join(child.itertext()))
                if found is not None and found != around:
                    child.set("dir", found)
        direction = child.get("dir")
        _mark(child, direction if direction in ("rtl", "ltr") else around)


def _leaf_block(element: etree._Element) -> bool:
    """Whether a block holds text of its own rather than only other blocks (a div or list item of paragraphs
    is left to its paragraphs)."""
    if (element.text or "").strip():
        return True
    return not any(isinstance(child.tag, str) and local_name(child.tag) in BLOCKS | {"ul", "ol", "dl", "table",
                                                                                        "pre", "section"}
                   for child in element)
