"""Small helpers on HTML shared by every stage: a fragment as a tree and back, its links, ids and images,
plain text, element names, escaping."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

from lxml import etree
from lxml import html as lxml_html


def escape(text: str) -> str:
    """Text made safe inside HTML or XML, as element content or a quoted attribute: & < > " ' escaped (the
    standard library's html.escape; Jinja's autoescape does the same for the templates' values)."""
    return html.escape(text, quote=True)


def parse_fragment(fragment: str) -> lxml_html.HtmlElement:
    """An HTML fragment as a tree: a <div> holding it (its text before the first element is the div's text)."""
    return lxml_html.fragment_fromstring(fragment, create_parent="div")


#: HTML's void elements: the only ones an HTML parser reads as closed when written `<br/>`.
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


def serialise_fragment(root: etree._Element) -> str:
    """The content of `root` (from `parse_fragment`) as markup that HTML and XML parsers read alike.

    An empty element is written with its end tag, `<a id="x"></a>`: XML's `<a id="x"/>` is an open tag to an
    HTML parser (WeasyPrint's), a link that swallows the rest of the section. Only void elements close
    themselves (`<br/>`). lxml's own HTML output is not used, as it percent-encodes every href and src that is not
    ASCII (`#%C3%A9t%C3%A9` no longer names the id `été`)."""
    for element in root.iter():
        if isinstance(element.tag, str) and element.text is None and len(element) == 0 \
                and local_name(element.tag).lower() not in VOID:
            element.text = ""  # lxml then writes an end tag
    inner = "".join(etree.tostring(child, encoding="unicode", method="xml") for child in root)
    return escape(root.text or "") + inner


def inert_copy(fragment: str) -> str:
    """A second copy of inline HTML (a heading's, for the contents and the navigation): without ids, which
    must stay unique in the book, and without links, which may not nest inside the contents' own link."""
    if "<" not in fragment:
        return fragment
    root = parse_fragment(fragment)
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element is root:
            continue
        element.attrib.pop("id", None)
        if local_name(element.tag) == "a":
            element.drop_tag()
    return serialise_fragment(root)


def links(root: etree._Element) -> Iterator[etree._Element]:
    """Every <a> with an href, in document order (HTML or XHTML)."""
    return (element for element in root.iter() if local_name(element.tag) == "a" and element.get("href") is not None)


def internal_links(root: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """Every <a href="#anchor">, and the anchor it names."""
    for element in links(root):
        href = element.get("href") or ""
        if href.startswith("#"):
            yield element, href[1:]


def anchor_ids(root: etree._Element) -> Iterator[str]:
    """Every id in the tree, in document order."""
    return (str(element.get("id")) for element in root.iter() if element.get("id") is not None
            and isinstance(element.tag, str))


def images(root: etree._Element) -> Iterator[etree._Element]:
    """Every <img>, in document order."""
    return (element for element in root.iter() if local_name(element.tag) == "img")


def has_alt(image: etree._Element) -> bool:
    """Whether an <img> has a text alternative with words in it."""
    return bool((image.get("alt") or "").strip())


def plain_text(fragment: str) -> str:
    """Text content of an HTML fragment (for font coverage and search); elements separate words."""
    if not fragment.strip():
        return fragment
    return " ".join(parse_fragment(fragment).itertext())


def local_name(tag: Any) -> str:
    """'{http://www.w3.org/1999/xhtml}p' or 'p' -> 'p'; '' for comments and processing instructions."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
