"""Raw HTML in Markdown -> the same HTML without scripts, frames, forms, media, handlers or javascript: URLs.

Policy (README, "When things go wrong"): what runs code or embeds other documents is *removed with a
warning*, so a pasted web page still builds (and `--strict` fails on it); an attachment
(`rel="attachment"`) is *refused* with an error, because WeasyPrint would embed the named file in the PDF.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from lxml import etree
from lxml import html as lxml_html

from octavo.errors import ContentError
from octavo.htmlspec import ELEMENTS, PHRASING_ONLY, attribute_allowed
from octavo.markup import serialise_fragment
from octavo.source import SourceText

log = logging.getLogger("octavo")

#: Elements removed with their content, and why.
FORBIDDEN = {
    **dict.fromkeys(("script", "noscript", "template"), "books carry no scripts"),
    **dict.fromkeys(("iframe", "frame", "frameset", "object", "embed", "applet", "portal"),
                    "books embed no other documents"),
    **dict.fromkeys(("form", "input", "button", "select", "textarea", "dialog"), "books have no forms"),
    **dict.fromkeys(("video", "audio", "source", "track", "canvas"), "a printed page plays no media"),
    **dict.fromkeys(("base", "meta", "link", "style"), "the book's own styles and metadata apply"),
    **dict.fromkeys(("svg", "math"), "inline SVG and MathML are not supported; use an SVG file as an image"),
}
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcset"})
_SCRIPT_URL = re.compile(r"^(javascript|vbscript|livescript|data:text/html)", re.I)
#: What browsers ignore inside a URL scheme ("java\tscript:" still runs).
_URL_NOISE = re.compile(r"[\x00-\x20]")
#: Markup the HTML parser drops or reshapes (comments, document tags): the fragment is then rewritten from
#: the parsed tree, so that what was checked is exactly what reaches the book.
_RESHAPED = re.compile(r"<!|<\?|<\s*/?\s*(?:html|head|body|title)\b", re.I)


#: Elements that are not HTML already reported in this build: name -> where the first one is (one warning each).
_UNKNOWN_SEEN: dict[str, str] = {}


def forget_unknown_elements() -> None:
    """A new build: report each unknown element name once again."""
    _UNKNOWN_SEEN.clear()


def sanitize_html(fragment: str, source: SourceText, warn: bool = True) -> str:
    """Strip what must never reach a book, warning once per removal; `fragment` itself when nothing is found.

    `warn=False` for a second copy of markup already cleaned (a heading's text for the contents).
    """
    if "<" not in fragment:
        return fragment
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    refuse_attachments(root, source)
    if not _clean(root, source, warn) and not _RESHAPED.search(fragment):
        return fragment
    # Never plain XML: it writes an empty <a id="x"></a> as <a id="x"/>, which an HTML parser (WeasyPrint's)
    # reads as an open link that swallows the rest of the section (markup.serialise_fragment closes it).
    return serialise_fragment(root)


def refuse_attachments(root: lxml_html.HtmlElement, source: SourceText) -> None:
    """WeasyPrint embeds the target of any rel=attachment link in the PDF: a way to carry off any file."""
    for element in root.iter():
        if isinstance(element.tag, str) and "attachment" in element.get("rel", "").lower().split():
            raise ContentError(f"<{element.tag.lower()} rel=\"attachment\"> is refused: WeasyPrint would embed "
                               "the file it names in the PDF; remove it",
                               source.name, source.line_of("attachment"))


def _clean(root: lxml_html.HtmlElement, source: SourceText, warn: bool) -> int:
    say = log.warning if warn else log.debug
    removed = 0
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            if isinstance(element, etree._Comment):
                element.drop_tree()  # invisible, so no warning and no reason to rewrite the fragment
            continue
        tag = element.tag.lower()
        if tag in FORBIDDEN:
            say("%s: removed raw HTML <%s>: %s", source.where(f"<{tag}"), tag, FORBIDDEN[tag])
            element.drop_tree()
            removed += 1
            continue
        if tag not in ELEMENTS:
            _replace_unknown(element, tag, source, say if warn else None)
            removed += 1
            tag = element.tag
        for name, value in list(element.attrib.items()):
            if reason := _dangerous(name.lower(), value):
                say("%s: removed attribute %s from <%s>: %s", source.where(f"{name}="), name, tag, reason)
                del element.attrib[name]
                removed += 1
            elif ":" not in name and not attribute_allowed(tag, name.lower()):
                del element.attrib[name]
                element.set(f"data-{_class_name(name)}", value)
                removed += 1
                if warn and f"{tag} {name}" not in _UNKNOWN_SEEN:
                    _UNKNOWN_SEEN[f"{tag} {name}"] = source.where(f"{name}=")
                    say("%s: raw HTML <%s %s=...>: <%s> has no attribute %s in HTML, so it became data-%s",
                        _UNKNOWN_SEEN[f"{tag} {name}"], tag, name, tag, name, _class_name(name))
    return removed


def _replace_unknown(element: lxml_html.HtmlElement, tag: str, source: SourceText,
                     say: Callable[..., None] | None) -> None:
    """<Listing lang="rust">...</Listing> (a component of another tool, a custom element) -> a div (or a span
    inside a paragraph or another inline element) keeping its content, with its name and attributes as
    classes ("listing lang-rust") and its attribute values as data-* attributes: an EPUB may not hold it."""
    parent = element.getparent()
    inline = parent is not None and (parent.tag in PHRASING_ONLY or "octavo-inline" in (parent.get("class") or ""))
    classes = [_class_name(tag)]
    attributes: dict[str, str] = {}
    for name, value in element.attrib.items():
        key = name.lower()
        if key == "class":
            classes += value.split()
        elif key == "id":
            attributes["id"] = value
        elif not key.startswith("on"):
            classes.append(_class_name(f"{key}-{value}"[:40]) if value else _class_name(key))
            attributes[f"data-{_class_name(key)}"] = value
    element.attrib.clear()
    element.tag = "span" if inline else "div"
    element.set("class", " ".join(dict.fromkeys(c for c in classes if c)))
    for name, value in attributes.items():
        element.set(name, value)
    if say is not None and tag not in _UNKNOWN_SEEN:
        _UNKNOWN_SEEN[tag] = source.where(f"<{tag}")
        found = re.search(f"<({re.escape(tag)})\\b", source.text, re.I)
        say("%s: raw HTML <%s> is not an HTML element: it became a <%s class=\"%s\"> (style it by that class, "
            "or remove it)", _UNKNOWN_SEEN[tag], found.group(1) if found else tag, element.tag, _class_name(tag))


def _class_name(text: str) -> str:
    """'file-name-src/main.rs' -> 'file-name-src-main-rs': a class (and data-*) name, lower case."""
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-")


def _dangerous(name: str, value: str) -> str | None:
    """Why an attribute must go: event handlers, script URLs, style attributes that load files; else None."""
    if name.startswith("on"):
        return "books carry no scripts"
    if name in URL_ATTRIBUTES and (match := _SCRIPT_URL.match(_URL_NOISE.sub("", value))):
        return f"books carry no scripts ({match.group(1).lower()} URL)"
    folded = _URL_NOISE.sub("", value).lower()
    if name == "style" and ("url(" in folded or "expression(" in folded or "\\" in folded):
        return "a style attribute may not load files (use an image, which is checked)"
    return None
