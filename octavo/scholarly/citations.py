"""Chapters with citations as written -> chapters with formatted, linked citations and the bibliography (pandoc)."""

from __future__ import annotations

import difflib
import json
import logging
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, replace
from pathlib import Path

from lxml import etree

from octavo.citeconfig import Citations
from octavo.content.sanitize import sanitize_html
from octavo.errors import BuildError, ConfigError, ContentError, ContentProblems
from octavo.language import labels_for
from octavo.markup import inert_copy, parse_fragment, serialise_fragment
from octavo.model import BookMeta, Chapter
from octavo.scholarly.bibliography import REFS_ID, bibliography_html, entry_id, place_bibliography
from octavo.scholarly.pandoc import run_pandoc
from octavo.scholarly.sources import read_keys
from octavo.source import SourceText, place_in

log = logging.getLogger("octavo")



@dataclass
class _Found:
    """One citation as written, where it is in the book."""

    span: etree._Element
    """Its placeholder (content/markdown: span.citation with the text as written)."""
    chapter: int
    """The index of its chapter."""
    keys: tuple[str, ...]
    """The keys it cites."""
    narrative: bool
    """`@key` in the running text, rather than in brackets."""
    note: int = -1
    """The index of the chapter's note it is in; -1 in the body, -2 in the title."""
    formatted: etree._Element | None = None
    """pandoc's formatted citation, once made."""

    @property
    def raw(self) -> str:
        """The citation as written."""
        return self.span.text or ""


@dataclass
class _Trees:
    """A chapter's title, body and notes as trees, changed in place, serialised back once."""

    title: etree._Element
    body: etree._Element
    notes: list[etree._Element]


def cite_book(meta: BookMeta, chapters: list[Chapter], shown: Callable[[Path], str],
              take_id: Callable[[str], str], config_place: Callable[[str], tuple[str, int | None]]) -> list[Chapter]:
    """Format every citation of the book with the book's CSL style, in reading order (numeric styles number
    by first citation), link each to its entry, and place the bibliography: in `::: {#refs}`, else at the end
    of a chapter of kind bibliography, else in a chapter of its own at the end. `shown`: a file as messages
    name it; `take_id`: a unique id of the book; `config_place`: book.yaml as messages name it, and the line
    of a key."""
    marked = 'data-cite-mode="'
    if not meta.citations.nocite and not any(marked in c.html or marked in c.title_html
                                             or any(marked in n.html for n in c.footnotes) for c in chapters):
        return chapters  # nothing cited: no tree to parse, no pandoc to run
    trees = [_Trees(parse_fragment(c.title_html), parse_fragment(c.html), [parse_fragment(n.html) for n in c.footnotes])
             for c in chapters]
    found = [cite for index, tree in enumerate(trees) for cite in _citations(tree, index, chapters[index])]
    settings = meta.citations
    if not settings.bibliography:
        _without_bibliography(found, chapters)
    elif found or settings.nocite:
        keys = read_keys(settings.bibliography, {p: shown(p) for p in settings.bibliography})
        _check_keys(found, chapters, keys, settings, config_place)
        cited, refs = _format(found, settings, meta.language)
        backlinks = _link(found, cited, take_id, chapters)
        labels = labels_for(meta.language)
        entries = bibliography_html(refs, backlinks, labels)
        return place_bibliography(_serialised(chapters, trees, found), entries, meta, take_id,
                                  settings.title or labels["references"])
    return _serialised(chapters, trees, found) if found else chapters


def _citations(tree: _Trees, index: int, chapter: Chapter) -> list[_Found]:
    """The chapter's citations in reading order: the title's, then the text's, each note's where it is first
    called (a numeric style numbers a source cited in a note where the reader meets the note)."""
    notes = {note.id: number for number, note in enumerate(chapter.footnotes)}
    found = _spans(tree.title, index, -2)
    called: list[int] = []
    for element in tree.body.iter("span", "a"):
        if element.tag == "span":
            found += _spans(element, index, -1, alone=True)
        elif "noteref" in (element.get("class") or "").split():
            number = notes.get(str(element.get("href", ""))[1:])
            if number is not None and number not in called:
                called.append(number)
                found += _spans(tree.notes[number], index, number)
    for number in (n for n in range(len(tree.notes)) if n not in called):
        found += _spans(tree.notes[number], index, number)
    return found


def _spans(root: etree._Element, index: int, note: int, alone: bool = False) -> list[_Found]:
    """The citation placeholders in `root` (`alone`: `root` itself only)."""
    spans = [root] if alone else list(root.iter("span"))
    return [_Found(span, index, tuple(str(span.get("data-cites", "")).split()),
                   span.get("data-cite-mode") == "narrative", note)
            for span in spans if "citation" in (span.get("class") or "").split() and span.get("data-cite-mode")]


def _without_bibliography(found: list[_Found], chapters: list[Chapter]) -> None:
    """A book without a bibliography: `@name` in the text stays text (a handle, not a citation); a
    bracketed citation is an error, as it cannot be formatted."""
    problems: list[BuildError] = []
    for cite in found:
        if cite.narrative:
            _unwrap(cite.span)
        else:
            name, line = _place(chapters[cite.chapter], cite.span.text or "")
            problems.append(ContentError(f"citation {cite.span.text} but book.yaml has no 'bibliography': list "
                                         "the .bib (or CSL-JSON, CSL-YAML) file that holds its sources", name,
                                         line))
    _raise(problems)


def _unwrap(span: etree._Element) -> None:
    parent = span.getparent()
    text = (span.text or "") + (span.tail or "")
    previous = span.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    elif parent is not None:
        parent.text = (parent.text or "") + text
    if parent is not None:
        parent.remove(span)


def _place(chapter: Chapter, needle: str) -> tuple[str, int | None]:
    first = needle.splitlines()[0] if needle else needle
    found = place_in(chapter.name, chapter.sources, first)
    return found if found is not None else (chapter.name, None)


def _check_keys(found: list[_Found], chapters: list[Chapter], keys: dict[str, Path], settings: Citations,
                config_place: Callable[[str], tuple[str, int | None]]) -> None:
    """Every key cited, and every key of `nocite`, is in the bibliography: all that are not are reported
    together, in reading order, each with the closest key it may have meant."""
    problems: list[BuildError] = []
    for cite in found:
        for key in cite.keys:
            if key not in keys:
                name, line = _place(chapters[cite.chapter], f"@{key}")
                problems.append(ContentError(f"citation '@{key}' is not in the bibliography{_hint(key, keys)}",
                                             name, line))
    for key in settings.nocite:
        if key != "*" and key not in keys:
            problems.append(ConfigError([BuildError(f"'nocite' key '{key}' is not in the bibliography"
                                                    f"{_hint(key, keys)}", *config_place("nocite"))]))
    _raise(problems)


def _hint(key: str, keys: dict[str, Path]) -> str:
    close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _raise(problems: list[BuildError]) -> None:
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ContentProblems(problems)


def _format(found: list[_Found], settings: Citations, language: str) -> tuple[list[etree._Element], etree._Element]:
    """One pandoc run over every citation of the book, in reading order, and the reference section:
    each citation's formatted span, and the `div#refs` of entries."""
    front = {"lang": language, "link-citations": settings.links, "nocite": ", ".join(f"@{k}" for k in settings.nocite)}
    parts = [f"---\n{json.dumps(front, ensure_ascii=False)}\n---\n"]
    for number, cite in enumerate(found):
        parts.append(f"::: {{#octavo-cite-{number}}}\n{' '.join((cite.span.text or '').split())}\n:::\n")
    parts.append(f"::: {{#{REFS_ID}}}\n:::\n")
    args = ["--citeproc", "--from", "markdown", "--to", "html", "--wrap", "none", "--csl", str(settings.csl)]
    for path in settings.bibliography:
        args += ["--bibliography", str(path)]
    code, out, err = run_pandoc(args, "\n".join(parts))
    if code != 0:
        raise ContentError(f"the citations could not be formatted: {' '.join(err.split())}", settings.csl)
    for line in err.splitlines():
        if line.strip():
            log.warning("pandoc: %s", line.strip())
    tree = parse_fragment(sanitize_html(out, SourceText(settings.csl.name, "")))  # raw HTML in a prefix too
    cited = []
    for number in range(len(found)):
        div = tree.find(f".//div[@id='octavo-cite-{number}']")
        span = div.find(".//span") if div is not None else None
        if span is None:
            raise ContentError(f"the citations could not be formatted: pandoc gave none for "
                               f"{found[number].span.text}", settings.csl)
        cited.append(span)
    refs = tree.find(f".//div[@id='{REFS_ID}']")
    return cited, refs if refs is not None else etree.Element("div")


def _link(found: list[_Found], cited: list[etree._Element], take_id: Callable[[str], str],
          chapters: list[Chapter]) -> dict[str, list[tuple[str, bool]]]:
    """Each placeholder becomes pandoc's formatted citation, with an id and links to the entries' ids;
    return, per key, the id of its first citation in each chapter (in a note: the note), and whether
    that chapter is front matter (numbered i, ii, ...): the entry's back-links."""
    backlinks: dict[str, list[tuple[str, bool]]] = {}
    chapters_seen: dict[str, set[int]] = {}
    for cite, span in zip(found, cited, strict=True):
        if cite.note == -1:
            anchor = take_id(f"cite-{cite.keys[0] if cite.keys else 'x'}")
            span.set("id", anchor)
        else:  # in a note: back to the note; in the title: to the chapter's opening
            anchor = chapters[cite.chapter].footnotes[cite.note].id if cite.note >= 0 else chapters[cite.chapter].id
        span.set("class", "citation")
        for link in span.iter("a"):
            href = str(link.get("href") or "")
            if href.startswith("#ref-"):
                link.set("href", "#" + entry_id(href[5:]))
        for key in cite.keys:
            if cite.chapter not in chapters_seen.setdefault(key, set()):
                chapters_seen[key].add(cite.chapter)
                backlinks.setdefault(key, []).append((anchor, chapters[cite.chapter].division == "frontmatter"))
        span.tail = cite.span.tail
        cite.span.getparent().replace(cite.span, span)
        cite.formatted = span
    return backlinks


def _serialised(chapters: list[Chapter], trees: list[_Trees], found: list[_Found]) -> list[Chapter]:
    """The chapters with their trees written back; the copies of the title and the headings that the contents
    and the navigation show get the formatted citations too, without links."""
    formatted = {cite.raw: inert_copy(serialise_fragment(_holding(cite.formatted)))
                 for cite in found if cite.formatted is not None}
    done = []
    for chapter, tree in zip(chapters, trees, strict=True):
        title = serialise_fragment(tree.title)
        done.append(replace(
            chapter, html=serialise_fragment(tree.body), title_html=title,
            toc_html=inert_copy(title) if title != chapter.title_html else chapter.toc_html,
            headings=tuple(replace(h, html=_formatted_copy(h.html, formatted)) for h in chapter.headings),
            footnotes=tuple(replace(note, html=serialise_fragment(root))
                            for note, root in zip(chapter.footnotes, tree.notes, strict=True))))
    return done


def _holding(span: etree._Element) -> etree._Element:
    holder = etree.Element("div")
    copy = deepcopy(span)
    copy.tail = None
    holder.append(copy)
    return holder


def _formatted_copy(html: str, formatted: dict[str, str]) -> str:
    """A heading's copy for the contents: each citation as written -> as formatted (no links, no ids)."""
    if 'data-cite-mode="' not in html:
        return html
    tree = parse_fragment(html)
    for span in list(tree.iter("span")):
        raw = span.text or ""
        if span.get("data-cite-mode") and raw in formatted:
            new = parse_fragment(formatted[raw])[0]
            new.tail = span.tail
            span.getparent().replace(span, new)
    return serialise_fragment(tree)
