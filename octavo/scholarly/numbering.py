"""The parsed chapters -> the same chapters with their figures, tables, listings and equations numbered and every
reference resolved, and the list of what is numbered; every missing or doubled label and bad formula reported.

Labels are pandoc-crossref's: an id starting `fig:`, `tbl:`, `lst:` or `eq:` on the element captions.py makes
(or on raw HTML: `<figure id="fig:x">`, `<figure class="listing" id="lst:x">`, `<table id="tbl:x">`), and
`sec:` ids on headings, which references name by chapter number or by title.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from lxml import etree

from octavo.errors import BuildError, ContentError, ContentProblems
from octavo.language import QUOTES, crossref_words
from octavo.markup import escape, local_name, parse_fragment, plain_text, serialise_fragment
from octavo.model import BookMeta, Chapter, Numbered
from octavo.scholarly.crossref import Target, did_you_mean, kind_of, pending, refs_of, resolve
from octavo.scholarly.math import formula_problem, formulas
from octavo.source import line_in_file, place_in

_NUMBERED = ("fig", "tbl", "lst", "eq")
_MARKERS = re.compile(r'id="(?:fig|tbl|lst|eq|sec)[:-]|crossref-pending|class="math ')


def number_chapters(chapters: Sequence[Chapter], meta: BookMeta) -> tuple[list[Chapter], tuple[Numbered, ...]]:
    """Number every labelled item (per chapter or through the book, as book.yaml says), give references their
    words and numbers; raise every problem found, together, in reading order."""
    trees = {c.id: parse_fragment(c.html) for c in chapters if _MARKERS.search(c.html)}
    problems: list[BuildError] = []
    targets, numbered, captions = _number(chapters, trees, meta, problems)
    for chapter in chapters:
        if chapter.number is not None and kind_of(chapter.id) == "sec":
            targets.setdefault(chapter.id, Target("sec", str(chapter.number)))
        for heading in chapter.headings:
            if kind_of(heading.id) == "sec":
                targets.setdefault(heading.id, Target("sec", heading.text, title=True))
    words = crossref_words(meta.language)
    quotes = QUOTES.get(meta.language.split("-")[0].lower(), QUOTES["en"])
    done = []
    for chapter in chapters:
        notes = []
        for tree in ([trees[chapter.id]] if chapter.id in trees else []):
            problems += _formula_problems(chapter, tree)
            problems += _resolve(chapter, tree, targets, words, meta.crossref.pages, f"{quotes[0]}{quotes[1]}")
            chapter = replace(chapter, html=serialise_fragment(tree))
        for note in chapter.footnotes:  # a note's references and formulas, as the text's
            if _MARKERS.search(note.html):
                tree = parse_fragment(note.html)
                problems += _formula_problems(chapter, tree)
                problems += _resolve(chapter, tree, targets, words, meta.crossref.pages, f"{quotes[0]}{quotes[1]}")
                note = replace(note, html=serialise_fragment(tree))
            notes.append(note)
        done.append(replace(chapter, footnotes=tuple(notes)))
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ContentProblems(problems)
    # Captions as the lists of figures and tables give them, once their references are resolved.
    return done, tuple(replace(n, caption_html=short_caption(c)) if c is not None else n
                       for n, c in zip(numbered, captions, strict=True))


def _number(chapters: Sequence[Chapter], trees: dict[str, Any], meta: BookMeta,
            problems: list[BuildError]) -> tuple[dict[str, Target], list[Numbered], list[Any]]:
    words = crossref_words(meta.language)
    targets: dict[str, Target] = {}
    first_place: dict[str, tuple[str, int | None]] = {}
    numbered: list[Numbered] = []
    captions: list[Any] = []
    counts = dict.fromkeys(_NUMBERED, 0)
    for chapter in chapters:
        if meta.crossref.per_chapter:
            counts = dict.fromkeys(_NUMBERED, 0)
        tree = trees.get(chapter.id)
        if tree is None:
            continue
        seen_here: dict[str, int] = {}
        for element in _labelled(tree):
            key = str(element.get("id"))
            kind = str(kind_of(key))
            place = _label_place(chapter, key, seen_here)
            if key in first_place:
                name, line = first_place[key]
                problems.append(ContentError(f"label '{key}' is already used at {name}:{line or '?'}; a label "
                                             "names one figure, table, listing or equation: choose another", *place))
                continue
            first_place[key] = place
            counts[kind] += 1
            number = f"{chapter.number}.{counts[kind]}" if meta.crossref.per_chapter and chapter.number \
                else str(counts[kind])
            front = chapter.division == "frontmatter"
            targets[key] = Target(kind, number, front)
            captions.append(_set_number(element, kind, number, words))
            numbered.append(Numbered(kind, key, number, "", chapter.id, front))
    return targets, numbered, captions


def _labelled(tree: Any) -> list[Any]:
    """The elements whose id is a figure, table, listing or equation label, in document order."""
    return [e for e in tree.iter() if isinstance(e.tag, str) and kind_of(str(e.get("id") or "")) in _NUMBERED]


def _label_place(chapter: Chapter, key: str, seen: dict[str, int]) -> tuple[str, int | None]:
    """The file and line of the n-th time `key` is written as a label in the chapter's files."""
    seen[key] = seen.get(key, 0) + 1
    sources = chapter.sources or (chapter.source,)
    pattern = re.compile(r"#" + re.escape(key) + r"(?![\w:.-]*\w)|id=[\"']?" + re.escape(key) + r"(?![\w:.-]*\w)")
    found: list[tuple[str, int]] = []
    for index, path in enumerate(sources):
        name = chapter.name if index == 0 else f"{chapter.name.rsplit('/', 1)[0]}/{path.name}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found += [(name, number)] * len(pattern.findall(line))
    if len(found) >= seen[key]:
        return found[seen[key] - 1]
    return chapter.name, (found[-1][1] if found else None)


def _set_number(element: Any, kind: str, number: str, words: dict[str, str]) -> Any:
    """Write the number into the item's caption (or beside the equation); return the caption (None for an
    equation)."""
    if kind == "eq":
        mark = etree.SubElement(element, "span")
        mark.set("class", "equation-number")
        mark.text = f"({number})"
        return None
    tag = "caption" if local_name(element.tag) == "table" else "figcaption"
    caption = next((c for c in element if isinstance(c.tag, str) and local_name(c.tag) == tag), None)
    if caption is None:
        caption = etree.Element(tag)
        element.insert(0 if tag == "caption" or kind == "lst" else len(element), caption)
    has_text = bool(plain_text(_inner_html(caption)).strip())
    label = etree.Element("span")
    label.set("class", "caption-label")
    label.text = f"{words[kind]}\u00a0{number}" + (words["separator"] if has_text else "")
    label.tail = (" " if has_text else "") + (caption.text or "").lstrip()
    caption.text = None
    caption.insert(0, label)
    return caption


#: A caption longer than this (characters) is given in the lists by its first sentence, or its bold lead-in.
_LONG_CAPTION = 120


def short_caption(caption: Any) -> str:
    """A caption as the lists of figures and tables give it, without its label: the whole caption when it is
    short, else its bold lead-in (`**Title.** More...`) or its first sentence, without the final full stop.
    Its links become text (an entry of a list is a link itself) and it keeps no id (ids are the caption's)."""
    caption = copy.deepcopy(caption)
    for element in list(caption.iter()):
        if isinstance(element.tag, str):
            element.attrib.pop("id", None)
            if local_name(element.tag) == "a" and element is not caption:
                element.drop_tag()
    label = caption[0] if len(caption) and "caption-label" in (caption[0].get("class") or "") else None
    pieces: list[str] = [escape((label.tail if label is not None else caption.text) or "")]
    children = [c for c in caption if c is not label]
    pieces += [etree.tostring(c, encoding="unicode", method="html", with_tail=True) for c in children]
    whole = "".join(pieces).strip()
    if len(plain_text(whole)) <= _LONG_CAPTION:
        return whole
    first = children[0] if children and not pieces[0].strip() else None
    if first is not None and local_name(first.tag) in ("strong", "b"):
        return _inner_html(first).strip().rstrip(".")
    first_text = (label.tail if label is not None else caption.text) or ""
    out = ""
    for child, tail in [(None, first_text), *((c, c.tail or "") for c in children)]:
        head = etree.tostring(child, encoding="unicode", method="html", with_tail=False) if child is not None else ""
        end = re.search(r"\.(\s|$)", tail)
        if end is not None and len(plain_text(out + head + escape(tail[:end.start()]))) > 20:
            return (out + head + escape(tail[:end.start()])).strip()
        out += head + escape(tail)
    return whole


def _inner_html(element: Any) -> str:
    """An element's content as HTML."""
    parts = [escape(element.text or "")]
    parts += [etree.tostring(child, encoding="unicode", method="html") for child in element]
    return "".join(parts)


def _formula_problems(chapter: Chapter, tree: Any) -> list[BuildError]:
    problems: list[BuildError] = []
    for span in formulas(tree):
        tex = "".join(span.itertext())
        why = formula_problem(tex, "display" in (span.get("class") or "").split())
        if why:
            first = next((line.strip() for line in tex.splitlines() if line.strip()), tex)
            name, line = place_in(chapter.name, chapter.sources or (chapter.source,), first) or (chapter.name, None)
            problems.append(ContentError(f"the formula ${' '.join(tex.split())}$ cannot be typeset: {why}",
                                         name, line))
    return problems


def _resolve(chapter: Chapter, tree: Any, targets: dict[str, Target], words: dict[str, str], pages: bool,
             quotes: str) -> list[BuildError]:
    problems: list[BuildError] = []
    for span in pending(tree):
        missing = [ref.key for ref in refs_of(span) if ref.key not in targets]
        if missing:
            written = "".join(span.itertext())
            name, line = place_in(chapter.name, chapter.sources or (chapter.source,), written) or \
                (chapter.name, line_in_file(chapter.source, missing[0]))
            for key in missing:
                kind = str(kind_of(key))
                hint = did_you_mean(key, [k for k in targets if k.startswith(kind)]) or \
                    did_you_mean(key, list(targets))
                problems.append(ContentError(f"reference to '@{key}', but no {_WHAT[kind]} has that label{hint}",
                                             name, line))
            continue
        resolve(span, targets, words, pages, quotes)
    return problems


_WHAT = {"fig": "figure", "tbl": "table", "lst": "listing", "eq": "equation", "sec": "heading"}
