"""The fonts of a book: the families the stylesheets try for text, headings and code (fonts.css, then the book's
own from book.yaml `fonts:`), the CSS that brings the book's own, and the check that every character of the
book is drawable by a font of the list its place in the book uses."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import tinycss2
from fontTools.ttLib import TTFont
from lxml import etree

from octavo.bookfonts import STYLES, BookFonts
from octavo.errors import BuildError, ContentProblems, FontError
from octavo.markup import local_name, parse_fragment, plain_text
from octavo.model import Book
from octavo.resources import Resources
from octavo.source import place_in

#: Characters that draw nothing and need no glyph (format controls, variation selectors, bidi marks).
INVISIBLE = (frozenset(range(0x200B, 0x2010)) | frozenset(range(0xFE00, 0xFE10)) | frozenset(range(0x202A, 0x202F))
             | frozenset(range(0x2066, 0x206A)) | {0x2060, 0xAD, 0xFEFF})
#: The roles, and the custom property of fonts.css that holds each one's font-family list.
ROLES = {"body": "--octavo-body-fonts", "headings": "--octavo-headings-fonts", "code": "--octavo-code-fonts"}
#: What each role is called in a message.
ROLE_NAMES = {"body": "text", "headings": "headings", "code": "code"}
#: Generic families: the machine's fonts, never counted on.
GENERIC = frozenset({"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "emoji", "math",
                     "ui-serif", "ui-sans-serif", "ui-monospace", "ui-rounded", "fangsong"})
#: Elements whose text is set in the code face, and those in the headings face.
CODE = frozenset({"code", "pre", "kbd", "samp", "tt", "var"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
#: How to add a font, for the message.
HOW_TO_ADD = "add a font that has it to book.yaml (fonts: fallbacks: [fonts/YourFont.otf]), or remove it"


@dataclass(frozen=True)
class FontPlan:
    """Which font files each family is, and the families each role tries, in order."""

    families: tuple[tuple[str, tuple[Path, ...]], ...]
    """Family name -> its font files (every style), for the families a stylesheet or the book declares."""
    lists: tuple[tuple[str, tuple[str, ...]], ...]
    """Role ('body', 'headings', 'code') -> the families it tries, generic ones left out."""
    css: str
    """@font-face rules and the lists for the book's own fonts, after fonts.css ('' when it brings none)."""

    def tried(self, role: str) -> tuple[str, ...]:
        """The families a role tries, in order."""
        return dict(self.lists)[role]

    def fonts(self, role: str) -> tuple[Path, ...]:
        """The font files a role can draw with."""
        files = dict(self.families)
        return tuple(path for family in self.tried(role) for path in files.get(family, ()))


def font_plan(book: Book, styles: Resources) -> FontPlan:
    """fonts.css (the book's own or Octavo's) and book.yaml's `fonts:` -> the fonts every role uses."""
    faces, lists = _read_fonts_css(styles.find_style("fonts.css"))
    own: BookFonts = book.meta.fonts
    if not own.faces:
        return FontPlan(tuple(faces.items()), tuple(lists.items()), "")
    rules = []
    for face in own.faces:
        faces[face.family] = tuple(path for _, path in face.files)
        for style, path in face.files:
            font_style, weight = STYLES[style]
            rules.append(f"@font-face {{ font-family: {_quote(face.family)}; font-style: {font_style}; "
                         f"font-weight: {weight}; src: url({path.as_uri()}); }}")
    fallbacks = [face.family for face in own.fallbacks]
    mine: dict[str, tuple[str, ...]] = {}
    css_lists = []
    for role, default in lists.items():
        given = own.role(role)
        first = given.family if given else default[0] if default else None
        families = tuple(dict.fromkeys(f for f in (first, *fallbacks, *default[1:]) if f))
        mine[role] = families
        generic = {"code": "monospace"}.get(role, "serif")
        css_lists.append(f"{ROLES[role]}: {', '.join(map(_quote, families))}, {generic};")
    rules.append(":root { " + " ".join(css_lists) + " }")
    return FontPlan(tuple(faces.items()), tuple(mine.items()), "\n".join(rules))


def _quote(family: str) -> str:
    return '"' + family.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _read_fonts_css(stylesheet: Path) -> tuple[dict[str, tuple[Path, ...]], dict[str, tuple[str, ...]]]:
    """The families a fonts.css declares (name -> local files, resolved as WeasyPrint does) and its role lists;
    a fonts.css without lists (a book's own, written before they existed) gives every role all its families."""
    rules = tinycss2.parse_stylesheet(stylesheet.read_text(encoding="utf-8"), skip_comments=True,
                                      skip_whitespace=True)
    faces: dict[str, list[Path]] = {}
    raw: dict[str, list[tinycss2.ast.Node]] = {}
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword == "font-face" and rule.content:
            declarations = _declarations(rule.content)
            family = _families(declarations.get("font-family", []))
            files = [(stylesheet.parent / url).resolve() for url in _urls(declarations.get("src", []))]
            if family:
                faces.setdefault(family[0], []).extend(p for p in files if p.is_file())
        elif rule.type == "qualified-rule" and tinycss2.serialize(rule.prelude).strip() in (":root", "html"):
            raw.update({name: value for name, value in _declarations(rule.content).items() if name in ROLES.values()})
    lists: dict[str, tuple[str, ...]] = {}
    for role, prop in ROLES.items():
        lists[role] = _resolve(prop, raw, set()) if prop in raw else ()
    if not any(lists.values()):
        lists = dict.fromkeys(ROLES, tuple(faces))
    else:
        lists = {role: families or lists["body"] for role, families in lists.items()}
    return {name: tuple(dict.fromkeys(paths)) for name, paths in faces.items()}, lists


def _declarations(content: list[tinycss2.ast.Node]) -> dict[str, list[tinycss2.ast.Node]]:
    found = tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True)
    return {d.name if d.name.startswith("--") else d.lower_name: d.value for d in found if d.type == "declaration"}


def _families(tokens: list[tinycss2.ast.Node]) -> tuple[str, ...]:
    """A font-family value -> its family names, generic ones left out."""
    names: list[str] = []
    words: list[str] = []
    for token in [*tokens, None]:
        if token is None or token.type == "literal" and token.value == ",":
            if words and " ".join(words).lower() not in GENERIC:
                names.append(" ".join(words))
            words = []
        elif token.type == "string":
            words.append(token.value)
        elif token.type == "ident":
            words.append(token.value)
    return tuple(names)


def _resolve(prop: str, raw: dict[str, list[tinycss2.ast.Node]], seen: set[str]) -> tuple[str, ...]:
    """A custom property's family list, with var(--octavo-...-fonts) inside it replaced by that list."""
    if prop in seen or prop not in raw:
        return ()
    names: list[str] = []
    plain: list[tinycss2.ast.Node] = []
    for token in raw[prop]:
        if token.type == "function" and token.lower_name == "var":
            names += _families(plain)
            plain = []
            ref = next((t.value for t in token.arguments if t.type == "ident"), "")
            names += _resolve(ref, raw, seen | {prop})
        else:
            plain.append(token)
    names += _families(plain)
    return tuple(dict.fromkeys(names))


def _urls(tokens: list[tinycss2.ast.Node]) -> Iterator[str]:
    for token in tokens:
        if token.type == "url":
            url = token.value
        elif token.type == "function" and token.lower_name == "url":
            url = next((t.value for t in token.arguments if t.type == "string"), "")
        else:
            continue
        if url and ":" not in url:  # a local file; remote fonts are the fetcher's business
            yield url


@lru_cache(maxsize=32)
def coverage(fonts: tuple[Path, ...]) -> frozenset[int]:
    """Code points that at least one of `fonts` maps to a glyph."""
    points: set[int] = set()
    for path in fonts:
        with TTFont(path, lazy=True) as font:
            points.update(font.getBestCmap() or {})
    return frozenset(points)


def check_coverage(book: Book, styles: Resources, config_name: str) -> None:
    """Raise FontError for the first character that no font of the list its place uses can draw."""
    plan = font_plan(book, styles)
    covered = {role: coverage(plan.fonts(role)) for role in ROLES}
    meta = book.meta
    book_text = " ".join(filter(None, (meta.title, meta.subtitle, *meta.authors, meta.publisher, meta.rights,
                                       meta.notice, meta.edition, meta.date, meta.dedication, meta.thanks,
                                       *meta.affiliations,
                                       plain_text(book.abstract_html), *(part.title for part in meta.parts))))
    # The title and headings are set in the headings face, and in the text face in the contents and running heads.
    sources: list[tuple[str, tuple[Path, ...], list[tuple[str, tuple[str, ...]]]]] = [
        (config_name, (), [(book_text, ("body", "headings"))])]
    for chapter in book.chapters:
        notes = "".join(note.html for note in chapter.footnotes)
        pieces = [(chapter.title, ("body", "headings")), *_pieces(chapter.epigraph_html), *_pieces(chapter.html),
                  *_pieces(notes)]
        sources.append((chapter.name, chapter.sources, pieces))  # a chapter's file, then its section files
    problems: list[BuildError] = []
    seen: set[str] = set()
    more = 0
    for name, files, pieces in sources:
        for text, roles in pieces:
            if not _uncovered(text, roles, covered):  # each distinct character once; the loop below finds them
                continue
            for char in text:
                point = ord(char)
                if char.isspace() or point in INVISIBLE or char in seen:
                    continue
                role = next((r for r in roles if point not in covered[r]), None)
                if role is None:
                    continue
                seen.add(char)
                if len(problems) < MOST_LISTED:
                    problems.append(FontError(_message(char, role, plan),
                                              *(place_in(name, files, char) or (name, None))))
                else:
                    more += 1
    if more:
        problems.append(FontError(f"and {more} more character(s) that no font tried can draw; {HOW_TO_ADD}"))
    if len(problems) == 1:
        raise problems[0]
    if problems:  # every one at once (a book of kaomoji, of another script): not one build for each
        raise ContentProblems(problems)


#: The characters no font draws that a build lists, each at its first place; the rest are counted.
MOST_LISTED = 10


def _uncovered(text: str, roles: tuple[str, ...], covered: dict[str, frozenset[int]]) -> bool:
    """Whether a character of `text` is missing from the fonts of one of `roles` (spaces and invisibles aside)."""
    points = {ord(char) for char in set(text) if not char.isspace()} - INVISIBLE
    return any(points - covered[role] for role in roles)


def _pieces(fragment: str) -> list[tuple[str, tuple[str, ...]]]:
    """An HTML fragment's text in document order, each piece with the roles whose fonts draw it."""
    if not fragment.strip():
        return []
    root = parse_fragment(fragment)
    pieces: list[tuple[str, tuple[str, ...]]] = []

    def roles_of(element: etree._Element) -> tuple[str, ...]:
        names = {local_name(e.tag) for e in (element, *element.iterancestors())}
        if names & CODE:
            return ("code",)
        return ("body", "headings") if names & HEADINGS else ("body",)

    def walk(element: etree._Element) -> None:
        if element.text:
            pieces.append((element.text, roles_of(element)))
        for child in element:
            if isinstance(child.tag, str):
                walk(child)
            if child.tail:
                pieces.append((child.tail, roles_of(element)))

    walk(root)
    return pieces


def _message(char: str, role: str, plan: FontPlan) -> str:
    name = unicodedata.name(char, "unnamed character")
    tried = ", ".join(plan.tried(role)) or "none"
    return (f"character '{char}' (U+{ord(char):04X} {name}) cannot be drawn by any font tried for "
            f"{ROLE_NAMES[role]} ({tried}); {HOW_TO_ADD}")

