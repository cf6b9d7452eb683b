"""Book + finished EPUB XHTML -> accessibility metadata (schema.org, EPUB Accessibility 1.1) and the
checks that decide whether the EPUB may claim conformance."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from octavo.markup import local_name
from octavo.model import Book

log = logging.getLogger("octavo")

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
#: The claim, in the form EPUB Accessibility 1.1 gives (§ conformance reporting).
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
#: epub:type values that have a DPUB-ARIA role, which must then be on the same element
#: (DAISY Ace's epub-type-has-matching-role; Standard Ebooks adds them the same way).
ARIA_ROLES = {
    "abstract": "doc-abstract", "acknowledgments": "doc-acknowledgments", "afterword": "doc-afterword",
    "appendix": "doc-appendix", "biblioentry": "doc-biblioentry", "bibliography": "doc-bibliography",
    "biblioref": "doc-biblioref", "chapter": "doc-chapter", "colophon": "doc-colophon",
    "conclusion": "doc-conclusion", "credit": "doc-credit", "credits": "doc-credits",
    "dedication": "doc-dedication", "endnotes": "doc-endnotes", "epigraph": "doc-epigraph",
    "epilogue": "doc-epilogue", "errata": "doc-errata", "footnote": "doc-footnote", "foreword": "doc-foreword",
    "glossary": "doc-glossary", "glossref": "doc-glossref", "index": "doc-index",
    "introduction": "doc-introduction", "noteref": "doc-noteref", "notice": "doc-notice",
    "page-list": "doc-pagelist", "pagebreak": "doc-pagebreak", "part": "doc-part", "preface": "doc-preface",
    "prologue": "doc-prologue", "pullquote": "doc-pullquote", "qna": "doc-qna", "referrer": "doc-backlink",
    "subtitle": "doc-subtitle", "tip": "doc-tip", "toc": "doc-toc",
}


@dataclass(frozen=True)
class Features:
    """What the finished EPUB contains, as far as its accessibility metadata is concerned."""

    images: bool
    """It has images besides the cover (each with a text alternative: the build insists)."""
    page_list: bool
    """It has page-break markers and a page list from the print edition."""
    conforms: bool
    """Every check of `conformance_problems` passed."""


def accessibility_metadata(book: Book, features: Features) -> list[tuple[str, str, dict[str, str]]]:
    """(property, value, extra attributes) of every accessibility <meta>, derived from the content."""
    modes = ["textual"] + (["visual"] if features.images else [])
    sufficient = ["textual"] + (["textual,visual"] if features.images else [])
    feature_list = ["tableOfContents", "readingOrder", "structuralNavigation"]
    if features.page_list:
        feature_list += ["printPageNumbers", "pageNavigation"]
    if features.images:
        feature_list.append("alternativeText")
    meta: list[tuple[str, str, dict[str, str]]] = [
        *(("schema:accessMode", mode, {}) for mode in modes),
        *(("schema:accessModeSufficient", mode, {}) for mode in sufficient),
        *(("schema:accessibilityFeature", feature, {}) for feature in feature_list),
        ("schema:accessibilityHazard", "none", {}),
        ("schema:accessibilitySummary", summary(features), {}),
    ]
    if features.conforms:
        evaluator = book.meta.publisher or ", ".join(book.meta.authors)
        meta += [("dcterms:conformsTo", CONFORMANCE, {"id": "conformance"}),
                 ("a11y:certifiedBy", evaluator, {"refines": "#conformance"})]
    return meta


def summary(features: Features) -> str:
    """A sentence or three a reader can act on."""
    parts = ["This publication has a table of contents, structured headings and a logical reading order."]
    parts.append("Every image has a text alternative." if features.images else "It contains no images other "
                                                                                  "than the cover.")
    if features.page_list:
        parts.append("Page numbers of the print edition are marked in the text and listed for navigation.")
    parts.append("It has no known hazards.")
    return " ".join(parts)


def conformance_problems(documents: Sequence[tuple[str, etree._Element]], language: str) -> list[str]:
    """What in the finished documents would make a conformance claim untrue; [] when there is nothing."""
    problems: list[str] = []
    for name, root in documents:
        if root.get("lang") != language or root.get(XML_LANG) != language:
            problems.append(f"{name}: <html> lang/xml:lang is not '{language}'")
        title = root.find("{http://www.w3.org/1999/xhtml}head/{http://www.w3.org/1999/xhtml}title")
        if title is None or not (title.text or "").strip():
            problems.append(f"{name}: no <title>")
        ids: set[str] = set()
        for element in root.iter():
            problems += [f"{name}: {p}" for p in _element_problems(element, ids)]
    return problems


def _element_problems(element: etree._Element, ids: set[str]) -> list[str]:
    tag = local_name(element.tag)
    if not tag:
        return []
    problems = []
    if tag == "img" and not (element.get("alt") or "").strip():
        problems.append(f"image '{element.get('src')}' has no text alternative")
    own = element.get("id")
    if own in ids:
        problems.append(f"id '{own}' is used twice")
    if own:
        ids.add(own)
    for kind in (element.get(EPUB_TYPE) or "").split():
        if kind in ARIA_ROLES and ARIA_ROLES[kind] not in (element.get("role") or "").split() \
                and not in_landmarks(element):
            problems.append(f"<{tag} epub:type=\"{kind}\"> has no role=\"{ARIA_ROLES[kind]}\"")
            break
    if "pagebreak" in (element.get(EPUB_TYPE) or "").split() and not element.get("aria-label"):
        problems.append(f"page break '{own}' has no aria-label")
    return problems


def in_landmarks(element: etree._Element) -> bool:
    """Whether the element is inside the landmarks nav, whose links name epub:types without taking roles."""
    return any("landmarks" in (a.get(EPUB_TYPE) or "").split() for a in element.iterancestors())


def add_missing_roles(root: etree._Element) -> None:
    """Give an element the DPUB-ARIA role its epub:type implies when raw HTML left it out."""
    for element in root.iter():
        if not isinstance(element.tag, str) or element.get("role"):
            continue
        roles = [ARIA_ROLES[k] for k in (element.get(EPUB_TYPE) or "").split() if k in ARIA_ROLES]
        if roles and not in_landmarks(element):
            element.set("role", roles[0])


def empty_header_cells_as_data(root: etree._Element) -> None:
    """A table header cell with no text (the corner cell of a Markdown table, `|   | a | b |`) becomes a data
    cell: a header that names nothing is an accessibility violation (DAISY Ace, axe's empty-table-header)."""
    for cell in root.iter("{http://www.w3.org/1999/xhtml}th"):
        if not "".join(cell.itertext()).strip() and not len(cell):
            cell.tag = "{http://www.w3.org/1999/xhtml}td"
