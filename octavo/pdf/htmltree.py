"""The print HTML as an lxml tree (even paragraphs rewrote it) -> WeasyPrint's HTML document, built from the tree
itself: not written out as a string for WeasyPrint to parse again (its HTML5 parser, pure Python, took 0.3 s of the
long book's layout, for the tree it already had).

The tree WeasyPrint gets is the one its parser makes of `serialise(root)`, element for element (tests/test_htmltree.py
compares them on every test book): the same tags, attributes, texts and tails, but the white space the HTML5 parser
drops before <head> and moves from after </body> into it. A tree this cannot hand over as the parser would (SVG or
MathML, whose elements the parser puts in their namespaces; comments; processing instructions; templates) goes
the old way, as a string.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

#: Elements whose parse the HTML5 parser makes otherwise (namespaces, document fragments): such a tree goes as text.
AS_TEXT = frozenset({"svg", "math", "template"})


def document_of(root: Any, base_url: str, url_fetcher: Any) -> Any:
    """WeasyPrint's HTML for the lxml `root`, or None when it must be parsed from its text (see AS_TEXT)."""
    tree = element_tree(root)
    if tree is None:
        return None
    import cssselect2
    from weasyprint import HTML

    from octavo.pdf.internals import check_engines

    check_engines()  # HTML's attributes, as HTML.__init__ of WeasyPrint 70 sets them after parsing
    document = HTML.__new__(HTML)
    base = next(iter(tree.iter("base")), None)
    document.base_url = base_url if base is None or not (base.get("href") or "").strip() else None
    if document.base_url is None:
        return None  # a <base href>: WeasyPrint joins it with the URL; let it
    document.url_fetcher = url_fetcher
    document.media_type = "print"
    document.wrapper_element = cssselect2.ElementWrapper.from_html_root(tree, content_language=None)
    document.etree_element = document.wrapper_element.etree_element
    return document


def element_tree(root: Any) -> ET.Element | None:
    """The lxml `root` as xml.etree elements, as the HTML5 parser would build them; None if it cannot be."""
    if (root.tail or "").strip():
        return None
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in AS_TEXT or ":" in element.tag or "}" in element.tag:
            return None
    made = _copy(root)
    made.text = None if not (made.text or "").strip() else made.text  # white space before <head>: dropped
    made.tail = None
    body = made.find("body")
    if body is not None and (body.tail or "").strip():
        return None
    if body is not None and body.tail:
        # white space after </body>: the parser appends it to the body's last text
        if len(body):
            body[-1].tail = (body[-1].tail or "") + body.tail
        else:
            body.text = (body.text or "") + body.tail
        body.tail = None
    return made


def _copy(element: Any) -> ET.Element:
    made = ET.Element(element.tag, dict(element.attrib))
    made.text, made.tail = element.text, element.tail
    made.extend(_copy(child) for child in element)
    return made
