"""pandoc's reference section + the citations' ids -> the bibliography, linked back, where the book asks for it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from lxml import etree

from octavo.markup import escape, parse_fragment, serialise_fragment
from octavo.model import BookMeta, Chapter

#: Where the book asks for its bibliography: `::: {#refs}` (pandoc's name), else a chapter of this kind.
REFS_ID = "refs"
KIND = "bibliography"


def entry_id(key: str) -> str:
    """A citation key -> the id of its bibliography entry: an XML name, as the EPUB needs (`ref-doe2020`)."""
    return "ref-" + re.sub(r"[^\w.-]", "-", key)


def bibliography_html(refs: etree._Element, backlinks: dict[str, list[tuple[str, bool]]],
                      labels: dict[str, str]) -> str:
    """pandoc's `div#refs` -> the bibliography's HTML: each entry's id made an XML name, and after it a link
    back to the first citation of it in each chapter (the PDFs print that citation's page, the EPUB a mark)."""
    if not len(refs):
        return ""
    for entry in refs.iter("div"):
        if "csl-entry" not in (entry.get("class") or "").split():
            continue
        key = str(entry.get("id") or "")[4:]
        entry.set("id", entry_id(key))
        inner = next((d for d in entry.iter("div") if "csl-right-inline" in (d.get("class") or "")), entry)
        if inner is not entry:
            entry.set("class", f"{entry.get('class')} csl-numeric")
        if key in backlinks:
            inner.append(_backlinks(backlinks[key], labels))
    refs.set("id", REFS_ID)
    refs.set("class", " ".join(dict.fromkeys([*(refs.get("class") or "").split(), "references"])))
    # No list roles: the EPUB's page-break markers may fall between entries, and a list may hold only items
    # (Ace: aria-required-children).
    for element in (refs, *refs.iter("div")):
        if element.get("role") in ("list", "listitem"):
            del element.attrib["role"]
    holder = etree.Element("div")
    holder.append(refs)
    return serialise_fragment(holder)


def _backlinks(anchors: list[tuple[str, bool]], labels: dict[str, str]) -> etree._Element:
    links = ", ".join(f'<a class="backlink{" backlink-front" if front else ""}" href="#{escape(anchor)}" '
                      f'role="doc-backlink" aria-label="{escape(labels["back_citation"])}">'
                      f'<span class="backlink-mark">\u21a9</span></a>' for anchor, front in anchors)
    word = labels["pages_short"] if len(anchors) > 1 else labels["page_short"]  # p. 3; pp. 3, 12
    label = f'<span class="backlinks-label">{escape(word)}</span>'
    html = f'<span class="backlinks"> {label}\u00a0{links}</span>'  # a line may break before the label
    return parse_fragment(html)[0]


def place_bibliography(chapters: list[Chapter], entries: str, meta: BookMeta,
                       take_id: Callable[[str], str], title: str) -> list[Chapter]:
    """Put the bibliography in `::: {#refs}`, else at the end of the chapter of kind bibliography, else under
    the heading the book ends with (`## References` with nothing after it, as a pandoc paper ends), else in a
    back-matter chapter of its own at the end of the book (`title`); no citation and no nocite: nowhere."""
    for index, chapter in enumerate(chapters):
        if f'id="{REFS_ID}"' in chapter.html:
            tree = parse_fragment(chapter.html)
            holder = tree.find(f".//div[@id='{REFS_ID}']")
            if holder is not None and entries:
                holder.getparent().replace(holder, parse_fragment(entries)[0])
            elif holder is not None:
                holder.getparent().remove(holder)
            return [*chapters[:index], replace(chapter, html=serialise_fragment(tree)), *chapters[index + 1:]]
    if not entries:
        return chapters
    for index, chapter in enumerate(chapters):
        if chapter.kind == KIND:
            return [*chapters[:index], replace(chapter, html=chapter.html + "\n" + entries), *chapters[index + 1:]]
    if chapters and _ends_with_heading(chapters[-1]):
        # pandoc sets the bibliography at the end of the document: a paper that ends '## References' wants it there
        return [*chapters[:-1], replace(chapters[-1], html=chapters[-1].html + "\n" + entries)]
    source = meta.citations.bibliography[0]
    anchor = take_id(re.sub(r"[^\w-]+", "-", title.lower()).strip("-") or "references")
    return [*chapters, Chapter(source=source, name=str(source.name), kind=KIND, title=title,
                               title_html=escape(title), id=anchor, number=None, running=title, html=entries,
                               headings=(), footnotes=())]


def _ends_with_heading(chapter: Chapter) -> bool:
    if not chapter.html.strip():
        return False
    tree = parse_fragment(chapter.html)
    last = tree[-1] if len(tree) else None
    return last is not None and last.tag in ("h2", "h3") and not (last.tail or "").strip()
