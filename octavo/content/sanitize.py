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

from octavo.content.urls import element_urls, judge_url, local, style_loads
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
#: The largest attribute value: an image belongs in images/, not in a data: URL; nothing else comes close.
MAX_ATTRIBUTE_CHARS = 64_000
#: The longest element or attribute name (the longest HTML or SVG name has 25 characters). lxml cuts a longer
#: name at 100 characters and reads the rest as something else: a name this long is refused instead.
MAX_NAME_CHARS = 64
#: The deepest nesting of elements in a chapter: WeasyPrint lays boxes out recursively, and dies of Python's
#: recursion limit near 200 levels; no book needs more than a few dozen (Markdown's own stop at 20).
MAX_DEPTH = 100
#: Each fragment is parsed with lxml's huge_tree: its default parser silently drops an element or attribute
#: name over 50,000 characters (and the text after it), or stops at 256 levels, so that the sanitiser would
#: check less than WeasyPrint and the EPUB are given. The limits above refuse such input well before that.
_PARSER = lxml_html.HTMLParser(huge_tree=True)
#: The most rows and cells in one table. WeasyPrint lays a table out whole: 10,000 rows of two cells took
#: 45 s and 740 MB, 100,000 rows more than 4 GB; 2,000 rows is some 60 pages, 8 s and 210 MB for a whole build.
MAX_TABLE_ROWS = 2_000
MAX_TABLE_CELLS = 20_000
#: Markup the HTML parser drops or reshapes (comments, document tags): the fragment is then rewritten from
#: the parsed tree, so that what was checked is exactly what reaches the book.
_RESHAPED = re.compile(r"<!|<\?|<\s*/?\s*(?:html|head|body|title)\b", re.I)


def sanitize_html(fragment: str, source: SourceText, warn: bool = True) -> str:
    """Strip what must never reach a book, warning once per removal; `fragment` itself when nothing is found.

    `warn=False` for a second copy of markup already cleaned (a heading's text for the contents).
    """
    if "<" not in fragment:
        return fragment
    root = lxml_html.fragment_fromstring(fragment, create_parent="div", parser=_PARSER)
    check_size(root, source)
    refuse_attachments(root, source)
    if not _clean(root, source, warn) and not _RESHAPED.search(fragment):
        return fragment
    return escape(root.text or "") + "".join(etree.tostring(child, encoding="unicode", method="xml")
                                              for child in root)


def check_size(root: etree._Element, source: SourceText) -> None:
    """Refuse what is too large or too deep to be checked and laid out: size is never a way around the policy."""
    depth = {root: 0}
    for element in root.iter():
        parent = element.getparent()
        level = depth[element] = depth[parent] + 1 if parent is not None else 0
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if level > MAX_DEPTH:
            raise ContentError(f"elements are nested more than {MAX_DEPTH} deep (at <{tag[:40]}>): no page can "
                               "show that; flatten the markup", source.name, source.line_of(f"<{tag[:40]}"))
        if len(tag) > MAX_NAME_CHARS:
            raise ContentError(f"raw HTML has an element name longer than {MAX_NAME_CHARS} characters "
                               f"(<{tag[:20]}...>): fix the markup", source.name, source.line_of(f"<{tag[:40]}"))
        for name, value in element.attrib.items():
            if len(name) > MAX_NAME_CHARS:
                raise ContentError(f"raw HTML has an attribute name longer than {MAX_NAME_CHARS} characters on "
                                   f"<{tag}> ({name[:20]}...): fix the markup", source.name, source.line_of(name[:40]))
            if len(value) > MAX_ATTRIBUTE_CHARS:
                hint = "save the image as a file in images/ and refer to it by its path" \
                    if value.lstrip()[:5].lower() == "data:" else "shorten it"
                raise ContentError(f"the {name} attribute of <{tag}> is {len(value):,} characters long, more than "
                                   f"the {MAX_ATTRIBUTE_CHARS:,} an attribute may hold: {hint}", source.name,
                                   source.line_of(value[:60]) or source.line_of(f"{name}="))
    for table in root.iter("table"):
        rows = sum(1 for _ in table.iter("tr"))
        cells = sum(1 for _ in table.iter("td", "th"))
        if rows > MAX_TABLE_ROWS or cells > MAX_TABLE_CELLS:
            first = next((text.strip() for text in table.itertext() if text.strip()), "")
            raise table_too_large(rows, cells, source.name, source.line_of(first[:60]) if first else
                                  source.line_of("<table"))


def table_too_large(rows: int, cells: int, shown: str, line: int | None) -> ContentError:
    """The error for a table over MAX_TABLE_ROWS or MAX_TABLE_CELLS (Markdown or raw HTML)."""
    return ContentError(f"a table of {rows:,} rows and {cells:,} cells is larger than a book's table may be (at "
                        f"most {MAX_TABLE_ROWS:,} rows and {MAX_TABLE_CELLS:,} cells, some 60 pages): split it into "
                        "smaller tables, or publish the data as a file beside the book", shown, line)


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
        for name, reason in _dangerous(tag, dict(element.attrib)):
            where = source.where(value) if (value := element.get(name) or "") and source.line_of(value) else \
                source.where(f"{name}=")
            say("%s: removed attribute %s from <%s>: %s", where, name, tag, reason)
            del element.attrib[name]
            removed += 1
    return removed


def _dangerous(tag: str, attributes: dict[str, str]) -> list[tuple[str, str]]:
    """The attributes that must go, and why: event handlers, script URLs and documents in data: URLs in any
    URL-bearing attribute (the one rule of urls.py), style attributes that can load files."""
    found: dict[str, str] = {}
    for name, value in attributes.items():
        if local(name).rsplit(":", 1)[-1].startswith("on"):
            found[name] = "books carry no scripts"
        elif local(name) == "style" and (reason := style_loads(value)):
            found[name] = reason
    for url in element_urls(tag, attributes):
        if url.attribute not in found and (reason := judge_url(url)):
            found[url.attribute] = reason
    return list(found.items())
