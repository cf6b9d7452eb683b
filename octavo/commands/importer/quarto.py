"""A Quarto book (_quarto.yml with `book: chapters:`) or a pandoc manuscript (one .md with a YAML metadata block)
-> an Octavo book: chapters, parts and appendices, the metadata (title, authors, language, bibliography, csl),
callouts as Octavo's notes, cross-reference labels kept; what it cannot carry over is a warning with file and line.
"""

from __future__ import annotations

import logging
import posixpath
import re
from pathlib import Path
from typing import Any

from octavo.commands.importer.markdown_text import fenced, headings, rewrite_links
from octavo.commands.importer.quarto_text import cells, divs, heading_attributes, includes
from octavo.commands.importer.writer import Chapter, Imported, Part
from octavo.config import SCHEMA
from octavo.content.markdown import split_front_matter
from octavo.errors import ContentError, UsageError
from octavo.yamlsafe import YamlProblem, load_yaml

log = logging.getLogger("octavo")

#: Metadata that means the same in pandoc and in book.yaml, in the order book.yaml is written.
_SAME_KEYS = ("title", "subtitle", "date", "publisher", "rights", "description", "abstract", "thanks", "keywords")
_EXTENSIONS = (".qmd", ".md", ".markdown", ".rmd")


def import_quarto(source: Path) -> Imported:
    """A Quarto project folder, or a pandoc manuscript file, as an Imported book."""
    if source.is_file():
        return _manuscript(source)
    config = next((source / n for n in ("_quarto.yml", "_quarto.yaml") if (source / n).is_file()), None)
    if config is None:
        raise UsageError(f"no _quarto.yml in {source}/: give a Quarto book's folder, or a pandoc manuscript (.md)")
    data, lines = _yaml(config.read_text(encoding="utf-8"), str(config))
    book_config = data.get("book") if isinstance(data, dict) else None
    if not isinstance(book_config, dict) or not book_config.get("chapters"):
        raise ContentError("_quarto.yml has no 'book: chapters:' list: is this a Quarto book?", str(config),
                           lines.get("book"))
    book = Imported(meta=_metadata({**data, **book_config}, str(config), source))
    order: list[tuple[str, str]] = []  # (file, kind)
    book.contents = _chapters(book_config["chapters"], order, "chapter", source, str(config))
    for name in book_config.get("appendices") or []:
        if isinstance(name, str):
            order.append((name, "appendix"))
            book.contents.append(Chapter(_md_name(name)))
    for index, (name, kind) in enumerate(order):
        if index == 0 and kind == "chapter" and Path(name).stem == "index":
            kind = "preface"  # Quarto's index.qmd: the book's opening, unnumbered
        book.texts[_md_name(name)] = _chapter_text(source / name, name, kind, source, book, set(n for n, _ in order))
    _bibliography(data, book, source, str(config))
    return book


def _yaml(text: str, shown: str, first_line: int = 1) -> tuple[Any, dict[str, int]]:
    try:
        return load_yaml(text, first_line)
    except YamlProblem as exc:
        raise ContentError(f"not valid YAML: {exc.message}", shown, exc.line) from None


def _md_name(name: str) -> str:
    """chapter.qmd -> chapter.md: the build reads Markdown files."""
    return re.sub(r"\.(qmd|rmd|markdown)$", ".md", name, flags=re.I)


def _chapters(items: Any, order: list[tuple[str, str]], kind: str, root: Path, shown: str) -> list[Chapter | Part]:
    contents: list[Chapter | Part] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            if not (root / item).is_file():
                log.warning("%s: chapter '%s' does not exist: left out", shown, item)
                continue
            order.append((item, kind))
            contents.append(Chapter(_md_name(item)))
        elif isinstance(item, dict) and "part" in item:
            title = str(item["part"])
            if title.endswith(_EXTENSIONS) and (root / title).is_file():
                log.warning("%s: part '%s' is a file: its title is kept, its text is left out", shown, title)
                title = _title_of(root / title) or Path(title).stem
            inner = _chapters(item.get("chapters") or [], order, kind, root, shown)
            contents.append(Part(title, tuple(c for c in inner if isinstance(c, Chapter))))
    return contents


def _title_of(path: Path) -> str:
    front, body, _ = split_front_matter(path.read_text(encoding="utf-8"), str(path))
    if front.get("title"):
        return str(front["title"])
    match = re.search(r"^#\s+(.*?)(\s*\{[^}]*\})?\s*$", body, re.M)
    return match.group(1) if match else ""


def _metadata(data: dict[str, Any], shown: str, root: Path) -> dict[str, Any]:
    meta: dict[str, Any] = {"title": str(data.get("title") or root.resolve().stem)}
    if data.get("subtitle"):
        meta["subtitle"] = str(data["subtitle"])
    meta["authors"] = _authors(data.get("author") or data.get("authors"), shown)
    meta["language"] = str(data.get("lang") or data.get("language") or "en")
    for key in _SAME_KEYS[2:]:
        value = data.get(key)
        if value in (None, "", []):
            continue
        if key == "date" and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", str(value)):
            log.warning("%s: date '%s' is not YYYY[-MM[-DD]]: left out of book.yaml", shown, value)
            continue
        meta[key] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return meta


def _authors(value: Any, shown: str) -> list[Any]:
    values = value if isinstance(value, list) else [value] if value else []
    authors: list[Any] = []
    for author in values:
        if isinstance(author, dict) and author.get("name"):
            name = author["name"]
            name = name.get("literal") or " ".join(str(v) for v in name.values()) if isinstance(name, dict) else name
            affiliation = author.get("affiliation") or author.get("affiliations")
            if isinstance(affiliation, list):
                affiliation = ", ".join(str(a.get("name", a)) if isinstance(a, dict) else str(a) for a in affiliation)
            authors.append(str(name) if not affiliation else {"name": str(name), "affiliation": str(affiliation)})
        elif isinstance(author, str):
            authors.append(author)
    if not authors:
        log.warning("%s: no author: book.yaml names 'Unknown'; set the authors there", shown)
    return authors or ["Unknown"]


def _bibliography(data: dict[str, Any], book: Imported, root: Path, shown: str) -> None:
    """`bibliography:` and `csl:` into book.yaml when the build knows the keys (the citations issue adds them),
    else kept as a comment with a warning; their files are copied either way."""
    for key in ("bibliography", "csl"):
        value = data.get(key)
        if not value:
            continue
        names = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        for name in names:
            if (root / name).is_file():
                book.copies[name] = root / name
            else:
                log.warning("%s: %s file '%s' not found", shown, key, name)
        if key in SCHEMA:
            book.after[key] = names[0] if len(names) == 1 else names
        else:
            book.comments.append(f"# {key}: {', '.join(names)}  (this version of Octavo has no citations yet)")
            log.warning("%s: '%s: %s' is kept as a comment in book.yaml: this version of Octavo cannot cite yet",
                        shown, key, ", ".join(names))


def _chapter_text(path: Path, name: str, kind: str, root: Path, book: Imported, chapters: set[str]) -> str:
    """One chapter file as Octavo reads it."""
    shown = str(path)
    raw = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    front, body, offset = split_front_matter(raw, shown)
    body = "\n" * offset + body  # line numbers in warnings stay the file's
    body = includes(body, path.parent, shown)
    body = cells(body, shown)
    body = divs(body, shown)
    body, unnumbered = heading_attributes(body)
    body = rewrite_links(body, lambda target, line, image: _link(target, line, image, name, root, book, chapters,
                                                                   shown))
    title = front.get("title")
    found = headings(body)
    keep: dict[str, str] = {}
    if title and not (found and found[0][0] == 1):
        keep["title"] = str(title)
    if kind != "chapter" or unnumbered:
        keep["kind"] = kind if kind != "chapter" else "preface" if not book.texts else "appendix"
    dropped = sorted(k for k in front if k not in ("title",))
    if dropped:
        log.warning("%s:%d: front matter %s left out (Octavo's chapters take title and kind)", shown, 2,
                    ", ".join(dropped))
    head = "---\n" + "".join(f'{k}: "{v}"\n' for k, v in keep.items()) + "---\n" if keep else ""
    return head + body.lstrip("\n") + ("" if body.endswith("\n") else "\n")


def _link(target: str, line: int, image: bool, page: str, root: Path, book: Imported, chapters: set[str],
          shown: str) -> str | None:
    if re.match(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|#)", target) or not target:
        return target
    path, _, fragment = target.partition("#")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    if resolved in chapters or re.sub(r"\.html$", ".qmd", resolved) in chapters:
        relative = _md_name(re.sub(r"\.html$", ".qmd", path))
        return relative + (f"#{fragment}" if fragment else "")
    if (root / resolved).is_file() and not resolved.startswith(".."):
        book.copies[resolved] = root / resolved
        return resolved  # Octavo reads an image's path from the book's folder, not the chapter's
    log.warning("%s:%d: %s '%s' is not in the project: %s", shown, line, "image" if image else "link", target,
                "kept as written" if image else "its text is kept, unlinked")
    return target if image else None


def _manuscript(path: Path) -> Imported:
    """One pandoc Markdown file: its metadata block -> book.yaml, each `#` section a chapter file."""
    shown = str(path)
    front, body, offset = split_front_matter(path.read_text(encoding="utf-8").replace("\r\n", "\n"), shown)
    book = Imported(meta=_metadata(front, shown, path.parent))
    body = includes("\n" * offset + body, path.parent, shown)
    body = divs(cells(body, shown), shown)
    body, _ = heading_attributes(body)
    pieces = _split_chapters(body, book.meta["title"])
    names = [f"{index:02d}-{_slug(title)}.md" for index, (title, _) in enumerate(pieces, start=1)]
    for name, (_, text) in zip(names, pieces, strict=True):
        book.texts[name] = rewrite_links(text, lambda t, n, i: _link(t, n, i, path.name, path.parent, book,
                                                                     set(), shown)).lstrip("\n")
        book.contents.append(Chapter(name))
    _bibliography(front, book, path.parent, shown)
    return book


def _split_chapters(body: str, title: str) -> list[tuple[str, str]]:
    """The manuscript cut before each `#` heading; text before the first one opens a chapter of its own."""
    pieces: list[tuple[str, list[str]]] = []
    for _, line, inside in fenced(body):
        if inside is None and re.match(r"^#\s", line):
            pieces.append((line[2:].strip(), [line]))
        elif pieces:
            pieces[-1][1].append(line)
        elif line.strip():
            pieces.append((title, [f"# {title}\n\n", line]))
    return [(t, "".join(lines)) for t, lines in pieces] or [(title, f"# {title}\n")]


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"\{[^}]*\}", "", title).lower()).strip("-")[:40] or "chapter"
