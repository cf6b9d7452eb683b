"""The finished EPUB documents -> the EPUB 2 navigation readers still use: the NCX (the nav's contents with their
true depth, labels and playOrder, and its page list) and the package's guide (cover, title page, contents, text).

Kindle's converters, calibre and older readers read these, not the EPUB 3 nav; so both are made from the nav
document itself, after its passes, and say what it says.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lxml import etree

NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"
_NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
#: EPUB 3 landmark -> EPUB 2 guide reference type (OPF 2.0.1 §2.6).
GUIDE_TYPES = {"cover": "cover", "titlepage": "title-page", "toc": "toc", "bodymatter": "text"}


@dataclass(frozen=True)
class Entry:
    """One line of the contents, or one page of the page list."""

    label: str
    """What the nav shows (a chapter's number and title)."""
    src: str
    """Its target, relative to the package document."""
    children: tuple[Entry, ...] = ()
    """The entries nested under it."""


@dataclass(frozen=True)
class Navigation:
    """What the nav document links, read back from it."""

    contents: tuple[Entry, ...]
    """The contents, nested."""
    pages: tuple[Entry, ...]
    """The page list, in page order."""
    landmarks: tuple[tuple[str, str, str], ...]
    """(epub:type, href, title) of each landmark."""
    page_list_title: str
    """The page list's heading."""


def read_nav(nav: etree._Element, nav_file: str) -> Navigation:
    """The contents, page list and landmarks of the nav document, their hrefs made relative to the package."""
    base = posixpath.dirname(nav_file)

    def src(link: etree._Element) -> str:
        href = link.get("href", "")
        return posixpath.normpath(posixpath.join(base, href)) if base else href

    def entries(ol: etree._Element | None) -> tuple[Entry, ...]:
        found = []
        for li in ol.findall("x:li", _NS) if ol is not None else ():
            link = li.find("x:a", _NS)
            if link is not None:
                found.append(Entry(label(link), src(link), entries(li.find("x:ol", _NS))))
        return tuple(found)

    def list_of(kind: str) -> etree._Element | None:
        hits = nav.xpath(f"//x:nav[contains(concat(' ', @epub:type, ' '), ' {kind} ')]/x:ol", namespaces=_NS)
        return hits[0] if hits else None

    pages = list_of("page-list")
    marks = list_of("landmarks")
    heading = pages.getparent().find("x:h2", _NS) if pages is not None else None
    return Navigation(
        contents=entries(list_of("toc")), pages=entries(pages),
        landmarks=tuple((str(a.get(f"{{{_NS['epub']}}}type", "")), src(a), label(a))
                        for a in (marks.findall("x:li/x:a", _NS) if marks is not None else ())),
        page_list_title=label(heading) if heading is not None else "Pages")


def label(element: etree._Element) -> str:
    """The text a reader sees in a link, spaces collapsed."""
    return " ".join("".join(element.itertext()).split())


def depth(entries: Sequence[Entry]) -> int:
    return max((1 + depth(e.children) for e in entries), default=0)


def _walk(entries: Sequence[Entry]) -> Iterator[Entry]:
    for entry in entries:
        yield entry
        yield from _walk(entry.children)


def reading_order(documents: Sequence[tuple[str, etree._Element]]) -> dict[str, int]:
    """Every target in the book (a document, or an id in it) -> its rank in reading order."""
    order: dict[str, int] = {}
    for name, root in documents:
        order[name] = len(order)
        for anchor in root.xpath("//@id"):
            order.setdefault(f"{name}#{anchor}", len(order))
    return order


def build_ncx(nav: Navigation, documents: Sequence[tuple[str, etree._Element]], identifier: str, title: str,
              language: str) -> bytes:
    """The NCX: navMap and pageList with one playOrder per target, in reading order (EPUBCheck's NCX rules:
    equal targets share a playOrder, different ones never do)."""
    order = reading_order(documents)
    targets = sorted({e.src for e in (*_walk(nav.contents), *nav.pages)}, key=lambda s: (order.get(s, len(order)), s))
    play = {src: number for number, src in enumerate(targets, start=1)}
    root = etree.Element(f"{{{NCX_NS}}}ncx", nsmap={None: NCX_NS}, version="2005-1")
    root.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    head = etree.SubElement(root, f"{{{NCX_NS}}}head")
    numbers = [int(p.label) for p in nav.pages if p.label.isdigit()]
    for name, value in (("dtb:uid", identifier), ("dtb:depth", str(max(depth(nav.contents), 1))),
                        ("dtb:totalPageCount", str(len(nav.pages))),
                        ("dtb:maxPageNumber", str(max(numbers, default=0)))):
        etree.SubElement(head, f"{{{NCX_NS}}}meta", name=name, content=value)
    _text(etree.SubElement(root, f"{{{NCX_NS}}}docTitle"), title)
    nav_map = etree.SubElement(root, f"{{{NCX_NS}}}navMap")
    counter = iter(range(1, 1_000_000))

    def add(parent: etree._Element, entries: Sequence[Entry]) -> None:
        for entry in entries:
            point = etree.SubElement(parent, f"{{{NCX_NS}}}navPoint", id=f"navpoint-{next(counter)}",
                                     playOrder=str(play[entry.src]))
            _text(etree.SubElement(point, f"{{{NCX_NS}}}navLabel"), entry.label)
            etree.SubElement(point, f"{{{NCX_NS}}}content", src=entry.src)
            add(point, entry.children)

    add(nav_map, nav.contents)
    if nav.pages:
        page_list = etree.SubElement(root, f"{{{NCX_NS}}}pageList")
        _text(etree.SubElement(page_list, f"{{{NCX_NS}}}navLabel"), nav.page_list_title)
        for number, page in enumerate(nav.pages, start=1):
            target = etree.SubElement(page_list, f"{{{NCX_NS}}}pageTarget", id=f"pagetarget-{number}",
                                      type="normal" if page.label.isdigit() else "front",
                                      playOrder=str(play[page.src]))
            if page.label.isdigit():
                target.set("value", page.label)
            _text(etree.SubElement(target, f"{{{NCX_NS}}}navLabel"), page.label)
            etree.SubElement(target, f"{{{NCX_NS}}}content", src=page.src)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))


def _text(parent: etree._Element, value: str) -> None:
    etree.SubElement(parent, f"{{{NCX_NS}}}text").text = value


def guide(nav: Navigation) -> list[dict[str, str]]:
    """The EPUB 2 guide, from the landmarks: where the cover, title page, contents and text begin."""
    return [{"type": GUIDE_TYPES[kind], "href": href, "title": title}
            for kind, href, title in nav.landmarks if kind in GUIDE_TYPES]
