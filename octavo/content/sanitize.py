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

from octavo.content.urls import element_urls, judge_url, local, style_loads
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
    root = lxml_html.fragment_fromstring(fragment, create_parent="div", parser=_PARSER)
    check_size(root, source)
    refuse_attachments(root, source)
    if not _clean(root, source, warn) and not _RESHAPED.search(fragment):
        return fragment
    # Never plain XML: it writes an empty <a id="x"></a> as <a id="x"/>, which an HTML parser (WeasyPrint's)
    # reads as an open link that swallows the rest of the section (markup.serialise_fragment closes it).
    return serialise_fragment(root)


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
        if tag not in ELEMENTS:
            _replace_unknown(element, tag, source, say if warn else None)
            removed += 1
            tag = element.tag
        for name, reason in _dangerous(tag, dict(element.attrib)):
            where = source.where(value) if (value := element.get(name) or "") and source.line_of(value) else \
                source.where(f"{name}=")
            say("%s: removed attribute %s from <%s>: %s", where, name, tag, reason)
            del element.attrib[name]
            removed += 1
        # An attribute HTML does not have becomes data-*, except one that loads a file (a table's background):
        # that one stays for the reference check, which refuses it when it is remote or outside the book.
        loading = {url.attribute for url in element_urls(tag, dict(element.attrib)) if url.kind == "load"}
        for name, value in list(element.attrib.items()):
            if ":" not in name and not attribute_allowed(tag, name.lower()) and name not in loading:
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
