"""Stage 1: content/*.md (front matter + Markdown) -> Book of Chapters with HTML fragments."""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from octavo.config import BOOK_ONLY_KEYS, CONFIG_NAME, FRONT_MATTER_SCHEMA, TYPE_NAMES, has_type, slugify
from octavo.content.fences import render_fence
from octavo.content.references import References, check_image_path, check_references
from octavo.content.sanitize import (
    MAX_TABLE_CELLS,
    MAX_TABLE_ROWS,
    forget_unknown_elements,
    sanitize_html,
    table_too_large,
)
from octavo.errors import BuildError, ContentError, ContentProblems, printable
from octavo.language import QUOTES, labels_for
from octavo.markup import (
    anchor_ids,
    escape,
    inert_copy,
    links,
    parse_fragment,
    plain_text,
    serialise_fragment,
)
from octavo.model import CHAPTER_KINDS, Book, BookMeta, Chapter, Footnote, Heading
from octavo.scholarly.captions import captions_plugin
from octavo.scholarly.citations import cite_book
from octavo.scholarly.citesyntax import citation_plugin
from octavo.scholarly.crossref import crossref_plugin
from octavo.scholarly.indexterms import index_plugin, mark_index
from octavo.scholarly.numbering import number_chapters
from octavo.source import SourceText, line_in_file, place_in, read_source
from octavo.yamlsafe import YamlProblem, load_yaml

log = logging.getLogger("octavo")

CALLOUTS = ("note", "tip", "important", "warning", "caution")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*\r?$\n?", re.S | re.M)
_EXPLICIT_ID = re.compile(r"\s*\{#([A-Za-z][\w:.-]*)\}\s*$")
_UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")
#: The longest chapter (characters): some 1,000 printed pages, a few minutes of layout. Also keeps every text
#: node and attribute of the chapter far below libxml2's 10 MB limits, beyond which lxml drops text silently.
MAX_CHAPTER_CHARS = 2_000_000
#: A data: URL longer than an attribute may be (sanitize.MAX_ATTRIBUTE_CHARS): named when it makes a chapter too long.
_LONG_DATA_URL = re.compile(r"data:[^\s\"')>]{64000,}", re.I)
#: A Markdown table's delimiter row: | --- | :---: |
_TABLE_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
#: The largest front matter (characters): a title, a short title, a kind.
MAX_FRONT_MATTER_CHARS = 64_000
#: Pandoc's attributes after an image: ![alt](x.png){width=50% .wide #fig-1}.
_IMAGE_ATTRS = re.compile(r"\{([^{}\n]*)\}")
_ATTR_ITEM = re.compile(r'\s*(?:#([A-Za-z][\w:.-]*)|\.([A-Za-z_][\w-]*)|'
                        r'([A-Za-z][\w-]*)=("[^"]*"|\'[^\']*\'|[^\s"\'}]+))')
#: A width or height an image may be given: a number with a CSS unit (px when none), or a percentage.
_LENGTH = re.compile(r"(\d+(?:\.\d+)?)(%|px|pt|pc|in|cm|mm|em|rem)?")

@dataclass
class IdPool:
    """Hands out anchor ids unique across the whole book, deterministically, as GitHub does (x, x-1, x-2...),
    and remembers where each was taken (file:line), for the message when an explicit id is used twice."""

    seen: dict[str, int] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)

    def take(self, wanted: str, place: str = "") -> str:
        """`wanted` if it is free, else the first free `wanted-N` (N from 1, as GitHub and mdBook number)."""
        base = wanted or "section"
        if base not in self.seen:
            self.seen[base] = 0
            self.places[base] = place
            return base
        while True:
            self.seen[base] += 1
            candidate = f"{base}-{self.seen[base]}"
            if candidate not in self.seen:
                self.seen[candidate] = 0
                self.places[candidate] = place
                return candidate


#: A citation as the citations' rule leaves it for their pass (scholarly/citesyntax.py).
_CITED = re.compile(r'<span class="citation" data-cites="([^"]*)"')


def make_markdown(language: str) -> MarkdownIt:
    """The one Markdown parser: CommonMark + tables, footnotes, definition lists, callouts, smart punctuation."""
    md = MarkdownIt("commonmark", {"typographer": True, "html": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.options["quotes"] = QUOTES.get(language.split("-")[0].lower(), QUOTES["en"])
    md.use(footnote_plugin).use(deflist_plugin)
    for name in CALLOUTS:
        md.use(container_plugin, name=name, render=_render_callout)
    md.add_render_rule("footnote_ref", _render_noteref)
    md.inline.ruler.push("image_attrs", _image_attrs)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("th_open", _render_header_cell)
    md.add_render_rule("th_close", _render_header_cell)
    # Figures, captions, listings, math and cross-references (octavo/scholarly): numbered in read_book.
    md.use(captions_plugin).use(crossref_plugin)
    md.use(citation_plugin)  # pandoc's citations and `::: {#refs}` (octavo/scholarly/)
    md.use(index_plugin)  # [term]{.index}, [UN]{index="United Nations!Charter"}: octavo/scholarly/indexterms.py
    md.add_render_rule("fence", render_fence)  # code: Pygments, fence attributes, listings (content/fences.py)
    return md


def _render_header_cell(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    """A header cell with nothing in it (the corner cell of `|   | a | b |`) is a data cell, in every edition: a
    header that names nothing fails PDF/UA and EPUB accessibility (Ace: empty-table-header)."""
    token = tokens[idx]
    inline = tokens[idx + 1] if token.nesting == 1 else tokens[idx - 1]
    if inline.type == "inline" and not inline.content.strip():
        token = token.copy(tag="td")
    return str(self.renderToken([*tokens[:idx], token, *tokens[idx + 1:]], idx, options, env))


def read_book(meta: BookMeta, root: Path, display_root: Path | None = None) -> Book:
    """Parse every chapter listed in the metadata (with its section files), in order; then resolve the links
    between files of the book. Front matter keys and links are checked in full before failing."""
    md = make_markdown(meta.language)
    forget_unknown_elements()
    ids = IdPool()
    cleaned: dict[str, bytes] = {}
    for part in meta.parts:
        ids.take(part.id)
    chapters: list[Chapter] = []
    pieces: list[_Piece] = []
    problems: list[BuildError] = []
    number = 0
    for index, path in enumerate(meta.chapters):
        shown = _display(path, root, display_root)
        source = read_source(path, shown)
        if len(source) > MAX_CHAPTER_CHARS:
            if data := _LONG_DATA_URL.search(source):
                raise ContentError(f"a data: URL of {len(data.group(0)):,} characters: an image belongs in a file "
                                   "of its own; save it in images/ and refer to it by its path", shown,
                                   source.count("\n", 0, data.start()) + 1)
            raise ContentError(f"the chapter is {len(source):,} characters long, more than the {MAX_CHAPTER_CHARS:,} "
                               "a chapter may be (some 1,000 pages): split it into several chapters", shown)
        front, body, offset = split_front_matter(source, shown)
        problems += front_matter_problems(front, source, shown)
        kind = _kind(front, shown)
        number += kind == "chapter"
        sections = [(p, _display(p, root, display_root)) for p in (meta.sections[index] if meta.sections else ())]
        chapter = parse_chapter(md, path, shown, front, body, offset, kind, number if kind == "chapter" else None,
                                ids, root, meta.allow_remote, cleaned, sections=sections, pieces=pieces)
        in_part = next((i for i, p in enumerate(meta.parts) if p.first <= index < p.first + p.count), None)
        chapters.append(replace(chapter, part=in_part))
    if problems:
        raise ContentProblems(problems)
    chapters = cite_book(meta, chapters, lambda path: _display(path, root, display_root), ids.take,
                         lambda key: (str((display_root or root) / CONFIG_NAME),
                                      line_in_file(root / CONFIG_NAME, f"{key}:")))
    chapters = _name_files(chapters)
    chapters, numbered = number_chapters(chapters, meta)  # before the links: references become links
    known = known_ids(chapters)
    pending: dict[tuple[str, str], BuildError] = {}
    chapters = resolve_file_links(chapters, pieces, root, known, pending, labels_for(meta.language)["page_short"])
    images = tuple(sorted({img for c in chapters for img in c.images}))
    abstract = sanitize_html(md.render(meta.abstract), SourceText(str((display_root or root) / "book.yaml"),
                                                                   meta.abstract)) if meta.abstract else ""
    if (cited := _CITED.search(abstract)) is not None:  # the citations' pass reads the chapters only
        raise ContentError(f"the abstract cites @{cited.group(1).split()[0]}: citations are formatted in the chapters "
                           "only; name the source in words, or move the abstract into a chapter (kind: preface)",
                           str((display_root or root) / CONFIG_NAME), line_in_file(root / CONFIG_NAME, "abstract:"))
    _check_cover(meta, root, display_root, cleaned)
    book = Book(meta=meta, chapters=tuple(chapters), root=root, images=images, abstract_html=abstract,
                cleaned=cleaned, numbered=numbered)
    check_unique_ids(book, {c.source: parse_fragment(c.html) for c in book.chapters if c.html.strip()}, ids.places)
    check_links(book, pending)
    return mark_index(book, ids.take)  # the index's marks get their anchors; the index chapter its place


def _check_cover(meta: BookMeta, root: Path, display_root: Path | None, cleaned: dict[str, bytes]) -> None:
    """book.yaml's cover gets the checks of every image: a format readers show, readable, not a decompression
    bomb; an SVG cover is cleaned like any SVG image."""
    if meta.cover is None:
        return
    name = meta.cover.relative_to(root).as_posix()
    config = (display_root or root) / CONFIG_NAME
    line = line_in_file(root / CONFIG_NAME, "cover:")
    if name not in cleaned:
        data = check_image_path("cover", name, meta.cover, str(config), line, _display(meta.cover, root, display_root))
        if data is not None:
            cleaned[name] = data


@dataclass(frozen=True)
class _Piece:
    """One file of a chapter (the chapter file, or one of its section files), for links to it."""

    path: Path
    """The file, absolute."""
    chapter: str
    """The id of the chapter it belongs to."""
    first: str
    """Where a link to the file goes: the chapter's opening, or a section file's first heading."""
    aliases: dict[str, str]
    """Each heading's own slug -> the id it was given (different when an earlier heading had it)."""


def _name_files(chapters: list[Chapter]) -> list[Chapter]:
    """Each chapter's EPUB file and manifest name: its id when that is a short ASCII XML name, else an ASCII
    slug of its title starting with a letter; unique."""
    taken: set[str] = set()
    named = []
    for chapter in chapters:
        base = chapter.id if re.fullmatch(r"[a-z][a-z0-9-]{0,60}", chapter.id) else anchor_slug(chapter.title)
        name, n = base, 0
        while name in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name)
        named.append(replace(chapter, file_id=name))
    return named


def front_matter_problems(front: dict[str, Any], text: str, shown: str) -> list[BuildError]:
    """Unknown keys (with a suggestion) and wrong types in a chapter's front matter, as book.yaml's are."""
    problems: list[BuildError] = []
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines()[1:], start=2):
        if match := re.match(r"^([^\s:#][^:]*):", line):
            lines.setdefault(match.group(1).strip(), number)
        if line.strip() in ("---", "..."):
            break
    for key, value in front.items():
        name = str(key)
        if name not in FRONT_MATTER_SCHEMA:
            if name in BOOK_ONLY_KEYS:
                hint = " (it is about the whole book: set it in book.yaml)"
            else:
                close = difflib.get_close_matches(name, FRONT_MATTER_SCHEMA, n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else \
                    f"; known keys: {', '.join(FRONT_MATTER_SCHEMA)}"
            problems.append(ContentError(f"unknown front matter key '{name}'{hint}", shown, lines.get(name)))
        elif value is not None and not has_type(value, FRONT_MATTER_SCHEMA[name].kind):
            problems.append(ContentError(f"front matter '{name}' must be {TYPE_NAMES[FRONT_MATTER_SCHEMA[name].kind]}",
                                         shown, lines.get(name)))
    return problems


def _display(path: Path, root: Path, display_root: Path | None) -> str:
    """The file as messages name it: control characters in its name escaped (errors.printable)."""
    return printable((display_root or root) / path.relative_to(root))


def split_front_matter(text: str, shown: str) -> tuple[dict[str, Any], str, int]:
    """Split `---` YAML front matter from the body; return (front, body, lines before the body)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, 0
    if len(match.group(1)) > MAX_FRONT_MATTER_CHARS:
        raise ContentError(f"the front matter is {len(match.group(1)):,} characters long, more than the "
                           f"{MAX_FRONT_MATTER_CHARS:,} it may take; keep only the chapter's title and kind there",
                           shown, 1)
    try:
        front = load_yaml(match.group(1), first_line=2)[0] or {}
    except YamlProblem as exc:
        if exc.syntax:
            raise ContentError(f"front matter is not valid YAML: {exc.message}", shown, exc.line or 1) from None
        raise ContentError(f"front matter: {exc.message}", shown, exc.line or 1) from None
    if not isinstance(front, dict):
        raise ContentError("front matter must be a mapping such as 'title: ...'", shown, 1)
    return front, text[match.end():], match.group(0).count("\n")


def _kind(front: dict[str, Any], shown: str) -> str:
    kind = str(front.get("kind", "chapter")).strip().lower()
    if kind not in CHAPTER_KINDS:
        raise ContentError(f"unknown kind '{kind}' in front matter; use one of {', '.join(CHAPTER_KINDS)}", shown, 2)
    return kind


@dataclass
class _ChapterEnv:
    """What the renderer rules need to know while rendering one chapter."""

    chapter_id: str
    before: int = 0  # notes of the chapter's earlier files (a section file numbers on from them)
    notes: dict[int, str] = field(default_factory=dict)  # markdown-it note id -> our note id


def parse_chapter(md: MarkdownIt, path: Path, shown: str, front: dict[str, Any], body: str, offset: int,
                  kind: str, number: int | None, ids: IdPool, root: Path, allow_remote: bool = False,
                  cleaned: dict[str, bytes] | None = None, sections: Sequence[tuple[Path, str]] = (),
                  pieces: list[_Piece] | None = None) -> Chapter:
    """Markdown of one chapter (and of its section files, which start with '##') -> Chapter: title split
    off, ids assigned, notes collected (numbered through the whole chapter), raw HTML cleaned."""
    # Blank lines in place of the front matter: a search in this text gives the file's line numbers.
    source = SourceText(shown, "\n" * offset + body)
    if not body.strip():
        raise ContentError("the chapter is empty: write some text, or remove the file from 'chapters'",
                           shown, offset + 1)
    _check_table_sizes(body, shown, offset)
    env: dict[str, Any] = {}
    tokens = md.parse(body, env)
    title_tokens, tokens = _split_title(tokens)
    title_inline = title_tokens[1] if title_tokens else None
    title = str(front.get("title") or "").strip() or (_plain(title_inline) if title_inline else "")
    if not title:
        raise ContentError("no title: start the chapter with '# Title' or set 'title:' in the front matter",
                           shown, 1)
    chapter_id = _take_id(ids, _explicit_id(title_inline), title, shown, offset + 1)
    title_html = _title_html(md, title_inline if not front.get("title") else None, title, env, source, offset)
    aliases: dict[str, str] = {}
    html, headings, footnotes, refs = _parse_piece(md, tokens, env, _ChapterEnv(chapter_id), ids, source, offset,
                                                   root, allow_remote, aliases, extra=title_html,
                                                   cleaned=cleaned)
    if pieces is not None:
        pieces.append(_Piece(path, chapter_id, chapter_id, aliases))
    all_html, all_headings, all_notes = [html], list(headings), list(footnotes)
    images, remote = list(refs.local), list(refs.remote)
    for section_path, section_shown in sections:
        text = read_source(section_path, section_shown)
        section_front, section_body, section_offset = split_front_matter(text, section_shown)
        if section_front:
            raise ContentError("a section file has no front matter of its own: the chapter file's applies",
                               section_shown, 1)
        section_source = SourceText(section_shown, "\n" * section_offset + section_body)
        section_env: dict[str, Any] = {}
        section_tokens = md.parse(section_body, section_env)
        if not section_tokens or section_tokens[0].type != "heading_open" or section_tokens[0].tag == "h1":
            raise ContentError("a section file starts with a '##' heading (the chapter's title is in its chapter "
                               "file)", section_shown, section_offset + 1)
        section_aliases: dict[str, str] = {}
        piece_html, piece_headings, piece_notes, piece_refs = _parse_piece(
            md, section_tokens, section_env, _ChapterEnv(chapter_id, len(all_notes)), ids, section_source,
            section_offset, root, allow_remote, section_aliases, cleaned=cleaned,
            previous=all_headings[-1].level if all_headings else 1)
        if pieces is not None:
            pieces.append(_Piece(section_path, chapter_id, piece_headings[0].id, section_aliases))
        all_html.append(piece_html)
        all_headings += piece_headings
        all_notes += piece_notes
        images += [i for i in piece_refs.local if i not in images]
        remote += [r for r in piece_refs.remote if r not in remote]
    return Chapter(source=path, name=shown, kind=kind, title=title, title_html=title_html.strip(),
                   id=chapter_id, number=number, running=str(front.get("short_title") or title).strip(),
                   html="\n".join(all_html), headings=tuple(all_headings), footnotes=tuple(all_notes),
                   images=tuple(images), remote=tuple(remote), toc_html=inert_copy(title_html.strip()),
                   epigraph_html=_epigraph(md, front.get("epigraph"), source),
                   sources=(path, *(p for p, _ in sections)))


def _parse_piece(md: MarkdownIt, tokens: list[Token], env: dict[str, Any], cenv: _ChapterEnv, ids: IdPool,
                 source: SourceText, offset: int, root: Path, allow_remote: bool, aliases: dict[str, str],
                 extra: str = "", cleaned: dict[str, bytes] | None = None, previous: int = 1,
                 ) -> tuple[str, tuple[Heading, ...], tuple[Footnote, ...], References]:
    """The body of one file of a chapter -> its HTML, headings, notes (numbered on from the chapter's) and
    the files it loads. `previous`: the level of the heading before this file (a section file goes on from
    the chapter's earlier files: '###' after a '##' in the file before is no skip)."""
    headings = _assign_heading_ids(md, tokens, ids, source, offset, aliases, previous)
    body_tokens, note_tokens = _split_notes(tokens)
    notes = _number_notes(note_tokens, cenv, env)
    _check_body(body_tokens, source.name, offset)
    html = sanitize_html(md.renderer.render(body_tokens, md.options, {**env, "octavo": cenv}), source)
    footnotes = tuple(_render_note(md, note, cenv, env, source) for note in notes)
    refs = check_references("\n".join([extra, html, *(n.html for n in footnotes)]), source, root, allow_remote,
                            cleaned)
    return html, headings, footnotes, refs


def _epigraph(md: MarkdownIt, given: Any, source: SourceText) -> str:
    """Front matter `epigraph: text` or `{text: ..., source: ...}` -> a block quotation under the title."""
    if not given:
        return ""
    text, by = (given.get("text", ""), given.get("source")) if isinstance(given, dict) else (str(given), None)
    html = f'<div class="epigraph" epub:type="epigraph">{sanitize_html(md.render(str(text)), source)}'
    if by:
        html += f'<p class="epigraph-source">{sanitize_html(md.renderInline(str(by)), source)}</p>'
    return html + "</div>"


def _check_table_sizes(body: str, shown: str, offset: int) -> None:
    """Refuse a Markdown table over the limits before it is parsed: 100,000 rows take markdown-it half a GB
    and many seconds before the HTML limits (sanitize.check_size) could see them. A table is its delimiter row
    (|---|---|) and the lines with a '|' around it."""
    lines = body.splitlines()
    index = 0
    while index < len(lines):
        if _TABLE_DELIMITER.match(lines[index]) and index > 0 and "|" in lines[index - 1]:
            start = index - 1
            end = index + 1
            while end < len(lines) and "|" in lines[end] and lines[end].strip():
                end += 1
            rows = end - start - 1  # the delimiter row is no row
            columns = max(1, lines[index].strip().strip("|").count("|") + 1)
            if rows > MAX_TABLE_ROWS or rows * columns > MAX_TABLE_CELLS:
                raise table_too_large(rows, rows * columns, shown, offset + start + 1)
            index = end
        index += 1


def _title_html(md: MarkdownIt, inline: Token | None, title: str, env: dict[str, Any], source: SourceText,
                offset: int) -> str:
    """The title as inline HTML: the heading's own markup, or the front matter's `title:` as text."""
    html = sanitize_html(_render_inline(md, inline.children or [], env), source) if inline else escape(title)
    _require_text(html, "the title", source.name, offset + 1)
    return html


def _render_inline(md: MarkdownIt, tokens: Sequence[Token], env: dict[str, Any]) -> str:
    renderer = md.renderer
    assert isinstance(renderer, RendererHTML)  # the only renderer make_markdown installs
    return renderer.renderInline(tokens, md.options, env)


def github_slug(text: str) -> str:
    """A heading's text -> the id GitHub, mdBook and markdown-it-py's anchors plugin give it, so that links
    written for them work: lower case, punctuation and symbols removed (letters of any script, digits, marks,
    '-' and '_' kept), each space a '-'. '1948: The First Mission' -> '1948-the-first-mission'."""
    kept = (ch for ch in text.strip().lower() if ch in "-_ " or unicodedata.category(ch)[0] in "LNM")
    return "".join(kept).replace(" ", "-")


def anchor_slug(text: str) -> str:
    """'1948: The First Mission' -> 'the-first-mission': a name for a chapter's EPUB file and manifest item,
    which must be an XML name (a letter first) and is kept ASCII and short (heading ids: github_slug)."""
    return re.sub(r"^[^a-z]+", "", slugify(text, 6, fallback="")) or "section"


def _take_id(ids: IdPool, explicit: str | None, text: str, shown: str, line: int) -> str:
    """A unique id; an explicit {#id} that is already taken is an error naming both places (a link to it
    could only reach one of them)."""
    place = f"{shown}:{line}"
    if explicit and explicit in ids.seen:
        raise duplicate_id(explicit, ids.places.get(explicit, ""), shown, line)
    return ids.take(explicit or github_slug(text), place)


def duplicate_id(anchor: str, first: str, shown: str, line: int | None) -> ContentError:
    """The error for an id used twice in the book: links to it could go to either place."""
    where = f" at {first}" if first else ""
    return ContentError(f"id '{anchor}' is already used{where}; ids must be unique in the whole book, so that "
                        "a link to one goes there: choose another", shown, line)


def _require_text(html: str, what: str, shown: str, line: int) -> None:
    """Contents and navigation list headings by their text: one without text would be an empty entry."""
    if not plain_text(html).strip():
        raise ContentError(f"{what} has no text: write its words, or remove the line", shown, line)


def _split_title(tokens: list[Token]) -> tuple[list[Token], list[Token]]:
    """Take a leading level-1 heading off as the chapter title."""
    if len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        return tokens[:3], tokens[3:]
    return [], tokens


def _plain(inline: Token) -> str:
    text = "".join(t.content for t in inline.children or [] if t.type in ("text", "code_inline"))
    return _EXPLICIT_ID.sub("", text).strip()


def _explicit_id(inline: Token | None) -> str | None:
    if inline is None or not inline.children:
        return None
    last = inline.children[-1]
    match = _EXPLICIT_ID.search(last.content) if last.type == "text" else None
    if match:
        last.content = last.content[: match.start()]
        return match.group(1)
    return None


def _assign_heading_ids(md: MarkdownIt, tokens: list[Token], ids: IdPool, source: SourceText,
                        offset: int, aliases: dict[str, str] | None = None, previous: int = 1) -> tuple[Heading, ...]:
    """Give every heading a unique id; warn about skipped levels (from `previous`, the level of the heading
    before); return the section list."""
    headings: list[Heading] = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        level = int(token.tag[1])
        line = offset + (token.map[0] + 1 if token.map else 1)
        if level > previous + 1:
            log.warning("%s:%d: heading level skips from %d to %d; use %s", source.name, line, previous, level,
                        "#" * (previous + 1))
        if level == 1:
            log.warning("%s:%d: a second '#' heading inside a chapter; sections use '##'", source.name, line)
        previous = level
        inline = tokens[index + 1]
        explicit = _explicit_id(inline)
        anchor = _take_id(ids, explicit, _plain(inline), source.name, line)
        if aliases is not None:
            aliases.setdefault(explicit or github_slug(_plain(inline)), anchor)
        token.attrSet("id", anchor)
        html = sanitize_html(_render_inline(md, inline.children or [], {}), source,
                             warn=False).strip()  # the body's copy of this heading warns
        _require_text(html, "a heading", source.name, line)
        headings.append(Heading(level=max(level, 2), text=_plain(inline), html=inert_copy(html), id=anchor))
    return tuple(headings)


def _split_notes(tokens: list[Token]) -> tuple[list[Token], list[Token]]:
    for index, token in enumerate(tokens):
        if token.type == "footnote_block_open":
            end = next(i for i in range(index, len(tokens)) if tokens[i].type == "footnote_block_close")
            return tokens[:index] + tokens[end + 1:], tokens[index + 1:end]
    return tokens, []


def _number_notes(note_tokens: list[Token], cenv: _ChapterEnv, env: dict[str, Any]) -> list[list[Token]]:
    """Group note tokens per note, numbered in call order (markdown-it's note ids are call order)."""
    notes: list[list[Token]] = []
    for token in note_tokens:
        if token.type == "footnote_open":
            notes.append([token])
        elif notes:
            notes[-1].append(token)
    for number, note in enumerate(notes, start=cenv.before + 1):
        cenv.notes[note[0].meta["id"]] = f"fn-{cenv.chapter_id}-{number}"
    return notes


def _render_note(md: MarkdownIt, note: list[Token], cenv: _ChapterEnv, env: dict[str, Any],
                 source: SourceText) -> Footnote:
    inner = [t for t in note[1:] if t.type not in ("footnote_close", "footnote_anchor")]
    note_id = cenv.notes[note[0].meta["id"]]
    number = int(note_id.rsplit("-", 1)[1])
    html = sanitize_html(md.renderer.render(inner, md.options, {**env, "octavo": cenv}), source).strip()
    return Footnote(number=number, id=note_id, ref_id=f"fnref-{cenv.chapter_id}-{number}", html=html)


def _render_noteref(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    cenv: _ChapterEnv = env["octavo"]
    meta = tokens[idx].meta
    note_id = cenv.notes[meta["id"]]
    number = note_id.rsplit("-", 1)[1]
    ref = f"fnref-{cenv.chapter_id}-{number}" + (f"-{meta['subId'] + 1}" if meta.get("subId") else "")
    return (f'<a class="noteref" id="{ref}" href="#{note_id}" epub:type="noteref" role="doc-noteref">'
            f"{number}</a>")


def _image_attrs(state: Any, silent: bool) -> bool:
    """`{width=50% .class #id}` straight after an image: its size, classes and id (pandoc's attribute syntax;
    mdit_py_plugins' attrs plugin reads `%` as the start of a comment). Any other attribute is dropped."""
    if state.pending or not state.tokens or state.tokens[-1].type != "image":
        return False
    match = _IMAGE_ATTRS.match(state.src, state.pos)
    if match is None:
        return False
    items, rest = [], match.group(1)
    while rest.strip():
        item = _ATTR_ITEM.match(rest)
        if item is None:
            return False  # not an attribute list: left as text
        items.append(item.groups())
        rest = rest[item.end():]
    if not silent:
        image = state.tokens[-1]
        classes = []
        for anchor, name, key, value in items:
            if anchor:
                image.attrSet("id", anchor)
            elif name:
                classes.append(name)
            elif key in ("width", "height") and (length := _LENGTH.fullmatch(value.strip("\"'"))):
                image.meta.setdefault("size", {})[key] = length.group(1) + (length.group(2) or "px")
        if classes:
            image.attrSet("class", " ".join(classes))
    state.pos = match.end()
    return True


def _render_image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    title = token.attrGet("title")
    extra = f' title="{escape(str(title))}"' if title else ""
    for name in ("id", "class"):
        if (value := token.attrGet(name)) is not None:
            extra += f' {name}="{escape(str(value))}"'
    if size := token.meta.get("size"):  # a style, not width="50%", which HTML does not allow
        extra += ' style="' + "; ".join(f"{key}: {value}" for key, value in size.items()) + '"'
    return f'<img src="{escape(src)}" alt="{escape(alt)}"{extra} />'


def _render_callout(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    token = tokens[idx]
    if token.nesting != 1:
        return "</div>\n"
    name, _, label = token.info.strip().partition(" ")
    label = label.strip() or name.capitalize()
    return (f'<div class="callout callout-{name}" role="note">\n'
            f'<p class="callout-title">{escape(label)}</p>\n')


def _check_body(tokens: list[Token], shown: str, offset: int) -> None:
    """Every note call needs a definition. (Alt text and image files: references.py, on the HTML.)"""
    for block in (token for token in tokens if token.type == "inline"):
        line = offset + (block.map[0] + 1 if block.map else 1)
        for child in block.children or []:
            if child.type == "text" and (match := _UNDEFINED_NOTE.search(child.content)):
                raise ContentError(f"footnote [^{match.group(1)}] has no definition; add a line "
                                   f"'[^{match.group(1)}]: text of the note'", shown, line)


#: A link to a file of the book: a relative path to a .md (or the .html a site generator makes of it).
_BOOK_FILE = re.compile(r"^(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)(?P<path>[^?#]*\.(?:md|markdown|html?))"
                        r"(?:#(?P<anchor>.*))?$", re.I)


def known_ids(chapters: Sequence[Chapter]) -> set[str]:
    """Every id a link may point at: chapters, headings, notes and their calls, raw HTML anchors."""
    known = {c.id for c in chapters} | {h.id for c in chapters for h in c.headings}
    known |= {n.id for c in chapters for n in c.footnotes} | {n.ref_id for c in chapters for n in c.footnotes}
    known |= {anchor for c in chapters if c.html.strip() for anchor in anchor_ids(parse_fragment(c.html))}
    return known


def resolve_file_links(chapters: list[Chapter], pieces: list[_Piece], root: Path, known: set[str],
                       pending: dict[tuple[str, str], BuildError], page_label: str = "p.") -> list[Chapter]:
    """`[x](ch02.md)`, `ch02.md#part`, `./sub/x.md`, `x.html` (for x.md) -> `#the-id` of that chapter, section
    file or heading: the print edition's page references, the screen PDF's links and the EPUB's links between
    documents all start from an anchor. A link that names no file of the book is left for check_links."""
    by_file = {piece.path.resolve(): piece for piece in pieces}
    divisions = {chapter.id: chapter.division for chapter in chapters}
    resolved = []
    for chapter in chapters:
        tree = parse_fragment(chapter.html) if "<a" in chapter.html else None
        changed = False
        for link in links(tree) if tree is not None else ():
            href = str(link.get("href")).strip()
            if href.startswith("#") and "%" in href:
                # Markdown percent-encodes what is not ASCII ('#%C3%A9t%C3%A9'); ids are text ('#été'), and
                # so is the fragment a reader's browser compares with them once decoded.
                link.set("href", "#" + unquote(href[1:]))
                changed = True
            match = _BOOK_FILE.match(href)
            if not match:
                continue
            piece = _piece_for(match.group("path"), chapter, by_file, root)
            if piece is None:
                continue
            anchor = unquote(match.group("anchor") or "")
            if anchor:
                anchor = piece.aliases.get(anchor, piece.aliases.get(github_slug(anchor), anchor))
                if anchor not in known:
                    pending[(chapter.name, href)] = ContentError(
                        f"link to '{href}', but {match.group('path')} has no heading or anchor with that id",
                        *_where(chapter, href))
                    continue
            link.set("href", f"#{anchor or piece.first}")
            # In print, where nothing is clickable, a link to another part of the book says on which page.
            front = divisions.get(piece.chapter) == "frontmatter"  # its pages are numbered i, ii, ...
            link.set("class", " ".join([*(link.get("class") or "").split(), "xref", *(["xref-front"] * front)]))
            link.set("data-page-label", page_label)
            changed = True
        resolved.append(replace(chapter, html=serialise_fragment(tree)) if changed and tree is not None else chapter)
    return resolved


def _piece_for(target: str, chapter: Chapter, by_file: dict[Path, _Piece], root: Path) -> _Piece | None:
    """The file of the book a relative link names, from any of the chapter's files' folders."""
    name = unquote(target)
    stem = re.sub(r"\.html?$", ".md", name, flags=re.I)
    # Relative to the file the link is in, as on GitHub and in mdBook (a chapter's files may be in two folders).
    for folder in dict.fromkeys(source.parent for source in chapter.sources):
        for candidate in (name, stem):
            found = by_file.get((folder / candidate).resolve())
            if found is not None:
                return found
    return None


def check_links(book: Book, pending: dict[tuple[str, str], BuildError] | None = None) -> None:
    """Every `#anchor` link in the book must point at an id that exists, and every link to a file must name a
    chapter or section file of the book (and a heading in it: `pending`, found while resolving): all of them
    are found, then reported together, in reading order."""
    pending = pending or {}
    problems: list[BuildError] = []
    known = known_ids(book.chapters)
    for chapter in book.chapters:
        tree = parse_fragment(chapter.html) if "<a" in chapter.html else None
        for link in links(tree) if tree is not None else ():
            href = str(link.get("href")).strip()
            if (chapter.name, href) in pending:
                problems.append(pending[(chapter.name, href)])
            elif href.startswith("#"):
                if href[1:] not in known:
                    where = _where(chapter, href)
                    problems.append(ContentError(f"link to '{href}', but no heading or anchor has that id", *where))
            elif not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", href):
                problems.append(ContentError(
                    f"link to '{href}', which is no chapter or section file of the book: link to one of its .md "
                    "files, or to a heading or an anchor, [text](#its-id)", *_where(chapter, href)))
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ContentProblems(problems)


def _where(chapter: Chapter, needle: str) -> tuple[str, int | None]:
    """The file of the chapter (among its section files) and the line a link's target is written on."""
    sources = chapter.sources or (chapter.source,)
    found = place_in(chapter.name, sources, needle) or place_in(chapter.name, sources, unquote(needle))
    return found if found is not None else (chapter.name, None)


def check_unique_ids(book: Book, trees: dict[Path, Any], made: dict[str, str] | None = None) -> None:
    """An id given twice (a raw HTML id="x" beside a heading's, or two raw ones) is an error naming both
    places; WeasyPrint would only log "Anchor defined twice" and the EPUB would fail epubcheck. `made`: where
    each chapter and heading id was taken (IdPool.places)."""
    made = dict(made or {})
    places: dict[str, str | Callable[[], str]] = {}  # a raw id's place: its line, looked for only if needed
    for chapter in book.chapters:
        raw_seen: dict[str, int] = {}
        headings = {heading.id for heading in chapter.headings}
        tree = trees.get(chapter.source)
        elements = [element for element in tree.iter() if element.get("id") is not None] if tree is not None else []
        found = [(chapter.id, "made"), *((str(e.get("id")), "made" if re.fullmatch("h[1-6]", str(e.tag)) and
                                          e.get("id") in headings else "raw") for e in elements),
                 *((note.id, "note") for note in chapter.footnotes)]
        for anchor, how in found:
            place: str | Callable[[], str]
            if how == "made":
                place = made.pop(anchor, chapter.name)  # a heading's or the title's: where it was taken
            elif how == "note":
                place = chapter.name
            else:  # raw HTML: the next line of the file that writes this id
                raw_seen[anchor] = raw_seen.get(anchor, -1) + 1
                place = partial(_raw_place, chapter.name, chapter.source, anchor, raw_seen[anchor])
            if anchor in places:
                shown, first = (p if isinstance(p, str) else p() for p in (place, places[anchor]))
                name, _, line = shown.rpartition(":") if shown != chapter.name else (shown, "", "")
                raise duplicate_id(anchor, first, name or shown, int(line) if line.isdigit() else None)
            places[anchor] = place


def _raw_place(name: str, source: Path, anchor: str, occurrence: int) -> str:
    """'name:line' of the `occurrence`-th raw HTML id="`anchor`" in a chapter's file (its name if not found)."""
    lines = _id_lines(source.read_text(encoding="utf-8"), anchor)
    return f"{name}:{lines[occurrence]}" if occurrence < len(lines) else name


def _id_lines(text: str, anchor: str) -> list[int]:
    """The lines of a source file whose raw HTML gives `anchor` as an id (id="x", id='x', id=x), in order."""
    pattern = re.compile(r"""\bid\s*=\s*["']?""" + re.escape(anchor) + r"""(?=["'\s>/]|$)""")
    return [number for number, line in enumerate(text.splitlines(), start=1) for _ in pattern.finditer(line)]
