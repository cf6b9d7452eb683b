"""Stage 1: index marks in Markdown (`[term]{.index}`, `[UN]{index="United Nations!Charter"}`) -> anchored spans
in the chapters' HTML, the Book's IndexMarks, and the index chapter in its place."""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from octavo.config import CONFIG_NAME
from octavo.errors import ContentError
from octavo.language import labels_for
from octavo.markup import escape, parse_fragment, serialise_fragment
from octavo.model import Book, Chapter, IndexMark
from octavo.pages import INDEX_ANCHOR_PREFIX
from octavo.scholarly.index import entries, find
from octavo.source import place_in

log = logging.getLogger("octavo")

#: The class of a marked span in the text (the index's own entries are `index-term`, as EPUB Indexes names them).
MARK_CLASS = "index-mark"
#: The attributes a mark may have: the entry, 'see', 'see also', and how its last level sorts.
KEYS = ("index", "index-see", "index-seealso", "index-sort")
#: `!` separates an entry from its sub-entries, as makeindex and LaTeX write them.
LEVELS = "!"
_BRACES = re.compile(r"\{([^{}\n]*)\}")
_ITEM = re.compile(r'\s*(?:(#)[A-Za-z][\w:.-]*|\.([A-Za-z_][\w-]*)|([A-Za-z][\w-]*)=("[^"]*"|\'[^\']*\'|[^\s"\'}]+))')
_DATA = {key: "data-" + key for key in KEYS}


def index_plugin(md: MarkdownIt) -> None:
    """A bracketed span with an index attribute becomes a mark; any other bracket is left to the other rules.
    `[@key]` (a citation) is never a mark."""
    md.inline.ruler.before("link", "index_mark", _index_mark)
    md.add_render_rule("index_open", _render_open)
    md.add_render_rule("index_close", lambda self, tokens, idx, options, env: "</span>")


def _attributes(inner: str) -> dict[str, str] | None:
    """`.index index="A!B" index-see='C'` -> {'index': 'A!B', ...}, with '.index' as {'': ''}; None when the
    braces say nothing of the index (another span: not ours); {'error': ...} when they do but cannot be read."""
    found: dict[str, str] = {}
    rest = inner
    while rest.strip():
        item = _ITEM.match(rest)
        if item is None:
            return {"error": "its attributes cannot be read: quote a value with spaces, index=\"Main!Sub\""} \
                if "index" in inner else None
        _, name, key, value = item.groups()
        if name == "index":
            found.setdefault("index-class", "")
        elif key:
            found[key] = value[1:-1] if value[:1] in "\"'" else value
        rest = rest[item.end():]
    if not any(key.startswith("index") for key in found):
        return None
    return found


def _index_mark(state: Any, silent: bool) -> bool:
    if state.src[state.pos] != "[" or state.src.startswith(("[@", "[-@"), state.pos):
        return False
    end = state.md.helpers.parseLinkLabel(state, state.pos, False)
    if end < 0:
        return False
    braces = _BRACES.match(state.src, end + 1)
    attrs = _attributes(braces.group(1)) if braces else None
    if braces is None or attrs is None:
        return False
    if not silent:
        token = state.push("index_open", "span", 1)
        token.meta = {"attrs": attrs, "raw": braces.group(0)}
        start, maximum = state.pos, state.posMax
        state.pos, state.posMax = start + 1, end
        state.md.inline.tokenize(state)
        state.posMax = maximum
        state.push("index_close", "span", -1)
    state.pos = braces.end()
    return True


def _render_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    meta = tokens[idx].meta
    attrs = "".join(f' data-{escape(key)}="{escape(value)}"' for key, value in meta["attrs"].items()
                    if key.startswith("index") or key == "error")  # an id or another attribute: not kept
    return f'<span class="{MARK_CLASS}" data-index-raw="{escape(meta["raw"])}"{attrs}>'


def mark_index(book: Book, take: Any) -> Book:
    """Give every mark of the book an anchor id (`take(wanted)` hands out unique ids), collect the marks, and
    place the index chapter: the book's own (kind 'index'), else one made at the end in the book's language."""
    found: list[_Found] = []
    chapters = []
    for chapter in book.chapters:
        html = _anchor(chapter.html, chapter, take, found)
        notes = tuple(replace(note, html=_anchor(note.html, chapter, take, found)) for note in chapter.footnotes)
        chapters.append(replace(chapter, html=html, footnotes=notes))
    if not found:
        return book
    marks = [mark for mark, _, _ in found]
    _check_references(found)
    if not any(chapter.kind == "index" for chapter in chapters):
        chapters.append(_index_chapter(book, take))
    return replace(book, chapters=tuple(chapters), index_marks=tuple(marks))


def _index_chapter(book: Book, take: Any) -> Chapter:
    """The index chapter a book that places none gets, last, titled in its language."""
    title = labels_for(book.meta.language)["index"]
    anchor = take("index")
    return Chapter(source=book.root / CONFIG_NAME, name=CONFIG_NAME, kind="index", title=title,
                   title_html=escape(title), id=anchor, number=None, running=title, html="", headings=(),
                   footnotes=())


_Found = tuple[IndexMark, Chapter, str]  # a mark, its chapter, and its attributes as written (for messages)


def _check_references(found: list[_Found]) -> None:
    """A 'see' or 'see also' that names no entry of the index is a warning at its mark."""
    top = entries([mark for mark, _, _ in found])
    for mark, chapter, raw in found:
        for target in (mark.see, mark.see_also):
            if target and find(top, target) is None:
                file, line = place_in(chapter.name, chapter.sources, raw) or (chapter.name, None)
                where = f"{file}:{line}" if line else file
                log.warning("%s: index mark %s: '%s' is no entry of the index; mark the term it names, or "
                            "correct the name", where, raw, LEVELS.join(target))


def _anchor(html: str, chapter: Chapter, take: Any, found: list[_Found]) -> str:
    """The marks of one fragment: each span gets its id, loses its data-index attributes, adds an IndexMark."""
    if MARK_CLASS not in html:
        return html
    root = parse_fragment(html)
    for span in root.iterfind(f".//span[@class='{MARK_CLASS}']"):
        raw = span.attrib.pop("data-index-raw", "")
        given = {key: span.attrib.pop(f"data-{key}") for key in list(_DATA) + ["index-class", "error"]
                 if f"data-{key}" in span.attrib}
        for name in [name for name in span.attrib if name.startswith("data-index")]:
            given[name.removeprefix("data-")] = span.attrib.pop(name)
        text = " ".join("".join(span.itertext()).split())
        mark = _mark(given, text, chapter, raw)
        span.set("id", take(f"{INDEX_ANCHOR_PREFIX}{len(found) + 1}"))
        found.append((replace(mark, anchor=str(span.get("id"))), chapter, raw))
    return serialise_fragment(root)


def _mark(given: dict[str, str], text: str, chapter: Chapter, raw: str) -> IndexMark:
    """What one mark says, checked; a mistake is an error at its file and line."""
    def fail(problem: str) -> ContentError:
        found = place_in(chapter.name, chapter.sources, raw) if raw else None
        return ContentError(f"index mark {raw}: {problem}", *(found or (chapter.name, None)))

    if "error" in given:
        raise fail(given["error"])
    for key in given:
        if key not in KEYS and key != "index-class":
            close = difflib.get_close_matches(key, KEYS, n=1, cutoff=0.6)
            raise fail(f"unknown attribute '{key}'" + (f" (did you mean '{close[0]}'?)" if close else
                                                       f"; an index mark knows {', '.join(KEYS)}"))
    entry = _levels(given.get("index", text), fail, "the entry")
    see = _levels(given["index-see"], fail, "index-see") if "index-see" in given else ()
    also = _levels(given["index-seealso"], fail, "index-seealso") if "index-seealso" in given else ()
    return IndexMark(anchor="", entry=entry, see=see, see_also=also, sort=given.get("index-sort", "").strip(),
                     chapter=chapter.id)


def _levels(value: str, fail: Any, what: str) -> tuple[str, ...]:
    """'United Nations!Security Council' -> ('United Nations', 'Security Council')."""
    if not value.strip():
        raise fail(f"{what} is empty: write the term, [term]{{.index}}, or give it, index=\"Term\"")
    parts = tuple(" ".join(part.split()) for part in value.split(LEVELS))
    if not all(parts):
        raise fail(f"{what} '{value}' has an empty level: '{LEVELS}' separates an entry from its sub-entries")
    return parts
