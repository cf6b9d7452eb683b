"""Raw HTML in Markdown -> the same HTML without scripts, frames, forms, media, handlers or javascript: URLs.

Policy (README, "When things go wrong"): what runs code or embeds other documents is *removed with a
warning*, so a pasted web page still builds (and `--strict` fails on it); an attachment
(`rel="attachment"`) is *refused* with an error, because WeasyPrint would embed the named file in the PDF.
"""

from __future__ import annotations

import logging
import re

from lxml import etree
from lxml import html as lxml_html

from octavo.errors import ContentError
from octavo.markup import escape
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
    return escape(root.text or "") + "".join(etree.tostring(child, encoding="unicode", method="xml")
                                              for child in root)


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
        for name, value in list(element.attrib.items()):
            if reason := _dangerous(name.lower(), value):
                say("%s: removed attribute %s from <%s>: %s", source.where(f"{name}="), name, tag, reason)
                del element.attrib[name]
                removed += 1
    return removed


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
