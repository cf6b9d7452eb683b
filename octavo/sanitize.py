"""Raw HTML in Markdown -> the same HTML without scripts, frames, forms, handlers or javascript: URLs."""

from __future__ import annotations

import logging
import re

from lxml import etree, html as lxml_html

log = logging.getLogger("octavo")

#: Elements removed with their content: they run code, embed other documents or collect input.
FORBIDDEN = frozenset({
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button",
    "select", "textarea", "base", "meta", "link", "style", "noscript", "template", "dialog",
})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcset"})
_SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data:text/html)", re.I)
_RAW = re.compile(r"<(?!/?(?:p|em|strong|a|img|h[1-6]|ul|ol|li|table|thead|tbody|tr|th|td|blockquote|pre|code|"
                  r"dl|dt|dd|div|hr|br|sup|sub|s|del|aside|section|span)\b)[a-zA-Z/!?]|\son[a-z]+\s*=|javascript:",
                  re.I)


def sanitize_html(fragment: str, shown: str) -> str:
    """Strip what must never reach a book, warning once per removal; untouched when nothing is found."""
    if not _RAW.search(fragment):
        return fragment  # only markup our renderer writes: nothing to clean
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    removed = _clean(root, shown)
    if not removed:
        return fragment
    return _escape(root.text or "") + "".join(etree.tostring(child, encoding="unicode", method="xml")
                                              for child in root)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clean(root: lxml_html.HtmlElement, shown: str) -> int:
    removed = 0
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            if isinstance(element, etree._Comment):
                element.drop_tree()
            continue
        tag = element.tag.lower()
        if tag in FORBIDDEN:
            log.warning("%s: removed raw HTML <%s>: books carry no scripts, frames, forms or embeds", shown, tag)
            element.drop_tree()
            removed += 1
            continue
        for name, value in list(element.attrib.items()):
            if name.lower().startswith("on") or (name.lower() in URL_ATTRIBUTES and _SCRIPT_URL.match(value)):
                log.warning("%s: removed attribute %s=\"%s\" from <%s>", shown, name, value[:40], tag)
                del element.attrib[name]
                removed += 1
    return removed
