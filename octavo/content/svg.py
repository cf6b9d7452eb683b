"""An SVG image file -> the same SVG without scripts, handlers or references outside itself, as the outputs carry it.

An SVG file is a document: it can hold scripts, event handlers, HTML (foreignObject), and references to
other files and to the network (<use href>, <image href>, url() in styles, <?xml-stylesheet?>). It gets the
policy of raw HTML (content/sanitize.py), through the same URL rule (content/urls.py):

- `<script>`, `<foreignObject>`, `on...` handlers and `javascript:` URLs are *removed with a warning*;
- any reference to the network, to a `file:` URL or to another file, and any `data:` URL that is not a
  PNG, JPEG, GIF or WebP image, is *refused* with an error naming the SVG file and its line: an image in a
  book must hold everything it shows (references inside it, `#id`, are fine);
- entity declarations are refused (they can expand without bound in a reader).

What goes into the EPUB and what WeasyPrint draws is the file as written out again from the tree that was
checked, never the original bytes.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from lxml import etree

from octavo.content.urls import (
    DATA_IMAGE_TYPES,
    SCRIPT_SCHEMES,
    Url,
    css_urls,
    data_media_type,
    element_urls,
    local,
    scheme,
)
from octavo.errors import ContentError

log = logging.getLogger("octavo")

#: Elements removed with what they hold, and why.
REMOVED = {"script": "books carry no scripts",
           "foreignobject": "it holds HTML inside the image, which is not checked; draw it in SVG"}
#: What links in an SVG may lead to (followed when chosen, never fetched).
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
#: A pseudo-attribute of a processing instruction: href="..." in <?xml-stylesheet href="..."?>.
_PSEUDO_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def clean_svg(path: Path, shown: str, what: str, ref: str, named_in: str, line: int | None) -> bytes:
    """Check the SVG file at `path` (`shown` names it in messages about its inside) and return it cleaned,
    written out again. A file that is no SVG at all is reported where it is named (`named_in`, `line`), as
    the `what` 'ref' it is there."""
    # Entities are not expanded and nothing is fetched: the file is only looked at.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False)
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        raise ContentError(f"{what} '{ref}' is not a well-formed SVG file ({exc}); export it again", named_in,
                           line) from None
    root = tree.getroot()
    if etree.QName(root).localname != "svg":
        raise ContentError(f"{what} '{ref}' is not an SVG file (its root element is <{etree.QName(root).localname}>)",
                           named_in, line)
    if tree.docinfo.internalDTD is not None and list(tree.docinfo.internalDTD.iterentities()):
        raise ContentError("declares entities (<!ENTITY ...>), which an image in a book has no use for and a reader "
                           "could expand without end; export it again without them", shown, 1)
    _processing_instructions(root, shown)
    for element in list(root.iter()):
        if isinstance(element, etree._Entity):
            raise ContentError(f"uses the entity &{element.name};, which an image in a book has no use for; export it "
                               "again without entities", shown, element.sourceline)
        if isinstance(element, etree._ProcessingInstruction):
            _check_instruction(element, shown)
            continue
        if not isinstance(element.tag, str):
            continue
        tag = etree.QName(element).localname.lower()
        if tag in REMOVED:
            log.warning("%s:%s: removed <%s> from the SVG image: %s", shown, element.sourceline, tag, REMOVED[tag])
            _drop(element)
            continue
        _attributes(element, tag, shown)
        if tag == "style" and element.text:
            for ref in css_urls(element.text):
                _check_url(Url("style", ref, "load"), shown, element.sourceline, "<style> url()")
    # Written out from the checked tree: no DOCTYPE (it named a remote DTD at best), the same elements.
    cleaned: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return cleaned


def _processing_instructions(root: etree._Element, shown: str) -> None:
    """<?xml-stylesheet href="..."?> and other instructions before the root element."""
    for sibling in list(root.itersiblings(preceding=True)):
        if isinstance(sibling, etree._ProcessingInstruction):
            _check_instruction(sibling, shown)


def _check_instruction(instruction: etree._ProcessingInstruction, shown: str) -> None:
    """A stylesheet instruction loads a file: refused when remote or file:, else removed with a warning."""
    if instruction.target == "xml-stylesheet":
        match = _PSEUDO_HREF.search(instruction.text or "")
        href = next(group for group in match.groups() if group is not None) if match else ""
        _check_url(Url("href", href, "load"), shown, instruction.sourceline, "<?xml-stylesheet href?>")
    # Not written out again: tostring(root) holds only the root element, and an instruction inside it goes.
    parent = instruction.getparent()
    if parent is not None:
        _drop(instruction)


def _attributes(element: etree._Element, tag: str, shown: str) -> None:
    attributes = {name: value for name, value in element.attrib.items()}
    for name, value in attributes.items():
        if local(name).rsplit(":", 1)[-1].startswith("on"):
            log.warning("%s:%s: removed attribute %s from <%s> in the SVG image: books carry no scripts", shown,
                        element.sourceline, local(name), tag)
            del element.attrib[name]
        elif "(" in value or "@" in value:  # a CSS value (fill="url(#g)", style="..."): the tokenizer decides
            for ref in css_urls(value):
                _check_url(Url(local(name), ref, "load"), shown, element.sourceline, f"<{tag} {local(name)}> url()")
    for url in element_urls(tag, {name: value for name, value in element.attrib.items()}):
        if scheme(url.url) in SCRIPT_SCHEMES:
            log.warning("%s:%s: removed attribute %s from <%s> in the SVG image: books carry no scripts (%s URL)",
                        shown, element.sourceline, local(url.attribute), tag, scheme(url.url))
            element.attrib.pop(url.attribute, None)
        else:
            _check_url(url, shown, element.sourceline, f"<{tag} {local(url.attribute)}>")


def _check_url(url: Url, shown: str, line: int | None, what: str) -> None:
    """The one rule, for an image: only references inside it, raster data: URLs, and links to the web."""
    ref = url.url.strip()
    found = scheme(ref)
    if not ref or ref.startswith("#"):
        return
    if url.kind == "link" and found in LINK_SCHEMES:
        return
    if found == "data" and url.kind == "load" and data_media_type(ref) in DATA_IMAGE_TYPES:
        return
    shown_ref = ref if len(ref) <= 60 else ref[:60] + "..."
    if found in ("http", "https", "ftp") or ref.startswith("//"):
        why = "the build does not use the network, and an image in a book must hold everything it shows"
    elif found == "file":
        why = "'file:' URLs are not allowed, and an image in a book must hold everything it shows"
    elif found == "data":
        why = f"a data: URL may hold only a PNG, JPEG, GIF or WebP image, not {data_media_type(ref)}"
    elif found:
        why = f"'{found}:' URLs are not allowed in an image"
    else:
        why = "an image in a book must hold everything it shows (other files are not carried with it)"
    raise ContentError(f"{what} '{shown_ref}' refused: {why}; export the SVG with its images and styles embedded",
                       shown, line)


def _drop(element: etree._Element) -> None:
    """Remove an element and what it holds, keeping the text after it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
