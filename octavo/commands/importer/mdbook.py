"""An mdBook project (book.toml, src/SUMMARY.md, the pages) -> an Octavo book: chapters and parts from SUMMARY.md,
nested pages as section files of their chapter, includes expanded, hidden Rust lines dropped, links between pages
kept for the build to resolve, images copied; everything it cannot carry over is a warning with file and line.
"""

from __future__ import annotations

import logging
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin

from octavo.commands.importer.includes import expand, include_root
from octavo.commands.importer.markdown_text import (
    drop_heading_anchors,
    drop_hidden_lines,
    headings,
    listings,
    rewrite_links,
    shift_headings,
)
from octavo.commands.importer.summary import Entry, read_summary
from octavo.commands.importer.writer import Chapter, Imported, Part
from octavo.content.markdown import github_slug
from octavo.errors import ContentError, UsageError

log = logging.getLogger("octavo")

#: Words of an unnumbered chapter's title -> its kind in Octavo (mdBook's prefix and suffix chapters).
KIND_WORDS = {"foreword": "foreword", "preface": "preface", "acknowledg": "acknowledgments",
              "introduction": "introduction", "prologue": "prologue", "epilogue": "epilogue",
              "afterword": "afterword", "conclusion": "conclusion", "glossary": "glossary",
              "bibliography": "bibliography", "appendix": "appendix"}
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|#)")


@dataclass
class _Source:
    """The mdBook project being read."""

    root: Path
    src: Path
    site_url: str | None
    pages: set[str] = field(default_factory=set)
    """Every page SUMMARY.md puts in the book, relative to src/."""
    copies: dict[str, Path] = field(default_factory=dict)

    def shown(self, name: str) -> str:
        return str(self.src / name)


def import_mdbook(root: Path, site_url: str | None = None) -> Imported:
    """Read the mdBook project in `root` into an Imported book."""
    config = _book_toml(root)
    book_config: dict[str, Any] = config.get("book", {}) if isinstance(config.get("book"), dict) else {}
    src = root / str(book_config.get("src", "src"))
    summary_path = src / "SUMMARY.md"
    if not summary_path.is_file():
        raise UsageError(f"no SUMMARY.md in {src}/: is {root} an mdBook project?")
    entries = read_summary(summary_path.read_text(encoding="utf-8"), str(summary_path))
    source = _Source(root, src, site_url)
    entries = _present(entries, source, str(summary_path))
    source.pages = {e.path for e in entries if e.path}
    book = Imported(meta=_meta(book_config, root))
    book.contents = _contents(entries)
    for entry in entries:
        if entry.path:
            book.texts[entry.path] = _page(entry, source)
    book.copies = dict(sorted(source.copies.items()))
    return book


def _book_toml(root: Path) -> dict[str, Any]:
    path = root / "book.toml"
    if not path.is_file():
        raise UsageError(f"no book.toml in {root}/: give the folder of an mdBook project")
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise ContentError(f"book.toml is not valid TOML: {exc}", str(path),
                           int(line.group(1)) if line else None) from None


def _meta(config: dict[str, Any], root: Path) -> dict[str, Any]:
    meta: dict[str, Any] = {"title": str(config.get("title") or root.resolve().name)}
    authors = config.get("authors") or []
    if not authors:
        log.warning("%s: no authors in [book]: book.yaml names 'Unknown'; set them there", root / "book.toml")
    meta["authors"] = [str(a) for a in authors] or ["Unknown"]
    meta["language"] = str(config.get("language") or "en")
    if config.get("description"):
        meta["description"] = str(config["description"])
    return meta


def _present(entries: list[Entry], source: _Source, shown: str) -> list[Entry]:
    """The entries whose pages exist; drafts and missing pages are warnings (with the pages nested under them)."""
    kept: list[Entry] = []
    dropped_depth: int | None = None
    for entry in entries:
        if dropped_depth is not None and entry.kind == "numbered" and entry.depth > dropped_depth:
            log.warning("%s:%d: '%s' is inside a chapter left out, so it is left out too", shown, entry.line,
                        entry.title)
            continue
        dropped_depth = None
        if entry.kind != "part" and entry.path is None:
            log.warning("%s:%d: draft chapter '%s' (no file) is left out", shown, entry.line, entry.title)
            dropped_depth = entry.depth
        elif entry.path is not None and not (source.src / entry.path).is_file():
            log.warning("%s:%d: page '%s' does not exist: left out", shown, entry.line, entry.path)
            dropped_depth = entry.depth
        else:
            kept.append(entry)
    return kept


def _contents(entries: list[Entry]) -> list[Chapter | Part]:
    """Chapters (each with the pages nested under it as section files) and the parts that group them."""
    contents: list[Chapter | Part] = []
    part: tuple[str, list[Chapter]] | None = None
    chapters: list[tuple[str, list[str]]] = []

    def close_part() -> None:
        if part is not None:
            contents.append(Part(part[0], tuple(part[1])))

    for entry in entries:
        if entry.kind == "part":
            close_part()
            part = (entry.title, [])
        elif entry.depth == 0 and entry.path:
            if entry.kind == "suffix":
                close_part()
                part = None
            chapter = Chapter(entry.path)
            if part is not None and entry.kind == "numbered":
                part[1].append(chapter)
            else:
                contents.append(chapter)
            chapters.append((entry.path, []))
        elif entry.path and chapters:
            chapters[-1][1].append(entry.path)
    close_part()
    sections = dict(chapters)
    return [_with_sections(item, sections) for item in contents]


def _with_sections(item: Chapter | Part, sections: dict[str, list[str]]) -> Chapter | Part:
    if isinstance(item, Part):
        return Part(item.title, tuple(Chapter(c.file, tuple(sections[c.file])) for c in item.chapters))
    return Chapter(item.file, tuple(sections[item.file]))


def _page(entry: Entry, source: _Source) -> str:
    """One page's text as an Octavo chapter or section file."""
    path = source.src / entry.path  # type: ignore[operator]
    name = entry.path or ""
    shown = source.shown(name)
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    # Links first, while the lines are the page's own (for the warnings); then what the includes bring.
    text = rewrite_links(text, lambda target, line, image: _link(target, line, image, name, source))
    text = expand(text, path.parent, shown, include_root(source.root))
    text = listings(drop_hidden_lines(text))
    text = drop_heading_anchors(_headings(text, entry, shown), github_slug)
    if entry.depth == 0 and entry.kind in ("prefix", "suffix"):
        kind = next((k for word, k in KIND_WORDS.items() if word in entry.title.lower()),
                    "preface" if entry.kind == "prefix" else "appendix")
        text = f"---\nkind: {kind}\n---\n\n" + text
    return text if text.endswith("\n") else text + "\n"


def _headings(text: str, entry: Entry, shown: str) -> str:
    """A chapter page starts with its `#` title; a page nested `depth` deep starts with `#` * (depth + 1)."""
    found = headings(text)
    first_text = next((line for line in text.splitlines() if line.strip() and not line.startswith("<!--")), "")
    if not found or not first_text.lstrip().startswith("#"):
        text = f"# {entry.title}\n\n" + text
        found = headings(text)
    top = min(level for level, _ in found)
    shift = entry.depth + 1 - top
    if entry.depth == 0:
        extra_titles = sum(1 for level, _ in found if level == 1) > 1
        text, deep = shift_headings(text, 1, skip_first=True) if extra_titles else (text, [])
    else:
        text, deep = shift_headings(text, shift) if shift > 0 else (text, [])
    for line in deep:
        log.warning("%s:%d: this heading would be deeper than '######' as a section of its chapter: kept at "
                    "level 6", shown, line)
    return text


def _link(target: str, line: int, image: bool, page: str, source: _Source) -> str | None:
    """A link or image target of `page` as the Octavo book writes it; None unlinks it."""
    if _EXTERNAL.match(target) or not target:
        return target
    path, _, fragment = target.partition("#")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(path)))
    shown = source.shown(page)
    if resolved.startswith("../") or resolved == "..":
        return _leave(target, line, shown, source, page, "leads out of the book's src/ folder")
    page_name = re.sub(r"\.html?$", ".md", resolved)
    if posixpath.basename(page_name) == "index.md":
        page_name = posixpath.join(posixpath.dirname(page_name), "README.md").removeprefix("./")
    if page_name in source.pages:
        if page_name != resolved:  # x.html, index.html: the page's own file
            relative = posixpath.relpath(page_name, posixpath.dirname(page) or ".")
            return relative + (f"#{fragment}" if fragment else "")
        return target
    file = source.src / resolved
    if image or resolved.lower().endswith(IMAGE_SUFFIXES):
        if file.is_file():
            source.copies[resolved] = file
            return resolved  # Octavo reads an image's path from the book's folder, not the page's
        log.warning("%s:%d: image '%s' not found in %s/", shown, line, target, source.src)
        return target
    why = "is a page SUMMARY.md does not list" if page_name.endswith(".md") and (source.src / page_name).is_file() \
        else "is no page of the book"
    return _leave(target, line, shown, source, page, why)


def _leave(target: str, line: int, shown: str, source: _Source, page: str, why: str) -> str | None:
    """A link the book cannot hold: made absolute on the web with --site-url, else unlinked; a warning either way."""
    if source.site_url:
        web = re.sub(r"\.md(?=$|#)", ".html", target)
        absolute = urljoin(urljoin(source.site_url, page), web)
        log.warning("%s:%d: link to '%s' %s: it now goes to %s", shown, line, target, why, absolute)
        return absolute
    log.warning("%s:%d: link to '%s' %s: its text is kept, unlinked (--site-url URL makes such links absolute)",
                shown, line, target, why)
    return None
